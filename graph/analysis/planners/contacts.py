"""Leaders' contact points (领导联系点): which leader should contact which target.

Every leader takes at least ``min_contacts`` and at most ``capacity`` contact points,
counting the ones they already have, and works inside the chains they are responsible
for (``RESPONSIBLE_FOR``). Targets are the base enterprises without a party organisation
and the weak organisations (star ≤ 2 or unrated) that no leader contacts yet, the most
important first (see ``assignment`` for the exact order of preferences).
"""

from __future__ import annotations

from typing import Collection

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chains_by_enterprise, chains_by_org, name_of, require_chain
from graph.analysis.planners.assignment import Person, chain_candidates, is_in_chain, solve_assignment
from graph.collector import collector_paused
from graph.analysis.planners.plan import CONTACTS, Plan, assignment_items, make_plan, unassigned_leftovers
from graph.analysis.planners.targets import enterprise_target, org_target, reached_by, weak_orgs
from graph.analysis.uncovered import uncovered_enterprises
from graph.errors import NotFound
from graph.projection import ids_with_label, out_ids
from graph.schema import Label, RelType

NO_LEADER = "没有可安排的领导（没有分管该产业链的领导）"
NO_ROOM = "领导联系名额已满，优先级靠后"


@collector_paused()
def plan_contacts(
    g: nx.MultiDiGraph,
    *,
    chain: str | None = None,
    leaders: Collection[str] | None = None,
    include_out_of_chain: bool = True,
) -> Plan:
    """Propose ``CONTACTS`` from leaders to uncovered enterprises and weak organisations.

    Parameters
    ----------
    g : the projection; not mutated.
    chain : a Chain id: plan only for the leaders responsible for it and the targets in it.
    leaders : Leader ids: plan only for these (e.g. a newly appointed team); the others'
        contacts stay as they are and their targets are not offered again.
    include_out_of_chain : let a leader who cannot reach ``min_contacts`` inside their
        chains take targets outside them (only as many as needed). ``False`` never does,
        and a leader short of targets in their chains makes the plan infeasible.

    Returns a ``Plan`` of kind ``contacts``; unassigned targets are its leftovers.

    Raises ``NotFound`` for an unknown chain or leader, ``PlanInfeasible`` when some leaders cannot
    all reach ``min_contacts`` (the message names them and how many are missing).

    >>> from graph.builder import GraphBuilder
    >>> g = (GraphBuilder().node("Leader", "L1").enterprise("E1").enterprise("E2", leading=True)
    ...      .projection())
    >>> [(i.source, i.target) for i in plan_contacts(g).items]
    [('L1', 'E2'), ('L1', 'E1')]
    """
    if chain is not None:
        require_chain(g, chain)
    wanted = _require_leaders(g, leaders)
    by_enterprise = chains_by_enterprise(g)
    people = [p for p in _leaders(g) if (chain is None or chain in p.chains) and (wanted is None or p.id in wanted)]
    targets = [
        enterprise_target(u)
        for u in uncovered_enterprises(g, chain=chain)
        if not reached_by(g, u.id, RelType.CONTACTS, Label.LEADER)
    ] + [
        org_target(w)
        for w in weak_orgs(g, chain=chain, org_chains=chains_by_org(g, by_enterprise=by_enterprise))
        if not reached_by(g, w.id, RelType.CONTACTS, Label.LEADER)
    ]
    targets.sort(key=lambda t: (-t.priority, t.id))
    grouped, pooled, candidates = chain_candidates(
        people,
        targets,
        out_of_chain="fallback" if include_out_of_chain else "never",
        chain_names={c: name_of(g, c) for c in ids_with_label(g, Label.CHAIN)},
    )
    hint = "" if include_out_of_chain else "只允许分管产业链内的联系对象；允许链外联系对象可放宽"
    assignments = solve_assignment(grouped, pooled, candidates, person_noun="领导", target_noun="联系对象", hint=hint)
    leftovers = unassigned_leftovers(g, pooled, candidates, assignments, no_candidate=NO_LEADER, no_room=NO_ROOM)
    return make_plan(
        g,
        CONTACTS,
        assignment_items(g, assignments, RelType.CONTACTS),
        leftovers=leftovers,
        totals={
            "leaders": len(people),
            "targets": len(targets),
            "in_chain": sum(map(is_in_chain, assignments)),
            "out_of_chain": sum(a.fallback for a in assignments),
        },
    )


def _require_leaders(g: nx.MultiDiGraph, leaders: Collection[str] | None) -> set[str] | None:
    if leaders is None:
        return None
    wanted = set(leaders)
    unknown = sorted(i for i in wanted if i not in g or g.nodes[i].get("label") != Label.LEADER.value)
    if unknown:
        raise NotFound(f"找不到领导 {'、'.join(unknown)}")
    return wanted


def _leaders(g: nx.MultiDiGraph) -> list[Person]:
    """Every leader as a Person: capacity, min_contacts, current contacts, chains."""
    return [
        Person(
            id=leader,
            capacity=g.nodes[leader]["capacity"],
            minimum=g.nodes[leader]["min_contacts"],
            load=len(out_ids(g, leader, RelType.CONTACTS)),
            chains=frozenset(out_ids(g, leader, RelType.RESPONSIBLE_FOR)),
        )
        for leader in ids_with_label(g, Label.LEADER)
    ]
