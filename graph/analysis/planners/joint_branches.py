"""Joint branches (联合党支部) for enterprises with one or two party members.

A branch needs at least three full members, so base enterprises without an organisation
and with 1–2 party members (remedy ``joint_needed``) are grouped with neighbours. In order:

1. group by park: within each park, enterprises (sorted by chain, segment, id) are taken in
   turn and a group closes as soon as it has ``min_members`` party members from at least
   two enterprises; a remainder too small for a group of its own joins the park's last
   group;
2. attach what is left to an existing joint organisation in the same park that covers
   fewer than ``MAX_JOINT_UNITS`` units (``JOINT_UNITS_RULE``: no more than 5);
3. group what is left by chain (across parks), the same way;
4. attach what is left to an existing joint organisation in the same chain, the same way;
5. the rest are leftovers, with the reason.

This is a greedy grouping, not a flow: groups are small and local, and the rules above
are what a planner would do by hand. New branches get the deterministic id
``JB-<park or chain>-<n>`` (the lowest ``n`` not already taken).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chains_by_org, name_of, require_chain
from graph.collector import collector_paused
from graph.analysis.planners.plan import JOINT_BRANCHES, Leftover, NewOrg, Plan, PlanItem, make_plan
from graph.analysis.uncovered import (
    JOINT_NEEDED,
    JOINT_UNITS_RULE,
    MAX_JOINT_UNITS,
    MIN_BRANCH_MEMBERS,
    UncoveredEnterprise,
    uncovered_enterprises,
)
from graph.projection import ids_with_label, out_ids
from graph.schema import Label, RelType

NO_NEIGHBOURS = "同园区、同产业链的待组建企业党员合计不足 {min_members} 人，附近也没有联合党组织"
JOINT_FULL = (
    "同园区、同产业链的待组建企业党员合计不足 {min_members} 人，"
    f"附近的联合党组织都已覆盖 {{max_units}} 个或更多单位（{JOINT_UNITS_RULE}）"
)
NO_PLACE = "未填写园区，也不在任何产业链，无法就近编组"


@dataclass
class _Group:
    key: str  # park or chain id, as in the new org's id
    by: str  # "园区" or "产业链"
    label: str  # the park or the chain's name
    members: list[UncoveredEnterprise]

    @property
    def party_members(self) -> int:
        return sum(u.party_members or 0 for u in self.members)

    def complete(self, min_members: int) -> bool:
        """Enough members, and joint: at least two enterprises."""
        return self.party_members >= min_members and len(self.members) >= 2


@collector_paused()
def plan_joint_branches(g: nx.MultiDiGraph, *, chain: str | None = None, min_members: int = MIN_BRANCH_MEMBERS) -> Plan:
    """Propose new joint branches (and ``COVERS`` from existing joint organisations) for the
    uncovered base enterprises with 1–2 party members.

    Parameters
    ----------
    g : the projection; not mutated.
    chain : a Chain id: only that chain's enterprises.
    min_members : party members a branch needs in total.

    Returns a ``Plan`` of kind ``joint_branches``: ``new_orgs`` are the proposed branches,
    ``items`` their ``COVERS`` plus the attachments to existing joint organisations.
    Raises ``NotFound`` for an unknown chain.

    >>> from graph.builder import GraphBuilder
    >>> b = GraphBuilder()
    >>> for e in ("E1", "E2"):
    ...     _ = b.enterprise(e, park="高新区", party_members=2)
    >>> [(o.id, o.members) for o in plan_joint_branches(b.projection()).new_orgs]
    [('JB-高新区-1', 4)]
    """
    if chain is not None:
        require_chain(g, chain)
    waiting = [u for u in uncovered_enterprises(g, chain=chain) if u.remedy == JOINT_NEEDED]
    joint = _joint_orgs(g)
    chain_name = partial(name_of, g)
    room = {org: MAX_JOINT_UNITS - len(out_ids(g, org, RelType.COVERS)) for org in joint["orgs"]}
    full_nearby: set[str] = set()  # enterprises left out only because nearby joint orgs are full
    groups: list[_Group] = []
    attached: list[PlanItem] = []

    groups += _grouped(waiting, lambda u: [u.park] if u.park else [], "园区", str, min_members)
    waiting = _ungrouped(waiting, groups)
    attached += _attach(g, waiting, joint["park"], room, full_nearby, lambda u: [u.park] if u.park else [], "同一园区")
    waiting = _unattached(waiting, attached)
    groups += _grouped(waiting, lambda u: sorted(u.chains), "产业链", chain_name, min_members)
    waiting = _ungrouped(waiting, groups)
    attached += _attach(g, waiting, joint["chain"], room, full_nearby, lambda u: sorted(u.chains), "同一产业链")
    waiting = _unattached(waiting, attached)

    new_orgs, covers = _new_orgs(g, groups, min_members)
    leftovers = [Leftover(u.id, u.name, _leftover_reason(u, full_nearby, min_members)) for u in waiting]
    return make_plan(
        g,
        JOINT_BRANCHES,
        covers + attached,
        new_orgs=new_orgs,
        leftovers=leftovers,
        totals={
            "enterprises": len(waiting) + sum(len(gr.members) for gr in groups) + len(attached),
            "grouped": sum(len(gr.members) for gr in groups),
            "attached": len(attached),
        },
    )


def _grouped(waiting, places, by: str, label, min_members: int) -> list[_Group]:
    """Greedy groups of ≥ ``min_members`` members per place (an enterprise joins the
    first of its places that makes a group)."""
    by_place: dict[str, list[UncoveredEnterprise]] = {}
    for u in sorted(waiting, key=lambda u: (sorted(u.chains), list(u.segments), u.id)):
        for place in places(u):
            by_place.setdefault(place, []).append(u)
    groups: list[_Group] = []
    taken: set[str] = set()
    for place in sorted(by_place):
        members = [u for u in by_place[place] if u.id not in taken]
        if not _Group(place, by, label(place), members).complete(min_members):
            continue
        place_groups = [_Group(place, by, label(place), [])]
        for u in members:
            if place_groups[-1].complete(min_members):
                place_groups.append(_Group(place, by, label(place), []))
            place_groups[-1].members.append(u)
        if not place_groups[-1].complete(min_members):  # the remainder joins the last complete group
            place_groups[-2].members += place_groups.pop().members
        taken.update(u.id for gr in place_groups for u in gr.members)
        groups += place_groups
    return groups


def _ungrouped(waiting: list[UncoveredEnterprise], groups: list[_Group]) -> list[UncoveredEnterprise]:
    grouped = {u.id for gr in groups for u in gr.members}
    return [u for u in waiting if u.id not in grouped]


def _unattached(waiting: list[UncoveredEnterprise], attached: list[PlanItem]) -> list[UncoveredEnterprise]:
    taken = {i.target for i in attached}
    return [u for u in waiting if u.id not in taken]


def _leftover_reason(u: UncoveredEnterprise, full_nearby: set[str], min_members: int) -> str:
    if not (u.park or u.chains):
        return NO_PLACE
    if u.id in full_nearby:
        return JOINT_FULL.format(min_members=min_members, max_units=MAX_JOINT_UNITS)
    return NO_NEIGHBOURS.format(min_members=min_members)


def _joint_orgs(g: nx.MultiDiGraph) -> dict[str, dict[str, list[str]]]:
    """Existing joint organisations by park and by chain (each list sorted by id), and
    all of them (``"orgs"``)."""
    chains_of = chains_by_org(g)
    by = {"park": {}, "chain": {}, "orgs": []}
    for org in sorted(ids_with_label(g, Label.PARTY_ORG)):
        if g.nodes[org].get("formation") != "joint":
            continue
        by["orgs"].append(org)
        for park in sorted({p for e in out_ids(g, org, RelType.COVERS) if (p := g.nodes[e].get("park"))}):
            by["park"].setdefault(park, []).append(org)
        for c in sorted(chains_of.get(org, ())):
            by["chain"].setdefault(c, []).append(org)
    return by


def _attach(g, waiting, orgs_at: dict[str, list[str]], room: dict[str, int], full_nearby: set[str], places, why: str):
    """``COVERS`` from an existing joint organisation sharing a place: the first by id that
    covers fewer than ``MAX_JOINT_UNITS`` units (``room`` counts down as they fill). Those
    with a joint organisation nearby but none with room are added to ``full_nearby``."""
    items = []
    for u in waiting:
        nearby = [(place, org) for place in places(u) for org in orgs_at.get(place, ())]
        place, org = next(((place, org) for place, org in nearby if room[org] > 0), (None, None))
        if org is None:
            if nearby:
                full_nearby.add(u.id)
            continue
        room[org] -= 1
        full_nearby.discard(u.id)
        shown = place if why == "同一园区" else name_of(g, place)
        reasons = (f"并入现有联合党组织（{why}：{shown}）", f"企业党员 {u.party_members} 人")
        items.append(PlanItem(org, u.id, RelType.COVERS, reasons, source_name=name_of(g, org), target_name=u.name))
    return items


def _new_orgs(g: nx.MultiDiGraph, groups: list[_Group], min_members: int) -> tuple[list[NewOrg], list[PlanItem]]:
    """Each group as a new joint branch with a free deterministic id, and its ``COVERS``."""
    orgs, covers = [], []
    counters: dict[str, int] = {}
    for gr in groups:
        n = counters.get(gr.key, 0) + 1
        while f"JB-{gr.key}-{n}" in g:
            n += 1
        counters[gr.key] = n
        org_id = f"JB-{gr.key}-{n}"
        first = gr.members[0].name
        name = f"{first}等{len(gr.members)}家单位联合党支部" if len(gr.members) > 1 else f"{first}联合党支部"
        reasons = (f"同一{gr.by}：{gr.label}", f"党员合计 {gr.party_members} 人（≥{min_members}）")
        chain = gr.key if gr.by == "产业链" else None
        park = gr.key if gr.by == "园区" else None
        orgs.append(NewOrg(org_id, name, gr.party_members, tuple(u.id for u in gr.members), park, chain, reasons))
        covers += [
            PlanItem(org_id, u.id, RelType.COVERS, reasons, source_name=name, target_name=u.name) for u in gr.members
        ]
    return orgs, covers
