"""An overview: one box per chain (or per segment of one chain) with its figures, for a
map with too much on it to draw one by one (the gap map, a plan's map)."""

from __future__ import annotations

from collections import defaultdict

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chain_segments, chains_by_enterprise, segment_enterprises
from graph.projection import ids_with_label
from graph.schema import STAGE_ORDER, STAGES, Label

from api.web.canvas import Canvas, Lane, short_label
from api.web.chain_map import OVERVIEW_BOX, UNSTAGED

NO_CHAIN = "未归入产业链"
OVERVIEW_PER_ROW = 3  # chain boxes in a row: eight chains and those in none fill a wide screen in three rows
OVERVIEW_KINDS = {"gaps": "缺口汇总", "plan": "提议汇总"}


def places(g: nx.MultiDiGraph, chain: str | None) -> tuple[dict[str, list[str]], list[str]]:
    """Where an overview puts an enterprise: for all chains, enterprise -> its chains; for one
    chain, enterprise -> its segments of that chain. With the boxes' keys in their order."""
    if chain is None:
        return {e: sorted(cs) for e, cs in chains_by_enterprise(g).items()}, sorted(ids_with_label(g, Label.CHAIN))
    segments = chain_segments(g, chain)
    member_of: dict[str, list[str]] = defaultdict(list)
    for s in segments:
        for e in segment_enterprises(g, s):
            member_of[e].append(s)
    return dict(member_of), segments


def place_boxes(canvas: Canvas, g: nx.MultiDiGraph, keys: list[str], chain: str | None) -> dict[str, tuple[float, float]]:
    """Where each box of an overview (chain map, gap map, plan) goes: chains (and "" for
    none) in rows of ``OVERVIEW_PER_ROW``; a chain's segments down the lane of their stage,
    lanes drawn, as tall as the tallest with their boxes centred."""
    box_w, box_h, gap_x, gap_y = OVERVIEW_BOX
    if chain is None:
        return {key: ((k % OVERVIEW_PER_ROW) * (box_w + gap_x), (k // OVERVIEW_PER_ROW) * (box_h + gap_y))
                for k, key in enumerate(keys)}
    lanes: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        lanes[(g._node[key].get("stage") or "") if key else ""].append(key)
    if not lanes:
        return {}
    tallest = max(map(len, lanes.values()))
    lane_h = tallest * box_h + (tallest - 1) * gap_y  # every lane as tall as the tallest, its boxes centred in it
    at = {}
    for lane_k, stage in enumerate(sorted(lanes, key=lambda st: STAGE_ORDER.get(st, 3))):
        mine, x = lanes[stage], lane_k * (box_w + gap_x)
        height = len(mine) * box_h + (len(mine) - 1) * gap_y
        for k, key in enumerate(mine):
            at[key] = (x, (lane_h - height) / 2 + k * (box_h + gap_y))
        canvas.lanes.append(Lane(STAGES.get(stage, UNSTAGED), x - box_w / 2 - 24, -box_h / 2 - 64, box_w + 48,
                                 lane_h + 88, stage or "plain"))
    return at


def overview_box(canvas: Canvas, key: str, chain: str | None, name: str, lines: list[str], info: list, kind: str,
                 x: float, y: float, href: str | None = None) -> dict:
    """One box of an overview (gap map, plan): its name and figures, written large."""
    style = "chain" if chain is None else "segment"  # the legend says what a box is
    node = canvas.add_synthetic(f"{kind}:{key or '-'}", "\n".join([short_label(name, 14), *lines]), style, x, y,
                                name=name, kind=OVERVIEW_KINDS[kind] + ("（产业链）" if chain is None else "（环节）"),
                                info=info, links=[["打开此处的地图", href]] if href else [], href=href)
    node["box"] = {"w": OVERVIEW_BOX[0], "h": OVERVIEW_BOX[1], "font": 19}
    return node


