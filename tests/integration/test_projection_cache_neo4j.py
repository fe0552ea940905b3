"""The projection of a Neo4j store kept in the user's cache folder: a new process (a new
store object) reads the file instead of the whole graph over Bolt; a write, another store
or a damaged file makes it read the graph again; the folder and files are private."""

from __future__ import annotations

import stat

import pytest

from graph import cypher, projection_cache
from graph.factory import open_store
from graph.projection import load_projection
from graph.records import Node
from graph.schema import Label

from neo4j_server import NEO4J_URI, clear_server
from neo4j_server import neo4j_store as store  # noqa: F401  (the fixture)
from test_projection_cache import E1, E2, _same


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("REDCHAIN_CACHE_DIR", str(folder))
    return folder


class Reads:
    """Counts whole-graph reads of a store (the cache's reason to exist is to make none)."""

    def __init__(self, store, monkeypatch):
        self.count = 0
        read = store.read

        def counting(*args, **kwargs):
            self.count += not args and not kwargs
            return read(*args, **kwargs)

        monkeypatch.setattr(store, "read", counting)


def _fresh():
    return open_store(NEO4J_URI)  # what the next command opens


def test_the_next_command_reads_the_kept_projection_not_the_graph(store, cache, monkeypatch):
    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})])
    g = load_projection(store)
    store_id, version = store.projection_key()
    kept = cache / f"neo4j-{store_id.partition('.')[0]}.projection"
    assert kept.exists() and version == g.graph["version"] == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 and stat.S_IMODE(kept.stat().st_mode) == 0o600
    later = _fresh()
    reads = Reads(later, monkeypatch)
    try:
        again = load_projection(later)
    finally:
        later.close()

    assert reads.count == 0
    assert _same(again, g)


def test_a_write_another_store_or_a_damaged_file_read_the_graph_again(store, cache, monkeypatch):
    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})])
    load_projection(store)
    first_id = store.projection_key()[0]
    store.write([Node(Label.ENTERPRISE, E2, {"name": "乙"})])  # a write: version 2
    later = _fresh()
    reads = Reads(later, monkeypatch)
    assert E2 in load_projection(later) and reads.count == 1
    later.close()

    (cache / f"neo4j-{first_id.partition('.')[0]}.projection").write_bytes(b"not marshal")  # damaged
    later = _fresh()
    reads = Reads(later, monkeypatch)
    assert E2 in load_projection(later) and reads.count == 1
    later.close()

    clear_server(store)  # the database emptied and written again: another store, another id
    store.write([Node(Label.ENTERPRISE, E1, {"name": "丙"})])
    assert store.projection_key()[0] != first_id
    later = _fresh()
    try:
        g = load_projection(later)
    finally:
        later.close()
    assert g.nodes[E1]["name"] == "丙" and E2 not in g


def test_an_empty_store_keeps_nothing(store, cache):
    assert store.projection_key() is None
    assert len(load_projection(store)) == 0
    assert not any(cache.glob("*.projection")) if cache.exists() else True


def test_without_a_cache_folder_the_graph_is_read(store, tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("REDCHAIN_CACHE_DIR", str(blocker / "cache"))  # cannot be made
    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})])
    assert projection_cache.anchor(store, store.projection_key()[0]) is None
    assert E1 in load_projection(store)


def test_a_kept_answer_is_read_from_the_cache_folder_without_the_graph(store, cache, monkeypatch):
    from graph.analysis.coverage import coverage_report
    from graph.kept_answers import kept_answer

    def question(g):
        return coverage_report(g).to_dict()

    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})])
    first = kept_answer(store, ("report",), question)
    kept = cache / f"neo4j-{store.projection_key()[0].partition('.')[0]}.answers"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    later = _fresh()
    reads = Reads(later, monkeypatch)
    try:
        assert kept_answer(later, ("report",), question) == first and reads.count == 0
        later.write([Node(Label.ENTERPRISE, E2, {"name": "乙"})])
        assert kept_answer(later, ("report",), question)["totals"]["base"] == first["totals"]["base"] + 1
    finally:
        later.close()


def test_a_kept_coverage_base_is_read_from_the_cache_folder_without_the_graph(store, cache, monkeypatch):
    from graph.analysis.coverage import coverage_report
    from graph.kept_answers import coverage_inputs, coverage_question, kept_answer

    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲", "park": "一园"})])
    kept_answer(store, coverage_question(None, None), lambda g: coverage_report(g).to_dict(), coverage_inputs(None, None))
    base = cache / f"neo4j-{store.projection_key()[0].partition('.')[0]}.coverage-base"
    assert stat.S_IMODE(base.stat().st_mode) == 0o600
    later = _fresh()
    reads = Reads(later, monkeypatch)
    try:
        def computed(g):
            raise AssertionError("computed from the graph")

        by_park = kept_answer(later, coverage_question("park", None), computed, coverage_inputs("park", None))
        assert reads.count == 0 and [g["key"] for g in by_park["groups"]] == ["一园"]
    finally:
        later.close()


def test_a_restored_backup_written_to_the_same_version_is_not_answered_from_the_kept_files(store, cache):
    """A database put back from a backup, then written as often as the one it replaced, has
    the same id and version with other content: the token of each write keeps it apart. And
    each write replaces the kept files rather than adding to them."""
    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})])
    [backup] = store.run_read(cypher.READ_STORE_ID)  # the version node, as a backup holds it
    store.write([Node(Label.ENTERPRISE, E2, {"name": "乙"})])
    version = store.projection_key()[1]
    assert E2 in load_projection(store)
    with store._session("restoring a backup") as session:  # what putting the backup back leaves
        session.execute_write(lambda tx: tx.run(
            f"MATCH (n) WHERE NOT n:{cypher.META_LABEL} DETACH DELETE n "
            f"WITH count(*) AS gone MATCH (m:{cypher.META_LABEL} {{key: 'version'}}) "
            "SET m.value = $version, m.written = $written", version=backup["version"], written=backup["written"]).consume())
    restored = _fresh()
    try:
        restored.write([Node(Label.ENTERPRISE, E1, {"name": "丙"})])  # the same version again, other content
        assert restored.projection_key()[1] == version
        g = load_projection(restored)
        assert g._node[E1]["name"] == "丙" and E2 not in g
    finally:
        restored.close()
    assert len(list(cache.glob("*.projection"))) == 1
