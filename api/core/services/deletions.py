"""Removing by hand what no file says any more: one entity, or one relationship.

An entity that still has relationships is not removed unless asked to take them along
(``cascade``): removing it alone would silently drop them, and each may be what a figure
rests on (an org's coverage, a leader's contact). The refusal lists them by name and code.
A removal is one transaction with its audit entry, checked against the version it was
prepared on; ``dry_run`` says what would go and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import name_of
from graph.analysis.history import snapshot_now
from graph.errors import NotFound
from graph.projection import load_projection
from graph.schema import LABEL_ZH, PERSONAL_PROPS, REL_SPECS, Label, RelType, rel_type_named
from graph.store import GraphStore
from graph.unit_of_work import UnitOfWork

from api.core import audit
from api.core.errors import Conflict, InvalidRequest
from api.core.security.principal import Principal

MAX_LISTED = 20  # links named in a refusal; the count says how many there are


def _named(g: nx.MultiDiGraph, node: str) -> dict:
    return {"id": node, "name": name_of(g, node), "label": g._node[node].get("label")}


def _link(g: nx.MultiDiGraph, rtype: str, source: str, target: str) -> dict:
    return {"type": rtype, "source": source, "target": target,
            "source_name": name_of(g, source), "target_name": name_of(g, target)}


def _described(link: dict) -> str:
    return (f"{REL_SPECS[RelType(link['type'])].zh}：{link['source_name']}（{link['source']}）→ "
            f"{link['target_name']}（{link['target']}）")


def _shown_people(store: GraphStore, principal: Principal, g: nx.MultiDiGraph, links: list[dict], where: str) -> None:
    """Removing is for editors, who may see people's names; each time they are shown, it is audited."""
    people = sorted({n for x in links for n in (x["source"], x["target"])
                     if Label(g._node[n].get("label")) in PERSONAL_PROPS})
    audit.record_people(store, principal, where, people)


def delete_entity(store: GraphStore, principal: Principal, node_id: str, *, cascade: bool = False,
                  dry_run: bool = False) -> dict:
    """Remove ``node_id`` (with its relationships when ``cascade``). NotFound, or Conflict
    listing the relationships it still has."""
    g = load_projection(store)
    if node_id not in g:
        raise NotFound(f"找不到编号为 {node_id} 的对象")
    entity = _named(g, node_id)
    links = [_link(g, k, node_id, v) for _, v, k in g.out_edges(node_id, keys=True)]
    links += [_link(g, k, u, node_id) for u, _, k in g.in_edges(node_id, keys=True)]
    what = f"{LABEL_ZH[Label(entity['label'])]}“{entity['name']}”（{node_id}）"
    _shown_people(store, principal, g, links, f"delete {node_id}")
    if links and not cascade:
        listed = "；".join(_described(x) for x in links[:MAX_LISTED])
        more = f" 等共 {len(links)} 条" if len(links) > MAX_LISTED else ""
        raise Conflict("has_links", f"{what}还有 {len(links)} 条关系，只删它会让这些关系悬空：{listed}{more}。"
                       "请先删除这些关系，或确认一并删除（命令行 --cascade，接口 cascade=true）", {"links": links})
    result = {"ok": True, "dry_run": dry_run, "deleted": entity, "removed_links": links, "version": g.graph["version"]}
    if dry_run:
        return result
    with UnitOfWork(store, expected_version=g.graph["version"]) as uow:
        uow.delete(nodes=[node_id])
        uow.describe(lambda summary: [audit.entry(principal, "delete", {
            "entity": node_id, "label": entity["label"], "links": len(links), "version": summary.version})])
    snapshot_now(store)  # as after an import: `history`, `changes` and the dashboard see the write
    return {**result, "version": uow.summary.version}


def delete_link(store: GraphStore, principal: Principal, rel_type: str, source: str, target: str, *,
                dry_run: bool = False) -> dict:
    """Remove one relationship. InvalidRequest for a type that names none, NotFound when
    the two are not so linked."""
    rtype = rel_type_named(rel_type)
    if rtype is None:
        kinds = "、".join(f"{REL_SPECS[t].zh}（{t.value}）" for t in RelType)
        raise InvalidRequest("bad_rel_type", f"没有叫“{rel_type}”的关系；可用：{kinds}")
    g = load_projection(store)
    if source not in g or target not in g or not g.has_edge(source, target, key=rtype.value):
        ends = f"{name_of(g, source) if source in g else source}（{source}）→ {name_of(g, target) if target in g else target}（{target}）"
        raise NotFound(f"没有这条{REL_SPECS[rtype].zh}关系：{ends}")
    link = _link(g, rtype.value, source, target)
    _shown_people(store, principal, g, [link], f"delete {rtype.value} {source} {target}")
    result = {"ok": True, "dry_run": dry_run, "removed_links": [link], "version": g.graph["version"]}
    if dry_run:
        return result
    with UnitOfWork(store, expected_version=g.graph["version"]) as uow:
        uow.delete(rels=[(rtype.value, source, target)])
        uow.describe(lambda summary: [audit.entry(principal, "delete", {
            "link": [rtype.value, source, target], "version": summary.version})])
    snapshot_now(store)
    return {**result, "version": uow.summary.version}


def describe_link(link: dict) -> str:
    """A removed link as a line a person reads."""
    return _described(link)
