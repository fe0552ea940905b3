"""What changed between two states of a hand-built district: exactly the expected list."""

from __future__ import annotations

from graph.builder import GraphBuilder
from graph.analysis.changes import (
    CHANGE_LISTS,
    EnterpriseChange,
    LinkChange,
    Named,
    Totals,
    changes,
    coverage_state,
    graph_names,
    in_chain,
    totals,
)
from graph.analysis.coverage import coverage_report
from graph.analysis.snapshot_states import decode_state, encode_state


def january() -> GraphBuilder:
    """Chain C1 (segment A: E1..E4), C2 (segment B: E5, E6). O1 (standalone) covers E1,
    J1 (joint) covers E2; L1 contacts E3; I1 is assigned to E4; U1 pairs with O1.
    E3 has 2 party members, E4 none, E6 three."""
    return (
        GraphBuilder()
        .chain("C1", name="工程机械").chain("C2", name="新材料")
        .segment("A", "C1", "upstream").segment("B", "C2", "midstream")
        .enterprise("E1", name="甲公司").enterprise("E2", name="乙公司").enterprise("E3", name="丙公司", party_members=2)
        .enterprise("E4", name="丁公司", party_members=0).enterprise("E5", name="戊公司")
        .enterprise("E6", name="己协会", kind="social_org", party_members=3)
        .rel("IN_SEGMENT", "E1", "A").rel("IN_SEGMENT", "E2", "A").rel("IN_SEGMENT", "E3", "A")
        .rel("IN_SEGMENT", "E4", "A").rel("IN_SEGMENT", "E5", "B").rel("IN_SEGMENT", "E6", "B")
        .org("O1", name="甲公司党支部").org("J1", name="联合党支部", formation="joint")
        .rel("COVERS", "O1", "E1").rel("COVERS", "J1", "E2")
        .node("Leader", "L1", name="张书记").node("Instructor", "I1", name="李指导员")
        .node("Unit", "U1", name="区税务局", kind="department")
        .rel("CONTACTS", "L1", "E3").rel("ASSIGNED_TO", "I1", "E4").rel("PAIRED_WITH", "U1", "O1")
    )


def february() -> GraphBuilder:
    """A month later: E5 closed (left the base), E7 registered (entered, uncovered);
    J1 dissolved and E2 lost its org; O3 formed and covers E3 and E6; E4 now has 1 member
    (instructor_needed -> joint_needed); L1 contacts E4 instead of E3; I1 also guides O3;
    U1 pairs with O3 instead of O1."""
    b = (
        GraphBuilder()
        .chain("C1", name="工程机械").chain("C2", name="新材料")
        .segment("A", "C1", "upstream").segment("B", "C2", "midstream")
        .enterprise("E1", name="甲公司").enterprise("E2", name="乙公司").enterprise("E3", name="丙公司", party_members=2)
        .enterprise("E4", name="丁公司", party_members=1).enterprise("E5", name="戊公司", status="closed")
        .enterprise("E6", name="己协会", kind="social_org", party_members=3).enterprise("E7", name="庚公司")
        .rel("IN_SEGMENT", "E1", "A").rel("IN_SEGMENT", "E2", "A").rel("IN_SEGMENT", "E3", "A")
        .rel("IN_SEGMENT", "E4", "A").rel("IN_SEGMENT", "E5", "B").rel("IN_SEGMENT", "E6", "B")
        .rel("IN_SEGMENT", "E7", "B")
        .org("O1", name="甲公司党支部").org("J1", name="联合党支部", formation="joint")
        .org("O3", name="丙己联合党支部", formation="joint")
        .rel("COVERS", "O1", "E1").rel("COVERS", "O3", "E3").rel("COVERS", "O3", "E6")
        .node("Leader", "L1", name="张书记").node("Instructor", "I1", name="李指导员")
        .node("Unit", "U1", name="区税务局", kind="department")
        .rel("CONTACTS", "L1", "E4").rel("ASSIGNED_TO", "I1", "E4").rel("ASSIGNED_TO", "I1", "O3")
        .rel("PAIRED_WITH", "U1", "O3")
    )
    return b


def test_two_states_list_exactly_the_expected_changes():
    before = coverage_state(january().projection())
    g = february().projection()
    found = changes(before, coverage_state(g), names=graph_names(g))
    assert found.before == Totals(base=6, org_covered=2, work_covered=2, uncovered=2,
                                  org_coverage_rate=0.3333, two_coverage_rate=0.6667, party_orgs=2)  # fmt: skip
    assert found.after == Totals(base=6, org_covered=3, work_covered=1, uncovered=2,
                                 org_coverage_rate=0.5, two_coverage_rate=0.6667, party_orgs=2)  # fmt: skip
    assert found.entered_base == (EnterpriseChange("E7", "庚公司", None, "none", None, "instructor_needed"),)
    assert found.left_base == (EnterpriseChange("E5", "戊公司", "none", None, "instructor_needed", None),)
    assert found.became_covered == (
        EnterpriseChange("E3", "丙公司", "work", "joint", "joint_needed", None),
        EnterpriseChange("E6", "己协会", "none", "joint", "standalone_needed", None),
    )
    assert found.became_uncovered == (EnterpriseChange("E2", "乙公司", "joint", "none", None, "instructor_needed"),)
    assert found.remedy_changed == (EnterpriseChange("E4", "丁公司", "work", "work", "instructor_needed", "joint_needed"),)
    assert found.orgs_formed == (Named("O3", "丙己联合党支部"),)
    assert found.orgs_dissolved == (Named("J1", "联合党支部"),)  # still in the graph, covers nobody
    assert found.contacts_added == (LinkChange("L1", "张书记", "E4", "丁公司"),)
    assert found.contacts_removed == (LinkChange("L1", "张书记", "E3", "丙公司"),)
    assert found.instructors_added == (LinkChange("I1", "李指导员", "O3", "丙己联合党支部"),)
    assert found.instructors_removed == ()
    assert found.pairings_added == (LinkChange("U1", "区税务局", "O3", "丙己联合党支部"),)
    assert found.pairings_removed == (LinkChange("U1", "区税务局", "O1", "甲公司党支部"),)
    assert found.count() == 13


def test_no_change_lists_nothing_and_same_rates():
    state = coverage_state(january().projection())
    found = changes(state, state)
    assert all(getattr(found, name) == () for name in CHANGE_LISTS)
    assert found.before == found.after and found.count() == 0


def test_names_default_to_ids():
    before = coverage_state(january().projection())
    after = coverage_state(february().projection())
    assert changes(before, after).orgs_formed == (Named("O3", "O3"),)


def test_state_totals_are_the_reports():
    for make in (january, february):
        g = make().projection()
        for chain in (None, "C1", "C2"):
            report = coverage_report(g, chain=chain).totals
            t = totals(coverage_state(g, chain=chain))
            assert (t.base, t.org_covered, t.work_covered, t.uncovered, t.org_coverage_rate, t.two_coverage_rate, t.party_orgs) == (
                report.base, report.org_covered, report.work_covered, report.uncovered,
                report.org_coverage_rate, report.two_coverage_rate, report.party_orgs,
            )  # fmt: skip


def test_a_whole_state_restricted_to_a_chain_is_that_chains_state():
    for make in (january, february):
        g = make().projection()
        for chain in ("C1", "C2"):
            assert in_chain(coverage_state(g), chain) == coverage_state(g, chain=chain)


def test_chain_changes_use_the_chains_of_the_time():
    before = in_chain(coverage_state(january().projection()), "C2")
    after = coverage_state(february().projection(), chain="C2")
    found = changes(before, after)
    assert [e.id for e in found.entered_base] == ["E7"] and [e.id for e in found.left_base] == ["E5"]
    assert [e.id for e in found.became_covered] == ["E6"] and found.became_uncovered == ()
    assert found.orgs_formed == (Named("O3", "O3"),) and found.orgs_dissolved == ()  # J1 was in C1 only
    assert (found.before.base, found.after.base, found.after.org_coverage_rate) == (2, 2, 0.5)


def test_a_state_survives_its_stored_form():
    for make in (january, february):
        state = coverage_state(make().projection())
        body = encode_state(state)
        assert set(body) == {"format", "data"} and body["data"].isascii()
        assert decode_state(body) == state


def test_a_delta_rebuilds_the_state_it_was_made_from():
    from graph.analysis.snapshot_states import apply_delta, encode_delta

    jan, feb = coverage_state(january().projection()), coverage_state(february().projection())
    for base, state in ((jan, feb), (feb, jan), (jan, jan)):
        body = encode_delta(base, state, "K")
        assert body["base"] == "K" and apply_delta(base, body) == state


def test_equal_chain_sets_in_a_state_are_one_object():
    """A state holds one set for each distinct set of chains (at 300k enterprises: 226
    sets instead of 380k, the state 116 -> 33 MB); the sets are still each node's own."""
    g = january().rel("IN_SEGMENT", "E6", "A").projection()
    state = coverage_state(g)
    assert state.chains["E1"] == frozenset({"C1"}) and state.chains["E5"] == frozenset({"C2"})
    assert state.chains["E6"] == frozenset({"C1", "C2"})
    assert state.chains["E1"] is state.chains["E2"] is state.chains["E3"] is state.chains["E4"]
    assert state.chains["E5"] is not state.chains["E1"]
    assert len({id(chains) for chains in state.chains.values()}) == len(set(state.chains.values()))


def test_an_org_is_not_in_a_chain_where_it_covers_only_a_closed_enterprise():
    """O1 covers E1 (C1) and the closed E5 (C2): `report` counts it in C1 only, and so does
    the state `changes` compares (QA round 8: 党组织 118 in changes, 117 in report)."""
    g = february().rel("COVERS", "O1", "E5").projection()
    for chain in ("C1", "C2"):
        assert totals(in_chain(coverage_state(g), chain)).party_orgs == coverage_report(g, chain=chain).totals.party_orgs
    assert "C2" not in coverage_state(g).chains["O1"]


def test_enterprises_gaining_or_losing_work_coverage_are_named():
    """Without an org both months: 丁 loses its instructor (work -> uncovered), 戊 gains a
    contact (uncovered -> work). Only the totals said so before (QA round 10: 工作覆盖 -1 /
    未覆盖 +1 and no enterprise to account for it)."""
    def month(instructor_on: str | None, contact_on: str | None) -> GraphBuilder:
        b = (GraphBuilder().chain("C1", name="工程机械").segment("A", "C1", "upstream")
             .enterprise("E4", name="丁公司", party_members=0).enterprise("E5", name="戊公司", party_members=0)
             .rel("IN_SEGMENT", "E4", "A").rel("IN_SEGMENT", "E5", "A")
             .node("Leader", "L1", name="张书记").node("Instructor", "I1", name="李指导员"))
        if instructor_on:
            b.rel("ASSIGNED_TO", "I1", instructor_on)
        if contact_on:
            b.rel("CONTACTS", "L1", contact_on)
        return b

    g = month(None, "E5").projection()
    found = changes(coverage_state(month("E4", None).projection()), coverage_state(g), names=graph_names(g))
    assert found.lost_work_coverage == (EnterpriseChange("E4", "丁公司", "work", "none", "instructor_needed", "instructor_needed"),)
    assert found.became_work_covered == (EnterpriseChange("E5", "戊公司", "none", "work", "instructor_needed", "instructor_needed"),)
    assert found.became_uncovered == () and found.became_covered == ()


def test_moving_between_chains_is_not_entering_or_leaving_the_base():
    """丁 (E4) moves from 工程机械 to 新材料 with its instructor; seen from C1 it left the
    chain, still in the base; from C2 it came in; the whole base sees no enterprise change
    (QA round 10: listed under 移出基数 / 之后：不在基数内 though still in the base)."""
    from graph.analysis.changes import in_chain_both

    moved = january()
    g = moved.projection()
    before = coverage_state(g)
    later = GraphBuilder()
    for node, attrs in g.nodes(data=True):
        later.node(attrs["label"], node, **{k: v for k, v in attrs.items() if k != "label"})
    for u, v, key in g.edges(keys=True):
        if (u, v) != ("E4", "A"):
            later.rel(key, u, v)
    later.rel("IN_SEGMENT", "E4", "B")
    g2 = later.projection()
    after = coverage_state(g2)
    old, new = in_chain_both(before, after, "C1")
    seen = changes(old, new, names=graph_names(g2), whole=(before, after))
    assert seen.left_chain == (EnterpriseChange("E4", "丁公司", "work", "work", "instructor_needed", "instructor_needed"),)
    assert seen.left_base == () and seen.entered_base == ()
    old, new = in_chain_both(before, after, "C2")
    seen = changes(old, new, names=graph_names(g2), whole=(before, after))
    assert [e.id for e in seen.entered_chain] == ["E4"] and seen.entered_base == ()
    assert [e.id for e in changes(before, after).entered_base + changes(before, after).left_base] == []
