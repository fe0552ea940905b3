"""A repeat of the last import (``loaders.unchanged``): the same files, options and store
version answer without reading the files, with exactly the report the full path gives;
anything else — a write in between, one byte, another option, a changed file name — reads
the files."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from fixtures.ledger import HEADER, MONTH_1, write_xlsx as write_ledger
from fixtures_import import SAMPLE, graph_of, write_csv, write_xlsx
from graph.sqlite_store import SQLiteStore
from loaders import importer, unchanged
from loaders.demo import demo_tables, write_demo_csv
from loaders.csv_cells import parse_csv
from loaders.importer import import_paths
from loaders.readers import MAX_COLUMNS


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


class Calls:
    """Counts the importer's calls of one of its functions: ``read_file`` (a repeat of the
    same bytes reads no file) or ``validate_table`` (a repeat of the same cells checks no
    table)."""

    def __init__(self, monkeypatch, name: str):
        self.count = 0
        called = getattr(importer, name)

        def counting(*args, **kwargs):
            self.count += 1
            return called(*args, **kwargs)

        monkeypatch.setattr(importer, name, counting)


def full_path_report(monkeypatch, store, paths, **options) -> dict:
    """The report of the same import when it reads its files (no repeat known)."""
    with monkeypatch.context() as m:
        m.setattr(unchanged, "last_import", lambda store, inputs, cells=None: None)
        return import_paths(store, paths, **options).to_dict()


def _ledger(tmp_path):
    path = tmp_path / "台账.xlsx"
    write_ledger(path, MONTH_1)
    return [path]


def _mapped_ledger(tmp_path):
    path = tmp_path / "台账（改列名）.xlsx"
    write_ledger(path, [["纳税人名称" if cell == "单位名称" else cell for cell in row] if row == HEADER else row
                        for row in MONTH_1])
    return [path]


CASES = {
    "district demo CSVs": (lambda tmp: write_demo_csv(demo_tables("district", 7), tmp / "csv"), {}),
    "sample as xlsx": (lambda tmp: [write_xlsx(tmp / "sample.xlsx", SAMPLE)], {}),
    "ledger (entities made from names)": (_ledger, {}),
    "ledger with a mapped header, as a table": (_mapped_ledger, {"mapping": {"纳税人名称": "名称"}, "as_table": "ledger"}),
    "complete register (--full)": (lambda tmp: write_csv(tmp / "in", SAMPLE), {"full": True}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_a_repeat_answers_what_reading_the_files_would_and_reads_none(tmp_path, store, monkeypatch, case, dry_run):
    make, options = CASES[case]
    paths = make(tmp_path)
    if import_paths(store, paths, **options).created:  # entities made from names: its repeat is remembered
        import_paths(store, paths, **options)
    expected = full_path_report(monkeypatch, store, paths, dry_run=dry_run, **options)
    reads = Calls(monkeypatch, "read_file")

    repeated = import_paths(store, paths, dry_run=dry_run, **options).to_dict()

    assert reads.count == 0
    assert repeated == expected
    assert not any(repeated["added"].values()) and not any(repeated["updated"].values())


def test_an_import_that_made_entities_from_names_is_repeated_from_the_next_one_on(tmp_path, store, monkeypatch):
    paths = _ledger(tmp_path)
    assert import_paths(store, paths).created
    reads = Calls(monkeypatch, "read_file")

    second = import_paths(store, paths)
    third = import_paths(store, paths)

    assert reads.count == 1
    assert not second.created and not second.summary.changed
    assert third.to_dict() == second.to_dict()


def test_a_repeat_is_audited_like_any_import(tmp_path, store):
    paths = write_csv(tmp_path / "in", SAMPLE)
    entries = []
    describe = lambda files, rows, summary: entries.append((rows, summary.version, summary.unchanged)) or ()  # noqa: E731
    import_paths(store, paths, describe=describe)

    import_paths(store, paths, describe=describe)

    assert len(entries) == 2
    assert entries[1][:2] == entries[0][:2] and sum(entries[1][2].values()) > 0


def test_a_write_in_between_reads_the_files_again_and_restores_what_they_say(tmp_path, store, monkeypatch):
    paths = write_csv(tmp_path / "in", SAMPLE)
    import_paths(store, paths)
    as_imported = graph_of(store)
    changed = {"企业": [row if i == 0 else [row[0], row[1] + "（改名）", *row[2:]] for i, row in enumerate(SAMPLE["企业"])]}
    import_paths(store, write_csv(tmp_path / "other", changed))
    assert graph_of(store) != as_imported
    reads = Calls(monkeypatch, "read_file")

    again = import_paths(store, paths)

    assert reads.count == len(paths)
    assert any(again.summary.updated.values())
    assert graph_of(store) == as_imported


def test_one_changed_byte_an_option_or_a_file_name_reads_the_files(tmp_path, store, monkeypatch):
    paths = write_csv(tmp_path / "in", SAMPLE)
    import_paths(store, paths)
    reads = Calls(monkeypatch, "read_file")

    import_paths(store, paths, full=True)  # another option
    assert reads.count == len(paths)
    import_paths(store, paths, full=True)  # the repeat of that one
    assert reads.count == len(paths)
    with paths[0].open("ab") as handle:
        handle.write(b"\n")  # a blank line more: the same records, other bytes, their cells parsed by Arrow
    assert import_paths(store, paths, full=True).repeated == "cells"
    assert reads.count == len(paths)
    rows = list(csv.reader(io.StringIO(paths[0].read_text(encoding="utf-8"))))
    rows[1][rows[0].index("名称")] += "分公司"  # one cell other
    with paths[0].open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert import_paths(store, paths, full=True).repeated is None
    assert reads.count == 2 * len(paths)
    renamed = tmp_path / "again"
    shutil.copytree(tmp_path / "in", renamed)
    (renamed / paths[0].name).rename(renamed / ("x" + paths[0].name))
    import_paths(store, [renamed], full=True)
    assert reads.count == 3 * len(paths)


def test_the_same_files_elsewhere_repeat_with_their_new_names_in_the_warnings(tmp_path, store, monkeypatch):
    tables = {**SAMPLE, "企业": [[*SAMPLE["企业"][0], "备注栏"], *([*row, "x"] for row in SAMPLE["企业"][1:])]}
    first = import_paths(store, write_csv(tmp_path / "a", tables))
    assert any("备注栏" in w.message or w.column == "备注栏" for w in first.warnings)
    moved = tmp_path / "b"
    shutil.copytree(tmp_path / "a", moved)
    paths = sorted(moved.iterdir())
    expected = full_path_report(monkeypatch, store, paths)
    reads = Calls(monkeypatch, "read_file")

    repeated = import_paths(store, paths).to_dict()

    assert reads.count == 0
    assert repeated == expected
    assert all(str(tmp_path / "a") not in str(w) for w in repeated["warnings"])


def test_the_command_line_says_a_repeat_was_not_read(tmp_path):
    from typer.testing import CliRunner

    from api.cli.main import app

    paths = [str(p) for p in write_csv(tmp_path / "in", SAMPLE)]
    run = lambda: CliRunner().invoke(app, ["load", *paths, "--store", str(tmp_path / "x.db")],  # noqa: E731
                                     env={"COLUMNS": "80", "REDCHAIN_STORE": None})
    first, second = run(), run()

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "未重新读取文件" not in first.stdout
    assert "与上次导入的文件相同，图谱其后未改动：未重新读取文件，全部未变。" in second.stdout


def saved_again(path, time: int = 1) -> None:
    """The file in other bytes with the same cells, as saving it again (the ``time``-th
    time) would leave it: a CSV gets a blank line more, a workbook is compressed anew, a
    JSON file gets spaces."""
    import zipfile

    data = path.read_bytes()
    if path.suffix == ".csv":
        path.write_bytes(data + b"\n")
    elif path.suffix == ".json":
        path.write_bytes(b"  " + data + b"\n")
    else:
        with zipfile.ZipFile(path) as old:
            parts = [(info, old.read(info)) for info in old.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if time % 2 else zipfile.ZIP_DEFLATED) as new:
            for info, part in parts:
                new.writestr(info.filename, part)
    assert path.read_bytes() != data


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
def test_files_saved_again_with_the_same_cells_are_read_but_not_checked_or_written(tmp_path, store, monkeypatch, case, dry_run):
    make, options = CASES[case]
    paths = make(tmp_path)
    if import_paths(store, paths, **options).created:
        import_paths(store, paths, **options)
    for path in paths:
        saved_again(path)
    expected = full_path_report(monkeypatch, store, paths, dry_run=dry_run, **options)  # remembers these bytes
    for path in paths:
        saved_again(path, 2)
    version = store.version()
    # A CSV file Arrow parses as one grid is known by its cells without being read into Python.
    read = sum(p.suffix != ".csv" or parse_csv(p, MAX_COLUMNS) is None for p in paths)
    reads, checks = Calls(monkeypatch, "read_file"), Calls(monkeypatch, "validate_table")
    parses = Calls(monkeypatch, "parse_csv")

    again = import_paths(store, paths, dry_run=dry_run, **options)

    assert (reads.count, checks.count) == (read, 0)
    assert parses.count == sum(p.suffix == ".csv" for p in paths)
    assert again.repeated == "cells" and again.to_dict() == expected
    assert store.version() == version
    import_paths(store, paths, dry_run=dry_run, **options)  # these bytes now: not even read, unless nothing was written
    assert reads.count == (2 * read if dry_run else read)


def test_a_cell_of_another_type_or_value_or_a_write_in_between_checks_the_files(tmp_path, store, monkeypatch):
    path = tmp_path / "in.json"
    rows = [{"统一社会信用代码": row[0], "名称": row[1]} for row in SAMPLE["企业"][1:]]
    path.write_text(json.dumps({"企业": rows}, ensure_ascii=False), encoding="utf-8")
    import_paths(store, [path])
    checks = Calls(monkeypatch, "validate_table")

    path.write_text(json.dumps({"企业": [{**rows[0], "党员人数": 3}, *rows[1:]]}, ensure_ascii=False), encoding="utf-8")
    import_paths(store, [path])
    assert checks.count == 1  # a new cell
    path.write_text(json.dumps({"企业": [{**rows[0], "党员人数": "3"}, *rows[1:]]}, ensure_ascii=False), encoding="utf-8")
    import_paths(store, [path])
    assert checks.count == 2  # the same number, as text
    saved_again(path)
    import_paths(store, write_csv(tmp_path / "other", {"企业": [SAMPLE["企业"][0], SAMPLE["企业"][1]]}))  # a write in between
    assert checks.count == 3
    import_paths(store, [path])
    assert checks.count == 4


def test_the_command_line_says_files_saved_again_were_read_but_not_checked(tmp_path):
    from typer.testing import CliRunner

    from api.cli.main import app

    paths = write_csv(tmp_path / "in", SAMPLE)
    run = lambda: CliRunner().invoke(app, ["load", *map(str, paths), "--store", str(tmp_path / "x.db")],  # noqa: E731
                                     env={"COLUMNS": "80", "REDCHAIN_STORE": None})
    assert run().exit_code == 0
    for path in paths:
        saved_again(path)
    again = run()

    assert again.exit_code == 0, again.output
    assert "文件重新保存过，内容与上次相同，图谱其后未改动：未重新校验写入，全部未变。" in again.stdout
