"""Uncovered enterprises: remedy, work coverage, membership and priority, with literal answers."""

from __future__ import annotations

import pytest

from graph.builder import GraphBuilder
from graph.analysis.uncovered import (
    UncoveredEnterprise,
    remedy_for,
    supply_key_nodes,
    supply_degree,
    uncovered_enterprises,
)
from graph.errors import NotFound


@pytest.mark.parametrize(
    ("party_members", "remedy"),
    [
        (None, "instructor_needed"),
        (0, "instructor_needed"),
        (1, "joint_needed"),
        (2, "joint_needed"),
        (3, "standalone_needed"),
        (57, "standalone_needed"),
    ],
)
def test_remedy_follows_the_three_member_rule(party_members, remedy):
    assert remedy_for(party_members) == remedy
    g = GraphBuilder().enterprise("E1", party_members=party_members).projection()
    assert [u.remedy for u in uncovered_enterprises(g)] == [remedy]


def test_one_enterprise_in_full():
    g = (
        GraphBuilder()
        .chain("C1", name="工程机械").segment("S1", "C1", "upstream").segment("S2", "C1", "downstream")
        .chain("C2").segment("S3", "C2", "midstream")
        .enterprise("E1", name="某液压件公司", park="东园", street="街道甲", party_members=2, employees=820)
        .rel("IN_SEGMENT", "E1", "S1").rel("IN_SEGMENT", "E1", "S2").rel("IN_SEGMENT", "E1", "S3")
        .node("Instructor", "I1").node("Leader", "L1").node("Unit", "U1").enterprise("E9")
        .org("O9").rel("COVERS", "O9", "E9")
        .rel("PAIRED_WITH", "U1", "E1").rel("CONTACTS", "L1", "E1").rel("ASSIGNED_TO", "I1", "E1")
        .rel("PAIRED_WITH", "E9", "E1")
        .projection()
    )
    assert uncovered_enterprises(g) == [
        UncoveredEnterprise(
            id="E1",
            name="某液压件公司",
            remedy="joint_needed",
            work_covered=True,
            work_covered_by=("E9", "I1", "L1", "U1"),
            chains=("C1", "C2"),
            segments=("S1", "S2", "S3"),
            park="东园",
            street="街道甲",
            party_members=2,
            employees=820,
            priority=29,
            reasons=("职工 820 人",),
        )
    ]


def test_only_base_enterprises_without_an_org_are_listed():
    g = (
        GraphBuilder()
        .enterprise("E1").enterprise("E2").enterprise("E3", status="closed").enterprise("E4", in_base=False)
        .enterprise("E5").node("Instructor", "I1").rel("ASSIGNED_TO", "I1", "E5")
        .org("O1", formation="joint").rel("COVERS", "O1", "E1")
        .projection()
    )
    assert [(u.id, u.work_covered, u.work_covered_by) for u in uncovered_enterprises(g)] == [
        ("E2", False, ()),
        ("E5", True, ("I1",)),
    ]


def test_priority_puts_key_enterprises_first():
    g = (
        GraphBuilder()
        .enterprise("LEAD", leading=True, employees=820)
        .enterprise("SCALE", above_scale=True, employees=100)
        .enterprise("HUB")
        .enterprise("SMALL", employees=10)
        .enterprise("B0").enterprise("A0", employees=0)
        .enterprise("X1").enterprise("X2").enterprise("X3")
        .org("O").rel("COVERS", "O", "X1").rel("COVERS", "O", "X2").rel("COVERS", "O", "X3")
        .rel("SUPPLIES", "HUB", "X1").rel("SUPPLIES", "HUB", "X2").rel("SUPPLIES", "X3", "HUB")
        .projection()
    )
    assert [(u.id, u.priority, u.reasons) for u in uncovered_enterprises(g)] == [
        ("LEAD", 69, ("龙头企业", "职工 820 人")),
        ("SCALE", 40, ("规上企业", "职工 100 人")),
        ("HUB", 30, ("供应链关键节点（中心度前 5%）",)),
        ("SMALL", 10, ("职工 10 人",)),
        ("A0", 0, ()),  # ties by id
        ("B0", 0, ()),
    ]


def test_all_reasons_together():
    g = (
        GraphBuilder()
        .enterprise("E1", leading=True, above_scale=True, employees=1000)
        .enterprise("E2").enterprise("E3")
        .rel("SUPPLIES", "E2", "E1").rel("SUPPLIES", "E1", "E3")
        .projection()
    )
    top = uncovered_enterprises(g)[0]
    assert (top.id, top.priority) == ("E1", 40 + 20 + 30 + 30)
    assert top.reasons == ("龙头企业", "规上企业", "供应链关键节点（中心度前 5%）", "职工 1000 人")


def test_supply_degree_counts_links_in_and_out():
    g = (
        GraphBuilder()
        .enterprise("E1").enterprise("E2").enterprise("E3").enterprise("E4")
        .rel("SUPPLIES", "E1", "E2").rel("SUPPLIES", "E2", "E1").rel("SUPPLIES", "E1", "E3")
        .org("O").rel("COVERS", "O", "E1").rel("PAIRED_WITH", "E4", "E1")  # other relationships do not count
        .projection()
    )
    assert supply_degree(g) == {"E1": 3, "E2": 2, "E3": 1, "E4": 0}


def test_key_nodes_are_the_top_five_percent():
    b = GraphBuilder()
    for hub, n in (("H1", 5), ("H2", 4)):
        b.enterprise(hub)
        for i in range(1, n + 1):
            b.enterprise(f"{hub}-{i}").rel("SUPPLIES", hub, f"{hub}-{i}")
    path = [f"D{i:02d}" for i in range(1, 30)]  # 29 more linked enterprises, 1 or 2 links each
    for d in path:
        b.enterprise(d)
    for a, c in zip(path, path[1:]):
        b.rel("SUPPLIES", a, c)
    b.enterprise("LONELY")  # no links: not among the 40 ranked
    # 40 linked enterprises -> the top 2: H1 (5 links) and H2 (4)
    assert supply_key_nodes(b.projection()) == {"H1", "H2"}


def test_a_single_link_makes_nobody_a_key_node():
    g = GraphBuilder().enterprise("E1").enterprise("E2").rel("SUPPLIES", "E1", "E2").projection()
    assert supply_key_nodes(g) == set()
    assert supply_key_nodes(GraphBuilder().enterprise("E1").projection()) == set()


def test_chain_restricts_the_list():
    g = (
        GraphBuilder()
        .chain("C1").segment("S1", "C1", "upstream").chain("C2").segment("S2", "C2", "upstream")
        .enterprise("E1").enterprise("E2").enterprise("E3")
        .rel("IN_SEGMENT", "E1", "S1").rel("IN_SEGMENT", "E2", "S2")
        .projection()
    )
    assert [u.id for u in uncovered_enterprises(g, chain="C1")] == ["E1"]
    assert [u.id for u in uncovered_enterprises(g)] == ["E1", "E2", "E3"]
    with pytest.raises(NotFound, match="找不到产业链 C9"):
        uncovered_enterprises(g, chain="C9")


def test_nothing_uncovered_and_graph_not_mutated():
    g = GraphBuilder().enterprise("E1").org("O1").rel("COVERS", "O1", "E1").projection()
    before = (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)))
    assert uncovered_enterprises(g) == []
    g2 = GraphBuilder().enterprise("E1").enterprise("E2").rel("SUPPLIES", "E1", "E2").projection()
    before2 = (list(g2.nodes(data=True)), list(g2.edges(keys=True, data=True)))
    uncovered_enterprises(g2)
    assert (list(g.nodes(data=True)), list(g.edges(keys=True, data=True))) == before
    assert (list(g2.nodes(data=True)), list(g2.edges(keys=True, data=True))) == before2
