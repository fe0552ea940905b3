"""Where the gaps are, and what the planners would do about them.

- :func:`gap_map`: the base enterprises without a party organisation, in lanes by chain
  (or, for one chain, by stage and segment), with the planners' proposals drawn as
  dashed edges: co-building pairings from strong organisations (``plan_pairings``) and
  joint branches (``plan_joint_branches``), new branches as dashed triangles.
- :func:`plan_map`: any one plan (contacts, instructors, pairings, joint branches) as
  blocks, one per proposer with its targets beneath, for review before it is applied.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

    from graph.analysis.planners import Plan

from graph.analysis.coverage import coverage_report
from graph.analysis.membership import (chain_segments, chains_by_enterprise, enterprise_chains, require_chain,
                                       segment_enterprises)
from graph.analysis.uncovered import REMEDY_ZH, uncovered_enterprises
from graph.errors import NotFound
from graph.projection import ids_with_label
from graph.schema import STAGE_ORDER, STAGES, Label, RelType

from api.web.canvas import SERVER_LINKS, Canvas, Lane, Links, name_or_id, short_label
from api.web.chain_map import DEFAULT_CAP, OVERVIEW_BOX, RANK_DOT, STATE_ORDER, UNSTAGED, Bands, overview_rate
from api.web.layout import HEADER_H, Column, LaneSpec, blocks, satellites, swimlanes
from api.web.style import RATE_BANDS, rate_legend

NO_CHAIN = "未归入产业链"
COPY_MARK = "@"  # a copy's id: the enterprise's, then the further chain it is drawn under
OVERVIEW_PER_ROW = 3  # chain boxes in a row: eight chains and those in none fill a wide screen in three rows
PLAN_MAP_CAP = 600  # proposals drawn one by one; above, the plan's map sums them by chain (a city plan has 20,000)
NAMED_GAPS = 40  # names written at first sight; the rest once zoomed in, all in the table below
_PROPOSED = {
    RelType.PAIRED_WITH: "PROPOSED_PAIRED_WITH",
    RelType.COVERS: "PROPOSED_COVERS",
    RelType.CONTACTS: "PROPOSED_CONTACTS",
    RelType.ASSIGNED_TO: "PROPOSED_ASSIGNED_TO",
}
PLAN_TITLES = {
    "contacts": "领导联系点规划",
    "instructors": "党建指导员派驻规划",
    "pairings": "结对共建规划",
    "joint_branches": "联合党支部组建规划",
}


@dataclass
class GapView:
    """The gap map's payload and the tables shown under it."""

    payload: dict
    uncovered: list[dict] = field(default_factory=list)  # one row per enterprise
    leftovers: list[dict] = field(default_factory=list)  # targets the planners could not place
    totals: dict[str, int] = field(default_factory=dict)


def gap_map(g: nx.MultiDiGraph, *, chain: str | None = None, segment: str | None = None, cap: int = DEFAULT_CAP,
            full: bool = False, within: Iterable[str] = (), links: Links = SERVER_LINKS,
            org_rate: tuple[float, float] = (0.9, 0.8)) -> GapView:
    """Uncovered enterprises and the proposals that would reach them.

    Parameters: ``chain`` limits everything to one chain (``NotFound`` if unknown);
    ``segment`` to one segment of it (``NotFound`` if not in the chain), always drawn in
    full; above ``cap`` uncovered enterprises the map opens as an overview, one box per
    chain (or, for a chain, per segment) with its figures, unless ``full``; ``within`` names the chains ``g`` is
    limited to (a scoped principal's view), for the title when no ``chain`` is asked;
    ``links`` says where node links point; ``org_rate`` (green, amber) colours the boxes.
    ``g`` is not mutated; the planners only propose. The tables list every uncovered
    enterprise whichever is drawn.
    """
    if chain is not None:
        require_chain(g, chain)
    if segment is not None and (chain is None or segment not in chain_segments(g, chain)):
        raise NotFound(f"产业链 {chain or '（未指定）'} 中找不到环节 {segment}")
    found = uncovered_enterprises(g, chain=chain)
    if segment is not None:
        in_segment = set(segment_enterprises(g, segment))
        found = [u for u in found if u.id in in_segment]
    from graph.analysis.planners import plan_joint_branches, plan_pairings  # networkx's flow solvers: when drawn

    pairings = plan_pairings(g, chain=chain)
    joint = plan_joint_branches(g, chain=chain)
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
    totals = _totals(found, items, new_orgs)
    subtitle = (f"未建党组织的企业 {totals['uncovered']} 家（其中工作覆盖 {totals['work_covered']} 家） · "
                f"拟结对 {totals['pairings']} 对 · 拟建联合党支部 {totals['new_orgs']} 个")
    if segment is None and not full and len(ids) > cap:
        payload = _overview(g, found, items, new_orgs, chain, links, Bands(*org_rate), title, subtitle, cap)
        return GapView(payload, rows, leftovers, totals)
    canvas = Canvas(g, links)
    canvas.add_states(ids)
    copies: dict[str, str] = {}
    placed = swimlanes(_lanes(g, canvas, ids, chain, copies, segment))
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
                source, "拟建联合党支部", "new_org", x, y, name=org.name, kind="拟组建党组织",
                info=[["拟用编号", org.id], ["党员合计", str(org.members)], ["覆盖企业", str(len(org.enterprises))],
                      ["园区", org.park or ""], ["理由", "；".join(org.reasons)]],
            )
        else:
            node = canvas.add(source, x, y)
        node["rank"] = RANK_DOT  # named once zoomed in: the dashed lines say what it proposes
    for item in items:
        canvas.link(item.source, item.target, _PROPOSED[item.rel_type])
    payload = canvas.payload(
        kind="gaps",
        title=title,
        subtitle=subtitle,
        notice="虚线为规划提议，尚未写入。图中只画出针对未建党组织企业的结对；针对薄弱党组织的结对请在“规划”页查看。",
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


def _places(g: nx.MultiDiGraph, chain: str | None) -> tuple[dict[str, list[str]], list[str]]:
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


def _place_boxes(canvas: Canvas, g: nx.MultiDiGraph, keys: list[str], chain: str | None) -> dict[str, tuple[float, float]]:
    """Where each box of an overview goes: chains (and "" for none) in rows of
    ``OVERVIEW_PER_ROW``; a chain's segments down the lane of their stage, lanes drawn."""
    box_w, box_h, gap_x, gap_y = OVERVIEW_BOX
    if chain is None:
        return {key: ((k % OVERVIEW_PER_ROW) * (box_w + gap_x), (k // OVERVIEW_PER_ROW) * (box_h + gap_y))
                for k, key in enumerate(keys)}
    lanes: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        lanes[(g._node[key].get("stage") or "") if key else ""].append(key)
    at = {}
    for lane_k, stage in enumerate(sorted(lanes, key=lambda st: STAGE_ORDER.get(st, 3))):
        for k, key in enumerate(lanes[stage]):
            at[key] = (lane_k * (box_w + gap_x), k * (box_h + gap_y))
        height = len(lanes[stage]) * box_h + (len(lanes[stage]) - 1) * gap_y
        canvas.lanes.append(Lane(STAGES.get(stage, UNSTAGED), lane_k * (box_w + gap_x) - box_w / 2 - 24,
                                 -box_h / 2 - 64, box_w + 48, height + 88, stage or "plain"))
    return at


def overview_box(canvas: Canvas, key: str, chain: str | None, name: str, lines: list[str], info: list, kind: str,
                 x: float, y: float, href: str | None = None) -> dict:
    """One box of an overview (gap map, plan): its name and figures, written large."""
    node = canvas.add_synthetic(f"{kind}:{key or '-'}", "\n".join([short_label(name, 14), *lines]), "segment", x, y,
                                name=name, kind=OVERVIEW_KINDS[kind] + ("（产业链）" if chain is None else "（环节）"),
                                info=info, links=[["打开此处的地图", href]] if href else [], href=href)
    node["box"] = {"w": OVERVIEW_BOX[0], "h": OVERVIEW_BOX[1], "font": 19}
    return node


OVERVIEW_KINDS = {"gaps": "缺口汇总", "plan": "提议汇总"}


def _overview(g: nx.MultiDiGraph, found, items, new_orgs: dict, chain: str | None, links: Links, bands: Bands,
              title: str, subtitle: str, cap: int) -> dict:
    """One box per chain (enterprises in no chain in a box of their own), or for one chain
    one box per segment in its stage's lane: the figures of its uncovered enterprises and
    the proposals reaching them, coloured by its organisation coverage rate, opening its
    own gap map. An enterprise in two chains (segments) counts in each."""
    canvas = Canvas(g, links)
    place_of, keys = _places(g, chain)
    groups: dict[str, list] = {key: [] for key in keys}
    for u in found:
        for key in place_of.get(u.id) or [""]:
            groups.setdefault(key, []).append(u)
    report = coverage_report(g, by="chain") if chain is None else coverage_report(g, by="segment", chain=chain)
    rates = {group.key: group for group in report.groups}
    shown = [key for key in groups if groups[key]]
    for key, (x, y) in _place_boxes(canvas, g, shown, chain).items():
        _box(canvas, g, key, groups[key], items, new_orgs, chain, links, bands, rates.get(key), x, y)
    unit = "产业链" if chain is None else "环节"
    return canvas.payload(
        kind="gaps_overview",
        title=f"{title}（按{unit}汇总）",
        subtitle=f"{subtitle}。超过 {cap} 家，先按{unit}汇总",
        notice=(f"每个方框是一个{unit}：颜色表示其组织覆盖率，框内是其中未建党组织的企业和针对它们的规划提议；"
                f"同属几个{unit}的企业在每个{unit}各计一次。双击方框（或点右侧链接）打开该{unit}的缺口地图。"),
        chain=chain,
        actions=[a for a in [["显示全部企业（较慢）", links.gaps(chain, full=True)]] if a[1]],
        rate_legend=rate_legend(green=bands.green, amber=bands.amber),
        rate_legend_title=f"{unit}底色：组织覆盖率",
    )


def _box(canvas: Canvas, g: nx.MultiDiGraph, key: str, found, items, new_orgs: dict, chain: str | None,
         links: Links, bands: Bands, coverage, x: float, y: float) -> None:
    """One chain's (or segment's) box of the overview."""
    mine = {u.id for u in found}
    figures = _totals(found, [i for i in items if i.target in mine], new_orgs)
    rate = overview_rate(coverage)
    if chain is None:
        href = links.gaps(key) if key else links.gaps(None, full=True)
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


# -- one plan ---------------------------------------------------------------------------


def plan_map(g: nx.MultiDiGraph, plan: Plan, *, chain: str | None = None, cap: int = PLAN_MAP_CAP,
             links: Links = SERVER_LINKS) -> dict:
    """A plan's proposal as a graph: each proposer (leader, instructor, strong org, new
    branch) on top of a block holding its targets, joined by dashed edges; above ``cap``
    items, one box per chain (for a plan of ``chain``: per segment) with its figures.

    Items whose ends are not in ``g`` (a new branch is not, until applied) are drawn from
    the plan's own names.
    """
    if len(plan.items) > cap:
        return _plan_overview(g, plan, chain if chain in g else None, cap)
    new_orgs = {o.id: o for o in plan.new_orgs}
    by_source: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for item in plan.items:
        by_source[item.source].append(item.target)
        names.setdefault(item.source, item.source_name or item.source)
        names.setdefault(item.target, item.target_name or item.target)
    for org in plan.new_orgs:
        by_source.setdefault(org.id, [])
        names.setdefault(org.id, org.name)
    positions = blocks(list(by_source.items()))
    canvas = Canvas(g, links)
    canvas.add_states(t for t in positions if t in g and g._node[t]["label"] == Label.ENTERPRISE.value)
    for node_id, (x, y) in positions.items():
        if node_id in new_orgs:
            org = new_orgs[node_id]
            canvas.add_synthetic(node_id, "拟建联合党支部", "new_org", x, y, name=org.name, kind="拟组建党组织",
                                 info=[["拟用编号", org.id], ["党员合计", str(org.members)],
                                       ["覆盖企业", str(len(org.enterprises))], ["理由", "；".join(org.reasons)]])
        elif node_id in g:
            node = canvas.add(node_id, x, y)
            if node_id in by_source and not node["label"]:  # a proposer heads its block: name it
                node["label"] = short_label(node["name"], 12)
        else:  # gone since the plan was made: keep its place, say so
            canvas.add_synthetic(node_id, names[node_id][:10], "more", x, y, name=names[node_id], kind="已不存在的对象")
    for node_id, node in canvas.nodes.items():  # proposers' names first, then their targets'
        node["rank"] = 0 if node_id in by_source else 10
    reasons = {(i.source, i.target): "；".join(i.reasons) for i in plan.items}
    for item in plan.items:
        canvas.link(item.source, item.target, _PROPOSED.get(item.rel_type, "PROPOSED_PAIRED_WITH"))
    for (source, target), why in reasons.items():
        node = canvas.nodes.get(target)
        if node is not None and why:
            node["info"] = node["info"] + [["提议理由", why]]
    return canvas.payload(
        kind="plan",
        title=PLAN_TITLES.get(plan.kind, plan.kind),
        subtitle=f"提议 {len(plan.items)} 项 · 新建党组织 {len(plan.new_orgs)} 个 · 未安排 {len(plan.leftovers)} 个",
        notice="虚线为提议，执行后才写入数据。",
    )


def _plan_overview(g: nx.MultiDiGraph, plan: Plan, chain: str | None, cap: int) -> dict:
    """The proposals by the chain (a chain's plan: the segment) of what they reach: an
    enterprise's own, an org's through the enterprises it covers; each box counts its
    proposals, their proposers and the new branches among them."""
    canvas = Canvas(g, SERVER_LINKS)
    place_of, keys = _places(g, chain)
    covers, nodes = RelType.COVERS.value, g._node
    groups: dict[str, list] = {key: [] for key in keys}
    for item in plan.items:
        target = item.target
        reached = [target] if target not in g or nodes[target]["label"] == Label.ENTERPRISE.value else \
            [e for e, keyed in g._succ[target].items() if covers in keyed]
        for key in sorted({k for e in reached for k in place_of.get(e) or [""]} or {""}):
            groups.setdefault(key, []).append(item)
    new_orgs = {o.id for o in plan.new_orgs}
    shown = [key for key in groups if groups[key]]
    for key, (x, y) in _place_boxes(canvas, g, shown, chain).items():
        mine = groups[key]
        proposers, made = len({i.source for i in mine}), len({i.source for i in mine if i.source in new_orgs})
        name = name_or_id(nodes[key], key) if key else (NO_CHAIN if chain is None else UNSTAGED)
        lines = [f"提议 {len(mine)} 项", f"提议方 {proposers} 个"] + ([f"新建党组织 {made} 个"] if made else [])
        info = [["提议", str(len(mine))], ["提议方", str(proposers)], ["新建党组织", str(made)]]
        overview_box(canvas, key, chain, name, lines, info, "plan", x, y)
    unit = "产业链" if chain is None else "环节"
    return canvas.payload(
        kind="plan_overview",
        title=f"{PLAN_TITLES.get(plan.kind, plan.kind)}（按{unit}汇总）",
        subtitle=f"提议 {len(plan.items)} 项 · 新建党组织 {len(plan.new_orgs)} 个 · 未安排 {len(plan.leftovers)} 个。"
                 f"超过 {cap} 项，按{unit}汇总",
        notice=(f"虚线为提议，执行后才写入数据。每个方框是一个{unit}：其中对象的提议数；同属几个{unit}的对象在每个"
                f"{unit}各计一次。逐项审阅请看下表" + ("，或在“规划”页选一条产业链生成规划。" if chain is None else "。")),
    )
