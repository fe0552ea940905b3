"""The neighbourhood of any node: the k-hop ego graph, capped, laid out by relation.

Nodes are taken nearest first; within a hop the structure comes before the crowd (chains,
segments, organisations, alliances, people, units, then enterprises), then by id. When the
cap leaves nodes out, each node that led to some of them gets a small "另有 N 个" node that
opens its own neighbourhood, and the page offers to show more.

The centre sits on top with its superiors above it (an org's 上级党组织, its 隶属 lines
on). Under it, one block per relation, titled in the words of ``api.web.style`` ("下级党组织
（33）", "上游供应商（5）", "覆盖企业（2）"), each listing its nodes by name; a node with
nodes of its own further out (depth 2 or 3) gets a block of its own, itself first.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.errors import NotFound
from graph.schema import LABEL_ZH, Label, RelType

from api.web.canvas import SERVER_LINKS, Canvas, Lane, Links, name_or_id
from api.web.layout import Group, Spacing, group_shelves, spaced
from api.web.style import EDGE_STYLES, HIERARCHY

DEFAULT_LIMIT = 150
MAX_DEPTH = 3
_RANK = {
    Label.CHAIN.value: 0, Label.SEGMENT.value: 1, Label.PARTY_ORG.value: 2, Label.ALLIANCE.value: 3,
    Label.LEADER.value: 4, Label.INSTRUCTOR.value: 5, Label.UNIT.value: 6, Label.ENTERPRISE.value: 7,
}
_ABOVE = ("UNDER", True)  # (relationship, from the centre): the centre's superiors go above it
_CENTRE_GAP = 130.0
LABELLED_UNDER = 12  # more 隶属 lines than this and only the block's title says it
_SPACING = Spacing(head=36.0, named_w=250.0)  # one-line headings; names of ~17 characters


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


def relation(g: nx.MultiDiGraph, centre: str, other: str) -> tuple[str, bool]:
    """How ``other`` is linked to ``centre``: (relationship type, whether it points from
    the centre), the first in ``EDGE_STYLES`` order."""
    out = g._succ[centre].get(other, {})
    back = g._pred[centre].get(other, {})
    for rtype in EDGE_STYLES:
        if rtype in out:
            return rtype, True
        if rtype in back:
            return rtype, False
    return next(iter(out), next(iter(back), "")), bool(out)


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
    canvas.add_states(n for n in kept if g._node[n]["label"] == Label.ENTERPRISE.value)
    above, groups = _blocks(g, node_id, kept_hops, parent, left_out, canvas)
    placed = spaced(group_shelves, groups, spacing=_SPACING, extra_height=_CENTRE_GAP * len(above),
                    extra_width=_CENTRE_GAP * 1.6 + _SPACING.named_w)  # the centre on the left, the last names
    order = {n: k for k, n in enumerate(n for group in groups for n in group.named)}
    for n, (x, y) in placed.positions.items():
        if n.startswith("more:"):
            _more(canvas, g, n, x, y, left_out, links)
        else:
            canvas.add(n, x, y)
        canvas.nodes[n].update(rank=10 + order.get(n, 0), side="right", compact=True,
                                  room=placed.rooms.get(n, placed.spacing.named_w))
    for frame in placed.frames:
        canvas.lanes.append(Lane(frame.title, frame.x, frame.y, frame.w, frame.h, "segment", head=placed.spacing.head))
    # The centre left of its lists (its lines reach each list from the side its dots are
    # on), its superiors above it.
    centre_y = min(placed.height / 2, 240.0)
    node = canvas.add(node_id, -_CENTRE_GAP * 1.6, centre_y)
    node.update(rank=0, size=24 if node.get("shape") != "star" else 28)
    for i, n in enumerate(above):
        canvas.add(n, -_CENTRE_GAP * 1.6, centre_y - (i + 1) * _CENTRE_GAP).update(rank=1)
    canvas.link_graph_edges(RelType)
    # The lines the page is about (each node to the one it was reached from) are drawn; the
    # others between listed nodes only while one end is selected, or they cross every list.
    tree = {frozenset((n, parent[n])) for n in kept if n != node_id}
    for edge in canvas.edges:
        if frozenset((edge["from"], edge["to"])) not in tree:
            edge["quiet"] = True
    under = [e for e in canvas.edges if e["style"] == "UNDER" and node_id in (e["from"], e["to"])]
    for edge in under:  # the centre's 隶属 lines say what they are, while few enough to read
        if edge["from"] == node_id or len(under) <= LABELLED_UNDER:
            edge["label"] = "隶属于"
    for holder in left_out:
        if f"more:{holder}" in canvas.nodes:
            canvas.link(holder, f"more:{holder}", "MORE")
    canvas.sheet.set_layer(HIERARCHY, on=True)  # the centre's place among the orgs is the point of the page
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
        actions=[a for a in actions if a[1]],
    )


def _blocks(g, centre, kept_hops, parent, left_out, canvas) -> tuple[list[str], list[Group]]:
    """(the centre's superiors, drawn above it; the blocks under it). A first-hop node
    with nodes of its own further out heads a block of them; the others are listed in
    one block per relation to the centre."""
    first = kept_hops[0] if kept_hops else []
    root = {n: n for n in first}
    for ring in kept_hops[1:]:
        for n in ring:
            root[n] = root[parent[n]]
    further: dict[str, list[str]] = defaultdict(list)
    for ring in kept_hops[1:]:
        for n in ring:
            further[root[n]].append(n)
    above, by_relation = [], defaultdict(list)
    for n in first:
        rtype, outgoing = relation(g, centre, n)
        if (rtype, outgoing) == _ABOVE and not further.get(n):
            above.append(n)
        else:
            by_relation[(rtype, outgoing)].append(n)
    groups = []
    order = list(EDGE_STYLES)
    for (rtype, outgoing), members in sorted(by_relation.items(), key=lambda item: (_order(order, item[0][0]), not item[0][1])):
        listed, indented = [], set()
        for n in members:  # an outline: each node, then what it leads to further out
            listed.append(n)
            listed.extend(further.get(n, ()))
            indented.update(further.get(n, ()))
        listed = _with_more(listed, left_out)
        indented.update(m for m in listed if m.startswith("more:") and m.removeprefix("more:") in indented)
        groups.append(Group(f"{rtype}:{outgoing}", f"{_word(rtype, outgoing)}（{len(members)}）", named=listed,
                            indented=frozenset(indented)))
    if centre in left_out:
        groups.append(Group("more", "受显示上限所限未画出", named=[f"more:{centre}"]))
    for holder in left_out:  # a holder listed in no block above is one of the centre's superiors
        if holder != centre and not any(holder in group.named for group in groups):
            groups.append(Group(f"more-{holder}", "受显示上限所限未画出", named=[f"more:{holder}"]))
    return above, groups


def _with_more(members: list[str], left_out: Counter) -> list[str]:
    out = []
    for n in members:
        out.append(n)
        if n in left_out:
            out.append(f"more:{n}")
    return out


def _order(order: list[str], rtype: str) -> int:
    return order.index(rtype) if rtype in order else len(order)


def _word(rtype: str, outgoing: bool) -> str:
    style = EDGE_STYLES.get(rtype)
    if style is None:
        return "关联对象"
    return (style.forward if outgoing else style.backward) or style.text


def _more(canvas: Canvas, g: nx.MultiDiGraph, more_id: str, x: float, y: float, left_out: Counter, links: Links) -> None:
    holder = more_id.removeprefix("more:")
    count = left_out[holder]
    href = links.entity(holder)
    canvas.add_synthetic(
        more_id, f"另有 {count} 个", "more", x, y,
        name=f"{name_or_id(g.nodes[holder], holder)} 的另外 {count} 个关联对象", kind="未展开",
        info=[["说明", "受显示上限所限未画出；双击或点下方链接，以该对象为中心展开。"]],
        links=[["以该对象为中心展开", href]] if href else [], href=href,
    )
