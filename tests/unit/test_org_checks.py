"""Advisory organisation checks: one hand-built case per rule, with literal findings."""

from __future__ import annotations

import pytest

from graph.builder import GraphBuilder
from graph.analysis.org_checks import RULES, TITLES, OrgCheck, org_members, organisation_checks
from graph.errors import NotFound


def codes(g, **kw) -> list[tuple[str, str]]:
    return [(c.org, c.code) for c in organisation_checks(g, **kw)]


def test_a_healthy_branch_has_no_findings():
    g = GraphBuilder().enterprise("E1", party_members=5).org("O1").rel("COVERS", "O1", "E1").projection()
    assert organisation_checks(g) == []


def test_branch_with_fewer_than_three_members_in_its_enterprises():
    g = (
        GraphBuilder()
        .enterprise("E1", party_members=1).enterprise("E2", party_members=1).enterprise("E3", party_members=1)
        .enterprise("E4", party_members=5, status="closed")  # closed: its members are not counted
        .org("O1", name="某支部").rel("COVERS", "O1", "E1").rel("COVERS", "O1", "E4")
        .org("O2", formation="joint").rel("COVERS", "O2", "E2").rel("COVERS", "O2", "E3")
        .projection()
    )
    assert codes(g) == [("O1", "branch_too_few_members"), ("O1", "covers_inactive"), ("O2", "branch_too_few_members")]
    first = organisation_checks(g)[0]
    assert first == OrgCheck(
        org="O1",
        name="某支部",
        code="branch_too_few_members",
        message="党支部党员 1 人，不足 3 名正式党员，宜与邻近单位联合组建",
        rule=RULES["branch_too_few_members"],
    )
    assert "凡是有正式党员3人以上的，都应当成立党支部" in first.rule


def test_exactly_three_members_is_enough_and_unknown_is_not_judged():
    g = (
        GraphBuilder()
        .enterprise("E1", party_members=3).enterprise("E2")
        .org("O1").rel("COVERS", "O1", "E1")
        .org("O2").rel("COVERS", "O2", "E2")  # nobody knows how many members: no size finding
        .projection()
    )
    assert codes(g) == []
    assert (org_members(g, "O1"), org_members(g, "O2")) == (3, None)


def test_the_orgs_own_member_count_wins_over_its_enterprises():
    g = (
        GraphBuilder()
        .enterprise("E1", party_members=1)
        .org("O1", members=12).rel("COVERS", "O1", "E1")
        .projection()
    )
    assert org_members(g, "O1") == 12
    assert codes(g) == []


@pytest.mark.parametrize(
    ("level", "members", "expected"),
    [
        ("branch", 50, []),
        ("branch", 51, ["may_become_general_branch"]),
        ("branch", 99, ["may_become_general_branch"]),
        ("branch", 100, ["may_become_committee"]),
        ("general_branch", 99, []),
        ("general_branch", 100, ["may_become_committee"]),
        ("committee", 300, []),
        ("general_branch", 2, []),  # the three-member floor is for branches
    ],
)
def test_size_against_level(level, members, expected):
    g = GraphBuilder().enterprise("E1").org("O1", level=level, members=members).rel("COVERS", "O1", "E1").projection()
    assert [c.code for c in organisation_checks(g)] == expected


def test_big_branch_counted_from_enterprises_message():
    g = (
        GraphBuilder()
        .enterprise("E1", party_members=40).enterprise("E2", party_members=30)
        .org("O1").rel("COVERS", "O1", "E1").rel("COVERS", "O1", "E2")
        .projection()
    )
    [finding] = organisation_checks(g)
    assert (finding.code, finding.message) == (
        "may_become_general_branch",
        "党支部党员 70 人，超过 50 人，经上级党组织批准可设立党总支",
    )


def test_joint_org_covering_a_single_active_enterprise():
    g = (
        GraphBuilder()
        .enterprise("E1", name="甲公司", party_members=2).enterprise("E2", party_members=1, status="moved")
        .enterprise("E3", party_members=1).enterprise("E4", party_members=1)
        .org("J1", formation="joint").rel("COVERS", "J1", "E1").rel("COVERS", "J1", "E2")
        .org("J2", formation="joint", members=4).rel("COVERS", "J2", "E3").rel("COVERS", "J2", "E4")
        .org("S1", formation="standalone", members=3).rel("COVERS", "S1", "E3")  # standalone with one: fine
        .projection()
    )
    assert codes(g) == [("J1", "branch_too_few_members"), ("J1", "joint_covers_one"), ("J1", "covers_inactive")]
    joint = organisation_checks(g)[1]
    assert joint.enterprises == ("E1",)
    assert joint.message == "联合组建却只覆盖 1 家企业（甲公司）：党员满 3 人应单独组建，不足 3 人宜联合邻近企业"


def test_joint_org_covering_more_units_than_the_joint_branch_planner_would_fill():
    b = GraphBuilder().org("J6", formation="joint", members=6).org("J5", formation="joint", members=5)
    for n in range(6):
        b.enterprise(f"E6{n}", party_members=1).rel("COVERS", "J6", f"E6{n}")
    for n in range(5):  # five is the most, and allowed
        b.enterprise(f"E5{n}", party_members=1).rel("COVERS", "J5", f"E5{n}")
    b.enterprise("E-closed", party_members=1, status="closed").rel("COVERS", "J5", "E-closed")  # not counted
    g = b.projection()
    assert codes(g) == [("J5", "covers_inactive"), ("J6", "joint_covers_too_many")]
    finding = organisation_checks(g)[1]
    assert finding.message == "联合组建覆盖 6 个单位，超过 5 个：宜按地域相邻、行业相近拆分，党员满 3 人的单位单独组建"
    assert finding.rule.endswith("联合党支部覆盖单位一般不超过5个")
    assert TITLES["joint_covers_too_many"] == "联合组建覆盖超过5个单位"


def test_covers_nothing_except_chain_committees_and_parents():
    g = (
        GraphBuilder()
        .chain("C1")
        .org("EMPTY")
        .org("K1", level="committee", formation="industry").rel("LEADS", "K1", "C1")
        .org("PARK", level="committee", formation="joint")  # 园区联合党委: works through its branches
        .enterprise("E1", party_members=4).org("B1").rel("COVERS", "B1", "E1").rel("UNDER", "B1", "PARK")
        .projection()
    )
    assert codes(g) == [("EMPTY", "covers_nothing")]
    assert organisation_checks(g)[0].message == "未覆盖任何企业：请补充覆盖关系，或核实是否应调整撤销"


def test_covers_inactive_lists_closed_and_moved_enterprises():
    g = (
        GraphBuilder()
        .enterprise("E1", name="甲", status="closed").enterprise("E2", name="乙", status="moved")
        .enterprise("E3", party_members=6, in_base=False)  # out of the base but active: fine
        .org("O1", members=6).rel("COVERS", "O1", "E1").rel("COVERS", "O1", "E2").rel("COVERS", "O1", "E3")
        .projection()
    )
    [finding] = organisation_checks(g)
    assert (finding.code, finding.enterprises) == ("covers_inactive", ("E1", "E2"))
    assert finding.message == "仍覆盖已注销或迁出的企业：甲（注销）、乙（迁出），应及时调整覆盖关系"


def test_chain_keeps_orgs_covering_or_leading_it():
    g = (
        GraphBuilder()
        .chain("C1").segment("S1", "C1", "upstream").chain("C2").segment("S2", "C2", "upstream")
        .enterprise("E1", party_members=1).enterprise("E2", party_members=1)
        .rel("IN_SEGMENT", "E1", "S1").rel("IN_SEGMENT", "E2", "S2")
        .org("O1").rel("COVERS", "O1", "E1").org("O2").rel("COVERS", "O2", "E2")
        .org("K1", level="committee", formation="industry", members=1).rel("LEADS", "K1", "C1")
        .org("EMPTY")
        .projection()
    )
    assert codes(g, chain="C1") == [("O1", "branch_too_few_members")]
    assert codes(g) == [("EMPTY", "covers_nothing"), ("O1", "branch_too_few_members"), ("O2", "branch_too_few_members")]
    with pytest.raises(NotFound, match="找不到产业链 C9"):
        organisation_checks(g, chain="C9")


def test_every_rule_cites_a_source():
    assert set(RULES) == {
        "branch_too_few_members",
        "may_become_general_branch",
        "may_become_committee",
        "joint_covers_one",
        "joint_covers_too_many",
        "covers_nothing",
        "covers_inactive",
    }
    assert all("条例" in rule or "党的基层组织设置" in rule for rule in RULES.values())
