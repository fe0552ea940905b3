"""Supply arrows between two enterprises of one group (a segment's column, a park's block).

Drawn straight, such an arrow runs down the column through the dots between its ends and
its head lands where the next dot sits, so it seems to join two other enterprises. Instead
it leaves its source sideways, runs down the group's left margin (inside the group's box,
left of every dot) and enters its target from the left: a named enterprise along its own
row (one name a row, nothing left of it), a dot of the grid along the gap under its row.
The page draws the ``route`` an edge carries instead of the straight line.
"""

from __future__ import annotations

import math

from api.web.layout import Group

MARGIN = 4.0  # from the group's box to the line down its margin: clear of the first column's stars


def route_within_groups(edges: list[dict], nodes: dict[str, dict], groups: list[Group], named: set[str], dot: float) -> None:
    """Give each edge whose two ends are drawn in one group a ``route``: its points, from
    the source's circle to the target's.

    ``nodes`` are the canvas's drawn nodes (``x``, ``y``, ``size`` the radius), ``named``
    those listed by name, ``dot`` the grid's spacing.
    """
    group_of: dict[str, int] = {}
    for k, group in enumerate(groups):
        for member in (*group.named, *group.members):
            if member in nodes:
                group_of.setdefault(member, k)
    first_column: dict[int, float] = {}
    for member, k in group_of.items():
        first_column[k] = min(first_column.get(k, math.inf), nodes[member]["x"])
    for edge in edges:
        source, target = edge["from"], edge["to"]
        k = group_of.get(source)
        if k is None or source == target or group_of.get(target) != k:
            continue
        margin = first_column[k] - dot / 2 - MARGIN
        edge["route"] = [[round(x, 1), round(y, 1)] for x, y in
                         _route(nodes[source], nodes[target], source in named, target in named, margin, dot)]


def _route(source: dict, target: dict, source_named: bool, target_named: bool, margin: float, dot: float):
    leave = _side_way(source, source_named, margin, dot)
    enter = _side_way(target, target_named, margin, dot)[::-1]
    if not source_named and not target_named and source["y"] == target["y"]:  # one row of the grid: along its gap
        return leave[:2] + enter[-2:]
    return leave + enter


def _side_way(node: dict, named: bool, margin: float, dot: float) -> list[tuple[float, float]]:
    """From a node's circle out to the margin (the way in is the same, reversed)."""
    x, y, r = node["x"], node["y"], node["size"]
    if named:
        return [(x - r, y), (margin, y)]
    gap = y + dot / 2
    corner = r / math.sqrt(2)
    return [(x - corner, y + corner), (x - dot / 2, gap), (margin, gap)]
