"""The figures the seed articles quote (应建尽建, 党建指导员覆盖率, stars, joint orgs' reach,
coverage by kind), on hand-built graphs with literal answers."""

from __future__ import annotations

from graph.builder import GraphBuilder
from graph.analysis.coverage import coverage_report
from test_coverage import luzhai, two_chains

NO_STARS = {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0, "unrated": 0}


def figures(cov) -> dict:
    return {
        name: getattr(cov, name)
        for name in (
            "standalone_eligible", "standalone_eligible_own_org", "standalone_formation_rate",
            "with_members", "with_members_covered", "with_members_coverage_rate",
            "instructor_covered", "instructor_coverage_rate",
            "stars", "demonstration_sites", "enterprises_per_joint_org_avg", "enterprises_per_joint_org_max",
        )
    }  # fmt: skip


def luzhai_with_figures() -> GraphBuilder:
    """Luzhai (seed 004) with its star ratings: 7 five-star, 8 four-star, 6 three-star orgs
    among the 34, and 29 enterprises under its 8 joint orgs (4+4+4+4+4+3+3+3).

    Party members: E01..E20 have 3 (standalone-covered), E21..E26 have 1, the 29 under
    joint orgs have 2 but E27 has 3, E56 has 5 and E57 has 4 (no org), E58 has 2, the
    rest none. Instructors: I1 -> E56..E58 and I2 -> E59 (in luzhai), I3 -> the joint org
    J1 (E27..E30) and E27 again, and S99, which covers only a closed enterprise.
    E01 and E60..E65 are social organisations.
    """
    b = luzhai()
    members = {f"E{i:02d}": 3 for i in range(1, 21)} | {f"E{i:02d}": 1 for i in range(21, 27)}
    members |= {f"E{i:02d}": 2 for i in range(27, 56)} | {"E27": 3, "E56": 5, "E57": 4, "E58": 2}
    stars = dict.fromkeys(["S01", "S02", "S03", "S04", "S05", "S06", "J1"], 5)
    stars |= dict.fromkeys([f"S{i:02d}" for i in range(7, 15)], 4)
    stars |= dict.fromkeys([f"S{i:02d}" for i in range(15, 21)], 3)
    stars["S99"] = 5  # covers only a closed enterprise: counted nowhere
    social = {"E01", *(f"E{i}" for i in range(60, 66))}
    for node in b.nodes:
        if node.id in members:
            node.props["party_members"] = members[node.id]
        if node.id in stars:
            node.props["star"] = stars[node.id]
        if node.id in ("S01", "J1", "S99"):
            node.props["demonstration"] = True
        if node.id in social:
            node.props["kind"] = "social_org"
    b.node("Instructor", "I3", name="第一书记丙", kind="first_secretary")
    b.rel("ASSIGNED_TO", "I3", "J1").rel("ASSIGNED_TO", "I3", "E27").rel("ASSIGNED_TO", "I3", "S99")
    return b


def test_luzhai_figures():
    totals = coverage_report(luzhai_with_figures().projection()).totals
    # the 65 / 34 / 55 of the article are untouched by the new figures
    assert (totals.base, totals.party_orgs, totals.org_covered, totals.org_coverage_rate) == (65, 34, 55, 0.8462)
    assert (totals.standalone_orgs, totals.joint_orgs, totals.covered_by_joint) == (26, 8, 29)
    assert figures(totals) == {
        "standalone_eligible": 23,  # E01..E20, E27, E56, E57
        "standalone_eligible_own_org": 20,  # E27 is under a joint org only; E56, E57 have none
        "standalone_formation_rate": 0.8696,
        "with_members": 58,  # E01..E55, E56..E58
        "with_members_covered": 55,
        "with_members_coverage_rate": 0.9483,
        "instructor_covered": 8,  # E56..E59, and E27..E30 through J1 (E27 counted once)
        "instructor_coverage_rate": 0.1231,
        "stars": {"5": 7, "4": 8, "3": 6, "2": 0, "1": 0, "unrated": 13},
        "demonstration_sites": 2,  # S01, J1 (S99 is counted nowhere)
        "enterprises_per_joint_org_avg": 3.625,  # 29 / 8
        "enterprises_per_joint_org_max": 4,
    }


def test_luzhai_by_kind():
    report = coverage_report(luzhai_with_figures().projection(), by="kind")
    enterprise, social = report.groups
    assert (enterprise.key, enterprise.name, social.key, social.name) == ("enterprise", "企业", "social_org", "社会组织")
    # E01 (S01), E60, E61 (contacts), E62 (pairing), E63..E65 (nobody)
    assert (social.base, social.org_covered, social.work_covered, social.uncovered) == (7, 1, 3, 3)
    assert (social.org_coverage_rate, social.two_coverage_rate, social.party_orgs) == (0.1429, 0.5714, 1)
    assert figures(social) == {
        "standalone_eligible": 1, "standalone_eligible_own_org": 1, "standalone_formation_rate": 1.0,
        "with_members": 1, "with_members_covered": 1, "with_members_coverage_rate": 1.0,
        "instructor_covered": 0, "instructor_coverage_rate": 0.0,
        "stars": NO_STARS | {"5": 1}, "demonstration_sites": 1,
        "enterprises_per_joint_org_avg": 0.0, "enterprises_per_joint_org_max": 0,
    }  # fmt: skip
    assert (enterprise.base, enterprise.org_covered, enterprise.org_coverage_rate, enterprise.party_orgs) == (58, 54, 0.931, 33)
    assert figures(enterprise) == {
        "standalone_eligible": 22, "standalone_eligible_own_org": 19, "standalone_formation_rate": 0.8636,
        "with_members": 57, "with_members_covered": 54, "with_members_coverage_rate": 0.9474,
        "instructor_covered": 8, "instructor_coverage_rate": 0.1379,
        "stars": {"5": 6, "4": 8, "3": 6, "2": 0, "1": 0, "unrated": 13}, "demonstration_sites": 1,
        "enterprises_per_joint_org_avg": 3.625, "enterprises_per_joint_org_max": 4,
    }  # fmt: skip


def test_kind_groups_partition_the_totals():
    report = coverage_report(luzhai_with_figures().projection(), by="kind")
    for name in ("base", "org_covered", "standalone_eligible", "with_members_covered", "instructor_covered"):
        assert sum(getattr(group, name) for group in report.groups) == getattr(report.totals, name)


def test_a_joint_orgs_reach_is_its_own_in_every_group():
    """J covers E1 in 东园 and E2, E3 in 西园; K (joint) covers E4 alone; E5 is closed."""
    g = (
        GraphBuilder()
        .enterprise("E1", park="东园").enterprise("E2", park="西园").enterprise("E3", park="西园")
        .enterprise("E4", park="西园").enterprise("E5", park="东园", status="closed")
        .org("J", formation="joint").org("K", formation="joint")
        .rel("COVERS", "J", "E1").rel("COVERS", "J", "E2").rel("COVERS", "J", "E3").rel("COVERS", "J", "E5")
        .rel("COVERS", "K", "E4")
        .projection()
    )
    report = coverage_report(g, by="park")
    assert (report.totals.enterprises_per_joint_org_avg, report.totals.enterprises_per_joint_org_max) == (2.0, 3)
    assert [(grp.key, grp.joint_orgs, grp.enterprises_per_joint_org_avg, grp.enterprises_per_joint_org_max) for grp in report.groups] == [
        ("东园", 1, 3.0, 3),  # J reaches three base enterprises, whichever park it is seen from
        ("西园", 2, 2.0, 3),
    ]


def test_chain_groups_count_the_stars_of_their_committees():
    g = two_chains()
    for node in g.nodes:
        if node.id in ("K1", "S1"):
            node.props["star"] = 5 if node.id == "K1" else 2
        if node.id == "J1":
            node.props["demonstration"] = True
    report = coverage_report(g.projection(), by="chain")
    assert [(grp.key, grp.stars, grp.demonstration_sites) for grp in report.groups] == [
        ("C1", NO_STARS | {"5": 1, "2": 1, "unrated": 1}, 1),  # K1 leads C1; S1 covers E1, J1 covers E2
        ("C2", NO_STARS | {"unrated": 1}, 1),  # J1
        ("C3", NO_STARS | {"unrated": 1}, 0),  # K3 leads the empty chain
        ("", NO_STARS, 0),  # E4, in no chain, no org
    ]
    assert report.totals.stars == NO_STARS | {"5": 1, "2": 1, "unrated": 2}


def test_unknown_members_are_neither_eligible_nor_with_members():
    g = (
        GraphBuilder()
        .enterprise("E1").enterprise("E2", party_members=0).enterprise("E3", party_members=3)
        .org("N", formation=None).rel("COVERS", "N", "E3")
        .projection()
    )
    totals = coverage_report(g).totals
    # E3 is covered, but not by an org of its own: an org with no formation is not standalone
    assert (totals.standalone_eligible, totals.standalone_eligible_own_org, totals.standalone_formation_rate) == (1, 0, 0.0)
    assert (totals.with_members, totals.with_members_covered, totals.with_members_coverage_rate) == (1, 1, 1.0)


def test_empty_base_has_zero_figures():
    totals = coverage_report(GraphBuilder().enterprise("E1", status="closed").projection()).totals
    assert figures(totals) == {
        "standalone_eligible": 0, "standalone_eligible_own_org": 0, "standalone_formation_rate": 0.0,
        "with_members": 0, "with_members_covered": 0, "with_members_coverage_rate": 0.0,
        "instructor_covered": 0, "instructor_coverage_rate": 0.0,
        "stars": NO_STARS, "demonstration_sites": 0,
        "enterprises_per_joint_org_avg": 0.0, "enterprises_per_joint_org_max": 0,
    }  # fmt: skip
