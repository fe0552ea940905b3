"""Link columns name one id: a segment's chain, an organisation's parent, an alliance's
chain. Re-importing a row with another id moves the link (in the same transaction) instead
of adding a second one, and the write summary counts the replaced link as deleted."""

from __future__ import annotations

import pytest

from fixtures_import import E1, SAMPLE, snapshot, write_csv
from graph.errors import ImportFailed
from graph.records import Rel
from graph.schema import RelType
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths

ORGS = {"党组织": [
    ["编号", "名称", "层级", "组建方式", "上级党组织"],
    ["O1", "区委两新工委", "党委", "行业党委", None],
    ["O2", "高新园党委", "党委", "单独组建", "O1"],
    ["O3", "某企业党支部", "党支部", "单独组建", "O1"],
]}

# (table, header, the row as first imported, the same row pointing elsewhere, link type)
MOVES = {
    "segment chain": ("环节", ["编号", "产业链", "名称", "位置"], ["0101", "001", "关键零部件", "上游"],
                      ["0101", "002", "关键零部件", "上游"], "PART_OF"),
    "organisation parent": ("党组织", ORGS["党组织"][0], ["O3", "某企业党支部", "党支部", "单独组建", "O1"],
                            ["O3", "某企业党支部", "党支部", "单独组建", "O2"], "UNDER"),
    "alliance chain": ("联盟", ["编号", "名称", "产业链"], ["A01", "工程机械产业链党建联盟", "001"],
                       ["A01", "工程机械产业链党建联盟", "002"], "ALLIANCE_OF"),
}


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    import_paths(s, write_csv(tmp_path / "sample", SAMPLE))
    import_paths(s, write_csv(tmp_path / "orgs", ORGS))
    yield s
    s.close()


def _links(store, rtype: str, source: str) -> list[str]:
    return sorted(r.target for r in store.read().rels if r.type.value == rtype and r.source == source)


@pytest.mark.parametrize("move", MOVES, ids=list(MOVES))
def test_reimporting_a_row_with_another_id_moves_its_link(tmp_path, store, move):
    table, header, before, after, rtype = MOVES[move]
    old, new = before[header.index(_link_header(table))], after[header.index(_link_header(table))]
    assert _links(store, rtype, before[0]) == [old]

    summary = import_paths(store, write_csv(tmp_path / "moved", {table: [header, after]})).summary

    assert _links(store, rtype, before[0]) == [new]
    assert (summary.added.get(rtype), summary.deleted) == (1, {rtype: 1})


@pytest.mark.parametrize("move", MOVES, ids=list(MOVES))
def test_reimporting_the_same_link_replaces_nothing(tmp_path, store, move):
    table, header, before, _, rtype = MOVES[move]
    version = store.version()

    summary = import_paths(store, write_csv(tmp_path / "same", {table: [header, before]})).summary

    assert not summary.changed and summary.deleted == {}
    assert store.version() == version


def test_a_dry_run_counts_the_replaced_link_and_keeps_it(tmp_path, store):
    table, header, _, after, rtype = MOVES["segment chain"]
    before = snapshot(store)

    report = import_paths(store, write_csv(tmp_path / "moved", {table: [header, after]}), dry_run=True)

    assert report.summary.deleted == {"PART_OF": 1}
    assert snapshot(store) == before


def test_a_blank_link_cell_leaves_the_stored_link(tmp_path, store):
    renamed = ["O3", "某企业党支部（更名）", "党支部", "单独组建", None]

    import_paths(store, write_csv(tmp_path / "renamed", {"党组织": [ORGS["党组织"][0], renamed]}))

    assert _links(store, "UNDER", "O3") == ["O1"]


def test_a_move_in_a_failed_import_is_not_made(tmp_path, store):
    table, header, _, after, _ = MOVES["segment chain"]
    paths = write_csv(tmp_path / "moved", {table: [header, after], "上下游": [["供方", "需方"], [E1, "91440300000000000X"]]})
    before = snapshot(store)

    with pytest.raises(ImportFailed) as failed:
        import_paths(store, paths)

    assert [str(p) for p in failed.value.problems] == [
        f"{tmp_path / 'moved' / '上下游.csv'}:2:需方: 企业 91440300000000000X 不存在（既不在本次导入中，也不在库中）",
    ]
    assert snapshot(store) == before
    assert _links(store, "PART_OF", "0101") == ["001"]


def test_links_added_twice_by_an_older_version_are_both_replaced(tmp_path, store):
    # before links were replaced, a re-import left a segment in two chains
    store.write(rels=[Rel(RelType.PART_OF, "0101", "002")])
    assert _links(store, "PART_OF", "0101") == ["001", "002"]
    table, header, before, _, _ = MOVES["segment chain"]

    summary = import_paths(store, write_csv(tmp_path / "again", {table: [header, before]})).summary

    assert _links(store, "PART_OF", "0101") == ["001"]
    assert summary.deleted == {"PART_OF": 1}


def _link_header(table: str) -> str:
    return {"环节": "产业链", "党组织": "上级党组织", "联盟": "产业链"}[table]


def _covering(store, enterprise: str) -> list[str]:
    return sorted(r.source for r in store.read().rels if r.type is RelType.COVERS and r.target == enterprise)


def test_coverage_rows_are_the_whole_coverage_of_the_enterprises_they_name(tmp_path, store):
    """An enterprise that moved from O2 to O3 in this month's 党组织覆盖 sheet is covered by
    O3 only: the rows state its complete coverage. An enterprise the sheet does not name
    keeps what it had."""
    import_paths(store, write_csv(tmp_path / "m1", {"党组织覆盖": [["党组织", "企业"], ["O2", E1]]}))
    assert _covering(store, E1) == ["O2"]
    report = import_paths(store, write_csv(tmp_path / "m2", {"党组织覆盖": [["党组织", "企业"], ["O3", E1]]}))
    assert _covering(store, E1) == ["O3"]
    assert [(r.source, r.target) for r in report.removed] == [("O2", E1)]
    assert report.summary.deleted.get("COVERS") == 1
