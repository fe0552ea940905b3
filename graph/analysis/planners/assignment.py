"""The shared core of the planners: people → targets as a minimum-cost flow.

People (leaders, instructors, strong organisations) each take between ``minimum`` and
``capacity`` targets, counting what they already have (``load``); every target gets at most
one person; only the given candidate pairs may be made. Among all assignments that respect
that, the solver picks the best one in this order (each rule outranks all later ones):

1. the fewest *fallback* pairs (out-of-chain pairs, used only to reach a minimum);
2. the most pairs (spare capacity is used while there are targets left);
3. the lowest total pair cost (in-chain before no-chain, near before far);
4. the highest total target priority.

Targets come in *pools*: targets every person sees alike (same candidates, same costs),
such as all targets with the same chains. A candidate pairs a person with a pool; by
default every target is its own pool. The flow network, built fresh for every call
(inputs are never mutated), is::

    source ──[need, free]──► person ──[0, free]──► pool ══[0, n]══► sink
       └────────────────────────[unused capacity]─────────────────┘

where ``══`` is one edge per priority level of the pool, carrying as many units as the pool
has targets at that level. Pooling keeps the network small: 200 leaders over 20,000
targets in 50 chain combinations is a few hundred nodes, not 20,000 (and no candidate
edges are dropped, so the answer stays exact).

Each person's lower bound (``need`` = minimum − load) is moved into node demands, the
standard transformation for lower bounds: the person supplies ``need`` units itself and the
source edge keeps ``free − need``. The source → sink edge takes the capacity left unused.
Costs are integers: priorities are scaled by ``PRIORITY_SCALE``, and each rule above gets a
weight larger than everything the later rules can add up to over all ``K`` slots (``K`` =
everyone's free capacity together), so the order is exact, not a trade-off.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Hashable, Iterable, Literal

import networkx as nx

from graph.errors import PlanInfeasible

PRIORITY_SCALE = 100  # priorities are floats; two decimals survive in the integer costs

# Pair costs of chain_candidates (rule 3 above; fallback pairs are rule 1).
IN_CHAIN = 0  # the person is responsible for one of the target's chains
NO_CHAIN = 1  # the person or the target is in no chain: no preference either way
OTHER_CHAIN = 2  # both are in chains, none shared (only with out_of_chain="costly")

IN_CHAIN_REASON = "分管产业链内"
NO_CHAIN_REASON = "不限产业链"
OUT_OF_CHAIN_REASON = "分管产业链外（仅为满足最少数量）"
OTHER_CHAIN_REASON = "分管产业链外"

OutOfChain = Literal["fallback", "costly", "never"]
_SHOWN = 10  # ids listed in an error message before "等 N 个"

_SOURCE, _SINK = ("source",), ("sink",)


@dataclass(frozen=True)
class Person:
    """Someone who takes targets: a leader, an instructor, a strong organisation."""

    id: str
    capacity: int
    minimum: int = 0
    load: int = 0  # targets already taken; they count against capacity and minimum
    chains: frozenset[str] = frozenset()

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
    """

    id: str
    priority: float = 0
    chains: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()  # why it needs someone; carried into its assignment
    pool: Hashable | None = None

    @property
    def pool_key(self) -> Hashable:
        return self.id if self.pool is None else self.pool


@dataclass(frozen=True)
class Candidate:
    """A person may take targets of ``pool`` (a target id when targets are not pooled).

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
) -> tuple[list[Target], list[Candidate]]:
    """Pool targets by their chains and pair every person with every pool by chain.

    In-chain pools cost ``IN_CHAIN``; a person or pool without chains ``NO_CHAIN``; the
    rest depends on ``out_of_chain``: ``"fallback"`` — only where a minimum cannot be met
    otherwise; ``"costly"`` — allowed at ``OTHER_CHAIN``; ``"never"`` — not at all.
    ``chain_names`` (chain id -> name) is used in the reasons.

    Returns copies of the targets with ``pool`` set, and the candidates.
    """
    names = chain_names or {}
    pooled = [Target(t.id, t.priority, t.chains, t.reasons, ("chains", t.chains)) for t in targets]
    pools = list(dict.fromkeys(t.pool for t in pooled))
    found = []
    for p in people:
        for pool in pools:
            chains = pool[1]
            shared = p.chains & chains
            if shared:
                named = "、".join(names.get(c, c) for c in sorted(shared))
                found.append(Candidate(p.id, pool, IN_CHAIN, (f"{IN_CHAIN_REASON}（{named}）",)))
            elif not p.chains or not chains:
                found.append(Candidate(p.id, pool, NO_CHAIN, (NO_CHAIN_REASON,)))
            elif out_of_chain == "fallback":
                found.append(Candidate(p.id, pool, 0, (OUT_OF_CHAIN_REASON,), fallback=True))
            elif out_of_chain == "costly":
                found.append(Candidate(p.id, pool, OTHER_CHAIN, (OTHER_CHAIN_REASON,)))
    return pooled, found


def solve_assignment(
    people: Iterable[Person],
    targets: Iterable[Target],
    candidates: Iterable[Candidate],
    *,
    person_noun: str = "人员",
    target_noun: str = "对象",
    hint: str = "",
) -> list[Assignment]:
    """The best assignment of people to targets over the candidate pairs (see module doc).

    Parameters
    ----------
    person_noun, target_noun : words for the error message (``"领导"``, ``"联系对象"``).
    hint : appended to an infeasibility message, e.g. which option would help.

    Returns the assignments, grouped by person in the given order, each person's targets
    highest priority first.

    Raises ``PlanInfeasible`` when the minimums cannot all be met, naming the people and how
    many targets they are short; ``ValueError`` for a candidate naming an unknown person or
    pool, or the same pair twice.

    >>> people = [Person("L1", capacity=1, minimum=1)]
    >>> targets = [Target("E1", 5), Target("E2", 9)]
    >>> [a.target for a in solve_assignment(people, targets, [Candidate("L1", "E1"), Candidate("L1", "E2")])]
    ['E2']
    """
    people, targets, candidates = list(people), list(targets), list(candidates)
    pools = _pools(targets)
    _check_candidates(people, pools, candidates)
    _check_minimums(people, targets, person_noun, target_noun, hint)
    by_person = {p.id: p for p in people}
    usable = [c for c in candidates if by_person[c.person].free]
    if not usable:
        if any(p.need for p in people):
            raise PlanInfeasible(_shortage_message(people, pools, candidates, person_noun, target_noun, hint))
        return []
    flow_graph, levels = _flow_network(people, pools, usable)
    try:
        _, flow = nx.network_simplex(flow_graph)
    except nx.NetworkXUnfeasible:
        raise PlanInfeasible(_shortage_message(people, pools, candidates, person_noun, target_noun, hint)) from None
    return _read_assignments(people, pools, usable, levels, flow)


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


def _flow_network(people: list[Person], pools: dict, usable: list[Candidate]):
    """The flow network with lexicographic integer weights (rules 1–4 of the module doc),
    and each pool's priority levels: pool -> [(priority cost, targets at that cost)]."""
    slots = sum(p.free for p in people)
    used_pools = list(dict.fromkeys(c.pool for c in usable))
    top = max(pools[k][0].priority for k in used_pools)
    levels: dict[Hashable, list[tuple[int, list[Target]]]] = {}
    for k in used_pools:
        by_cost: dict[int, list[Target]] = {}
        for t in pools[k][:slots]:  # lower targets can never be needed: at most `slots` pairs
            by_cost.setdefault(round((top - t.priority) * PRIORITY_SCALE), []).append(t)
        levels[k] = list(by_cost.items())
    worst_priority = max(cost for k in used_pools for cost, _ in levels[k])
    pair_weight = slots * worst_priority + 1  # one unit of pair cost outweighs all priorities
    worst_edge = max(c.cost for c in usable) * pair_weight + worst_priority
    unused_weight = slots * worst_edge + 1  # one more pair outweighs all pair costs
    fallback_weight = slots * unused_weight + 1  # one fallback pair fewer outweighs everything

    need = sum(p.need for p in people)
    net = nx.MultiDiGraph()
    net.add_node(_SOURCE, demand=need - slots)
    net.add_node(_SINK, demand=slots)
    net.add_edge(_SOURCE, _SINK, capacity=slots - need, weight=unused_weight)
    for p in people:
        net.add_node(("p", p.id), demand=-p.need)
        net.add_edge(_SOURCE, ("p", p.id), capacity=p.free - p.need, weight=0)
    for k in used_pools:
        for cost, level in levels[k]:
            net.add_edge(("pool", k), _SINK, key=cost, capacity=len(level), weight=cost)
    free = {p.id: p.free for p in people}
    for c in usable:
        weight = c.cost * pair_weight + (fallback_weight if c.fallback else 0)
        net.add_edge(("p", c.person), ("pool", c.pool), capacity=free[c.person], weight=weight)
    return net, levels


def _read_assignments(people, pools, usable, levels, flow) -> list[Assignment]:
    """Turn the flow back into pairs: each pool gives its chosen targets (best levels
    first) to the people sending flow into it, in the order the people were given."""
    chosen: dict[Hashable, list[Target]] = {}
    for k, pool_levels in levels.items():
        out = flow[("pool", k)][_SINK]
        chosen[k] = [t for cost, level in pool_levels for t in level[: out[cost]]]
    by_person: dict[str, list[tuple[Candidate, int]]] = defaultdict(list)
    for c in usable:
        units = sum(flow[("p", c.person)][("pool", c.pool)].values())
        if units:
            by_person[c.person].append((c, units))
    made = []
    for p in people:
        mine = []
        for c, units in by_person[p.id]:
            taken, chosen[c.pool] = chosen[c.pool][:units], chosen[c.pool][units:]
            mine += [Assignment(p.id, t.id, c.cost, t.priority, c.fallback, c.reasons + t.reasons) for t in taken]
        made += sorted(mine, key=lambda a: (-a.priority, a.target))
    return made


# -- checks and messages -------------------------------------------------------------------


def _check_candidates(people: list[Person], pools: dict, candidates: list[Candidate]) -> None:
    known = {p.id for p in people}
    seen = set()
    for c in candidates:
        if c.person not in known or c.pool not in pools:
            raise ValueError(f"candidate {c.person} → {c.pool} names an unknown person or pool")
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
    wanted = {p.id for p in needing}
    net = nx.DiGraph()
    net.add_nodes_from([_SOURCE, _SINK])
    for p in needing:
        net.add_edge(_SOURCE, ("p", p.id), capacity=p.need)
    for c in candidates:
        if c.person in wanted:
            net.add_edge(("p", c.person), ("pool", c.pool))  # no capacity: unbounded
            net.add_edge(("pool", c.pool), _SINK, capacity=len(pools[c.pool]))
    matched, (reachable, _) = nx.minimum_cut(net, _SOURCE, _SINK)
    short = [p for p in needing if ("p", p.id) in reachable]
    ids = {p.id for p in short}
    options = [t.id for k in dict.fromkeys(c.pool for c in candidates if c.person in ids) for t in pools[k]]
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
