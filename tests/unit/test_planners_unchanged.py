"""The faster planners make the same plans as before, field for field and in order.

Pairings against the plans the planner made as it was (``graph/analysis/planners/pairings.py``
at f320bda): a digest of each plan's JSON, recorded in
``tests/fixtures/pairing_plans_before.json`` (the same across hash seeds; to see a
difference, run that planner from git history on the case named). The demos' four were
recorded again when organisations not at work (``is_working_org``: covering no base
enterprise) stopped being paired; the random districts' orgs all cover one, unchanged. Contacts and
instructors with the simplex pricing in bulk against networkx's own network simplex. On
random graphs shaped like a district (parks, segments, supply links, strong and weak
organisations, pairings already made) and on the small and district demos.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import networkx as nx
import pytest

import graph.analysis.planners.assignment as assignment_module
import graph.analysis.planners.network_simplex as simplex_module
from graph.analysis.jsonable import to_jsonable
from graph.analysis.planners import plan_contacts, plan_instructors, plan_pairings
from graph.builder import GraphBuilder
from graph.projection import project
from graph.sqlite_store import SQLiteStore
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths

PLANS_BEFORE = json.loads((Path(__file__).parent.parent / "fixtures" / "pairing_plans_before.json").read_text(encoding="utf-8"))


def _plan(plan) -> dict:
    body = to_jsonable(plan)
    del body["created"]
    return body


def _digest(plan) -> str:
    return hashlib.blake2b(json.dumps(_plan(plan), ensure_ascii=False, sort_keys=True).encode(), digest_size=16).hexdigest()


def _case(name: str, options: dict) -> str:
    return f"{name} {json.dumps(options, sort_keys=True)}"


def _random_district(seed: int):
    """Enterprises in parks and segments of two chains, random supply links, strong
    organisations (stars, demonstration sites, leading enterprises), weak ones, uncovered
    enterprises with and without party members, and some pairings already made."""
    rng = random.Random(seed)
    b = GraphBuilder().chain("C1").chain("C2")
    segments = ["S1", "S2", "S3", "S4"]
    for n, segment in enumerate(segments):
        b.segment(segment, "C1" if n < 2 else "C2", ["upstream", "midstream", "downstream"][n % 3])
    enterprises = [f"E{n:03d}" for n in range(rng.randint(20, 90))]
    for e in enterprises:
        b.enterprise(
            e,
            park=rng.choice(["P1", "P2", "P3", "P4", None]),
            party_members=rng.choice([0, 1, 2, 3, 5, None]),
            employees=rng.choice([None, 5, 30, 300]),
            above_scale=rng.random() < 0.2,
            leading=rng.random() < 0.05,
        )
        for segment in rng.sample(segments, rng.choice([0, 1, 1, 1, 2])):
            b.rel("IN_SEGMENT", e, segment)
    for _ in range(len(enterprises) * rng.randint(1, 3)):
        supplier, customer = rng.sample(enterprises, 2)
        b.rel("SUPPLIES", supplier, customer)
    orgs = [f"O{n:02d}" for n in range(rng.randint(5, 40))]
    for org in orgs:
        b.org(org, star=rng.choice([None, 1, 2, 3, 4, 5]), demonstration=rng.random() < 0.1)
        for e in rng.sample(enterprises, rng.choice([1, 1, 1, 2, 3])):
            b.rel("COVERS", org, e)
    for _ in range(rng.randint(0, 6)):
        source, target = rng.sample(orgs, 2)
        b.rel("PAIRED_WITH", source, target)
    b.node("Instructor", "I1").node("Instructor", "I2").rel("ASSIGNED_TO", "I1", rng.choice(enterprises))
    b.node("Leader", "L1", capacity=3, min_contacts=1).rel("RESPONSIBLE_FOR", "L1", "C1")
    return b.projection()


@pytest.mark.parametrize("seed", range(60))
def test_pairings_as_before_on_random_districts(seed):
    g = _random_district(seed)
    rng = random.Random(seed)
    for n, options in enumerate(({}, {"capacity": rng.randint(1, 4), "max_hops": rng.randint(0, 3),
                                      "nearest": rng.randint(1, 6)}, {"chain": "C2"})):
        case = _case(f"random {seed} #{n}", options)
        assert _digest(plan_pairings(g, **options)) == PLANS_BEFORE[case], case


@pytest.fixture(scope="module", params=["small", "district"])
def demo(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    store = SQLiteStore(folder / "demo.db")
    import_paths(store, write_demo_csv(demo_tables(request.param, seed=2024), folder / "csv"))
    g = project(store.read())
    store.close()
    return g, request.param


def test_pairings_as_before_on_the_demos(demo):
    g, scale = demo
    for options in ({}, {"nearest": 3, "capacity": 1}):
        case = _case(f"{scale} demo", options)
        assert _digest(plan_pairings(g, **options)) == PLANS_BEFORE[case], case


@pytest.mark.parametrize("planner", [plan_contacts, plan_instructors])
def test_contacts_and_instructors_as_with_networkx_simplex_on_the_demos(demo, planner, monkeypatch):
    """Priced in bulk (as big networks are) or over lists, the plan is the one networkx's
    own network simplex gives."""
    demo, _ = demo
    monkeypatch.setattr(simplex_module, "PRICED_IN_BULK", 1)
    in_bulk = _plan(planner(demo))
    monkeypatch.setattr(simplex_module, "PRICED_IN_BULK", 10**9)
    over_lists = _plan(planner(demo))
    monkeypatch.setattr(assignment_module, "network_simplex", nx.network_simplex)
    assert in_bulk == over_lists == _plan(planner(demo))


@pytest.mark.parametrize("seed", range(20))
def test_strong_orgs_in_one_pass_as_one_by_one(seed):
    """``strong_orgs`` reads who covers a leading enterprise from the enterprises' side:
    the same organisations, in the same order, for the same reasons."""
    from graph.analysis.planners.targets import strong_org_reasons, strong_orgs
    from graph.projection import ids_with_label
    from graph.schema import Label

    g = _random_district(seed)
    one_by_one = {o: r for o in ids_with_label(g, Label.PARTY_ORG) if (r := strong_org_reasons(g, o))}
    assert list(strong_orgs(g).items()) == list(one_by_one.items())
