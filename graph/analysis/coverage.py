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

Everything is one pass over the base enterprises' relationships (O(V+E)): each
enterprise's state is computed once and reused by every group it falls in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterable, NamedTuple

import networkx as nx

from graph.errors import NotFound
from graph.projection import ids_with_label, in_ids, out_ids
from graph.schema import STAGE_ORDER, Label, RelType

GROUPINGS = ("chain", "segment", "park", "street")
RATE_DIGITS = 4
MISSING_GROUP_NAME = "（未填写）"  # the park/street group of enterprises that name none

_COVERS = RelType.COVERS.value
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


class Reach(NamedTuple):
    """How party work reaches one enterprise."""

    orgs: tuple[str, ...]  # PartyOrgs that COVER it
    work_by: tuple[str, ...]  # instructors, leaders and pairing partners reaching it, sorted


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
    reach = enterprise_reach(g, base)
    formation = _org_formations(g)
    state = {e: _state(r, formation) for e, r in reach.items()}
    scope = [chain] if chain is not None else ids_with_label(g, Label.CHAIN)
    summarise = _Summariser(g, reach, state, formation)
    totals = summarise(base, scope)
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
    nodes = g.nodes
    return [
        e
        for e in ids_with_label(g, Label.ENTERPRISE)
        if nodes[e]["in_base"] and nodes[e]["status"] == "active" and (wanted is None or e in wanted)
    ]


def chain_enterprises(g: nx.MultiDiGraph, chain: str) -> set[str]:
    """Every enterprise (in the base or not) in one of ``chain``'s segments."""
    if chain not in g or g.nodes[chain]["label"] != Label.CHAIN.value:
        raise NotFound(f"找不到产业链 {chain}")
    return {e for s in in_ids(g, chain, RelType.PART_OF) for e in in_ids(g, s, RelType.IN_SEGMENT)}


def enterprise_reach(g: nx.MultiDiGraph, ids: Iterable[str]) -> dict[str, Reach]:
    """For each enterprise, the orgs covering it and who else reaches it.

    One pass over each enterprise's incoming relationships (rather than one ``in_ids``
    call per type), so the whole base costs O(E).
    """
    pred = g.pred
    reach = {}
    for e in ids:
        orgs, work_by = [], set()
        for source, keyed in pred[e].items():
            if _COVERS in keyed:
                orgs.append(source)
            if not _WORK_RELS.isdisjoint(keyed):
                work_by.add(source)
        reach[e] = Reach(tuple(orgs), tuple(sorted(work_by)))
    return reach


def segment_chains(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Each segment's chain(s) (``PART_OF``)."""
    return {s: out_ids(g, s, RelType.PART_OF) for s in ids_with_label(g, Label.SEGMENT)}


def enterprise_segments(g: nx.MultiDiGraph, e: str) -> list[str]:
    """The segments an enterprise sits in (``IN_SEGMENT``)."""
    return out_ids(g, e, RelType.IN_SEGMENT)


def enterprise_chains(segments: Iterable[str], chains_of_segment: dict[str, list[str]]) -> list[str]:
    """The chains of some segments, each once, in order."""
    return list(dict.fromkeys(c for s in segments for c in chains_of_segment.get(s, ())))


def coverage_rate(covered: int, base: int) -> float:
    """``covered / base`` rounded to 4 places; 0.0 for an empty base."""
    return round(covered / base, RATE_DIGITS) if base else 0.0


def is_industry_committee(g: nx.MultiDiGraph, org: str) -> bool:
    """Formed as an industry (chain) committee, or leading a chain."""
    return g.nodes[org].get("formation") == "industry" or bool(out_ids(g, org, RelType.LEADS))


# -- internals -------------------------------------------------------------------------


def _org_formations(g: nx.MultiDiGraph) -> dict[str, str | None]:
    """Each org's formation, with ``"industry"`` for any org that leads a chain."""
    formation = {o: g.nodes[o].get("formation") for o in ids_with_label(g, Label.PARTY_ORG)}
    for o in formation:
        if is_industry_committee(g, o):
            formation[o] = "industry"
    return formation


def _state(reach: Reach, formation: dict[str, str | None]) -> str:
    if reach.orgs:
        forms = {formation.get(o) for o in reach.orgs}
        if "standalone" in forms:
            return STANDALONE
        return JOINT if forms == {"joint"} else OTHER_ORG
    return WORK if reach.work_by else NONE


class _Summariser:
    """Turns a set of base enterprises (plus the group's chains) into a Coverage."""

    def __init__(self, g, reach: dict[str, Reach], state: dict[str, str], formation: dict[str, str | None]):
        self.reach, self.state, self.formation = reach, state, formation
        self.committees = {
            c: [o for o in in_ids(g, c, RelType.LEADS) if o in formation] for c in ids_with_label(g, Label.CHAIN)
        }

    def __call__(self, members: Iterable[str], chains: Iterable[str]) -> Coverage:
        members = list(members)
        states = Counter(self.state[e] for e in members)
        orgs = {o for e in members for o in self.reach[e].orgs}
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


# Each grouper yields (key, name, member base enterprises, chains of the group).
Group = tuple[str, str, list[str], list[str]]


def _by_chain(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    chains_of_segment = segment_chains(g)
    members: dict[str, list[str]] = {c: [] for c in ([chain] if chain else sorted(ids_with_label(g, Label.CHAIN)))}
    for e in base:
        for c in enterprise_chains(enterprise_segments(g, e), chains_of_segment):
            if c in members:
                members[c].append(e)
    return [(c, g.nodes[c].get("name") or c, es, [c]) for c, es in members.items()]


def _by_segment(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    chains_of_segment = segment_chains(g)
    if chain is not None:
        chains_of_segment = {s: cs for s, cs in chains_of_segment.items() if chain in cs}

    def order(s: str) -> tuple:
        node = g.nodes[s]
        return (chains_of_segment[s][:1], STAGE_ORDER.get(node.get("stage"), 3), node.get("order") or 0, s)

    members: dict[str, list[str]] = {s: [] for s in sorted(chains_of_segment, key=order)}
    for e in base:
        for s in dict.fromkeys(enterprise_segments(g, e)):
            if s in members:
                members[s].append(e)
    return [
        (s, g.nodes[s].get("name") or s, es, [chain] if chain is not None else chains_of_segment[s])
        for s, es in members.items()
    ]


def _by_property(prop: str):
    def group(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
        chains_of_segment = segment_chains(g)
        members: dict[str, list[str]] = {}
        for e in base:
            members.setdefault(g.nodes[e].get(prop) or "", []).append(e)
        groups = []
        for key in sorted(members, key=lambda k: (k == "", k)):
            es = members[key]
            chains = dict.fromkeys(c for e in es for c in enterprise_chains(enterprise_segments(g, e), chains_of_segment))
            scope = [c for c in chains if chain is None or c == chain]
            groups.append((key, key or MISSING_GROUP_NAME, es, scope))
        return groups

    return group


_GROUPERS = {"chain": _by_chain, "segment": _by_segment, "park": _by_property("park"), "street": _by_property("street")}
