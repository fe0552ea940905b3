"""The projection: the graph networkx's own methods would build, in the same order, with
equal edge dicts shared; dangling relationships are left out, and loading leaves the
collector as it found it."""

from __future__ import annotations

import gc

import networkx as nx
import pytest

from graph.analysis.coverage import coverage_report
from graph.analysis.org_checks import organisation_checks
from graph.projection import _DEFAULTS, _REL_DEFAULTS, ids_with_label, load_projection, project
from graph.records import GraphData, Node, Rel
from graph.schema import Label, RelType
from tests.unit.test_snapshot_projection import SEEDS, random_graph


def dangling() -> GraphData:
    """O1 covers E1 and a missing enterprise; a missing org covers E1."""
    return GraphData(
        nodes=[Node(Label.ENTERPRISE, "E1", {"name": "甲"}), Node(Label.PARTY_ORG, "O1", {"name": "支部"})],
        rels=[
            Rel(RelType.COVERS, "O1", "E1"),
            Rel(RelType.COVERS, "O1", "GONE"),
            Rel(RelType.COVERS, "NOBODY", "E1"),
        ],
        version=7,
    )


def test_relationships_with_a_missing_end_are_left_out():
    g = project(dangling())
    assert sorted(g.nodes) == ["E1", "O1"]
    assert list(g.edges(keys=True)) == [("O1", "E1", "COVERS")]
    assert (g.graph["version"], ids_with_label(g, Label.PARTY_ORG)) == (7, ["O1"])
    assert coverage_report(g).totals.org_covered == 1
    assert organisation_checks(g) == []


class _Store:
    def __init__(self, data: GraphData):
        self.data = data

    def version(self) -> int:
        return self.data.version

    def read(self) -> GraphData:
        return self.data


def test_load_projection_restores_the_collector():
    assert gc.isenabled()
    g = load_projection(_Store(dangling()))
    assert gc.isenabled() and sorted(g.nodes) == ["E1", "O1"]
    gc.disable()
    try:
        load_projection(_Store(dangling()))
        assert not gc.isenabled()  # left off, as the caller had it
    finally:
        gc.enable()


def test_load_projection_reenables_the_collector_when_reading_fails():
    class Broken(_Store):
        def read(self) -> GraphData:
            raise OSError("disk gone")

    try:
        load_projection(Broken(dangling()))
    except OSError:
        pass
    assert gc.isenabled()


def built_by_networkx(data: GraphData) -> nx.MultiDiGraph:
    """The projection as ``add_nodes_from`` / ``add_edges_from`` build it (what ``project``
    did before it filled the graph's dicts itself)."""
    g = nx.MultiDiGraph(version=data.version)
    g.add_nodes_from((n.id, {**_DEFAULTS[n.label], **n.props, "label": n.label.value}) for n in data.nodes)
    g.add_edges_from((r.source, r.target, r.type.value, {**_REL_DEFAULTS[r.type], **r.props, "type": r.type.value})
                     for r in data.rels if r.source in g._node and r.target in g._node)
    return g


def in_order(adjacency: dict) -> list:
    return [(u, [(v, list(keyed.items())) for v, keyed in nbrs.items()]) for u, nbrs in adjacency.items()]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_projection_is_the_graph_networkx_builds_in_the_same_order(seed):
    data = random_graph(seed)
    data.nodes.extend(Node(Label.ENTERPRISE, f"X{i}") for i in range(3))  # each pair once, as in a store
    data.rels.append(Rel(RelType.SUPPLIES, "X1", "X2", {"volume": 1}))  # 1 and True: equal keys, other values
    data.rels.append(Rel(RelType.SUPPLIES, "X2", "X1", {"volume": True}))
    data.rels.append(Rel(RelType.SUPPLIES, "X0", "X1", {"products": ["a", "b"]}))  # a list: not shareable
    g, expected = project(data), built_by_networkx(data)
    assert list(g._node.items()) == list(expected._node.items())
    assert in_order(g._succ) == in_order(expected._succ)
    assert in_order(g._pred) == in_order(expected._pred)
    assert all(g._pred[v][u] is keyed for u, nbrs in g._succ.items() for v, keyed in nbrs.items())
    assert type(g["X2"]["X1"]["SUPPLIES"]["volume"]) is bool and type(g["X1"]["X2"]["SUPPLIES"]["volume"]) is int
    assert g.graph["by_label"]["Enterprise"] == [n.id for n in data.nodes if n.label is Label.ENTERPRISE]


def test_edges_with_equal_properties_share_one_dict():
    data = GraphData(
        nodes=[Node(Label.ENTERPRISE, f"E{i}") for i in range(4)],
        rels=[Rel(RelType.SUPPLIES, "E0", "E1", {"product": "芯片"}), Rel(RelType.SUPPLIES, "E1", "E2", {"product": "芯片"}),
              Rel(RelType.SUPPLIES, "E2", "E3", {"product": "电池"})],
        version=1,
    )
    g = project(data)
    first, second, other = (g._succ[u][v]["SUPPLIES"] for u, v in (("E0", "E1"), ("E1", "E2"), ("E2", "E3")))
    assert first is second and first is not other
    assert first == {"product": "芯片", "type": "SUPPLIES"} | {k: v for k, v in _REL_DEFAULTS[RelType.SUPPLIES].items()
                                                             if k != "product"}


def test_pairs_linked_the_same_way_share_one_dict_of_edges_and_a_second_type_gets_its_own():
    data = GraphData(
        nodes=[Node(Label.PARTY_ORG, "O1"), Node(Label.PARTY_ORG, "O2"), Node(Label.ENTERPRISE, "E1"),
               Node(Label.ENTERPRISE, "E2"), Node(Label.INSTRUCTOR, "I1")],
        rels=[Rel(RelType.COVERS, "O1", "E1"), Rel(RelType.COVERS, "O2", "E2"),
              Rel(RelType.ASSIGNED_TO, "I1", "E1"), Rel(RelType.ASSIGNED_TO, "I1", "E2"),
              Rel(RelType.PAIRED_WITH, "O1", "E1")],
        version=1,
    )
    g = project(data)
    assert g._succ["I1"]["E1"] is g._succ["I1"]["E2"]  # one ASSIGNED_TO each, no properties
    assert list(g._succ["O1"]["E1"]) == ["COVERS", "PAIRED_WITH"]  # O1 -> E1 got a second type
    assert list(g._succ["O2"]["E2"]) == ["COVERS"]  # the dict O2 -> E2 shared before is unchanged
    assert g._pred["E1"]["O1"] is g._succ["O1"]["E1"]
