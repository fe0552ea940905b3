"""The map of one industry chain, laid out for what a planner must see first: the chain's
segments upstream → downstream, how well each is covered, and which enterprises need
attention.

- A chain of up to ``cap`` enterprises: one column per segment inside its stage lane. A
  column's heading gives the segment's figures (``coverage_report(g, by="segment",
  chain=...)``, as the dashboard, the CLI and the API) coloured against the thresholds;
  under it the enterprises that matter are listed by name (leading ones, the uncovered
  ones of highest priority, the best-connected by supply links), and the rest are dots
  sorted by coverage state, so each column reads as a stacked bar. Joint branches sit in
  the grid just before the enterprises they cover; a branch covering one enterprise is
  said by that enterprise's colour and panel instead of a node of its own.
- Above the columns: the chain, its committees and alliances. Below: one summary box per
  kind of person or unit doing party work in the chain (leaders, instructors, pairing
  units). The people themselves are on layers that are off at first, so they never
  swamp the chain; switching a layer on draws them in a band under the summaries.
- A larger chain opens as an overview: one big box per segment with its figures and
  coverage colour, the supply flows between segments, and the same summaries; each box
  opens that segment (``segment=``).
- A segment is drawn as blocks, one per park, each with its figures and named
  enterprises, so a segment of two thousand enterprises is a set of labelled blocks
  rather than one field of dots. ``full=True`` draws a large chain's columns anyway.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, replace

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.coverage import ORG_COVERED_STATES, Coverage, coverage_report
from graph.analysis.membership import chain_segments, coverage_rate, require_chain, require_segment, segment_enterprises
from graph.analysis.uncovered import uncovered_enterprises
from graph.projection import in_ids, out_ids
from graph.schema import STAGE_ORDER, STAGES, Label, RelType

from api.web.canvas import OUTSIDE, SERVER_LINKS, Canvas, Lane, Links, name_or_id, short_label
from api.web.detours import route_within_groups
from api.web.layout import DOT, WIDE, Group, Spacing, Stage, fit_scale, group_columns, group_shelves, satellites, spaced
from api.web.style import CONTACTS, INSTRUCTORS, NODE_STYLES, PAIRING, RATE_BANDS, SUPPLY, rate_class, rate_legend, rate_percent

DEFAULT_CAP = 1000
STATE_ORDER = {"standalone": 0, "joint": 1, "other_org": 2, "work": 3, "none": 4, OUTSIDE: 5}
# Lines drawn only for the selected node: hundreds of them would cross every column.
QUIET_RELS = (RelType.COVERS, RelType.MEMBER_OF)
DRAWN_RELS = (
    RelType.SUPPLIES, RelType.COVERS, RelType.UNDER, RelType.LEADS, RelType.PAIRED_WITH, RelType.CONTACTS,
    RelType.RESPONSIBLE_FOR, RelType.ASSIGNED_TO, RelType.MEMBER_OF, RelType.ALLIANCE_OF,
)
UNSTAGED = "其他环节"
NO_PARK = "未填写园区"
NAMED_PER_GROUP = 6  # names listed under a column or block heading
NAMED_CHARS = 20  # a listed name's label: the page writes as much of it as its column has room for
RANK_NAMED = 0  # label ranks: the page writes labels in rank order while there is room
RANK_PARTY = 10
RANK_DOT = 1000
DOT_SIZE = 8  # radius of an enterprise in a column: dots DOT apart leave air between them
DENSE = 600  # above this many enterprises on one map, dots are packed DENSE_DOT apart
DENSE_DOT = 15.0
OVERVIEW_BOX = (300.0, 132.0, 150.0, 70.0)  # an overview's boxes (chain map, gap map): width, height, gaps across and down
_OVERVIEW_BOX_W, _OVERVIEW_BOX_H = OVERVIEW_BOX[:2]
_BAND = 110.0  # from the lanes to the band of the chain and its committee (and to the summaries)
FLOWS_SHOWN = 12
_HOW_TO_READ_CHAIN = ("每列一个环节，标题下是纳入基数的企业数和组织覆盖率（底色按图例：绿、黄、红）。列中先列出龙头企业、"
                      "优先补建的未覆盖企业和上下游关键企业的名称，其余企业按覆盖状态排成色块，悬停可见名称。")
_HOW_TO_READ_SEGMENT = ("每块一个园区，标题下是纳入基数的企业数和组织覆盖率。块中先列出龙头企业、优先补建的未覆盖企业"
                        "和上下游关键企业，其余按覆盖状态排成色块，同一联合党支部的企业相邻。")


def chain_map(
    g: nx.MultiDiGraph,
    chain_id: str,
    *,
    segment: str | None = None,
    cap: int = DEFAULT_CAP,
    full: bool = False,
    links: Links = SERVER_LINKS,
    org_rate: tuple[float, float] = (0.9, 0.8),
) -> dict:
    """The payload of a chain map (see ``api.web.canvas``).

    Parameters
    ----------
    g : the projection (or a principal's scoped graph of it); not mutated.
    chain_id : the chain.
    segment : only this segment of the chain (a drill-down from the overview).
    cap : above this many enterprises the whole chain is shown as an overview.
    full : draw every enterprise even above ``cap``.
    links : where node links point (the app's pages, or sibling files).
    org_rate : (green, amber) thresholds that colour the segments' headings and boxes.

    The payload's ``figures`` are the coverage fields of the chain (or of the segment)
    exactly as ``coverage_report`` gives them. Raises ``NotFound`` for an unknown chain,
    or a segment not in the chain.
    """
    require_chain(g, chain_id)
    segments = chain_segments(g, chain_id)
    if segment is not None:
        require_segment(g, chain_id, segment)
    report = coverage_report(g, by="segment", chain=chain_id)
    by_segment = {group.key: group for group in report.groups}
    members = {s: segment_enterprises(g, s) for s in segments}
    everyone = list(dict.fromkeys(e for s in segments for e in members[s]))
    chain_name = name_or_id(g.nodes[chain_id], chain_id)
    bands = Bands(*org_rate)
    if segment is None and not full and len(everyone) > cap:
        return _overview(g, chain_id, chain_name, segments, members, everyone, cap, links, report, by_segment, org_rate)
    canvas = Canvas(g, links)
    canvas.add_states(e for s in ([segment] if segment else segments) for e in members[s])
    branch_of = _joint_branches(canvas)
    named = _named_enterprises(g, chain_id, canvas.states)
    # Many dots: closer together, so that the names and headings keep their room.
    spacing = Spacing(dot=DENSE_DOT) if len(canvas.states) > DENSE else Spacing()
    if segment is None:
        groups, layout = _stages(canvas, segments, members, by_segment, named, branch_of, bands), group_columns
    else:
        groups, layout = _park_groups(canvas, members[segment], named, branch_of, bands), group_shelves
    placed = _widened(lambda sp: spaced(layout, groups, extra_height=_BAND * 2.5, spacing=sp), spacing)
    _draw_enterprises(canvas, placed)
    grow = min(1 / fit_scale(placed.width, placed.height + _BAND * 2.5), 3.0)  # boxes as legible as the names
    people, top = _party_work(canvas, chain_id, placed, grow)
    canvas.link_graph_edges(DRAWN_RELS, quiet=QUIET_RELS)
    flat = [group for stage in groups for group in stage.groups] if segment is None else groups
    route_within_groups(canvas.edges, canvas.nodes, flat, placed.named, placed.spacing.dot)
    canvas.hush(people, top)
    canvas.sheet.set_layer(SUPPLY, on=False)  # hundreds of crossing lines; a node's own show when it is selected
    figures = report.totals if segment is None else by_segment[segment]
    title = chain_name if segment is None else f"{chain_name} · {name_or_id(g.nodes[segment], segment)}"
    drawn = sum(1 for n in canvas.nodes.values() if n["kind"] == "企业")
    actions = [["返回全链", links.chain(chain_id)]] if segment is not None else []
    return canvas.payload(
        kind="chain",
        title=f"产业链图谱：{title}",
        subtitle=_counts_line(figures, drawn),
        figures=_figures(figures),
        notice=(_HOW_TO_READ_CHAIN if segment is None else _HOW_TO_READ_SEGMENT),
        chain=chain_id,
        segment=segment,
        actions=[a for a in actions if a[1]],
        index=_orgs_index(canvas),
        large=drawn > 800,
        rate_legend=rate_legend(green=org_rate[0], amber=org_rate[1]),
    )


# -- the figures -------------------------------------------------------------------------


def _figures(coverage: Coverage) -> dict:
    return asdict(coverage)


def _counts_line(coverage: Coverage, drawn: int) -> str:
    return f"图中企业 {drawn} 家，其中不在基数内 {drawn - coverage.base} 家（注销、迁出或不纳入）" if drawn > coverage.base \
        else f"图中企业 {drawn} 家"


@dataclass(frozen=True)
class Bands:
    """The (green, amber) thresholds of the organisation coverage rate: a group's colour and
    the figures under its name, read from the same exact rate so that they always agree."""

    green: float
    amber: float

    def colour(self, rate: float | None) -> str:
        """rate (None for an empty base) -> green / amber / red / none."""
        return rate_class(rate, green=self.green, amber=self.amber)

    def percent(self, rate: float) -> str:
        return rate_percent(rate, green=self.green, amber=self.amber)

    def heading(self, base: int, rate: float | None, count: int, sep: str = "\n") -> str:
        """A group's figures under its name: its base and its organisation coverage rate."""
        if rate is None:
            return f"{count} 家{sep}无纳入基数企业"
        return f"{base} 家{sep}组织覆盖 {self.percent(rate)}"


def overview_rate(coverage: Coverage | None) -> float | None:
    """A group's organisation coverage rate, None when its base is empty (no colour)."""
    return coverage.org_coverage_rate if coverage is not None and coverage.base else None


# -- which enterprises are named, and where each one goes -----------------------------------


def _named_enterprises(g: nx.MultiDiGraph, chain_id: str, states: dict[str, str]) -> dict[str, int]:
    """Enterprise -> how much it matters (lower first): leading ones by size, then those
    without any coverage in ``uncovered_enterprises`` priority order, then the rest with
    supply links, most linked first (key by centrality)."""
    nodes = g._node
    shown = [e for e in states]
    leading = sorted((e for e in shown if nodes[e].get("leading")), key=lambda e: (-(nodes[e].get("employees") or 0), e))
    uncovered = [u.id for u in uncovered_enterprises(g, chain=chain_id) if u.id in states and not u.work_covered]
    degree = _supply_degree(g, shown)
    linked = sorted((e for e in shown if degree[e] > 0), key=lambda e: (-degree[e], e))
    order: dict[str, int] = {}
    for source in (leading, uncovered, linked):  # each group names its first few in this order
        for e in source:
            order.setdefault(e, len(order))
    return order


def _supply_degree(g: nx.MultiDiGraph, shown: list[str]) -> dict[str, int]:
    supplies = RelType.SUPPLIES.value
    succ, pred = g._succ, g._pred
    return {e: sum(1 for keyed in succ[e].values() if supplies in keyed) + sum(1 for keyed in pred[e].values() if supplies in keyed)
            for e in shown}


def _pick_named(candidates: list[str], importance: dict[str, int]) -> list[str]:
    """The most important of a group's enterprises: up to NAMED_PER_GROUP, fewer in a
    small group (one per six), so that names never outweigh the group."""
    room = max(2, min(NAMED_PER_GROUP, len(candidates) // 6))
    return sorted((e for e in candidates if e in importance), key=importance.__getitem__)[:room]


def _joint_branches(canvas: Canvas) -> dict[str, str]:
    """Enterprise -> the (first) org covering it that is not a chain's committee, so that
    the enterprises of one joint branch sit next to each other."""
    g = canvas.g
    found = {}
    for e in canvas.states:
        orgs = [o for o in in_ids(g, e, RelType.COVERS) if not out_ids(g, o, RelType.LEADS)]
        if orgs:
            found[e] = min(orgs)
    return found


def _grid_order(canvas: Canvas, enterprises: list[str], branch_of: dict[str, str]) -> list[str]:
    """By coverage state, so a column reads as a stacked bar; within a state, the
    enterprises of one branch together."""
    return sorted(enterprises, key=lambda e: (STATE_ORDER[canvas.states[e]], branch_of.get(e, ""), e))


def _stages(canvas, segments, members, by_segment, importance, branch_of, bands: Bands) -> list[Stage]:
    g = canvas.g
    by_stage: dict[str, list[str]] = defaultdict(list)
    for s in segments:
        by_stage[g.nodes[s].get("stage") or ""].append(s)
    placed: set[str] = set()
    stages = []
    for stage in sorted(by_stage, key=lambda st: STAGE_ORDER.get(st, 3)):
        groups = []
        for s in by_stage[stage]:
            mine = [e for e in members[s] if e not in placed]  # an enterprise in two segments is drawn in its first
            placed.update(mine)
            named = _pick_named(mine, importance)
            rest = [e for e in mine if e not in named]
            coverage = by_segment.get(s)
            heading = bands.heading(coverage.base if coverage else 0, overview_rate(coverage), len(members[s]))
            groups.append(Group(s, name_or_id(g.nodes[s], s), heading, bands.colour(overview_rate(coverage)),
                                named, _grid_order(canvas, rest, branch_of)))
        stages.append(Stage(STAGES.get(stage, UNSTAGED), stage or "plain", groups))
    return stages


def _park_groups(canvas, enterprises, importance, branch_of, bands: Bands) -> list[Group]:
    """One block per park of the segment, biggest first (enterprises naming no park last).
    The report has no segment × park grouping, so a block's figures are summed from the
    same enterprise states ``coverage_report`` sums."""
    g = canvas.g
    by_park: dict[str, list[str]] = defaultdict(list)
    for e in enterprises:
        by_park[g._node[e].get("park") or ""].append(e)
    groups = []
    for park in sorted(by_park, key=lambda p: (p == "", -len(by_park[p]), p)):
        mine = by_park[park]
        states = Counter(canvas.states[e] for e in mine)
        base = len(mine) - states[OUTSIDE]
        org = sum(states[state] for state in ORG_COVERED_STATES)
        rate = coverage_rate(org, base) if base else None
        named = _pick_named(mine, importance)
        rest = [e for e in mine if e not in named]
        groups.append(Group(park, park or NO_PARK, bands.heading(base, rate, len(mine)), bands.colour(rate),
                            named, _grid_order(canvas, rest, branch_of)))
    return groups


def _widened(lay, spacing: Spacing):
    """``lay(spacing)``; a picture narrower than the screen is laid out again with wider
    columns (up to twice), so that the map fills the screen and its names are written out
    rather than cut."""
    placed = lay(spacing)
    room = WIDE * (placed.height + _BAND * 2.5) * 0.8
    if placed.width >= room:
        return placed
    return lay(replace(spacing, named_w=spacing.named_w * min(2.0, room / max(placed.width, 1.0))))


def _draw_enterprises(canvas: Canvas, placed) -> None:
    for node, (x, y) in placed.positions.items():
        added = canvas.add(node, x, y)
        added["size"] = round(DOT_SIZE * placed.spacing.dot / DOT * (1.5 if added.get("shape") == "star" else 1), 1)
        if node in placed.named:
            added["label"] = short_label(added["name"], NAMED_CHARS)  # the page cuts it to the room it has
            added["rank"] = RANK_NAMED
            added["side"] = "right"
            added["room"] = placed.rooms[node]  # its name stops at its column's edge
        else:
            added["rank"] = RANK_DOT
    for frame in placed.frames:
        canvas.lanes.append(Lane(frame.title, frame.x, frame.y, frame.w, frame.h, frame.tone, frame.subtitle, frame.rate,
                                 head=placed.spacing.head if frame.tone == "segment" else 0.0))


def _orgs_index(canvas: Canvas) -> list[dict]:
    """The orgs covering drawn enterprises, which the map does not draw (an enterprise's
    colour says how it is covered, its panel by whom), for the page search: finding one
    focuses the (first) enterprise it covers."""
    g = canvas.g
    found = {}
    for e in canvas.states:
        if e not in canvas.nodes:
            continue
        for o in in_ids(g, e, RelType.COVERS):
            if o not in canvas.nodes and o not in found:
                found[o] = {"id": o, "name": name_or_id(g.nodes[o], o), "at": e}
    return list(found.values())


# -- the party work around the enterprises ----------------------------------------------------


def _party_work(canvas: Canvas, chain_id: str, placed, grow: float = 1.0) -> tuple[set[str], set[str]]:
    """Above the lanes: one summary per kind of person or unit, and under them the chain,
    its committees, the other committees covering drawn enterprises, and its alliances.
    Below the lanes (on layers off at first): the people and units themselves, so their
    lines reach up into the columns and never cross a summary; their lines to the row above
    the lanes would cross every column, so those are drawn only for a selected node: returns
    (the people and units, the row above the lanes) for ``Canvas.hush``."""
    g = canvas.g
    anchors = dict(placed.positions)
    centre_x = placed.width / 2
    committees = in_ids(g, chain_id, RelType.LEADS)
    covering = {o for e in anchors if e in canvas.states for o in in_ids(g, e, RelType.COVERS)}
    other_committees = sorted(o for o in covering if o not in committees and out_ids(g, o, RelType.LEADS))
    alliances = in_ids(g, chain_id, RelType.ALLIANCE_OF)
    top = other_committees + committees + [chain_id] + alliances
    _top_row(canvas, top, -_BAND * 0.6 * grow, centre_x, anchors, grow)
    enterprises = [e for e in canvas.states if e in canvas.nodes]
    people = _people_of_chain(g, chain_id, enterprises)
    _summaries(canvas, people, -_BAND * 1.35 * grow, centre_x, grow)
    band = _people_band(canvas, people, anchors, placed.height + _BAND * 0.6 * grow, centre_x)
    return band, set(top)


def _people_band(canvas: Canvas, people: dict[str, dict[str, list[str]]], anchors: dict, y: float, centre_x: float) -> set[str]:
    """The people and units themselves, on their layers (off at first), in rows under the
    lanes; returns them."""
    rows_y = y
    band: set[str] = set()
    for kind in ("leader", "unit", "instructor"):
        wanted = people[kind]
        if not wanted:
            continue
        placed = satellites(wanted, anchors, band_y=rows_y, centre_x=centre_x, rows_down=True)
        for node, (x, y2) in placed.items():
            added = canvas.add(node, x, y2)
            added["rank"] = RANK_PARTY + 20
            anchors[node] = (x, y2)
            band.add(node)
        rows_y = max(y2 for _, y2 in placed.values()) + 90
    for layer in (CONTACTS, INSTRUCTORS, PAIRING):
        canvas.sheet.set_layer(layer, on=False)
    return band


def _top_row(canvas: Canvas, top: list[str], y: float, centre_x: float, anchors: dict, grow: float = 1.0) -> None:
    """The chain between its committees and alliances, in one row, each given room for its name."""
    nodes = [canvas.add(n) for n in top]
    widths = [grow * max(140.0, 15.0 * len(node["label"]) + 40) for node in nodes]
    x = centre_x - sum(widths) / 2
    for node, w in zip(nodes, widths):
        node["x"], node["y"] = round(x + w / 2, 1), round(y, 1)
        node["rank"] = RANK_PARTY
        if grow != 1.0:
            node["size"] = round(NODE_STYLES[node["style"]].size * grow, 1)
            node["box"] = {"font": round(15 * grow, 1), "w": round(w - 24 * grow, 1)}
        anchors[node["id"]] = (node["x"], node["y"])
        x += w


_SUMMARY = {  # kind -> (what the box says, the word for one link, the layer that draws them one by one)
    "leader": ("领导干部 {n} 人", "联系点与分管 {k} 处", CONTACTS),
    "instructor": ("党建指导员 {n} 人", "派驻 {k} 处", INSTRUCTORS),
    "unit": ("共建单位 {n} 个", "结对与联盟 {k} 处", PAIRING),
}


def _summaries(canvas: Canvas, people: dict[str, dict[str, list[str]]], y: float, centre_x: float, grow: float = 1.0) -> None:
    """One box per kind of person or unit: how many, how many links; the panel lists them."""
    g = canvas.g
    kinds = [k for k in _SUMMARY if people[k]]
    width = 250.0 * grow
    for i, kind in enumerate(kinds):
        who = people[kind]
        head, reach, layer = _SUMMARY[kind]
        links = sum(len(v) for v in who.values())
        x = centre_x + (i - (len(kinds) - 1) / 2) * (width + 40 * grow)
        label = f"{head.format(n=len(who))}\n{reach.format(k=links)}"
        # Each row carries the person's id too (not shown), so that reading a leader's or an
        # instructor's name here is audited like anywhere else (api.core.scope.people_in).
        rows = [[name_or_id(g.nodes[p], p), "、".join(short_label(name_or_id(g.nodes[t], t), 14) for t in targets[:6])
                 + (f" 等 {len(targets)} 处" if len(targets) > 6 else ""), p]
                for p, targets in sorted(who.items(), key=lambda item: (-len(item[1]), item[0]))]
        node = canvas.add_synthetic(f"summary:{kind}", label, "summary", x, y, name=head.format(n=len(who)), kind="汇总",
                                    info=[["说明", f"勾选左侧图层“{canvas.sheet.layer_text(layer)}”可在图中逐一画出"], *rows])
        node["box"] = {"w": width, "font": round(15 * grow, 1)}
        node["layerHint"] = layer


# -- the overview of a large chain ----------------------------------------------------------


def _overview(g, chain_id, chain_name, segments, members, everyone, cap, links: Links, report, by_segment,
              org_rate: tuple[float, float]) -> dict:
    """One box per segment (its figures, coloured; a link into it), the supply flows
    between segments, the chain's committee and alliances above, the people summaries
    below, and a search index of every enterprise that leads to its segment's map."""
    from api.web.overview import place_boxes  # it builds on this module's box sizes

    canvas = Canvas(g, links)
    bands = Bands(*org_rate)
    nodes = g._node
    placed = place_boxes(canvas, g, segments, chain_id)
    for s, (x, y) in placed.items():
        stage = nodes[s].get("stage") or ""
        coverage = by_segment.get(s)
        leading = sum(1 for e in members[s] if nodes[e].get("leading"))
        node = canvas.add(s, x, y, style="segment")
        lines = [short_label(node["name"], 14),
                 bands.heading(coverage.base if coverage else 0, overview_rate(coverage), len(members[s]), sep=" · ")]
        if coverage is not None and coverage.base:
            lines.append(f"未覆盖 {coverage.uncovered}" + (f" · 龙头企业 {leading}" if leading else ""))
        node["label"] = "\n".join(lines)
        node["box"] = {"w": _OVERVIEW_BOX_W, "h": _OVERVIEW_BOX_H, "font": 19}
        band = RATE_BANDS[bands.colour(overview_rate(coverage))]
        node["color"], node["border"] = band.fill, band.ink
        node["type"] = f"环节（{STAGES.get(stage, UNSTAGED)}）"
        if coverage is not None:
            node["info"] += [[label, str(getattr(coverage, field)) if "rate" not in field else bands.percent(getattr(coverage, field))]
                             for field, label in _SEGMENT_ROWS]
        href = links.chain(chain_id, segment=s)
        if href:
            node["href"] = href
            node["links"].insert(0, ["展开此环节的企业", href])
    flows = _segment_flows(g, segments, members)
    strongest = sorted(flows.items(), key=lambda item: (-item[1], item[0]))[:FLOWS_SHOWN]
    for (a, b), count in sorted(strongest):
        canvas.link(a, b, "FLOW", label=f"{count}", width=1 + 2.5 * math.log10(count))
    width = max((x for x, _ in placed.values()), default=0.0)
    column_h = max((y for _, y in placed.values()), default=0.0) + _OVERVIEW_BOX_H  # the tallest lane's boxes
    top = in_ids(g, chain_id, RelType.LEADS) + [chain_id] + in_ids(g, chain_id, RelType.ALLIANCE_OF)
    _top_row(canvas, top, -_OVERVIEW_BOX_H / 2 - 120, width / 2, {})
    canvas.link_graph_edges((RelType.LEADS, RelType.ALLIANCE_OF))
    people = _people_of_chain(g, chain_id, set(everyone))
    _summaries(canvas, people, column_h + _OVERVIEW_BOX_H / 2 + 90, width / 2)
    hrefs = [links.chain(chain_id, segment=s) for s in segments]
    seen: set[str] = set()
    items = []
    for k, s in enumerate(segments):
        for e in members[s]:
            if e not in seen:
                seen.add(e)
                items.append([e, name_or_id(nodes[e], e), k])
    return canvas.payload(
        kind="chain_overview",
        title=f"产业链图谱：{chain_name}（按环节汇总）",
        subtitle=f"共 {len(everyone)} 家企业，超过 {cap} 家，先按环节汇总",
        figures=_figures(report.totals),
        chain=chain_id,
        notice="每个方框是一个环节：颜色表示组织覆盖率，箭头上的数字是环节之间的供应关系条数。双击方框（或点右侧“展开此环节的企业”）进入该环节。",
        index={"hrefs": hrefs, "items": items},
        actions=[a for a in [["显示全部企业（较慢）", links.chain(chain_id, full=True)]] if a[1]],
        rate_legend=rate_legend(green=org_rate[0], amber=org_rate[1]),
    )


_SEGMENT_ROWS = (("base", "纳入基数"), ("org_covered", "组织覆盖"), ("covered_by_standalone", "单独组建覆盖"),
                 ("covered_by_joint", "联合组建覆盖"), ("work_covered", "工作覆盖"), ("uncovered", "未覆盖"),
                 ("org_coverage_rate", "组织覆盖率"), ("two_coverage_rate", "两个覆盖率"), ("party_orgs", "党组织"))


def _people_of_chain(g: nx.MultiDiGraph, chain_id: str, enterprises) -> dict[str, dict[str, list[str]]]:
    """Kind ("leader", "instructor", "unit") -> person or unit -> what it reaches: the
    chain itself (leaders responsible for it), ``enterprises``, the orgs covering them,
    and the chain's alliances (their member units)."""
    leaders: dict[str, list[str]] = {p: [chain_id] for p in in_ids(g, chain_id, RelType.RESPONSIBLE_FOR)}
    instructors: dict[str, list[str]] = defaultdict(list)
    units: dict[str, list[str]] = defaultdict(list)
    targets = set(enterprises)
    for e in enterprises:
        targets.update(in_ids(g, e, RelType.COVERS))
    targets.update(in_ids(g, chain_id, RelType.ALLIANCE_OF))
    pred, nodes = g._pred, g._node
    contacts, assigned, paired = RelType.CONTACTS.value, RelType.ASSIGNED_TO.value, RelType.PAIRED_WITH.value
    for t in targets:
        for u, keyed in pred[t].items():
            if contacts in keyed:
                leaders.setdefault(u, []).append(t)
            if assigned in keyed:
                instructors[u].append(t)
            if (paired in keyed or RelType.MEMBER_OF.value in keyed) and nodes[u]["label"] == Label.UNIT.value:
                units[u].append(t)
    return {"leader": leaders, "instructor": dict(instructors), "unit": dict(units)}


def _segment_flows(g: nx.MultiDiGraph, segments: list[str], members: dict[str, list[str]]) -> Counter:
    """(supplier segment, customer segment) -> number of supply links between them."""
    seg_of: dict[str, list[str]] = defaultdict(list)
    for s in segments:
        for e in members[s]:
            seg_of[e].append(s)
    flows: Counter = Counter()
    supplies = RelType.SUPPLIES.value
    for e, mine in seg_of.items():
        for customer, keyed in g._succ[e].items():
            if supplies in keyed and customer in seg_of:
                for a in mine:
                    for b in seg_of[customer]:
                        if a != b:
                            flows[(a, b)] += 1
    return flows

