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
touched. The hot loops read networkx's raw adjacency dicts (``g._pred``, ``g._succ``,
``g._node``, as networkx's own algorithms do): the public views wrap every item and cost
several times the work itself.

A report reads the graph once into integer arrays over the numbered base (each
enterprise's state and figure flags as one code, the orgs covering it, each org's
formation and star, each chain's and segment's members; :class:`CoverageBase`) and sums its
groups with numpy over those, not with dict operations per enterprise. The arrays are
kept with a frozen projection (``load_projection``'s), so a process that asks again of
the same projection (a server, a notebook) only sums: 6–7 ms instead of 0.3–0.4 s by chain
for the city demo's 100,000 enterprises. Completed (every grouping numbered) they are also
kept on disk for the next process (``CoverageBase.kept``, ``graph.kept_answers``), which then
sums any report without the graph (``base_report``).
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import chain as _chained, repeat
from operator import eq
from typing import Container, Iterable, Sequence

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx
    import numpy as np  # and numpy as much: loaded where a report is computed

from graph.analysis.membership import (
    RATE_DIGITS,
    base_enterprises,
    chain_enterprises,
    chains_by_segment,
    coverage_rate,
    industry_committees,
    name_of,
    chain_not_found,
    segment_enterprises,
    segment_key,
)
from graph.collector import collector_paused
from graph.projection import ids_with_label, in_ids, out_ids
from graph.schema import ENTERPRISE_KINDS, Label, RelType

GROUPINGS = ("chain", "segment", "park", "street", "kind")
MISSING_GROUP_NAME = "（未填写）"  # the park/street group of enterprises that name none
NO_CHAIN_GROUP_NAME = "（未归入产业链）"  # the chain/segment group of base enterprises in no chain
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
        several chains or segments counts in each of their groups; enterprises in no chain
        (no segment), and park and street groups of enterprises that name none, are
        gathered under the key ``""``.
    chain : a Chain id; restricts everything, totals too, to that chain's enterprises.

    Raises ``NotFound`` if ``chain`` names no Chain, ``ValueError`` for an unknown ``by``.

    >>> from graph.builder import GraphBuilder
    >>> g = GraphBuilder().enterprise("E1").enterprise("E2").org("O1").rel("COVERS", "O1", "E1").projection()
    >>> coverage_report(g).totals.org_coverage_rate
    0.5
    """
    return base_report(coverage_base(g), by=by, chain=chain, g=g)


def base_report(base: CoverageBase, *, by: str | None = None, chain: str | None = None,
                g: nx.MultiDiGraph | None = None) -> CoverageReport:
    """``coverage_report`` summed from a numbered base: ``coverage_base(g)`` with its graph
    ``g``, or without any graph a complete one kept by an earlier process
    (``CoverageBase.from_kept``). Raises as ``coverage_report`` does."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")
    if chain is not None:
        base.require_chain(chain)
    summarise = _Summariser(base, base.chain_members(g, chain) if chain is not None else None)
    totals = summarise(summarise.base, [chain] if chain is not None else list(base.chain_names))
    if by is None:
        return CoverageReport(totals)
    groups = _GROUPERS[by](g, base, summarise.in_report, chain)
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
    pred = g._pred
    covers = _covers(g, wanted)
    orgs = _orgs_of(covers)
    work_by = {}
    for e in wanted.difference(orgs):
        reached_by = [u for u, keyed in pred[e].items() if not _WORK_RELS.isdisjoint(keyed)]
        if reached_by:
            work_by[e] = tuple(sorted(reached_by))
    return Reach(orgs, work_by, covers)


def _covers(g: nx.MultiDiGraph, wanted: Container[str]) -> dict[str, list[str]]:
    """PartyOrg -> the enterprises of ``wanted`` it ``COVERS``, in the graph's order; only
    orgs that cover one."""
    succ = g._succ
    covers = {}
    for o in ids_with_label(g, Label.PARTY_ORG):
        covered = [e for e, keyed in succ[o].items() if _COVERS in keyed and e in wanted]
        if covered:
            covers[o] = covered
    return covers


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


def coverage_base(g: nx.MultiDiGraph) -> CoverageBase:
    """``g``'s base numbered once (:class:`CoverageBase`). It is kept with a frozen graph
    (``load_projection``'s are): nothing can change a frozen graph, and a store's next
    version is a new graph, so what was derived from it stays true; it goes when the graph
    goes. Any other graph is numbered afresh for each report."""
    if not getattr(g, "frozen", False):
        return CoverageBase(g)
    with _kept_lock:
        kept = _kept.get(g)
    if kept is None or kept.version != g.graph.get("version"):
        kept = CoverageBase(g)  # outside the lock: two threads may both number it, and one wins
        with _kept_lock:
            _kept[g] = kept
    return kept


class CoverageBase:
    """What any coverage report of one graph sums, read from the graph once, as integer
    arrays over the base (every base enterprise, store order, numbered from 0) and the orgs
    (``ids_with_label`` order): each enterprise's code (its state above its figure flags,
    :func:`_article_figures`); the (org, enterprise) pairs of ``COVERS`` into the base, in
    enterprise order; each org's formation, star, demonstration site and committee flags;
    each chain's committees; the chains' names, and the segments in report order with their
    chains. The members of a chain or segment and each enterprise's park, street or kind are
    numbered when a report first asks for them, or all at once for a base to be kept
    (``kept``): one read back (``from_kept``) has no graph and needs none.

    A report then sums a group with ``np.bincount`` and masks over its members' numbers,
    instead of a few dozen dict operations per enterprise whose cost grew with the heap
    (cache misses): it holds no reference to the graph, so keeping it does not keep the graph.
    """

    def __init__(self, g: nx.MultiDiGraph):
        import numpy as np  # 0.1 s of import: only where a report is computed, never at start-up

        self.version = g.graph.get("version")
        base = base_enterprises(g)
        self.size = len(base)
        self.position = dict(zip(base, range(len(base))))
        orgs = ids_with_label(g, Label.PARTY_ORG)
        org_position = dict(zip(orgs, range(len(orgs))))
        self.orgs = len(orgs)
        covers = _covers(g, self.position)
        covering = np.fromiter(map(org_position.__getitem__, covers), np.intp, len(covers))
        pair_org = np.repeat(covering, np.fromiter(map(len, covers.values()), np.intp, len(covers)))
        pair_enterprise = np.fromiter(map(self.position.__getitem__, _chained.from_iterable(covers.values())), np.intp,
                                      len(pair_org))
        by_enterprise = np.argsort(pair_enterprise, kind="stable")
        self.org_of_pair = pair_org[by_enterprise]
        self.enterprise_of_pair = pair_enterprise[by_enterprise]
        # the pairs of enterprise i: org_of_pair[first_pair[i]:first_pair[i + 1]]
        self.first_pair = np.searchsorted(self.enterprise_of_pair, np.arange(len(base) + 1))
        formation = _formations(g)
        forms = list(map(formation.__getitem__, orgs))
        self.code = self._codes(g, base, forms, pair_org, pair_enterprise)
        attrs = list(map(g._node.__getitem__, orgs))
        self.standalone = np.fromiter(map(eq, forms, repeat("standalone")), bool, len(orgs))
        self.joint = np.fromiter(map(eq, forms, repeat("joint")), bool, len(orgs))
        self.industry = np.fromiter(map(industry_committees(g).__contains__, orgs), bool, len(orgs))
        self.demonstration = np.fromiter(map(bool, map(dict.get, attrs, repeat("demonstration"))), bool, len(orgs))
        stars = list(map(dict.get, attrs, repeat("star")))
        slot = {key: n for n, key in enumerate(STAR_KEYS)}  # any other star is counted in a slot no key reads
        # keyed with its type: 4, 4.0 and True are one key to a dict, but "4", "4.0" and "True" as the report says them
        typed = list(zip(map(type, stars), stars))
        slot_of = {star: slot.get(str(star[1] or UNRATED), len(STAR_KEYS)) for star in set(typed)}
        self.star_slot = np.fromiter(map(slot_of.__getitem__, typed), np.intp, len(orgs))
        self.committees = {c: np.fromiter(map(org_position.__getitem__, in_ids(g, c, RelType.LEADS)), np.intp)
                           for c in ids_with_label(g, Label.CHAIN)}
        self.chain_names = {c: name_of(g, c) for c in sorted(self.committees)}
        # (segment, name, its chains), by chain, then in segment order
        self.segments = [(s, name_of(g, s), chains) for s, chains in
                         sorted(chains_by_segment(g).items(), key=lambda item: (sorted(item[1])[:1], *segment_key(g, item[0])))]
        self._chain_members: dict[str, np.ndarray] = {}
        self._segment_members: dict[str, np.ndarray] = {}
        self._values: dict[str, tuple[list, np.ndarray]] = {}

    def _codes(self, g: nx.MultiDiGraph, base: list[str], forms: list, pair_org: np.ndarray,
               pair_enterprise: np.ndarray) -> np.ndarray:
        """Each base enterprise's code: its state (the module docstring's) above the figure
        flags (:func:`_article_figures`) its party members allow, masked by those its state
        allows. A covered enterprise takes the strongest state its orgs' formations give
        (``_STATES_WEAKEST_FIRST``); only enterprises no org covers have their incoming
        relationships scanned, for work coverage."""
        import numpy as np

        # uncovered imports this module, so its thresholds are read here
        from graph.analysis.uncovered import MIN_BRANCH_MEMBERS, MIN_JOINT_MEMBERS

        pred = g._pred
        strength_of = {f: _STATES_WEAKEST_FIRST.index(st) for f, st in _STATE_OF_FORMATION.items()}
        strength = np.fromiter(map(strength_of.get, forms, repeat(_STATES_WEAKEST_FIRST.index(OTHER_ORG))), np.intp, len(forms))
        strongest = np.full(len(base), -1, np.intp)
        np.maximum.at(strongest, pair_enterprise, strength[pair_org])
        state = np.full(len(base), _STATES.index(NONE), np.intp)
        no_org = np.flatnonzero(strongest < 0).tolist()
        reached = [n for n in no_org if not all(map(_WORK_RELS.isdisjoint, pred[base[n]].values()))]
        state[reached] = _STATES.index(WORK)
        covered = strongest >= 0
        state[covered] = np.array([_STATES.index(st) for st in _STATES_WEAKEST_FIRST], np.intp)[strongest[covered]]
        # party members: fewer than a joint branch needs (or unknown), fewer than a branch needs, or more
        few = {None: 0} | dict.fromkeys(range(MIN_JOINT_MEMBERS), 0)
        few |= dict.fromkeys(range(MIN_JOINT_MEMBERS, MIN_BRANCH_MEMBERS), 1)
        people = map(dict.get, map(g._node.__getitem__, base), repeat("party_members"))
        bucket = np.fromiter(map(few.get, people, repeat(2)), np.intp, len(base))
        allowed = (0, _WITH_MEMBERS | _WITH_MEMBERS_COVERED, _MEMBER_FLAGS)  # by bucket
        code_of = np.array([[_STATE_CODES[st] | (flags & _STATE_MASKS[st]) for flags in allowed] for st in _STATES], np.intp)
        code = code_of[state, bucket]
        # instructors are few: their reach is read from their side
        position = self.position
        instructed = [
            position[e]
            for i in ids_with_label(g, Label.INSTRUCTOR)
            for target in out_ids(g, i, RelType.ASSIGNED_TO)
            for e in (out_ids(g, target, RelType.COVERS) if target not in position else (target,))
            if e in position
        ]
        code[instructed] |= _INSTRUCTED
        return code

    def require_chain(self, chain: str) -> None:
        """``membership.require_chain`` over the chains this base was numbered with."""
        if chain not in self.chain_names:
            raise chain_not_found(chain, self.chain_names)

    def chain_members(self, g: nx.MultiDiGraph | None, chain: str) -> np.ndarray:
        """The numbers of ``chain``'s base enterprises, ascending (``g``: the graph numbered,
        None for a kept base, which has them all)."""
        if chain not in self._chain_members:
            self._chain_members[chain] = self._numbers(chain_enterprises(g, chain))
        return self._chain_members[chain]

    def segment_members(self, g: nx.MultiDiGraph | None, segment: str) -> np.ndarray:
        """The numbers of ``segment``'s base enterprises, ascending."""
        if segment not in self._segment_members:
            self._segment_members[segment] = self._numbers(segment_enterprises(g, segment))
        return self._segment_members[segment]

    def values(self, g: nx.MultiDiGraph | None, prop: str) -> tuple[list, np.ndarray]:
        """The distinct values of ``prop`` over the base (``""`` for none given), and for each
        base enterprise the index of its own among them."""
        if prop not in self._values:
            import numpy as np

            index: dict = {}
            nodes = g._node
            of = [index.setdefault(nodes[e].get(prop) or "", len(index)) for e in self.position]
            self._values[prop] = (list(index), np.array(of, np.intp))
        return self._values[prop]

    def orgs_covering(self, members: np.ndarray) -> np.ndarray:
        """A mask over the orgs: those that cover any of ``members`` (the pairs of each
        member are one run of ``org_of_pair``, gathered for all members at once)."""
        import numpy as np

        starts = self.first_pair[members]
        runs = self.first_pair[members + 1] - starts
        before = np.cumsum(runs) - runs
        pairs = np.repeat(starts - before, runs) + np.arange(int(runs.sum()))
        covering = np.zeros(self.orgs, bool)
        covering[self.org_of_pair[pairs]] = True
        return covering

    def complete(self, g: nx.MultiDiGraph) -> CoverageBase:
        """Number every chain's and segment's members and every grouped property's values
        of ``g`` now, so that no report of this base needs ``g`` again. Returns the base."""
        for c in self.chain_names:
            self.chain_members(g, c)
        for s, _, _ in self.segments:
            self.segment_members(g, s)
        for prop in _GROUPED_PROPERTIES:
            self.values(g, prop)
        return self

    def kept(self) -> dict:
        """This base, complete (``complete``), as plain values ``marshal`` keeps, for
        ``from_kept`` in another process: the arrays as their dtype and bytes."""
        self._check_whole()
        return {
            "counts": (self.version, self.size, self.orgs),
            "names": (self.chain_names, self.segments),
            "arrays": {name: _packed(getattr(self, name)) for name in _KEPT_ARRAYS},
            "committees": {c: _packed(a) for c, a in self.committees.items()},
            "chains": {c: _packed(a) for c, a in self._chain_members.items()},
            "segments": {s: _packed(a) for s, a in self._segment_members.items()},
            "values": {prop: (values, _packed(of)) for prop, (values, of) in self._values.items()},
        }

    @classmethod
    def from_kept(cls, kept: dict) -> CoverageBase:
        """The base ``kept`` gave; it sums every report without a graph. Raises KeyError,
        TypeError or ValueError for anything ``kept`` did not make."""
        base = cls.__new__(cls)
        base.version, base.size, base.orgs = kept["counts"]
        base.chain_names, segments = kept["names"]
        base.segments = [(s, name, list(chains)) for s, name, chains in segments]
        for name in _KEPT_ARRAYS:
            setattr(base, name, _unpacked(kept["arrays"][name]))
        base.committees = {c: _unpacked(a) for c, a in kept["committees"].items()}
        base._chain_members = {c: _unpacked(a) for c, a in kept["chains"].items()}
        base._segment_members = {s: _unpacked(a) for s, a in kept["segments"].items()}
        base._values = {prop: (list(values), _unpacked(of)) for prop, (values, of) in kept["values"].items()}
        base.position = None  # what numbered the graph: nothing is left to number
        base._check_whole()
        return base

    def _check_whole(self) -> None:
        """ValueError unless every part a report reads is here, each as long as it must be."""
        by_enterprise = (self.code, *(of for _, of in self._values.values()))
        by_org = (self.standalone, self.joint, self.industry, self.demonstration, self.star_slot)
        if (set(self._chain_members) != set(self.chain_names) or set(self.committees) != set(self.chain_names)
                or set(self._segment_members) != {s for s, _, _ in self.segments}
                or set(self._values) != set(_GROUPED_PROPERTIES)
                or any(len(a) != self.size for a in by_enterprise) or any(len(a) != self.orgs for a in by_org)
                or len(self.first_pair) != self.size + 1 or len(self.org_of_pair) != len(self.enterprise_of_pair)):
            raise ValueError("an incomplete coverage base")

    def _numbers(self, ids: Iterable[str]) -> np.ndarray:
        import numpy as np

        position = self.position
        return np.sort(np.fromiter((position[e] for e in ids if e in position), np.intp))


# The arrays a kept base holds besides each chain's committees and the groupings' members.
_KEPT_ARRAYS = ("org_of_pair", "enterprise_of_pair", "first_pair", "code", "standalone", "joint", "industry",
                "demonstration", "star_slot")


def _packed(a: np.ndarray) -> tuple[str, bytes]:
    return a.dtype.str, a.tobytes()


def _unpacked(packed: tuple[str, bytes]) -> np.ndarray:
    import numpy as np

    dtype, data = packed
    return np.frombuffer(data, np.dtype(dtype))  # read-only: a report never writes into the base


_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # frozen graph -> its CoverageBase
_kept_lock = threading.Lock()


class _Summariser:
    """One report over a numbered base: its members (the whole base, or a chain's), and how
    many of them each org covers (``enterprises_per_joint_org``); then any group of them,
    with the group's chains for their committees, summed into a Coverage."""

    def __init__(self, numbered: CoverageBase, members: np.ndarray | None):
        import numpy as np

        self.numbered = numbered
        self.base = np.arange(numbered.size) if members is None else members
        self.in_report = np.zeros(numbered.size, bool)
        self.in_report[self.base] = True
        pairs_in_report = self.in_report[numbered.enterprise_of_pair]
        self.reach = np.bincount(numbered.org_of_pair[pairs_in_report], minlength=numbered.orgs)

    def __call__(self, members: np.ndarray, chains: Iterable[str]) -> Coverage:
        """``members``: numbers of the report's base enterprises (the base itself, or a group)."""
        import numpy as np

        numbered = self.numbered
        counted = np.bincount(numbered.code[members], minlength=len(_STATES) << _FLAG_BITS)
        states, flags = Counter(), Counter()
        for code in np.flatnonzero(counted).tolist():
            states[_STATES[code >> _FLAG_BITS]] += int(counted[code])
            flags[code & _FLAG_MASK] += int(counted[code])
        covering = numbered.orgs_covering(members)
        for c in chains:
            covering[numbered.committees[c]] = True
        orgs = np.flatnonzero(covering)
        org_covered = sum(states[state] for state in ORG_COVERED_STATES)
        base = len(members)
        stars = np.bincount(numbered.star_slot[orgs], minlength=len(STAR_KEYS)).tolist()
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
            standalone_orgs=int(np.count_nonzero(numbered.standalone[orgs])),
            joint_orgs=int(np.count_nonzero(numbered.joint[orgs])),
            industry_committees=int(np.count_nonzero(numbered.industry[orgs])),
            **_article_figures(
                flags, base, dict(zip(STAR_KEYS, stars)), int(np.count_nonzero(numbered.demonstration[orgs])),
                self.reach[orgs[numbered.joint[orgs]]].tolist(),
            ),
        )


def _article_figures(flag_counts: Counter, size: int, stars: dict[str, int], demonstration_sites: int,
                     joint_reach: list[int]) -> dict:
    """The figures the seed articles quote, for a group: from its members' flags counted in
    ``flag_counts`` and, of its counted orgs, how many have each star, how many are
    demonstration sites, and each joint one's reach.

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
    count = dict.fromkeys(_FLAGS, 0)
    for flags, n in flag_counts.items():
        for flag in _FLAGS:
            if flags & flag:
                count[flag] += n
    eligible, own_org = count[_ELIGIBLE], count[_OWN_ORG]
    with_members, with_members_covered = count[_WITH_MEMBERS], count[_WITH_MEMBERS_COVERED]
    return {
        "standalone_eligible": eligible,
        "standalone_eligible_own_org": own_org,
        "standalone_formation_rate": coverage_rate(own_org, eligible),
        "with_members": with_members,
        "with_members_covered": with_members_covered,
        "with_members_coverage_rate": coverage_rate(with_members_covered, with_members),
        "instructor_covered": count[_INSTRUCTED],
        "instructor_coverage_rate": coverage_rate(count[_INSTRUCTED], size),
        "stars": stars,
        "demonstration_sites": demonstration_sites,
        "enterprises_per_joint_org_avg": round(sum(joint_reach) / len(joint_reach), RATE_DIGITS) if joint_reach else 0.0,
        "enterprises_per_joint_org_max": max(joint_reach, default=0),
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


# Each grouper gives (key, name, the numbers of the group's base enterprises in the report,
# the group's chains). Members are read from the segments' side, so supply links are never
# scanned.
Group = tuple[str, str, "np.ndarray", list[str]]


def _by_chain(g: nx.MultiDiGraph | None, numbered: CoverageBase, in_report: np.ndarray, chain: str | None) -> list[Group]:
    chains = [chain] if chain is not None else list(numbered.chain_names)
    return _with_the_rest([(c, numbered.chain_names[c], _within(numbered.chain_members(g, c), in_report), [c]) for c in chains],
                          in_report)


def _by_segment(g: nx.MultiDiGraph | None, numbered: CoverageBase, in_report: np.ndarray, chain: str | None) -> list[Group]:
    listed = [(s, name, chains) for s, name, chains in numbered.segments if chain is None or chain in chains]
    named = Counter(name for _, name, _ in listed)
    return _with_the_rest([
        (s, name if named[name] == 1 else name + "（" + "、".join(numbered.chain_names.get(c, c) for c in chains) + "）",
         _within(numbered.segment_members(g, s), in_report), [chain] if chain is not None else chains)
        for s, name, chains in listed
    ], in_report)  # segments of one name in several chains (未分环节) are named with their chains: 未分环节（工程机械）


def _with_the_rest(groups: list[Group], in_report: np.ndarray) -> list[Group]:
    """``groups`` and, under the key ``""`` (as a park or street left blank), the report's
    base enterprises in none of them: the rows then cover the whole base, as 合计 does."""
    import numpy as np

    grouped = np.zeros(len(in_report), dtype=bool)
    for _, _, members, _ in groups:
        grouped[members] = True
    rest = np.flatnonzero(in_report & ~grouped)
    return [*groups, ("", NO_CHAIN_GROUP_NAME, rest, [])] if rest.size else groups


def _by_property(prop: str):
    def group(g: nx.MultiDiGraph | None, numbered: CoverageBase, in_report: np.ndarray, chain: str | None) -> list[Group]:
        import numpy as np

        values, value_of = numbered.values(g, prop)
        report = np.flatnonzero(in_report)
        order = np.argsort(value_of[report], kind="stable")
        present, first = np.unique(value_of[report][order], return_index=True)
        members = dict(zip(present.tolist(), np.split(report[order], first[1:])))
        # Only chains with a committee change a count, so only those are looked up.
        chains_of: dict[int, list[str]] = {value: [] for value in members}
        for c in [chain] if chain is not None else numbered.chain_names:
            if numbered.committees[c].size:
                for value in np.unique(value_of[_within(numbered.chain_members(g, c), in_report)]).tolist():
                    chains_of[value].append(c)
        return [
            (values[value], values[value] or MISSING_GROUP_NAME, members[value], chains_of[value])
            for value in sorted(members, key=lambda v: (values[v] == "", values[v]))
        ]

    return group


def _within(members: np.ndarray, in_report: np.ndarray) -> np.ndarray:
    """Those of ``members`` in the report (all of them, unless the report is one chain's)."""
    return members[in_report[members]]


def _by_kind(g: nx.MultiDiGraph | None, numbered: CoverageBase, in_report: np.ndarray, chain: str | None) -> list[Group]:
    """企业 and 社会组织: the park/street grouping over ``kind``, named as the schema names them."""
    by_kind = _by_property("kind")(g, numbered, in_report, chain)
    return [(key, ENTERPRISE_KINDS.get(key, name), members, chains) for key, name, members, chains in by_kind]


_GROUPERS = {
    "chain": _by_chain,
    "segment": _by_segment,
    "park": _by_property("park"),
    "street": _by_property("street"),
    "kind": _by_kind,
}
_GROUPED_PROPERTIES = ("park", "street", "kind")  # what _by_property groups by
