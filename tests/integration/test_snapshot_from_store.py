"""Snapshots taken from the slim projection, streamed from a real SQLite file, equal those
taken from the whole projection on the district and city demos; the scan they stream
through is the store's graph, of one version, and does not hold up the store's writes."""

from __future__ import annotations

import pytest

from graph.analysis.snapshot_projection import snapshot_projection
from graph.projection import project
from graph.records import Node, Rel
from graph.schema import Label, RelType
from graph.sqlite_store import SQLiteStore
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths
from tests.unit.test_snapshot_projection import snapshot


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def _demo_snapshots(store: SQLiteStore, folder, scale: str) -> tuple[tuple, tuple]:
    import_paths(store, write_demo_csv(demo_tables(scale, seed=2024), folder))
    whole = project(store.read())
    slim = snapshot_projection(store)
    return snapshot(slim), snapshot(whole)


def test_district_demo_snapshot_from_the_slim_projection(tmp_path, store):
    slim, whole = _demo_snapshots(store, tmp_path / "demo", "district")
    assert slim == whole
    assert whole[0].totals.work_covered > 0 and whole[1].pairings and whole[1].chains  # not an empty comparison


@pytest.mark.slow
def test_city_demo_snapshot_from_the_slim_projection(tmp_path, store):
    slim, whole = _demo_snapshots(store, tmp_path / "demo", "city")
    assert slim == whole
    assert whole[0].totals.base > 90_000


def _sample(store: SQLiteStore) -> None:
    store.write([Node(Label.PARTY_ORG, "O1", {"formation": "joint"}), Node(Label.ENTERPRISE, "E1", {"name": "甲"}),
                 Node(Label.ENTERPRISE, "E2", {"name": "乙"})],
                [Rel(RelType.COVERS, "O1", "E1"), Rel(RelType.SUPPLIES, "E1", "E2", {"product": "钢"})])


def test_a_scan_streams_what_read_returns(store):
    _sample(store)
    whole = store.read()
    with store.scan() as scan:
        assert (scan.version, list(scan.nodes), list(scan.rels)) == (whole.version, whole.nodes, whole.rels)
    with store.scan(rel_types=[RelType.COVERS]) as scan:
        assert [n.id for n in scan.nodes] == ["E1", "E2", "O1"]
        assert list(scan.rels) == [Rel(RelType.COVERS, "O1", "E1")]
    with store.scan(rel_types=[]) as scan:
        assert len(list(scan.nodes)) == 3 and list(scan.rels) == []


def test_a_scan_gives_each_node_only_the_properties_asked_for(store):
    store.write([Node(Label.PARTY_ORG, "O1", {"formation": "joint", "name": "联合支部", "star": 3}),
                 Node(Label.ENTERPRISE, "E1", {"name": "甲", "status": "closed", "in_base": False, "note": None}),
                 Node(Label.ENTERPRISE, "E2", {"name": "乙", "status": "closed", "in_base": False}),
                 Node(Label.ENTERPRISE, "E3", {"name": "丙", "party_members": 0, "status": "active"})])
    with store.scan(node_props={"status", "in_base", "formation", "note", "party_members"}) as scan:
        nodes = list(scan.nodes)
    assert nodes == [Node(Label.ENTERPRISE, "E1", {"status": "closed", "in_base": False}),  # a null is no property (as on Neo4j)
                     Node(Label.ENTERPRISE, "E2", {"status": "closed", "in_base": False}),
                     Node(Label.ENTERPRISE, "E3", {"party_members": 0, "status": "active"}),
                     Node(Label.PARTY_ORG, "O1", {"formation": "joint"})]
    assert [type(n.props.get("in_base")) for n in nodes] == [bool, bool, type(None), type(None)]
    assert nodes[0].props is not nodes[1].props  # equal, yet each node's own
    for asked, expected in (({"star"}, [{}, {}, {}, {"star": 3}]), (set(), [{}, {}, {}, {}]),
                            ({'na"me', "star"}, [n.props for n in store.read().nodes])):  # no plain JSON path: whole
        with store.scan(node_props=asked) as scan:
            assert [n.props for n in scan.nodes] == expected, asked


def test_a_scan_sees_one_version_and_the_store_writes_meanwhile(store):
    _sample(store)
    with store.scan() as scan:
        assert next(scan.nodes).id == "E1"
        summary = store.write([Node(Label.ENTERPRISE, "E3", {"name": "丙"})])  # not kept waiting by the scan
        rest = [n.id for n in scan.nodes]
        assert (scan.version, rest) == (summary.version - 1, ["E2", "O1"])
    with store.scan() as scan:
        assert scan.version == summary.version and [n.id for n in scan.nodes] == ["E1", "E2", "E3", "O1"]


def test_a_scan_left_early_lets_go_of_its_connection(store):
    _sample(store)
    with pytest.raises(RuntimeError):
        with store.scan() as scan:
            next(scan.nodes)
            raise RuntimeError("the reader failed")
    store.write([Node(Label.ENTERPRISE, "E3", {"name": "丙"})])
    assert store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # no reader left holding the WAL
