"""Coverage over the base ("两个覆盖"): organisation coverage and work coverage.

The base is every Enterprise with ``in_base`` true and ``status`` active. Each base
enterprise is in exactly one state:

- org-covered: some PartyOrg ``COVERS`` it; of these, ``covered_by_standalone`` when one
  of the orgs is ``standalone``, ``covered_by_joint`` when every org is ``joint``, and
  otherwise (industry committees, orgs with no formation) only ``org_covered``;
- work-covered: no org, but an instructor is ``ASSIGNED_TO`` it, a leader ``CONTACTS``
  it or someone is ``PAIRED_WITH`` it;
- uncovered: neither.

An enterprise's state follows the covering orgs' own ``formation``: leading a chain makes
an org an industry committee for the org counts, never for the state of what it covers.

Org counts (DESIGN.md only says "org counts", so the semantics are decided here): an org
counts in a group when it ``COVERS`` at least one base enterprise of the group, and an
industry committee also counts when it leads one of the group's chains. A chain group's
chain is itself, a segment group's is the segment's chain, a park or street group's are
the chains its base enterprises sit in, and the totals' are every chain (or only
``chain=`` when given). So an org that covers only closed, moved or out-of-base
enterprises, or nothing at all, counts nowhere; ``graph.analysis.org_checks`` reports
those. Of the orgs counted, ``standalone_orgs`` and ``joint_orgs`` count by formation and
``industry_committees`` counts ``graph.analysis.membership.industry_committees`` (formed
as ``industry``, or leading a chain): a standalone org that leads a chain counts in both
``standalone_orgs`` and ``industry_committees``, so the three need not add up to
``party_orgs`` (orgs with no formation count in none of them either).

The cost is O(V+E) and mostly far less: covering orgs are read from the orgs' side, only
enterprises without an org have their incoming relationships scanned, and group members
are read from the segments' side, so the supply links of covered enterprises are never
touched. Each enterprise's state is computed once and reused by every group it is in.
The hot loops read networkx's raw adjacency dicts (``g._pred``, ``g._succ``, ``g._node``,
as networkx's own algorithms do): the public views wrap every item and cost several
times the work itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterable

import networkx as nx

# base_enterprises, chain_enterprises and coverage_rate were defined here before
# graph.analysis.membership; importers of this module (tests/views) still find them here.
from graph.analysis.membership import (
    base_enterprises,
    chain_enterprises,
    chains_by_segment,
    coverage_rate,
    industry_committees,
    name_of,
    segment_enterprises,
    segment_key,
)
from graph.projection import ids_with_label, in_ids
from graph.schema import Label, RelType

GROUPINGS = ("chain", "segment", "park", "street")
MISSING_GROUP_NAME = "（未填写）"  # the park/street group of enterprises that name none

_COVERS = RelType.COVERS.value
_WORK_RELS = frozenset({RelType.ASSIGNED_TO.value, RelType.CONTACTS.value, RelType.PAIRED_WITH.value})

# The state of one base enterprise; exactly one per enterprise.
STANDALONE = "standalone"  # covered, at least one org formed standalone
JOINT = "joint"  # covered, every covering org formed jointly
OTHER_ORG = "other_org"  # covered only by other orgs (industry committees, no formation)
WORK = "work"  # no org, but reached by an instructor, a contact or a pairing
NONE = "none"  # not reached at all
ORG_COVERED_STATES = (STANDALONE, JOINT, OTHER_ORG)  # the states that count in org_covered


@dataclass(frozen=True)
class Coverage:
    """The coverage fields of DESIGN.md, for the totals or for one group."""

    base: int
    org_covered: int
    covered_by_standalone: int
    covered_by_joint: int
    work_covered: int
    uncovered: int
    org_coverage_rate: float
    two_coverage_rate: float
    party_orgs: int
    standalone_orgs: int
    joint_orgs: int
    industry_committees: int


@dataclass(frozen=True)
class GroupKey:
    key: str
    name: str


@dataclass(frozen=True)
class CoverageGroup(Coverage, GroupKey):
    """One group's coverage. Dataclass fields follow the reversed MRO, so ``key`` and
    ``name`` come first, then the fields of :class:`Coverage`."""


@dataclass(frozen=True)
class CoverageReport:
    """``totals`` and, when grouped, one entry per group: the JSON contract shape."""

    totals: Coverage
    groups: tuple[CoverageGroup, ...] = ()

    def to_dict(self) -> dict:
        return {"totals": asdict(self.totals), "groups": [asdict(group) for group in self.groups]}


@dataclass(frozen=True)
class Reach:
    """How party work reaches a set of enterprises (two maps rather than one record per
    enterprise: at 100k enterprises the records alone would cost more than the scan)."""

    orgs: dict[str, list[str]]  # enterprise -> PartyOrgs that COVER it; only covered ones
    work_by: dict[str, tuple[str, ...]]  # enterprise no org covers -> instructors, leaders,
    # pairing partners reaching it (sorted); only those reached


def coverage_report(g: nx.MultiDiGraph, *, by: str | None = None, chain: str | None = None) -> CoverageReport:
    """Coverage of the base, in total and optionally per group.

    Parameters
    ----------
    g : the projection (``graph.projection.project`` / ``load_projection``); not mutated.
    by : ``None``, ``"chain"``, ``"segment"``, ``"park"`` or ``"street"``. An enterprise in
        several chains or segments counts in each of their groups; park and street groups
        of enterprises that name none are gathered under the key ``""``.
    chain : a Chain id; restricts everything, totals too, to that chain's enterprises.

    Raises ``NotFound`` if ``chain`` names no Chain, ``ValueError`` for an unknown ``by``.

    >>> from graph.builder import GraphBuilder
    >>> g = GraphBuilder().enterprise("E1").enterprise("E2").org("O1").rel("COVERS", "O1", "E1").projection()
    >>> coverage_report(g).totals.org_coverage_rate
    0.5
    """
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")
    base = base_enterprises(g, chain=chain)
    summarise = _Summariser(g, base)
    totals = summarise(base, [chain] if chain is not None else ids_with_label(g, Label.CHAIN))
    if by is None:
        return CoverageReport(totals)
    groups = _GROUPERS[by](g, base, chain)
    return CoverageReport(
        totals,
        tuple(CoverageGroup(key=key, name=name, **asdict(summarise(members, chains))) for key, name, members, chains in groups),
    )


def enterprise_reach(g: nx.MultiDiGraph, ids: Iterable[str]) -> Reach:
    """The orgs covering each of ``ids`` and, for those no org covers, who else reaches them.

    Covering orgs are read from the orgs' side (few relationships each); only enterprises
    no org covers have their incoming relationships scanned, so the supply links of
    covered enterprises are never touched. O(V+E) at worst.
    """
    wanted = set(ids)
    orgs: dict[str, list[str]] = {}
    succ, pred = g._succ, g._pred
    for o in ids_with_label(g, Label.PARTY_ORG):
        for e, keyed in succ[o].items():
            if _COVERS in keyed and e in wanted:
                orgs.setdefault(e, []).append(o)
    work_by = {}
    for e in wanted.difference(orgs):
        reached_by = [u for u, keyed in pred[e].items() if not _WORK_RELS.isdisjoint(keyed)]
        if reached_by:
            work_by[e] = tuple(sorted(reached_by))
    return Reach(orgs, work_by)


def enterprise_states(g: nx.MultiDiGraph, ids: Iterable[str]) -> dict[str, str]:
    """Each enterprise's coverage state: ``standalone``, ``joint``, ``other_org``, ``work``
    or ``none`` (the module docstring says which is which).

    ``ids`` are normally base enterprises (only those count in a report); the state of
    any other enterprise passed is computed the same way.

    >>> from graph.builder import GraphBuilder
    >>> g = (GraphBuilder().enterprise("E1").enterprise("E2").org("J", formation="joint")
    ...      .rel("COVERS", "J", "E1").projection())
    >>> enterprise_states(g, ["E1", "E2"])
    {'E1': 'joint', 'E2': 'none'}
    """
    ids = list(ids)
    return _states(g, ids, enterprise_reach(g, ids))


# -- internals -------------------------------------------------------------------------

# Covered by a standalone org beats everything; "only joint" needs every org joint. The
# rank is the org's own formation (industry, none or anything else ranks 1).
_FORMATION_RANK = {"standalone": 0, "joint": 2}
_STATE_OF_RANK = (STANDALONE, OTHER_ORG, JOINT)


def _states(g: nx.MultiDiGraph, ids: list[str], reach: Reach) -> dict[str, str]:
    nodes = g._node
    # every org's rank up front: cheaper than the scan enterprise_reach has already made,
    # and than looking each one up as it comes
    rank = {o: _FORMATION_RANK.get(nodes[o].get("formation"), 1) for o in ids_with_label(g, Label.PARTY_ORG)}
    states = dict.fromkeys(ids, NONE) | dict.fromkeys(reach.work_by, WORK)
    for e, orgs in reach.orgs.items():
        states[e] = _STATE_OF_RANK[min(map(rank.__getitem__, orgs))]
    return states


class _Summariser:
    """Each base enterprise's state, computed once; then any subset of the base (plus the
    group's chains, for their committees) summed into a Coverage."""

    def __init__(self, g: nx.MultiDiGraph, base: list[str]):
        self.formation = {o: g._node[o].get("formation") for o in ids_with_label(g, Label.PARTY_ORG)}
        self.committees = {c: in_ids(g, c, RelType.LEADS) for c in ids_with_label(g, Label.CHAIN)}
        self.industry = industry_committees(g)
        reach = enterprise_reach(g, base)
        self.orgs_of = reach.orgs
        self.state = _states(g, base, reach)

    def __call__(self, members: Iterable[str], chains: Iterable[str]) -> Coverage:
        members = list(members)
        states = Counter(map(self.state.__getitem__, members))
        orgs = set().union(*(self.orgs_of.get(e, ()) for e in members))
        orgs.update(o for c in chains for o in self.committees.get(c, ()))
        forms = Counter(self.formation[o] for o in orgs)
        org_covered = sum(states[state] for state in ORG_COVERED_STATES)
        base = len(members)
        return Coverage(
            base=base,
            org_covered=org_covered,
            covered_by_standalone=states[STANDALONE],
            covered_by_joint=states[JOINT],
            work_covered=states[WORK],
            uncovered=states[NONE],
            org_coverage_rate=coverage_rate(org_covered, base),
            two_coverage_rate=coverage_rate(org_covered + states[WORK], base),
            party_orgs=len(orgs),
            standalone_orgs=forms["standalone"],
            joint_orgs=forms["joint"],
            industry_committees=len(orgs & self.industry),
        )


# Each grouper gives (key, name, the group's base enterprises, the group's chains). Members
# are read from the segments' side, so supply links are never scanned.
Group = tuple[str, str, list[str], list[str]]


def _by_chain(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    in_base = set(base)
    chains = [chain] if chain is not None else sorted(ids_with_label(g, Label.CHAIN))
    return [(c, name_of(g, c), [e for e in chain_enterprises(g, c) if e in in_base], [c]) for c in chains]


def _by_segment(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    in_base = set(base)
    chains_of_segment = {s: cs for s, cs in chains_by_segment(g).items() if chain is None or chain in cs}

    def order(s: str) -> tuple:  # by chain, then in segment order
        return (sorted(chains_of_segment[s])[:1], *segment_key(g, s))

    return [
        (
            s,
            name_of(g, s),
            [e for e in segment_enterprises(g, s) if e in in_base],
            [chain] if chain is not None else chains_of_segment[s],
        )
        for s in sorted(chains_of_segment, key=order)
    ]


def _by_property(prop: str):
    def group(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
        key_of = {e: g._node[e].get(prop) or "" for e in base}
        members: dict[str, list[str]] = {}
        for e, key in key_of.items():
            members.setdefault(key, []).append(e)
        # Only chains with a committee change a count, so only those are looked up.
        chains_of: dict[str, list[str]] = {key: [] for key in members}
        for c in [chain] if chain is not None else ids_with_label(g, Label.CHAIN):
            if in_ids(g, c, RelType.LEADS):
                for key in {key_of[e] for e in chain_enterprises(g, c) if e in key_of}:
                    chains_of[key].append(c)
        return [
            (key, key or MISSING_GROUP_NAME, members[key], chains_of[key])
            for key in sorted(members, key=lambda k: (k == "", k))
        ]

    return group


_GROUPERS = {"chain": _by_chain, "segment": _by_segment, "park": _by_property("park"), "street": _by_property("street")}
