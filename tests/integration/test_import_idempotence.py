"""Upsert by id: importing the same files again changes nothing, later imports may point
at what earlier ones wrote, and a dry run counts without writing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fixtures_import import E1, E2, E3, E4, SAMPLE, expected_graph, graph_of, snapshot, write_csv, write_xlsx
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths

SAMPLE_ADDED = {"Alliance": 1, "Chain": 2, "Enterprise": 4, "Segment": 3,
                "ALLIANCE_OF": 1, "IN_SEGMENT": 3, "MEMBER_OF": 2, "PART_OF": 3, "SUPPLIES": 2}


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {kind: n for kind, n in counts.items() if n}


def test_importing_the_same_files_twice_changes_nothing_the_second_time(tmp_path, store):
    paths = write_csv(tmp_path / "in", SAMPLE)
    first = import_paths(store, paths).summary
    after_first = snapshot(store)

    second = import_paths(store, paths).summary

    assert _nonzero(first.added) == SAMPLE_ADDED and first.version == 1
    assert _nonzero(second.added) == {} and _nonzero(second.updated) == {}
    assert second.unchanged == SAMPLE_ADDED
    assert second.version == 1
    assert snapshot(store) == after_first


def test_the_same_data_in_another_format_is_also_a_no_op(tmp_path, store):
    import_paths(store, write_csv(tmp_path / "csv", SAMPLE, "gbk"))

    again = import_paths(store, [write_xlsx(tmp_path / "same.xlsx", SAMPLE)]).summary

    assert not again.changed
    assert store.version() == 1
    assert graph_of(store) == expected_graph()


def test_relationships_may_point_at_what_an_earlier_import_wrote(tmp_path, store):
    import_paths(store, write_csv(tmp_path / "first", {k: SAMPLE[k] for k in ("企业", "Chains", "环节")}))

    report = import_paths(store, [write_xlsx(tmp_path / "second.xlsx", {
        "党组织": [["编号", "名称", "层级", "组建方式", "党员数"], ["O1", "闽工党委", "党委", "单独组建", 35]],
        "党组织覆盖": [["党组织", "企业"], ["O1", E1]],
        "上下游": [["供方", "需方", "产品"], [E3, E1, "液压件"], [E2, E1, "控制器"]],
        "企业环节": [["企业", "环节"], [E1, "0102"], [E3, "0101"]],
        "产业链党委": [["党组织", "产业链"], ["O1", "001"]],
    })])

    assert _nonzero(report.summary.added) == {
        "PartyOrg": 1, "COVERS": 1, "SUPPLIES": 2, "IN_SEGMENT": 2, "LEADS": 1}
    assert store.version() == 2
    rels = {(r.type.value, r.source, r.target) for r in store.read().rels}
    assert {("COVERS", "O1", E1), ("SUPPLIES", E3, E1), ("IN_SEGMENT", E1, "0102"), ("LEADS", "O1", "001")} <= rels


def test_a_changed_cell_updates_just_that_record(tmp_path, store):
    import_paths(store, write_csv(tmp_path / "first", SAMPLE))
    changed = {**SAMPLE, "企业": [row[:] for row in SAMPLE["企业"]]}
    changed["企业"][4][5] = 3  # E4's party members 1 -> 3

    summary = import_paths(store, write_csv(tmp_path / "second", changed)).summary

    assert _nonzero(summary.updated) == {"Enterprise": 1}
    assert _nonzero(summary.added) == {}
    assert summary.version == store.version() == 2
    assert {n.id: n.props for n in store.read().nodes}[E4]["party_members"] == 3


def test_dry_run_counts_but_writes_nothing(tmp_path, store):
    paths = write_csv(tmp_path / "in", SAMPLE)
    empty = snapshot(store)

    dry = import_paths(store, paths, dry_run=True)

    assert dry.dry_run
    assert _nonzero(dry.summary.added) == SAMPLE_ADDED
    assert dry.rows == 17
    assert snapshot(store) == empty == (0, [], [])

    import_paths(store, paths)
    written = snapshot(store)
    again = import_paths(store, paths, dry_run=True)
    assert _nonzero(again.summary.added) == {} and again.summary.unchanged == SAMPLE_ADDED
    assert snapshot(store) == written


def test_store_file_reopened_after_import_holds_the_graph(tmp_path, store):
    import_paths(store, write_csv(tmp_path / "in", SAMPLE))
    store.close()

    reopened = SQLiteStore(tmp_path / "s.db")
    try:
        assert graph_of(reopened) == expected_graph()
        assert reopened.version() == 1
    finally:
        reopened.close()


def _cli(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDCHAIN_")}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, env=env, cwd=cwd, timeout=60)


def test_cli_dry_run_then_load_twice(tmp_path):
    write_csv(tmp_path / "in", SAMPLE)
    db = tmp_path / "cli.db"

    dry = _cli("load", "in", "--dry-run", "--json", "--store", str(db), cwd=tmp_path)
    first = _cli("load", "in", "--json", "--store", str(db), cwd=tmp_path)
    second = _cli("load", "in", "--json", "--store", str(db), cwd=tmp_path)

    dry, first, second = (json.loads(r.stdout) for r in (dry, first, second))
    assert (dry["ok"], dry["dry_run"], _nonzero(dry["added"]), dry["version"]) == (True, True, SAMPLE_ADDED, 0)
    assert (first["ok"], _nonzero(first["added"]), first["rows"], first["version"]) == (True, SAMPLE_ADDED, 17, 1)
    assert (_nonzero(second["added"]), _nonzero(second["updated"]), second["version"]) == ({}, {}, 1)
    assert second["unchanged"] == SAMPLE_ADDED
    store = SQLiteStore(db)
    try:
        assert graph_of(store) == expected_graph()
    finally:
        store.close()


def test_cli_load_prints_a_summary_table(tmp_path):
    write_xlsx(tmp_path / "导入.xlsx", SAMPLE)

    result = _cli("load", "导入.xlsx", "--store", str(tmp_path / "cli.db"), cwd=tmp_path)

    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "导入完成：1 个文件，17 行" in out
    assert "企业" in out and "上下游" in out




def test_a_re_import_reports_the_same_whatever_the_chunk_of_stored_labels(tmp_path, monkeypatch):
    # the importer reads the stored labels of the imported ids a chunk at a time (bounded
    # memory); one chunk per id must give what one chunk for all of them gives
    changed = {**SAMPLE, "环节": [row if row[0] != "0101" else ["0101", "002", "关键零部件", "上游", 1] for row in SAMPLE["环节"]],
               "企业": [row if row[0] != E2 else [*row[:5], 5, *row[6:]] for row in SAMPLE["企业"]]}
    reports = []
    for chunk in (1, 50_000):
        monkeypatch.setattr("loaders.importer._LABEL_CHUNK", chunk)
        s = SQLiteStore(tmp_path / f"{chunk}.db")
        import_paths(s, write_csv(tmp_path / "first", SAMPLE))
        report = import_paths(s, write_csv(tmp_path / "changed", changed))
        reports.append((report.to_dict(), graph_of(s)))
        s.close()
    assert reports[0] == reports[1]
    assert reports[0][0]["removed"] == {"PART_OF": 1} and reports[0][0]["updated"]["Enterprise"] == 1
