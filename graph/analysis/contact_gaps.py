"""Where leaders' contact points (联系点) fall short: leaders with too few or too many,
contacts outside the chains a leader is responsible for, and chains no leader contacts.

Rule (seed 001): every member of the working committee takes at least one contact
point among the orgs of the chains, "结合产业链至少联点1个两新党组织".
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chains_by_enterprise, chains_by_org, name_of, require_chain
from graph.projection import ids_with_label, out_ids
from graph.schema import Label, RelType

RULE_MIN_CONTACTS = "每名党工委班子成员结合产业链至少联点1个两新党组织"
RULE_CAPACITY = "联系点不超过本人联系上限，确保联得上、帮得实"
RULE_IN_CHAIN = "结合所分管的产业链联点"
RULE_CHAIN_CONTACTED = "每条产业链都应有领导干部联系点"


@dataclass
class LeaderLoad:
    """A leader whose number of contact points is below ``min_contacts`` or over ``capacity``."""

    id: str
    name: str
    contacts: int
    min_contacts: int
    capacity: int
    message: str


@dataclass
class OutsideContact:
    """A contact whose target is in none of the chains the leader is responsible for."""

    leader: str
    leader_name: str
    target: str
    target_name: str
    target_label: str
    leader_chains: list[str]
    target_chains: list[str]
    message: str


@dataclass
class UncontactedChain:
    id: str
    name: str
    message: str


@dataclass
class ContactGaps:
    below_minimum: list[LeaderLoad]
    over_capacity: list[LeaderLoad]
    outside_responsibility: list[OutsideContact]
    chains_without_contact: list[UncontactedChain]


def contact_gaps(g: nx.MultiDiGraph, *, chain: str | None = None) -> ContactGaps:
    """All contact-point gaps, optionally only those of one chain.

    With ``chain``, only leaders responsible for it or contacting an org or enterprise
    in it are checked, an outside contact is kept if the leader is responsible for the
    chain or its target is in it, and only that chain is checked for a contact point.
    Leaders responsible for no chain are never flagged as contacting outside it.

    Raises NotFound if ``chain`` names no chain.

    >>> [l.id for l in contact_gaps(g).below_minimum]  # doctest: +SKIP
    ['L2']
    """
    if chain is not None:
        require_chain(g, chain)
    by_enterprise = chains_by_enterprise(g)
    by_org = chains_by_org(g, by_enterprise=by_enterprise)

    def chains_of(target: str) -> set[str]:
        return (by_org if g.nodes[target]["label"] == Label.PARTY_ORG.value else by_enterprise).get(target, set())

    leaders = [
        leader
        for leader in sorted(ids_with_label(g, Label.LEADER))
        if chain is None
        or chain in out_ids(g, leader, RelType.RESPONSIBLE_FOR)
        or any(chain in chains_of(t) for t in out_ids(g, leader, RelType.CONTACTS))
    ]
    contacted = {
        c for leader in ids_with_label(g, Label.LEADER) for t in out_ids(g, leader, RelType.CONTACTS) for c in chains_of(t)
    }
    chains = [chain] if chain is not None else sorted(ids_with_label(g, Label.CHAIN))
    below_minimum, over_capacity = _loads(g, leaders)
    return ContactGaps(
        below_minimum=below_minimum,
        over_capacity=over_capacity,
        outside_responsibility=[
            finding
            for leader in leaders
            for finding in _outside(g, leader, chains_of)
            if chain is None or chain in finding.leader_chains or chain in finding.target_chains
        ],
        chains_without_contact=[
            UncontactedChain(c, name_of(g, c), f"产业链「{name_of(g, c)}」没有任何领导干部联系点（规则：{RULE_CHAIN_CONTACTED}）")
            for c in chains
            if c not in contacted
        ],
    )


def _loads(g: nx.MultiDiGraph, leaders: list[str]) -> tuple[list[LeaderLoad], list[LeaderLoad]]:
    """Leaders below their minimum, and leaders over their capacity."""
    below, over = [], []
    for leader in leaders:
        attrs, name = g.nodes[leader], name_of(g, leader)
        contacts = len(set(out_ids(g, leader, RelType.CONTACTS)))
        minimum, capacity = attrs.get("min_contacts", 1), attrs.get("capacity", 3)
        if contacts < minimum:
            message = f"领导「{name}」只有{contacts}个联系点，少于{minimum}个（规则：{RULE_MIN_CONTACTS}）"
            below.append(LeaderLoad(leader, name, contacts, minimum, capacity, message))
        if contacts > capacity:
            message = f"领导「{name}」有{contacts}个联系点，超过联系上限{capacity}个（规则：{RULE_CAPACITY}）"
            over.append(LeaderLoad(leader, name, contacts, minimum, capacity, message))
    return below, over


def _outside(g: nx.MultiDiGraph, leader: str, chains_of) -> list[OutsideContact]:
    responsible = set(out_ids(g, leader, RelType.RESPONSIBLE_FOR))
    if not responsible:
        return []
    found = []
    for target in sorted(set(out_ids(g, leader, RelType.CONTACTS))):
        target_chains = chains_of(target)
        if target_chains & responsible:
            continue
        where = "不在任何产业链上" if not target_chains else f"属于产业链{_names(g, target_chains)}"
        message = (
            f"领导「{name_of(g, leader)}」分管产业链{_names(g, responsible)}，"
            f"但联系点「{name_of(g, target)}」{where}（规则：{RULE_IN_CHAIN}）"
        )
        found.append(
            OutsideContact(
                leader, name_of(g, leader), target, name_of(g, target), g.nodes[target]["label"],
                sorted(responsible), sorted(target_chains), message,
            )
        )
    return found


def _names(g: nx.MultiDiGraph, chains: set[str]) -> str:
    return "、".join(f"「{name_of(g, c)}」" for c in sorted(chains))
