"""The candidate pairs of the pairings planner (``graph.analysis.planners.pairings``):
each target's ``nearest`` strong organisations, then each organisation's best
``CANDIDATES_PER_SLOT`` targets per free slot, pooled.

Nearness and cost are the planner's (see its module docstring). Finding the nearest costs
O(``nearest``) per target however many organisations share its park or segment: the
organisations linked by supply are found for all targets at once over integer arrays
(``graph.analysis.planners.nearness``: 23,000 targets, 760,000 linked pairs at city
scale); the unlinked ones come in three tiers of one cost each, walked in Python only as
far as needed, for the third of targets whose linked organisations do not fill their
places. Each organisation's best targets, the offers and the pools are sorts over the
same arrays; a ``Candidate`` is made once per pool and organisation.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import zlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np  # 0.1 s of import: this module is imported only when pairs are planned

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import name_of
from graph.analysis.planners import nearness
from graph.analysis.planners.assignment import Candidate, Person, Target
from graph.analysis.planners.pairings import CANDIDATES_PER_SLOT, HOP_COST, OTHER_PARK_COST, OTHER_SEGMENT_COST
from graph.schema import Label, RelType

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
    """Where each target sits: an uncovered enterprise is its own site, a weak
    organisation sits where the enterprises it covers do."""
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
    numbers (a target's place in the list, an organisation's in order of id): the pair's
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


def near_candidates(
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
    orgs = sorted(strong)  # numbered in order of id, as ties are broken
    near = _nearest_orgs(g, _Sites(g, strong), _places(g, targets), orgs, max_hops=max_hops, nearest=nearest)
    kinds, reasons = _reasons_by_kind(g, near)
    offers, first_offer = _offers(near, kinds, targets, people, orgs)
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
    return pooled, found, {targets[n].id for n in np.flatnonzero(np.bincount(near.targets, minlength=len(targets)))}


def _offers(near: _Near, kinds: np.ndarray, targets: list[Target], people: list[Person], orgs: list[str]):
    """What each organisation offers: its best ``CANDIDATES_PER_SLOT`` per free slot
    among the targets it is nearest to (cheapest, then the highest priority, the nearest
    spread, the least id). Returns rows (org, cost, kind of nearness: ``kinds``) by
    target, each target's in the order of ``people``, and where each target's rows begin."""
    free = {p.id: p.free * CANDIDATES_PER_SLOT for p in people}
    room = np.array([free.get(org, 0) for org in orgs], dtype=np.int64)
    id_rank = np.empty(len(targets), dtype=np.int64)
    id_rank[sorted(range(len(targets)), key=lambda n: targets[n].id)] = np.arange(len(targets))
    priority = np.array([t.priority for t in targets], dtype=np.float64)
    t, o = near.targets, near.orgs
    order = np.lexsort((id_rank[t], near.spreads, -priority[t], near.costs, o))
    offered = order[nearness.place_in_group(o[order]) < room[o[order]]]
    # each target's offers in the order of ``people``
    person = {p.id: n for n, p in enumerate(people)}
    in_people = np.array([person.get(org, len(people)) for org in orgs], dtype=np.int64)
    offered = offered[np.lexsort((in_people[o[offered]], t[offered]))]
    offers = np.stack([o[offered], near.costs[offered], kinds[offered]], axis=1)
    return offers, np.searchsorted(t[offered], np.arange(len(targets) + 1))


def _reasons_by_kind(g: nx.MultiDiGraph, near: _Near):
    """Each pair's kind of nearness (a number, the same for the same reasons) and the
    reasons of each kind."""
    segments, parks = len(near.segment_ids) + 1, len(near.park_ids) + 1
    pair_kinds = ((near.hops + 1) * segments + near.segments + 1) * parks + near.parks + 1  # hops, segment, park: one number
    kinds, kind_of = np.unique(pair_kinds, return_inverse=True)
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


def _nearest_orgs(
    g: nx.MultiDiGraph, sites: _Sites, places: list[_Place], orgs: list[str], *, max_hops: int, nearest: int
) -> _Near:
    """Each target's ``nearest`` cheapest strong organisations (``orgs``, in order of id):
    at equal cost those linked by supply first, then by spread from the target's key,
    then by id.

    The organisations linked by supply come for all targets at once (``_linked_orgs``).
    The others come in three tiers of one cost each — same segment and park, same
    segment, same park — which can hold thousands, so a tier is walked (``_with_tiers``)
    only while places are left, in spread order starting at the target's own key:
    O(``nearest``) per target, and equally near organisations share the work. For two
    targets in three at city scale the linked organisations costing no more than the
    cheapest tier fill every place, and no tier is looked at."""
    segment_ids = sorted(set().union(*sites.segments.values(), *(place.segments for place in places)))
    park_ids = sorted(set().union(*sites.parks.values(), *(place.parks for place in places)))
    segments = (
        nearness.place_masks([place.segments for place in places], segment_ids),
        nearness.place_masks([sites.segments[org] for org in orgs], segment_ids),
    )
    parks = (
        nearness.place_masks([place.parks for place in places], park_ids),
        nearness.place_masks([sites.parks[org] for org in orgs], park_ids),
    )
    t, o, costs, spreads, hops = _linked_orgs(
        g, sites, places, orgs, segments, parks, max_hops=max_hops, nearest=nearest
    )

    unlinked = _unlinked_cost(max_hops)  # the cheapest tier
    filled = np.bincount(t[costs <= unlinked], minlength=len(places)) >= nearest
    in_tiers = np.array([bool(place.segments or place.parks) for place in places], dtype=bool)  # else none is
    walked = in_tiers & ~filled
    kept = ~walked[t] & (nearness.place_in_group(t) < nearest)
    chosen = [(t[kept], o[kept], costs[kept], spreads[kept], hops[kept])]
    linked: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)  # walked target -> (cost, spread, org, hops)
    rows = np.flatnonzero(walked[t])
    for n, cost, spread, org, h in zip(*(x[rows].tolist() for x in (t, costs, spreads, o, hops))):
        linked[n].append((cost, spread, org, h))
    org_number = {org: n for n, org in enumerate(orgs)}
    picked = [
        (n, org, cost, spread, h)
        for n in np.flatnonzero(walked).tolist()
        for cost, spread, org, h in _with_tiers(sites, places[n], linked[n], org_number, max_hops=max_hops, nearest=nearest)
    ]
    if picked:
        chosen.append(np.array(picked, dtype=np.int64).T)
    t, o, costs, spreads, hops = (np.concatenate(part) for part in zip(*chosen))
    return _Near(
        t,
        o,
        costs,
        spreads,
        hops,
        nearness.least_shared(segments[0][t], segments[1][o]),
        nearness.least_shared(parks[0][t], parks[1][o]),
        segment_ids,
        park_ids,
    )


def _unlinked_cost(max_hops: int) -> int:
    """The cost of an organisation no supply link reaches within ``max_hops``: one hop
    beyond the farthest linked one, before its segment and park costs."""
    return HOP_COST * (max_hops + 1)


def _linked_orgs(
    g: nx.MultiDiGraph,
    sites: _Sites,
    places: list[_Place],
    orgs: list[str],
    segments: tuple[np.ndarray, np.ndarray],
    parks: tuple[np.ndarray, np.ndarray],
    *,
    max_hops: int,
    nearest: int,
):
    """Each target's ``nearest`` cheapest strong organisations linked by supply, as arrays
    (target, org, cost, spread, hops) ordered by target, cost, spread and id (the order of
    ``orgs``).

    ``segments`` and ``parks`` are the bitmasks (``nearness.place_masks``) of the targets
    and of the organisations. Only the ``nearest`` cheapest are kept, block by block as
    ``nearness.supply_hops`` yields them: no target takes more from the linked ones, and a
    dearer linked organisation is never reached in the unlinked tiers either, as it costs
    less there as linked than the tier it sits in, after ``nearest`` cheaper ones. For the
    same reason a target's search stops after the level at which ``nearest`` organisations
    cost less than any a further hop could find (``settled``): without it four hops took
    12 s at city, most targets searching the whole graph for nothing."""
    links = nearness.SupplyLinks(g)
    org_number = {org: n for n, org in enumerate(orgs)}
    own = np.array([org_number.get(place.id, -1) for place in places], dtype=np.int64)
    start = np.array([_spread_key(place.id) for place in places], dtype=np.int64)
    spread_keys = np.array([sites.spread[org] for org in orgs], dtype=np.int64)

    def costs_of(t: np.ndarray, o: np.ndarray, hops: np.ndarray) -> np.ndarray:
        return (
            HOP_COST * hops
            + np.where((segments[0][t] & segments[1][o]).any(axis=1), 0, OTHER_SEGMENT_COST)
            + np.where((parks[0][t] & parks[1][o]).any(axis=1), 0, OTHER_PARK_COST)
        )

    def settled(t: np.ndarray, o: np.ndarray, hops: np.ndarray, level: int) -> np.ndarray:
        """The targets with ``nearest`` organisations cheaper than any found past ``level``."""
        others = o != own[t]
        cheaper = costs_of(t[others], o[others], hops[others]) < HOP_COST * (level + 1)
        return np.flatnonzero(np.bincount(t[others][cheaper], minlength=len(places)) >= nearest)

    kept = []
    for t, o, hops in nearness.supply_hops(
        links,
        ([n for n, place in enumerate(places) for _ in place.enterprises],
         [links.number[e] for place in places for e in place.enterprises]),
        ([org_number[org] for org, _ in sites.covers], [links.number[e] for _, e in sites.covers]),
        len(orgs),
        max_hops,
        settled=settled,
    ):
        others = o != own[t]  # a target is never its own partner
        t, o, hops = t[others], o[others], hops[others]
        costs = costs_of(t, o, hops)
        spreads = (spread_keys[o] - start[t]) % _TURN
        # by target, cost, spread, then id: the pairs come in order of target and id, and a
        # stable sort keeps that order at a tie (target and cost above the spread's 32 bits)
        order = np.argsort((t * (costs.max(initial=0) + 1) + costs) * _TURN + spreads, kind="stable")
        order = order[nearness.place_in_group(t[order]) < nearest]
        kept.append((t[order], o[order], costs[order], spreads[order], hops[order]))
    if not kept:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(5))
    return tuple(np.concatenate(part) for part in zip(*kept))


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
    unlinked = _unlinked_cost(max_hops)
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
