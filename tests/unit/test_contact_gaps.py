"""Contact-point gaps on a hand-built district of three chains and four leaders."""

from __future__ import annotations

import copy

import pytest

from graph.builder import GraphBuilder
from graph.analysis.contact_gaps import (
    RULE_CAPACITY,
    RULE_CHAIN_CONTACTED,
    RULE_IN_CHAIN,
    RULE_MIN_CONTACTS,
    contact_gaps,
)
from graph.errors import NotFound


def district() -> GraphBuilder:
    b = (
        GraphBuilder()
        .chain("C1", name="工程机械").chain("C2", name="新材料").chain("C3", name="电子信息")
        .segment("S1", "C1", "midstream").segment("S2", "C2", "midstream").segment("S3", "C3", "upstream")
    )
    for enterprise, segment in [("e1", "S1"), ("e2", "S2"), ("e3", "S3")]:
        b.enterprise(enterprise).rel("IN_SEGMENT", enterprise, segment)
    b.enterprise("e4", name="园外企业")  # in no chain
    b.org("O1").rel("COVERS", "O1", "e1").org("O2", name="新材料支部").rel("COVERS", "O2", "e2")
    (
        # P1: chain C1, capacity 2, three contacts, one of them in C2
        b.node("Leader", "P1", name="张三", capacity=2)
        .rel("RESPONSIBLE_FOR", "P1", "C1")
        .rel("CONTACTS", "P1", "O1").rel("CONTACTS", "P1", "e1").rel("CONTACTS", "P1", "O2")
        # P2: chain C2, no contact (schema default min_contacts 1)
        .node("Leader", "P2", name="李四").rel("RESPONSIBLE_FOR", "P2", "C2")
        # P3: no chain, must take two, takes one outside every chain: not "outside" for lack of a chain
        .node("Leader", "P3", name="王五", min_contacts=2).rel("CONTACTS", "P3", "e4")
        # P4: chain C1, contacts an enterprise in no chain
        .node("Leader", "P4", name="赵六").rel("RESPONSIBLE_FOR", "P4", "C1").rel("CONTACTS", "P4", "e4")
    )
    return b


def test_leaders_below_minimum():
    gaps = contact_gaps(district().projection())
    assert [(l.id, l.contacts, l.min_contacts) for l in gaps.below_minimum] == [("P2", 0, 1), ("P3", 1, 2)]
    assert gaps.below_minimum[0].message == f"领导「李四」只有0个联系点，少于1个（规则：{RULE_MIN_CONTACTS}）"
    assert "至少联点1个两新党组织" in gaps.below_minimum[0].message


def test_leaders_over_capacity():
    gaps = contact_gaps(district().projection())
    assert [(l.id, l.contacts, l.capacity) for l in gaps.over_capacity] == [("P1", 3, 2)]
    assert gaps.over_capacity[0].message == f"领导「张三」有3个联系点，超过联系上限2个（规则：{RULE_CAPACITY}）"


def test_a_leader_exactly_at_capacity_is_not_over_it():
    b = district().node("Leader", "P5", capacity=1).rel("RESPONSIBLE_FOR", "P5", "C1").rel("CONTACTS", "P5", "O1")
    gaps = contact_gaps(b.projection())
    assert [l.id for l in gaps.over_capacity] == ["P1"]
    assert [l.id for l in gaps.below_minimum] == ["P2", "P3"]


def test_default_capacity_is_three():
    b = district()
    for target in ["e2", "e3", "O2"]:
        b.rel("CONTACTS", "P4", target)
    gaps = contact_gaps(b.projection())
    assert [(l.id, l.contacts, l.capacity) for l in gaps.over_capacity] == [("P1", 3, 2), ("P4", 4, 3)]


def test_contacts_outside_responsible_chains():
    gaps = contact_gaps(district().projection())
    assert [
        (o.leader, o.target, o.target_label, o.leader_chains, o.target_chains) for o in gaps.outside_responsibility
    ] == [
        ("P1", "O2", "PartyOrg", ["C1"], ["C2"]),
        ("P4", "e4", "Enterprise", ["C1"], []),
    ]
    assert gaps.outside_responsibility[0].message == (
        f"领导「张三」分管产业链「工程机械」，但联系点「新材料支部」属于产业链「新材料」（规则：{RULE_IN_CHAIN}）"
    )
    assert gaps.outside_responsibility[1].message == (
        f"领导「赵六」分管产业链「工程机械」，但联系点「园外企业」不在任何产业链上（规则：{RULE_IN_CHAIN}）"
    )


def test_an_org_leading_a_chain_is_in_it():
    b = district().org("O9").rel("LEADS", "O9", "C3").rel("CONTACTS", "P2", "O9")
    gaps = contact_gaps(b.projection())
    assert [c.id for c in gaps.chains_without_contact] == []
    assert [(o.leader, o.target) for o in gaps.outside_responsibility] == [("P1", "O2"), ("P2", "O9"), ("P4", "e4")]


def test_chains_without_any_contact_point():
    gaps = contact_gaps(district().projection())
    assert [c.id for c in gaps.chains_without_contact] == ["C3"]
    assert gaps.chains_without_contact[0].message == f"产业链「电子信息」没有任何领导干部联系点（规则：{RULE_CHAIN_CONTACTED}）"


def test_one_chain_only():
    g = district().projection()
    c2 = contact_gaps(g, chain="C2")
    assert [l.id for l in c2.below_minimum] == ["P2"]  # P3 neither leads nor contacts C2
    assert [l.id for l in c2.over_capacity] == ["P1"]  # P1 contacts O2 in C2
    assert [(o.leader, o.target) for o in c2.outside_responsibility] == [("P1", "O2")]
    assert c2.chains_without_contact == []
    c3 = contact_gaps(g, chain="C3")
    assert (c3.below_minimum, c3.over_capacity, c3.outside_responsibility) == ([], [], [])
    assert [c.id for c in c3.chains_without_contact] == ["C3"]


def test_unknown_chain_raises_not_found():
    with pytest.raises(NotFound, match="找不到产业链 C9"):
        contact_gaps(district().projection(), chain="C9")


def test_caller_graph_is_not_mutated():
    g = district().projection()
    before = copy.deepcopy((list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), g.graph))
    contact_gaps(g)
    assert (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), g.graph) == before
