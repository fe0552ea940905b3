"""Hand-built graphs in a few lines: examples in docstrings, unit tests, notebooks."""

from __future__ import annotations

from graph.projection import project
from graph.records import GraphData, Node, Rel
from graph.schema import Label, RelType


class GraphBuilder:
    """Collects nodes and relationships, then builds the projection analyses read.

    >>> g = (GraphBuilder().enterprise("E1", party_members=2).org("O1", formation="joint")
    ...      .rel("COVERS", "O1", "E1").projection())
    """

    def __init__(self):
        self.nodes: list[Node] = []
        self.rels: list[Rel] = []

    def node(self, label: Label | str, node_id: str, **props) -> "GraphBuilder":
        self.nodes.append(Node(Label(label), node_id, props))
        return self

    def enterprise(self, node_id: str, **props) -> "GraphBuilder":
        return self.node(Label.ENTERPRISE, node_id, **{"name": node_id, **props})

    def org(self, node_id: str, **props) -> "GraphBuilder":
        defaults = {"name": node_id, "level": "branch", "formation": "standalone"}
        return self.node(Label.PARTY_ORG, node_id, **{**defaults, **props})

    def chain(self, node_id: str, **props) -> "GraphBuilder":
        return self.node(Label.CHAIN, node_id, **{"name": node_id, **props})

    def segment(self, node_id: str, chain: str, stage: str, **props) -> "GraphBuilder":
        self.node(Label.SEGMENT, node_id, **{"name": node_id, "stage": stage, **props})
        return self.rel(RelType.PART_OF, node_id, chain)

    def rel(self, rtype: RelType | str, source: str, target: str, **props) -> "GraphBuilder":
        self.rels.append(Rel(RelType(rtype), source, target, props))
        return self

    def data(self, version: int = 1) -> GraphData:
        return GraphData(list(self.nodes), list(self.rels), version)

    def projection(self):
        return project(self.data())
