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
import zlib
from collections import defaultdict
from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx
    import numpy as np

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
    """Where the strong organisations sit: the enterprises each covers and their segments
    and parks; who sits in each segment, park, and segment and park together, every list
    in spread order (``_spread_key``)."""

    def __init__(self, g: nx.MultiDiGraph, strong: dict[str, tuple[str, ...]]):
        self.covers: list[tuple[str, str]] = []  # (strong org, enterprise it covers)
        self.segments: dict[str, frozenset[str]] = {}  # org -> segments of what it covers
        self.parks: dict[str, frozenset[str]] = {}  # org -> parks of what it covers
        self.spread: dict[str, int] = {}  # org -> its spread key
        by_segment, by_park, by_both = defaultdict(list), defaultdict(list), defaultdict(list)
        nodes, succ = g._node, g._succ  # raw attributes and adjacency: the views cost several times more
        covers, in_segment = RelType.COVERS.value, RelType.IN_SEGMENT.value
        # in spread order, so that every list below is sorted as it is filled
        for key, org in sorted((_spread_key(org), org) for org in strong):
            segments, parks = set(), set()
            for e, keyed in succ[org].items():
                if covers in keyed:
                    self.covers.append((org, e))
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


@dataclass(frozen=True)
class _Place:
    """Where a target sits: the enterprises it is (or covers), their segments and parks."""

    id: str
    enterprises: list[str]
    segments: frozenset[str]
    parks: frozenset[str]


def _places(g: nx.MultiDiGraph, targets: list[Target]) -> list[_Place]:
    nodes, succ = g._node, g._succ  # raw attributes and adjacency: the views cost several times more
    enterprise, covers, in_segment = Label.ENTERPRISE.value, RelType.COVERS.value, RelType.IN_SEGMENT.value
    found = []
    for t in targets:
        if nodes[t.id]["label"] == enterprise:
            enterprises = [t.id]
            segments = frozenset([s for s, keyed in succ[t.id].items() if in_segment in keyed])
            parks = frozenset([park]) if (park := nodes[t.id].get("park")) else frozenset()
        else:
            enterprises = [e for e, keyed in succ[t.id].items() if covers in keyed]
            segments = frozenset([s for e in enterprises for s, keyed in succ[e].items() if in_segment in keyed])
            parks = frozenset([park for e in enterprises if (park := nodes[e].get("park"))])
        found.append(_Place(t.id, enterprises, segments, parks))
    return found


@dataclass
class _Near:
    """Pairs of a target and one of its nearest strong organisations, as arrays of
    numbers (a target's place in the list, an organisation's in ``strong``): the pair's
    cost, the spread from the target's key to the organisation's, its hops (−1 if not
    linked by supply), and the least segment and park it shares (−1 if none, else a place
    in ``segment_ids`` and ``park_ids``)."""

    targets: np.ndarray
    orgs: np.ndarray
    costs: np.ndarray
    spreads: np.ndarray
    hops: np.ndarray
    segments: np.ndarray
    parks: np.ndarray
    segment_ids: list[str]
    park_ids: list[str]


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
    import numpy as np

    orgs = sorted(strong)  # numbered in order of id, as ties are broken
    near = _nearest_orgs(g, _Sites(g, strong), _places(g, targets), orgs, max_hops=max_hops, nearest=nearest)
    why, reasons = _reasons_by_kind(g, near)
    # each organisation's best per free slot: cheapest, then the highest priority, the
    # nearest spread, the least id
    free = {p.id: p.free * CANDIDATES_PER_SLOT for p in people}
    room = np.array([free.get(org, 0) for org in orgs], dtype=np.int64)
    id_rank = np.empty(len(targets), dtype=np.int64)
    id_rank[sorted(range(len(targets)), key=lambda n: targets[n].id)] = np.arange(len(targets))
    priority = np.array([t.priority for t in targets], dtype=np.float64)
    t, o = near.targets, near.orgs
    order = np.lexsort((id_rank[t], near.spreads, -priority[t], near.costs, o))
    offered = order[_place_in_group(o[order]) < room[o[order]]]
    # each target's offers in the order of ``people``
    person = {p.id: n for n, p in enumerate(people)}
    in_people = np.array([person.get(org, len(people)) for org in orgs], dtype=np.int64)
    offered = offered[np.lexsort((in_people[o[offered]], t[offered]))]
    offers = np.stack([o[offered], near.costs[offered], why[offered]], axis=1)
    first_offer = np.searchsorted(t[offered], np.arange(len(targets) + 1))
    # Pools are keyed by (org, cost, nearness): the partner's own reasons, added below,
    # follow from the org, so equal keys are equal candidates.
    pool_of: dict[bytes, int] = {}  # the candidates -> the first target offered exactly them
    pooled = []
    for n, target in enumerate(targets):
        begin, end = first_offer[n], first_offer[n + 1]
        first = pool_of.setdefault(offers[begin:end].tobytes(), n) if end > begin else n
        pooled.append(Target(target.id, target.priority, target.chains, target.reasons, pool=("near", targets[first].id)))
    partner: dict[int, tuple[str, ...]] = {}  # org -> why it is strong, as the pair's reasons say it
    found = []
    for n in pool_of.values():
        pool = ("near", targets[n].id)
        for org, cost, kind in offers[first_offer[n] : first_offer[n + 1]].tolist():
            if org not in partner:
                partner[org] = tuple(f"结对方：{r}" for r in strong[orgs[org]])
            found.append(Candidate(orgs[org], pool, cost, reasons[kind] + partner[org]))
    return pooled, found, {targets[n].id for n in np.unique(t).tolist()}


def _reasons_by_kind(g: nx.MultiDiGraph, near: _Near):
    """Each pair's kind of nearness (a number, the same for the same reasons) and the
    reasons of each kind."""
    import numpy as np

    segments, parks = len(near.segment_ids) + 1, len(near.park_ids) + 1
    kinds, kind_of = np.unique(((near.hops + 1) * segments + near.segments + 1) * parks + near.parks + 1, return_inverse=True)
    number: dict[tuple[str, ...], int] = {}  # reasons -> their number: names may repeat, so reasons decide
    same = []
    for kind in kinds.tolist():
        rest, park = divmod(kind, parks)
        hops, segment = divmod(rest, segments)
        reasons = _nearness_reasons(
            g,
            hops - 1 if hops else None,
            near.segment_ids[segment - 1] if segment else None,
            near.park_ids[park - 1] if park else None,
        )
        same.append(number.setdefault(reasons, len(number)))
    return np.array(same, dtype=np.int64)[kind_of], list(number)


def _place_in_group(groups):
    """For a sorted array, each element's place among the equal ones before it."""
    import numpy as np

    if not len(groups):
        return groups
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    return np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))


def _nearest_orgs(
    g: nx.MultiDiGraph, sites: _Sites, places: list[_Place], orgs: list[str], *, max_hops: int, nearest: int
) -> _Near:
    """Each target's ``nearest`` cheapest strong organisations: at equal cost those linked
    by supply first, then by spread from the target's key, then by id.

    The organisations linked by supply come for all targets at once from
    ``nearness.supply_hops``, with their costs from bitmasks of segments and parks. The
    others come in three tiers of one cost each — same segment and park, same segment,
    same park — which can hold thousands, so a tier is walked (``_with_tiers``) only while
    places are left, in spread order starting at the target's own key: O(``nearest``) per
    target, and equally near organisations share the work. Linked organisations cost at
    most the cheapest tier fill every place for two targets in three at city scale; no
    tier is looked at for those."""
    import numpy as np

    from graph.analysis.planners import nearness  # numpy: imported when pairs are planned

    links = nearness.SupplyLinks(g)
    org_number = {org: n for n, org in enumerate(orgs)}
    by_target = [n for n, place in enumerate(places) for _ in place.enterprises]
    enterprises = [links.number[e] for place in places for e in place.enterprises]
    covers = ([org_number[org] for org, _ in sites.covers], [links.number[e] for _, e in sites.covers])
    t, o, hops = nearness.supply_hops(
        links,
        (np.array(by_target, dtype=np.int64), np.array(enterprises, dtype=np.int64)),
        (np.array(covers[0], dtype=np.int64), np.array(covers[1], dtype=np.int64)),
        len(orgs),
        max_hops,
    )
    own = np.array([org_number.get(place.id, -1) for place in places], dtype=np.int64)
    linked = o != own[t]
    t, o, hops = t[linked], o[linked], hops[linked]

    segment_ids = sorted(set().union(*sites.segments.values(), *(place.segments for place in places)))
    park_ids = sorted(set().union(*sites.parks.values(), *(place.parks for place in places)))
    masks = []
    for ids, of_org, of_place in (
        (segment_ids, sites.segments, lambda place: place.segments),
        (park_ids, sites.parks, lambda place: place.parks),
    ):
        number = {x: n for n, x in enumerate(ids)}
        pairs = [(n, number[x]) for n, org in enumerate(orgs) for x in of_org[org]]
        by_org = nearness.place_masks([n for n, _ in pairs], [x for _, x in pairs], len(orgs), len(ids))
        pairs = [(n, number[x]) for n, place in enumerate(places) for x in of_place(place)]
        masks.append((nearness.place_masks([n for n, _ in pairs], [x for _, x in pairs], len(places), len(ids)), by_org))
    (segments_of_target, segments_of_org), (parks_of_target, parks_of_org) = masks
    costs = (
        HOP_COST * hops
        + np.where((segments_of_target[t] & segments_of_org[o]).any(axis=1), 0, OTHER_SEGMENT_COST)
        + np.where((parks_of_target[t] & parks_of_org[o]).any(axis=1), 0, OTHER_PARK_COST)
    )
    start = np.array([_spread_key(place.id) for place in places], dtype=np.int64)
    spread = np.array([sites.spread[org] for org in orgs], dtype=np.int64)
    spreads = (spread[o] - start[t]) % _TURN
    # by target, cost, spread, then id: the pairs come in order of target and id, and a
    # stable sort keeps that order at a tie (target and cost above the spread's 32 bits)
    order = np.argsort((t * (costs.max(initial=0) + 1) + costs) * _TURN + spreads, kind="stable")
    t, o, hops, costs, spreads = t[order], o[order], hops[order], costs[order], spreads[order]

    unlinked = HOP_COST * (max_hops + 1)  # the cheapest tier
    filled = np.bincount(t[costs <= unlinked], minlength=len(places)) >= nearest
    sitting = np.array([bool(place.segments or place.parks) for place in places], dtype=bool)
    walked = sitting & ~filled
    kept = ~walked[t] & (_place_in_group(t) < nearest)
    chosen = [(t[kept], o[kept], costs[kept], spreads[kept], hops[kept])]
    linked: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)  # walked target -> (cost, spread, org, hops)
    rows = np.flatnonzero(walked[t])
    for n, cost, offset, org, h in zip(*(x[rows].tolist() for x in (t, costs, spreads, o, hops))):
        linked[n].append((cost, offset, org, h))
    picked = [
        (n, *found)
        for n in np.flatnonzero(walked).tolist()
        for found in _with_tiers(sites, places[n], linked.get(n, []), org_number, max_hops=max_hops, nearest=nearest)
    ]
    if picked:
        chosen.append(np.array(picked, dtype=np.int64).T[[0, 3, 1, 2, 4]])
    t, o, costs, spreads, hops = (np.concatenate(part) for part in zip(*chosen))
    return _Near(
        t, o, costs, spreads, hops,
        nearness.least_shared(segments_of_target[t], segments_of_org[o]),
        nearness.least_shared(parks_of_target[t], parks_of_org[o]),
        segment_ids,
        park_ids,
    )


def _with_tiers(
    sites: _Sites,
    place: _Place,
    linked: list[tuple[int, int, int, int]],
    org_number: dict[str, int],
    *,
    max_hops: int,
    nearest: int,
) -> list[tuple[int, int, int, int]]:
    """A target's ``nearest`` cheapest, (cost, spread, org, hops or −1): its ``linked``
    organisations (cheapest first) and the unlinked ones of the three tiers, linked ones
    first at equal cost."""
    start, segments, parks = _spread_key(place.id), place.segments, place.parks
    linked_orgs = {org for _, _, org, _ in linked}
    org_segments, org_parks = sites.segments, sites.parks
    unlinked = HOP_COST * (max_hops + 1)
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
    found: list[tuple[int, int, int, int]] = []
    taken = 0  # of the linked ones
    for cost, places, in_both in tiers:
        while taken < len(linked) and linked[taken][0] <= cost and len(found) < nearest:
            found.append(linked[taken])
            taken += 1
        if len(found) >= nearest:
            return found
        for offset, org in _walk(places, start):
            if org_number[org] in linked_orgs or org == place.id or (in_both is not None and in_both(org)):
                continue
            found.append((cost, offset, org_number[org], -1))
            if len(found) >= nearest:
                return found
    return found + linked[taken : taken + nearest - len(found)]


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
