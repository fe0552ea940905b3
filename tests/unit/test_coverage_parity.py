"""coverage_report against a plain reading of its rules, on random small graphs.

The report sums numbered arrays kept with a frozen projection; the reference here walks
each enterprise and org one by one, as the module docstring states the rules. Every
grouping, with and without ``chain=``, on the graph as built, on the frozen graph asked
twice (the second answer comes from the kept arrays) and from the base as another process
reads it back from disk (``CoverageBase.kept``, through marshal, with no graph). The graphs mix what the arrays must
get right: enterprises covered by several orgs (standalone with joint, joint with
industry, orgs with no formation), covered but out of the base or closed, industry
committees and other orgs leading chains, chains and segments with no enterprise, and
empty graphs.
"""

from __future__ import annotations

import marshal
import random
from collections import Counter

import networkx as nx
import pytest

from graph.analysis.coverage import (
    GROUPINGS,
    MISSING_GROUP_NAME,
    NO_CHAIN_GROUP_NAME,
    STAR_KEYS,
    UNRATED,
    CoverageBase,
    base_report,
    coverage_base,
    coverage_report,
)
from graph.errors import NotFound
from graph.analysis.membership import name_of, segment_key
from graph.builder import GraphBuilder
from graph.projection import project
from graph.schema import ENTERPRISE_KINDS

FORMATIONS = ("standalone", "joint", "industry", None)
WORK = {"ASSIGNED_TO", "CONTACTS", "PAIRED_WITH"}


def random_graph(seed: int) -> GraphBuilder:
    rng = random.Random(seed)
    b = GraphBuilder()
    chains = [f"C{i}" for i in range(rng.randint(0, 3))]
    for c in chains:
        b.chain(c)
    segments = []
    for i in range(rng.randint(0, 5) if chains else 0):
        s = f"S{i}"
        b.segment(s, rng.choice(chains), rng.choice(["upstream", "midstream", "downstream"]),
                  **({"order": rng.randint(1, 3)} if rng.random() < 0.5 else {}))
        if rng.random() < 0.2:  # a segment shared by a second chain
            b.rel("PART_OF", s, rng.choice(chains))
        segments.append(s)
    enterprises = [f"E{i:02d}" for i in range(rng.randint(0, 14))]
    for e in enterprises:
        b.enterprise(
            e,
            in_base=rng.random() < 0.85,
            status=rng.choice(["active"] * 6 + ["closed", "moved"]),
            kind=rng.choice(["enterprise", "enterprise", "social_org"]),
            **({"park": rng.choice(["P1", "P2", "P3"])} if rng.random() < 0.7 else {}),
            **({"street": rng.choice(["T1", "T2"])} if rng.random() < 0.7 else {}),
            **({"party_members": rng.randint(0, 5)} if rng.random() < 0.8 else {}),
        )
        for s in rng.sample(segments, rng.randint(0, min(2, len(segments)))):
            b.rel("IN_SEGMENT", e, s)
    orgs = [f"O{i}" for i in range(rng.randint(0, 7))]
    for o in orgs:
        props = {"formation": rng.choice(FORMATIONS)}
        if rng.random() < 0.7:
            props["star"] = rng.randint(1, 5)
        if rng.random() < 0.3:
            props["demonstration"] = True
        b.org(o, **props)
        for e in rng.sample(enterprises, rng.randint(0, min(4, len(enterprises)))):
            b.rel("COVERS", o, e)
        if chains and rng.random() < 0.3:
            b.rel("LEADS", o, rng.choice(chains))
    b.node("Instructor", "I1").node("Leader", "L1").node("Unit", "U1")
    for e in enterprises:
        for source, rtype in (("I1", "ASSIGNED_TO"), ("L1", "CONTACTS"), ("U1", "PAIRED_WITH")):
            if rng.random() < 0.12:
                b.rel(rtype, source, e)
    for o in orgs:
        if rng.random() < 0.2:  # a first secretary in an org reaches what the org covers
            b.rel("ASSIGNED_TO", "I1", o)
        if rng.random() < 0.2:
            b.rel("PAIRED_WITH", "U1", o)
    return b


# -- the reference: one enterprise, one org at a time -----------------------------------

def _labelled(g, label):
    return [n for n, a in g.nodes(data=True) if a["label"] == label]


def _sources(g, node, rtype):
    return {u for u, _, k in g.in_edges(node, keys=True) if k == rtype}


def _targets(g, node, rtype):
    return {v for _, v, k in g.out_edges(node, keys=True) if k == rtype}


def _rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


def _state(g, e):
    orgs = _sources(g, e, "COVERS")
    formations = {g.nodes[o].get("formation") for o in orgs}
    if orgs:
        return "standalone" if "standalone" in formations else "joint" if formations == {"joint"} else "other_org"
    reached = any(k in WORK for _, _, k in g.in_edges(e, keys=True))
    return "work" if reached else "none"


def _chain_members(g, c):
    return {e for s in _sources(g, c, "PART_OF") for e in _sources(g, s, "IN_SEGMENT")}


def _summary(g, members, chains, report_base):
    state = {e: _state(g, e) for e in members}
    orgs = {o for e in members for o in _sources(g, e, "COVERS")}
    orgs |= {o for c in chains for o in _sources(g, c, "LEADS")}
    committees = {o for o in orgs if g.nodes[o].get("formation") == "industry" or _targets(g, o, "LEADS")}
    states = Counter(state.values())
    org_covered = states["standalone"] + states["joint"] + states["other_org"]
    people = {e: g.nodes[e].get("party_members") or 0 for e in members}
    eligible = [e for e in members if people[e] >= 3]
    with_members = [e for e in members if people[e] >= 1]
    instructors = set(_labelled(g, "Instructor"))
    instructed = [
        e for e in members
        if _sources(g, e, "ASSIGNED_TO") & instructors
        or any(_sources(g, o, "ASSIGNED_TO") & instructors for o in _sources(g, e, "COVERS"))
    ]
    stars = Counter(str(g.nodes[o].get("star") or UNRATED) for o in orgs)
    joint = [o for o in orgs if g.nodes[o].get("formation") == "joint"]
    reach = [len(_targets(g, o, "COVERS") & report_base) for o in joint]
    n = len(members)
    return {
        "base": n,
        "org_covered": org_covered,
        "covered_by_standalone": states["standalone"],
        "covered_by_joint": states["joint"],
        "work_covered": states["work"],
        "uncovered": states["none"],
        "org_coverage_rate": _rate(org_covered, n),
        "two_coverage_rate": _rate(org_covered + states["work"], n),
        "party_orgs": len(orgs),
        "standalone_orgs": sum(g.nodes[o].get("formation") == "standalone" for o in orgs),
        "joint_orgs": len(joint),
        "industry_committees": len(committees),
        "standalone_eligible": len(eligible),
        "standalone_eligible_own_org": sum(state[e] == "standalone" for e in eligible),
        "standalone_formation_rate": _rate(sum(state[e] == "standalone" for e in eligible), len(eligible)),
        "with_members": len(with_members),
        "with_members_covered": sum(state[e] in ("standalone", "joint", "other_org") for e in with_members),
        "with_members_coverage_rate": _rate(
            sum(state[e] in ("standalone", "joint", "other_org") for e in with_members), len(with_members)),
        "instructor_covered": len(instructed),
        "instructor_coverage_rate": _rate(len(instructed), n),
        "stars": {key: stars[key] for key in STAR_KEYS},
        "demonstration_sites": sum(bool(g.nodes[o].get("demonstration")) for o in orgs),
        "enterprises_per_joint_org_avg": round(sum(reach) / len(reach), 4) if reach else 0.0,
        "enterprises_per_joint_org_max": max(reach, default=0),
    }


def reference(g, by, chain):
    chains = sorted(_labelled(g, "Chain")) if chain is None else [chain]
    base = {e for e in _labelled(g, "Enterprise")
            if g.nodes[e].get("in_base") and g.nodes[e].get("status") == "active"}
    if chain is not None:
        base &= _chain_members(g, chain)
    totals = _summary(g, base, chains, base)
    groups = []
    if by == "chain":
        groups = [(c, name_of(g, c), base & _chain_members(g, c), [c]) for c in chains]
    elif by == "segment":
        segment_chains = {s: sorted(_targets(g, s, "PART_OF")) for s in _labelled(g, "Segment")}
        shown = [s for s, cs in segment_chains.items() if chain is None or chain in cs]
        for s in sorted(shown, key=lambda s: (segment_chains[s][:1], *segment_key(g, s))):
            groups.append((s, name_of(g, s), base & _sources(g, s, "IN_SEGMENT"),
                           [chain] if chain is not None else segment_chains[s]))
    if by in ("chain", "segment") and (rest := base - set().union(*(members for _, _, members, _ in groups))):
        groups.append(("", NO_CHAIN_GROUP_NAME, rest, []))  # the base enterprises in no chain, as 合计 counts them
    elif by not in (None, "chain", "segment"):
        value = {e: g.nodes[e].get(by) or "" for e in base}
        for key in sorted(set(value.values()), key=lambda k: (k == "", k)):
            members = {e for e in base if value[e] == key}
            name = key or MISSING_GROUP_NAME
            if by == "kind":
                name = ENTERPRISE_KINDS.get(key, name)
            groups.append((key, name, members, [c for c in chains if members & _chain_members(g, c)]))
    return {
        "totals": totals,
        "groups": [{"key": key, "name": name, **_summary(g, members, cs, base)} for key, name, members, cs in groups],
    }


@pytest.mark.parametrize("seed", range(60))
def test_report_matches_the_rules_read_one_enterprise_at_a_time(seed):
    built = random_graph(seed).projection()
    frozen = nx.freeze(random_graph(seed).projection())
    fresh = random_graph(seed).projection()
    read_back = CoverageBase.from_kept(marshal.loads(marshal.dumps(coverage_base(fresh).complete(fresh).kept())))
    for by in (None, *GROUPINGS):
        for chain in (None, *sorted(_labelled(built, "Chain"))):
            expected = reference(built, by, chain)
            assert coverage_report(built, by=by, chain=chain).to_dict() == expected, (by, chain)
            for _ in range(2):  # numbered on the first call, from the kept numbers on the second
                assert coverage_report(frozen, by=by, chain=chain).to_dict() == expected, (by, chain)
            assert base_report(read_back, by=by, chain=chain).to_dict() == expected, (by, chain)


@pytest.mark.parametrize("seed", range(0, 60, 7))
def test_a_kept_base_refuses_what_the_graph_refuses(seed):
    g = random_graph(seed).projection()
    kept = CoverageBase.from_kept(marshal.loads(marshal.dumps(coverage_base(g).complete(g).kept())))
    with pytest.raises(NotFound) as from_graph:
        coverage_report(g, chain="C9")
    with pytest.raises(NotFound) as from_kept:
        base_report(kept, chain="C9")
    assert str(from_kept.value) == str(from_graph.value)
    with pytest.raises(ValueError, match="unknown grouping"):
        base_report(kept, by="city")


def test_a_kept_base_missing_a_part_is_refused():
    g = random_graph(3).projection()
    kept = coverage_base(g).complete(g).kept()
    del kept["values"]["street"]
    with pytest.raises(ValueError):
        CoverageBase.from_kept(kept)
    with pytest.raises(KeyError):
        CoverageBase.from_kept({"counts": (1, 0, 0)})


def test_an_empty_graph_reports_an_empty_base():
    g = nx.freeze(GraphBuilder().projection())
    for by in (None, *GROUPINGS):
        report = coverage_report(g, by=by).to_dict()
        assert report == reference(g, by, None)
        assert report["totals"]["base"] == 0 and report["groups"] == []


def test_another_version_is_numbered_again():
    """A frozen graph's numbers are kept with that graph; the next version's graph has its own."""
    def graph(version: int, *covered: str):
        b = GraphBuilder().enterprise("E1").enterprise("E2").org("O1")
        for e in covered:
            b.rel("COVERS", "O1", e)
        return nx.freeze(project(b.data(version=version)))

    before = graph(1, "E1")
    assert coverage_report(before).totals.org_covered == 1
    after = graph(2, "E1", "E2")
    assert coverage_report(after).totals.org_covered == 2
    assert coverage_report(before).totals.org_covered == 1


def test_stars_are_counted_by_how_they_read_not_by_equal_numbers():
    """4 and 4.0 (and 1 and True) are one key to a dict; the report counts a star by its
    text, so only the whole numbers 5..1 are stars, whatever came first."""
    from graph.analysis.coverage import coverage_report

    b = GraphBuilder()
    for n, star in enumerate([4.0, 4, True, 1, None]):
        b.enterprise(f"E{n}").org(f"O{n}", star=star).rel("COVERS", f"O{n}", f"E{n}")
    assert coverage_report(b.projection()).to_dict()["totals"]["stars"] == {"5": 0, "4": 1, "3": 0, "2": 0, "1": 1, "unrated": 1}
