"""Positions computed on the server, so a large graph needs no physics in the browser.

- :func:`swimlanes`: columns of nodes in grids, grouped into lanes (a chain's stages
  upstream → midstream → downstream, each holding its segments), sized so the whole
  picture is about as wide as a screen is wide compared to its height;
- :func:`satellites`: nodes placed next to the nodes they belong to (a branch beside the
  enterprise it covers) or in a band above or below the lanes, spread so they do not
  sit on each other;
- :func:`rings`: an ego graph as concentric rings around its centre;
- :func:`blocks`: a plan as one block per proposer with its targets beneath.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

CELL_W = 150.0  # room for a label of ~8 Chinese characters under a node
CELL_H = 66.0
COLUMN_GAP = 50.0
LANE_GAP = 90.0
LANE_PAD = 40.0
HEADER_H = 70.0  # lane and column titles above the grids
BAND_GAP = 150.0  # from the lanes to a band of satellites
SATELLITE_GAP = 130.0
RING_SPACING = 120.0  # arc length per node on a ring: a label is ~110 px wide
ASPECT = 0.7  # height / width the layout aims for (the graph area of a wide screen)


@dataclass
class Column:
    title: str
    members: list[str]
    key: str = ""


@dataclass
class LaneSpec:
    title: str
    tone: str
    columns: list[Column] = field(default_factory=list)


@dataclass
class Box:
    title: str
    x: float
    y: float
    w: float
    h: float
    tone: str


@dataclass
class Placed:
    positions: dict[str, tuple[float, float]]
    boxes: list[Box]  # lanes first, then the columns inside them
    width: float
    height: float


def grid_rows(count: int, tallest: int) -> int:
    """Rows per column so that ``count`` cells give a wide picture.

    With r rows the picture is about ``count / r`` cells wide: r·CELL_H ≈ ASPECT ·
    (count / r)·CELL_W gives r ≈ sqrt(ASPECT · count · CELL_W / CELL_H). Never more rows
    than the ``tallest`` column needs, never fewer than three.
    """
    rows = math.ceil(math.sqrt(ASPECT * max(count, 1) * CELL_W / CELL_H))
    return max(3, min(rows, tallest))


def swimlanes(lanes: list[LaneSpec], *, rows: int | None = None) -> Placed:
    """Lay out lanes left to right, each lane's columns left to right, each column's
    members in a grid filled row by row (so members sorted by state form blocks).

    A member already placed (an enterprise in two segments) keeps its first place.
    """
    sizes = [len(c.members) for lane in lanes for c in lane.columns]
    rows = rows or grid_rows(sum(sizes), max(sizes, default=1))
    positions: dict[str, tuple[float, float]] = {}
    lane_boxes, column_boxes = [], []
    x = 0.0
    top = HEADER_H
    height = rows * CELL_H + HEADER_H + LANE_PAD
    for lane in lanes:
        lane_x = x
        x += LANE_PAD / 2
        for column in lane.columns:
            members = [m for m in column.members if m not in positions]
            per_row = max(1, math.ceil(len(members) / rows))
            for i, member in enumerate(members):
                r, c = divmod(i, per_row)
                positions[member] = (x + (c + 0.5) * CELL_W, top + (r + 0.5) * CELL_H)
            width = per_row * CELL_W
            column_boxes.append(Box(column.title, x - 10, HEADER_H / 2, width + 20, height - HEADER_H / 2 - LANE_PAD / 4, "segment"))
            x += width + COLUMN_GAP
        x += LANE_PAD / 2 - COLUMN_GAP
        lane_boxes.append(Box(lane.title, lane_x, 0.0, x - lane_x, height, lane.tone))
        x += LANE_GAP
    return Placed(positions, lane_boxes + column_boxes, max(x - LANE_GAP, CELL_W), height)


def satellites(
    wanted: dict[str, list[str]],
    anchors: dict[str, tuple[float, float]],
    *,
    beside: bool = False,
    band_y: float | None = None,
    centre_x: float = 0.0,
    rows_down: bool = False,
) -> dict[str, tuple[float, float]]:
    """Place each node of ``wanted`` (node -> the anchored nodes it belongs to).

    ``beside``: next to the mean of its anchors (a branch by its enterprise: up and to the
    right, in the gap between grid cells). Otherwise in a horizontal band at ``band_y``,
    each at the mean x of its anchors (``centre_x`` if it has none), pushed apart to
    ``SATELLITE_GAP``; a crowded band wraps into more rows, going up (or down, with
    ``rows_down``).
    """
    desired = {}
    for node, of in wanted.items():
        points = [anchors[a] for a in of if a in anchors]
        if points:
            desired[node] = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        else:
            desired[node] = (centre_x, band_y if band_y is not None else 0.0)
    if beside:
        return {n: (x + CELL_W * 0.3, y - CELL_H * 0.42) for n, (x, y) in desired.items()}
    return _band(desired, band_y or 0.0, rows_down)


def _band(desired: dict[str, tuple[float, float]], y: float, rows_down: bool) -> dict[str, tuple[float, float]]:
    """Spread nodes along a line at ``y`` keeping their order by desired x; if the band
    would come out more than twice as wide as the desired spread, use more rows."""
    order = sorted(desired, key=lambda n: (desired[n][0], n))
    if not order:
        return {}
    xs = [desired[n][0] for n in order]
    spread = max(xs) - min(xs) + SATELLITE_GAP
    n_rows = max(1, math.ceil(len(order) * SATELLITE_GAP / (2 * spread)))
    step = -CELL_H * 1.3 if not rows_down else CELL_H * 1.3
    placed = {}
    for r in range(n_rows):
        row = order[r::n_rows]
        placed.update(_spread_row(row, [desired[n][0] for n in row], y + r * step))
    return placed


def _spread_row(nodes: list[str], xs: list[float], y: float) -> dict[str, tuple[float, float]]:
    """Keep order; no two closer than SATELLITE_GAP; centred on the desired positions."""
    out = []
    for x in xs:
        out.append(max(x, out[-1] + SATELLITE_GAP) if out else x)
    shift = (sum(xs) - sum(out)) / len(out)
    return {n: (x + shift, y) for n, x in zip(nodes, out)}


def rings(centre: str, hops: list[list[str]], parent: dict[str, str]) -> dict[str, tuple[float, float]]:
    """An ego graph: ``centre`` at the origin, ``hops[k]`` on ring k+1. Each ring is
    ordered by the angle of each node's parent on the ring inside it, so children sit
    near their parents and few lines cross. Rings grow to leave room for each label."""
    positions = {centre: (0.0, 0.0)}
    angle = {centre: 0.0}
    radius = 0.0
    for ring in hops:
        if not ring:
            continue
        radius = max(radius + 260.0, len(ring) * RING_SPACING / (2 * math.pi))
        ordered = sorted(ring, key=lambda n: (angle.get(parent.get(n, centre), 0.0), n))
        for i, node in enumerate(ordered):
            a = 2 * math.pi * i / len(ordered) - math.pi / 2
            angle[node] = (a + math.pi / 2) % (2 * math.pi)
            positions[node] = (radius * math.cos(a), radius * math.sin(a))
    return positions


def blocks(groups: list[tuple[str, list[str]]], *, per_row: int | None = None) -> dict[str, tuple[float, float]]:
    """One block per (head, members): the head on top, its members in a small grid below;
    blocks flow left to right and wrap into rows. A member already placed stays put."""
    positions: dict[str, tuple[float, float]] = {}
    sizes = [max(1, len(members)) for _, members in groups]
    per_row = per_row or max(1, math.ceil(math.sqrt(len(groups) * 1.5)))
    x = y = 0.0
    row_height = 0.0
    for i, ((head, members), size) in enumerate(zip(groups, sizes)):
        if i and i % per_row == 0:
            x, y = 0.0, y + row_height + CELL_H * 1.5
            row_height = 0.0
        members = [m for m in members if m not in positions]
        cols = max(1, min(4, math.ceil(math.sqrt(len(members)))))
        width = cols * CELL_W
        if head not in positions:
            positions[head] = (x + width / 2, y)
        for j, member in enumerate(members):
            r, c = divmod(j, cols)
            positions[member] = (x + (c + 0.5) * CELL_W, y + CELL_H * 1.6 + r * CELL_H)
        height = CELL_H * 1.6 + math.ceil(len(members) / cols) * CELL_H
        row_height = max(row_height, height)
        x += width + COLUMN_GAP * 2
    return positions


def centre_of(points: Iterable[tuple[float, float]]) -> tuple[float, float]:
    points = list(points)
    if not points:
        return (0.0, 0.0)
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
