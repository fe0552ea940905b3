"""Where co-building (结对共建) is missing: organisations with no partner, departments
and streets that help nobody, chains with no alliance or no industry committee,
alliances without their chain's leading enterprises, and the upstream/downstream
partners a leading enterprise's "1+X" circle leaves out.

Every finding carries a Chinese message that cites the rule it checks (seeds 000,
001 and 003).
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import (
    chains_by_enterprise,
    chains_by_org,
    is_base,
    is_weak_org,
    is_working_org,
    name_of,
    pairing_partners,
    require_chain,
)
from graph.projection import ids_with_label, in_ids, out_ids
from graph.schema import Label, RelType

HELPING_UNIT_KINDS = ("department", "street")

RULE_CO_BUILDING = "推动区直机关、基层单位、两新组织三大党建主体组织共建、资源共享，为两新组织党建补短板、强弱项"
RULE_UNIT_HELPS = "每个区直部门及街道（管理处）至少帮扶1个两新党组织"
RULE_ALLIANCE = "优势产业链组建产业链党建联盟"
RULE_COMMITTEE = "把党委建在行业（产业链）上"
RULE_ALLIANCE_LEADERS = "建立链、盟互惠合作机制，龙头企业应加入本链党建联盟"
RULE_ONE_PLUS_X = "健全“1+X”联带帮扶机制，龙头企业辐射带动上下游"

_DIRECTION_ZH = {"upstream": "上游供应商", "downstream": "下游客户"}


@dataclass
class UnpairedOrg:
    id: str
    name: str
    star: int | None
    weak: bool  # graph.analysis.membership.is_weak_org: pair these first
    chains: list[str]
    message: str


@dataclass
class IdleUnit:
    id: str
    name: str
    kind: str
    message: str


@dataclass
class ChainGap:
    id: str
    name: str
    message: str


@dataclass
class AllianceMissingLeaders:
    id: str
    name: str
    chain: str
    missing: list[str]  # leading enterprises of the chain that are not members
    message: str


@dataclass
class OnePlusXGap:
    """A direct supplier (``upstream``) or customer (``downstream``) of a leading
    enterprise, in the same chain, with no party org and no pairing with the leader.

    ``reason`` is ``partner_not_paired`` (the leader has an org that could pair) or
    ``leader_without_org`` (the leader itself has no org to bring anyone in).
    """

    leader: str
    leader_name: str
    partner: str
    partner_name: str
    direction: str
    chains: list[str]
    reason: str
    message: str


@dataclass
class PairingGaps:
    unpaired_orgs: list[UnpairedOrg]
    idle_units: list[IdleUnit]
    chains_without_alliance: list[ChainGap]
    chains_without_committee: list[ChainGap]
    alliances_missing_leaders: list[AllianceMissingLeaders]
    one_plus_x_gaps: list[OnePlusXGap]


def pairing_gaps(g: nx.MultiDiGraph, *, chain: str | None = None) -> PairingGaps:
    """All pairing gaps, optionally only those of one chain.

    With ``chain``, organisations, alliances and leading enterprises are limited to
    that chain; ``idle_units`` is a district-wide rule (units sit in no chain) and is
    reported whatever the chain.

    Raises NotFound if ``chain`` names no chain.

    >>> [o.id for o in pairing_gaps(g).unpaired_orgs]  # doctest: +SKIP
    ['O2', 'O1']
    """
    if chain is not None:
        require_chain(g, chain)
    by_enterprise = chains_by_enterprise(g)
    by_org = chains_by_org(g, by_enterprise=by_enterprise)
    chains = [chain] if chain is not None else sorted(ids_with_label(g, Label.CHAIN))
    return PairingGaps(
        unpaired_orgs=unpaired_orgs(g, by_org, chain=chain),
        idle_units=idle_units(g),
        chains_without_alliance=[
            _chain_gap(g, c, f"产业链「{name_of(g, c)}」尚未组建产业链党建联盟（规则：{RULE_ALLIANCE}）")
            for c in chains
            if not in_ids(g, c, RelType.ALLIANCE_OF)
        ],
        chains_without_committee=[
            _chain_gap(g, c, f"产业链「{name_of(g, c)}」没有产业链党委（规则：{RULE_COMMITTEE}）")
            for c in chains
            if not in_ids(g, c, RelType.LEADS)
        ],
        alliances_missing_leaders=alliances_missing_leaders(g, by_enterprise, chain=chain),
        one_plus_x_gaps=one_plus_x_gaps(g, by_enterprise, chain=chain),
    )


def _chain_gap(g: nx.MultiDiGraph, chain: str, message: str) -> ChainGap:
    return ChainGap(chain, name_of(g, chain), message)


def unpaired_orgs(
    g: nx.MultiDiGraph, by_org: dict[str, set[str]], *, chain: str | None = None
) -> list[UnpairedOrg]:
    """Party orgs at work (``is_working_org``) with no PAIRED_WITH either way: weak ones
    (``is_weak_org``) first, then by star (unrated first) and id."""
    found = []
    nodes = g._node  # raw attributes: the NodeView costs several times more
    for org in ids_with_label(g, Label.PARTY_ORG):
        chains = by_org.get(org, set())
        if (chain is not None and chain not in chains) or pairing_partners(g, org) or not is_working_org(g, org):
            continue
        star = nodes[org].get("star")
        weak = is_weak_org(g, org)
        rating = "未评星" if star is None else f"{star}星"
        note = f"，{rating}属薄弱党组织，应优先结对帮扶" if weak else ""
        message = f"党组织「{name_of(g, org)}」没有结对共建对象{note}（规则：{RULE_CO_BUILDING}）"
        found.append(UnpairedOrg(org, name_of(g, org), star, weak, sorted(chains), message))
    return sorted(found, key=lambda o: (not o.weak, o.star or 0, o.id))


def idle_units(g: nx.MultiDiGraph) -> list[IdleUnit]:
    """Departments and streets that pair with nobody."""
    found = []
    for unit in sorted(ids_with_label(g, Label.UNIT)):
        kind = g.nodes[unit].get("kind")
        if kind in HELPING_UNIT_KINDS and not pairing_partners(g, unit):
            message = f"单位「{name_of(g, unit)}」没有帮扶任何两新党组织（规则：{RULE_UNIT_HELPS}）"
            found.append(IdleUnit(unit, name_of(g, unit), kind, message))
    return found


def _leading_enterprises(g: nx.MultiDiGraph, by_enterprise: dict[str, set[str]]) -> dict[str, set[str]]:
    """The leading base enterprises (龙头) in some chain, with their chains; one pass."""
    nodes = g._node  # raw attributes: the NodeView costs several times more
    return {e: chains for e, chains in by_enterprise.items() if nodes[e].get("leading") and is_base(g, e)}


def alliances_missing_leaders(
    g: nx.MultiDiGraph, by_enterprise: dict[str, set[str]], *, chain: str | None = None
) -> list[AllianceMissingLeaders]:
    """Alliances whose chain has leading base enterprises that are not members,
    neither directly nor through an org covering them. One finding per (alliance, chain)."""
    found = []
    leading = _leading_enterprises(g, by_enterprise)
    for alliance in sorted(ids_with_label(g, Label.ALLIANCE)):
        members = set(in_ids(g, alliance, RelType.MEMBER_OF))
        for alliance_chain in sorted(out_ids(g, alliance, RelType.ALLIANCE_OF)):
            if chain is not None and alliance_chain != chain:
                continue
            missing = [
                e
                for e in sorted(e for e, chains in leading.items() if alliance_chain in chains)
                if e not in members and not members.intersection(in_ids(g, e, RelType.COVERS))
            ]
            if missing:
                names = "、".join(f"「{name_of(g, e)}」" for e in missing)
                message = (
                    f"联盟「{name_of(g, alliance)}」未吸纳产业链「{name_of(g, alliance_chain)}」的龙头企业"
                    f"{names}（规则：{RULE_ALLIANCE_LEADERS}）"
                )
                found.append(AllianceMissingLeaders(alliance, name_of(g, alliance), alliance_chain, missing, message))
    return found


def one_plus_x_gaps(
    g: nx.MultiDiGraph, by_enterprise: dict[str, set[str]], *, chain: str | None = None
) -> list[OnePlusXGap]:
    """Each leading base enterprise's direct suppliers and customers in a shared chain
    that are base enterprises with no party org and no pairing with the leader or the
    leader's orgs. Sorted by leader, upstream first, then partner."""
    found = []
    for leader, chains in sorted(_leading_enterprises(g, by_enterprise).items()):
        if chain is not None and chain not in chains:
            continue
        leader_orgs = in_ids(g, leader, RelType.COVERS)
        circle = {leader, *leader_orgs}
        partners = [(p, "upstream") for p in in_ids(g, leader, RelType.SUPPLIES)]
        partners += [(p, "downstream") for p in out_ids(g, leader, RelType.SUPPLIES)]
        for partner, direction in sorted(partners, key=lambda pd: (pd[1] != "upstream", pd[0])):
            shared = chains & by_enterprise.get(partner, set())
            if chain is not None:
                shared &= {chain}
            if partner == leader or not shared or not is_base(g, partner):
                continue
            if in_ids(g, partner, RelType.COVERS) or circle.intersection(pairing_partners(g, partner)):
                continue
            found.append(_one_plus_x_gap(g, leader, partner, direction, sorted(shared), bool(leader_orgs)))
    return found


def _one_plus_x_gap(
    g: nx.MultiDiGraph, leader: str, partner: str, direction: str, chains: list[str], leader_has_org: bool
) -> OnePlusXGap:
    who = f"龙头企业「{name_of(g, leader)}」的{_DIRECTION_ZH[direction]}「{name_of(g, partner)}」"
    if leader_has_org:
        reason, detail = "partner_not_paired", f"{who}没有党组织，也未与龙头企业或其党组织结对"
    else:
        reason, detail = "leader_without_org", f"{who}没有党组织且未结对，而龙头企业自身也没有党组织覆盖"
    message = f"{detail}（规则：{RULE_ONE_PLUS_X}）"
    return OnePlusXGap(
        leader, name_of(g, leader), partner, name_of(g, partner), direction, chains, reason, message
    )
