"""What changed between two moments (一月一检查, "新增一个、覆盖一个").

A :class:`CoverageState` is what the base looked like at one moment: each base
enterprise's coverage state and remedy, the orgs counted, and the contacts, instructor
assignments and pairings. :func:`coverage_state` reads it from the graph (now);
``graph.analysis.history`` keeps one with every snapshot. :func:`changes` compares two.

Each state also records the chains every enterprise and org was in at that moment, so
that :func:`in_chain` can restrict an old whole-base state to one chain as it was then.

- entered / left the base: in one state's base and not in the other's;
- became covered / uncovered: in both, org-covered (组织覆盖) in one and not the other;
- remedy changed: in both, without an org both times, and a different remedy (the party
  members crossed a threshold);
- orgs formed / dissolved: counted in one state and not the other (an org counts as in
  ``coverage_report``: it covers a base enterprise, or leads a chain);
- contacts, instructors (assignments) and pairings added / removed: relationships in one
  state and not the other.
Names are given by the caller (``names``): a saved state keeps ids only, to stay small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.coverage import NONE, ORG_COVERED_STATES, WORK, enterprise_reach, enterprise_states
from graph.analysis.membership import base_enterprises, chains_by_enterprise, chains_by_org, coverage_rate
from graph.analysis.uncovered import remedy_for
from graph.projection import ids_with_label, in_ids
from graph.schema import Label, RelType

Link = tuple[str, str]  # (source, target) of a relationship


@dataclass(frozen=True)
class CoverageState:
    """The base at one moment. ``enterprises``: base enterprise -> (state, remedy), the
    remedy ``None`` when org-covered; ``orgs``: the counted party orgs; the three link
    sets; ``chains``: enterprise or org -> the chains it was in (only those in some)."""

    enterprises: Mapping[str, tuple[str, str | None]]
    orgs: frozenset[str]
    contacts: frozenset[Link] = frozenset()  # leader -> org or enterprise
    assignments: frozenset[Link] = frozenset()  # instructor -> org or enterprise
    pairings: frozenset[Link] = frozenset()  # from -> to
    chains: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Totals:
    """The coverage totals of one state (as ``coverage_report``'s, for the same scope)."""

    base: int
    org_covered: int
    work_covered: int
    uncovered: int
    org_coverage_rate: float
    two_coverage_rate: float
    party_orgs: int


@dataclass(frozen=True)
class EnterpriseChange:
    id: str
    name: str
    state_before: str | None  # None: not in the base then
    state_after: str | None
    remedy_before: str | None  # None: org-covered, or not in the base
    remedy_after: str | None


@dataclass(frozen=True)
class Named:
    id: str
    name: str


@dataclass(frozen=True)
class LinkChange:
    source: str
    source_name: str
    target: str
    target_name: str


@dataclass(frozen=True)
class Changes:
    before: Totals
    after: Totals
    entered_base: tuple[EnterpriseChange, ...]
    left_base: tuple[EnterpriseChange, ...]
    entered_chain: tuple[EnterpriseChange, ...]  # with a chain: in the base before, in another chain
    left_chain: tuple[EnterpriseChange, ...]  # with a chain: still in the base, no longer in the chain
    became_covered: tuple[EnterpriseChange, ...]
    became_uncovered: tuple[EnterpriseChange, ...]
    became_work_covered: tuple[EnterpriseChange, ...]
    lost_work_coverage: tuple[EnterpriseChange, ...]
    remedy_changed: tuple[EnterpriseChange, ...]
    orgs_formed: tuple[Named, ...]
    orgs_dissolved: tuple[Named, ...]
    orgs_entered_chain: tuple[Named, ...]  # with a chain: counted before, elsewhere
    orgs_left_chain: tuple[Named, ...]  # with a chain: still counted, elsewhere
    contacts_added: tuple[LinkChange, ...]
    contacts_removed: tuple[LinkChange, ...]
    instructors_added: tuple[LinkChange, ...]
    instructors_removed: tuple[LinkChange, ...]
    pairings_added: tuple[LinkChange, ...]
    pairings_removed: tuple[LinkChange, ...]

    def count(self) -> int:
        """How many changes are listed (the totals aside)."""
        return sum(len(getattr(self, name)) for name in CHANGE_LISTS)


CHANGE_LISTS = tuple(name for name in Changes.__dataclass_fields__ if name not in ("before", "after"))
# The lists of enterprises (each with its state before and after); the others list orgs or links.
ENTERPRISE_LISTS = ("entered_base", "left_base", "entered_chain", "left_chain", "became_covered", "became_uncovered", "became_work_covered",
                    "lost_work_coverage", "remedy_changed")
# Each list's title, as a person reads it (the CLI table, the dashboard).
CHANGE_ZH = {
    "entered_base": "新纳入基数",
    "left_base": "移出基数",
    "entered_chain": "转入本链（原已在基数中）",
    "left_chain": "转出本链（仍在基数中）",
    "became_covered": "新增组织覆盖",
    "became_uncovered": "失去组织覆盖",
    "became_work_covered": "新增工作覆盖",
    "lost_work_coverage": "失去工作覆盖（现未覆盖）",
    "remedy_changed": "建议组建方式变化",
    "orgs_formed": "新建党组织",
    "orgs_dissolved": "撤销（不再计数）的党组织",
    "orgs_entered_chain": "转入本链的党组织",
    "orgs_left_chain": "转出本链的党组织（仍在计数）",
    "contacts_added": "新增联系点",
    "contacts_removed": "撤销联系点",
    "instructors_added": "新派驻指导员",
    "instructors_removed": "撤回指导员",
    "pairings_added": "新增结对共建",
    "pairings_removed": "解除结对共建",
}


# The totals as a person reads them, in the order shown; and the two ends of each kind of link.
TOTALS_ZH = (
    ("基数", "base"),
    ("组织覆盖", "org_covered"),
    ("工作覆盖", "work_covered"),
    ("未覆盖", "uncovered"),
    ("党组织", "party_orgs"),
    ("组织覆盖率", "org_coverage_rate"),
    ("两个覆盖率", "two_coverage_rate"),
)
LINK_ENDS_ZH = {"contacts": ("联系领导", "联系对象"), "instructors": ("指导员", "派驻对象"), "pairings": ("结对方", "结对对象")}


def coverage_state(g: nx.MultiDiGraph, *, chain: str | None = None) -> CoverageState:
    """The state of the base now (only ``chain``'s if given; ``NotFound`` if it names none).

    >>> from graph.builder import GraphBuilder
    >>> g = GraphBuilder().enterprise("E1", party_members=2).enterprise("E2").org("O1").rel("COVERS", "O1", "E1").projection()
    >>> coverage_state(g).enterprises
    {'E1': ('standalone', None), 'E2': ('none', 'instructor_needed')}
    """
    base = base_enterprises(g, chain=chain)
    reach = enterprise_reach(g, base)
    nodes = g._node
    pairs: dict[tuple[str, str | None], tuple[str, str | None]] = {}

    def entry(e: str, state: str) -> tuple[str, str | None]:
        # one tuple per (state, remedy), shared: a tuple per enterprise is 0.1 GB at 2·10⁶
        pair = (state, None if state in ORG_COVERED_STATES else remedy_for(nodes[e].get("party_members")))
        return pairs.setdefault(pair, pair)

    enterprises = {e: entry(e, state) for e, state in enterprise_states(g, base, reach).items()}
    orgs = {o for covering in reach.orgs.values() for o in covering}
    orgs.update(o for c in ([chain] if chain else ids_with_label(g, Label.CHAIN)) for o in in_ids(g, c, RelType.LEADS))
    by_enterprise = chains_by_enterprise(g)
    chain_sets: dict[frozenset, frozenset] = {}  # one set for each distinct set of chains: most are in one or two

    def chains_of(found: set[str]) -> frozenset[str]:
        chains = frozenset(found)
        return chain_sets.setdefault(chains, chains)

    chains = {e: chains_of(by_enterprise[e]) for e in base if e in by_enterprise}
    # An org is in the chains of the base enterprises it covers (and those it leads), as
    # `report` counts it: not in a chain where it covers only a closed or moved enterprise.
    in_base = {e: by_enterprise[e] for e in (base if chain is None else base_enterprises(g)) if e in by_enterprise}
    chains.update((o, chains_of(cs)) for o, cs in chains_by_org(g, by_enterprise=in_base).items() if o in orgs)
    state = CoverageState(
        enterprises,
        frozenset(orgs),
        _links(g, Label.LEADER, RelType.CONTACTS),
        _links(g, Label.INSTRUCTOR, RelType.ASSIGNED_TO),
        frozenset(link for label in (Label.UNIT, Label.PARTY_ORG, Label.ENTERPRISE) for link in _links(g, label, RelType.PAIRED_WITH)),
        chains,
    )
    return state if chain is None else in_chain(state, chain)


def in_chain(state: CoverageState, chain: str, *, ends: set[str] | None = None) -> CoverageState:
    """``state`` restricted to what was in ``chain`` then: its enterprises and orgs, and
    the links with an end among them (or among ``ends``, when given: see ``in_chain_both``)."""
    inside = _members(state, chain)
    ends = inside if ends is None else ends

    def links(found: frozenset[Link]) -> frozenset[Link]:
        return frozenset(link for link in found if link[0] in ends or link[1] in ends)

    return CoverageState(
        {e: s for e, s in state.enterprises.items() if e in inside},
        frozenset(o for o in state.orgs if o in inside),
        links(state.contacts),
        links(state.assignments),
        links(state.pairings),
        {node: chains for node, chains in state.chains.items() if node in inside},
    )


def in_chain_both(before: CoverageState, after: CoverageState, chain: str) -> tuple[CoverageState, CoverageState]:
    """``before`` and ``after`` (whole-base states) each restricted to ``chain`` as it was
    then, for :func:`changes`. Links are kept on both sides when an end was in the chain at
    either moment: a link that still exists is then in both, so an end that left (or
    joined) the chain is not reported as a contact, assignment or pairing removed (added);
    the end itself shows as what it is, e.g. an org no longer counted in the chain."""
    ends = _members(before, chain) | _members(after, chain)
    return in_chain(before, chain, ends=ends), in_chain(after, chain, ends=ends)


def _members(state: CoverageState, chain: str) -> set[str]:
    return {node for node, chains in state.chains.items() if chain in chains}


def totals(state: CoverageState) -> Totals:
    """The coverage totals of a state."""
    counted = {WORK: 0, NONE: 0}
    org_covered = 0
    for s, _ in state.enterprises.values():
        if s in ORG_COVERED_STATES:
            org_covered += 1
        else:
            counted[s] += 1
    base = len(state.enterprises)
    return Totals(
        base=base,
        org_covered=org_covered,
        work_covered=counted[WORK],
        uncovered=counted[NONE],
        org_coverage_rate=coverage_rate(org_covered, base),
        two_coverage_rate=coverage_rate(org_covered + counted[WORK], base),
        party_orgs=len(state.orgs),
    )


def changes(before: CoverageState, after: CoverageState, *, names: Mapping[str, str] | None = None,
            whole: tuple[CoverageState, CoverageState] | None = None) -> Changes:
    """Everything that changed from ``before`` to ``after``, each list sorted by id.

    ``names`` maps ids to the names shown (normally the graph's names now); an id it
    lacks is shown as its own name. ``whole``: the whole base's states, when ``before``
    and ``after`` are one chain's (``in_chain_both``): an enterprise or org that only moved
    to or from another chain is then listed as such (转入/转出本链), not as entering or
    leaving the base, formed or dissolved; an enterprise with its state in the whole base.

    >>> b = CoverageState({"E1": ("none", "joint_needed")}, frozenset())
    >>> a = CoverageState({"E1": ("joint", None)}, frozenset({"J1"}))
    >>> c = changes(b, a)
    >>> [e.id for e in c.became_covered], [o.id for o in c.orgs_formed], c.after.org_coverage_rate
    (['E1'], ['J1'], 1.0)
    """
    names = names or {}

    def name(node: str) -> str:
        return names.get(node) or node

    old, new = before.enterprises, after.enterprises
    whole_old, whole_new = (whole[0].enterprises, whole[1].enterprises) if whole else (old, new)
    orgs_before, orgs_after = (whole[0].orgs, whole[1].orgs) if whole else (before.orgs, after.orgs)

    def enterprise(e: str) -> EnterpriseChange:
        was, now = old.get(e, whole_old.get(e, (None, None))), new.get(e, whole_new.get(e, (None, None)))
        return EnterpriseChange(e, name(e), was[0], now[0], was[1], now[1])

    def covered(entry: tuple[str, str | None]) -> bool:
        return entry[0] in ORG_COVERED_STATES

    both = sorted(old.keys() & new.keys())

    def named(ids) -> tuple[Named, ...]:
        return tuple(Named(o, name(o)) for o in sorted(ids))

    def linked(found) -> tuple[LinkChange, ...]:
        return tuple(LinkChange(s, name(s), t, name(t)) for s, t in sorted(found))

    return Changes(
        before=totals(before),
        after=totals(after),
        entered_base=tuple(enterprise(e) for e in sorted(new.keys() - old.keys()) if e not in whole_old),
        left_base=tuple(enterprise(e) for e in sorted(old.keys() - new.keys()) if e not in whole_new),
        entered_chain=tuple(enterprise(e) for e in sorted(new.keys() - old.keys()) if e in whole_old),
        left_chain=tuple(enterprise(e) for e in sorted(old.keys() - new.keys()) if e in whole_new),
        became_covered=tuple(enterprise(e) for e in both if covered(new[e]) and not covered(old[e])),
        became_uncovered=tuple(enterprise(e) for e in both if covered(old[e]) and not covered(new[e])),
        # Without an org both times: reached now by an instructor, a contact or a pairing, or no longer.
        became_work_covered=tuple(enterprise(e) for e in both if old[e][0] == NONE and new[e][0] == WORK),
        lost_work_coverage=tuple(enterprise(e) for e in both if old[e][0] == WORK and new[e][0] == NONE),
        remedy_changed=tuple(
            enterprise(e) for e in both if not covered(old[e]) and not covered(new[e]) and old[e][1] != new[e][1]
        ),
        orgs_formed=named(after.orgs - before.orgs - orgs_before),
        orgs_dissolved=named(before.orgs - after.orgs - orgs_after),
        orgs_entered_chain=named((after.orgs - before.orgs) & orgs_before),
        orgs_left_chain=named((before.orgs - after.orgs) & orgs_after),
        contacts_added=linked(after.contacts - before.contacts),
        contacts_removed=linked(before.contacts - after.contacts),
        instructors_added=linked(after.assignments - before.assignments),
        instructors_removed=linked(before.assignments - after.assignments),
        pairings_added=linked(after.pairings - before.pairings),
        pairings_removed=linked(before.pairings - after.pairings),
    )


def graph_names(g: nx.MultiDiGraph) -> Mapping[str, str]:
    """Every node's name, read lazily from the graph (for :func:`changes`)."""
    return _GraphNames(g)


class _GraphNames(Mapping):
    def __init__(self, g: nx.MultiDiGraph):
        self._nodes = g._node

    def __getitem__(self, node: str) -> str:
        return self._nodes[node].get("name") or node

    def get(self, node, default=None):
        attrs = self._nodes.get(node)
        return default if attrs is None else attrs.get("name") or node

    def __iter__(self):
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)


def _links(g: nx.MultiDiGraph, source_label: Label, rtype: RelType) -> frozenset[Link]:
    key = rtype.value
    succ = g._succ
    return frozenset((s, t) for s in ids_with_label(g, source_label) for t, keyed in succ[s].items() if key in keyed)
