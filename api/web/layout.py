"""Positions computed on the server, so a large graph needs no physics in the browser.

- :func:`swimlanes`: columns of nodes in grids, grouped into lanes (the gap map's chains
  and stages), sized so the whole picture is about as wide as a screen is wide compared
  to its height;
- :func:`group_columns`: a chain map's segments as columns inside their stage lanes, each
  column headed by its figures, its named enterprises listed one per row (a dot and its
  name), the rest packed as a grid of dots beneath — a stacked bar of coverage states;
- :func:`group_shelves`: the same groups (the parks of one segment) packed on shelves
  when there are too many for one row;
- :func:`satellites`: nodes placed next to the nodes they belong to (a branch beside the
  enterprise it covers) or in a band above or below the lanes, spread so they do not
  sit on each other;
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
ASPECT = 0.7  # height / width the layout aims for (the graph area of a wide screen)


@dataclass
class Column:
    title: str
    members: list[str]
    key: str = ""
    subtitle: str = ""


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
    subtitle: str = ""


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


def swimlanes(lanes: list[LaneSpec], *, rows: int | None = None, aspect: float | None = None) -> Placed:
    """Lay out lanes left to right, each lane's columns left to right, each column's
    members in a grid filled row by row (so members sorted by state form blocks).

    With ``aspect`` (height / width of the screen), a picture wider than that is laid out
    again with taller rows (up to twice as tall): the names written under and above the
    dots get the room the screen has to spare.

    A member already placed (an enterprise in two segments) keeps its first place.
    """
    placed = _swimlanes(lanes, rows, CELL_H)
    if aspect and placed.height < aspect * placed.width:
        rows_h = placed.height - HEADER_H - LANE_PAD
        taller = min(2.0, (aspect * placed.width - HEADER_H - LANE_PAD) / max(rows_h, 1.0))
        placed = _swimlanes(lanes, rows, CELL_H * taller)
    return placed


def _swimlanes(lanes: list[LaneSpec], rows: int | None, cell_h: float) -> Placed:
    sizes = [len(c.members) for lane in lanes for c in lane.columns]
    rows = rows or grid_rows(sum(sizes), max(sizes, default=1))
    positions: dict[str, tuple[float, float]] = {}
    lane_boxes, column_boxes = [], []
    x = 0.0
    top = HEADER_H
    height = rows * cell_h + HEADER_H + LANE_PAD
    for lane in lanes:
        lane_x = x
        x += LANE_PAD / 2
        for column in lane.columns:
            members = [m for m in column.members if m not in positions]
            per_row = max(1, math.ceil(len(members) / rows))
            for i, member in enumerate(members):
                r, c = divmod(i, per_row)
                positions[member] = (x + (c + 0.5) * CELL_W, top + (r + 0.5) * cell_h)
            width = per_row * CELL_W
            column_boxes.append(Box(column.title, x - 10, HEADER_H / 2, width + 20, height - HEADER_H / 2 - LANE_PAD / 4, "segment",
                                    column.subtitle))
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


# -- groups: a title, named members one per row, the rest as a grid of dots ----------------

DOT = 24.0  # default grid spacing of unnamed members: a dot of radius ~7 and a little air
NAMED_ROW = 22.0  # one named member per row, its name to the right of its dot
NAMED_W = 130.0  # a dot and a name of ~8 characters at the page's 12.5 px label size (the gap takes the rest)
NAMED_ROWS_MAX = 12
INDENT = 22.0  # a longer list of names wraps into another column
GROUP_HEAD = 72.0  # room for a group's title and two lines of figures (drawn at screen size by the page)
GROUP_GAP = 28.0
GROUP_PAD = 12.0
STAGE_HEAD = 40.0  # a stage lane's title above its groups
STAGE_GAP = 36.0
WIDE = 1.35  # width / height of the graph area of a 1400×900 window
SCREEN_W, SCREEN_H = 1100.0, 800.0  # that graph area in pixels, less a margin


@dataclass(frozen=True)
class Spacing:
    """Room for what the page writes at screen size (names, headings), in canvas units.
    At a fitted zoom below 1 the same pixels take more canvas units: see :func:`spaced`."""

    named_row: float = NAMED_ROW
    head: float = GROUP_HEAD
    named_w: float = NAMED_W
    dot: float = DOT

    def grown(self, factor: float) -> "Spacing":
        return Spacing(self.named_row * factor, self.head * factor, self.named_w * factor, self.dot)


def fit_scale(width: float, height: float) -> float:
    """The zoom at which a picture of ``width`` × ``height`` fits the graph area."""
    return min(SCREEN_W / max(width, 1.0), SCREEN_H / max(height, 1.0), 1.0)


def spaced(layout, *args, extra_height: float = 0.0, extra_width: float = 0.0, spacing: Spacing = Spacing(),
           **kwargs) -> "Framed":
    """``layout(*args, spacing=…, **kwargs)`` with rows and headings tall enough to be
    read at the zoom the result will be shown at (more passes when that is below 1)."""
    base = spacing
    placed = layout(*args, spacing=base, **kwargs)
    factor = 1.0
    for _ in range(3):  # more room makes the picture bigger and the zoom smaller: settle it
        scale = fit_scale(placed.width + extra_width, placed.height + extra_height)
        if scale * factor >= 0.9:
            break
        # 1.25: the bands above and below grow too, and the page leaves a margin for names
        factor = min(1.25 / scale, 5.0)
        placed = layout(*args, spacing=base.grown(factor), **kwargs)
    return placed


@dataclass
class Group:
    """Members shown together under one heading (a segment, a park)."""

    key: str
    title: str
    subtitle: str = ""
    rate: str = "none"  # green / amber / red / none: the colour of the heading
    named: list[str] = field(default_factory=list)  # listed with their names, in this order
    members: list[str] = field(default_factory=list)  # the rest, as dots, in this order
    indented: frozenset[str] = frozenset()  # named members listed a step in, under the one before


@dataclass
class Stage:
    title: str
    tone: str
    groups: list[Group]


@dataclass
class Frame:
    """A box the page draws behind nodes: a stage lane or a group with its heading."""

    title: str
    x: float
    y: float
    w: float
    h: float
    tone: str
    subtitle: str = ""
    rate: str = ""


@dataclass
class Framed:
    positions: dict[str, tuple[float, float]]
    frames: list[Frame]
    width: float
    height: float
    named: set[str] = field(default_factory=set)  # members placed on a row of their own
    spacing: Spacing = field(default_factory=Spacing)
    rooms: dict[str, float] = field(default_factory=dict)  # a named member: room for its name right of its dot


def _grid_width(count: int, rows: int) -> int:
    return max(1, math.ceil(count / max(rows, 1)))


def _named_rows(group: Group, spacing: Spacing) -> int:
    """Rows of a named list before it wraps: NAMED_ROWS_MAX, more for a long list so
    that it wraps into a block about as wide as the screen, not a strip."""
    wide = math.ceil(math.sqrt(len(group.named) * spacing.named_w / (spacing.named_row * WIDE)))
    return max(NAMED_ROWS_MAX, wide)


def _named_columns(group: Group, spacing: Spacing) -> int:
    return max(1, math.ceil(len(group.named) / _named_rows(group, spacing)))


def _group_height(group: Group, per_row: int, spacing: Spacing) -> float:
    named_rows = min(len(group.named), _named_rows(group, spacing))
    return spacing.head + named_rows * spacing.named_row + math.ceil(len(group.members) / per_row) * spacing.dot + GROUP_PAD


def _narrowest(group: Group, spacing: Spacing) -> int:
    """Dots per row that leave room for the group's named columns."""
    return max(1, int(_named_columns(group, spacing) * spacing.named_w // spacing.dot))


def _per_row(group: Group, rows: int, spacing: Spacing) -> int:
    """Dots per row: enough for ``rows`` rows, never narrower than a named row."""
    return max(_narrowest(group, spacing), _grid_width(len(group.members), rows))


def group_columns(stages: list[Stage], *, aspect: float = WIDE, spacing: Spacing = Spacing()) -> Framed:
    """Every group a column, left to right in stage order, each stage a lane around its
    columns. The number of dot rows is the smallest that keeps the picture no wider than
    ``aspect`` times its height, so a small chain is one row of short columns and a large
    one gets wider columns rather than a tower."""
    groups = [g for st in stages for g in st.groups]
    if not groups:
        return Framed({}, [], 0.0, 0.0)
    tallest = max(len(g.members) for g in groups)
    rows = max(tallest, 1)
    for candidate in range(4, max(tallest, 4) + 1):
        widths = [_per_row(g, candidate, spacing) * spacing.dot for g in groups]
        width = sum(widths) + GROUP_GAP * len(groups) + STAGE_GAP * len(stages)
        height = max(_group_height(g, _per_row(g, candidate, spacing), spacing) for g in groups) + STAGE_HEAD
        if width <= aspect * height:
            rows = candidate
            break
    body = max(_group_height(g, _per_row(g, rows, spacing), spacing) for g in groups)
    positions: dict[str, tuple[float, float]] = {}
    frames_stage, frames_group = [], []
    named: set[str] = set()
    rooms: dict[str, float] = {}
    x = 0.0
    for stage in stages:
        start = x
        x += GROUP_GAP / 2
        for group in stage.groups:
            per_row = _per_row(group, rows, spacing)
            w = per_row * spacing.dot
            _place_group(group, x, STAGE_HEAD, per_row, positions, named, spacing, rooms)
            frames_group.append(Frame(group.title, x - GROUP_PAD / 2, STAGE_HEAD, w + GROUP_PAD, body, "segment",
                                      group.subtitle, group.rate))
            x += w + GROUP_GAP
        x += GROUP_GAP / 2 - GROUP_GAP
        frames_stage.append(Frame(stage.title, start, 0.0, x - start, body + STAGE_HEAD + GROUP_PAD, stage.tone))
        x += STAGE_GAP
    return Framed(positions, frames_stage + frames_group, x - STAGE_GAP, body + STAGE_HEAD + GROUP_PAD, named, spacing,
                  rooms)


def group_shelves(groups: list[Group], *, aspect: float = WIDE, spacing: Spacing = Spacing()) -> Framed:
    """Groups as blocks packed left to right on shelves about ``aspect`` times as wide as
    the whole is tall; each block is roughly square, its dots filled row by row."""
    if not groups:
        return Framed({}, [], 0.0, 0.0)
    sizes = []
    for group in groups:
        per_row = max(_narrowest(group, spacing), math.ceil(math.sqrt(len(group.members) * 1.6)))
        sizes.append((per_row, per_row * spacing.dot + GROUP_PAD, _group_height(group, per_row, spacing)))
    area = sum((w + GROUP_GAP) * (h + GROUP_GAP) for _, w, h in sizes)
    limit = max(max(w for _, w, _ in sizes), math.sqrt(area * aspect))
    positions: dict[str, tuple[float, float]] = {}
    frames: list[Frame] = []
    named: set[str] = set()
    rooms: dict[str, float] = {}
    x = y = shelf_h = width = 0.0
    for group, (per_row, w, h) in zip(groups, sizes):
        if x > 0 and x + w > limit:
            x, y = 0.0, y + shelf_h + GROUP_GAP
            shelf_h = 0.0
        _place_group(group, x + GROUP_PAD / 2, y, per_row, positions, named, spacing, rooms)
        frames.append(Frame(group.title, x, y, w, h, "segment", group.subtitle, group.rate))
        x += w + GROUP_GAP
        shelf_h = max(shelf_h, h)
        width = max(width, x - GROUP_GAP)
    return Framed(positions, frames, width, y + shelf_h, named, spacing, rooms)


def _place_group(group: Group, x: float, top: float, per_row: int, positions: dict, named: set, spacing: Spacing,
                 rooms: dict) -> None:
    """Named members first, one per row (wrapping into columns), then the dots. A named
    member's room reaches to the next column of names, or to the group's right edge (the
    dots' width, inside its frame), so its name never runs into the next group."""
    y = top + spacing.head
    listed = [m for m in group.named if m not in positions]
    rows = _named_rows(group, spacing)
    right = x + per_row * spacing.dot
    last = (len(listed) - 1) // rows if listed else 0
    for i, member in enumerate(listed):  # a long list wraps into columns
        column, row = divmod(i, rows)
        step = INDENT if member in group.indented else 0.0
        at = x + column * spacing.named_w + spacing.dot / 2 + step
        positions[member] = (at, y + (row + 0.5) * spacing.named_row)
        named.add(member)
        limit = right if column == last else min(right, x + (column + 1) * spacing.named_w)
        rooms[member] = round(max(limit - at, 0.0), 1)
    y += min(len(listed), rows) * spacing.named_row
    rest = [m for m in group.members if m not in positions]
    for i, member in enumerate(rest):
        r, c = divmod(i, per_row)
        positions[member] = (x + (c + 0.5) * spacing.dot, y + (r + 0.5) * spacing.dot)
