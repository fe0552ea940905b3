"""The district demo, written as CSV, goes through the real importer into a real SQLite
file without a single problem, and the analyses find a zone shaped like the seeds."""

from __future__ import annotations

import pytest

from graph.analysis.coverage import coverage_report
from graph.errors import ImportFailed
from graph.projection import project
from graph.sqlite_store import SQLiteStore
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "d.db")
    yield s
    s.close()


def test_district_demo_imports_cleanly(tmp_path, store):
    tables = demo_tables("district", seed=2024)
    paths = write_demo_csv(tables, tmp_path / "demo")

    try:
        report = import_paths(store, paths)
    except ImportFailed as failed:  # show what the importer said, not just the exception type
        pytest.fail("\n".join(str(p) for p in failed.problems[:20]))

    assert report.warnings == []
    n = {table: len(rows) for table, rows in tables.items()}
    assert report.summary.added == {
        "Enterprise": n["enterprises"], "Chain": n["chains"], "Segment": n["segments"],
        "PartyOrg": n["party_orgs"], "Unit": n["units"], "Leader": n["leaders"],
        "Instructor": n["instructors"], "Alliance": n["alliances"],
        "PART_OF": n["segments"], "IN_SEGMENT": n["enterprise_segments"], "SUPPLIES": n["supply_links"],
        "COVERS": n["org_coverage"], "UNDER": sum(bool(o["parent"]) for o in tables["party_orgs"]),
        "LEADS": n["chain_committees"], "PAIRED_WITH": n["pairings"], "RESPONSIBLE_FOR": n["leader_chains"],
        "CONTACTS": n["contacts"], "ASSIGNED_TO": n["instructor_assignments"],
        "ALLIANCE_OF": n["alliances"], "MEMBER_OF": n["alliance_members"],
    }
    assert n["enterprises"] == 1_000 and 2_500 <= n["supply_links"] <= 3_600

    totals = coverage_report(project(store.read())).totals
    assert 940 <= totals.base <= 990
    assert 0.78 <= totals.org_coverage_rate <= 0.92
    assert totals.org_coverage_rate < totals.two_coverage_rate < 1  # work coverage helps, gaps remain
    assert totals.uncovered > 0 and totals.work_covered > 0
    assert totals.industry_committees == 5
    assert totals.standalone_orgs > 100 and totals.joint_orgs > 50

    again = import_paths(store, paths)  # upsert by id: the same files change nothing
    assert not again.summary.changed
