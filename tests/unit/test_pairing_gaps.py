"""Pairing gaps on one hand-built district: two chains, a few orgs, units, alliances
and two leading enterprises with their suppliers and customers."""

from __future__ import annotations

import copy

import pytest

from graph.builder import GraphBuilder
from graph.analysis.pairing_gaps import (
    RULE_ALLIANCE,
    RULE_ALLIANCE_LEADERS,
    RULE_CO_BUILDING,
    RULE_COMMITTEE,
    RULE_ONE_PLUS_X,
    RULE_UNIT_HELPS,
    pairing_gaps,
)
from graph.errors import NotFound


def district() -> GraphBuilder:
    b = (
        GraphBuilder()
        .chain("C1", name="工程机械")
        .chain("C2", name="新材料")
        .segment("SU", "C1", "upstream", name="零部件")
        .segment("SM", "C1", "midstream", name="整机")
        .segment("SD", "C1", "downstream", name="服务")
        .segment("T1", "C2", "midstream", name="新材料制造")
    )
    enterprises = {
        "L1": ("SM", {"leading": True, "name": "三一"}),
        "L2": ("SM", {"leading": True}),  # leading, but no org of its own
        "L3": ("SM", {"leading": True, "status": "closed"}),  # not in the base: ignored
        "s1": ("SU", {"name": "恒立"}),  # supplies L1; no org, no pairing -> gap
        "s2": ("SU", {}),  # supplies L1; has an org
        "s3": ("SU", {}),  # supplies L1; paired with L1's org
        "c1": ("SD", {}),  # buys from L1; paired with L1 itself
        "c2": ("SD", {}),  # buys from L1; nothing -> gap
        "c3": ("T1", {}),  # buys from L1, but in another chain
        "c4": ("SD", {"in_base": False}),  # outside the base
        "c5": ("SD", {"status": "moved"}),
        "c6": ("SD", {}),  # paired, but with an org outside L1's circle -> gap
        "c7": ("SD", {}),  # buys from L2 -> gap, the leader has no org
        "c8": ("SD", {}),  # buys from the closed L3
    }
    for enterprise, (segment, props) in enterprises.items():
        b.enterprise(enterprise, **props).rel("IN_SEGMENT", enterprise, segment)
    for supplier, customer in [
        ("s1", "L1"), ("s2", "L1"), ("s3", "L1"), ("L1", "c1"), ("L1", "c2"), ("L1", "c3"),
        ("L1", "c4"), ("L1", "c5"), ("L1", "c6"), ("L2", "c7"), ("L3", "c8"),
    ]:
        b.rel("SUPPLIES", supplier, customer)
    (
        b.org("OL", name="三一党委", level="committee", star=5).rel("COVERS", "OL", "L1")
        .org("O2", name="恒立支部", star=2).rel("COVERS", "O2", "s2")
        .org("OX", star=4)
        .org("O3", name="工程机械产业链党委", formation="industry").rel("LEADS", "O3", "C1")
        .org("O4", star=3).rel("COVERS", "O4", "c3")
        .org("O5", star=1)
        .rel("PAIRED_WITH", "OL", "s3", kind="lead_brings")
        .rel("PAIRED_WITH", "L1", "c1", kind="lead_brings")
        .rel("PAIRED_WITH", "OX", "c6")
    )
    for unit, kind in [("U1", "department"), ("U2", "street"), ("U3", "community"), ("U4", "department"), ("U5", None)]:
        props = {"name": f"单位{unit}"} | ({"kind": kind} if kind else {})
        b.node("Unit", unit, **props)
    b.rel("PAIRED_WITH", "U1", "O5")
    (
        b.node("Alliance", "A1", name="工程机械党建联盟").rel("ALLIANCE_OF", "A1", "C1")
        .rel("MEMBER_OF", "OL", "A1", role="director")  # L1 belongs through its org
        .node("Alliance", "A2", name="工程机械青年联盟").rel("ALLIANCE_OF", "A2", "C1")
        .rel("MEMBER_OF", "L2", "A2")
        .node("Alliance", "A3", name="无链联盟")
    )
    return b


def test_unpaired_orgs_weak_first():
    gaps = pairing_gaps(district().projection())
    assert [(o.id, o.star, o.weak, o.chains) for o in gaps.unpaired_orgs] == [
        ("O2", 2, True, ["C1"]),
        ("O3", None, False, ["C1"]),  # unrated, but the chain's committee is not weak
        ("O4", 3, False, ["C2"]),
    ]
    assert gaps.unpaired_orgs[0].message == (
        f"党组织「恒立支部」没有结对共建对象，2星属薄弱党组织，应优先结对帮扶（规则：{RULE_CO_BUILDING}）"
    )
    assert gaps.unpaired_orgs[1].message == f"党组织「工程机械产业链党委」没有结对共建对象（规则：{RULE_CO_BUILDING}）"
    assert gaps.unpaired_orgs[2].message == f"党组织「O4」没有结对共建对象（规则：{RULE_CO_BUILDING}）"


def test_departments_and_streets_that_help_nobody():
    gaps = pairing_gaps(district().projection())
    assert [(u.id, u.kind) for u in gaps.idle_units] == [("U2", "street"), ("U4", "department")]
    assert gaps.idle_units[0].message == f"单位「单位U2」没有帮扶任何两新党组织（规则：{RULE_UNIT_HELPS}）"
    assert "每个区直部门及街道（管理处）至少帮扶1个两新党组织" in gaps.idle_units[0].message


def test_chains_without_alliance_or_committee():
    gaps = pairing_gaps(district().projection())
    assert [c.id for c in gaps.chains_without_alliance] == ["C2"]
    assert [c.id for c in gaps.chains_without_committee] == ["C2"]
    assert gaps.chains_without_alliance[0].message == f"产业链「新材料」尚未组建产业链党建联盟（规则：{RULE_ALLIANCE}）"
    assert gaps.chains_without_committee[0].message == "产业链「新材料」没有产业链党委（规则：把党委建在行业（产业链）上）"
    assert RULE_COMMITTEE in gaps.chains_without_committee[0].message


def test_alliances_missing_their_chain_leaders():
    gaps = pairing_gaps(district().projection())
    assert [(a.id, a.chain, a.missing) for a in gaps.alliances_missing_leaders] == [
        ("A1", "C1", ["L2"]),  # L1 is in through OL, L3 is closed
        ("A2", "C1", ["L1"]),
    ]
    assert gaps.alliances_missing_leaders[1].message == (
        f"联盟「工程机械青年联盟」未吸纳产业链「工程机械」的龙头企业「三一」（规则：{RULE_ALLIANCE_LEADERS}）"
    )


def test_one_plus_x_gaps():
    gaps = pairing_gaps(district().projection())
    assert [(x.leader, x.partner, x.direction, x.chains, x.reason) for x in gaps.one_plus_x_gaps] == [
        ("L1", "s1", "upstream", ["C1"], "partner_not_paired"),
        ("L1", "c2", "downstream", ["C1"], "partner_not_paired"),
        ("L1", "c6", "downstream", ["C1"], "partner_not_paired"),
        ("L2", "c7", "downstream", ["C1"], "leader_without_org"),
    ]
    assert gaps.one_plus_x_gaps[0].message == (
        f"龙头企业「三一」的上游供应商「恒立」没有党组织，也未与龙头企业或其党组织结对（规则：{RULE_ONE_PLUS_X}）"
    )
    assert gaps.one_plus_x_gaps[3].message == (
        f"龙头企业「L2」的下游客户「c7」没有党组织且未结对，而龙头企业自身也没有党组织覆盖（规则：{RULE_ONE_PLUS_X}）"
    )


def test_pairing_in_either_direction_closes_a_one_plus_x_gap():
    gaps = pairing_gaps(district().rel("PAIRED_WITH", "c2", "OL").rel("PAIRED_WITH", "L2", "c7").projection())
    assert [(x.leader, x.partner) for x in gaps.one_plus_x_gaps] == [("L1", "s1"), ("L1", "c6")]


def test_one_chain_only():
    gaps = pairing_gaps(district().projection(), chain="C2")
    assert [o.id for o in gaps.unpaired_orgs] == ["O4"]
    assert [u.id for u in gaps.idle_units] == ["U2", "U4"]  # district-wide rule
    assert [c.id for c in gaps.chains_without_alliance] == ["C2"]
    assert [c.id for c in gaps.chains_without_committee] == ["C2"]
    assert gaps.alliances_missing_leaders == []
    assert gaps.one_plus_x_gaps == []
    c1 = pairing_gaps(district().projection(), chain="C1")
    assert [o.id for o in c1.unpaired_orgs] == ["O2", "O3"]  # weak first; the committee O3 is not weak
    assert c1.chains_without_alliance == [] and c1.chains_without_committee == []
    assert len(c1.one_plus_x_gaps) == 4


def test_every_finding_cites_a_rule():
    gaps = pairing_gaps(district().projection())
    for findings in vars(gaps).values():
        assert findings
        assert all("（规则：" in f.message for f in findings)


def test_unknown_chain_raises_not_found():
    with pytest.raises(NotFound, match="找不到产业链 C9"):
        pairing_gaps(district().projection(), chain="C9")


def test_empty_graph_has_no_gaps():
    gaps = pairing_gaps(GraphBuilder().projection())
    assert all(findings == [] for findings in vars(gaps).values())


def test_caller_graph_is_not_mutated():
    g = district().projection()
    before = copy.deepcopy((list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), g.graph))
    pairing_gaps(g)
    assert (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), g.graph) == before
