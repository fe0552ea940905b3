"""What a chain looks like: its segments in stage order with their coverage, the
segments with no enterprise (缺链), the enterprises and suppliers the chain hangs on
(断链风险), and its key enterprises.

Which enterprises and organisations are in a chain is ``graph.analysis.membership``'s
to say; each segment's coverage is ``graph.analysis.coverage``'s.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.coverage import NONE, ORG_COVERED_STATES, WORK, enterprise_states
from graph.analysis.membership import (
    chain_segments,
    coverage_rate,
    is_active,
    is_base,
    name_of,
    require_chain,
    segment_enterprises,
)
from graph.projection import ids_with_label, in_ids
from graph.schema import STAGE_ORDER, STAGES, Label, RelType

PAGERANK_ALPHA = 0.85
BETWEENNESS_SAMPLES = 64
BETWEENNESS_SEED = 42
CENTRALITIES = ("pagerank", "betweenness")
# What the key enterprises are ranked by, as a planner reads it.
CENTRALITY_ZH = {
    "pagerank": "按上下游供应网络中的重要度（PageRank）排序",
    "betweenness": "按在上下游供应网络中承转联系的程度（中介中心度）排序",
}


@dataclass
class SegmentCoverage:
    """One segment of a chain and the coverage of its base enterprises."""

    id: str
    name: str
    stage: str | None
    order: int | None
    enterprises: int  # every enterprise in the segment, whatever its status
    base: int
    org_covered: int
    work_covered: int
    uncovered: int
    org_coverage_rate: float


@dataclass
class MissingSegment:
    """A segment with no active enterprise (缺链)."""

    id: str
    name: str
    stage: str | None
    message: str


@dataclass
class SinglePointOfFailure:
    """An enterprise the chain's supply links hang on.

    ``kind`` is ``articulation`` (removing the enterprise disconnects ``segment_pairs``)
    or ``single_supplier`` (``segment`` is fed by this one supplier from the previous
    stage only). ``enterprise_segments`` are the chain's segments the enterprise itself
    is in.
    """

    kind: str
    enterprise: str
    enterprise_name: str
    segment: str | None
    segment_pairs: list[tuple[str, str]]
    message: str
    enterprise_segments: list[str] = field(default_factory=list)


@dataclass
class KeyEnterprise:
    id: str
    name: str
    score: float
    leading: bool
    segments: list[str]


@dataclass
class ChainStructure:
    id: str
    name: str
    segments: list[SegmentCoverage]
    missing_segments: list[MissingSegment]
    single_points_of_failure: list[SinglePointOfFailure]
    key_enterprises: list[KeyEnterprise]
    centrality_method: str  # with its parameters, e.g. pagerank(alpha=0.85)
    centrality: str  # one of CENTRALITIES


@dataclass
class ChainSummary:
    id: str
    name: str
    segments: int
    enterprises: int


# --- listing and structure ----------------------------------------------------------


def chain_summaries(g: nx.MultiDiGraph) -> list[ChainSummary]:
    """Every chain with its number of segments and of distinct enterprises, by id.

    >>> [c.id for c in chain_summaries(g)]  # doctest: +SKIP
    ['C1', 'C2']
    """
    summaries = []
    for chain in sorted(ids_with_label(g, Label.CHAIN)):
        segments = in_ids(g, chain, RelType.PART_OF)
        enterprises = {e for s in segments for e in segment_enterprises(g, s)}
        summaries.append(ChainSummary(chain, name_of(g, chain), len(segments), len(enterprises)))
    return summaries


def chain_structure(
    g: nx.MultiDiGraph, chain_id: str, *, top: int = 10, centrality: str = "pagerank"
) -> ChainStructure:
    """The structure of one chain, segment by segment.

    Parameters: ``top`` key enterprises to return; ``centrality`` is ``pagerank``
    (PageRank over the undirected supply links, fast at any size) or ``betweenness``
    (networkx betweenness sampled from ``BETWEENNESS_SAMPLES`` sources, fixed seed).
    Supply analyses use the chain's active enterprises and the SUPPLIES links among them.

    Raises NotFound for an unknown chain, ValueError for an unknown ``centrality``.

    >>> chain_structure(g, "C1").missing_segments[0].id  # doctest: +SKIP
    'S3'
    """
    require_chain(g, chain_id)
    if centrality not in CENTRALITIES:
        raise ValueError(f"centrality must be one of {CENTRALITIES}, not {centrality!r}")
    segments = chain_segments(g, chain_id)
    placed = [segment_enterprises(g, s) for s in segments]
    everyone = list(dict.fromkeys(e for enterprises in placed for e in enterprises))
    incoming = {e: _incoming(g, e) for e in everyone}
    states = enterprise_states(g, [e for e in everyone if is_base(g, e)])
    members = _active_members(g, placed)
    adjacency = _supply_adjacency(members, incoming)
    scores, method = _centrality(adjacency, centrality)
    return ChainStructure(
        id=chain_id,
        name=name_of(g, chain_id),
        segments=[_segment_coverage(g, s, placed[i], states) for i, s in enumerate(segments)],
        missing_segments=[_missing(g, s) for i, s in enumerate(segments) if not any(e in members for e in placed[i])],
        single_points_of_failure=_articulation_points(g, segments, members, adjacency)
        + _single_suppliers(g, segments, placed, members, incoming),
        key_enterprises=_key_enterprises(g, scores, segments, members, top),
        centrality_method=method,
        centrality=centrality,
    )


def _stage_zh(stage: str | None) -> str:
    return STAGES.get(stage, "未定位置")


def _incoming(g: nx.MultiDiGraph, node: str) -> dict[str, list[str]]:
    """Relationship type -> sources of ``node``'s incoming links, in one scan."""
    found: dict[str, list[str]] = defaultdict(list)
    for source, keyed in g._pred[node].items():  # raw adjacency: the edge view costs several times more
        for rtype in keyed:
            found[rtype].append(source)
    return found


def _segment_coverage(g: nx.MultiDiGraph, segment: str, enterprises: list[str], states: dict[str, str]) -> SegmentCoverage:
    """``states`` holds the coverage state of every base enterprise of the chain."""
    counted = Counter(states[e] for e in enterprises if e in states)
    base = sum(counted.values())
    org_covered = sum(counted[state] for state in ORG_COVERED_STATES)
    attrs = g.nodes[segment]
    return SegmentCoverage(
        id=segment,
        name=name_of(g, segment),
        stage=attrs.get("stage"),
        order=attrs.get("order"),
        enterprises=len(enterprises),
        base=base,
        org_covered=org_covered,
        work_covered=counted[WORK],
        uncovered=counted[NONE],
        org_coverage_rate=coverage_rate(org_covered, base),
    )


def _missing(g: nx.MultiDiGraph, segment: str) -> MissingSegment:
    stage = g.nodes[segment].get("stage")
    message = f"{_stage_zh(stage)}环节「{name_of(g, segment)}」没有在营企业，属缺链环节，需招商补链"
    return MissingSegment(segment, name_of(g, segment), stage, message)


def _active_members(g: nx.MultiDiGraph, placed: list[list[str]]) -> dict[str, list[int]]:
    """Active enterprise -> indexes of the chain segments it is in (``placed[i]`` holds segment i's)."""
    members: dict[str, list[int]] = defaultdict(list)
    for index, enterprises in enumerate(placed):
        for enterprise in enterprises:
            if is_active(g, enterprise):
                members[enterprise].append(index)
    return dict(members)


def _supply_adjacency(
    members: dict[str, list[int]], incoming: dict[str, dict[str, list[str]]]
) -> dict[str, set[str]]:
    """Undirected SUPPLIES links among the chain's active enterprises."""
    adjacency: dict[str, set[str]] = {e: set() for e in members}
    supplies = RelType.SUPPLIES.value
    for customer in members:
        for supplier in incoming[customer].get(supplies, ()):
            if supplier in members and supplier != customer:
                adjacency[supplier].add(customer)
                adjacency[customer].add(supplier)
    return adjacency


# --- single points of failure -------------------------------------------------------


def _pairs(counts: list[int]) -> set[tuple[int, int]]:
    """Pairs of distinct segment indexes that both have an enterprise in ``counts``."""
    return set(combinations([i for i, c in enumerate(counts) if c > 0], 2))


def _cut_vertices(adjacency: dict[str, set[str]], members: dict[str, list[int]], width: int):
    """Yield (cut vertex, segment counts of its component without it, segment counts of
    each piece its removal leaves).

    One iterative Tarjan pass (lowpoints plus subtree counts), so the cost stays linear
    in the links instead of one search per candidate vertex.
    """
    disc: dict[str, int] = {}
    low: dict[str, int] = {}
    counts: dict[str, list[int]] = {}
    for root in sorted(adjacency):
        if root in disc:
            continue
        separated: dict[str, list[list[int]]] = defaultdict(list)
        disc[root] = low[root] = len(disc)
        counts[root] = _vector(members, [root], width)
        stack = [(root, None, iter(sorted(adjacency[root])))]
        while stack:
            node, parent, neighbours = stack[-1]
            for other in neighbours:
                if other not in disc:
                    disc[other] = low[other] = len(disc)
                    counts[other] = _vector(members, [other], width)
                    stack.append((other, node, iter(sorted(adjacency[other]))))
                    break
                if other != parent:
                    low[node] = min(low[node], disc[other])
            else:
                stack.pop()
                if parent is not None:
                    low[parent] = min(low[parent], low[node])
                    if low[node] >= disc[parent]:
                        separated[parent].append(counts[node])
                    counts[parent] = [a + b for a, b in zip(counts[parent], counts[node])]
        total = counts[root]
        for node, pieces in separated.items():
            without = [t - o for t, o in zip(total, _vector(members, [node], width))]
            # what stays joined to the node's parent: everything not in a separated subtree
            rest = [w - sum(p[i] for p in pieces) for i, w in enumerate(without)]
            if any(rest):
                pieces = pieces + [rest]
            if len(pieces) >= 2:
                yield node, without, pieces


def _vector(members: dict[str, list[int]], nodes, width: int) -> list[int]:
    """How many of ``nodes`` sit in each segment (by index)."""
    vector = [0] * width
    for node in nodes:
        for index in members[node]:
            vector[index] += 1
    return vector


def _components(adjacency: dict[str, set[str]]) -> list[set[str]]:
    """The connected parts of the supply network (``adjacency`` is symmetric), in the order
    of their first node in ``adjacency``. A breadth-first search over the dict itself:
    building a networkx graph of it first cost ten times the search."""
    seen: set[str] = set()
    parts = []
    for start in adjacency:
        if start in seen:
            continue
        part = {start}
        frontier = [start]
        while frontier:
            reached = {other for node in frontier for other in adjacency[node]} - part
            part |= reached
            frontier = list(reached)
        seen |= part
        parts.append(part)
    return parts


def _articulation_points(
    g: nx.MultiDiGraph, segments: list[str], members: dict[str, list[int]], adjacency: dict[str, set[str]]
) -> list[SinglePointOfFailure]:
    """Enterprises whose removal leaves some pair of segments with no supply path at all."""
    width = len(segments)
    component_of, component_pairs = {}, []
    for number, component in enumerate(_components(adjacency)):
        component_pairs.append(_pairs(_vector(members, component, width)))
        component_of.update(dict.fromkeys(component, number))
    joined = Counter(p for pairs in component_pairs for p in pairs)
    findings = []
    for node, without, pieces in _cut_vertices(adjacency, members, width):
        own_pairs = component_pairs[component_of[node]]
        kept = set().union(*(_pairs(p) for p in pieces))
        lost = {p for p in _pairs(without) - kept if joined[p] - (p in own_pairs) == 0}
        if lost:
            pairs = sorted((segments[a], segments[b]) for a, b in lost)
            findings.append(_articulation_finding(g, node, pairs, [segments[i] for i in members[node]]))
    return sorted(findings, key=lambda f: (-len(f.segment_pairs), f.enterprise))


def _articulation_finding(
    g: nx.MultiDiGraph, enterprise: str, pairs: list[tuple[str, str]], own: list[str]
) -> SinglePointOfFailure:
    links = "、".join(f"「{name_of(g, a)}」—「{name_of(g, b)}」" for a, b in pairs)
    message = f"企业「{name_of(g, enterprise)}」是上下游连接的唯一节点：一旦停产或迁出，{links}之间的供应联系将中断（断链风险）"
    return SinglePointOfFailure("articulation", enterprise, name_of(g, enterprise), None, pairs, message, own)


def _single_suppliers(
    g: nx.MultiDiGraph,
    segments: list[str],
    placed: list[list[str]],
    members: dict[str, list[int]],
    incoming: dict[str, dict[str, list[str]]],
) -> list[SinglePointOfFailure]:
    """Segments fed by exactly one supplier from the nearest earlier stage of the chain."""
    stage_of = [STAGE_ORDER.get(g.nodes[s].get("stage")) for s in segments]
    findings = []
    for index, segment in enumerate(segments):
        earlier = [st for st in stage_of if st is not None and stage_of[index] is not None and st < stage_of[index]]
        if not earlier:
            continue
        previous = {i for i, st in enumerate(stage_of) if st == max(earlier)}
        suppliers = {
            s
            for e in placed[index]
            if e in members
            for s in incoming[e].get(RelType.SUPPLIES.value, ())
            if s != e and s in members and previous.intersection(members[s])
        }
        if len(suppliers) == 1:
            (supplier,) = suppliers
            pairs = [(segments[i], segment) for i in sorted(previous.intersection(members[supplier]))]
            own = [segments[i] for i in members[supplier]]
            findings.append(_single_supplier_finding(g, supplier, segment, pairs, own))
    return findings


def _single_supplier_finding(
    g: nx.MultiDiGraph, supplier: str, segment: str, pairs: list[tuple[str, str]], own: list[str]
) -> SinglePointOfFailure:
    stage = _stage_zh(g.nodes[segment].get("stage"))
    message = (
        f"{stage}环节「{name_of(g, segment)}」只有一家上一环节供应商「{name_of(g, supplier)}」，"
        "单一供应商存在断链风险，需补链强链"
    )
    return SinglePointOfFailure("single_supplier", supplier, name_of(g, supplier), segment, pairs, message, own)


# --- key enterprises ------------------------------------------------------------------


def _centrality(adjacency: dict[str, set[str]], method: str) -> tuple[dict[str, float], str]:
    if method == "betweenness":
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(adjacency)
        graph.add_edges_from((a, b) for a, others in adjacency.items() for b in others)
        k = BETWEENNESS_SAMPLES if len(graph) > BETWEENNESS_SAMPLES else None
        scores = nx.betweenness_centrality(graph, k=k, seed=BETWEENNESS_SEED)
        return scores, f"betweenness(k={k or len(graph)}, seed={BETWEENNESS_SEED})"
    return pagerank(adjacency), f"pagerank(alpha={PAGERANK_ALPHA})"


def pagerank(
    adjacency: dict[str, set[str]], *, alpha: float = PAGERANK_ALPHA, tol: float = 1.0e-10, max_iter: int = 200
) -> dict[str, float]:
    """PageRank of an undirected graph given as adjacency sets, by numpy power iteration.

    Same definition as ``networkx.pagerank`` (isolated nodes spread their rank evenly;
    stops when the L1 change is below ``len(nodes) * tol``), without needing scipy.

    >>> pagerank({"a": {"b"}, "b": {"a"}})
    {'a': 0.5, 'b': 0.5}
    """
    import numpy as np  # only here: 80 ms of import every command would pay otherwise

    nodes = list(adjacency)
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    size = len(nodes)
    sources = np.fromiter((index[a] for a, others in adjacency.items() for _ in others), dtype=np.int64)
    targets = np.fromiter((index[b] for others in adjacency.values() for b in others), dtype=np.int64)
    degree = np.bincount(sources, minlength=size).astype(float)
    dangling = degree == 0
    rank = np.full(size, 1.0 / size)
    for _ in range(max_iter):
        share = np.divide(rank, degree, out=np.zeros(size), where=~dangling)
        spread = np.bincount(targets, weights=share[sources], minlength=size)
        following = alpha * (spread + rank[dangling].sum() / size) + (1.0 - alpha) / size
        converged = np.abs(following - rank).sum() < size * tol
        rank = following
        if converged:
            break
    return {node: float(rank[i]) for node, i in index.items()}


def _key_enterprises(
    g: nx.MultiDiGraph, scores: dict[str, float], segments: list[str], members: dict[str, list[int]], top: int
) -> list[KeyEnterprise]:
    ranked = sorted(scores, key=lambda e: (-round(scores[e], 12), e))[:top]
    return [
        KeyEnterprise(
            id=e,
            name=name_of(g, e),
            score=round(scores[e], 6),
            leading=bool(g.nodes[e].get("leading")),
            segments=[segments[i] for i in members[e]],
        )
        for e in ranked
    ]
