"""Who the planners plan for: weak and strong party organisations, and where they sit.

A weak organisation is what ``graph.analysis.membership.is_weak_org`` says (2 stars or
less, or none yet (未评星), and carrying no one). A strong one has 4 or 5 stars, is a
demonstration site (示范点), or covers a leading enterprise (龙头) — the organisations
that can carry a weak one (结对共建, "1+X").

Weak organisations get a priority in the same points as ``uncovered_enterprises``, so a
planner can rank both kinds of target on one list: points for a low (or missing) star,
plus the points of an above-scale enterprise the organisation covers. (One covering a
leading enterprise is strong by definition, so never weak.)
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import WEAK_MAX_STAR, is_weak_org, is_working_org, name_of
from graph.analysis.planners.assignment import Target
from graph.analysis.uncovered import ABOVE_SCALE_POINTS, UncoveredEnterprise
from graph.projection import ids_with_label, out_ids
from graph.schema import Label, RelType

STRONG_MIN_STAR = 4
# A one-star organisation is the most urgent; an unrated one is unknown, so in between.
WEAK_STAR_POINTS = {1: 30, None: 20, 2: 10}


@dataclass(frozen=True)
class WeakOrg:
    """A weak party organisation (``is_weak_org``) as the planners rank it."""

    id: str
    name: str
    star: int | None
    chains: tuple[str, ...]
    enterprises: tuple[str, ...]  # the enterprises it covers
    priority: int
    reasons: tuple[str, ...]


def strong_org_reasons(g: nx.MultiDiGraph, org: str) -> tuple[str, ...]:
    """Why an organisation counts as strong; empty if it does not."""
    nodes, covers = g._node, RelType.COVERS.value  # raw attributes and adjacency: views cost several times more
    covers_leading = any(covers in keyed and nodes[e].get("leading") for e, keyed in g._succ[org].items())
    return _strong_reasons(nodes[org], covers_leading)


def strong_orgs(g: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    """Every strong organisation at work (``is_working_org``), in store order, with why
    (``strong_org_reasons``).

    Who covers a leading enterprise is read once from the leading enterprises' side (a
    few hundred at city scale), not from every organisation's coverage (36,000)."""
    nodes, pred, covers = g._node, g._pred, RelType.COVERS.value  # raw attributes and adjacency
    covering_leading = {
        org
        for e in ids_with_label(g, Label.ENTERPRISE)
        if nodes[e].get("leading")
        for org, keyed in pred[e].items()
        if covers in keyed
    }
    return {
        org: reasons
        for org in ids_with_label(g, Label.PARTY_ORG)
        if (reasons := _strong_reasons(nodes[org], org in covering_leading)) and is_working_org(g, org)
    }


def _strong_reasons(node: dict, covers_leading: bool) -> tuple[str, ...]:
    """The rule: 4 stars or more, a demonstration site, or covering a leading enterprise."""
    reasons = []
    if (node.get("star") or 0) >= STRONG_MIN_STAR:
        reasons.append(f"{node['star']} 星级党组织")
    if node.get("demonstration"):
        reasons.append("示范点")
    if covers_leading:
        reasons.append("龙头企业党组织")
    return tuple(reasons)


def weak_orgs(g: nx.MultiDiGraph, *, chain: str | None = None, org_chains: dict[str, set[str]]) -> list[WeakOrg]:
    """Every weak organisation (only ``chain``'s if given), highest priority first, then id.

    ``org_chains`` is ``graph.analysis.membership.chains_by_org(g)``. Weak is
    ``graph.analysis.membership.is_weak_org``, the rule the gap listings use: so an
    organisation that carries others (a demonstration site, an industry committee, one
    covering a leading enterprise) is not weak, whatever its stars.
    """
    found = []
    nodes = g._node  # raw attributes: the NodeView costs several times more
    for org in ids_with_label(g, Label.PARTY_ORG):
        if (chain is not None and chain not in org_chains.get(org, ())) or not is_weak_org(g, org):
            continue
        chains = tuple(sorted(org_chains.get(org, ())))
        priority, reasons = _weak_priority(g, org)
        found.append(
            WeakOrg(
                id=org,
                name=name_of(g, org),
                star=nodes[org].get("star"),
                chains=chains,
                enterprises=tuple(out_ids(g, org, RelType.COVERS)),
                priority=priority,
                reasons=reasons,
            )
        )
    return sorted(found, key=lambda w: (-w.priority, w.id))


def enterprise_target(u: UncoveredEnterprise) -> Target:
    """An uncovered enterprise as a planning target."""
    return Target(u.id, u.priority, frozenset(u.chains), (f"未覆盖企业，优先级 {u.priority}", *u.reasons))


def org_target(w: WeakOrg) -> Target:
    """A weak organisation as a planning target."""
    return Target(w.id, w.priority, frozenset(w.chains), w.reasons)


def reached_by(g: nx.MultiDiGraph, node: str, rtype: RelType, label: Label | None = None) -> bool:
    """Whether some node (of ``label``, if given) has a ``rtype`` relationship to ``node``."""
    nodes, key = g._node, rtype.value  # raw adjacency and attributes: views cost several times more
    return any(key in keyed and (label is None or nodes[u]["label"] == label.value) for u, keyed in g._pred[node].items())


def _weak_priority(g: nx.MultiDiGraph, org: str) -> tuple[int, tuple[str, ...]]:
    nodes = g._node  # raw attributes: the NodeView costs several times more
    star = nodes[org].get("star")
    points = WEAK_STAR_POINTS.get(star, 0)
    reasons = [f"弱党组织（星级 ≤{WEAK_MAX_STAR}）" if star is not None else "弱党组织（未评星）"]
    covered = [nodes[e] for e in out_ids(g, org, RelType.COVERS)]
    if any(e.get("above_scale") for e in covered):
        points += ABOVE_SCALE_POINTS
        reasons.append("覆盖规上企业")
    return points, tuple(reasons)
