"""The neighbourhood of any node: the k-hop ego graph, capped, drawn as rings.

Nodes are taken nearest first; within a hop the structure comes before the crowd (chains,
segments, organisations, alliances, people, units, then enterprises), then by id. When the
cap leaves nodes out, each node that led to some of them gets a small "另有 N 个" node that
opens its own neighbourhood, and the page offers to show more.
"""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx

from graph.errors import NotFound
from graph.schema import LABEL_ZH, Label, RelType

from api.web.canvas import SERVER_LINKS, Canvas, Links, name_or_id
from api.web.layout import rings

DEFAULT_LIMIT = 150
MAX_DEPTH = 3
_RANK = {
    Label.CHAIN.value: 0, Label.SEGMENT.value: 1, Label.PARTY_ORG.value: 2, Label.ALLIANCE.value: 3,
    Label.LEADER.value: 4, Label.INSTRUCTOR.value: 5, Label.UNIT.value: 6, Label.ENTERPRISE.value: 7,
}


def ego(g: nx.MultiDiGraph, centre: str, *, depth: int) -> tuple[list[list[str]], dict[str, str]]:
    """Breadth-first rings around ``centre`` over relationships in either direction:
    ``hops[k]`` are the nodes k+1 hops away (ordered as the module docstring says), and
    ``parent`` maps each to the node one hop closer it was reached from."""
    nodes = g._node
    seen = {centre}
    parent: dict[str, str] = {}
    hops: list[list[str]] = []
    frontier = [centre]
    for _ in range(depth):
        found: dict[str, str] = {}
        for n in frontier:
            for other in [*g._succ[n], *g._pred[n]]:
                if other not in seen and other not in found:
                    found[other] = n
        ring = sorted(found, key=lambda v: (_RANK.get(nodes[v]["label"], 9), v))
        if not ring:
            break
        parent.update(found)
        seen.update(ring)
        hops.append(ring)
        frontier = ring
    return hops, parent


def neighbourhood_map(
    g: nx.MultiDiGraph,
    node_id: str,
    *,
    depth: int = 1,
    limit: int = DEFAULT_LIMIT,
    links: Links = SERVER_LINKS,
    max_limit: int = 2000,
) -> dict:
    """The payload of a neighbourhood view (see ``api.web.canvas``).

    Parameters: ``depth`` hops (1–3); ``limit`` nodes at most, the centre included;
    ``max_limit`` bounds the "show more" link. Raises ``NotFound`` if ``node_id`` is not
    in ``g``, ``ValueError`` for a depth out of range.
    """
    if not isinstance(node_id, str) or node_id not in g:
        raise NotFound(f"找不到对象 {node_id}")
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth 应在 1 到 {MAX_DEPTH} 之间")
    hops, parent = ego(g, node_id, depth=depth)
    room = max(limit - 1, 0)
    kept_hops = []
    for ring in hops:
        kept_hops.append(ring[:room])
        room -= len(kept_hops[-1])
    kept = {node_id, *(n for ring in kept_hops for n in ring)}
    left_out = Counter(parent[n] for ring in hops for n in ring if n not in kept)
    canvas = Canvas(g, links)
    positions = rings(node_id, kept_hops, parent)
    canvas.add_states(n for n in kept if g._node[n]["label"] == Label.ENTERPRISE.value)
    for n in [node_id, *(n for ring in kept_hops for n in ring)]:
        canvas.add(n, *positions[n])
    canvas.nodes[node_id]["size"] = 24 if canvas.nodes[node_id].get("shape") != "star" else 28
    canvas.link_graph_edges(RelType)
    for holder, count in sorted(left_out.items()):
        if holder not in kept:
            continue
        x, y = positions[holder]
        far = math.hypot(x, y) or 1.0
        more_id = f"more:{holder}"
        href = links.entity(holder)
        canvas.add_synthetic(
            more_id, f"另有 {count} 个", "more", x + 90 * x / far, y + 90 * y / far,
            name=f"{name_or_id(g.nodes[holder], holder)} 的另外 {count} 个关联对象", kind="未展开",
            info=[["说明", "受显示上限所限未画出；双击或点下方链接，以该对象为中心展开。"]],
            links=[["以该对象为中心展开", href]] if href else [], href=href,
        )
        canvas.link(holder, more_id, "MORE")
    total = 1 + sum(len(r) for r in hops)
    attrs = g.nodes[node_id]
    actions = []
    if total > len(kept) and limit < max_limit:
        actions.append([f"显示更多（还有 {total - len(kept)} 个未显示）",
                        links.entity(node_id, depth=depth, limit=min(max_limit, limit * 2))])
    for d in range(1, MAX_DEPTH + 1):
        if d != depth:
            actions.append([f"{d} 跳范围", links.entity(node_id, depth=d, limit=limit)])
    return canvas.payload(
        kind="neighbourhood",
        title=f"关系网络：{name_or_id(attrs, node_id)}",
        subtitle=f"{LABEL_ZH[Label(attrs['label'])]} · {depth} 跳以内共 {total - 1} 个关联对象，显示 {len(kept) - 1} 个",
        centre=node_id,
        selected=node_id,
        actions=[a for a in actions if a[1]],
    )
