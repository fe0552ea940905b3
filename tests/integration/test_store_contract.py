"""The store port's contract, run against a real SQLite file.

Written against the GraphStore protocol only, so another adapter can join the
``store`` fixture's parameters and must pass the same tests.
"""

from __future__ import annotations

import pytest

from graph.columns import NodeColumns, PropColumns, RelColumns, Runs
from graph.errors import StoreError, VersionConflict
from graph.factory import open_store
from graph.projection import load_projection
from graph.records import Document, Node, Rel
from graph.schema import Label, RelType
from graph.store import GraphStore
from graph.unit_of_work import UnitOfWork

E1, E2 = "91350100M000100Y43", "914403001922038216"


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path}/contract.db")
    yield s
    s.close()


def _seed(store: GraphStore):
    return store.write(
        [Node(Label.ENTERPRISE, E1, {"name": "甲"}), Node(Label.ENTERPRISE, E2, {"name": "乙"}),
         Node(Label.PARTY_ORG, "O1", {"name": "党支部", "formation": "standalone"})],
        [Rel(RelType.COVERS, "O1", E1), Rel(RelType.SUPPLIES, E1, E2, {"product": "钢材"})],
    )


def test_store_satisfies_the_port(store):
    assert isinstance(store, GraphStore)


def test_write_counts_and_version(store):
    assert store.version() == 0
    summary = _seed(store)
    assert summary.added == {"Enterprise": 2, "PartyOrg": 1, "COVERS": 1, "SUPPLIES": 1}
    assert store.version() == summary.version == 1


def test_rewrite_of_same_records_is_a_no_op(store):
    _seed(store)
    again = _seed(store)
    assert not again.changed
    assert again.unchanged == {"Enterprise": 2, "PartyOrg": 1, "COVERS": 1, "SUPPLIES": 1}
    assert store.version() == 1


def test_upsert_merges_properties(store):
    _seed(store)
    summary = store.write([Node(Label.ENTERPRISE, E1, {"park": "麓谷"})])
    assert summary.updated == {"Enterprise": 1}
    node = store.read(ids=[E1]).nodes[0]
    assert node.props == {"name": "甲", "park": "麓谷"}
    assert store.version() == 2


def test_one_write_counts_added_updated_and_unchanged_apart(store):
    _seed(store)
    E3 = "91110000100000002H"
    summary = store.write(
        [Node(Label.ENTERPRISE, E1, {"name": "甲"}), Node(Label.ENTERPRISE, E2, {"name": "乙二"}),
         Node(Label.ENTERPRISE, E3, {"name": "丙"})],
        [Rel(RelType.SUPPLIES, E1, E2, {"product": "钢材"}), Rel(RelType.SUPPLIES, E2, E3, {"product": "钢材"}),
         Rel(RelType.SUPPLIES, E3, E1, {"product": "轴承"})],
    )
    def nonzero(counts):
        return {kind: n for kind, n in counts.items() if n}

    assert nonzero(summary.added) == {"Enterprise": 1, "SUPPLIES": 2}
    assert nonzero(summary.updated) == {"Enterprise": 1}
    assert nonzero(summary.unchanged) == {"Enterprise": 1, "SUPPLIES": 1}


def test_equal_values_of_other_types_are_stored_apart(store):
    # True == 1 in Python; a store that encoded equal property values once would mix them up.
    store.write([Node(Label.CHAIN, "C1", {"order": 1}), Node(Label.CHAIN, "C2", {"order": True}),
                 Node(Label.CHAIN, "C3", {"order": 1.0})])
    assert {n.id: n.props["order"] for n in store.read().nodes} == {"C1": 1, "C2": True, "C3": 1.0}
    assert [type(n.props["order"]) for n in sorted(store.read().nodes, key=lambda n: n.id)] == [int, bool, float]


def test_failed_write_changes_nothing(store):
    _seed(store)
    with pytest.raises(StoreError, match="already a Enterprise"):
        store.write([Node(Label.CHAIN, "C1", {"name": "链"}), Node(Label.PARTY_ORG, E1, {"name": "x"})])
    data = store.read()
    assert {n.id for n in data.nodes} == {E1, E2, "O1"} and data.version == 1


def test_dry_run_counts_and_rolls_back(store):
    summary = store.write([Node(Label.CHAIN, "C1", {"name": "链"})], dry_run=True)
    assert summary.added == {"Chain": 1}
    assert store.read().nodes == [] and store.version() == 0


def test_delete_node_takes_its_relationships(store):
    _seed(store)
    summary = store.write(delete_nodes=[E1])
    assert summary.deleted == {"COVERS": 1, "SUPPLIES": 1, "Enterprise": 1}
    data = store.read()
    assert {n.id for n in data.nodes} == {E2, "O1"} and data.rels == []


def test_delete_finds_relationships_from_either_end(store):
    _seed(store)
    store.write([Node(Label.UNIT, "U1", {"name": "单位"})], [Rel(RelType.PAIRED_WITH, "U1", "O1")])
    summary = store.write(delete_nodes=["O1"])
    assert summary.deleted == {"COVERS": 1, "PAIRED_WITH": 1, "PartyOrg": 1}
    assert [(r.type, r.source, r.target) for r in store.read().rels] == [(RelType.SUPPLIES, E1, E2)]


def test_filtered_read_keeps_relationships_among_kept_nodes(store):
    _seed(store)
    part = store.read(labels=[Label.ENTERPRISE])
    assert {n.id for n in part.nodes} == {E1, E2}
    assert [(r.type, r.source, r.target) for r in part.rels] == [(RelType.SUPPLIES, E1, E2)]


def test_a_read_by_ids_and_labels_is_the_part_they_name(store):
    _seed(store)
    part = store.read(ids=[E1, "O1", "nope"], labels=[Label.PARTY_ORG])
    assert [n.id for n in part.nodes] == ["O1"] and part.rels == [] and part.version == 1
    both = store.read(ids=[E1, "O1"])
    assert [n.id for n in both.nodes] == [E1, "O1"] and [r.key for r in both.rels] == [("COVERS", "O1", E1)]


def test_links_are_every_relationship_of_the_types_asked(store):
    _seed(store)
    store.write([Node(Label.PARTY_ORG, "O2", {"name": "联合党支部", "formation": "joint"})], [Rel(RelType.COVERS, "O2", E2)])
    assert [r.key for r in store.links([RelType.COVERS])] == [("COVERS", "O1", E1), ("COVERS", "O2", E2)]
    assert [(r.key, r.props) for r in store.links([RelType.SUPPLIES, RelType.LEADS])] == [
        (("SUPPLIES", E1, E2), {"product": "钢材"})]
    assert store.links([]) == []


def test_labels_of(store):
    assert store.labels_of([E1, "O1"]) == {}
    _seed(store)
    assert store.labels_of([E1, "O1", "nope"]) == {E1: Label.ENTERPRISE, "O1": Label.PARTY_ORG}


def test_documents_round_trip(store):
    store.save_document("snapshots", "2026-01-01", {"rate": 0.5, "名称": "甲"})
    store.save_document("snapshots", "2025-12-01", {"rate": 0.4})
    assert store.documents("snapshots") == [("2025-12-01", {"rate": 0.4}), ("2026-01-01", {"rate": 0.5, "名称": "甲"})]


def test_one_document_is_read_and_deleted_by_key(store):
    store.save_document("plans", "p1", {"kind": "contacts"})
    store.save_document("plans", "p2", {"kind": "pairings"})
    store.save_document("tokens", "p1", {"role": "viewer"})
    assert store.document("plans", "p1") == {"kind": "contacts"}
    assert store.document("plans", "missing") is None
    store.delete_document("plans", "p1")
    store.delete_document("plans", "p1")  # already gone: nothing happens
    assert store.document("plans", "p1") is None
    assert store.documents("plans") == [("p2", {"kind": "pairings"})]
    assert store.document("tokens", "p1") == {"role": "viewer"}  # keys are per collection


def test_projection_is_cached_by_version(store):
    _seed(store)
    first = load_projection(store)
    assert load_projection(store) is first
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    second = load_projection(store)
    assert second is not first and "C1" in second
    assert second.nodes[E1]["in_base"] is True  # schema defaults are filled in


def test_committed_data_survives_reopening(tmp_path):
    path = tmp_path / "reopen.db"
    s = open_store(str(path))
    _seed(s)
    s.close()
    again = open_store(f"sqlite:///{path}")
    assert len(again.read().nodes) == 3 and again.version() == 1
    again.close()


def test_unknown_store_uri_is_a_clear_error():
    from graph.errors import StoreURIError

    with pytest.raises(StoreURIError, match="unknown store URI 'mysql://x'"):
        open_store("mysql://x")


def test_store_made_with_the_old_source_index_opens_and_drops_it(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:
        db.execute("CREATE INDEX rels_source ON rels(source)")
    store = open_store(f"sqlite:///{path}")
    _seed(store)
    store.close()
    with sqlite3.connect(path) as db:
        indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "rels_source" not in indexes and "rels_target" in indexes


# -- one unit of work: graph records, documents and the version check commit together ----------

def test_documents_commit_with_the_write_and_see_its_summary(store):
    seen = []

    def describe(summary):
        seen.append(summary.version)
        return [Document("audit", "k1", {"version": summary.version, "added": summary.added})]

    summary = store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})], documents=describe)
    assert seen == [summary.version] == [1]
    assert store.documents("audit") == [("k1", {"version": 1, "added": {"Enterprise": 1}})]


def test_a_stale_expected_version_writes_nothing(store):
    _seed(store)
    with pytest.raises(VersionConflict) as refused:
        store.write([Node(Label.ENTERPRISE, E1, {"park": "麓谷"})], documents=[Document("audit", "k", {})],
                    expected_version=0)
    assert (refused.value.expected, refused.value.current) == (0, 1)
    assert "版本 0 → 1" in str(refused.value)
    assert store.version() == 1 and store.documents("audit") == []
    assert store.read(ids=[E1]).nodes[0].props == {"name": "甲"}
    assert store.write([Node(Label.ENTERPRISE, E1, {"park": "麓谷"})], expected_version=1).version == 2


def test_a_failing_description_rolls_back_the_write(store):
    def describe(summary):
        raise RuntimeError("the audit entry could not be made")

    with pytest.raises(RuntimeError):
        store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})], documents=describe)
    assert store.version() == 0 and store.read().nodes == [] and store.documents("audit") == []


def test_a_dry_run_saves_no_documents(store):
    store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"})], documents=[Document("audit", "k", {})], dry_run=True)
    assert store.documents("audit") == [] and store.version() == 0


def test_unit_of_work_commits_once_on_leaving_the_block(store):
    with UnitOfWork(store) as uow:
        uow.add([Node(Label.ENTERPRISE, E1, {"name": "甲"})])
        uow.save_document("plans", "p1", {"applied": True})
        uow.describe(lambda summary: [Document("audit", "a1", {"version": summary.version})])
        assert store.version() == 0  # nothing before the block ends
    assert uow.summary.version == store.version() == 1
    assert store.documents("plans") == [("p1", {"applied": True})] and store.documents("audit") == [("a1", {"version": 1})]


def test_unit_of_work_left_by_an_exception_writes_nothing(store):
    with pytest.raises(ValueError):
        with UnitOfWork(store) as uow:
            uow.add([Node(Label.ENTERPRISE, E1, {"name": "甲"})])
            raise ValueError("changed my mind")
    assert store.version() == 0 and store.read().nodes == []


def test_runs_of_columns_write_what_their_records_write(store):
    """An import hands its tables to the store as columns (``graph.columns``): the store
    writes exactly the records they stand for, a blank cell leaving its property out."""
    props = PropColumns(["name", "employees", "leading"], [["甲", "乙", "丙"], [12, None, 0], [True, False, None]])
    nodes = NodeColumns(Label.ENTERPRISE, [E2, "X", E1], props, [2, 0])  # rows 2 and 0, in this order
    rels = RelColumns(RelType.SUPPLIES, [E1, E2], [E2, E1], PropColumns(["product"], [["钢材", None]]), range(2))
    org = Node(Label.PARTY_ORG, "O1", {"name": "党支部"})
    expected_nodes = [Node(Label.ENTERPRISE, E1, {"name": "丙", "employees": 0}),
                      Node(Label.ENTERPRISE, E2, {"name": "甲", "employees": 12, "leading": True}), org]
    expected_rels = [Rel(RelType.SUPPLIES, E1, E2, {"product": "钢材"}), Rel(RelType.SUPPLIES, E2, E1)]
    assert [*nodes, org] == expected_nodes and list(rels) == expected_rels

    summary = store.write(Runs([nodes, [org]]), Runs([rels]))
    assert summary.added == {"Enterprise": 2, "PartyOrg": 1, "SUPPLIES": 2}
    data = store.read()
    assert sorted(data.nodes, key=lambda n: n.id) == sorted(expected_nodes, key=lambda n: n.id)
    assert sorted(data.rels, key=lambda r: r.key) == expected_rels
    assert not store.write(expected_nodes, expected_rels).changed  # the same records, given one by one


def test_a_blank_cell_in_a_column_a_reimport_has_removes_the_stored_value(store, tmp_path):
    """Through the importer, a standard table and a ledger alike: a new node is stored
    without its blank cells, a stored one loses the value its blank cell clears, and
    the rows that lost one are counted as updated."""
    from openpyxl import Workbook

    from loaders.importer import import_paths
    from loaders.uscc import make_uscc

    e3 = make_uscc("91430100MA4LR0099")
    table = tmp_path / "enterprises.csv"
    table.write_text(f"id,name,park,employees\n{E1},甲,麓谷园,12\n{E2},乙,麓谷园,3\n", encoding="utf-8")
    import_paths(store, [table])
    table.write_text(f"id,name,park,employees\n{E1},甲,,12\n{E2},乙,麓谷园,3\n{e3},丙,,\n", encoding="utf-8")
    report = import_paths(store, [table])
    assert {k: n for k, n in report.summary.updated.items() if n} == {"Enterprise": 1}
    assert {n.id: n.props for n in store.read(labels=[Label.ENTERPRISE]).nodes} == {
        E1: {"name": "甲", "employees": 12}, E2: {"name": "乙", "park": "麓谷园", "employees": 3}, e3: {"name": "丙"}}

    def ledger(star):
        book = Workbook()
        book.active.append(["单位名称", "统一社会信用代码", "党员人数", "党组织名称", "星级"])
        book.active.append(["甲", E1, 4 if star else None, "甲党支部", star])
        book.save(tmp_path / "台账.xlsx")
        return tmp_path / "台账.xlsx"

    import_paths(store, [ledger("四星")])
    report = import_paths(store, [ledger(None)])
    assert {k: n for k, n in report.summary.updated.items() if n} == {"Enterprise": 1, "PartyOrg": 1}
    nodes = {n.props["name"]: n.props for n in store.read(labels=[Label.ENTERPRISE, Label.PARTY_ORG]).nodes}
    assert "party_members" not in nodes["甲"] and "star" not in nodes["甲党支部"]
