"""Answers kept beside the projection (``graph.kept_answers``): a question asked again of an
unchanged store is answered from the file without the graph; a write, other rules, another
store or a damaged file make it computed again; `redchain report` prints the same either way."""

from __future__ import annotations

import marshal
import shutil
from contextlib import closing

from typer.testing import CliRunner

from api.cli.main import app
from graph import kept_answers, projection_cache
from graph.analysis.coverage import CoverageReport, coverage_report
from graph.factory import open_store
from graph.kept_answers import answers_path, coverage_question, kept_answer
from graph.records import Node, Rel
from graph.schema import Label, RelType
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths

E1, E2, O1 = "91350100M000100Y43", "914403001922038216", "PO1"


class Computed:
    """The coverage question of a test, counting how often it was really computed."""

    def __init__(self):
        self.count = 0

    def __call__(self, g):
        self.count += 1
        return coverage_report(g).to_dict()


def _store(path):
    store = open_store(str(path))
    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"}), Node(Label.ENTERPRISE, E2, {"name": "乙"}),
                 Node(Label.PARTY_ORG, O1, {"name": "党支部"})])
    return store


def _demo_store(tmp_path):
    """The small demo imported into ``tmp_path/d.db``: (the open store, its path)."""
    csv_dir, db = tmp_path / "csv", tmp_path / "d.db"
    write_demo_csv(demo_tables("small", 2024), csv_dir)
    store = open_store(str(db))
    import_paths(store, [csv_dir])
    return store, db


def _refused_twice(ask, error: type[Exception], says: str) -> None:
    """``ask()`` raises ``error`` saying ``says``, and again the second time: nothing was kept."""
    for _ in range(2):
        try:
            ask()
        except error as exc:
            assert says in str(exc)
        else:
            raise AssertionError(f"{error.__name__} was not raised")


def test_an_answer_is_computed_once_per_version_and_again_after_a_write(tmp_path):
    path = tmp_path / "x.db"
    store, computed = _store(path), Computed()
    first = kept_answer(store, ("report",), computed)
    store.close()

    again = open_store(str(path))  # a new process: nothing in memory
    assert kept_answer(again, ("report",), computed) == first and computed.count == 1
    assert kept_answer(again, ("other",), computed) == first and computed.count == 2  # another question

    again.write([], [Rel(RelType.COVERS, O1, E1)])
    after = kept_answer(again, ("report",), computed)
    assert computed.count == 3
    assert (first["totals"]["org_covered"], after["totals"]["org_covered"]) == (0, 1)
    with closing(open_store(str(path))) as third:
        assert kept_answer(third, ("report",), computed) == after and computed.count == 3
    again.close()


def test_other_rules_another_store_or_a_damaged_file_compute_again(tmp_path, monkeypatch):
    a, b = _store(tmp_path / "a.db"), _store(tmp_path / "b.db")
    computed = Computed()
    kept_answer(a, ("report",), computed)
    assert a.projection_key()[1] == b.projection_key()[1]  # the same version number
    shutil.copy(answers_path(tmp_path / "a.db"), answers_path(tmp_path / "b.db"))
    kept_answer(b, ("report",), computed)
    assert computed.count == 2  # the store ids differ

    answers_path(tmp_path / "a.db").write_bytes(b"\xff not marshal")
    kept_answer(a, ("report",), computed)
    assert computed.count == 3

    monkeypatch.setattr(kept_answers, "ANALYSIS_RULES", ("graph/schema.py",))  # a rule changed
    kept_answer(a, ("report",), computed)
    assert computed.count == 4
    for s in (a, b):
        s.close()


def test_past_the_budget_the_file_starts_again_and_a_failure_only_costs_computing(tmp_path, monkeypatch):
    store, computed = _store(tmp_path / "x.db"), Computed()
    size = len(marshal.dumps(kept_answer(store, ("q", 0), computed), kept_answers._MARSHAL_VERSION))
    monkeypatch.setattr(kept_answers, "KEPT_ANSWERS_BYTES", size * 2 + 200)  # two answers, not three
    kept_answer(store, ("q", 1), computed)
    kept_answer(store, ("q", 0), computed)  # both kept
    assert computed.count == 2
    kept_answer(store, ("q", 2), computed)  # past the budget: only this one is kept
    assert computed.count == 3
    kept_answer(store, ("q", 2), computed)
    assert computed.count == 3
    kept_answer(store, ("q", 1), computed)
    assert computed.count == 4

    def failing(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(projection_cache.tempfile, "mkstemp", failing)
    assert kept_answer(store, ("q", 3), computed)["totals"]["base"] == 2 and computed.count == 5
    assert kept_answer(store, ("q", 3), computed) and computed.count == 6  # nothing was kept
    store.close()


def test_an_error_is_not_kept(tmp_path):
    store = _store(tmp_path / "x.db")

    def wrong(g):
        raise LookupError("没有这条产业链")

    _refused_twice(lambda: kept_answer(store, ("report", "C99"), wrong), LookupError, "没有这条产业链")
    store.close()


def test_report_prints_the_same_from_a_kept_answer(tmp_path):
    store, db = _demo_store(tmp_path)
    store.close()
    runner = CliRunner()
    env = {"COLUMNS": "100", "REDCHAIN_STORE": None}
    for args in (["--by", "chain", "--json"], ["--by", "segment"], [], ["--chain", "C01", "--by", "park"]):
        computed = runner.invoke(app, ["report", *args, "--store", str(db)], env=env)
        kept = runner.invoke(app, ["report", *args, "--store", str(db)], env=env)
        assert computed.exit_code == kept.exit_code == 0, computed.output
        assert kept.stdout == computed.stdout
    with closing(open_store(str(db))) as store:
        key = store.projection_key()
    answers = kept_answers._read(db, (kept_answers.FORMAT, *key, kept_answers.source_digest(*kept_answers.ANALYSIS_RULES)))
    assert set(answers) == {coverage_question("chain", None), coverage_question("segment", None),
                            coverage_question(None, None), coverage_question("park", "C01")}
    by_chain = answers[coverage_question("chain", None)]
    assert CoverageReport.from_dict(by_chain).to_dict() == by_chain

    missing = runner.invoke(app, ["report", "--chain", "C99", "--store", str(db)], env=env)
    assert missing.exit_code != 0 and "C99" in missing.output


def test_the_coverage_an_import_computes_for_its_snapshot_is_the_next_reports_answer(tmp_path):
    from graph.analysis.history import snapshot_now
    from graph.projection import load_projection

    store, db = _demo_store(tmp_path)
    snapshot_now(store)  # as `redchain load` and the import API do
    assert not (tmp_path / "d.db.projection").exists()

    def computed(g):
        raise AssertionError("computed again")

    with closing(open_store(str(db))) as again:
        kept = kept_answer(again, coverage_question(None, None), computed)
    assert kept == coverage_report(load_projection(store)).to_dict()
    store.close()


def test_a_question_not_asked_yet_is_summed_from_the_kept_coverage_base(tmp_path):
    """After one report, another grouping or chain of the unchanged store is summed from
    ``<store>.coverage-base`` without the projection (its file gone, it is not built again)
    and prints exactly what computing it from the projection prints."""
    store, db = _demo_store(tmp_path)
    store.close()
    runner = CliRunner()
    env = {"COLUMNS": "100", "REDCHAIN_STORE": None}
    projection, base = projection_cache.cache_path(db), tmp_path / "d.db.coverage-base"
    for args in (["--by", "chain", "--json"], ["--by", "segment"], ["--by", "kind", "--json"], [],
                 ["--chain", "C01", "--by", "park"], ["--chain", "C02", "--by", "street", "--json"]):
        answers_path(db).unlink(missing_ok=True)
        base.unlink(missing_ok=True)
        from_projection = runner.invoke(app, ["report", *args, "--store", str(db)], env=env)
        assert from_projection.exit_code == 0, from_projection.output
        assert projection.exists() and base.exists()
        answers_path(db).unlink()
        projection.unlink()
        from_base = runner.invoke(app, ["report", *args, "--store", str(db)], env=env)
        assert from_base.exit_code == 0, from_base.output
        assert from_base.stdout == from_projection.stdout, args
        assert not projection.exists()  # summed from the base: the projection was not built
    missing = runner.invoke(app, ["report", "--chain", "C99", "--store", str(db)], env=env)
    assert missing.exit_code != 0 and "找不到产业链 C99" in missing.output and not projection.exists()


def test_a_write_or_a_damaged_base_means_the_projection_again(tmp_path):
    store = _store(tmp_path / "x.db")
    base = tmp_path / "x.db.coverage-base"
    inputs = kept_answers.coverage_inputs(None, None)
    computed = Computed()
    first = kept_answer(store, ("report",), computed, inputs)
    assert computed.count == 1 and base.exists()
    with closing(open_store(str(tmp_path / "x.db"))) as another:  # a new process
        assert kept_answer(another, ("again",), computed, inputs) == first
    assert computed.count == 1  # summed from the base

    store.write([], [Rel(RelType.COVERS, O1, E1)])  # a new version: the base no longer matches
    after = kept_answer(store, ("again",), computed, inputs)
    assert computed.count == 2 and after["totals"]["org_covered"] == 1
    assert kept_answer(store, ("third",), computed, inputs) == after and computed.count == 2

    header = marshal.load(base.open("rb"))
    for damaged in (b"", marshal.dumps(header) + b"\x00garbage", marshal.dumps(header) + marshal.dumps({"counts": 1})):
        base.write_bytes(damaged)
        assert kept_answer(store, ("q", len(damaged)), computed, inputs) == after
    assert computed.count == 5
    store.close()


def test_an_error_summed_from_the_base_is_raised_and_not_kept(tmp_path):
    from graph.errors import NotFound

    store = _store(tmp_path / "x.db")
    kept_answer(store, coverage_question(None, None), Computed(), kept_answers.coverage_inputs(None, None))
    _refused_twice(lambda: kept_answer(store, coverage_question(None, "C99"), Computed(),
                                       kept_answers.coverage_inputs(None, "C99")), NotFound, "C99")
    store.close()


def test_a_damaged_kept_file_is_never_read_as_an_answer(tmp_path):
    """Bytes changed anywhere in the answers or the coverage base (below a header that
    still matches, too): the report is the true one, computed again, and the file is
    written again whole."""
    import random

    from graph.projection import load_projection

    store, db = _demo_store(tmp_path)
    truth = {q: coverage_report(load_projection(store), by=q[1], chain=q[2]).to_dict()
             for q in (coverage_question("segment", None), coverage_question("park", "C01"))}
    question = list(truth)
    ask = [lambda q=q: kept_answer(store, q, lambda g: coverage_report(g, by=q[1], chain=q[2]).to_dict(),
                                   kept_answers.coverage_inputs(q[1], q[2])) for q in question]
    ask[0]()  # both files kept
    base = tmp_path / "d.db.coverage-base"
    pristine = {path: path.read_bytes() for path in (answers_path(db), base)}
    rng = random.Random(7)
    for path, content in pristine.items():
        for _ in range(60):
            damaged = bytearray(content)
            at = rng.randrange(len(damaged))
            damaged[at] ^= 1 << rng.randrange(8)
            path.write_bytes(bytes(damaged))
            for other, kept in pristine.items():
                if other != path:
                    other.write_bytes(kept)
            for q, answer in zip(question, ask):
                assert answer() == truth[q], (path.name, at)
    base.write_bytes(marshal.dumps(marshal.load(base.open("rb"))) + b"\x00garbage")  # the header matches
    answers_path(db).unlink()
    assert ask[1]() == truth[question[1]]
    answers_path(db).unlink()
    projection_cache.cache_path(db).unlink()
    assert ask[0]() == truth[question[0]] and not projection_cache.cache_path(db).exists()  # the base written again
    store.close()


def test_what_is_kept_is_keyed_by_the_version_it_was_computed_from(tmp_path, monkeypatch):
    """A write between reading the store's key and loading the projection: the answer and
    the base computed from the newer projection are kept under its version, never under the
    version the key named (that content was never seen); with the older key's write token,
    no later question matches them, so the next one is computed again."""
    import graph.projection

    store = _store(tmp_path / "x.db")
    real = graph.projection.load_projection
    before = store.projection_key()

    def after_a_write(s, **kwargs):
        monkeypatch.setattr(graph.projection, "load_projection", real)
        s.write([], [Rel(RelType.COVERS, O1, E1)])  # another process writes meanwhile
        return real(s, **kwargs)

    monkeypatch.setattr(graph.projection, "load_projection", after_a_write)
    inputs, computed = kept_answers.coverage_inputs(None, None), Computed()
    answer = kept_answer(store, coverage_question(None, None), computed, inputs)
    assert answer["totals"]["org_covered"] == 1 and computed.count == 1
    now = store.projection_key()
    assert now[1] == before[1] + 1
    for path in (answers_path(tmp_path / "x.db"), tmp_path / "x.db.coverage-base"):
        assert marshal.load(path.open("rb"))[1:3] == (before[0], now[1])
    assert kept_answer(store, coverage_question(None, None), computed, inputs) == answer and computed.count == 2
    assert kept_answer(store, coverage_question("kind", None), computed, inputs)["totals"] == answer["totals"]
    assert computed.count == 2  # summed from the base kept under the current key
    store.close()


def test_any_report_after_an_import_is_summed_from_the_base_its_snapshot_numbered(tmp_path):
    """The snapshot every import takes numbers the base from its slim projection and keeps
    it: the first report of any grouping or chain after the import is summed from it, and
    is what the whole projection gives."""
    from graph.analysis.history import snapshot_now
    from graph.projection import load_projection

    store, db = _demo_store(tmp_path)
    snapshot_now(store)  # as `redchain load` and the import API do

    def computed(g):
        raise AssertionError("computed from the projection")

    questions = [(by, chain) for by in ("chain", "segment", "park", "street", "kind", None) for chain in (None, "C02")]
    with closing(open_store(str(db))) as again:
        answers = {q: kept_answer(again, coverage_question(*q), computed, kept_answers.coverage_inputs(*q)) for q in questions}
    assert not projection_cache.cache_path(db).exists()
    g = load_projection(store)
    for (by, chain), answer in answers.items():
        assert answer == coverage_report(g, by=by, chain=chain).to_dict(), (by, chain)
    store.close()


def test_one_kept_file_copied_over_the_other_is_not_read(tmp_path):
    store = _store(tmp_path / "x.db")
    inputs, computed = kept_answers.coverage_inputs(None, None), Computed()
    first = kept_answer(store, ("report",), computed, inputs)
    answers, base = answers_path(tmp_path / "x.db"), tmp_path / "x.db.coverage-base"
    kept = {path: path.read_bytes() for path in (answers, base)}
    answers.write_bytes(kept[base])
    assert kept_answer(store, ("report",), computed, inputs) == first  # summed from the base
    assert set(kept_answers._read(tmp_path / "x.db", kept_answers._header(*store.projection_key()))) == {("report",)}
    answers.unlink()
    base.write_bytes(kept[answers])
    assert kept_answer(store, ("again",), computed, inputs) == first and computed.count == 2  # the projection again
    store.close()
