"""The map of one industry chain: swimlanes upstream → midstream → downstream, one column
per segment, enterprises coloured by coverage state, and around them the party work:
the branches beside the enterprises they cover, the chain's committee, alliances and
leaders above, the pairing units and instructors below.

A chain with more than ``cap`` enterprises is first shown as an overview, one box per
segment with its coverage and the supply flows between segments; each box opens that
segment's own map (``segment=``). ``full=True`` draws every enterprise anyway.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import networkx as nx

from graph.analysis.membership import chain_segments, coverage_rate, require_chain, segment_enterprises
from graph.errors import NotFound
from graph.projection import in_ids, out_ids
from graph.schema import STAGE_ORDER, STAGES, Label, RelType

from api.web.canvas import OUTSIDE, SERVER_LINKS, Canvas, Lane, Links, name_or_id, short_label
from api.web.layout import BAND_GAP, CELL_H, Column, LaneSpec, satellites, swimlanes
from api.web.style import RATE_COLORS, rate_class

DEFAULT_CAP = 1500
STATE_ORDER = {"standalone": 0, "joint": 1, "other_org": 2, "work": 3, "none": 4, OUTSIDE: 5}
DRAWN_RELS = (
    RelType.SUPPLIES, RelType.COVERS, RelType.UNDER, RelType.LEADS, RelType.PAIRED_WITH, RelType.CONTACTS,
    RelType.RESPONSIBLE_FOR, RelType.ASSIGNED_TO, RelType.MEMBER_OF, RelType.ALLIANCE_OF,
)
UNSTAGED = "其他环节"
_OVERVIEW_COLUMN_W = 460.0
_OVERVIEW_ROW_H = 170.0


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
    g : the projection (or a principal's view of it); not mutated.
    chain_id : the chain.
    segment : only this segment of the chain (a drill-down from the overview).
    cap : above this many enterprises the whole chain is shown as an overview.
    full : draw every enterprise even above ``cap``.
    links : where node links point (the app's pages, or sibling files).
    org_rate : (green, amber) thresholds that colour the overview's segment boxes.

    Raises ``NotFound`` for an unknown chain, or a segment not in the chain.
    """
    require_chain(g, chain_id)
    segments = chain_segments(g, chain_id)
    if segment is not None and segment not in segments:
        raise NotFound(f"产业链 {chain_id} 中找不到环节 {segment}")
    members = {s: segment_enterprises(g, s) for s in segments}
    everyone = list(dict.fromkeys(e for s in segments for e in members[s]))
    chain_name = name_or_id(g.nodes[chain_id], chain_id)
    if segment is None and not full and len(everyone) > cap:
        return _overview(g, chain_id, chain_name, segments, members, everyone, cap, links, org_rate)
    shown = [segment] if segment is not None else segments
    canvas = Canvas(g, links)
    placed_lanes = _enterprise_lanes(canvas, shown, members)
    _party_work(canvas, chain_id, placed_lanes)
    canvas.link_graph_edges(DRAWN_RELS)
    enterprises = sum(1 for n in canvas.nodes.values() if n["kind"] == "企业")
    actions = []
    if segment is not None:
        actions.append(["返回全链", links.chain(chain_id)])
    title = chain_name if segment is None else f"{chain_name} · {name_or_id(g.nodes[segment], segment)}"
    return canvas.payload(
        kind="chain",
        title=f"产业链图谱：{title}",
        subtitle=_counts_line(canvas, enterprises),
        chain=chain_id,
        actions=[a for a in actions if a[1]],
        large=enterprises > 800,
    )


def _sorted_members(canvas: Canvas, ids: list[str]) -> list[str]:
    nodes = canvas.g._node
    return sorted(ids, key=lambda e: (not nodes[e].get("leading"), STATE_ORDER[canvas.states[e]], e))


def _enterprise_lanes(canvas: Canvas, shown: list[str], members: dict[str, list[str]]):
    """Place the enterprises of the segments ``shown``: one lane per stage, one column per segment."""
    g = canvas.g
    canvas.add_states(e for s in shown for e in members[s])
    by_stage: dict[str, list[str]] = defaultdict(list)
    for s in shown:
        by_stage[g.nodes[s].get("stage") or ""].append(s)
    specs = []
    for stage in sorted(by_stage, key=lambda st: STAGE_ORDER.get(st, 3)):
        columns = [
            Column(f"{name_or_id(g.nodes[s], s)}（{len(members[s])}家）", _sorted_members(canvas, members[s]), s)
            for s in by_stage[stage]
        ]
        specs.append(LaneSpec(STAGES.get(stage, UNSTAGED), stage or "plain", columns))
    placed = swimlanes(specs)
    for e, (x, y) in placed.positions.items():
        canvas.add(e, x, y)
    canvas.lanes.extend(Lane(b.title, b.x, b.y, b.w, b.h, b.tone) for b in placed.boxes)
    return placed


def _party_work(canvas: Canvas, chain_id: str, placed) -> None:
    """Add the party work around the placed enterprises: branches beside them; the chain,
    its committees and alliances, and leaders above; pairing partners and instructors below."""
    g = canvas.g
    anchors = dict(placed.positions)
    enterprises = list(anchors)
    centre_x = placed.width / 2
    # Branches beside the enterprises they cover; committees go in the top band.
    covering: dict[str, list[str]] = defaultdict(list)
    for e in enterprises:
        for o in in_ids(g, e, RelType.COVERS):
            covering[o].append(e)
    committees = in_ids(g, chain_id, RelType.LEADS)
    branches = {o: es for o, es in covering.items() if o not in committees and not out_ids(g, o, RelType.LEADS)}
    taken: Counter = Counter()
    for o, (x, y) in satellites(branches, anchors, beside=True).items():
        spot = (round(x), round(y))
        canvas.add(o, x, y + 20 * taken[spot])  # two branches on one enterprise: stack them
        taken[spot] += 1
        anchors[o] = (x, y)
    # The chain itself, its committees (and any other covering committee) and alliances.
    alliances = in_ids(g, chain_id, RelType.ALLIANCE_OF)
    top = [o for o in covering if o not in branches and o not in committees] + committees + [chain_id] + alliances
    for node, (x, y) in satellites({n: [] for n in top}, anchors, band_y=-BAND_GAP * 0.8, centre_x=centre_x).items():
        canvas.add(node, x, y)
        anchors[node] = (x, y)
    # Leaders: responsible for the chain, or contacting something on the map.
    leaders: dict[str, list[str]] = {p: [] for p in in_ids(g, chain_id, RelType.RESPONSIBLE_FOR)}
    for target in list(anchors):
        for p in in_ids(g, target, RelType.CONTACTS):
            leaders.setdefault(p, []).append(target)
    _band(canvas, leaders, anchors, -BAND_GAP * 2, centre_x, rows_down=False)
    # Below: pairing partners not yet on the map (units above all) and alliance member units.
    partners: dict[str, list[str]] = defaultdict(list)
    for node in list(anchors):
        for other in [*in_ids(g, node, RelType.PAIRED_WITH), *out_ids(g, node, RelType.PAIRED_WITH)]:
            if other not in anchors:
                partners[other].append(node)
    for alliance in alliances:
        for member in in_ids(g, alliance, RelType.MEMBER_OF):
            if member not in anchors and g.nodes[member]["label"] == Label.UNIT.value:
                partners[member].append(alliance)
    bottom = placed.height + BAND_GAP * 0.8
    _band(canvas, dict(partners), anchors, bottom, centre_x, rows_down=True)
    instructors: dict[str, list[str]] = defaultdict(list)
    for target in list(anchors):
        for i in in_ids(g, target, RelType.ASSIGNED_TO):
            instructors[i].append(target)
    rows = math.ceil(len(partners) * 130 / max(placed.width, 1) / 2) + 1
    _band(canvas, dict(instructors), anchors, bottom + rows * CELL_H * 1.3 + BAND_GAP * 0.5, centre_x, rows_down=True)


def _band(canvas: Canvas, wanted: dict[str, list[str]], anchors: dict, y: float, centre_x: float, *, rows_down: bool) -> None:
    for node, (x, y2) in satellites(wanted, anchors, band_y=y, centre_x=centre_x, rows_down=rows_down).items():
        canvas.add(node, x, y2)
        anchors[node] = (x, y2)


def _counts_line(canvas: Canvas, enterprises: int) -> str:
    states = Counter(canvas.states[n] for n in canvas.nodes if n in canvas.states)
    base = enterprises - states[OUTSIDE]
    org = states["standalone"] + states["joint"] + states["other_org"]
    orgs = sum(1 for n in canvas.nodes.values() if n["style"] in ("org", "committee"))
    parts = [f"企业 {enterprises} 家（纳入基数 {base}）", f"组织覆盖 {org}", f"工作覆盖 {states['work']}",
             f"未覆盖 {states['none']}", f"党组织 {orgs} 个"]
    if base:
        parts.append(f"组织覆盖率 {coverage_rate(org, base):.1%}")
    return " · ".join(parts)


# -- the overview of a large chain ----------------------------------------------------------


def _overview(g, chain_id, chain_name, segments, members, everyone, cap, links: Links, org_rate) -> dict:
    """One box per segment (coverage and a link into it), supply flows between segments,
    and a search index of every enterprise that leads to its segment's map."""
    canvas = Canvas(g, links)
    canvas.add_states(everyone)
    by_stage: dict[str, list[str]] = defaultdict(list)
    for s in segments:
        by_stage[g.nodes[s].get("stage") or ""].append(s)
    green, amber = org_rate
    positions = {}
    for column, stage in enumerate(sorted(by_stage, key=lambda st: STAGE_ORDER.get(st, 3))):
        x = column * _OVERVIEW_COLUMN_W
        height = len(by_stage[stage]) * _OVERVIEW_ROW_H
        canvas.lanes.append(Lane(STAGES.get(stage, UNSTAGED), x - 190, -90, 380, height + 60, stage or "plain"))
        for row, s in enumerate(by_stage[stage]):
            positions[s] = (x, row * _OVERVIEW_ROW_H)
    for s in segments:
        states = Counter(canvas.states[e] for e in members[s])
        base = len(members[s]) - states[OUTSIDE]
        org = states["standalone"] + states["joint"] + states["other_org"]
        rate = coverage_rate(org, base) if base else None
        node = canvas.add(s, *positions[s], style="segment")
        node["label"] = f"{short_label(node['name'], 12)}\n{len(members[s])} 家 · 组织覆盖 {rate:.0%}" if rate is not None \
            else f"{short_label(node['name'], 12)}\n{len(members[s])} 家"
        fill, border = RATE_COLORS.get(rate_class(rate, green=green, amber=amber), ("#fdfefe", "#5d6d7e"))
        node.update(color=fill, border=border)
        node["info"] += [["纳入基数", str(base)], ["组织覆盖", str(org)], ["单独组建覆盖", str(states["standalone"])],
                         ["联合组建覆盖", str(states["joint"])], ["工作覆盖", str(states["work"])],
                         ["未覆盖", str(states["none"])], ["组织覆盖率", f"{rate:.1%}" if rate is not None else "—"]]
        href = links.chain(chain_id, segment=s)
        if href:
            node["href"] = href
            node["links"].insert(0, ["展开此环节的企业", href])
    flows = _segment_flows(g, segments, members)
    for (a, b), count in sorted(flows.items()):
        canvas.link(a, b, "FLOW", label=str(count), width=1 + math.log2(count))
    top = in_ids(g, chain_id, RelType.LEADS) + [chain_id] + in_ids(g, chain_id, RelType.ALLIANCE_OF)
    width = (len(by_stage) - 1) * _OVERVIEW_COLUMN_W
    for node, (x, y) in satellites({n: [] for n in top}, {}, band_y=-200, centre_x=width / 2).items():
        canvas.add(node, x, y)
    leaders = {p: [] for p in in_ids(g, chain_id, RelType.RESPONSIBLE_FOR)}
    for node, (x, y) in satellites(leaders, {}, band_y=-320, centre_x=width / 2).items():
        canvas.add(node, x, y)
    canvas.link_graph_edges((RelType.LEADS, RelType.ALLIANCE_OF, RelType.RESPONSIBLE_FOR))
    for s in segments:
        canvas.link(s, chain_id, "PART_OF")
    index = [
        {"id": e, "name": name_or_id(g.nodes[e], e), "href": links.chain(chain_id, segment=s)}
        for s in segments for e in members[s]
    ]
    seen = set()
    index = [i for i in index if not (i["id"] in seen or seen.add(i["id"]))]
    actions = [["显示全部企业（较慢）", links.chain(chain_id, full=True)]]
    return canvas.payload(
        kind="chain_overview",
        title=f"产业链图谱：{chain_name}（按环节汇总）",
        subtitle=_overview_counts(canvas, everyone),
        chain=chain_id,
        notice=f"该产业链共有 {len(everyone)} 家企业，超过 {cap} 家，先按环节汇总显示：点击环节查看数据，双击或点“展开此环节的企业”进入该环节。",
        index=index,
        actions=[a for a in actions if a[1]],
    )


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


def _overview_counts(canvas: Canvas, everyone: list[str]) -> str:
    states = Counter(canvas.states[e] for e in everyone)
    base = len(everyone) - states[OUTSIDE]
    org = states["standalone"] + states["joint"] + states["other_org"]
    return (f"企业 {len(everyone)} 家（纳入基数 {base}） · 组织覆盖 {org} · 工作覆盖 {states['work']} · "
            f"未覆盖 {states['none']} · 组织覆盖率 {coverage_rate(org, base):.1%}")
