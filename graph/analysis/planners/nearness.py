"""How near each target is to each strong organisation, for all targets at once, over
integer arrays: supply-link hops, and the chain segments and parks they share.

Why arrays: at city scale 23,000 targets each reach some 30 strong organisations within
two hops, 760,000 pairs in all. Searched one target at a time with Python sets that was
0.9 s of ``plan pairings``; as joins of (target, enterprise) and (enterprise,
organisation) pairs it is a few sorts. The rules for what is near are the pairings
planner's (``graph.analysis.planners.pairings``); this module only counts.

Everything is numbered: enterprises in store order, targets and organisations as the
caller lists them, segments and parks in order of their ids (so that the lowest number
shared is the least id, as the reasons name it).
"""

from __future__ import annotations

import itertools

import numpy as np  # 0.1 s of import: this module is imported only when pairs are planned

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.projection import ids_with_label
from graph.schema import Label, RelType

_WORD = 64  # places per word of a bitmask


class Adjacency:
    """Row -> its values, from (row, value) pairs (compressed sparse rows)."""

    def __init__(self, rows: np.ndarray, values: np.ndarray, size: int):
        order = np.argsort(rows, kind="stable")
        self.values = values[order]
        self.starts = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=size), out=self.starts[1:])

    def count(self, rows: np.ndarray) -> int:
        """How many values ``rows`` have in all, with repeats."""
        return int((self.starts[rows + 1] - self.starts[rows]).sum())

    def expand(self, owners: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner, value) for every value of every row, each row's owner repeated."""
        starts = self.starts[rows]
        counts = self.starts[rows + 1] - starts
        ends = np.cumsum(counts)
        within = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - counts, counts)  # place in its row
        return np.repeat(owners, counts), self.values[np.repeat(starts, counts) + within]


class SupplyLinks:
    """The enterprises numbered in store order, and who supplies whom, either direction."""

    def __init__(self, g: nx.MultiDiGraph):
        enterprises = ids_with_label(g, Label.ENTERPRISE)
        self.number = number = {e: n for n, e in enumerate(enterprises)}
        succ, supplies = g._succ, RelType.SUPPLIES.value  # raw adjacency: the views cost several times more
        customers = [[number[v] for v, keyed in succ[e].items() if supplies in keyed] for e in enterprises]
        counts = np.fromiter(map(len, customers), dtype=np.int64, count=len(customers))
        heads = np.fromiter(itertools.chain.from_iterable(customers), dtype=np.int64, count=int(counts.sum()))
        tails = np.repeat(np.arange(len(enterprises), dtype=np.int64), counts)
        self.size = len(enterprises)
        self.neighbours = Adjacency(np.concatenate([tails, heads]), np.concatenate([heads, tails]), self.size)


BLOCK_PAIRS = 2**20  # (target, enterprise or organisation) pairs a block of targets may reach in all


Settled = Callable[[np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]
"""(targets, organisations, hops, level) -> the targets, sorted, the search may stop at."""


class _TooMany(Exception):
    """A block of targets reaches more pairs than ``BLOCK_PAIRS``: it is split."""


def supply_hops(
    links: SupplyLinks,
    sites: tuple[list[int], list[int]],
    covers: tuple[list[int], list[int]],
    orgs: int,
    max_hops: int,
    *,
    block_pairs: int = BLOCK_PAIRS,
    settled: Settled | None = None,
):
    """The fewest supply-link hops (either direction, at most ``max_hops``) from one of a
    target's enterprises to one an organisation covers: yields (target, organisation,
    hops) arrays for every pair within reach, a block of targets at a time, in order of
    target, then organisation.

    ``sites`` are (target, enterprise) pairs in order of target, ``covers`` (organisation,
    enterprise) pairs, ``orgs`` how many organisations are numbered. Level by level, as a
    breadth-first search from all of a block's targets at once: the organisations covering
    an enterprise, or one next to an enterprise exactly ``hop - 1`` away, are at most
    ``hop`` away; the minimum over levels is the fewest hops, and the farthest level of
    enterprises is never listed.

    Why blocks: each hop multiplies what is reached. At city scale three hops reach 30
    million (target, enterprise) pairs and four most of the graph for every target, which
    held at once is gigabytes. Targets are independent, so a block is searched whole if
    its levels together reach no more than ``block_pairs`` pairs, else it is halved (a single
    target is always searched, however far it reaches); the next block starts at the
    size that last fitted, and grows again while blocks fit.

    ``settled``, if given, is asked after each level which targets need look no further,
    from the pairs found so far (target, organisation, fewest hops) and that level: their
    enterprises are dropped from the search, and they have no pairs beyond it.
    """
    by_target, by_enterprise = (np.array(x, dtype=np.int64) for x in sites)
    covers = tuple(np.array(x, dtype=np.int64) for x in covers)
    covering = Adjacency(covers[1], covers[0], links.size)
    next_to = None
    if max_hops > 0:
        # enterprise -> the organisations covering one of its neighbours, each once
        org, near = links.neighbours.expand(covers[0], covers[1])
        near, org = np.divmod(_distinct(near * orgs + org), orgs)
        next_to = Adjacency(near, org, links.size)
    targets = int(by_target[-1]) + 1 if len(by_target) else 0
    bounds = np.searchsorted(by_target, np.arange(targets + 1))  # where each target's sites begin
    first, size = 0, max(targets, 1)
    while first < targets:
        last = min(first + size, targets)
        block = slice(bounds[first], bounds[last])
        try:
            yield _block_hops(
                links, covering, next_to, by_target[block], by_enterprise[block], orgs, max_hops,
                block_pairs if last - first > 1 else None, settled,
            )
        except _TooMany:
            size = max(1, (last - first) // 2)
            continue
        first, size = last, size * 2


def _block_hops(
    links: SupplyLinks,
    covering: Adjacency,
    next_to: Adjacency | None,
    by_target: np.ndarray,
    by_enterprise: np.ndarray,
    orgs: int,
    max_hops: int,
    limit: int | None,
    settled: Settled | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``supply_hops`` for one block of targets; ``_TooMany`` if the pairs found and
    reached, counted with repeats, would be more than ``limit`` (None: no limit)."""
    held = 0

    def expand(adjacency: Adjacency, owners: np.ndarray, rows: np.ndarray):
        nonlocal held
        held += adjacency.count(rows)
        if limit is not None and held > limit:
            raise _TooMany
        return adjacency.expand(owners, rows)

    levels = max_hops + 1
    # (target, organisation, hops) as one number: sorted, the first of each pair has its fewest hops
    found = _fewest(_numbered(*expand(covering, by_target, by_enterprise), 0, orgs, levels), levels)
    if next_to is not None:
        seen = _distinct(by_target * links.size + by_enterprise)  # (target, enterprise) as one number
        for hop in range(1, max_hops + 1):
            if settled is not None and len(by_target):
                done = settled(*_unnumbered(found, orgs, levels), hop - 1)
                by_target, by_enterprise = (x[~_sorted_in(by_target, done)] for x in (by_target, by_enterprise))
            found = np.concatenate([found, _numbered(*expand(next_to, by_target, by_enterprise), hop, orgs, levels)])
            found = _fewest(found, levels)
            if hop < max_hops:
                further_target, further = expand(links.neighbours, by_target, by_enterprise)
                reached = _distinct(further_target * links.size + further)
                del further_target, further
                reached = reached[~_sorted_in(reached, seen)]
                seen = np.sort(np.concatenate([seen, reached]))
                by_target, by_enterprise = np.divmod(reached, links.size)
    return _unnumbered(found, orgs, levels)


def _numbered(targets: np.ndarray, found: np.ndarray, hop: int, orgs: int, levels: int) -> np.ndarray:
    """(target, organisation, hop) pairs as one number each."""
    return (targets * orgs + found) * levels + hop


def _unnumbered(numbers: np.ndarray, orgs: int, levels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pairs, hops = np.divmod(numbers, levels)
    return *np.divmod(pairs, orgs), hops


def _fewest(numbers: np.ndarray, levels: int) -> np.ndarray:
    """Each (target, organisation) once, with its fewest hops, sorted."""
    numbers = np.sort(numbers)
    return numbers[np.r_[True, numbers[1:] // levels != numbers[:-1] // levels]] if len(numbers) else numbers


def _distinct(numbers: np.ndarray) -> np.ndarray:
    """The distinct numbers, sorted (``np.unique`` hashes, and is many times slower here)."""
    numbers = np.sort(numbers)
    return numbers[np.r_[True, numbers[1:] != numbers[:-1]]] if len(numbers) else numbers


def _sorted_in(numbers: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Whether each of ``numbers`` is one of ``among`` (sorted)."""
    at = np.minimum(np.searchsorted(among, numbers), max(len(among) - 1, 0))
    return among[at] == numbers if len(among) else np.zeros(len(numbers), dtype=bool)


def place_masks(places: list[frozenset[str]], ids: list[str]) -> np.ndarray:
    """A bitmask for each owner of ``places`` (segments or parks), a bit for each of
    ``ids``, as many words as they need."""
    number = {x: n for n, x in enumerate(ids)}
    owners = np.array([n for n, its in enumerate(places) for _ in its], dtype=np.int64)
    place = np.array([number[x] for its in places for x in its], dtype=np.int64)
    masks = np.zeros((len(places), max(1, -(-len(ids) // _WORD))), dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), (place % _WORD).astype(np.uint64))
    np.bitwise_or.at(masks, (owners, place // _WORD), bits)
    return masks


def least_shared(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row, the lowest place set in both ``a`` and ``b``, or −1 if none."""
    shared = a & b
    nonzero = shared != 0
    word = nonzero.argmax(axis=1)
    bits = shared[np.arange(len(shared)), word]
    lowest = bits & (~bits + np.uint64(1))  # the lowest bit set alone: a power of two, exact as a float
    place = word * _WORD + np.frexp(lowest.astype(np.float64))[1].astype(np.int64) - 1
    return np.where(nonzero.any(axis=1), place, -1)


def place_in_group(groups: np.ndarray) -> np.ndarray:
    """For a sorted array, each element's place among the equal ones before it."""
    if not len(groups):
        return groups
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    return np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
