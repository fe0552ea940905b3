"""The neighbourhood of a node (api.core.services.neighbourhood) on hand-built graphs with
literal answers, and its hops cross-checked against networkx's shortest paths."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph.builder import GraphBuilder

from api.core.services.neighbourhood import hops, neighbourhood_of


def segment_with_suppliers():
    """Chain C1 with segment S holding E1…E5; E2 supplies E1, E1 supplies E3; O1 covers E1;
    E9 is in no chain but supplies E5."""
    b = GraphBuilder().chain("C1").segment("S", "C1", "midstream")
    for e in ["E1", "E2", "E3", "E4", "E5", "E9"]:
        b.enterprise(e)
    for e in ["E1", "E2", "E3", "E4", "E5"]:
        b.rel("IN_SEGMENT", e, "S")
    b.rel("SUPPLIES", "E2", "E1", product="钢材").rel("SUPPLIES", "E1", "E3").rel("SUPPLIES", "E9", "E5")
    return b.org("O1").rel("COVERS", "O1", "E1").projection()


def ids(result: dict) -> list[str]:
    return [n["id"] for n in result["nodes"]]


def test_one_hop_follows_relationships_either_way_nearest_first_then_by_id():
    result = neighbourhood_of(segment_with_suppliers(), "E1", depth=1, limit=200)
    assert ids(result) == ["E1", "E2", "E3", "O1", "S"]
    assert {(e["source"], e["type"], e["target"]) for e in result["edges"]} == {
        ("E2", "SUPPLIES", "E1"), ("E1", "SUPPLIES", "E3"), ("O1", "COVERS", "E1"),
        ("E1", "IN_SEGMENT", "S"), ("E2", "IN_SEGMENT", "S"), ("E3", "IN_SEGMENT", "S"),
    }  # fmt: skip
    assert (result["capped"], result["omitted"]) == (False, 0)


def test_two_hops_reach_through_the_segment_but_no_further():
    result = neighbourhood_of(segment_with_suppliers(), "E1", depth=2, limit=200)
    assert ids(result) == ["E1", "E2", "E3", "O1", "S", "C1", "E4", "E5"]  # E9 is three hops away


def test_the_cap_keeps_the_nearest_and_counts_the_rest():
    result = neighbourhood_of(segment_with_suppliers(), "E1", depth=2, limit=6)
    assert ids(result) == ["E1", "E2", "E3", "O1", "S", "C1"]
    assert (result["capped"], result["omitted"]) == (True, 2)
    assert all(e["source"] in ids(result) and e["target"] in ids(result) for e in result["edges"])


def test_nodes_and_relationships_carry_their_properties_without_label_and_type():
    result = neighbourhood_of(segment_with_suppliers(), "E2", depth=1, limit=200)
    e2 = result["nodes"][0]
    assert (e2["id"], e2["label"], e2["label_zh"], e2["name"]) == ("E2", "Enterprise", "企业", "E2")
    assert "label" not in e2["props"] and "name" not in e2["props"] and e2["props"]["in_base"] is True
    supplies = next(e for e in result["edges"] if e["type"] == "SUPPLIES")
    assert supplies == {"source": "E2", "target": "E1", "type": "SUPPLIES", "props": {"product": "钢材"}}


def test_a_lone_node_is_its_own_neighbourhood():
    g = GraphBuilder().enterprise("E1").projection()
    assert neighbourhood_of(g, "E1", depth=3, limit=10) == {
        "center": "E1", "depth": 3, "limit": 10, "nodes": neighbourhood_of(g, "E1", depth=1, limit=1)["nodes"],
        "edges": [], "capped": False, "omitted": 0,
    }
    assert hops(g, "E1", 3) == [["E1"]]


@pytest.mark.parametrize("seed", range(5))
def test_hops_are_the_undirected_shortest_path_lengths(seed):
    rng = random.Random(seed)
    g = nx.gnm_random_graph(60, 90, seed=seed, directed=True)
    g = nx.MultiDiGraph((str(u), str(v), "SUPPLIES") for u, v in g.edges)
    g.add_nodes_from(str(n) for n in range(60))
    start, depth = str(rng.randrange(60)), rng.randint(1, 3)
    expected = nx.single_source_shortest_path_length(g.to_undirected(), start, cutoff=depth)
    found = {n: hop for hop, layer in enumerate(hops(g, start, depth)) for n in layer}
    assert found == expected
