"""Applying plans to a real SQLite file: exactly the proposal is written, once."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from graph.builder import GraphBuilder
from typer.testing import CliRunner

from api.cli.plans import plan_app
from graph.analysis.planners import apply_plan, plan_contacts, plan_instructors, plan_joint_branches, plan_pairings
from graph.analysis.planners.plan import NewOrg, Plan, PlanItem, plan_records
from graph.errors import StoreError
from graph.projection import load_projection
from graph.records import GraphData
from graph.schema import RelType
from graph.sqlite_store import SQLiteStore

PLANNERS = {
    "contacts": plan_contacts,
    "instructors": plan_instructors,
    "pairings": plan_pairings,
    "joint_branches": plan_joint_branches,
}


def district() -> GraphBuilder:
    """A small district with work for every planner."""
    b = GraphBuilder().chain("C1", name="工程机械").segment("S1", "C1", "upstream").segment("S2", "C1", "downstream")
    b.enterprise("ES", park="P1", leading=True).rel("IN_SEGMENT", "ES", "S1")
    b.org("OS", star=5).rel("COVERS", "OS", "ES")
    b.org("OW", star=1).enterprise("EW", park="P1").rel("COVERS", "OW", "EW").rel("IN_SEGMENT", "EW", "S2")
    for n, members in enumerate([1, 2, 1, 0, 0]):
        e = f"E{n}"
        b.enterprise(e, park="P1", party_members=members, employees=10 * (n + 1)).rel("IN_SEGMENT", e, "S1")
    b.rel("SUPPLIES", "ES", "E0").rel("SUPPLIES", "E0", "E3")
    b.node("Leader", "L1", name="张三", capacity=2).rel("RESPONSIBLE_FOR", "L1", "C1")
    b.node("Leader", "L2", name="李四").rel("RESPONSIBLE_FOR", "L2", "C1").rel("CONTACTS", "L2", "E1")
    b.node("Instructor", "I1", name="王五")
    return b


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "plans.db")
    b = district()
    s.write(b.nodes, b.rels)
    yield s
    s.close()


def snapshot(data: GraphData) -> tuple[dict, dict]:
    nodes = {n.id: (n.label, n.props) for n in data.nodes}
    rels = {r.key: r.props for r in data.rels}
    return nodes, rels


@pytest.mark.parametrize("kind", PLANNERS)
def test_apply_writes_exactly_the_proposal_and_reapplying_changes_nothing(store, kind):
    nodes_before, rels_before = snapshot(store.read())
    version = store.version()
    plan = PLANNERS[kind](load_projection(store))
    assert plan.items, "the district gives every planner something to propose"
    nodes, rels = plan_records(plan)

    summary = apply_plan(store, plan)

    nodes_after, rels_after = snapshot(store.read())
    assert {k: v for k, v in nodes_after.items() if k not in nodes_before} == {n.id: (n.label, n.props) for n in nodes}
    assert all(nodes_after[k] == v for k, v in nodes_before.items())
    assert {k: v for k, v in rels_after.items() if k not in rels_before} == {r.key: r.props for r in rels}
    assert all(rels_after[k] == v for k, v in rels_before.items())
    assert summary.added == dict(Counter(r.type.value for r in rels) + Counter(n.label.value for n in nodes))
    assert store.version() == summary.version == version + 1

    again = apply_plan(store, plan)
    assert not again.changed and store.version() == version + 1
    assert snapshot(store.read()) == (nodes_after, rels_after)


def test_applied_contacts_are_read_back_as_proposed(store):
    plan = plan_contacts(load_projection(store))
    apply_plan(store, plan)
    g = load_projection(store)
    proposed = {(i.source, i.target) for i in plan.items}
    stored = {(u, v) for u, v, k in g.edges(keys=True) if k == RelType.CONTACTS.value}
    assert stored == proposed | {("L2", "E1")}
    assert Counter(u for u, _ in stored)["L1"] == 2  # L1's capacity


def test_applied_joint_branch_and_pairings_props(store):
    joint = plan_joint_branches(load_projection(store))
    pairing = plan_pairings(load_projection(store))
    apply_plan(store, joint)
    apply_plan(store, pairing)
    data = store.read()
    org = next(n for n in data.nodes if n.id == joint.new_orgs[0].id)
    assert org.id == "JB-P1-1"
    assert org.props == {"name": "E0等3家单位联合党支部", "level": "branch", "formation": "joint", "members": 4}
    paired = [r for r in data.rels if r.type is RelType.PAIRED_WITH]
    assert paired and all(r.props == {"kind": "co_building"} for r in paired)
    assert plan_joint_branches(load_projection(store)).new_orgs == []  # the enterprises are covered now


def test_a_failing_apply_writes_nothing(store):
    before, version = snapshot(store.read()), store.version()
    clash = NewOrg("ES", "冲突", 3, ("E0",), "P1", None, ())  # ES is an enterprise's id
    plan = Plan("joint_branches", "2024-01-01T00:00:00+00:00", version, [PlanItem("ES", "E0", RelType.COVERS, ())], [clash])
    with pytest.raises(StoreError):
        apply_plan(store, plan)
    assert snapshot(store.read()) == before and store.version() == version


# -- the CLI ---------------------------------------------------------------------------


def run(store, *args):
    return CliRunner().invoke(plan_app, [*args, "--store", str(store.path)])


def test_cli_json_proposes_without_writing(store):
    version = store.version()
    result = run(store, "contacts", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["kind"] == "contacts" and "write" not in body
    # four free places (L1: 2, L2: 3 less the contact it has) for the four highest targets
    assert {i["target"] for i in body["items"]} == {"E0", "OW", "E4", "E3"}
    assert Counter(i["source"] for i in body["items"]) == {"L1": 2, "L2": 2}
    assert {i["rel_type"] for i in body["items"]} == {"CONTACTS"}
    assert body["leftovers"] == [{"id": "E2", "name": "E2", "reason": "领导联系名额已满，优先级靠后"}]
    assert store.version() == version


def test_cli_apply_prints_the_write_summary_then_nothing_to_do(store):
    first = run(store, "instructors", "--apply")
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert "党建指导员派驻规划（2）" in lines
    # the name, its code on the next line: a code is never split (80 columns)
    assert any(a.split()[:1] == ["王五"] and b.split()[:1] == ["I1"] for a, b in zip(lines, lines[1:]))
    assert "已写入（版本 2）：新增 ASSIGNED_TO 2" in first.stdout
    second = run(store, "instructors", "--apply", "--minimum", "0")
    assert second.exit_code == 0, second.output
    assert "没有可提议的安排" in second.stdout and "没有变化" in second.stdout


def test_cli_apply_json_includes_the_write(store):
    result = run(store, "joint-branches", "--apply", "--json")
    body = json.loads(result.stdout)
    assert body["new_orgs"][0]["id"] == "JB-P1-1"
    assert body["write"]["added"] == {"PartyOrg": 1, "COVERS": 3}


def test_cli_infeasible_plan_prints_the_reason_and_exits_1(store):
    result = run(store, "instructors", "--minimum", "4", "--capacity", "4")
    assert result.exit_code == 1
    assert "错误: 1 名指导员还需至少 4 个派驻对象，但只有 3 个派驻对象可分配，缺 1 个（可调低每人最少派驻数）" in result.output


def test_cli_unknown_chain(store):
    result = run(store, "pairings", "--chain", "C9")
    assert result.exit_code == 1 and "产业链 C9" in result.output and "Traceback" not in result.output
