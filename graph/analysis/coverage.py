"""Coverage over the base ("两个覆盖"): organisation coverage and work coverage.

The base is every Enterprise with ``in_base`` true and ``status`` active. Each base
enterprise is in exactly one state:

- org-covered: some PartyOrg ``COVERS`` it; of these, ``covered_by_standalone`` when one
  of the orgs is ``standalone``, ``covered_by_joint`` when every org is ``joint``, and
  otherwise (industry committees, orgs with no formation) only ``org_covered``;
- work-covered: no org, but an instructor is ``ASSIGNED_TO`` it, a leader ``CONTACTS``
  it or someone is ``PAIRED_WITH`` it;
- uncovered: neither.

Org counts (DESIGN.md only says "org counts", so the semantics are decided here): an org
counts in a group when it ``COVERS`` at least one base enterprise of the group, and an
industry committee (formation ``industry``, or any org that ``LEADS`` a chain) also
counts when it leads one of the group's chains. A chain group's chain is itself, a
segment group's is the segment's chain, a park or street group's are the chains its base
enterprises sit in, and the totals' are every chain (or only ``chain=`` when given). So an
org that covers only closed, moved or out-of-base enterprises, or nothing at all, counts
nowhere; ``graph.analysis.org_checks`` reports those.

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

from graph.errors import NotFound
from graph.projection import ids_with_label, in_ids, out_ids
from graph.schema import STAGE_ORDER, Label, RelType

GROUPINGS = ("chain", "segment", "park", "street")
RATE_DIGITS = 4
MISSING_GROUP_NAME = "（未填写）"  # the park/street group of enterprises that name none

_COVERS = RelType.COVERS.value
_IN_SEGMENT = RelType.IN_SEGMENT.value
_WORK_RELS = frozenset({RelType.ASSIGNED_TO.value, RelType.CONTACTS.value, RelType.PAIRED_WITH.value})

# The state of one base enterprise; exactly one per enterprise.
STANDALONE = "standalone"  # covered, at least one org formed standalone
JOINT = "joint"  # covered, every covering org formed jointly
OTHER_ORG = "other_org"  # covered only by other orgs (industry committees, no formation)
WORK = "work"  # no org, but reached by an instructor, a contact or a pairing
NONE = "none"  # not reached at all


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

    >>> from tests.builders import GraphBuilder
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


def base_enterprises(g: nx.MultiDiGraph, *, chain: str | None = None) -> list[str]:
    """Ids of the base (``in_base`` and active), in store order; only ``chain``'s if given.

    Raises ``NotFound`` if ``chain`` names no Chain.
    """
    wanted = chain_enterprises(g, chain) if chain is not None else None
    nodes = g._node
    return [
        e
        for e in ids_with_label(g, Label.ENTERPRISE)
        if nodes[e]["in_base"] and nodes[e]["status"] == "active" and (wanted is None or e in wanted)
    ]


def chain_enterprises(g: nx.MultiDiGraph, chain: str) -> set[str]:
    """Every enterprise (in the base or not) in one of ``chain``'s segments."""
    if chain not in g or g.nodes[chain]["label"] != Label.CHAIN.value:
        raise NotFound(f"找不到产业链 {chain}")
    return {e for s in in_ids(g, chain, RelType.PART_OF) for e in segment_enterprises(g, s)}


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


def segment_enterprises(g: nx.MultiDiGraph, segment: str) -> list[str]:
    """The enterprises (in the base or not) in a segment (``IN_SEGMENT``)."""
    return [e for e, keyed in g._pred[segment].items() if _IN_SEGMENT in keyed]


def segment_chains(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Each segment's chain(s) (``PART_OF``)."""
    return {s: out_ids(g, s, RelType.PART_OF) for s in ids_with_label(g, Label.SEGMENT)}


def enterprise_segments(g: nx.MultiDiGraph, e: str) -> list[str]:
    """The segments an enterprise sits in (``IN_SEGMENT``), each once."""
    return [s for s, keyed in g._succ[e].items() if _IN_SEGMENT in keyed]


def enterprise_chains(segments: Iterable[str], chains_of_segment: dict[str, list[str]]) -> list[str]:
    """The chains of some segments, each once, in order."""
    return list(dict.fromkeys(c for s in segments for c in chains_of_segment.get(s, ())))


def coverage_rate(covered: int, base: int) -> float:
    """``covered / base`` rounded to 4 places; 0.0 for an empty base."""
    return round(covered / base, RATE_DIGITS) if base else 0.0


# -- internals -------------------------------------------------------------------------

# Covered by a standalone org beats everything; "only joint" needs every org joint.
_FORMATION_RANK = {"standalone": 0, "joint": 2}  # any other formation ranks 1
_STATE_OF_RANK = (STANDALONE, OTHER_ORG, JOINT)


class _Summariser:
    """Each base enterprise's state, computed once; then any subset of the base (plus the
    group's chains, for their committees) summed into a Coverage."""

    def __init__(self, g: nx.MultiDiGraph, base: list[str]):
        self.formation = {o: g._node[o].get("formation") for o in ids_with_label(g, Label.PARTY_ORG)}
        self.committees = {c: in_ids(g, c, RelType.LEADS) for c in ids_with_label(g, Label.CHAIN)}
        for orgs in self.committees.values():
            self.formation.update(dict.fromkeys(orgs, "industry"))
        rank = {o: _FORMATION_RANK.get(f, 1) for o, f in self.formation.items()}
        reach = enterprise_reach(g, base)
        self.orgs_of = reach.orgs
        self.state = dict.fromkeys(base, NONE) | dict.fromkeys(reach.work_by, WORK)
        for e, orgs in reach.orgs.items():
            self.state[e] = _STATE_OF_RANK[min(map(rank.__getitem__, orgs))]

    def __call__(self, members: Iterable[str], chains: Iterable[str]) -> Coverage:
        members = list(members)
        states = Counter(map(self.state.__getitem__, members))
        orgs = set().union(*(self.orgs_of.get(e, ()) for e in members))
        orgs.update(o for c in chains for o in self.committees.get(c, ()))
        forms = Counter(self.formation[o] for o in orgs)
        org_covered = states[STANDALONE] + states[JOINT] + states[OTHER_ORG]
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
            industry_committees=forms["industry"],
        )


# Each grouper gives (key, name, the group's base enterprises, the group's chains). Members
# are read from the segments' side, so supply links are never scanned.
Group = tuple[str, str, list[str], list[str]]


def _by_chain(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    in_base = set(base)
    chains = [chain] if chain is not None else sorted(ids_with_label(g, Label.CHAIN))
    return [(c, _name(g, c), [e for e in chain_enterprises(g, c) if e in in_base], [c]) for c in chains]


def _by_segment(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    in_base = set(base)
    chains_of_segment = {s: cs for s, cs in segment_chains(g).items() if chain is None or chain in cs}

    def order(s: str) -> tuple:
        node = g._node[s]
        return (chains_of_segment[s][:1], STAGE_ORDER.get(node.get("stage"), 3), node.get("order") or 0, s)

    return [
        (
            s,
            _name(g, s),
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


def _name(g: nx.MultiDiGraph, node: str) -> str:
    return g._node[node].get("name") or node


_GROUPERS = {"chain": _by_chain, "segment": _by_segment, "park": _by_property("park"), "street": _by_property("street")}
