"""`redchain changes` end to end: two real imports into a SQLite file, each leaving a
snapshot, then the command lists exactly what the second import changed."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from api.cli.main import app
from graph.analysis.history import COLLECTION, STATE_COLLECTION
from graph.analysis.coverage import enterprise_reach
from graph.analysis.membership import base_enterprises
from graph.analysis.uncovered import uncovered_enterprises
from graph.projection import load_projection
from graph.sqlite_store import SQLiteStore
from loaders.demo import demo_tables, write_demo_csv
from loaders.uscc import make_uscc

NARROW = {"COLUMNS": "80", "REDCHAIN_STORE": None}
NEW_ENTERPRISE = make_uscc("91430100MA4L9999X")


def run(*args, ok: bool = True):
    result = CliRunner().invoke(app, [str(a) for a in args], env=NARROW)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def write(folder: Path, table: str, rows: list[dict]) -> None:
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """The small demo district imported once; then a second import that closes one covered
    enterprise, registers a new one, forms an org for one uncovered enterprise and gives
    its leader a contact there. Returns the store and what changed."""
    folder = tmp_path_factory.mktemp("changes")
    write_demo_csv(demo_tables("small", 2024), folder / "january")
    db = folder / "district.db"
    run("load", folder / "january", "--store", db)
    store = SQLiteStore(db)
    try:
        g = load_projection(store)
        uncovered = uncovered_enterprises(g)[0].id
        covered = enterprise_reach(g, base_enterprises(g)).orgs
        # an enterprise whose org covers others too, so that closing it dissolves nothing
        closed = next(e for e, orgs in covered.items() if sum(orgs[0] in o for o in covered.values()) > 1)
        names = {e: g.nodes[e]["name"] for e in (uncovered, closed)}
    finally:
        store.close()
    february = folder / "february"
    february.mkdir()
    write(february, "enterprises", [
        {"id": closed, "name": names[closed], "status": "注销"},
        {"id": NEW_ENTERPRISE, "name": "新注册科技有限公司", "status": "在营"},
    ])  # fmt: skip
    write(february, "party_orgs", [{"id": "PO9999", "name": "新建党支部", "level": "党支部", "formation": "单独组建"}])
    write(february, "org_coverage", [{"org": "PO9999", "enterprise": uncovered}])
    write(february, "leaders", [{"id": "L99", "name": "王书记"}])
    write(february, "contacts", [{"leader": "L99", "target": "PO9999"}])
    run("load", february, "--store", db)
    return {"db": db, "uncovered": uncovered, "closed": closed, "names": names}


def test_every_import_leaves_a_snapshot_with_its_state(district):
    store = SQLiteStore(district["db"])
    try:
        snapshots = store.documents(COLLECTION)
        states = store.documents(STATE_COLLECTION)
    finally:
        store.close()
    assert len(snapshots) == 2 and len(states) == 2
    assert [body["state"]["key"] for _, body in snapshots] == [key for key, _ in states]


def test_changes_lists_what_the_last_import_changed(district):
    data = json.loads(run("changes", "--json", "--store", district["db"]).stdout)
    assert data["to"]["at"] > data["from"]["at"] and data["chain"] is None
    uncovered, closed = district["uncovered"], district["closed"]
    assert [(e["id"], e["state_after"]) for e in data["entered_base"]] == [(NEW_ENTERPRISE, "none")]
    assert [(e["id"], e["name"], e["state_after"]) for e in data["left_base"]] == [(closed, district["names"][closed], None)]
    assert [(e["id"], e["state_after"], e["remedy_after"]) for e in data["became_covered"]] == [(uncovered, "standalone", None)]
    assert data["orgs_formed"] == [{"id": "PO9999", "name": "新建党支部"}]
    assert data["contacts_added"] == [{"source": "L99", "source_name": "王书记", "target": "PO9999", "target_name": "新建党支部"}]
    for name in ("became_uncovered", "remedy_changed", "orgs_dissolved", "contacts_removed", "instructors_added",
                 "instructors_removed", "pairings_added", "pairings_removed"):
        assert data[name] == [], name
    before, after = data["before"], data["after"]
    assert (after["base"], after["org_covered"]) == (before["base"], before["org_covered"])  # one out, one in each way
    # the new one is uncovered; the one covered now was without an org (reached by work or not)
    assert data["became_covered"][0]["state_before"] in ("work", "none")
    assert after["work_covered"] + after["uncovered"] == before["work_covered"] + before["uncovered"]
    report = json.loads(run("report", "--json", "--store", district["db"]).stdout)["totals"]
    assert after == {name: report[name] for name in after}


def test_changes_table_reads_on_80_columns(district):
    shown = run("changes", "--store", district["db"]).stdout
    assert "…" not in shown and max(map(cell_len, shown.splitlines())) <= 80
    assert "新纳入基数（1）" in shown and "新增组织覆盖（1）" in shown and "新建党组织（1）" in shown
    assert "新注册科技有限公司" in shown and NEW_ENTERPRISE in shown and "新建党支部（PO9999）" in shown
    assert "不在基数内" in shown and "组织覆盖率" in shown


def test_since_a_date_compares_with_now(district, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(district["db"], db)
    store = SQLiteStore(db)
    try:  # as if the first import had been made on the last day of last year
        key, body = store.documents(COLLECTION)[0]
        store.save_document(COLLECTION, key, body | {"date": "2025-12-31", "at": "2025-12-31T08:00:00+00:00"})
    finally:
        store.close()
    data = json.loads(run("changes", "--since", "2026年1月15日", "--json", "--store", db).stdout)
    assert data["from"]["date"] == "2025-12-31" and data["to"] is None  # None: the graph now
    assert [o["id"] for o in data["orgs_formed"]] == ["PO9999"]
    assert run("changes", "--since", "2025/12/30", "--store", db, ok=False).stderr.startswith(
        "错误: 2025-12-30 当天及之前没有可比较的快照（最早的快照在 2025-12-31）"
    )
    same = json.loads(run("changes", "--from", data["from"]["at"], "--to", data["from"]["at"], "--json",
                          "--store", db).stdout)  # fmt: skip
    assert same["orgs_formed"] == [] and same["before"] == same["after"]


def test_to_alone_compares_the_snapshot_before_it_with_it(district):
    last = json.loads(run("changes", "--json", "--store", district["db"]).stdout)
    alone = json.loads(run("changes", "--to", last["to"]["at"], "--json", "--store", district["db"]).stdout)
    assert alone == last  # the latest snapshot and the one before it: what the last import changed
    first = run("changes", "--to", last["from"]["at"], "--store", district["db"], ok=False)
    assert first.stderr.startswith(f"错误: 快照 {last['from']['at']} 之前没有可比较的快照")


def test_a_chain_compares_that_chains_enterprises(district):
    data = json.loads(run("changes", "--chain", "C01", "--json", "--store", district["db"]).stdout)
    assert data["chain"] == "C01"
    report = json.loads(run("report", "--chain", "C01", "--json", "--store", district["db"]).stdout)["totals"]
    assert data["after"]["base"] == report["base"] and data["after"]["org_coverage_rate"] == report["org_coverage_rate"]
    assert NEW_ENTERPRISE not in [e["id"] for e in data["entered_base"]]  # it sits in no chain


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2024-01-01", "--from", "x"), "错误: --since 与 --from 都是比较的起点，只能给一个"),
        (("--to", "x"), "错误: 找不到快照 x（用 redchain history --json 查看各快照的 at 时间）"),
        (("--since", "2024-02-30"), "错误: --since: 日期 '2024-02-30' 不存在"),
        (("--since", "上月"), "错误: --since: 应为日期（如 2023-05-01、2023/5/1、2023.5.1、2023年5月1日 或 2023年5月），实为 '上月'"),
        (("--since", "2001-01-01"), "错误: 2001-01-01 当天及之前没有可比较的快照（最早的快照在 "),
        (("--from", "2001-01-01T00:00:00+00:00"), "错误: 找不到快照 2001-01-01T00:00:00+00:00（用 redchain history --json 查看各快照的 at 时间）"),
        (("--chain", "NOPE"), "错误: 找不到产业链 NOPE"),
    ],
)
def test_bad_requests_get_a_precise_message(district, args, message):
    result = run("changes", *args, "--store", district["db"], ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(message), result.stderr


def test_one_snapshot_is_not_enough_for_the_last_change(tmp_path):
    write_demo_csv(demo_tables("small", 2024), tmp_path / "csv")
    run("load", tmp_path / "csv", "--store", tmp_path / "one.db")
    result = run("changes", "--store", tmp_path / "one.db", ok=False)
    assert result.stderr.startswith("错误: 可比较的快照不足两个：每次导入、执行规划、删除或 report --save 会保存一个；也可用 --since 日期 与现在比较")


def test_a_snapshot_saved_without_a_state_is_refused(tmp_path):
    write_demo_csv(demo_tables("small", 2024), tmp_path / "csv")
    db = tmp_path / "old.db"
    run("load", tmp_path / "csv", "--store", db)
    store = SQLiteStore(db)
    try:  # as a snapshot saved before states were kept
        [(key, body)] = store.documents(COLLECTION)
        del body["state"]
        store.save_document(COLLECTION, key, body)
    finally:
        store.close()
    result = run("changes", "--from", body["at"], "--store", db, ok=False)
    assert result.stderr.startswith(f"错误: 快照 {body['at']} 没有保存逐家覆盖状态（较早版本保存的快照），无法比较")


def test_a_chain_snapshot_compares_only_its_chain(district, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(district["db"], db)
    run("report", "--save", "--chain", "C01", "--store", db)
    at = json.loads(run("history", "--chain", "C01", "--json", "--store", db).stdout)[-1]["at"]  # after the imports' points
    data = json.loads(run("changes", "--from", at, "--json", "--store", db).stdout)
    assert data["chain"] == "C01" and data["from"]["chain"] == "C01" and data["before"] == data["after"]
    refused = run("changes", "--from", at, "--chain", "C02", "--store", db, ok=False)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"错误: 快照 {at} 只含产业链 C01，不能与产业链 C02 比较")
