"""The neighbourhood of a node for a graph view: breadth-first over relationships in
either direction, capped at ``limit`` nodes, telling how many nodes were left out."""

from __future__ import annotations

import networkx as nx

from graph.schema import LABEL_ZH, Label

from api.core.reader import Reader


def neighbourhood(reader: Reader, node_id: str, *, depth: int, limit: int) -> dict:
    """Nodes within ``depth`` hops of ``node_id`` (nearest first, then by id), at most
    ``limit`` of them, and every relationship among the nodes kept.

    Raises NotFound if ``node_id`` is not in the principal's view.
    """
    view = reader.scoped
    g = view.g
    view.node(node_id)
    order = []  # nearest first, each hop in id order
    for hop, layer in enumerate(nx.bfs_layers(g.to_undirected(as_view=True), [node_id])):
        if hop > depth:
            break
        order.extend(sorted(layer))
    kept = order[:limit]
    keep = set(kept)
    nodes = [_node(g.nodes[n], n) for n in kept]
    edges = [
        {"source": u, "target": v, "type": k, "props": {p: x for p, x in data.items() if p != "type"}}
        for u in kept
        for _, v, k, data in g.out_edges(u, keys=True, data=True)
        if v in keep
    ]
    result = {"center": node_id, "depth": depth, "limit": limit, "nodes": nodes, "edges": edges,
              "capped": len(order) > len(kept), "omitted": len(order) - len(kept)}
    return reader.shown(result)


def _node(attrs: dict, node_id: str) -> dict:
    label = attrs["label"]
    return {
        "id": node_id,
        "label": label,
        "label_zh": LABEL_ZH[Label(label)],
        "name": attrs.get("name"),
        "props": {p: v for p, v in attrs.items() if p not in ("label", "name")},
    }
