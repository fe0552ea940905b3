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
from itertools import chain as _chained, compress, repeat
from operator import eq
from typing import Iterable, Sequence

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import (
    RATE_DIGITS,
    base_enterprises,
    chain_enterprises,
    chains_by_segment,
    coverage_rate,
    industry_committees,
    name_of,
    segment_enterprises,
    segment_key,
)
from graph.collector import collector_paused
from graph.projection import ids_with_label, in_ids, out_ids
from graph.schema import ENTERPRISE_KINDS, Label, RelType

GROUPINGS = ("chain", "segment", "park", "street", "kind")
MISSING_GROUP_NAME = "（未填写）"  # the park/street group of enterprises that name none
UNRATED = "unrated"
STAR_KEYS = ("5", "4", "3", "2", "1", UNRATED)  # the keys of ``stars``, best first

_COVERS = RelType.COVERS.value
_WORK_RELS = frozenset({RelType.ASSIGNED_TO.value, RelType.CONTACTS.value, RelType.PAIRED_WITH.value})

# The state of one base enterprise; exactly one per enterprise.
STANDALONE = "standalone"  # covered, at least one org formed standalone
JOINT = "joint"  # covered, every covering org formed jointly
OTHER_ORG = "other_org"  # covered only by other orgs (industry committees, no formation)
WORK = "work"  # no org, but reached by an instructor, a contact or a pairing
NONE = "none"  # not reached at all
ORG_COVERED_STATES = (STANDALONE, JOINT, OTHER_ORG)  # the states that count in org_covered
_STATES = (STANDALONE, JOINT, OTHER_ORG, WORK, NONE)


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
    # The figures the seed articles quote (README defines each one).
    standalone_eligible: int
    standalone_eligible_own_org: int
    standalone_formation_rate: float
    with_members: int
    with_members_covered: int
    with_members_coverage_rate: float
    instructor_covered: int
    instructor_coverage_rate: float
    stars: dict[str, int]  # "5" .. "1" and "unrated": counted orgs by star rating
    demonstration_sites: int
    enterprises_per_joint_org_avg: float
    enterprises_per_joint_org_max: int


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

    @classmethod
    def from_dict(cls, report: dict) -> CoverageReport:
        """The report ``to_dict`` gave (a kept answer, ``graph.kept_answers``)."""
        return cls(Coverage(**report["totals"]), tuple(CoverageGroup(**group) for group in report["groups"]))


@dataclass(frozen=True)
class Reach:
    """How party work reaches a set of enterprises (maps rather than one record per
    enterprise: at 100k enterprises the records alone would cost more than the scan)."""

    orgs: dict[str, Sequence[str]]  # enterprise -> PartyOrgs that COVER it; only covered ones
    work_by: dict[str, tuple[str, ...]]  # enterprise no org covers -> instructors, leaders,
    # pairing partners reaching it (sorted); only those reached
    covers: dict[str, list[str]]  # the other way: PartyOrg -> the enterprises it COVERS; only orgs covering one


@collector_paused()  # what it allocates (states, flags, org lists) lives until it returns: collections would free nothing
def coverage_report(g: nx.MultiDiGraph, *, by: str | None = None, chain: str | None = None) -> CoverageReport:
    """Coverage of the base, in total and optionally per group.

    Parameters
    ----------
    g : the projection (``graph.projection.project`` / ``load_projection``); not mutated.
    by : ``None``, ``"chain"``, ``"segment"``, ``"park"``, ``"street"`` or ``"kind"`` (keys
        ``enterprise`` and ``social_org``, named 企业 and 社会组织). An enterprise in
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
    succ, pred = g._succ, g._pred
    covers = {}
    for o in ids_with_label(g, Label.PARTY_ORG):
        covered = [e for e, keyed in succ[o].items() if _COVERS in keyed and e in wanted]
        if covered:
            covers[o] = covered
    orgs = _orgs_of(covers)
    work_by = {}
    for e in wanted.difference(orgs):
        reached_by = [u for u, keyed in pred[e].items() if not _WORK_RELS.isdisjoint(keyed)]
        if reached_by:
            work_by[e] = tuple(sorted(reached_by))
    return Reach(orgs, work_by, covers)


def _orgs_of(covers: dict[str, list[str]]) -> dict[str, Sequence[str]]:
    """Enterprise -> its covering orgs (in the orgs' order), from org -> enterprises. Most
    enterprises have one org: those are paired in a few calls over whole lists; only when
    some enterprise has several are they gathered one by one."""
    covered = list(_chained.from_iterable(covers.values()))
    by = list(_chained.from_iterable(map(repeat, covers, map(len, covers.values()))))
    orgs = dict(zip(covered, zip(by)))
    if len(orgs) == len(covered):
        return orgs
    several: dict[str, list[str]] = {}
    for e, o in zip(covered, by):
        several.setdefault(e, []).append(o)
    return several


def enterprise_states(g: nx.MultiDiGraph, ids: Iterable[str], reach: Reach | None = None) -> dict[str, str]:
    """Each enterprise's coverage state: ``standalone``, ``joint``, ``other_org``, ``work``
    or ``none`` (the module docstring says which is which).

    ``ids`` are normally base enterprises (only those count in a report); the state of
    any other enterprise passed is computed the same way. ``reach``: their
    ``enterprise_reach``, when the caller has it already.

    >>> from graph.builder import GraphBuilder
    >>> g = (GraphBuilder().enterprise("E1").enterprise("E2").org("J", formation="joint")
    ...      .rel("COVERS", "J", "E1").projection())
    >>> enterprise_states(g, ["E1", "E2"])
    {'E1': 'joint', 'E2': 'none'}
    """
    ids = list(ids)
    return _states(ids, reach if reach is not None else enterprise_reach(g, ids), _formations(g))


# -- internals -------------------------------------------------------------------------

# Covered by a standalone org beats everything; "only joint" needs every org joint. The
# state follows the org's own formation (industry, none or anything else: other_org).
_STATE_OF_FORMATION = {"standalone": STANDALONE, "joint": JOINT}
_STATES_WEAKEST_FIRST = (JOINT, OTHER_ORG, STANDALONE)


def _formations(g: nx.MultiDiGraph) -> dict[str, str | None]:
    """Every org's ``formation`` (None when not given)."""
    orgs = ids_with_label(g, Label.PARTY_ORG)
    return dict(zip(orgs, map(dict.get, map(g._node.__getitem__, orgs), repeat("formation"))))


def _states(ids: list[str], reach: Reach, formation: dict[str, str | None]) -> dict[str, str]:
    """From the orgs' side, weakest state first, so that what an enterprise's strongest org
    gives it is written last: a few calls over whole lists, not a step per enterprise."""
    states = dict.fromkeys(ids, NONE)
    states.update(dict.fromkeys(reach.work_by, WORK))
    by_state = {state: [] for state in _STATES_WEAKEST_FIRST}
    for o in reach.covers:
        by_state[_STATE_OF_FORMATION.get(formation[o], OTHER_ORG)].append(o)
    for state, orgs in by_state.items():
        states.update(dict.fromkeys(_chained.from_iterable(map(reach.covers.__getitem__, orgs)), state))
    return states


class _Summariser:
    """Each base enterprise's state, computed once; then any subset of the base (plus the
    group's chains, for their committees) summed into a Coverage."""

    def __init__(self, g: nx.MultiDiGraph, base: list[str]):
        self.base = base
        self.formation = _formations(g)
        self.committees = {c: in_ids(g, c, RelType.LEADS) for c in ids_with_label(g, Label.CHAIN)}
        self.industry = industry_committees(g)
        reach = enterprise_reach(g, base)
        self.orgs_of = reach.orgs
        self.covering_base = set(reach.covers)  # the whole base's orgs, without a union over it
        self.figures = _ArticleFigures(g, base, reach, _states(base, reach, self.formation), self.formation)
        self.code = self.figures.code

    def __call__(self, members: Iterable[str], chains: Iterable[str]) -> Coverage:
        """``members``: the base itself (the totals) or a group of it."""
        orgs = set(self.covering_base) if members is self.base else None
        members = list(members)
        counted = Counter(map(self.code.__getitem__, members))
        states, flags = Counter(), Counter()
        for code, n in counted.items():
            states[_STATES[code >> _FLAG_BITS]] += n
            flags[code & _FLAG_MASK] += n
        if orgs is None:
            orgs = set(_chained.from_iterable(map(self.orgs_of.get, members, repeat(()))))
        orgs.update(o for c in chains for o in self.committees.get(c, ()))
        forms = Counter(map(self.formation.__getitem__, orgs))
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
            **self.figures(flags, len(members), orgs),
        )


class _ArticleFigures:
    """The figures the seed articles quote, for any subset of the base and its counted orgs.

    - ``standalone_eligible``: members with at least three party members (a branch of their
      own is due, 应建尽建); ``standalone_eligible_own_org``: of those, covered by a
      standalone org; ``standalone_formation_rate``: the second over the first.
    - ``with_members``: members with at least one party member; ``with_members_covered``:
      of those, org-covered; ``with_members_coverage_rate``: the second over the first.
    - ``instructor_covered``: members reached by an instructor, assigned to the enterprise
      itself or to an org that covers it (a first secretary sits in the enterprise's org);
      ``instructor_coverage_rate`` over the group's base.
    - ``stars``: the counted orgs by star, "5" to "1", and "unrated"; it adds up to
      ``party_orgs``. ``demonstration_sites``: counted orgs that are demonstration sites.
    - ``enterprises_per_joint_org_avg`` / ``_max``: over the counted joint orgs (those
      ``joint_orgs`` counts), how many base enterprises each covers. An org's reach is the
      org's own, over the whole report (or chain), not only this group's members: it says
      how big the joint orgs are. The average is rounded like a rate.

    The thresholds are those of the remedies (``graph.analysis.uncovered``); an unknown
    number of party members counts as none.
    """

    def __init__(self, g: nx.MultiDiGraph, base: list[str], reach: Reach, state: dict[str, str],
                 formation: dict[str, str | None]):
        # uncovered imports this module, so its thresholds are read here, once
        from graph.analysis.uncovered import MIN_BRANCH_MEMBERS, MIN_JOINT_MEMBERS

        nodes = g._node
        # One small number per enterprise, its coverage state above its figure flags, so
        # that a group is summed in one pass over its members (a Counter of at most 160
        # values), not one pass per state and figure: the figures its party members allow,
        # masked by those its state allows. Built with map and zip only (a Python
        # expression per enterprise cost a fifth of the report at 100k): fewer members than
        # a branch needs are looked up by (members, state), three or more fall back to the
        # state's own mask.
        few = {None: 0} | {n: 0 for n in range(MIN_JOINT_MEMBERS)}
        few |= {n: _WITH_MEMBERS | _WITH_MEMBERS_COVERED for n in range(MIN_JOINT_MEMBERS, MIN_BRANCH_MEMBERS)}
        by_few = {(n, st): _STATE_CODES[st] | (flags & mask) for n, flags in few.items() for st, mask in _STATE_MASKS.items()}
        many = {st: _STATE_CODES[st] | mask for st, mask in _STATE_MASKS.items()}
        members = list(map(dict.get, map(nodes.__getitem__, base), repeat("party_members")))
        states = list(map(state.__getitem__, base))
        self.code = dict(zip(base, map(by_few.get, zip(members, states), map(many.__getitem__, states))))
        # instructors are few: their reach is read from their side
        for i in ids_with_label(g, Label.INSTRUCTOR):
            for target in out_ids(g, i, RelType.ASSIGNED_TO):
                for e in out_ids(g, target, RelType.COVERS) if target not in self.code else (target,):
                    if e in self.code:
                        self.code[e] |= _INSTRUCTED
        orgs = ids_with_label(g, Label.PARTY_ORG)
        attrs = list(map(nodes.__getitem__, orgs))
        self.star = dict(zip(orgs, map(dict.get, attrs, repeat("star"))))  # a number, or None: keyed when counted
        self.demonstration = set(compress(orgs, map(dict.get, attrs, repeat("demonstration"))))
        self.joint = set(compress(formation, map(eq, formation.values(), repeat("joint"))))
        self.reach = dict(zip(reach.covers, map(len, reach.covers.values())))  # every org's, read for joint ones

    def __call__(self, flag_counts: Counter, size: int, orgs: set[str]) -> dict:
        """The figures of a group whose members' flags are counted in ``flag_counts``."""
        count = dict.fromkeys(_FLAGS, 0)
        for flags, n in flag_counts.items():
            for flag in _FLAGS:
                if flags & flag:
                    count[flag] += n
        eligible, own_org = count[_ELIGIBLE], count[_OWN_ORG]
        with_members, with_members_covered = count[_WITH_MEMBERS], count[_WITH_MEMBERS_COVERED]
        stars = Counter()
        for star, n in Counter(map(self.star.__getitem__, orgs)).items():
            stars[str(star or UNRATED)] += n
        reach = list(map(self.reach.get, orgs & self.joint, repeat(0)))
        return {
            "standalone_eligible": eligible,
            "standalone_eligible_own_org": own_org,
            "standalone_formation_rate": coverage_rate(own_org, eligible),
            "with_members": with_members,
            "with_members_covered": with_members_covered,
            "with_members_coverage_rate": coverage_rate(with_members_covered, with_members),
            "instructor_covered": count[_INSTRUCTED],
            "instructor_coverage_rate": coverage_rate(count[_INSTRUCTED], size),
            "stars": {key: stars[key] for key in STAR_KEYS},
            "demonstration_sites": len(orgs & self.demonstration),
            "enterprises_per_joint_org_avg": round(sum(reach) / len(reach), RATE_DIGITS) if reach else 0.0,
            "enterprises_per_joint_org_max": max(reach, default=0),
        }


_ELIGIBLE, _OWN_ORG, _WITH_MEMBERS, _WITH_MEMBERS_COVERED, _INSTRUCTED = (1 << i for i in range(5))
_FLAGS = (_ELIGIBLE, _OWN_ORG, _WITH_MEMBERS, _WITH_MEMBERS_COVERED, _INSTRUCTED)
_FLAG_BITS = len(_FLAGS)
_FLAG_MASK = (1 << _FLAG_BITS) - 1
_STATE_CODES = {state: n << _FLAG_BITS for n, state in enumerate(_STATES)}  # a state's bits in a code
_MEMBER_FLAGS = _ELIGIBLE | _OWN_ORG | _WITH_MEMBERS | _WITH_MEMBERS_COVERED  # three members or more
_STATE_MASKS = {  # what each coverage state allows of _MEMBER_FLAGS
    STANDALONE: _MEMBER_FLAGS,
    JOINT: _ELIGIBLE | _WITH_MEMBERS | _WITH_MEMBERS_COVERED,
    OTHER_ORG: _ELIGIBLE | _WITH_MEMBERS | _WITH_MEMBERS_COVERED,
    WORK: _ELIGIBLE | _WITH_MEMBERS,
    NONE: _ELIGIBLE | _WITH_MEMBERS,
}


# Each grouper gives (key, name, the group's base enterprises, the group's chains). Members
# are read from the segments' side, so supply links are never scanned.
Group = tuple[str, str, list[str], list[str]]


def _by_chain(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    in_base = set(base)
    chains = [chain] if chain is not None else sorted(ids_with_label(g, Label.CHAIN))
    return [(c, name_of(g, c), list(in_base.intersection(chain_enterprises(g, c))), [c]) for c in chains]


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


def _by_kind(g: nx.MultiDiGraph, base: list[str], chain: str | None) -> list[Group]:
    """企业 and 社会组织: the park/street grouping over ``kind``, named as the schema names them."""
    by_kind = _by_property("kind")(g, base, chain)
    return [(key, ENTERPRISE_KINDS.get(key, name), members, chains) for key, name, members, chains in by_kind]


_GROUPERS = {
    "chain": _by_chain,
    "segment": _by_segment,
    "park": _by_property("park"),
    "street": _by_property("street"),
    "kind": _by_kind,
}
