"""The neighbourhood of a node for a graph view: breadth-first over relationships in
either direction, capped at ``limit`` nodes, telling how many nodes were left out.

Cost: each node nearer than ``depth`` hops has its relationships read once; the nodes at
``depth`` hops are counted, never expanded (a segment two hops away can have thousands of
enterprises around it); only the kept nodes are sorted fully and turned into JSON. So a
neighbourhood costs the degrees of its inner nodes plus ``limit``, never the hops beyond.
"""

from __future__ import annotations

import heapq
import json

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.schema import LABEL_ZH, Label

from api.core.reader import Reader


def neighbourhood(reader: Reader, node_id: str, *, depth: int, limit: int) -> bytes:
    """The JSON of :func:`neighbourhood_of` in the principal's view; the people whose names
    it shows are audited, on every request. The view keeps the recently asked ones
    (``ScopedGraph.recent``): a neighbourhood asked again costs a look-up.

    Raises NotFound if ``node_id`` is not in the principal's view.
    """
    view = reader.scoped
    view.node(node_id)

    def answer() -> tuple[bytes, list[str]]:
        result = neighbourhood_of(view.g, node_id, depth=depth, limit=limit)
        people = view.people_in(result) if view.personal else []
        return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode(), people

    body, people = view.recent.get(("neighbourhood", node_id, depth, limit), answer)
    reader.saw(people)
    return body


def neighbourhood_of(g: nx.MultiDiGraph, node_id: str, *, depth: int, limit: int) -> dict:
    """Nodes within ``depth`` hops of ``node_id`` (nearest first, each hop in id order), at
    most ``limit`` of them, and every relationship among the nodes kept; ``capped`` and
    ``omitted`` tell how many nodes within ``depth`` were left out.

    ``g`` is a projection (or a view of one): nodes carry ``label``, relationships are
    keyed by their type. E.g. an enterprise E1 in segment S with a supplier E2::

        neighbourhood_of(g, "E1", depth=1, limit=2)["nodes"]  ->  E1, then E2 (S is omitted)
    """
    kept: list[str] = []
    within = 0
    for layer in hops(g, node_id, depth):
        within += len(layer)
        room = limit - len(kept)
        if room >= len(layer):
            kept.extend(sorted(layer))
        elif room > 0:
            kept.extend(heapq.nsmallest(room, layer))
    keep = set(kept)
    nodes = g._node
    succ = g._succ
    return {
        "center": node_id, "depth": depth, "limit": limit,
        "nodes": [_node(nodes[n], n) for n in kept],
        "edges": [
            {"source": u, "target": v, "type": k, "props": {p: x for p, x in data.items() if p != "type"}}
            for u in kept
            for v, keyed in succ[u].items()
            if v in keep
            for k, data in keyed.items()
        ],
        "capped": within > len(kept), "omitted": within - len(kept),
    }


def hops(g: nx.MultiDiGraph, start: str, depth: int) -> list[list[str]]:
    """The nodes at 0, 1, … ``depth`` hops from ``start``, following relationships either
    way, each node once (at its fewest hops), each hop's nodes in no particular order.
    The last hop's nodes are found, not expanded."""
    succ, pred = g._succ, g._pred
    seen = {start}
    layers = [[start]]
    for _ in range(depth):
        found = []
        for n in layers[-1]:
            for around in (succ[n], pred[n]):
                for m in around:
                    if m not in seen:
                        seen.add(m)
                        found.append(m)
        if not found:
            break
        layers.append(found)
    return layers


def _node(attrs: dict, node_id: str) -> dict:
    label = attrs["label"]
    return {
        "id": node_id,
        "label": label,
        "label_zh": LABEL_ZH[Label(label)],
        "name": attrs.get("name"),
        "props": {p: v for p, v in attrs.items() if p not in ("label", "name")},
    }
