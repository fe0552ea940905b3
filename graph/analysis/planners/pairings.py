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
strong organisation only its ``CANDIDATES_PER_SLOT`` best targets per free slot, so a park
with hundreds of strong organisations and thousands of targets stays a small network
(20,000 targets: a few seconds). That is a restriction, not an exact reduction: a target
whose nearest organisations are all full is left over even if a farther one has room (the
leftover says so). Ties are spread by a stable hash, so equally near organisations share
the work. On small districts nothing is cut and the plan is optimal.
"""

from __future__ import annotations

import heapq
import zlib
from collections import defaultdict

import networkx as nx

from graph.analysis.chain_structure import enterprise_chains, name_of, org_chains, require_chain
from graph.analysis.planners.assignment import Candidate, Person, Target, solve_assignment
from graph.analysis.planners.plan import PAIRINGS, Leftover, Plan, assignment_items, make_plan
from graph.analysis.planners.targets import enterprise_target, org_target, strong_org_reasons, weak_orgs
from graph.analysis.uncovered import uncovered_enterprises
from graph.projection import ids_with_label, in_ids, out_ids
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

    >>> from builders import GraphBuilder
    >>> g = (GraphBuilder().enterprise("E1", park="P").enterprise("E2", park="P")
    ...      .org("S", star=5).rel("COVERS", "S", "E1").org("W", star=1).rel("COVERS", "W", "E2")
    ...      .projection())
    >>> [(i.source, i.target) for i in plan_pairings(g).items]
    [('S', 'W')]
    """
    if chain is not None:
        require_chain(g, chain)
    by_org = org_chains(g, by_enterprise=enterprise_chains(g))
    strong = {o: reasons for o in ids_with_label(g, Label.PARTY_ORG) if (reasons := strong_org_reasons(g, o))}
    people = [Person(o, capacity=capacity, load=_pairings_made(g, o)) for o in strong]
    targets = [
        enterprise_target(u) for u in uncovered_enterprises(g, chain=chain) if not _paired_by_org(g, u.id)
    ] + [org_target(w) for w in weak_orgs(g, chain=chain, org_chains=by_org) if not _paired_by_org(g, w.id)]
    targets.sort(key=lambda t: (-t.priority, t.id))
    candidates, near = _near_candidates(g, targets, people, strong, max_hops=max_hops, nearest=nearest)
    assignments = solve_assignment(people, targets, candidates, person_noun="强党组织", target_noun="结对对象")
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


# -- nearness --------------------------------------------------------------------------


class _Sites:
    """Where the strong organisations sit: for each enterprise within ``max_hops`` supply
    links of one they cover, how many hops; and the segments and parks of the enterprises
    they cover."""

    def __init__(self, g: nx.MultiDiGraph, strong: dict[str, tuple[str, ...]], max_hops: int):
        self.hops: dict[str, dict[str, int]] = defaultdict(dict)  # enterprise -> org -> hops
        self.by_segment: dict[str, set[str]] = defaultdict(set)
        self.by_park: dict[str, set[str]] = defaultdict(set)
        for org in strong:
            covered = out_ids(g, org, RelType.COVERS)
            for e, hops in _supply_hops(g, covered, max_hops).items():
                self.hops[e][org] = hops
            for e in covered:
                for segment in out_ids(g, e, RelType.IN_SEGMENT):
                    self.by_segment[segment].add(org)
                if park := g.nodes[e].get("park"):
                    self.by_park[park].add(org)


def _near_candidates(
    g: nx.MultiDiGraph,
    targets: list[Target],
    people: list[Person],
    strong: dict[str, tuple[str, ...]],
    *,
    max_hops: int,
    nearest: int,
) -> tuple[list[Candidate], set[str]]:
    """The candidate pairs, and the targets with some strong organisation near them.

    Each target's ``nearest`` strong organisations, then each organisation's best
    ``CANDIDATES_PER_SLOT`` per free slot; ties are spread by a stable hash of the pair, so
    equally near organisations share the work instead of the lowest ids taking it all."""
    sites = _Sites(g, strong, max_hops)
    priority = {t.id: t.priority for t in targets}
    nearest_of: dict[str, list[tuple[tuple, str, tuple]]] = defaultdict(list)  # org -> [(rank, target, why)]
    near: set[str] = set()
    for t in targets:
        enterprises = [t.id] if g.nodes[t.id]["label"] == Label.ENTERPRISE.value else out_ids(g, t.id, RelType.COVERS)
        hops: dict[str, int] = {}
        for e in enterprises:
            for org, n in sites.hops.get(e, {}).items():
                hops[org] = min(n, hops.get(org, n))
        segments = {s for e in enterprises for s in out_ids(g, e, RelType.IN_SEGMENT)}
        parks = {p for e in enterprises if (p := g.nodes[e].get("park"))}
        same_segment = _near_by(segments, sites.by_segment)
        same_park = _near_by(parks, sites.by_park)
        ranked = []
        for org in hops.keys() | same_segment.keys() | same_park.keys():
            if org == t.id:
                continue
            cost = HOP_COST * hops.get(org, max_hops + 1)
            cost += 0 if org in same_segment else OTHER_SEGMENT_COST
            cost += 0 if org in same_park else OTHER_PARK_COST
            ranked.append((cost, _spread(t.id, org), org))
        if ranked:
            near.add(t.id)
        for cost, spread, org in heapq.nsmallest(nearest, ranked):
            why = _nearness_reasons(g, hops.get(org), same_segment.get(org), same_park.get(org))
            nearest_of[org].append(((cost, -priority[t.id], spread), t.id, why))
    found = []
    for p in people:
        for (cost, _, _), target, why in heapq.nsmallest(p.free * CANDIDATES_PER_SLOT, nearest_of[p.id]):
            found.append(Candidate(p.id, target, cost, why + tuple(f"结对方：{r}" for r in strong[p.id])))
    return found, near


def _spread(target: str, org: str) -> int:
    """A stable pseudo-random tie-breaker for a pair (the same in every run)."""
    return zlib.crc32(f"{target}\x1f{org}".encode())


def _supply_hops(g: nx.MultiDiGraph, start: list[str], max_hops: int) -> dict[str, int]:
    """Enterprise -> fewest supply-link hops from ``start`` (links followed in both
    directions), for every enterprise within ``max_hops``."""
    supplies = RelType.SUPPLIES.value
    succ, pred = g.succ, g.pred
    seen = dict.fromkeys(start, 0)
    frontier = list(start)
    for hop in range(1, max_hops + 1):
        following = []
        for e in frontier:
            for nxt, keyed in [*succ[e].items(), *pred[e].items()]:
                if supplies in keyed and nxt not in seen:
                    seen[nxt] = hop
                    following.append(nxt)
        frontier = following
    return seen


def _near_by(places: set[str], orgs_at: dict[str, set[str]]) -> dict[str, str]:
    """Strong organisation -> one shared place (the smallest, for a stable reason)."""
    found: dict[str, str] = {}
    for place in sorted(places):
        for org in orgs_at.get(place, ()):
            found.setdefault(org, place)
    return found


def _nearness_reasons(g: nx.MultiDiGraph, hops: int | None, segment: str | None, park: str | None) -> tuple[str, ...]:
    reasons = []
    if hops == 0:
        reasons.append("覆盖同一企业")
    elif hops is not None:
        reasons.append("上下游直接相连" if hops == 1 else f"上下游相距 {hops} 步")
    if segment is not None:
        reasons.append(f"同一环节：{name_of(g, segment)}")
    if park is not None:
        reasons.append(f"同一园区：{park}")
    return tuple(reasons)


def _pairings_made(g: nx.MultiDiGraph, org: str) -> int:
    return len(out_ids(g, org, RelType.PAIRED_WITH))


def _paired_by_org(g: nx.MultiDiGraph, node: str) -> bool:
    """Some party organisation already pairs with ``node``."""
    return any(g.nodes[u]["label"] == Label.PARTY_ORG.value for u in in_ids(g, node, RelType.PAIRED_WITH))
