"""Chain structure on hand-built chains: segment order and coverage, 缺链, single points
of failure (cross-checked against a brute-force removal), key enterprises, listing."""

from __future__ import annotations

import copy
import random
from itertools import combinations

import networkx as nx
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from graph.builder import GraphBuilder
from graph.analysis.chain_structure import (
    ChainSummary,
    chain_structure,
    chain_summaries,
    pagerank,
)
from graph.analysis.coverage import coverage_report
from graph.errors import NotFound


def machinery_chain() -> GraphBuilder:
    """工程机械: m1 is the only link between 液压件 (b1) and the rest of the chain,
    except that 液压件 also reaches 整机 through the separate pair b2 -> m3."""
    b = (
        GraphBuilder()
        .chain("C1", name="工程机械")
        .segment("S1", "C1", "upstream", name="钢材", order=2)
        .segment("S2", "C1", "upstream", name="液压件", order=1)
        .segment("S3", "C1", "midstream", name="整机")
        .segment("S4", "C1", "downstream", name="租赁", order=1)
        .segment("S5", "C1", "downstream", name="回收")
    )
    places = {"a1": "S1", "a2": "S1", "b1": "S2", "b2": "S2", "m1": "S3", "m2": "S3", "m3": "S3", "d1": "S4", "d2": "S4"}
    for enterprise, segment in places.items():
        b.enterprise(enterprise).rel("IN_SEGMENT", enterprise, segment)
    b.enterprise("e9", status="closed").rel("IN_SEGMENT", "e9", "S5")
    for supplier, customer in [
        ("a1", "m1"), ("b1", "m1"), ("m1", "d1"), ("m1", "d2"),
        ("a2", "m2"), ("m2", "d2"), ("b2", "m3"), ("d1", "e9"),
    ]:
        b.rel("SUPPLIES", supplier, customer)
    return b


def test_segments_come_in_stage_then_order_then_id_order():
    structure = chain_structure(machinery_chain().projection(), "C1")
    assert [s.id for s in structure.segments] == ["S2", "S1", "S3", "S4", "S5"]
    assert (structure.id, structure.name) == ("C1", "工程机械")


def test_segment_coverage_counts_base_enterprises_only():
    g = (
        GraphBuilder()
        .chain("C1")
        .segment("S1", "C1", "midstream", name="整机")
        .enterprise("e1").enterprise("e2").enterprise("e3")
        .enterprise("e4", in_base=False).enterprise("e5", status="closed")
        .org("O1").node("Leader", "P1", name="张三")
        .rel("COVERS", "O1", "e1").rel("COVERS", "O1", "e5").rel("CONTACTS", "P1", "e2")
        .rel("CONTACTS", "P1", "e1")  # org-covered already: counts once, as org_covered
    )
    for e in ["e1", "e2", "e3", "e4", "e5"]:
        g.rel("IN_SEGMENT", e, "S1")
    (segment,) = chain_structure(g.projection(), "C1").segments
    assert (segment.enterprises, segment.base, segment.org_covered, segment.work_covered, segment.uncovered) == (
        5, 3, 1, 1, 1,
    )
    assert segment.org_coverage_rate == 0.3333
    assert (segment.stage, segment.order, segment.name) == ("midstream", None, "整机")


def test_segment_with_no_base_has_rate_zero():
    g = GraphBuilder().chain("C1").segment("S1", "C1", "upstream").projection()
    (segment,) = chain_structure(g, "C1").segments
    assert (segment.base, segment.org_coverage_rate) == (0, 0.0)


def test_segment_with_only_closed_enterprises_is_missing():
    structure = chain_structure(machinery_chain().projection(), "C1")
    assert [m.id for m in structure.missing_segments] == ["S5"]
    assert structure.missing_segments[0].message == "下游环节「回收」没有在营企业，属缺链环节，需招商补链"


def test_articulation_point_reports_only_segment_pairs_joined_nowhere_else():
    structure = chain_structure(machinery_chain().projection(), "C1")
    # d2 and m2 are cut vertices too, but every segment pair survives their removal;
    # (液压件, 整机) survives m1's removal through b2 -> m3; the closed e9 is ignored.
    assert [(f.kind, f.enterprise, f.segment, f.segment_pairs) for f in structure.single_points_of_failure] == [
        ("articulation", "m1", None, [("S2", "S1"), ("S2", "S4")]),
    ]
    assert structure.single_points_of_failure[0].enterprise_segments == ["S3"]  # where m1 itself sits (整机)
    assert structure.single_points_of_failure[0].message == (
        "企业「m1」是上下游连接的唯一节点：一旦停产或迁出，「液压件」—「钢材」、「液压件」—「租赁」之间的供应联系将中断（断链风险）"
    )


def test_single_supplier_from_previous_stage():
    g = (
        GraphBuilder()
        .chain("C1")
        .segment("U", "C1", "upstream", name="原料")
        .segment("M", "C1", "midstream", name="部件")
        .segment("D", "C1", "downstream", name="整机")
    )
    for e, s in [("u1", "U"), ("u2", "U"), ("m1", "M"), ("m2", "M"), ("d1", "D")]:
        g.enterprise(e).rel("IN_SEGMENT", e, s)
    # u1 -> d1 skips a stage, so it does not count as a second supplier of 整机
    for s, c in [("u1", "m1"), ("u2", "m2"), ("m1", "d1"), ("u1", "d1")]:
        g.rel("SUPPLIES", s, c)
    findings = chain_structure(g.projection(), "C1").single_points_of_failure
    assert [(f.kind, f.enterprise, f.segment, f.segment_pairs) for f in findings] == [
        ("single_supplier", "m1", "D", [("M", "D")]),
    ]
    assert findings[0].enterprise_segments == ["M"]  # the supplier's own segment, not the one it feeds
    assert findings[0].message == "下游环节「整机」只有一家上一环节供应商「m1」，单一供应商存在断链风险，需补链强链"


def test_previous_stage_is_the_nearest_stage_present():
    g = GraphBuilder().chain("C1").segment("U", "C1", "upstream").segment("D", "C1", "downstream")
    g.enterprise("u1").enterprise("d1").enterprise("d2")
    g.rel("IN_SEGMENT", "u1", "U").rel("IN_SEGMENT", "d1", "D").rel("IN_SEGMENT", "d2", "D")
    g.rel("SUPPLIES", "u1", "d1").rel("SUPPLIES", "u1", "d2")
    findings = chain_structure(g.projection(), "C1").single_points_of_failure
    # u1 is also a cut vertex, but d1 and d2 sit in the same segment: no pair of
    # segments is cut apart by its removal, so only the single-supplier finding shows
    assert [(f.kind, f.enterprise, f.segment, f.segment_pairs) for f in findings] == [
        ("single_supplier", "u1", "D", [("U", "D")]),
    ]


def _brute_force_lost_pairs(g: nx.MultiDiGraph, chain: str) -> dict[str, set[tuple[str, str]]]:
    """Remove each active enterprise in turn and compare segment connectivity."""
    segments = [s for s, _, k in g.in_edges(chain, keys=True) if k == "PART_OF"]
    segs_of = {
        e: {s for _, s, k in g.out_edges(e, keys=True) if k == "IN_SEGMENT" and s in segments}
        for e in g if g.nodes[e]["label"] == "Enterprise" and g.nodes[e]["status"] == "active"
    }
    segs_of = {e: s for e, s in segs_of.items() if s}
    undirected = nx.Graph()
    undirected.add_nodes_from(segs_of)
    undirected.add_edges_from(
        (u, v) for u, v, k in g.edges(keys=True) if k == "SUPPLIES" and u in segs_of and v in segs_of and u != v
    )

    def joined(graph: nx.Graph, removed: str) -> set[frozenset]:
        """Segment pairs with enterprises (other than ``removed``) in one component."""
        pairs = set()
        for component in nx.connected_components(graph):
            present = set().union(*(segs_of[e] for e in component if e != removed))
            pairs |= {frozenset(p) for p in combinations(sorted(present), 2)}
        return pairs

    lost = {}
    for e in segs_of:
        rest = undirected.copy()
        rest.remove_node(e)
        gone = joined(undirected, e) - joined(rest, e)
        if gone:
            lost[e] = {tuple(sorted(p)) for p in gone}
    return lost


@pytest.mark.parametrize("seed", range(12))
def test_articulation_points_match_brute_force_removal(seed):
    rng = random.Random(seed)
    b = GraphBuilder().chain("C")
    stages = ["upstream", "upstream", "midstream", "downstream", "downstream"]
    for i, stage in enumerate(stages):
        b.segment(f"S{i}", "C", stage)
    enterprises = [f"e{i:02d}" for i in range(rng.randint(6, 16))]
    for e in enterprises:
        b.enterprise(e, status=rng.choice(["active"] * 5 + ["closed"]))
        for s in rng.sample(range(len(stages)), rng.choice([1, 1, 1, 2])):
            b.rel("IN_SEGMENT", e, f"S{s}")
    for u, v in combinations(enterprises, 2):
        if rng.random() < 0.18:
            b.rel("SUPPLIES", u, v)
    g = b.projection()
    found = {
        f.enterprise: {tuple(sorted(p)) for p in f.segment_pairs}
        for f in chain_structure(g, "C").single_points_of_failure
        if f.kind == "articulation"
    }
    assert found == _brute_force_lost_pairs(g, "C")


def star_chain() -> GraphBuilder:
    b = GraphBuilder().chain("C1").segment("S1", "C1", "midstream").segment("S2", "C1", "downstream")
    b.enterprise("hub", leading=True).rel("IN_SEGMENT", "hub", "S1").rel("IN_SEGMENT", "hub", "S2")
    for leaf in ["x1", "x2", "x3", "x4"]:
        b.enterprise(leaf).rel("IN_SEGMENT", leaf, "S2").rel("SUPPLIES", "hub", leaf)
    b.enterprise("lone").rel("IN_SEGMENT", "lone", "S1")
    return b


def test_key_enterprises_by_pagerank():
    structure = chain_structure(star_chain().projection(), "C1", top=2)
    assert (structure.centrality, structure.centrality_method) == ("pagerank", "pagerank(alpha=0.85)")
    assert [(k.id, k.leading, k.segments) for k in structure.key_enterprises] == [
        ("hub", True, ["S1", "S2"]),
        ("x1", False, ["S2"]),
    ]
    assert structure.key_enterprises[0].score > structure.key_enterprises[1].score


def test_key_enterprises_by_sampled_betweenness():
    structure = chain_structure(star_chain().projection(), "C1", top=1, centrality="betweenness")
    assert (structure.centrality, structure.centrality_method) == ("betweenness", "betweenness(k=6, seed=42)")
    assert [(k.id, k.score) for k in structure.key_enterprises] == [("hub", 0.6)]


def test_unknown_centrality_is_refused():
    with pytest.raises(ValueError, match="centrality"):
        chain_structure(star_chain().projection(), "C1", centrality="degree")


def test_pagerank_matches_networkx_reference():
    graph = nx.gnm_random_graph(30, 45, seed=3)
    graph.add_nodes_from([100, 101])  # isolated nodes spread their rank evenly
    adjacency = {n: set(graph[n]) for n in graph}
    expected = _pagerank_python(graph, alpha=0.85, tol=1.0e-10, max_iter=200)
    ours = pagerank(adjacency)
    assert set(ours) == set(expected)
    assert max(abs(ours[n] - expected[n]) for n in graph) < 1e-8


def test_pagerank_of_a_pair_and_of_nothing():
    assert pagerank({"a": {"b"}, "b": {"a"}}) == pytest.approx({"a": 0.5, "b": 0.5})
    assert pagerank({}) == {}


def test_chain_summaries_count_segments_and_distinct_enterprises():
    b = machinery_chain().chain("C0", name="新材料").segment("T1", "C0", "upstream")
    b.rel("IN_SEGMENT", "a1", "T1")
    assert chain_summaries(b.projection()) == [
        ChainSummary("C0", "新材料", 1, 1),
        ChainSummary("C1", "工程机械", 5, 10),
    ]


def test_unknown_chain_raises_not_found_with_a_readable_message():
    g = machinery_chain().projection()
    with pytest.raises(NotFound, match="找不到产业链 nope"):
        chain_structure(g, "nope")
    with pytest.raises(NotFound):
        chain_structure(g, "S1")  # a segment is not a chain


def test_caller_graph_is_not_mutated():
    g = machinery_chain().projection()
    before = copy.deepcopy((list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), g.graph))
    chain_structure(g, "C1", centrality="betweenness")
    chain_summaries(g)
    assert (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), g.graph) == before


def test_segment_coverage_agrees_with_the_coverage_report():
    g = machinery_chain()
    g.org("O1", formation="joint").rel("COVERS", "O1", "a1").rel("COVERS", "O1", "m1").rel("LEADS", "O1", "C1")
    g.org("O2").rel("COVERS", "O2", "m1").rel("COVERS", "O2", "e9")
    g.node("Instructor", "I1").rel("ASSIGNED_TO", "I1", "b1").rel("ASSIGNED_TO", "I1", "a1")
    g = g.projection()
    fields = ("base", "org_covered", "work_covered", "uncovered", "org_coverage_rate")
    report = coverage_report(g, by="segment", chain="C1")
    structure = chain_structure(g, "C1")
    assert [s.id for s in structure.segments] == [grp.key for grp in report.groups]
    assert [[getattr(s, f) for f in fields] for s in structure.segments] == [
        [getattr(grp, f) for f in fields] for grp in report.groups
    ]
    # S2 液压件: b1 (I1), b2; S1 钢材: a1 (O1; I1 does not count), a2; S3 整机: m1 (O1, O2), m2, m3
    assert [[getattr(s, f) for f in fields] for s in structure.segments][:3] == [
        [2, 0, 1, 1, 0.0], [2, 1, 0, 1, 0.5], [3, 1, 0, 2, 0.3333],
    ]  # fmt: skip
