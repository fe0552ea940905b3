"""`redchain changes --chain` and `history --chain` end to end, over two real imports of a
small district written by hand.

Chains C1 and C2: enterprises E1 and E3 in C1, E2 in C2; org PO1 covers E1 and leader L1
contacts PO1. The second import has a new org PO2 cover E1 and E3 instead: PO1 covers
nothing, so it is counted nowhere and is in no chain, and L1 still contacts it.
"""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from api.cli.main import app
from fixtures_import import write_csv
from loaders.uscc import make_uscc

NARROW = {"COLUMNS": "80", "REDCHAIN_STORE": None}
E1, E2, E3 = (make_uscc(f"91430100MA4L000{n}X") for n in (1, 2, 3))
FIRST = {
    "chains": [["id", "name"], ["C1", "工程机械"], ["C2", "电子信息"]],
    "segments": [["id", "chain", "name", "stage"], ["S1", "C1", "整机", "下游"], ["S2", "C2", "芯片", "上游"]],
    "enterprises": [["id", "name", "party_members"], [E1, "重工公司", 5], [E2, "芯片公司", 2], [E3, "配件公司", 1]],
    "enterprise_segments": [["enterprise", "segment"], [E1, "S1"], [E2, "S2"], [E3, "S1"]],
    "party_orgs": [["id", "name", "level", "formation"], ["PO1", "重工党支部", "党支部", "单独组建"]],
    "org_coverage": [["org", "enterprise"], ["PO1", E1]],
    "leaders": [["id", "name"], ["L1", "王书记"]],
    "contacts": [["leader", "target"], ["L1", "PO1"]],
}
SECOND = {
    "party_orgs": [["id", "name", "level", "formation"], ["PO2", "联合党支部", "党支部", "联合组建"]],
    "org_coverage": [["org", "enterprise"], ["PO2", E1], ["PO2", E3]],
}


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args], env=NARROW)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chain-changes")
    db = folder / "district.db"
    run("load", write_csv(folder / "first", FIRST)[0].parent, "--store", db)
    run("load", write_csv(folder / "second", SECOND)[0].parent, "--store", db)
    return db


def test_a_contact_whose_end_left_the_chain_is_not_removed(db):
    whole = json.loads(run("changes", "--json", "--store", db))
    assert (whole["contacts_removed"], whole["contacts_added"]) == ([], [])
    chain = json.loads(run("changes", "--chain", "C1", "--json", "--store", db))
    assert (chain["contacts_removed"], chain["contacts_added"]) == ([], [])
    assert [o["id"] for o in chain["orgs_dissolved"]] == [o["id"] for o in whole["orgs_dissolved"]] == ["PO1"]
    assert [e["id"] for e in chain["became_covered"]] == [E3]


def test_a_chains_changes_read_on_80_columns(db):
    shown = run("changes", "--chain", "C1", "--store", db)
    lines = [line.strip() for line in shown.splitlines()]
    assert "撤销（不再计数）的党组织（1）" in lines and "重工党支部（PO1）" in lines  # titles on one line each
    assert lines[0].startswith("变化：") and lines[0].endswith("（产业链 工程机械 C1）")
    assert "撤销联系点" not in shown and max(map(cell_len, shown.splitlines())) <= 80


def test_a_chains_history_is_derived_from_the_whole_base_snapshots(db):
    points = json.loads(run("history", "--chain", "C1", "--json", "--store", db))
    assert [(p["base"], p["org_covered"], p["uncovered"], p["org_coverage_rate"], p["org_coverage_rate_delta"])
            for p in points] == [(2, 1, 1, 0.5, None), (2, 2, 0, 1.0, 0.5)]
    assert [(p["base"], p["org_covered"]) for p in json.loads(run("history", "--json", "--store", db))] == [(3, 1), (3, 2)]
    shown = run("history", "--chain", "C2", "--store", db)
    assert "暂无覆盖率快照" not in shown and "覆盖率变化（产业链 电子信息 C2）" in shown
