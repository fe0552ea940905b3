"""On Neo4j, the coverage snapshot every import takes reads only what it needs: the
server sends the snapshot's few node properties and relationship types (``scan``), and the
snapshot equals the one taken from the whole graph, and the one SQLite gives.

Runs against the real Neo4j 5 the test fixtures start (tests/neo4j_server.py)."""

from __future__ import annotations

from graph.analysis.snapshot_projection import SNAPSHOT_PART, snapshot_projection
from graph.projection import project
from graph.records import Node, Rel
from graph.schema import Label, RelType
from graph.sqlite_store import SQLiteStore
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths
from tests.unit.test_snapshot_projection import snapshot

from neo4j_server import neo4j_store as store  # noqa: F401  (the fixture)


def test_a_scan_sends_only_the_properties_and_types_asked_for(store):
    store.write([Node(Label.PARTY_ORG, "O1", {"formation": "joint", "name": "联合支部"}),
                 Node(Label.ENTERPRISE, "E1", {"name": "甲", "status": "closed"}), Node(Label.ENTERPRISE, "E2", {"name": "乙"})],
                [Rel(RelType.COVERS, "O1", "E1"), Rel(RelType.SUPPLIES, "E1", "E2", {"product": "钢"})])
    with store.scan(rel_types=[RelType.COVERS], node_props={"status", "formation"}) as scan:
        assert list(scan.nodes) == [Node(Label.ENTERPRISE, "E1", {"status": "closed"}), Node(Label.ENTERPRISE, "E2", {}),
                                    Node(Label.PARTY_ORG, "O1", {"formation": "joint"})]
        assert list(scan.rels) == [Rel(RelType.COVERS, "O1", "E1")]
        assert scan.version == store.version()
    whole = store.read()
    with store.scan() as scan:  # nothing left out: what read() gives
        assert (scan.version, list(scan.nodes), list(scan.rels)) == (whole.version, whole.nodes, whole.rels)
    with store.scan(rel_types=[]) as scan:
        assert len(list(scan.nodes)) == 3 and list(scan.rels) == []


def test_district_demo_snapshot_on_neo4j_equals_the_whole_graph_and_sqlite(tmp_path, store):
    files = write_demo_csv(demo_tables("district", seed=2024), tmp_path / "demo")
    import_paths(store, files)
    sqlite = SQLiteStore(tmp_path / "s.db")
    try:
        import_paths(sqlite, files)
        expected = snapshot(snapshot_projection(sqlite))
    finally:
        sqlite.close()
    slim, whole = snapshot_projection(store), project(store.read())
    assert snapshot(slim) == snapshot(whole) == expected
    assert all(set(attrs) <= SNAPSHOT_PART.props_of(Label(attrs["label"])) | {"label"} for _, attrs in slim.nodes(data=True))
    assert {key for _, _, key in slim.edges(keys=True)} <= {t.value for t in SNAPSHOT_PART.rel_types}
    assert expected[1].pairings and expected[1].chains  # not an empty comparison
