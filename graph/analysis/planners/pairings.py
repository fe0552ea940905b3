"""Co-building pairings (结对共建): a strong organisation near each weak one.

Strong organisations (4–5 stars, demonstration sites, organisations of leading
enterprises) each carry at most ``capacity`` pairings, current ones included. Targets are
the weak organisations (star ≤ 2 or unrated) and the base enterprises without a party
organisation that no party organisation pairs with yet.

Nearness is measured between the enterprises each side covers (an uncovered enterprise
is its own site): hops along supply links (either direction, searched up to ``max_hops``),
a shared chain segment, a shared park. A pair is a candidate if it is within ``max_hops``
or shares a segment or a park; its cost (0 best) is::

    HOP_COST × hops (or × (max_hops + 1) if not linked) + OTHER_SEGMENT_COST + OTHER_PARK_COST

Speed: each target keeps only its ``nearest`` cheapest strong organisations, and each
strong organisation only its ``CANDIDATES_PER_SLOT`` best targets per free slot. That is a
restriction, not an exact reduction: a target whose nearest organisations are all full is
left over even if a farther one has room (the leftover says so). On small districts
nothing is cut and the plan is optimal. Ties are spread by a stable hash, so equally near
organisations share the work. How the candidates are found, in O(``nearest``) per target
however many organisations share its park or segment:
``graph.analysis.planners.pairing_candidates``. Targets with the same candidates share a
pool, and the assignment runs by shortest paths (``solve_assignment(method="auto")``),
exact on the candidates. The city demo (23,000 targets, 16,000 strong organisations,
170,000 candidate pairs): the "plan pairings" row of benchmarks/RESULTS.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chains_by_enterprise, chains_by_org, name_of, require_chain
from graph.analysis.planners.assignment import Person, solve_assignment
from graph.collector import collector_paused
from graph.analysis.planners.plan import PAIRINGS, Leftover, Plan, assignment_items, make_plan
from graph.analysis.planners.targets import enterprise_target, org_target, strong_orgs, weak_orgs
from graph.analysis.uncovered import uncovered_enterprises
from graph.projection import in_ids, out_ids
from graph.schema import Label, RelType

DEFAULT_CAPACITY = 3
DEFAULT_MAX_HOPS = 2
DEFAULT_NEAREST = 8
CANDIDATES_PER_SLOT = 10
HOP_COST = 2
OTHER_SEGMENT_COST = 2
OTHER_PARK_COST = 1

NO_STRONG_ORG = "附近没有强党组织（上下游、同环节、同园区都没有）"
NO_ROOM = "附近的强党组织结对名额已满"


@collector_paused()
def plan_pairings(
    g: nx.MultiDiGraph,
    *,
    chain: str | None = None,
    capacity: int = DEFAULT_CAPACITY,
    max_hops: int = DEFAULT_MAX_HOPS,
    nearest: int = DEFAULT_NEAREST,
) -> Plan:
    """Propose ``PAIRED_WITH`` (kind ``co_building``) from strong organisations to weak
    organisations and uncovered enterprises near them.

    Parameters
    ----------
    g : the projection; not mutated.
    chain : a Chain id: only that chain's targets (any strong organisation may pair).
    capacity : pairings one strong organisation can carry, current ones included.
    max_hops : how far along supply links to look.
    nearest : candidates kept per target (see the module docstring).

    Returns a ``Plan`` of kind ``pairings``; targets left unpaired are its leftovers.
    Raises ``NotFound`` for an unknown chain.

    >>> from graph.builder import GraphBuilder
    >>> g = (GraphBuilder().enterprise("E1", park="P").enterprise("E2", park="P")
    ...      .org("S", star=5).rel("COVERS", "S", "E1").org("W", star=1).rel("COVERS", "W", "E2")
    ...      .projection())
    >>> [(i.source, i.target) for i in plan_pairings(g).items]
    [('S', 'W')]
    """
    if chain is not None:
        require_chain(g, chain)
    # Pairs are made by nearness, never by chain: the chains of the organisations are needed
    # only to pick one chain's weak organisations (0.15 s at city scale otherwise).
    by_org = chains_by_org(g, by_enterprise=chains_by_enterprise(g)) if chain is not None else {}
    strong = strong_orgs(g)
    people = [Person(o, capacity=capacity, load=_pairings_made(g, o)) for o in strong]
    targets = [
        enterprise_target(u) for u in uncovered_enterprises(g, chain=chain) if not _paired_by_org(g, u.id)
    ] + [org_target(w) for w in weak_orgs(g, chain=chain, org_chains=by_org) if not _paired_by_org(g, w.id)]
    targets.sort(key=lambda t: (-t.priority, t.id))
    from graph.analysis.planners.pairing_candidates import near_candidates  # numpy: imported when pairs are planned

    pooled, candidates, near = near_candidates(g, targets, people, strong, max_hops=max_hops, nearest=nearest)
    # strong organisations have no minimum, and room and candidates are local: shortest paths first
    assignments = solve_assignment(
        people, pooled, candidates, method="auto", person_noun="强党组织", target_noun="结对对象"
    )
    paired = {a.target for a in assignments}
    leftovers = [
        Leftover(t.id, name_of(g, t.id), NO_ROOM if t.id in near else NO_STRONG_ORG) for t in targets if t.id not in paired
    ]
    return make_plan(
        g,
        PAIRINGS,
        assignment_items(g, assignments, RelType.PAIRED_WITH, props={"kind": "co_building"}),
        leftovers=leftovers,
        totals={"strong_orgs": len(people), "targets": len(targets)},
    )


def _pairings_made(g: nx.MultiDiGraph, org: str) -> int:
    return len(out_ids(g, org, RelType.PAIRED_WITH))


def _paired_by_org(g: nx.MultiDiGraph, node: str) -> bool:
    """Some party organisation already pairs with ``node``."""
    nodes = g._node  # raw attributes: the NodeView costs several times more
    return any(nodes[u]["label"] == Label.PARTY_ORG.value for u in in_ids(g, node, RelType.PAIRED_WITH))
