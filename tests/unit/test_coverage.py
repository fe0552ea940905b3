"""Coverage over the base ("两个覆盖") on hand-built graphs with literal answers."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from graph.analysis.jsonable import to_jsonable
from graph.builder import GraphBuilder
from graph.analysis.coverage import Coverage, coverage_report, enterprise_states
from graph.analysis.membership import base_enterprises
from graph.errors import NotFound

FIELDS = [
    "base",
    "org_covered",
    "covered_by_standalone",
    "covered_by_joint",
    "work_covered",
    "uncovered",
    "org_coverage_rate",
    "two_coverage_rate",
    "party_orgs",
    "standalone_orgs",
    "joint_orgs",
    "industry_committees",
]
ARTICLE_FIELDS = [  # the figures the seed articles quote; test_coverage_figures.py checks each
    "standalone_eligible",
    "standalone_eligible_own_org",
    "standalone_formation_rate",
    "with_members",
    "with_members_covered",
    "with_members_coverage_rate",
    "instructor_covered",
    "instructor_coverage_rate",
    "stars",
    "demonstration_sites",
    "enterprises_per_joint_org_avg",
    "enterprises_per_joint_org_max",
]


def counts(cov: Coverage) -> dict:
    return {name: getattr(cov, name) for name in FIELDS}


def luzhai() -> GraphBuilder:
    """Luzhai industrial park (seed 004): 65 enterprises in the base, 34 orgs (26 standalone,
    8 joint) covering 55 of them. Of the other 10, 7 are reached by party work.

    Noise that must not change the figures: a closed and a moved enterprise, one outside the
    base, and an org (the 35th) that covers only the closed one.
    """
    b = GraphBuilder()
    ids = [f"E{i:02d}" for i in range(1, 66)]
    for e in ids:
        b.enterprise(e)
    for i in range(26):  # E01..E26, one standalone branch each
        b.org(f"S{i + 1:02d}", formation="standalone").rel("COVERS", f"S{i + 1:02d}", ids[i])
    joint_sizes = [4, 4, 4, 4, 4, 3, 3, 3]  # 29 enterprises: E27..E55
    start = 26
    for j, size in enumerate(joint_sizes, 1):
        for e in ids[start : start + size]:
            b.rel("COVERS", f"J{j}", e)
        b.org(f"J{j}", formation="joint")
        start += size
    assert start == 55
    b.node("Instructor", "I1", name="指导员甲").node("Instructor", "I2", name="指导员乙")
    b.node("Leader", "L1", name="领导甲").node("Unit", "U1", name="区直某局", kind="department")
    for e in ("E56", "E57", "E58"):
        b.rel("ASSIGNED_TO", "I1", e)
    b.rel("ASSIGNED_TO", "I2", "E59")
    b.rel("CONTACTS", "L1", "E60").rel("CONTACTS", "L1", "E61")
    b.rel("PAIRED_WITH", "U1", "E62")
    # E63, E64, E65 are reached by nobody
    b.enterprise("X1", status="closed").enterprise("X2", status="moved").enterprise("X3", in_base=False)
    b.org("S99", formation="standalone").rel("COVERS", "S99", "X1").rel("COVERS", "S01", "X3")
    return b


def test_luzhai_acceptance():
    totals = coverage_report(luzhai().projection()).totals
    assert counts(totals) == {
        "base": 65,
        "org_covered": 55,
        "covered_by_standalone": 26,
        "covered_by_joint": 29,
        "work_covered": 7,
        "uncovered": 3,
        "org_coverage_rate": 0.8462,
        "two_coverage_rate": 0.9538,
        "party_orgs": 34,
        "standalone_orgs": 26,
        "joint_orgs": 8,
        "industry_committees": 0,
    }


def test_covered_by_standalone_wins_and_joint_means_only_joint():
    g = (
        GraphBuilder()
        .enterprise("E1").enterprise("E2").enterprise("E3").enterprise("E4")
        .org("S", formation="standalone").org("J", formation="joint")
        .org("K", level="committee", formation="industry").org("N", formation=None)
        .rel("COVERS", "S", "E1").rel("COVERS", "J", "E1")  # standalone + joint -> standalone
        .rel("COVERS", "J", "E2")  # joint only -> joint
        .rel("COVERS", "K", "E3").rel("COVERS", "J", "E3")  # joint + industry -> neither
        .rel("COVERS", "N", "E4")  # no formation -> only org_covered
        .projection()
    )
    totals = coverage_report(g).totals
    assert (totals.org_covered, totals.covered_by_standalone, totals.covered_by_joint) == (4, 1, 1)
    assert (totals.party_orgs, totals.standalone_orgs, totals.joint_orgs, totals.industry_committees) == (4, 1, 1, 1)
    assert totals.org_coverage_rate == 1.0


def test_work_coverage_counts_instructors_contacts_and_pairings_towards_the_enterprise():
    g = (
        GraphBuilder()
        .enterprise("E1").enterprise("E2").enterprise("E3").enterprise("E4").enterprise("E5").enterprise("E6")
        .node("Instructor", "I1").node("Leader", "L1").node("Unit", "U1")
        .org("O1").rel("COVERS", "O1", "E6")
        .rel("ASSIGNED_TO", "I1", "E1")
        .rel("CONTACTS", "L1", "E2")
        .rel("PAIRED_WITH", "U1", "E3")
        .rel("PAIRED_WITH", "E4", "O1")  # a pairing *from* E4 does not reach E4
        .rel("CONTACTS", "L1", "E6")  # org-covered already: counts once, as org-covered
        .rel("SUPPLIES", "E6", "E5")  # a customer of a covered supplier is not reached by party work
        .projection()
    )
    totals = coverage_report(g).totals
    assert (totals.base, totals.org_covered, totals.work_covered, totals.uncovered) == (6, 1, 3, 2)
    assert (totals.org_coverage_rate, totals.two_coverage_rate) == (0.1667, 0.6667)


def test_base_is_in_base_and_active_only():
    g = (
        GraphBuilder()
        .enterprise("E1").enterprise("E2", in_base=False).enterprise("E3", status="closed")
        .enterprise("E4", status="moved").enterprise("E5", in_base=True, status="active")
        .org("O1").rel("COVERS", "O1", "E2").rel("COVERS", "O1", "E3")
        .projection()
    )
    totals = coverage_report(g).totals
    assert (totals.base, totals.org_covered, totals.uncovered, totals.party_orgs) == (2, 0, 2, 0)


def test_empty_base_has_zero_rates():
    totals = coverage_report(GraphBuilder().enterprise("E1", status="closed").projection()).totals
    assert counts(totals) == dict.fromkeys(FIELDS, 0) | {"org_coverage_rate": 0.0, "two_coverage_rate": 0.0}


def two_chains() -> GraphBuilder:
    """Chain C1 (segments A up, B down) and C2 (segment D); E2 sits in both chains.
    K1 leads C1, K3 leads the empty chain C3."""
    return (
        GraphBuilder()
        .chain("C1", name="工程机械").chain("C2", name="新材料").chain("C3", name="空链")
        .segment("B", "C1", "downstream", name="整机").segment("A", "C1", "upstream", name="零部件")
        .segment("D", "C2", "midstream", name="材料")
        .enterprise("E1", park="东园", street="街道甲").enterprise("E2", park="东园").enterprise("E3", park="西园")
        .enterprise("E4", street="街道甲").enterprise("E5", park="西园", status="closed")
        .rel("IN_SEGMENT", "E1", "A").rel("IN_SEGMENT", "E2", "B").rel("IN_SEGMENT", "E2", "D")
        .rel("IN_SEGMENT", "E3", "D").rel("IN_SEGMENT", "E5", "A")
        .org("S1", formation="standalone").rel("COVERS", "S1", "E1")
        .org("J1", formation="joint").rel("COVERS", "J1", "E2").rel("COVERS", "J1", "E3")
        .org("K1", level="committee", formation="industry").rel("LEADS", "K1", "C1")
        .org("K3", level="committee", formation="industry").rel("LEADS", "K3", "C3")
        .node("Instructor", "I1").rel("ASSIGNED_TO", "I1", "E4")
    )


def group_rows(report) -> list[tuple]:
    return [(g.key, g.name, g.base, g.org_covered, g.work_covered, g.uncovered, g.party_orgs, g.industry_committees) for g in report.groups]


def test_by_chain_counts_an_enterprise_in_each_of_its_chains():
    report = coverage_report(two_chains().projection(), by="chain")
    assert group_rows(report) == [
        ("C1", "工程机械", 2, 2, 0, 0, 3, 1),  # E1 (S1), E2 (J1); K1 leads C1
        ("C2", "新材料", 2, 2, 0, 0, 1, 0),  # E2, E3, both J1
        ("C3", "空链", 0, 0, 0, 0, 1, 1),  # nobody, but K3 leads it
        ("", "（未归入产业链）", 1, 0, 1, 0, 0, 0),  # E4, in no chain: the rows cover the base as the totals do
    ]
    assert report.groups[0].org_coverage_rate == 1.0 and report.groups[2].org_coverage_rate == 0.0
    # totals: base E1..E4; every chain's committee counts
    assert counts(report.totals) == {
        "base": 4, "org_covered": 3, "covered_by_standalone": 1, "covered_by_joint": 2, "work_covered": 1,
        "uncovered": 0, "org_coverage_rate": 0.75, "two_coverage_rate": 1.0,
        "party_orgs": 4, "standalone_orgs": 1, "joint_orgs": 1, "industry_committees": 2,
    }  # fmt: skip


def test_two_segments_of_one_chain_count_once_in_the_chain():
    g = (
        GraphBuilder()
        .chain("C1").segment("A", "C1", "upstream").segment("B", "C1", "downstream")
        .enterprise("E1").rel("IN_SEGMENT", "E1", "A").rel("IN_SEGMENT", "E1", "B")
        .projection()
    )
    assert [(grp.key, grp.base) for grp in coverage_report(g, by="chain").groups] == [("C1", 1)]
    assert [(grp.key, grp.base) for grp in coverage_report(g, by="segment").groups] == [("A", 1), ("B", 1)]
    assert coverage_report(g, chain="C1").totals.base == 1


def test_by_segment_orders_by_chain_then_stage():
    report = coverage_report(two_chains().projection(), by="segment")
    assert group_rows(report) == [
        ("A", "零部件", 1, 1, 0, 0, 2, 1),  # E1 (E5 is closed); S1 + K1 via C1
        ("B", "整机", 1, 1, 0, 0, 2, 1),  # E2; J1 + K1
        ("D", "材料", 2, 2, 0, 0, 1, 0),
        ("", "（未归入产业链）", 1, 0, 1, 0, 0, 0),  # E4
    ]


def test_segments_of_one_name_in_several_chains_are_named_with_their_chains():
    g = (
        GraphBuilder().chain("C1", name="工程机械").chain("C2", name="新能源")
        .segment("U1", "C1", "midstream", name="未分环节").segment("U2", "C2", "midstream", name="未分环节")
        .segment("A", "C1", "upstream", name="液压件")
        .enterprise("E1").enterprise("E2").rel("IN_SEGMENT", "E1", "U1").rel("IN_SEGMENT", "E2", "U2")
        .projection()
    )
    assert [(grp.key, grp.name) for grp in coverage_report(g, by="segment").groups] == [
        ("A", "液压件"), ("U1", "未分环节（工程机械）"), ("U2", "未分环节（新能源）")]
    assert [grp.name for grp in coverage_report(g, by="segment", chain="C2").groups] == ["未分环节"]  # one chain: no clash


def test_by_park_gathers_enterprises_without_a_park():
    report = coverage_report(two_chains().projection(), by="park")
    assert group_rows(report) == [
        ("东园", "东园", 2, 2, 0, 0, 3, 1),  # E1, E2: S1, J1, and K1 leads C1 where they sit
        ("西园", "西园", 1, 1, 0, 0, 1, 0),  # E3
        ("", "（未填写）", 1, 0, 1, 0, 0, 0),  # E4
    ]


def test_by_street():
    report = coverage_report(two_chains().projection(), by="street")
    assert [(g.key, g.base, g.work_covered) for g in report.groups] == [("街道甲", 2, 1), ("", 2, 0)]


def test_chain_restricts_totals_and_groups():
    report = coverage_report(two_chains().projection(), by="park", chain="C2")
    assert (report.totals.base, report.totals.party_orgs, report.totals.industry_committees) == (2, 1, 0)
    assert group_rows(report) == [("东园", "东园", 1, 1, 0, 0, 1, 0), ("西园", "西园", 1, 1, 0, 0, 1, 0)]
    by_segment = coverage_report(two_chains().projection(), by="segment", chain="C1")
    assert [(g.key, g.party_orgs) for g in by_segment.groups] == [("A", 2), ("B", 2)]
    by_chain = coverage_report(two_chains().projection(), by="chain", chain="C1")
    assert [g.key for g in by_chain.groups] == ["C1"]
    assert counts(by_chain.groups[0]) == counts(by_chain.totals)


def test_park_groups_partition_the_totals():
    g = luzhai().projection()
    for i, e in enumerate(sorted(n for n in g if n.startswith("E"))):
        g.nodes[e]["park"] = "东园" if i % 3 else "西园"
    report = coverage_report(g, by="park")
    for name in ("base", "org_covered", "covered_by_standalone", "covered_by_joint", "work_covered", "uncovered"):
        assert sum(getattr(grp, name) for grp in report.groups) == getattr(report.totals, name)


def test_unknown_chain_and_grouping_are_refused():
    g = two_chains().projection()
    with pytest.raises(NotFound, match="找不到产业链 NOPE"):
        coverage_report(g, chain="NOPE")
    with pytest.raises(NotFound, match="找不到产业链 E1"):
        coverage_report(g, chain="E1")  # an id, but not a chain
    with pytest.raises(ValueError, match="unknown grouping 'city'"):
        coverage_report(g, by="city")


def test_the_callers_graph_is_not_mutated():
    g = two_chains().projection()
    before = (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), dict(g.graph))
    for by in (None, "chain", "segment", "park", "street", "kind"):
        coverage_report(g, by=by)
    assert (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), dict(g.graph)) == before


def test_json_shape_is_the_contract():
    report = coverage_report(two_chains().projection(), by="chain")
    as_json = json.loads(json.dumps(to_jsonable(report), ensure_ascii=False))
    assert as_json == report.to_dict()
    assert list(as_json) == ["totals", "groups"]
    assert list(as_json["totals"]) == FIELDS + ARTICLE_FIELDS
    assert list(as_json["groups"][0]) == ["key", "name", *FIELDS, *ARTICLE_FIELDS]
    assert list(as_json["totals"]["stars"]) == ["5", "4", "3", "2", "1", "unrated"]
    assert as_json["groups"][0]["name"] == "工程机械"


def leading_orgs() -> GraphBuilder:
    """Orgs that lead a chain keep their own formation for what they cover: O1 (standalone)
    leads C1 and covers E1, J1 (joint) leads C2 and covers E2, K1 (industry, leads nothing)
    covers E3; E4 has nobody. C1 holds E1 and E3, C2 holds E2 and E4."""
    return (
        GraphBuilder()
        .chain("C1").chain("C2")
        .segment("S1", "C1", "upstream").segment("S2", "C2", "upstream")
        .enterprise("E1").enterprise("E2").enterprise("E3").enterprise("E4")
        .rel("IN_SEGMENT", "E1", "S1").rel("IN_SEGMENT", "E3", "S1")
        .rel("IN_SEGMENT", "E2", "S2").rel("IN_SEGMENT", "E4", "S2")
        .org("O1", formation="standalone").rel("LEADS", "O1", "C1").rel("COVERS", "O1", "E1")
        .org("J1", formation="joint").rel("LEADS", "J1", "C2").rel("COVERS", "J1", "E2")
        .org("K1", level="committee", formation="industry").rel("COVERS", "K1", "E3")
    )


def test_an_org_leading_a_chain_covers_by_its_own_formation():
    totals = coverage_report(leading_orgs().projection()).totals
    assert counts(totals) == {
        "base": 4, "org_covered": 3, "covered_by_standalone": 1, "covered_by_joint": 1, "work_covered": 0,
        "uncovered": 1, "org_coverage_rate": 0.75, "two_coverage_rate": 0.75,
        # O1 counts as standalone and as a committee, J1 as joint and as a committee, K1 as a committee
        "party_orgs": 3, "standalone_orgs": 1, "joint_orgs": 1, "industry_committees": 3,
    }  # fmt: skip


def test_an_org_leading_a_chain_by_chain():
    report = coverage_report(leading_orgs().projection(), by="chain")
    assert [counts(group) for group in report.groups] == [
        {
            "base": 2, "org_covered": 2, "covered_by_standalone": 1, "covered_by_joint": 0, "work_covered": 0,
            "uncovered": 0, "org_coverage_rate": 1.0, "two_coverage_rate": 1.0,
            "party_orgs": 2, "standalone_orgs": 1, "joint_orgs": 0, "industry_committees": 2,
        },
        {
            "base": 2, "org_covered": 1, "covered_by_standalone": 0, "covered_by_joint": 1, "work_covered": 0,
            "uncovered": 1, "org_coverage_rate": 0.5, "two_coverage_rate": 0.5,
            "party_orgs": 1, "standalone_orgs": 0, "joint_orgs": 1, "industry_committees": 1,
        },
    ]  # fmt: skip


def test_enterprise_states_literal():
    g = leading_orgs().node("Instructor", "I1").rel("ASSIGNED_TO", "I1", "E4").projection()
    assert enterprise_states(g, ["E1", "E2", "E3", "E4"]) == {
        "E1": "standalone", "E2": "joint", "E3": "other_org", "E4": "work",
    }  # fmt: skip


@pytest.mark.parametrize("make", [luzhai, two_chains, leading_orgs])
def test_enterprise_states_add_up_to_the_report(make):
    g = make().projection()
    for chain in (None, *sorted(n for n in g if g.nodes[n]["label"] == "Chain")):
        totals = coverage_report(g, chain=chain).totals
        states = Counter(enterprise_states(g, base_enterprises(g, chain=chain)).values())
        assert (states["standalone"], states["joint"], states["work"], states["none"]) == (
            totals.covered_by_standalone, totals.covered_by_joint, totals.work_covered, totals.uncovered,
        )
        assert states["standalone"] + states["joint"] + states["other_org"] == totals.org_covered


def test_segments_sort_by_stage_then_order_with_no_order_last():
    g = (
        GraphBuilder()
        .chain("C1")
        .segment("S5", "C1", None).segment("S4", "C1", "downstream")
        .segment("S3", "C1", "upstream").segment("S2", "C1", "upstream", order=2)
        .segment("S1", "C1", "upstream", order=5)
        .projection()
    )
    assert [grp.key for grp in coverage_report(g, by="segment").groups] == ["S2", "S1", "S3", "S4", "S5"]
