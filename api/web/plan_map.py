"""A plan's proposal as a map, for review before it is applied: each proposer (leader,
instructor, strong org, new branch) on top of a block holding its targets, or above
``PLAN_MAP_CAP`` proposals one box per chain (per segment of a chain's plan)."""

from __future__ import annotations

import math
from collections import defaultdict

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

    from graph.analysis.planners import Plan

from graph.schema import Label, RelType

from api.web.canvas import SERVER_LINKS, Canvas, Links, name_or_id, short_label
from api.web.chain_map import UNSTAGED
from api.web.layout import CELL_W, COLUMN_GAP, blocks
from api.web.overview import NO_CHAIN, overview_box, place_boxes, places

PLAN_MAP_CAP = 600  # proposals drawn one by one; above, the plan's map sums them by chain (a city plan has 20,000)
PROPOSED_EDGES = {  # a proposed relationship's edge style, by its type
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


def new_branch_label(g: nx.MultiDiGraph, org) -> str:
    """What a proposed joint branch is called on a map: "拟建：" and its first member (and
    how many with it), so that each branch can be told from the others (QA round 8: every
    one read "拟建联合党支部"); its panel and tooltip give its full proposed name."""
    first = org.enterprises[0] if org.enterprises else ""
    name = short_label(name_or_id(g.nodes[first], first) if first in g else org.name, 8)
    more = len(org.enterprises)
    return f"拟建：{name}等{more}家" if more > 1 else f"拟建：{name}"


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
            canvas.add_synthetic(node_id, new_branch_label(g, org), "new_org", x, y, name=org.name, kind="拟组建党组织",
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
        # A target's name is as wide as its cell, so that two side by side are both written; a
        # proposer's as its block (plus the gap before the next).
        node["room"] = CELL_W - 8 if node_id not in by_source else _block_width(len(by_source[node_id])) + COLUMN_GAP
    reasons = {(i.source, i.target): "；".join(i.reasons) for i in plan.items}
    for item in plan.items:
        canvas.link(item.source, item.target, PROPOSED_EDGES.get(item.rel_type, "PROPOSED_PAIRED_WITH"))
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


def _block_width(members: int) -> float:
    """The width of a proposer's block (``api.web.layout.blocks``): its targets' columns."""
    return max(1, min(4, math.ceil(math.sqrt(max(members, 1))))) * CELL_W


def _plan_overview(g: nx.MultiDiGraph, plan: Plan, chain: str | None, cap: int) -> dict:
    """The proposals by the chain (a chain's plan: the segment) of what they reach: an
    enterprise's own, an org's through the enterprises it covers; each box counts its
    proposals, their proposers and the new branches among them."""
    canvas = Canvas(g, SERVER_LINKS)
    place_of, keys = places(g, chain)
    covers, nodes = RelType.COVERS.value, g._node
    groups: dict[str, list] = {key: [] for key in keys}
    for item in plan.items:
        target = item.target
        reached = [target] if target not in g or nodes[target]["label"] == Label.ENTERPRISE.value else \
            [e for e, keyed in g._succ[target].items() if covers in keyed]
        for key in sorted({k for e in reached for k in place_of.get(e, ())} or {""}):  # "" where it reaches none
            groups.setdefault(key, []).append(item)
    new_orgs = {o.id for o in plan.new_orgs}
    shown = [key for key in groups if groups[key]]
    for key, (x, y) in place_boxes(canvas, g, shown, chain).items():
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
