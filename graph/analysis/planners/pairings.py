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
organisations share the work. Finding the nearest costs O(``nearest``) per target however
many organisations share its park or segment (the unlinked ones come in three tiers of one
cost each, walked only as far as needed); the organisations linked by supply come from an
index of who is next to whom, built once from the covered enterprises, and are ranked one
cost at a time. Targets with the same candidates share a pool, and the assignment runs by
shortest paths (``solve_assignment(method="auto")``), exact on the candidates. The city
demo (23,000 targets, 16,000 strong organisations, 170,000 candidate pairs): the
"plan pairings" row of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import zlib
from collections import defaultdict

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chains_by_enterprise, chains_by_org, name_of, require_chain
from graph.analysis.planners.assignment import Candidate, Person, Target, solve_assignment
from graph.collector import collector_paused
from graph.analysis.planners.plan import PAIRINGS, Leftover, Plan, assignment_items, make_plan
from graph.analysis.planners.targets import enterprise_target, org_target, strong_orgs, weak_orgs
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
    pooled, candidates, near = _near_candidates(g, targets, people, strong, max_hops=max_hops, nearest=nearest)
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


# -- nearness --------------------------------------------------------------------------

_TURN = 2**32  # the spread keys run round a circle of crc32 values


class _Sites:
    """Where the strong organisations sit: who covers each enterprise; the segments and
    parks of the enterprises each covers; who sits in each segment, park, and segment and
    park together, every list in spread order (``_spread_key``); and the supply links."""

    def __init__(self, g: nx.MultiDiGraph, strong: dict[str, tuple[str, ...]]):
        self.g = g
        self.covering: dict[str, list[str]] = defaultdict(list)  # enterprise -> strong orgs covering it
        self.segments: dict[str, frozenset[str]] = {}  # org -> segments of what it covers
        self.parks: dict[str, frozenset[str]] = {}  # org -> parks of what it covers
        self.spread: dict[str, int] = {}  # org -> its spread key
        by_segment, by_park, by_both = defaultdict(list), defaultdict(list), defaultdict(list)
        nodes, succ = g._node, g._succ  # raw attributes and adjacency: the views cost several times more
        covers, in_segment, covering = RelType.COVERS.value, RelType.IN_SEGMENT.value, self.covering
        # in spread order, so that every list below is sorted as it is filled
        for key, org in sorted((_spread_key(org), org) for org in strong):
            segments, parks = set(), set()
            for e, keyed in succ[org].items():
                if covers in keyed:
                    covering[e].append(org)
                    segments.update(s for s, keyed in succ[e].items() if in_segment in keyed)
                    if park := nodes[e].get("park"):
                        parks.add(park)
            self.segments[org] = segments = frozenset(segments)
            self.parks[org] = parks = frozenset(parks)
            self.spread[org] = key
            keyed = (key, org)
            for segment in segments:
                by_segment[segment].append(keyed)
                for park in parks:
                    by_both[segment, park].append(keyed)
            for park in parks:
                by_park[park].append(keyed)
        self.by_segment, self.by_park, self.by_both = dict(by_segment), dict(by_park), dict(by_both)
        self.in_segment = {k: frozenset(org for _, org in v) for k, v in by_segment.items()}
        self.in_park = {k: frozenset(org for _, org in v) for k, v in by_park.items()}
        self.next_to = _next_to_index(g, self.covering)  # enterprise -> strong orgs one hop away

    def hops(self, enterprises: list[str], max_hops: int) -> list[set[str]]:
        """The strong organisations by fewest supply-link hops (either direction) from one
        of ``enterprises`` to one they cover: ``[at 0 hops, at 1, …, at max_hops]``.

        Level by level: the organisations next to (``_next_to_index``) the enterprises
        exactly ``hop - 1`` away are those covering one at most ``hop`` away, so the
        first level that finds an organisation gives its fewest hops; the last level of
        enterprises is never listed. Set operations throughout: about 30 organisations
        within two hops of a target at city scale."""
        covering, next_to = self.covering, self.next_to
        succ, pred, supplies = self.g._succ, self.g._pred, RelType.SUPPLIES.value  # raw adjacency: views cost more
        found: set[str] = set()
        for e in enterprises:
            if e in covering:
                found.update(covering[e])
        levels = [found]
        found = set(found)
        seen = set(enterprises)
        frontier = enterprises
        for hop in range(1, max_hops + 1):
            reached = set().union(*[next_to[e] for e in frontier if e in next_to])
            reached -= found
            levels.append(reached)
            if hop < max_hops:
                found |= reached
                further = {v for e in frontier for v, keyed in succ[e].items() if supplies in keyed}
                further.update(u for e in frontier for u, keyed in pred[e].items() if supplies in keyed)
                further -= seen
                seen |= further
                frontier = further
        return levels


def _next_to_index(g: nx.MultiDiGraph, covering: dict[str, list[str]]) -> dict[str, set[str]]:
    """Enterprise -> the strong organisations covering one of its supply neighbours.

    Built from the covered side: each covered enterprise hands its organisations to its
    neighbours, so the cost is the links of the covered enterprises (36,000 at city
    scale), once, not a look at every neighbour of every enterprise a search passes."""
    next_to: dict[str, set[str]] = defaultdict(set)
    supplies, succ, pred = RelType.SUPPLIES.value, g._succ, g._pred  # raw adjacency: views cost more
    for e, orgs in covering.items():
        for v, keyed in succ[e].items():
            if supplies in keyed:
                next_to[v].update(orgs)
        for u, keyed in pred[e].items():
            if supplies in keyed:
                next_to[u].update(orgs)
    return next_to


def _near_candidates(
    g: nx.MultiDiGraph,
    targets: list[Target],
    people: list[Person],
    strong: dict[str, tuple[str, ...]],
    *,
    max_hops: int,
    nearest: int,
) -> tuple[list[Target], list[Candidate], set[str]]:
    """The targets pooled, the candidate pairs, and the targets with some strong
    organisation near them.

    Each target's ``nearest`` strong organisations (``_nearest_orgs``), then each
    organisation's best ``CANDIDATES_PER_SLOT`` per free slot. Targets left with the same
    candidates (organisations, costs and reasons) share a pool, which keeps the
    assignment small without changing its answer."""
    sites = _Sites(g, strong)
    org_segments, org_parks = sites.segments, sites.parks
    reasons: dict[tuple, tuple[str, ...]] = {}  # (hops, segment, park) -> reasons, built once each
    nearest_of: dict[str, list[tuple]] = defaultdict(list)  # org -> [(cost, -priority, spread, target, why)]
    near: set[str] = set()
    nodes, succ = g._node, g._succ  # raw attributes and adjacency: the views cost several times more
    enterprise, covers, in_segment = Label.ENTERPRISE.value, RelType.COVERS.value, RelType.IN_SEGMENT.value
    for t in targets:
        if nodes[t.id]["label"] == enterprise:
            enterprises = [t.id]
            segments = frozenset([s for s, keyed in succ[t.id].items() if in_segment in keyed])
            parks = frozenset([park]) if (park := nodes[t.id].get("park")) else frozenset()
        else:
            enterprises = [e for e, keyed in succ[t.id].items() if covers in keyed]
            segments = frozenset([s for e in enterprises for s, keyed in succ[e].items() if in_segment in keyed])
            parks = frozenset([park for e in enterprises if (park := nodes[e].get("park"))])
        found = _nearest_orgs(sites, t.id, enterprises, segments, parks, max_hops=max_hops, nearest=nearest)
        if not found:
            continue
        near.add(t.id)
        # the segment and park a pair shares, the least of them if several: the target
        # usually has one of each, then a look-up says whether the organisation shares it
        one_segment = next(iter(segments)) if len(segments) == 1 else None
        one_park = next(iter(parks)) if len(parks) == 1 else None
        rank = -t.priority
        for cost, spread, org, hops in found:
            its = org_segments[org]
            if one_segment is not None:
                segment = one_segment if one_segment in its else None
            else:
                segment = min(its & segments, default=None)
            its = org_parks[org]
            if one_park is not None:
                park = one_park if one_park in its else None
            else:
                park = min(its & parks, default=None)
            why = reasons.get((hops, segment, park))
            if why is None:
                why = reasons[hops, segment, park] = _nearness_reasons(g, hops, segment, park)
            nearest_of[org].append((cost, rank, spread, t.id, why))
    offered: dict[str, list[tuple[str, int, tuple[str, ...]]]] = defaultdict(list)  # target -> [(org, cost, why)]
    for p in people:
        if p.id in nearest_of:
            for cost, _, _, target, why in heapq.nsmallest(p.free * CANDIDATES_PER_SLOT, nearest_of[p.id]):
                offered[target].append((p.id, cost, why))
    # Pools are keyed by (org, cost, nearness): the partner's own reasons, added below,
    # follow from the org, so equal keys are equal candidates.
    pool_of: dict[tuple, str] = {}  # the candidates -> the first target offered exactly them
    pooled = []
    for t in targets:
        offers = offered.get(t.id)
        first = pool_of.setdefault(tuple(offers), t.id) if offers else t.id
        pooled.append(Target(t.id, t.priority, t.chains, t.reasons, pool=("near", first)))
    partner: dict[str, tuple[str, ...]] = {}  # org -> why it is strong, as the pair's reasons say it
    found = []
    for offers, first in pool_of.items():
        pool = ("near", first)
        for org, cost, why in offers:
            if org not in partner:
                partner[org] = tuple(f"结对方：{r}" for r in strong[org])
            found.append(Candidate(org, pool, cost, why + partner[org]))
    return pooled, found, near


def _nearest_orgs(
    sites: _Sites,
    target: str,
    enterprises: list[str],
    segments: frozenset[str],
    parks: frozenset[str],
    *,
    max_hops: int,
    nearest: int,
) -> list[tuple[int, int, str, int | None]]:
    """The ``nearest`` cheapest strong organisations for a target: (cost, spread, org,
    hops or None), cheapest first.

    Organisations linked by supply (some 30) come from ``_linked_by_cost``, one cost at
    a time. The others come in three tiers of one cost each — same segment and park,
    same segment, same park — which can hold thousands, so a tier is walked only while
    places are left, in spread order starting at the target's own key: O(``nearest``)
    per target, and equally near organisations share the work. At equal cost linked
    organisations come first, so when the linked ones up to the cheapest tier fill every
    place (two targets in three at city scale) no tier is looked at."""
    if nearest <= 0:
        return []
    start = _spread_key(target)
    levels = sites.hops(enterprises, max_hops)
    linked_orgs: set[str] = set()
    for level in levels:
        level.discard(target)
        linked_orgs |= level
    linked = _linked_by_cost(sites, levels, linked_orgs, segments, parks) if linked_orgs else []
    spread = sites.spread
    found: list[tuple[int, int, str, int | None]] = []

    def take_linked(up_to: float) -> bool:
        """Linked organisations costing at most ``up_to`` (before unlinked ones of the
        same cost), one cost at a time, sorted by spread only when it is reached; True
        once every place is taken."""
        while linked and linked[0][0] <= up_to:
            cost, parts = linked.pop(0)
            ranked = sorted(((spread[org] - start) % _TURN, org, hops) for hops, orgs in parts for org in orgs)
            found.extend((cost, offset, org, hops) for offset, org, hops in ranked[: nearest - len(found)])
            if len(found) >= nearest:
                return True
        return False

    unlinked = HOP_COST * (max_hops + 1)
    if take_linked(unlinked):  # the cheapest tier costs `unlinked`
        return found
    org_segments, org_parks = sites.segments, sites.parks
    tiers = sorted(  # (cost, places, whether an org there is in the cheaper "both" tier instead)
        [
            (unlinked, [sites.by_both.get((s, p), ()) for s in segments for p in parks], None),
            (
                unlinked + OTHER_PARK_COST,
                [sites.by_segment.get(s, ()) for s in segments],
                lambda org: not org_parks[org].isdisjoint(parks),
            ),
            (
                unlinked + OTHER_SEGMENT_COST,
                [sites.by_park.get(p, ()) for p in parks],
                lambda org: not org_segments[org].isdisjoint(segments),
            ),
        ],
        key=lambda tier: tier[0],
    )
    for cost, places, in_both in tiers:
        if take_linked(cost):
            return found
        for offset, org in _walk(places, start):
            if org in linked_orgs or org == target or (in_both is not None and in_both(org)):
                continue
            found.append((cost, offset, org, None))
            if len(found) >= nearest:
                return found
    take_linked(math.inf)
    return found


def _linked_by_cost(
    sites: _Sites, levels: list[set[str]], linked: set[str], segments: frozenset[str], parks: frozenset[str]
) -> list[tuple[int, list[tuple[int, set[str]]]]]:
    """The organisations linked by supply (``levels``: by hops) by cost, cheapest first:
    [(cost, [(hops, orgs)])], no empty cost.

    Each level splits by set operations into its four costs (same segment and park, same
    segment, same park, neither); the caller sorts a cost by spread only if it gets to
    it: a target has some 30 linked organisations, most of them two hops away and sharing
    nothing (the dearest linked cost), and keeps only ``nearest`` candidates."""
    same_segment, same_park = _sitting_in(sites.in_segment, segments, linked), _sitting_in(sites.in_park, parks, linked)
    by_cost: dict[int, list[tuple[int, set[str]]]] = {}  # cost -> [(hops, orgs)]
    for hops, level in enumerate(levels):
        if level:
            cost = HOP_COST * hops
            in_segment, in_park = level & same_segment, level & same_park
            if not in_segment and not in_park:  # the usual case two hops away
                by_cost.setdefault(cost + OTHER_SEGMENT_COST + OTHER_PARK_COST, []).append((hops, level))
                continue
            in_both = in_segment & in_park
            for extra, orgs in (
                (0, in_both),
                (OTHER_PARK_COST, in_segment - in_both),
                (OTHER_SEGMENT_COST, in_park - in_both),
                (OTHER_SEGMENT_COST + OTHER_PARK_COST, level - in_segment - in_park),
            ):
                if orgs:
                    by_cost.setdefault(cost + extra, []).append((hops, orgs))
    return sorted(by_cost.items())


def _sitting_in(sitting: dict[str, frozenset[str]], places: frozenset[str], orgs: set[str]) -> set[str]:
    """Those of ``orgs`` that sit in one of ``places`` (``sitting``: place -> who sits there)."""
    # intersection() with a smaller set iterates over it: the few orgs, not the many sitting there
    found: set[str] = set()
    for place in places:
        if place in sitting:
            found |= sitting[place].intersection(orgs)
    return found


def _walk(places: list[list[tuple[int, str]]], start: int):
    """(spread, org) for every organisation on the lists (each sorted by spread key), once
    each, in order of spread: the distance round the circle from ``start`` to its key."""
    places = [orgs for orgs in places if orgs]
    if len(places) == 1:  # the usual case: one list, no repeats
        (orgs,) = places
        n = len(orgs)
        cut = bisect.bisect_left(orgs, (start,))
        for k in range(cut - n, cut):  # from the cut round to it, by negative indices first
            key, org = orgs[k]
            yield (key - start) % _TURN, org
        return
    runs = []
    for orgs in places:
        cut = bisect.bisect_left(orgs, (start,))
        runs.append(((key - start) % _TURN, org) for key, org in itertools.chain(orgs[cut:], orgs[:cut]))
    seen = set()
    for spread, org in heapq.merge(*runs):
        if org not in seen:
            seen.add(org)
            yield spread, org


def _spread_key(node: str) -> int:
    """A stable pseudo-random place on the circle for an id (the same in every run)."""
    return zlib.crc32(node.encode())


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
    nodes = g._node  # raw attributes: the NodeView costs several times more
    return any(nodes[u]["label"] == Label.PARTY_ORG.value for u in in_ids(g, node, RelType.PAIRED_WITH))
