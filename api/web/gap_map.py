"""Where the gaps are, and what the planners would do about them.

- :func:`gap_map`: the base enterprises without a party organisation, in lanes by chain
  (or, for one chain, by stage and segment), with the planners' proposals drawn as
  dashed edges: co-building pairings from strong organisations (``plan_pairings``) and
  joint branches (``plan_joint_branches``), new branches as dashed triangles.

Above the map cap it opens as an overview (``api.web.overview``): one box per chain, or
per segment of a chain, each opening its own map.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.coverage import coverage_report
from graph.analysis.membership import (chain_segments, chains_by_enterprise, enterprise_chains, require_chain,
                                       require_segment, segment_enterprises)
from graph.analysis.uncovered import REMEDY_ZH, uncovered_enterprises
from graph.projection import ids_with_label
from graph.schema import STAGE_ORDER, STAGES, Label, RelType

from api.web.canvas import NO_CHAIN_FILE, SERVER_LINKS, Canvas, Lane, Links, name_or_id, short_label
from api.web.chain_map import DEFAULT_CAP, RANK_DOT, STATE_ORDER, UNSTAGED, Bands, overview_rate
from api.web.layout import HEADER_H, Column, LaneSpec, satellites, swimlanes
from api.web.overview import NO_CHAIN, overview_box, place_boxes, places
from api.web.plan_map import PROPOSED_EDGES, new_branch_label
from api.web.style import RATE_BANDS, rate_legend

COPY_MARK = "@"  # a copy's id: the enterprise's, then the further chain it is drawn under
NAMED_GAPS = 40  # names written at first sight (where they fit); the rest once zoomed in, all in the table below
SCREEN_ASPECT = 0.5  # height / width of the graph area above the table: a wide map gets taller rows for its names


@dataclass
class GapView:
    """The gap map's payload and the tables shown under it."""

    payload: dict
    uncovered: list[dict] = field(default_factory=list)  # one row per enterprise
    leftovers: list[dict] = field(default_factory=list)  # targets the planners could not place
    totals: dict[str, int] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # an overview's boxes: the chains (segments, NO_CHAIN_FILE) whose maps they open


def chain_plans(g: nx.MultiDiGraph, chain: str | None) -> tuple:
    """The planners' proposals a gap map draws for ``chain`` (None: every chain):
    co-building pairings and joint branches."""
    from graph.analysis.planners import plan_joint_branches, plan_pairings  # networkx's flow solvers: when drawn
    return plan_pairings(g, chain=chain), plan_joint_branches(g, chain=chain)


def gap_map(g: nx.MultiDiGraph, *, chain: str | None = None, segment: str | None = None, unchained: bool = False,
            cap: int = DEFAULT_CAP, full: bool = False, within: Iterable[str] = (), links: Links = SERVER_LINKS,
            org_rate: tuple[float, float] = (0.9, 0.8), plans: Callable | None = None) -> GapView:
    """Uncovered enterprises and the proposals that would reach them.

    Parameters: ``chain`` limits everything to one chain (``NotFound`` if unknown);
    ``segment`` to one segment of it (``NotFound`` if not in the chain), always drawn in
    full; ``unchained`` (without ``chain``) to the enterprises in no chain, the overview's
    未归入产业链 box, always drawn in full; above ``cap`` uncovered enterprises the map opens as an overview, one box per
    chain (or, for a chain, per segment) with its figures, unless ``full``; ``within`` names the chains ``g`` is
    limited to (a scoped principal's view), for the title when no ``chain`` is asked;
    ``links`` says where node links point; ``org_rate`` (green, amber) colours the boxes;
    ``plans(chain)`` gives the planners' (pairings, joint branches) for a chain (default
    :func:`chain_plans` on ``g``): a caller drawing one chain's segments in turn keeps them.
    ``g`` is not mutated; the planners only propose. The tables list every uncovered
    enterprise whichever is drawn.
    """
    if chain is not None:
        require_chain(g, chain)
    if segment is not None:
        require_segment(g, chain, segment)
    found = uncovered_enterprises(g, chain=chain)
    if segment is not None:
        in_segment = set(segment_enterprises(g, segment))
        found = [u for u in found if u.id in in_segment]
    if unchained:
        if chain is not None:
            raise ValueError("unchained is the enterprises of no chain: not with a chain")
        chained = chains_by_enterprise(g)
        found = [u for u in found if u.id not in chained]
    pairings, joint = (plans or partial(chain_plans, g))(chain)
    ids = [u.id for u in found]
    wanted = set(ids)
    new_orgs = {o.id: o for o in joint.new_orgs}
    items = [i for i in [*joint.items, *pairings.items] if i.target in wanted]
    proposal: dict[str, list[str]] = defaultdict(list)  # enterprise -> what is proposed for it
    for item in items:
        if item.source in new_orgs:
            proposal[item.target].append(f"编入拟建「{new_orgs[item.source].name}」")
        elif item.rel_type is RelType.COVERS:
            proposal[item.target].append(f"并入「{item.source_name}」")
        else:
            proposal[item.target].append(f"与「{item.source_name}」结对共建")
    rows = [_row(g, u, proposal.get(u.id, []), links) for u in found]
    leftovers = [{"id": left.id, "name": left.name, "plan": "结对共建", "reason": left.reason}
                 for left in pairings.leftovers if left.id in wanted]
    leftovers += [{"id": left.id, "name": left.name, "plan": "联合组建", "reason": left.reason}
                  for left in joint.leftovers if segment is None or left.id in wanted]
    named = [chain] if chain else sorted(within)
    title = "缺口地图：" + ("、".join(name_or_id(g.nodes[c], c) if c in g else c for c in named) or "全部产业链")
    if segment is not None:
        title += f" · {name_or_id(g.nodes[segment], segment)}"
    if unchained:
        title = f"缺口地图：{NO_CHAIN}"
    totals = _totals(found, items, new_orgs)
    subtitle = (f"未建党组织的企业 {totals['uncovered']} 家（其中工作覆盖 {totals['work_covered']} 家） · "
                f"拟结对 {totals['pairings']} 对 · 拟建联合党支部 {totals['new_orgs']} 个")
    if segment is None and not unchained and not full and len(ids) > cap:
        payload, parts = _overview(g, found, items, new_orgs, chain, links, Bands(*org_rate), title, subtitle, cap)
        return GapView(payload, rows, leftovers, totals, parts)
    canvas = Canvas(g, links)
    canvas.add_states(ids)
    copies: dict[str, str] = {}
    placed = swimlanes(_lanes(g, canvas, ids, chain, copies, segment), aspect=SCREEN_ASPECT)
    # uncovered_enterprises puts the most important first: those are named at first sight
    priority = {e: k if k < NAMED_GAPS else RANK_DOT + k for k, e in enumerate(ids)}
    for e, (x, y) in placed.positions.items():
        if e not in copies:
            canvas.add(e, x, y)["rank"] = priority[e]
    _draw_copies(g, canvas, copies, placed.positions, priority)
    canvas.lanes.extend(Lane(b.title, b.x, b.y, b.w, b.h, b.tone, b.subtitle, head=HEADER_H / 2 if b.tone == "segment" else 0.0)
                        for b in placed.boxes)
    anchors = {e: at for e, at in placed.positions.items() if e not in copies}  # proposals reach the first drawing
    # Proposers beside the enterprises they would reach: new branches, existing orgs.
    reach: dict[str, list[str]] = defaultdict(list)
    for item in items:
        reach[item.source].append(item.target)
    spots: Counter = Counter()
    for source, (x, y) in satellites(dict(reach), anchors, beside=True).items():
        spot = (round(x), round(y))
        y += 22 * spots[spot]
        spots[spot] += 1
        if source in new_orgs:
            org = new_orgs[source]
            node = canvas.add_synthetic(
                source, new_branch_label(g, org), "new_org", x, y, name=org.name, kind="拟组建党组织",
                info=[["拟用编号", org.id], ["党员合计", str(org.members)], ["覆盖企业", str(len(org.enterprises))],
                      ["园区", org.park or ""], ["理由", "；".join(org.reasons)]],
            )
        else:
            node = canvas.add(source, x, y)
        node["rank"] = RANK_DOT  # named once zoomed in: the dashed lines say what it proposes
    for item in items:
        canvas.link(item.source, item.target, PROPOSED_EDGES[item.rel_type])
    payload = canvas.payload(
        kind="gaps",
        title=title,
        subtitle=subtitle,
        notice="虚线为规划提议，尚未写入。图中只画出针对未建党组织企业的结对；针对薄弱党组织的结对请在“规划”页查看。",
        legend_note=(f"图中只写出优先级最高的 {min(NAMED_GAPS, len(ids))} 家企业中放得下的名称（不与其他名称、图形重叠）；"
                     "其余企业悬停、点击或放大可见名称，全部见下表。"),
        chain=chain,
    )
    return GapView(payload, rows, leftovers, totals)


def _totals(found, items, new_orgs: dict) -> dict[str, int]:
    """The figures of a set of uncovered enterprises and the proposals reaching them."""
    return {
        "uncovered": len(found),
        "work_covered": sum(1 for u in found if u.work_covered),
        "pairings": sum(1 for i in items if i.source not in new_orgs and i.rel_type is RelType.PAIRED_WITH),
        "new_orgs": len({i.source for i in items if i.source in new_orgs}),
        "joint_items": sum(1 for i in items if i.rel_type is RelType.COVERS),
    }


def _overview(g: nx.MultiDiGraph, found, items, new_orgs: dict, chain: str | None, links: Links, bands: Bands,
              title: str, subtitle: str, cap: int) -> tuple[dict, list[str]]:
    """One box per chain (enterprises in no chain in a box of their own), or for one chain
    one box per segment in its stage's lane: the figures of its uncovered enterprises and
    the proposals reaching them, coloured by its organisation coverage rate, opening its
    own gap map. An enterprise in two chains (segments) counts in each, and so does a
    proposed joint branch reaching both. Returns the payload and the boxes' chains (segments)."""
    canvas = Canvas(g, links)
    place_of, keys = places(g, chain)
    groups: dict[str, list] = {key: [] for key in keys}
    for u in found:
        for key in place_of.get(u.id) or [""]:
            groups.setdefault(key, []).append(u)
    report = coverage_report(g, by="chain") if chain is None else coverage_report(g, by="segment", chain=chain)
    rates = {group.key: group for group in report.groups}
    shown = [key for key in groups if groups[key]]
    for key, (x, y) in place_boxes(canvas, g, shown, chain).items():
        _box(canvas, g, key, groups[key], items, new_orgs, chain, links, bands, rates.get(key), x, y)
    unit = "产业链" if chain is None else "环节"
    payload = canvas.payload(
        kind="gaps_overview",
        title=f"{title}（按{unit}汇总）",
        subtitle=f"{subtitle}。超过 {cap} 家，先按{unit}汇总",
        notice=(f"每个方框是一个{unit}：颜色表示其组织覆盖率，框内是其中未建党组织的企业和针对它们的规划提议；"
                f"同属几个{unit}的企业、跨{unit}的拟建联合党支部在每个{unit}各计一次。双击方框（或点右侧链接）打开该{unit}的缺口地图。"),
        chain=chain,
        actions=[a for a in [["显示全部企业（较慢）", links.gaps(chain, full=True)]] if a[1]],
        rate_legend=rate_legend(green=bands.green, amber=bands.amber),
        rate_legend_title=f"{unit}底色：组织覆盖率",
    )
    return payload, [key or NO_CHAIN_FILE for key in shown if key or chain is None]


def _box(canvas: Canvas, g: nx.MultiDiGraph, key: str, found, items, new_orgs: dict, chain: str | None,
         links: Links, bands: Bands, coverage, x: float, y: float) -> None:
    """One chain's (or segment's) box of the overview."""
    mine = {u.id for u in found}
    figures = _totals(found, [i for i in items if i.target in mine], new_orgs)
    rate = overview_rate(coverage)
    if chain is None:
        href = links.gaps(key) if key else links.gaps(None, unchained=True)
    else:
        href = links.gaps(chain, segment=key) if key else links.gaps(chain, full=True)
    name = name_or_id(g._node[key], key) if key else (NO_CHAIN if chain is None else UNSTAGED)
    lines = [f"未建党组织 {figures['uncovered']} 家", f"其中工作覆盖 {figures['work_covered']} 家",
             f"拟结对 {figures['pairings']} 对", f"拟建联合党支部 {figures['new_orgs']} 个"]
    info = [["未建党组织的企业", str(figures["uncovered"])], ["其中工作覆盖", str(figures["work_covered"])],
            ["拟结对共建", str(figures["pairings"])], ["拟建联合党支部", str(figures["new_orgs"])]]
    if coverage is not None and coverage.base:
        info.append(["组织覆盖率", bands.percent(coverage.org_coverage_rate)])
    node = overview_box(canvas, key, chain, name, lines, info, "gaps", x, y, href)
    if key:  # enterprises in no chain (segment) have no rate of their own: the box keeps its plain colour
        band = RATE_BANDS[bands.colour(rate)]
        node["color"], node["border"] = band.fill, band.ink


def _lanes(g: nx.MultiDiGraph, canvas: Canvas, ids: list[str], chain: str | None, copies: dict[str, str],
           segment: str | None = None) -> list[LaneSpec]:
    """For one chain: stages, each with its segments (only ``segment``, if given). For all: one lane per chain, each
    with its stages, an enterprise in several chains in each of them (under its first
    chain as itself, under the others as a copy, recorded in ``copies``: copy id ->
    enterprise); enterprises in no chain get a lane of their own."""
    nodes = g._node

    def ordered(members: list[str]) -> list[str]:
        def key(e: str):
            real = copies.get(e, e)
            return not nodes[real].get("leading"), STATE_ORDER[canvas.states[real]], real
        return sorted(members, key=key)

    wanted = set(ids)
    if chain is not None:
        by_stage: dict[str, list[Column]] = defaultdict(list)
        for s in [segment] if segment else chain_segments(g, chain):
            members = [e for e in g._pred[s] if e in wanted and RelType.IN_SEGMENT.value in g._pred[s][e]]
            if members:
                by_stage[nodes[s].get("stage") or ""].append(
                    Column(f"{short_label(name_or_id(nodes[s], s), 12)}（{len(members)}）", ordered(members), s))
        return [LaneSpec(STAGES.get(st, UNSTAGED), st or "plain", by_stage[st])
                for st in sorted(by_stage, key=lambda st: STAGE_ORDER.get(st, 3))]
    chains_of = chains_by_enterprise(g)
    by_chain: dict[str, list[str]] = defaultdict(list)
    for e in ids:
        mine = sorted(chains_of.get(e, ())) or [""]
        by_chain[mine[0]].append(e)
        for other in mine[1:]:
            copies[f"{e}{COPY_MARK}{other}"] = e
            by_chain[other].append(f"{e}{COPY_MARK}{other}")
    lanes = []
    for c in sorted(ids_with_label(g, Label.CHAIN)) + [""]:
        if not by_chain.get(c):
            continue
        title = name_or_id(nodes[c], c) if c else NO_CHAIN
        stage_of = _stage_of(g, c) if c else {}
        by_stage: dict[str, list[str]] = defaultdict(list)
        for e in by_chain[c]:
            by_stage[stage_of.get(copies.get(e, e), "")].append(e)
        columns = [Column(f"{STAGES.get(st, UNSTAGED)}（{len(by_stage[st])}）", ordered(by_stage[st]), st)
                   for st in sorted(by_stage, key=lambda st: STAGE_ORDER.get(st, 3))]
        lanes.append(LaneSpec(title, "plain", columns))
    return lanes


def _draw_copies(g: nx.MultiDiGraph, canvas: Canvas, copies: dict[str, str], positions: dict, priority: dict) -> None:
    """An enterprise of several chains looks the same under each of them; its panel names
    them all, on every drawing of it."""
    for copy, e in copies.items():
        x, y = positions[copy]
        node = {**canvas.nodes[e], "id": copy, "x": round(x, 1), "y": round(y, 1), "copyOf": e, "rank": priority[e]}
        canvas.nodes[copy] = node
    for e in set(copies.values()):
        chains = "、".join(name_or_id(g.nodes[c], c) for c in sorted(enterprise_chains(g, e)))
        row = ["所属产业链", f"{chains}（每条链下各画一次）"]
        for node in canvas.nodes.values():
            if node["id"] == e or node.get("copyOf") == e:
                node["info"] = [*node["info"], row]


def _stage_of(g: nx.MultiDiGraph, chain: str) -> dict[str, str]:
    """Enterprise -> the stage of its first segment in ``chain``."""
    found: dict[str, str] = {}
    for s in chain_segments(g, chain):
        for e, keyed in g._pred[s].items():
            if RelType.IN_SEGMENT.value in keyed:
                found.setdefault(e, g._node[s].get("stage") or "")
    return found


def _row(g: nx.MultiDiGraph, u, proposals: list[str], links: Links) -> dict:
    return {
        "id": u.id,
        "name": u.name,
        "href": links.entity(u.id),
        "chains": "、".join(name_or_id(g.nodes[c], c) for c in u.chains),
        "remedy": REMEDY_ZH[u.remedy],
        "party_members": u.party_members,
        "work_covered": u.work_covered,
        "priority": u.priority,
        "reasons": "；".join(u.reasons),
        "proposal": "；".join(proposals),
    }


