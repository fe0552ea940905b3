"""Base enterprises without a party organisation, with the remedy each one needs (应建尽建).

The remedy follows from the number of party members: a branch needs at least three full
members, so an enterprise with three or more builds its own branch, one with one or two
joins neighbours in a joint branch, and one with none (or an unknown number) gets an
instructor first.

Priority puts the key enterprises first: leading (龙头) and above-scale (规上) enterprises,
key nodes of the supply network, and big employers. Centrality is degree in the SUPPLIES
graph (links in and out, linear time), and a key node is one in the top 5% by degree over
the whole supply network, not only the chain asked for: supply links cross chains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.coverage import enterprise_reach
from graph.analysis.membership import base_enterprises, enterprise_chains, enterprise_segments, name_of
from graph.projection import ids_with_label
from graph.schema import Label, RelType

# 《中国共产党章程》第三十条 and 《中国共产党支部工作条例（试行）》第二章: a unit with three or
# more full party members must set up a branch; units with fewer than three set up a joint
# branch with neighbouring units; with none, party work reaches them through an instructor.
MIN_BRANCH_MEMBERS = 3
MIN_JOINT_MEMBERS = 1
# The same 条例: a joint branch covers no more than five units as a rule.
MAX_JOINT_UNITS = 5
JOINT_UNITS_RULE = f"联合党支部覆盖单位一般不超过{MAX_JOINT_UNITS}个"

STANDALONE_NEEDED = "standalone_needed"
JOINT_NEEDED = "joint_needed"
INSTRUCTOR_NEEDED = "instructor_needed"
REMEDY_ZH = {STANDALONE_NEEDED: "单独组建", JOINT_NEEDED: "联合组建", INSTRUCTOR_NEEDED: "选派党建指导员"}

# Priority points: integers so that planners can use them as flow costs directly.
LEADING_POINTS = 40
KEY_NODE_POINTS = 30
ABOVE_SCALE_POINTS = 20
EMPLOYEE_POINTS_PER_DECADE = 10  # 10 employees -> 10 points, 100 -> 20, 1000 -> 30
KEY_NODE_SHARE = 0.05  # top 5% by supply links
KEY_NODE_MIN_LINKS = 2  # one link alone makes nobody a hub


@dataclass(frozen=True)
class UncoveredEnterprise:
    """A base enterprise without a party organisation."""

    id: str
    name: str
    remedy: str  # standalone_needed / joint_needed / instructor_needed
    work_covered: bool
    work_covered_by: tuple[str, ...]  # instructor, leader and pairing-partner ids
    chains: tuple[str, ...]
    segments: tuple[str, ...]
    park: str | None
    street: str | None
    party_members: int | None
    employees: int | None
    priority: int
    reasons: tuple[str, ...]  # why the priority is high, in Chinese


def uncovered_enterprises(g: nx.MultiDiGraph, *, chain: str | None = None) -> list[UncoveredEnterprise]:
    """Every base enterprise that no PartyOrg covers, most important first.

    Parameters
    ----------
    g : the projection; not mutated.
    chain : a Chain id; only that chain's enterprises (``NotFound`` if it names none).

    Returns the enterprises sorted by ``priority`` descending, then ``id``.

    >>> from graph.builder import GraphBuilder
    >>> g = GraphBuilder().enterprise("E1", party_members=2).projection()
    >>> [(u.id, u.remedy) for u in uncovered_enterprises(g)]
    [('E1', 'joint_needed')]
    """
    base = base_enterprises(g, chain=chain)
    reach = enterprise_reach(g, base)
    missing = [e for e in base if e not in reach.orgs]
    if not missing:
        return []
    key_nodes = supply_key_nodes(g)
    found = []
    for e in missing:
        node = g.nodes[e]
        segments = tuple(enterprise_segments(g, e))
        priority, reasons = _priority(node, e in key_nodes)
        found.append(
            UncoveredEnterprise(
                id=e,
                name=name_of(g, e),
                remedy=remedy_for(node.get("party_members")),
                work_covered=e in reach.work_by,
                work_covered_by=reach.work_by.get(e, ()),
                chains=tuple(enterprise_chains(g, e)),
                segments=segments,
                park=node.get("park"),
                street=node.get("street"),
                party_members=node.get("party_members"),
                employees=node.get("employees"),
                priority=priority,
                reasons=reasons,
            )
        )
    return sorted(found, key=lambda u: (-u.priority, u.id))


def remedy_for(party_members: int | None) -> str:
    """``standalone_needed`` (≥3 members), ``joint_needed`` (1–2), ``instructor_needed`` (0/unknown)."""
    if party_members is None or party_members < MIN_JOINT_MEMBERS:
        return INSTRUCTOR_NEEDED
    return STANDALONE_NEEDED if party_members >= MIN_BRANCH_MEMBERS else JOINT_NEEDED


def supply_degree(g: nx.MultiDiGraph) -> dict[str, int]:
    """Each enterprise's number of ``SUPPLIES`` links, in and out (degree centrality)."""
    supplies = RelType.SUPPLIES.value
    succ = g._succ  # raw adjacency: the public views cost several times more
    degree = dict.fromkeys(ids_with_label(g, Label.ENTERPRISE), 0)
    for supplier in degree:
        for customer, keyed in succ[supplier].items():
            if supplies in keyed:
                degree[supplier] += 1
                degree[customer] += 1
    return degree


def supply_key_nodes(g: nx.MultiDiGraph, *, share: float = KEY_NODE_SHARE) -> set[str]:
    """Enterprises in the top ``share`` of the supply network by number of links.

    Ranked among enterprises with at least one link; ties at the cut-off are all in, and
    nobody with fewer than ``KEY_NODE_MIN_LINKS`` links is a key node.
    """
    linked = {e: n for e, n in supply_degree(g).items() if n > 0}
    if not linked:
        return set()
    ranked = sorted(linked.values(), reverse=True)
    cutoff = max(ranked[max(1, math.ceil(share * len(ranked))) - 1], KEY_NODE_MIN_LINKS)
    return {e for e, n in linked.items() if n >= cutoff}


def _priority(node: dict, key_node: bool) -> tuple[int, tuple[str, ...]]:
    points, reasons = 0, []
    if node.get("leading"):
        points += LEADING_POINTS
        reasons.append("龙头企业")
    if node.get("above_scale"):
        points += ABOVE_SCALE_POINTS
        reasons.append("规上企业")
    if key_node:
        points += KEY_NODE_POINTS
        reasons.append(f"供应链关键节点（中心度前 {KEY_NODE_SHARE:.0%}）")
    employees = node.get("employees")
    if employees:
        points += round(EMPLOYEE_POINTS_PER_DECADE * math.log10(employees))
        reasons.append(f"职工 {employees} 人")
    return points, tuple(reasons)
