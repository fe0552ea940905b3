"""Coverage snapshots in a real SQLite file, and the coverage commands against that file."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import typer
from typer.testing import CliRunner

from api.cli.coverage import register
from api.cli.gaps import gaps_app
from graph.builder import GraphBuilder
from graph.analysis.coverage import coverage_report
from graph.analysis.history import COLLECTION, HistoryPoint, coverage_history, save_snapshot
from graph.projection import load_projection
from graph.records import Node, Rel
from graph.schema import Label, RelType
from graph.sqlite_store import SQLiteStore


def district() -> GraphBuilder:
    """Chain C1 with E1..E4 (E1 covered), E5 outside any chain; I1 instructs E2."""
    b = GraphBuilder().chain("C1", name="工程机械").segment("S1", "C1", "upstream", name="零部件")
    for i in range(1, 6):
        b.enterprise(f"E{i}", park="东园", party_members=i - 1, employees=100 * i)
    for i in range(1, 5):
        b.rel("IN_SEGMENT", f"E{i}", "S1")
    b.org("O1", formation="standalone").rel("COVERS", "O1", "E1")
    b.node("Instructor", "I1", name="指导员").rel("ASSIGNED_TO", "I1", "E2")
    return b


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "redchain.db")
    b = district()
    s.write(b.nodes, b.rels)
    yield s
    s.close()


def cover(store: SQLiteStore, org: str, enterprise: str) -> None:
    store.write(rels=[Rel(RelType.COVERS, org, enterprise)])


def test_history_of_two_snapshots_with_deltas(store):
    save_snapshot(store, coverage_report(load_projection(store)), when=date(2024, 1, 31))
    cover(store, "O1", "E3")
    save_snapshot(store, coverage_report(load_projection(store)), when=date(2024, 2, 29))
    assert coverage_history(store) == [
        HistoryPoint(
            date="2024-01-31", at="2024-01-31T00:00:00+00:00", base=5, org_covered=1, work_covered=1, uncovered=3,
            org_coverage_rate=0.2, two_coverage_rate=0.4,
            base_delta=None, org_coverage_rate_delta=None, two_coverage_rate_delta=None,
        ),
        HistoryPoint(
            date="2024-02-29", at="2024-02-29T00:00:00+00:00", base=5, org_covered=2, work_covered=1, uncovered=2,
            org_coverage_rate=0.4, two_coverage_rate=0.6,
            base_delta=0, org_coverage_rate_delta=0.2, two_coverage_rate_delta=0.2,
        ),
    ]  # fmt: skip


def test_points_come_in_time_order_whatever_the_saving_order(store):
    g = load_projection(store)
    save_snapshot(store, coverage_report(g), when=datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc))
    store.write(rels=[Rel(RelType.COVERS, "O1", "E4")])
    save_snapshot(store, coverage_report(load_projection(store)), when=datetime(2023, 12, 1, tzinfo=timezone.utc))
    points = coverage_history(store)
    assert [(p.date, p.org_covered, p.org_coverage_rate_delta) for p in points] == [
        ("2023-12-01", 2, None),
        ("2024-03-01", 1, -0.2),
    ]
    assert [key for key, _ in store.documents(COLLECTION)] == [
        "2023-12-01T00:00:00.000000Z",
        "2024-03-01T09:00:00.000000Z",
    ]


def test_date_is_local_to_the_snapshot_and_key_is_utc(store):
    beijing = timezone(timedelta(hours=8))
    key = save_snapshot(store, coverage_report(load_projection(store)), when=datetime(2024, 5, 1, 7, 30, tzinfo=beijing))
    assert key == "2024-04-30T23:30:00.000000Z"
    [point] = coverage_history(store)
    assert (point.date, point.at) == ("2024-05-01", "2024-04-30T23:30:00+00:00")


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14 and UTC-11: never the same day
def test_a_snapshot_taken_now_is_dated_by_the_planners_day(store, monkeypatch, zone):
    """Dated in ``REDCHAIN_VIEW_TIMEZONE``, not by the server's clock (a server keeping UTC
    dated an import at 07:00 in Beijing the day before); the exports' names follow it."""
    from zoneinfo import ZoneInfo

    from api.core.exports import coverage_workbook

    monkeypatch.setenv("REDCHAIN_VIEW_TIMEZONE", zone)
    days = {datetime.now(ZoneInfo(zone)).date()}
    save_snapshot(store, coverage_report(load_projection(store)))
    exported = coverage_workbook(load_projection(store))
    days.add(datetime.now(ZoneInfo(zone)).date())  # midnight passed between: either day is right
    [point] = coverage_history(store)
    assert date.fromisoformat(point.date) in days
    assert any(f"{day:%Y%m%d}" in exported.filename for day in days)


def test_chain_snapshots_are_a_separate_series(store):
    g = load_projection(store)
    save_snapshot(store, coverage_report(g), when=date(2024, 1, 1))
    save_snapshot(store, coverage_report(g, chain="C1"), when=date(2024, 1, 1), chain="C1")
    assert [(p.base, p.org_covered) for p in coverage_history(store)] == [(5, 1)]
    assert [(p.base, p.org_covered) for p in coverage_history(store, chain="C1")] == [(4, 1)]
    assert coverage_history(store, chain="C9") == []
    keys = [key for key, _ in store.documents(COLLECTION)]
    assert keys == ["2024-01-01T00:00:00.000000Z", "2024-01-01T00:00:00.000000Z C1"]


def test_the_body_keeps_the_whole_report_and_survives_reopening(tmp_path, store):
    report = coverage_report(load_projection(store), by="park")
    save_snapshot(store, report, when=date(2024, 6, 30))
    store.close()
    reopened = SQLiteStore(tmp_path / "redchain.db")
    try:
        [(key, body)] = reopened.documents(COLLECTION)
        assert body == {"date": "2024-06-30", "at": "2024-06-30T00:00:00+00:00", "chain": None, **report.to_dict()}
        assert body["groups"][0]["key"] == "东园"
        assert [p.org_coverage_rate for p in coverage_history(reopened)] == [0.2]
    finally:
        reopened.close()


def test_no_snapshots_no_history(store):
    assert coverage_history(store) == []


# -- the commands, against the same kind of file -------------------------------------------


@pytest.fixture
def cli(tmp_path, store):
    app = typer.Typer()
    register(app)
    app.add_typer(gaps_app, name="gaps")
    runner = CliRunner()
    path = str(tmp_path / "redchain.db")

    def run(*args: str):
        return runner.invoke(app, [*args, "--store", path], env={"COLUMNS": "240"})

    return run


def test_report_json_is_exactly_totals_and_groups(cli):
    result = cli("report", "--by", "chain", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["totals", "groups"]
    assert data["totals"]["org_coverage_rate"] == 0.2
    assert [(g["key"], g["name"], g["base"], g["org_covered"]) for g in data["groups"]] == [
        ("C1", "工程机械", 4, 1), ("", "（未归入产业链）", 1, 0)]  # totals: base 5


def test_report_table_shows_percentages(cli):
    result = cli("report", "--by", "park")
    assert result.exit_code == 0, result.output
    assert "覆盖率" in result.stdout  # headers break over two lines to fit 80 columns
    assert "20.00%" in result.stdout and "40.00%" in result.stdout
    assert "东园" in result.stdout and "合计" in result.stdout


def test_report_save_then_history(cli, store):
    assert cli("report", "--save").exit_code == 0
    cover(store, "O1", "E5")
    saved = cli("report", "--save", "--json")
    assert saved.exit_code == 0
    assert list(json.loads(saved.stdout)) == ["totals", "groups"]  # the notice goes to stderr
    history = json.loads(cli("history", "--json").stdout)
    assert [(p["org_covered"], p["org_coverage_rate_delta"]) for p in history] == [(1, None), (2, 0.2)]
    table = cli("history").stdout
    assert "覆盖率变化" in table and "百分点" in table and "+20.00" in table and "+20.00%" not in table  # points, not per cent
    if history[0]["date"] == history[1]["date"]:  # two of one day: each with its time under the date
        import re

        assert len(re.findall(r"^ ?\d\d:\d\d:\d\d", table, re.M)) == 2, table


def test_brackets_in_names_are_printed_not_read_as_markup(cli, store):
    store.write([Node(Label.ENTERPRISE, "E9", {"name": "某[/b]公司", "park": "[bold]西园"})])
    report = cli("report", "--by", "park")
    assert report.exit_code == 0, report.output
    assert "[bold]西园" in report.stdout
    uncovered = cli("gaps", "uncovered")
    assert uncovered.exit_code == 0, uncovered.output
    assert "某[/b]公司" in uncovered.stdout


def test_unknown_chain_is_a_clear_error(cli):
    result = cli("report", "--chain", "NOPE")
    assert result.exit_code == 1
    assert "错误: 找不到产业链 NOPE" in result.stderr
    assert cli("gaps", "uncovered", "--chain", "NOPE").exit_code == 1


def test_gaps_uncovered_and_orgs(cli):
    result = cli("gaps", "uncovered", "--chain", "C1", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [(u["id"], u["remedy"], u["work_covered_by"]) for u in found] == [
        ("E4", "standalone_needed", []),
        ("E3", "joint_needed", []),
        ("E2", "joint_needed", ["I1"]),
    ]
    table = cli("gaps", "uncovered").stdout
    assert "单独组建" in table and "I1" in table  # the work-covered column names who reaches it
    orgs = cli("gaps", "orgs", "--json")
    assert [(c["org"], c["code"]) for c in json.loads(orgs.stdout)] == [("O1", "branch_too_few_members")]


# -- the covered state kept with a snapshot ------------------------------------------------


def test_a_snapshot_keeps_the_state_and_stores_it_once_while_unchanged(tmp_path, store):
    from graph.analysis.changes import coverage_state
    from graph.analysis.history import STATE_COLLECTION, snapshot_now, snapshot_state, snapshots

    first = snapshot_now(store, when=date(2024, 1, 31))
    second = snapshot_now(store, when=date(2024, 2, 29))  # nothing changed in between
    cover(store, "O1", "E3")
    third = snapshot_now(store, when=date(2024, 3, 31))
    assert [key for key, _ in store.documents(STATE_COLLECTION)] == [first, third]
    found = snapshots(store)
    assert [(s.key, s.state_key) for s in found] == [(first, first), (second, first), (third, third)]
    store.close()
    reopened = SQLiteStore(tmp_path / "redchain.db")
    try:
        g = load_projection(reopened)
        assert snapshot_state(reopened, found[2]) == coverage_state(g)
        assert snapshot_state(reopened, found[1]).enterprises["E3"] == ("none", "joint_needed")
        assert snapshot_state(reopened, found[2]).enterprises["E3"] == ("standalone", None)
        # the history itself reads no state, and its points are as before
        assert [(p.date, p.org_covered) for p in coverage_history(reopened)] == [
            ("2024-01-31", 1), ("2024-02-29", 1), ("2024-03-31", 2),
        ]  # fmt: skip
    finally:
        reopened.close()


def test_a_chain_snapshot_keeps_that_chains_state(store):
    from graph.analysis.changes import coverage_state
    from graph.analysis.history import snapshot_state, snapshots

    g = load_projection(store)
    save_snapshot(store, coverage_report(g, chain="C1"), when=date(2024, 1, 1), chain="C1", state=coverage_state(g, chain="C1"))
    [snapshot] = snapshots(store)
    assert snapshot.chain == "C1"
    assert sorted(snapshot_state(store, snapshot).enterprises) == ["E1", "E2", "E3", "E4"]  # E5 is in no chain


def test_report_save_keeps_the_state(cli, store):
    from graph.analysis.history import STATE_COLLECTION

    assert cli("report", "--save", "--by", "park").exit_code == 0
    [(key, body)] = store.documents(COLLECTION)
    assert body["state"]["key"] == key and [k for k, _ in store.documents(STATE_COLLECTION)] == [key]
    assert body["groups"][0]["key"] == "东园"  # the body still keeps the whole report


def test_report_by_kind_and_the_articles_figures(cli, store):
    store.write([Node(Label.ENTERPRISE, "E6", {"name": "某协会", "kind": "social_org", "party_members": 4})])
    data = json.loads(cli("report", "--by", "kind", "--json").stdout)
    assert [(g["key"], g["name"], g["base"]) for g in data["groups"]] == [("enterprise", "企业", 5), ("social_org", "社会组织", 1)]
    # E4 (3 members) and E5 (4) lack an org of their own; E1 (0 members) has one; E6 (4) has none
    assert (data["totals"]["standalone_eligible"], data["totals"]["standalone_eligible_own_org"]) == (3, 0)
    assert (data["totals"]["instructor_covered"], data["totals"]["instructor_coverage_rate"]) == (1, 0.1667)
    table = cli("report", "--by", "kind").stdout
    for title in ("应建尽建", "党建指导员覆盖与党组织星级", "示范点与联合组建党组织覆盖企业数", "社会组织"):
        assert title in table


def test_a_small_change_is_stored_as_a_delta_of_the_last_full_state(tmp_path):
    from graph.analysis.changes import coverage_state
    from graph.analysis.history import STATE_COLLECTION, snapshot_now, snapshot_state, snapshots

    b = GraphBuilder().chain("C1").segment("S1", "C1", "upstream")
    for i in range(300):
        b.enterprise(f"E{i:03d}", party_members=i % 4).rel("IN_SEGMENT", f"E{i:03d}", "S1")
        if i % 3:
            b.org(f"O{i:03d}").rel("COVERS", f"O{i:03d}", f"E{i:03d}")
    s = SQLiteStore(tmp_path / "district.db")
    try:
        s.write(b.nodes, b.rels)
        first = snapshot_now(s, when=date(2024, 1, 31))
        s.write(rels=[Rel(RelType.COVERS, "O001", "E000")])
        second = snapshot_now(s, when=date(2024, 2, 29))
        s.write([Node(Label.ENTERPRISE, "E300", {"name": "新企业"})], [Rel(RelType.IN_SEGMENT, "E300", "S1")])
        third = snapshot_now(s, when=date(2024, 3, 31))
        stored = dict(s.documents(STATE_COLLECTION))
        assert "base" not in stored[first]
        assert stored[second]["base"] == first and stored[third]["base"] == first  # never a delta of a delta
        assert len(stored[third]["data"]) < len(stored[first]["data"]) / 4
        found = snapshots(s)
        assert snapshot_state(s, found[2]) == coverage_state(load_projection(s))
        assert snapshot_state(s, found[1]).enterprises["E000"] == ("standalone", None)
        assert snapshot_state(s, found[0]).enterprises["E000"] == ("none", "instructor_needed")
        assert "E300" not in snapshot_state(s, found[1]).enterprises
    finally:
        s.close()


def test_a_snapshot_at_an_unchanged_version_repeats_the_latest_without_reading_the_graph(store, monkeypatch):
    """After an import that changed nothing, the latest whole-base snapshot (same store
    version, same rules) is saved again at the new moment; the graph is not read. A
    write, a chain's snapshot in between or other rules compute it again."""
    from graph.analysis import history
    from graph.analysis.history import snapshot_now, snapshots

    first = snapshot_now(store, when=date(2024, 1, 31))
    reads = []
    computed = history.snapshot_projection
    monkeypatch.setattr(history, "snapshot_projection", lambda s: reads.append(1) or computed(s))

    second = snapshot_now(store, when=date(2024, 2, 29))
    assert reads == []
    save_snapshot(store, coverage_report(load_projection(store), chain="C1"), chain="C1", when=date(2024, 3, 1))
    third = snapshot_now(store, when=date(2024, 3, 31))  # a chain's snapshot is not the whole base's
    assert reads == []
    cover(store, "O1", "E3")
    fourth = snapshot_now(store, when=date(2024, 4, 30))
    assert reads == [1]
    monkeypatch.setattr(history, "RULES", ("graph/schema.py",))  # other rules: computed again
    fifth = snapshot_now(store, when=date(2024, 5, 31))
    assert reads == [1, 1]

    bodies = dict(store.documents(COLLECTION))
    for repeated, latest in ((second, first), (third, second), (fifth, fourth)):
        assert {k: v for k, v in bodies[repeated].items() if k not in ("date", "at", "rules")} == \
            {k: v for k, v in bodies[latest].items() if k not in ("date", "at", "rules")}
    assert bodies[second]["date"] == "2024-02-29" and bodies[fourth]["totals"]["org_covered"] == 2
    assert [(s.key, s.state_key) for s in snapshots(store) if s.chain is None] == [
        (first, first), (second, first), (third, first), (fourth, fourth), (fifth, fourth)]
    assert [(p.date, p.org_covered) for p in coverage_history(store)] == [
        ("2024-01-31", 1), ("2024-02-29", 1), ("2024-03-31", 1), ("2024-04-30", 2), ("2024-05-31", 2)]


def test_a_bad_time_zone_is_said_before_an_import_writes(tmp_path):
    """REDCHAIN_VIEW_TIMEZONE=Mars/Base: `load` refuses with the setting's message and writes
    nothing (review: the import was committed, then its snapshot failed with a traceback)."""
    from api.cli.main import app as whole
    from loaders.demo import demo_tables, write_demo_csv

    write_demo_csv(demo_tables("small", 2024), tmp_path / "csv")
    db = tmp_path / "tz.db"
    result = CliRunner().invoke(whole, ["load", str(tmp_path / "csv"), "--store", str(db)],
                                env={"REDCHAIN_VIEW_TIMEZONE": "Mars/Base", "REDCHAIN_STORE": None})
    assert result.exit_code == 1 and "REDCHAIN_VIEW_TIMEZONE 有误：未知的时区：Mars/Base" in result.output
    assert not db.exists() or SQLiteStore(db).version() == 0
