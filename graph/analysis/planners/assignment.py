"""The shared core of the planners: people → targets as a minimum-cost flow.

People (leaders, instructors, strong organisations) each take between ``minimum`` and
``capacity`` targets, counting what they already have (``load``); every target gets at most
one person; only the given candidate pairs may be made. Among all assignments that respect
that, the solver picks the best one in this order (each rule outranks all later ones):

1. the fewest *fallback* pairs (out-of-chain pairs, used only to reach a minimum);
2. the most pairs (spare capacity is used while there are targets left);
3. the lowest total pair cost (in-chain before no-chain, near before far; with
   ``chain_candidates``, a target's ``rank`` outweighs its chains);
4. the highest total target priority.

Targets come in *pools*: targets every person sees alike (same candidates, same costs),
such as all targets with the same chains. People come in *groups*: people who see every
pool alike, such as all leaders responsible for the same chains. A candidate pairs a
group with a pool; by default every target is its own pool and every person their own
group. The flow network, built fresh for every call (inputs are never mutated), is::

    source ──[need, free]──► person ──[0, free]──► group ──[0, Σ free]──► pool ══[0, n]══► sink
       └─────────────────────────────[unused capacity]───────────────────────────┘

where ``══`` is one edge per priority level of the pool, carrying as many units as the pool
has targets at that level (a group of one is its person's node). Grouping and pooling
keep the network small and exact: 2,000 leaders in 36 chain combinations over 23,000
targets in 205 make about 2,000 + 36 × 205 candidate edges, not 2,000 × 205 (or 2,000 ×
23,000), and no candidate pair is lost, because everyone in a group may take exactly what
the group may take, at the same cost. The flow into each group is split back onto its
people in the order given. (For people without a minimum, ``method="shortest_paths"``
finds the same optimum without building the network; see ``_ShortestPaths``.)

Each person's lower bound (``need`` = minimum − load) is moved into node demands, the
standard transformation for lower bounds: the person supplies ``need`` units itself and the
source edge keeps ``free − need``. The source → sink edge takes the capacity left unused.
Costs are integers: priorities are scaled by ``PRIORITY_SCALE``, and each rule above gets a
weight larger than everything the later rules can add up to over all ``K`` slots (``K`` =
everyone's free capacity together), so the order is exact, not a trade-off.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Hashable, Iterable, Literal


from graph.analysis.planners.network_simplex import network_simplex
from graph.errors import PlanInfeasible

PRIORITY_SCALE = 100  # priorities are floats; two decimals survive in the integer costs

# Pair costs of chain_candidates (rule 3 above; fallback pairs are rule 1).
IN_CHAIN = 0  # the person is responsible for one of the target's chains
NO_CHAIN = 1  # the person or the target is in no chain: no preference either way
OTHER_CHAIN = 2  # both are in chains, none shared (only with out_of_chain="costly")

# A target's rank adds this much per step to its pairs' cost: more than any difference in
# chain cost, so a lower rank is always served before a higher one (see ``Target.rank``).
RANK_STEP = OTHER_CHAIN + 1


@dataclass(frozen=True)
class ChainWording:
    """How a pair's chain relation reads in its reasons, for the kind of person."""

    in_chain: str  # followed by the shared chains' names in brackets
    no_chain: str
    out_of_chain: str  # a fallback pair
    other_chain: str


LEADER_WORDING = ChainWording(
    in_chain="分管产业链内",
    no_chain="不限产业链",
    out_of_chain="分管产业链外（仅为满足最少数量）",
    other_chain="分管产业链外",
)
IN_CHAIN_REASON = LEADER_WORDING.in_chain
NO_CHAIN_REASON = LEADER_WORDING.no_chain
OUT_OF_CHAIN_REASON = LEADER_WORDING.out_of_chain
OTHER_CHAIN_REASON = LEADER_WORDING.other_chain

OutOfChain = Literal["fallback", "costly", "never"]
Method = Literal["simplex", "shortest_paths", "auto"]
# "auto" gives the shortest paths this many edge scans per edge of the network, then the simplex
SHORTEST_PATHS_WORK = 5  # the city demo's pairings need 1.6; scarce room needs 50–300
_SHOWN = 10  # ids listed in an error message before "等 N 个"

_SOURCE, _SINK = ("source",), ("sink",)


@dataclass(frozen=True)
class Person:
    """Someone who takes targets: a leader, an instructor, a strong organisation.

    ``group`` groups people who see every pool alike; ``None`` means the person's id.
    """

    id: str
    capacity: int
    minimum: int = 0
    load: int = 0  # targets already taken; they count against capacity and minimum
    chains: frozenset[str] = frozenset()
    group: Hashable | None = None

    @property
    def group_key(self) -> Hashable:
        return self.id if self.group is None else self.group

    @property
    def free(self) -> int:
        """How many more targets this person can take."""
        return max(0, self.capacity - self.load)

    @property
    def need(self) -> int:
        """How many more targets this person must take."""
        return max(0, self.minimum - self.load)


@dataclass(frozen=True)
class Target:
    """Something that needs a person: an uncovered enterprise, a weak organisation.

    ``pool`` groups targets that every person sees alike; ``None`` means the target's id.
    ``rank`` (0 first) is an urgency above chains and priority: ``chain_candidates`` adds
    ``rank × RANK_STEP`` to the pairs' cost, more than any chain can save, so no target is
    left over while one of a higher rank is served.
    """

    id: str
    priority: float = 0
    chains: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()  # why it needs someone; carried into its assignment
    pool: Hashable | None = None
    rank: int = 0

    @property
    def pool_key(self) -> Hashable:
        return self.id if self.pool is None else self.pool


@dataclass(frozen=True)
class Candidate:
    """The people of group ``person`` (a person id when people are not grouped) may take
    targets of ``pool`` (a target id when targets are not pooled).

    ``cost`` ≥ 0, 0 best; ``fallback`` pairs are made only where a minimum needs them.
    """

    person: str
    pool: Hashable
    cost: int = 0
    reasons: tuple[str, ...] = ()
    fallback: bool = False


@dataclass(frozen=True)
class Assignment:
    """A pair the solver made, with its reasons (the pair's, then the target's)."""

    person: str
    target: str
    cost: int
    priority: float
    fallback: bool
    reasons: tuple[str, ...]


def chain_candidates(
    people: Iterable[Person],
    targets: Iterable[Target],
    *,
    out_of_chain: OutOfChain = "fallback",
    chain_names: dict[str, str] | None = None,
    wording: ChainWording = LEADER_WORDING,
) -> tuple[list[Person], list[Target], list[Candidate]]:
    """Group people and pool targets by their chains (and ``rank``), and pair every group
    with every pool by chain.

    In-chain pools cost ``IN_CHAIN``; a person or pool without chains ``NO_CHAIN``; the
    rest depends on ``out_of_chain``: ``"fallback"`` — only where a minimum cannot be met
    otherwise; ``"costly"`` — allowed at ``OTHER_CHAIN``; ``"never"`` — not at all. Each
    cost is raised by the pool's ``rank × RANK_STEP``. ``chain_names`` (chain id -> name)
    and ``wording`` make the reasons.

    Returns copies of the people with ``group`` set, copies of the targets with ``pool``
    set, and the candidates (one per group and pool).

    >>> grouped, pooled, found = chain_candidates(
    ...     [Person("L1", 2, chains=frozenset({"A"})), Person("L2", 2, chains=frozenset({"A"}))],
    ...     [Target("E1", chains=frozenset({"A"})), Target("E2", chains=frozenset({"A"}))])
    >>> [(c.person, c.pool, c.reasons) for c in found]
    [(('chains', frozenset({'A'})), ('chains', frozenset({'A'}), 0), ('分管产业链内（A）',))]
    """
    names = chain_names or {}
    grouped = [replace(p, group=("chains", p.chains)) for p in people]
    pooled = [replace(t, pool=("chains", t.chains, t.rank)) for t in targets]
    pools = list(dict.fromkeys(t.pool for t in pooled))
    in_chain_reasons: dict[frozenset[str], tuple[str]] = {}  # shared chains -> reasons, built once each
    found = []
    for group in dict.fromkeys(p.group for p in grouped):
        for pool in pools:
            person_chains, (_, chains, rank) = group[1], pool
            raised = rank * RANK_STEP
            shared = person_chains & chains
            if shared:
                if shared not in in_chain_reasons:
                    named = "、".join(names.get(c, c) for c in sorted(shared))
                    in_chain_reasons[shared] = (f"{wording.in_chain}（{named}）",)
                found.append(Candidate(group, pool, IN_CHAIN + raised, in_chain_reasons[shared]))
            elif not person_chains or not chains:
                found.append(Candidate(group, pool, NO_CHAIN + raised, (wording.no_chain,)))
            elif out_of_chain == "fallback":
                found.append(Candidate(group, pool, raised, (wording.out_of_chain,), fallback=True))
            elif out_of_chain == "costly":
                found.append(Candidate(group, pool, OTHER_CHAIN + raised, (wording.other_chain,)))
    return grouped, pooled, found


def solve_assignment(
    people: Iterable[Person],
    targets: Iterable[Target],
    candidates: Iterable[Candidate],
    *,
    method: Method = "simplex",
    person_noun: str = "人员",
    target_noun: str = "对象",
    hint: str = "",
) -> list[Assignment]:
    """The best assignment of people to targets over the candidate pairs (see module doc).

    Parameters
    ----------
    method : ``"simplex"``: networkx's network simplex on the network above (pivot for
        pivot, faster: ``network_simplex``).
        ``"shortest_paths"``: successive shortest paths from a greedy start
        (``_ShortestPaths``), the same optimum, only for people without a minimum; much
        faster where people have room to spare and each target has a few candidates
        (pairings on the city demo: 4 s instead of 54 s), slower where room is scarce.
        ``"auto"``: the shortest paths while they stay within ``SHORTEST_PATHS_WORK``,
        else (or with minimums) the simplex.
    person_noun, target_noun : words for the error message (``"领导"``, ``"联系对象"``).
    hint : appended to an infeasibility message, e.g. which option would help.

    Returns the assignments, grouped by person in the given order, each person's targets
    highest priority first.

    Raises ``PlanInfeasible`` when the minimums cannot all be met, naming the people and how
    many targets they are short; ``ValueError`` for a candidate naming an unknown person or
    pool, or the same pair twice, and for ``"shortest_paths"`` with a minimum to meet.

    >>> people = [Person("L1", capacity=1, minimum=1)]
    >>> targets = [Target("E1", 5), Target("E2", 9)]
    >>> [a.target for a in solve_assignment(people, targets, [Candidate("L1", "E1"), Candidate("L1", "E2")])]
    ['E2']
    """
    people, targets, candidates = list(people), list(targets), list(candidates)
    groups, pools = _groups(people), _pools(targets)
    _check_candidates(groups, pools, candidates)
    _check_minimums(people, targets, person_noun, target_noun, hint)
    group_free = {key: sum(p.free for p in members) for key, members in groups.items()}
    usable = [c for c in candidates if group_free[c.person]]
    if not usable:
        if any(p.need for p in people):
            raise PlanInfeasible(_shortage_message(people, pools, candidates, person_noun, target_noun, hint))
        return []
    if method == "shortest_paths" and any(p.need for p in people):
        raise ValueError("shortest_paths cannot meet minimums; use method='simplex' or 'auto'")
    if method != "simplex" and not any(p.need for p in people):
        paths = _ShortestPaths(people, pools, usable)
        try:
            received = paths.solve(SHORTEST_PATHS_WORK * paths.size if method == "auto" else None)
            return _hand_out(people, groups, received)
        except _OverBudget:
            pass  # room is scarce: the simplex does better
    import networkx as nx  # the flow solvers, imported when a plan is made (0.1 s)

    flow_graph, levels = _flow_network(people, groups, pools, usable)
    try:
        _, flow = network_simplex(flow_graph)
    except nx.NetworkXUnfeasible:
        raise PlanInfeasible(_shortage_message(people, pools, candidates, person_noun, target_noun, hint)) from None
    received = _received_from_flow(groups, usable, levels, flow)
    return _hand_out(people, groups, received, flow)


def is_in_chain(a: Assignment) -> bool:
    """Whether ``chain_candidates`` made the pair in the person's chain (whatever its rank)."""
    return not a.fallback and a.cost % RANK_STEP == IN_CHAIN


def objective(assignments: Iterable[Assignment]) -> tuple[int, int, int, float]:
    """What the solver minimises, as a tuple compared left to right:
    (fallback pairs, −pairs, total pair cost, −total priority)."""
    made = list(assignments)
    return (
        sum(a.fallback for a in made),
        -len(made),
        sum(a.cost for a in made),
        -sum(a.priority for a in made),
    )


# -- the network -----------------------------------------------------------------------


def _pools(targets: list[Target]) -> dict[Hashable, list[Target]]:
    """Pool key -> its targets, highest priority first, then id."""
    pools: dict[Hashable, list[Target]] = defaultdict(list)
    for t in sorted(targets, key=lambda t: (-t.priority, t.id)):
        pools[t.pool_key].append(t)
    return dict(pools)


def _groups(people: list[Person]) -> dict[Hashable, list[Person]]:
    """Group key -> its people, in the given order."""
    groups: dict[Hashable, list[Person]] = defaultdict(list)
    for p in people:
        groups[p.group_key].append(p)
    return dict(groups)


def _group_node(key: Hashable, members: list[Person]) -> tuple:
    """A group's node in the network; a group of one is its person's node."""
    return ("p", members[0].id) if len(members) == 1 else ("g", key)


def _priority_cost(t: Target, top: float) -> int:
    return round((top - t.priority) * PRIORITY_SCALE)


def _weights(slots: int, worst_priority: int, worst_cost: int) -> tuple[int, int, int]:
    """(pair, unused, fallback) weights: each rule of the module doc outweighs everything
    the later rules can add up to over ``slots`` pairs (``worst_cost``: the dearest
    candidate's cost)."""
    pair_weight = slots * worst_priority + 1  # one unit of pair cost outweighs all priorities
    worst_edge = worst_cost * pair_weight + worst_priority
    unused_weight = slots * worst_edge + 1  # one more pair outweighs all pair costs
    fallback_weight = slots * unused_weight + 1  # one fallback pair fewer outweighs everything
    return pair_weight, unused_weight, fallback_weight


def _flow_network(people: list[Person], groups: dict, pools: dict, usable: list[Candidate]):
    """The flow network with lexicographic integer weights (rules 1–4 of the module doc),
    and each pool's priority levels: pool -> [(priority cost, targets at that cost)]."""
    slots = sum(p.free for p in people)
    used_pools = list(dict.fromkeys(c.pool for c in usable))
    top = max(pools[k][0].priority for k in used_pools)
    levels: dict[Hashable, list[tuple[int, list[Target]]]] = {}
    for k in used_pools:
        by_cost: dict[int, list[Target]] = {}
        for t in pools[k][:slots]:  # lower targets can never be needed: at most `slots` pairs
            by_cost.setdefault(_priority_cost(t, top), []).append(t)
        levels[k] = list(by_cost.items())
    worst_priority = max(cost for k in used_pools for cost, _ in levels[k])
    pair_weight, unused_weight, fallback_weight = _weights(slots, worst_priority, max(c.cost for c in usable))

    need = sum(p.need for p in people)
    import networkx as nx

    net = nx.MultiDiGraph()
    net.add_node(_SOURCE, demand=need - slots)
    net.add_node(_SINK, demand=slots)
    net.add_edge(_SOURCE, _SINK, capacity=slots - need, weight=unused_weight)
    for p in people:
        net.add_node(("p", p.id), demand=-p.need)
        net.add_edge(_SOURCE, ("p", p.id), capacity=p.free - p.need, weight=0)
    group_free = {}
    for key, members in groups.items():
        group_free[key] = sum(p.free for p in members)
        if len(members) > 1:
            for p in members:
                net.add_edge(("p", p.id), ("g", key), capacity=p.free, weight=0)
    for k in used_pools:
        for cost, level in levels[k]:
            net.add_edge(("pool", k), _SINK, key=cost, capacity=len(level), weight=cost)
    for c in usable:
        weight = c.cost * pair_weight + (fallback_weight if c.fallback else 0)
        start = _group_node(c.person, groups[c.person])
        net.add_edge(start, ("pool", c.pool), capacity=group_free[c.person], weight=weight)
    return net, levels


def _received_from_flow(groups, usable, levels, flow) -> dict[Hashable, list[tuple[Candidate, Target]]]:
    """What each group takes: each pool gives its chosen targets (best levels first) to the
    groups sending flow into it, in candidate order."""
    chosen: dict[Hashable, list[Target]] = {}
    for k, pool_levels in levels.items():
        out = flow[("pool", k)][_SINK]
        chosen[k] = [t for cost, level in pool_levels for t in level[: out[cost]]]
    received: dict[Hashable, list[tuple[Candidate, Target]]] = defaultdict(list)
    for c in usable:
        units = sum(flow[_group_node(c.person, groups[c.person])][("pool", c.pool)].values())
        taken, chosen[c.pool] = chosen[c.pool][:units], chosen[c.pool][units:]
        received[c.person] += [(c, t) for t in taken]
    return received


def _hand_out(people, groups, received, flow=None) -> list[Assignment]:
    """Split what each group takes onto its people in the order they were given: as many
    as each sent into the group in ``flow``, or without a flow, up to each one's room.
    Returns the pairs grouped by person in the given order, highest priority first."""
    made = []
    for key, members in groups.items():
        got = received.get(key, [])
        for p in members:
            if len(members) == 1:
                units = len(got)
            elif flow is not None:
                units = sum(flow[("p", p.id)][("g", key)].values())
            else:
                units = p.free
            mine, got = got[:units], got[units:]
            made += [Assignment(p.id, t.id, c.cost, t.priority, c.fallback, c.reasons + t.reasons) for c, t in mine]
    order = {p.id: n for n, p in enumerate(people)}
    return sorted(made, key=lambda a: (order[a.person], -a.priority, a.target))


# -- successive shortest paths -------------------------------------------------------------


class _OverBudget(Exception):
    """The shortest paths took more work than ``SHORTEST_PATHS_WORK`` allows."""


class _ShortestPaths:
    """The same optimum as the flow network (rules 1–4, same weights), found one target at
    a time by successive shortest paths, for people without a minimum.

    Every target starts greedily: one whose cheapest way out is a group with room takes
    it. With each target's potential at minus its cheapest weight every reduced cost is
    ≥ 0, so that is an optimal start, and only the targets whose cheapest groups are full
    are left. Each of those, highest priority first, takes the cheapest augmenting path
    in the residual graph: to a group with room, possibly moving other targets along the
    way, or to leaving some target on the path unpaired (its *dummy*, at the weight of an
    unused slot). Dijkstra runs on reduced costs and stops at the first way out; only the
    nodes it settled get new potentials. Where room is plentiful a path is a few steps;
    where it is scarce paths get long, and ``budget`` (edges scanned) says when to stop.

    Nodes are numbered: targets 0..n-1, groups n..n+m-1, target i's dummy n+m+i, the sink.
    """

    def __init__(self, people: list[Person], pools: dict, usable: list[Candidate]):
        by_pool: dict[Hashable, list[Candidate]] = defaultdict(list)
        keys: dict[Hashable, int] = {}  # group -> its place in order of first candidate
        worst_cost = 0
        for c in usable:  # one pass: pairings bring some 170,000 candidates
            by_pool[c.pool].append(c)
            keys.setdefault(c.person, len(keys))
            worst_cost = max(worst_cost, c.cost)
        self.rows = sorted((t for k in by_pool for t in pools[k]), key=lambda t: (-t.priority, t.id))
        self.n, self.m = n, m = len(self.rows), len(keys)
        self.sink = 2 * n + m
        column = {key: n + j for key, j in keys.items()}
        free = {p.group_key: 0 for p in people}
        for p in people:
            free[p.group_key] += p.free
        self.room = {column[key]: free[key] for key in keys}
        top = self.rows[0].priority
        priority_costs = [_priority_cost(t, top) for t in self.rows]
        pair_weight, self.unused_weight, fallback_weight = _weights(
            sum(free.values()), max(priority_costs), worst_cost
        )
        self.edges = [  # target -> [(group node, weight, candidate)], the pool's candidates in order
            [
                (column[c.person], priority_cost + c.cost * pair_weight + (fallback_weight if c.fallback else 0), c)
                for c in by_pool[t.pool_key]
            ]
            for t, priority_cost in zip(self.rows, priority_costs)
        ]
        self.size = n + sum(len(out) for out in self.edges)
        self.potential = [0] * (self.sink + 1)
        self.match: list[tuple[int, int, Candidate] | None] = [None] * n  # target -> its edge
        self.members: dict[int, set[int]] = defaultdict(set)  # group node -> its targets

    def solve(self, budget: int | None = None) -> dict[Hashable, list[tuple[Candidate, Target]]]:
        """What each group takes: group -> [(candidate, target)]. Raises ``_OverBudget``
        once the paths have scanned more than ``budget`` edges."""
        self.budget = budget
        for start in self._greedy_start():
            dist, via, settled = self._dijkstra(start)
            end = dist[self.sink]
            for u in settled:
                self.potential[u] += dist[u] - end
            self._augment(start, via)
        received: dict[Hashable, list[tuple[Candidate, Target]]] = defaultdict(list)
        for edge, t in zip(self.match, self.rows):
            if edge is not None:
                received[edge[2].person].append((edge[2], t))
        return received

    def _greedy_start(self) -> list[int]:
        """Pair every target whose cheapest way out is a group with room (the most
        constrained first, each into the roomiest of its cheapest groups, so that fewer
        wait); return the others, highest priority first. A target whose cheapest way out
        is staying unpaired is done."""
        best = []
        for i, out in enumerate(self.edges):
            cheapest = min(self.unused_weight, *(w for _, w, _ in out))
            self.potential[i] = -cheapest
            best.append([edge for edge in out if edge[1] == cheapest] if cheapest < self.unused_weight else None)
        waiting = []
        for i in sorted((i for i in range(self.n) if best[i] is not None), key=lambda i: len(best[i])):
            with_room = [edge for edge in best[i] if self.room[edge[0]] > 0]
            if not with_room:
                waiting.append(i)
                continue
            edge = max(with_room, key=lambda edge: self.room[edge[0]])
            self.match[i] = edge
            self.members[edge[0]].add(i)
            self.room[edge[0]] -= 1
        return sorted(waiting)

    def _dijkstra(self, start: int):
        """Shortest reduced-cost paths from target ``start`` until the sink is reached:
        (distances, node -> (previous node, edge), nodes settled before the sink)."""
        n, m, sink, potential = self.n, self.m, self.sink, self.potential
        dist = {start: 0}
        via: dict[int, tuple[int, object]] = {}
        settled = []
        # Ties go to the sink, then to the latest target's dummy: at equal cost the
        # newcomer (lowest priority so far) stays unpaired rather than pushing one out.
        heap = [(0, start)]  # (distance, rank): rank v for targets and groups, -v for dummies and the sink
        while heap:
            d, rank = heapq.heappop(heap)
            u = rank if rank >= 0 else -rank
            if d > dist[u]:
                continue
            if u == sink:
                break
            settled.append(u)
            if u < n:  # a target: to another group, or unpaired
                current = self.match[u][0] if self.match[u] is not None else None
                out = [(edge[0], edge[1], edge) for edge in self.edges[u] if edge[0] != current]
                out.append((n + m + u, self.unused_weight, None))
            elif u < n + m:  # a group: give back one of its targets, or use a free place
                out = [(i, -self.match[i][1], None) for i in self.members[u]]
                if self.room[u] > 0:
                    out.append((sink, 0, None))
            else:  # a dummy
                out = [(sink, 0, None)]
            if self.budget is not None:
                self.budget -= len(out)
                if self.budget < 0:
                    raise _OverBudget
            base = d + potential[u]
            for v, w, edge in out:
                nd = base + w - potential[v]
                if nd < dist.get(v, nd + 1):
                    dist[v] = nd
                    via[v] = (u, edge)
                    heapq.heappush(heap, (nd, v if v < n + m else -v))
        return dist, via, settled

    def _augment(self, start: int, via: dict) -> None:
        """Move one unit along the path found: pairs made, undone and places used."""
        n, m = self.n, self.m
        v = self.sink
        while v != start:
            u, edge = via[v]
            if v == self.sink:
                if n <= u < n + m:
                    self.room[u] -= 1
            elif u < n and v < n + m:  # target u joins group v
                self.match[u] = edge
                self.members[v].add(u)
            elif u < n:  # target u is left unpaired
                self.match[u] = None
            else:  # group u gives target v back; v's next edge (already applied) takes it elsewhere
                self.members[u].discard(v)
            v = u


# -- checks and messages -------------------------------------------------------------------


def _check_candidates(groups: dict, pools: dict, candidates: list[Candidate]) -> None:
    seen = set()
    for c in candidates:
        if c.person not in groups or c.pool not in pools:
            raise ValueError(f"candidate {c.person} → {c.pool} names an unknown person, group or pool")
        if (c.person, c.pool) in seen:
            raise ValueError(f"candidate {c.person} → {c.pool} given twice")
        seen.add((c.person, c.pool))


def _check_minimums(people, targets, person_noun, target_noun, hint) -> None:
    """Raise PlanInfeasible for the plain reasons, before building any network. (A
    shortage the candidate pairs cause is found by the solver and explained by
    ``_shortage_message``.)"""
    below = [p for p in people if p.capacity < p.minimum]
    if below:
        listed = "；".join(f"{p.id} 上限 {p.capacity}、最少 {p.minimum}" for p in below[:_SHOWN])
        raise PlanInfeasible(f"{len(below)} 名{person_noun}的上限小于最少数量：{listed}{_more(below)}")
    needing = [p for p in people if p.need]
    need = sum(p.need for p in needing)
    if need > len(targets):
        raise PlanInfeasible(
            f"{len(needing)} 名{person_noun}还需至少 {need} 个{target_noun}，但只有 {len(targets)} 个{target_noun}可分配，"
            f"缺 {need - len(targets)} 个{_hint(hint)}"
        )


def _shortage_message(people, pools, candidates, person_noun, target_noun, hint) -> str:
    """Who is short and by how much: the people on the source side of a minimum cut
    together need more targets than all their candidate targets (Hall's condition)."""
    needing = [p for p in people if p.need]
    wanted = {p.group_key for p in needing}
    import networkx as nx

    net = nx.DiGraph()
    net.add_nodes_from([_SOURCE, _SINK])
    for p in needing:
        net.add_edge(_SOURCE, ("p", p.id), capacity=p.need)
        net.add_edge(("p", p.id), ("g", p.group_key))  # no capacity: unbounded
    for c in candidates:
        if c.person in wanted:
            net.add_edge(("g", c.person), ("pool", c.pool))
            net.add_edge(("pool", c.pool), _SINK, capacity=len(pools[c.pool]))
    matched, (reachable, _) = nx.minimum_cut(net, _SOURCE, _SINK)
    short = [p for p in needing if ("p", p.id) in reachable]
    short_groups = {p.group_key for p in short}
    options = [t.id for k in dict.fromkeys(c.pool for c in candidates if c.person in short_groups) for t in pools[k]]
    named = "、".join(p.id for p in short[:_SHOWN]) + _more(short)
    offered = f"只有 {len(options)} 个（{'、'.join(options[:_SHOWN])}{_more(options)}）" if options else "一个也没有"
    return (
        f"{person_noun} {named} 还需至少 {sum(p.need for p in short)} 个{target_noun}，"
        f"但其可选的{target_noun}{offered}，缺 {sum(p.need for p in needing) - matched} 个{_hint(hint)}"
    )


def _more(items: list) -> str:
    return f" 等 {len(items)} 个" if len(items) > _SHOWN else ""


def _hint(hint: str) -> str:
    return f"（{hint}）" if hint else ""
