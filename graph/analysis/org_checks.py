"""Advisory checks on party organisations: size against level, joint orgs, stale coverage.

Findings are advice for a planner, not errors: each names the org, a stable ``code``, a
Chinese message and the rule it rests on. An org's membership is its ``members`` when
set, else the sum of ``party_members`` over the active enterprises it covers; when
neither is known, no size check is made (there is nothing to judge by).
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chain_enterprises, chains_by_org, is_active, name_of
from graph.analysis.uncovered import JOINT_UNITS_RULE, MAX_JOINT_UNITS, MIN_BRANCH_MEMBERS
from graph.projection import ids_with_label, in_ids, out_ids
from graph.schema import ENTERPRISE_STATUS, Label, RelType

GENERAL_BRANCH_ABOVE = 50  # more than 50 members: a branch may become a general branch
COMMITTEE_FROM = 100  # 100 members or more: may become a primary committee
_COVERS = RelType.COVERS.value

_JOINT_RULE = f"《中国共产党支部工作条例（试行）》第二章：联合党支部由正式党员不足3人的邻近单位联合成立，{JOINT_UNITS_RULE}"
RULES = {
    "branch_too_few_members": "《中国共产党支部工作条例（试行）》第二章：凡是有正式党员3人以上的，都应当成立党支部；"
    "正式党员不足3人的单位，应当按照地域相邻、行业相近、规模适当、便于管理的原则，成立联合党支部",
    "may_become_general_branch": "《中国共产党支部工作条例（试行）》第二章：党支部党员人数一般不超过50人；"
    "党的基层组织设置：党员人数超过50人的，经上级党组织批准，可以设立党的总支部委员会",
    "may_become_committee": "党的基层组织设置：党员人数100人以上的，经上级党组织批准，可以设立党的基层委员会",
    "joint_covers_one": _JOINT_RULE,
    "joint_covers_too_many": _JOINT_RULE,
    "covers_nothing": "《中国共产党支部工作条例（试行）》第二章：党支部设置一般以单位、区域为主，以单独组建为主要方式",
    "covers_inactive": "《中国共产党支部工作条例（试行）》第二章：不再符合设立条件的党支部，上级党组织应当及时予以调整或者撤销",
}
CODES = tuple(RULES)  # also the order of findings for one org
TITLES = {
    "branch_too_few_members": "党员不足3人",
    "may_become_general_branch": "可设立党总支",
    "may_become_committee": "可设立基层党委",
    "joint_covers_one": "联合组建只覆盖1家",
    "joint_covers_too_many": f"联合组建覆盖超过{MAX_JOINT_UNITS}个单位",
    "covers_nothing": "未覆盖企业",
    "covers_inactive": "覆盖注销或迁出企业",
}


@dataclass(frozen=True)
class OrgCheck:
    """One advisory finding about one party organisation."""

    org: str
    name: str
    code: str
    message: str
    rule: str
    enterprises: tuple[str, ...] = ()  # the enterprises the finding is about, if any


def organisation_checks(g: nx.MultiDiGraph, *, chain: str | None = None) -> list[OrgCheck]:
    """Advisory findings on every PartyOrg, sorted by org id, then by code.

    Codes: ``branch_too_few_members`` (a branch with fewer than 3 members),
    ``may_become_general_branch`` (a branch with more than 50), ``may_become_committee``
    (a branch or general branch with 100 or more), ``joint_covers_one`` (a joint org
    covering one active enterprise), ``joint_covers_too_many`` (a joint org covering more
    than ``MAX_JOINT_UNITS`` active units, the most the joint-branch planner fills one
    to), ``covers_nothing`` (no COVERS at all, unless it leads
    a chain or has subordinate orgs, which work through their chain or children), and
    ``covers_inactive`` (still covering closed or moved enterprises).

    ``chain`` keeps the orgs in that chain (``graph.analysis.membership``: covering an
    enterprise of it, or leading it; ``NotFound`` if it names no Chain).

    >>> from graph.builder import GraphBuilder
    >>> g = GraphBuilder().org("O1").projection()
    >>> [c.code for c in organisation_checks(g)]
    ['covers_nothing']
    """
    orgs = ids_with_label(g, Label.PARTY_ORG)
    if chain is not None:
        # only this chain's enterprises matter: no need for every enterprise's chains
        chains_of = chains_by_org(g, by_enterprise=dict.fromkeys(chain_enterprises(g, chain), {chain}))
        orgs = [o for o in orgs if chain in chains_of.get(o, ())]
    return [finding for o in sorted(orgs) for finding in _check(g, o)]


def org_members(g: nx.MultiDiGraph, org: str) -> int | None:
    """The org's ``members``, else the party members of the active enterprises it covers."""
    return _members(g, org, [e for e in _covered(g, org) if is_active(g, e)])


def _covered(g: nx.MultiDiGraph, org: str) -> list[str]:
    return [e for e, keyed in g._succ[org].items() if _COVERS in keyed]  # raw adjacency: see coverage.py


def _members(g: nx.MultiDiGraph, org: str, active: list[str]) -> int | None:
    if g._node[org].get("members") is not None:
        return g._node[org]["members"]
    known = [g._node[e]["party_members"] for e in active if g._node[e].get("party_members") is not None]
    return sum(known) if known else None


def _check(g: nx.MultiDiGraph, org: str) -> list[OrgCheck]:
    nodes, node = g._node, g._node[org]
    covered = _covered(g, org)
    active = [e for e in covered if is_active(g, e)]
    inactive = [e for e in covered if not is_active(g, e)]
    members = _members(g, org, active)
    level = node.get("level")
    found: list[tuple[str, str, tuple[str, ...]]] = []

    if members is not None and level == "branch" and members < MIN_BRANCH_MEMBERS:
        found.append(("branch_too_few_members", f"党支部党员 {members} 人，不足 {MIN_BRANCH_MEMBERS} 名正式党员，宜与邻近单位联合组建", ()))
    if members is not None and level == "branch" and GENERAL_BRANCH_ABOVE < members < COMMITTEE_FROM:
        found.append(("may_become_general_branch", f"党支部党员 {members} 人，超过 {GENERAL_BRANCH_ABOVE} 人，经上级党组织批准可设立党总支", ()))
    if members is not None and level in ("branch", "general_branch") and members >= COMMITTEE_FROM:
        found.append(("may_become_committee", f"党员 {members} 人，达到 {COMMITTEE_FROM} 人以上，经上级党组织批准可设立党的基层委员会", ()))
    if node.get("formation") == "joint" and len(active) == 1:
        only = name_of(g, active[0])
        found.append(("joint_covers_one", f"联合组建却只覆盖 1 家企业（{only}）：党员满 3 人应单独组建，不足 3 人宜联合邻近企业", (active[0],)))
    if node.get("formation") == "joint" and len(active) > MAX_JOINT_UNITS:
        found.append(("joint_covers_too_many", f"联合组建覆盖 {len(active)} 个单位，超过 {MAX_JOINT_UNITS} 个：宜按地域相邻、行业相近拆分，党员满 3 人的单位单独组建", ()))
    if not covered and not out_ids(g, org, RelType.LEADS) and not in_ids(g, org, RelType.UNDER):
        found.append(("covers_nothing", "未覆盖任何企业：请补充覆盖关系，或核实是否应调整撤销", ()))
    if inactive:
        listed = "、".join(f"{name_of(g, e)}（{_status_zh(nodes[e])}）" for e in inactive)
        found.append(("covers_inactive", f"仍覆盖已注销或迁出的企业：{listed}，应及时调整覆盖关系", tuple(inactive)))

    name = name_of(g, org)
    return [OrgCheck(org, name, code, message, RULES[code], enterprises) for code, message, enterprises in found]


def _status_zh(node: dict) -> str:
    return ENTERPRISE_STATUS.get(node["status"], node["status"])
