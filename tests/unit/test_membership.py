"""Who belongs where (graph.analysis.membership) on hand-built graphs with literal answers."""

from __future__ import annotations

import pytest

from graph.builder import GraphBuilder
from graph.analysis.coverage import coverage_report
from graph.analysis.membership import (
    base_enterprises,
    chain_enterprises,
    chain_segments,
    chains_by_enterprise,
    chains_by_org,
    chains_by_segment,
    coverage_rate,
    enterprise_chains,
    enterprise_segments,
    industry_committees,
    is_active,
    is_base,
    is_industry_committee,
    is_weak_org,
    name_of,
    pairing_partners,
    require_chain,
    segment_enterprises,
    segment_order,
)
from graph.errors import NotFound


def district() -> GraphBuilder:
    """C1 (segments U, M), C2 (segment N); E2 sits in M and N, E4 in no segment."""
    return (
        GraphBuilder()
        .chain("C1", name="工程机械").chain("C2", name="新材料")
        .segment("M", "C1", "midstream").segment("U", "C1", "upstream").segment("N", "C2", "midstream")
        .enterprise("E1").enterprise("E2", name="").enterprise("E3", status="closed")
        .enterprise("E4", in_base=False).enterprise("E5", status="moved")
        .rel("IN_SEGMENT", "E1", "U").rel("IN_SEGMENT", "E2", "M").rel("IN_SEGMENT", "E2", "N")
        .rel("IN_SEGMENT", "E3", "N").rel("IN_SEGMENT", "E5", "U")
        .org("O1").rel("COVERS", "O1", "E1")
        .org("O2").rel("COVERS", "O2", "E4")  # covers an enterprise in no chain
        .org("K1", formation="industry").rel("LEADS", "K1", "C2")
    )  # fmt: skip


def test_the_base_is_in_base_and_active():
    g = district().projection()
    assert [(e, is_base(g, e), is_active(g, e)) for e in ["E1", "E2", "E3", "E4", "E5"]] == [
        ("E1", True, True), ("E2", True, True), ("E3", False, False), ("E4", False, True), ("E5", False, False),
    ]  # fmt: skip
    assert base_enterprises(g) == ["E1", "E2"]
    assert base_enterprises(g, chain="C2") == ["E2"]


def test_enterprises_segments_and_chains():
    g = district().projection()
    assert enterprise_segments(g, "E2") == ["M", "N"]
    assert enterprise_chains(g, "E2") == ["C1", "C2"]
    assert enterprise_chains(g, "E4") == []
    assert chains_by_enterprise(g) == {"E1": {"C1"}, "E2": {"C1", "C2"}, "E3": {"C2"}, "E5": {"C1"}}
    assert chains_by_segment(g) == {"M": ["C1"], "U": ["C1"], "N": ["C2"]}
    assert segment_enterprises(g, "U") == ["E1", "E5"]
    assert chain_enterprises(g, "C1") == {"E1", "E2", "E5"}
    assert chain_segments(g, "C1") == ["U", "M"]


def test_an_org_is_in_the_chains_it_covers_or_leads():
    g = district().projection()
    assert chains_by_org(g) == {"O1": {"C1"}, "K1": {"C2"}}
    assert chains_by_org(g, by_enterprise={"E4": {"C9"}}) == {"O2": {"C9"}, "K1": {"C2"}}


def test_require_chain_message():
    g = district().projection()
    require_chain(g, "C1")
    for wrong in ("NOPE", "E1"):
        with pytest.raises(NotFound) as refused:
            require_chain(g, wrong)
        assert str(refused.value) == f"找不到产业链 {wrong}；现有产业链：C1 工程机械、C2 新材料"
    with pytest.raises(NotFound, match="^找不到产业链 C1；还没有导入任何产业链$"):
        require_chain(GraphBuilder().projection(), "C1")
    with pytest.raises(NotFound, match="找不到产业链 E1"):
        chain_enterprises(g, "E1")


def test_name_of_falls_back_to_the_id():
    g = district().projection()
    assert (name_of(g, "C1"), name_of(g, "E2")) == ("工程机械", "E2")


def test_segment_order_stage_then_order_none_last_then_id():
    g = (
        GraphBuilder()
        .chain("C1")
        .segment("S5", "C1", None).segment("S4", "C1", "downstream")
        .segment("S3", "C1", "upstream").segment("S2", "C1", "upstream", order=2)
        .segment("S1", "C1", "upstream", order=5).segment("S0", "C1", "upstream", order=0)
        .projection()
    )  # fmt: skip
    assert chain_segments(g, "C1") == ["S0", "S2", "S1", "S3", "S4", "S5"]
    # one order for the chain view and for the coverage report's segment groups
    assert [grp.key for grp in coverage_report(g, by="segment", chain="C1").groups] == chain_segments(g, "C1")
    assert sorted([("b", None, "X"), ("a", 1, "Y")], key=lambda r: segment_order(*r)) == [("a", 1, "Y"), ("b", None, "X")]


def test_industry_committees_are_formed_so_or_lead_a_chain():
    g = (
        GraphBuilder()
        .chain("C1")
        .org("K", formation="industry").org("S", formation="standalone").org("J", formation="joint")
        .rel("LEADS", "S", "C1")
        .projection()
    )  # fmt: skip
    assert [(o, is_industry_committee(g, o)) for o in "KSJ"] == [("K", True), ("S", True), ("J", False)]
    assert industry_committees(g) == {"K", "S"}  # the same rule from the chains' side


def test_weak_orgs_are_low_or_unrated_and_carry_nobody():
    g = (
        GraphBuilder()
        .chain("C1")
        .enterprise("L", leading=True).enterprise("E")
        .org("one", star=1).org("two", star=2).org("unrated").org("three", star=3)
        .rel("COVERS", "one", "E").rel("COVERS", "two", "E").rel("COVERS", "unrated", "E").rel("COVERS", "three", "E")
        .org("idle", star=1)  # covers nobody: not at work, so not weak either (a split branch, a working committee)
        .org("demo", star=1, demonstration=True)
        .org("committee", formation="industry")
        .org("leads", star=2).rel("LEADS", "leads", "C1")
        .org("of_leader", star=2).rel("COVERS", "of_leader", "L")
        .org("of_other", star=2).rel("COVERS", "of_other", "E")
        .projection()
    )  # fmt: skip
    weak = [o for o in g if g.nodes[o]["label"] == "PartyOrg" and is_weak_org(g, o)]
    assert weak == ["one", "two", "unrated", "of_other"]
    # the planners' targets are the same organisations: one rule for the listings and the plans
    from graph.analysis.membership import chains_by_org
    from graph.analysis.planners.targets import weak_orgs

    assert sorted(w.id for w in weak_orgs(g, org_chains=chains_by_org(g))) == sorted(weak)


def test_pairing_partners_either_way():
    g = (
        GraphBuilder()
        .org("O1").org("O2").org("O3").node("Unit", "U1")
        .rel("PAIRED_WITH", "U1", "O1").rel("PAIRED_WITH", "O1", "O2").rel("COVERS", "O3", "O1")
        .projection()
    )  # fmt: skip
    assert pairing_partners(g, "O1") == {"U1", "O2"}
    assert pairing_partners(g, "O2") == {"O1"}
    assert pairing_partners(g, "O3") == set()


def test_coverage_rate_rounds_to_four_places():
    assert (coverage_rate(55, 65), coverage_rate(1, 3), coverage_rate(0, 0), coverage_rate(2, 2)) == (
        0.8462, 0.3333, 0.0, 1.0,
    )  # fmt: skip


def test_an_org_not_at_work_neither_helps_nor_is_helped():
    """QA round 10: the org of a closed enterprise was proposed as the stronger partner,
    and a split joint branch covering nobody was listed as needing one."""
    from graph.analysis.pairing_gaps import pairing_gaps
    from graph.analysis.planners import plan_pairings

    g = (
        GraphBuilder()
        .enterprise("E1", park="P").enterprise("E2", park="P", status="closed").enterprise("E3", park="P")
        .org("closed_strong", star=5).rel("COVERS", "closed_strong", "E2")
        .org("strong", star=5).rel("COVERS", "strong", "E1")
        .org("weak", star=1).rel("COVERS", "weak", "E3")
        .org("split", star=1)
        .projection()
    )  # fmt: skip
    assert [(i.source, i.target) for i in plan_pairings(g).items] == [("strong", "weak")]
    assert sorted(o.id for o in pairing_gaps(g).unpaired_orgs) == ["strong", "weak"]


def test_a_chains_name_where_its_code_is_asked_for_is_told_the_code():
    """QA round 11: `--chain 电子信息` of a chain a ledger made (CH-5da7b1bd) was answered
    with the whole list; the code to type is said."""
    import pytest

    from graph.analysis.membership import require_chain
    from graph.errors import NotFound

    g = GraphBuilder().chain("CH-5da7b1bd", name="电子信息").chain("C01", name="工程机械").projection()
    with pytest.raises(NotFound, match="产业链 电子信息 的编号是 CH-5da7b1bd，请填编号，如 --chain CH-5da7b1bd"):
        require_chain(g, "电子信息")
