"""Planners: the min-cost-flow core against brute force, and each planner on hand-built graphs."""

from __future__ import annotations

import copy
import itertools
import random
from collections import Counter
from dataclasses import replace

import pytest
from graph.builder import GraphBuilder

import graph.analysis.planners.assignment as assignment_module
from graph.analysis.planners import plan_contacts, plan_instructors, plan_joint_branches, plan_pairings
from graph.analysis.planners.assignment import (
    OUT_OF_CHAIN_REASON,
    Candidate,
    Person,
    Target,
    chain_candidates,
    objective,
    solve_assignment,
)
from graph.analysis.planners.joint_branches import MAX_JOINT_UNITS
from graph.errors import NotFound, PlanInfeasible
from graph.schema import RelType

# -- the core against brute force ----------------------------------------------------------


def brute_force(people: list[Person], targets: list[Target], candidates: list[Candidate]):
    """The best objective over every way of giving each target to one person or nobody;
    None if no way meets every minimum."""
    allowed = {(c.person, c.pool): c for c in candidates}
    options = [[None] + [p for p in people if (p.group_key, t.pool_key) in allowed] for t in targets]
    best = None
    for choice in itertools.product(*options):
        taken = Counter(p.id for p in choice if p is not None)
        if any(taken[p.id] > p.free or taken[p.id] < p.need for p in people):
            continue
        made = [(allowed[(p.group_key, t.pool_key)], t) for p, t in zip(choice, targets) if p is not None]
        score = (
            sum(c.fallback for c, _ in made),
            -len(made),
            sum(c.cost for c, _ in made),
            round(-sum(t.priority for _, t in made), 6),
        )
        best = score if best is None else min(best, score)
    return best


def assert_valid(people, targets, candidates, assignments):
    allowed = {(c.person, c.pool) for c in candidates}
    pool_of = {t.id: t.pool_key for t in targets}
    group_of = {p.id: p.group_key for p in people}
    assert len({a.target for a in assignments}) == len(assignments), "a target got two people"
    taken = Counter(a.person for a in assignments)
    for p in people:
        assert p.need <= taken[p.id] <= p.free, p
    for a in assignments:
        assert (group_of[a.person], pool_of[a.target]) in allowed


def random_case(rng: random.Random, *, pooled: bool, grouped: bool = False):
    people = []
    for i in range(rng.randint(1, 3)):
        capacity = rng.randint(0, 3)
        group = rng.choice(["g0", "g1"]) if grouped else None
        people.append(
            Person(
                f"P{i}", capacity=capacity, minimum=rng.randint(0, capacity), load=rng.choice([0, 0, 1, 2]), group=group
            )
        )
    pools = [f"pool{k}" for k in range(rng.randint(1, 3))]
    targets = [
        Target(f"T{j}", priority=rng.choice([0, 1, 2.5, 7, 7, 10.25]), pool=rng.choice(pools) if pooled else None)
        for j in range(rng.randint(0, 5))
    ]
    keys = list(dict.fromkeys(t.pool_key for t in targets))
    candidates = [
        Candidate(g, k, cost=rng.randint(0, 3), fallback=rng.random() < 0.25)
        for g in dict.fromkeys(p.group_key for p in people)
        for k in keys
        if rng.random() < 0.7
    ]
    return people, targets, candidates


@pytest.mark.parametrize("pooled, grouped", [(False, False), (True, False), (True, True)])
def test_core_plan_matches_brute_force_on_small_cases(pooled, grouped):
    rng = random.Random(20240501 + pooled + 2 * grouped)
    feasible = infeasible = 0
    for _ in range(400):
        people, targets, candidates = random_case(rng, pooled=pooled, grouped=grouped)
        best = brute_force(people, targets, candidates)
        if best is None:
            infeasible += 1
            with pytest.raises(PlanInfeasible):
                solve_assignment(people, targets, candidates)
            continue
        feasible += 1
        assignments = solve_assignment(people, targets, candidates)
        assert_valid(people, targets, candidates, assignments)
        fallbacks, count, cost, priority = objective(assignments)
        assert (fallbacks, count, cost, round(priority, 6)) == best, (people, targets, candidates)
    assert feasible > 100 and infeasible > 20  # both branches really exercised


def without_minimums(people: list[Person]) -> list[Person]:
    return [replace(p, minimum=0) for p in people]


@pytest.mark.parametrize("pooled, grouped", [(False, False), (True, False), (True, True)])
def test_shortest_paths_match_brute_force_without_minimums(pooled, grouped):
    rng = random.Random(20240601 + pooled + 2 * grouped)
    for _ in range(400):
        people, targets, candidates = random_case(rng, pooled=pooled, grouped=grouped)
        people = without_minimums(people)
        assignments = solve_assignment(people, targets, candidates, method="shortest_paths")
        assert_valid(people, targets, candidates, assignments)
        fallbacks, count, cost, priority = objective(assignments)
        assert (fallbacks, count, cost, round(priority, 6)) == brute_force(people, targets, candidates)


def larger_case(rng: random.Random):
    """Tens of people, hundreds of targets, a few candidates each: too big for brute force."""
    people = [
        Person(f"P{i}", capacity=rng.randint(0, 4), load=rng.randint(0, 2), group=rng.choice([None, "g1", "g2"]))
        for i in range(rng.randint(5, 40))
    ]
    targets = [
        Target(f"T{j}", priority=rng.choice([0, 1, 2.5, 7, 10.25, 30]), pool=rng.choice([None, f"k{j % 7}"]))
        for j in range(rng.randint(10, 200))
    ]
    keys = list(dict.fromkeys(t.pool_key for t in targets))
    groups = list(dict.fromkeys(p.group_key for p in people))
    candidates = [
        Candidate(g, k, cost=rng.randint(0, 8), fallback=rng.random() < 0.05)
        for g in groups
        for k in rng.sample(keys, min(len(keys), rng.randint(1, 8)))
    ]
    return people, targets, candidates


def test_shortest_paths_and_simplex_agree_on_larger_cases():
    rng = random.Random(11)
    for _ in range(40):
        people, targets, candidates = larger_case(rng)
        by_paths = solve_assignment(people, targets, candidates, method="shortest_paths")
        by_simplex = solve_assignment(people, targets, candidates, method="simplex")
        assert_valid(people, targets, candidates, by_paths)
        assert objective(by_paths)[:3] == objective(by_simplex)[:3]
        assert objective(by_paths)[3] == pytest.approx(objective(by_simplex)[3])


def test_auto_falls_back_to_the_simplex_when_the_paths_run_long(monkeypatch):
    rng = random.Random(12)
    people, targets, candidates = larger_case(rng)
    expected = objective(solve_assignment(people, targets, candidates, method="simplex"))
    monkeypatch.setattr(assignment_module, "SHORTEST_PATHS_WORK", 0)
    made = solve_assignment(people, targets, candidates, method="auto")
    assert_valid(people, targets, candidates, made)
    assert objective(made)[:3] == expected[:3]


def test_auto_uses_the_simplex_for_minimums_and_shortest_paths_refuse_them():
    people = [Person("L1", capacity=2, minimum=1), Person("L2", capacity=2)]
    targets = [Target("E1", 1), Target("E2", 9)]
    candidates = [Candidate(p.id, t.id) for p in people for t in targets]
    made = solve_assignment(people, targets, candidates, method="auto")
    assert "L1" in {a.person for a in made} and len(made) == 2
    with pytest.raises(ValueError):
        solve_assignment(people, targets, candidates, method="shortest_paths")


def test_shortest_paths_keep_the_earlier_target_on_a_tie():
    people = [Person("S", capacity=2)]
    targets = [Target("W0", 5), Target("W1", 5), Target("W2", 5)]
    made = solve_assignment(people, targets, [Candidate("S", t.id) for t in targets], method="shortest_paths")
    assert [a.target for a in made] == ["W0", "W1"]


def test_grouped_people_get_the_same_optimum_as_each_on_their_own():
    rng = random.Random(13)
    for _ in range(40):
        people, targets, candidates = larger_case(rng)
        members = {}
        for p in people:
            members.setdefault(p.group_key, []).append(p.id)
        one_by_one = [replace(p, group=None) for p in people]
        each = [replace(c, person=pid) for c in candidates for pid in members[c.person]]
        grouped = solve_assignment(people, targets, candidates)
        alone = solve_assignment(one_by_one, targets, each)
        assert_valid(people, targets, candidates, grouped)
        assert objective(grouped)[:3] == objective(alone)[:3]
        assert objective(grouped)[3] == pytest.approx(objective(alone)[3])


def test_a_group_short_of_targets_names_its_people():
    people = [Person("L1", 2, 1, group="A"), Person("L2", 2, 1, group="A"), Person("L3", 2, 1)]
    targets = [Target("E1"), Target("E2"), Target("E3")]
    candidates = [Candidate("A", "E1"), Candidate("L3", "E2"), Candidate("L3", "E3")]
    with pytest.raises(PlanInfeasible) as exc:
        solve_assignment(people, targets, candidates, person_noun="领导", target_noun="联系对象")
    assert str(exc.value) == "领导 L1、L2 还需至少 2 个联系对象，但其可选的联系对象只有 1 个（E1），缺 1 个"


def test_chain_candidates_make_one_candidate_per_group_and_pool():
    people = [Person(f"L{i}", 3, chains=frozenset({"A"})) for i in range(50)]
    people.append(Person("LB", 3, chains=frozenset({"B"})))
    targets = [Target(f"E{j}", chains=frozenset({"A" if j % 2 else "B"})) for j in range(200)]
    grouped, pooled, candidates = chain_candidates(people, targets, out_of_chain="never")
    assert len(candidates) == 2  # one per group and pool in its chain, not 51 × 200
    made = solve_assignment(grouped, pooled, candidates)
    assert_valid(grouped, pooled, candidates, made)
    load = Counter(a.person for a in made)
    assert len(made) == 103 and load["LB"] == 3 and max(load.values()) == 3
    assert all(a.reasons[0] == "分管产业链内（A）" for a in made if a.person != "LB")


def test_chain_candidates_plan_matches_brute_force():
    rng = random.Random(7)
    for _ in range(200):
        people = [
            Person(f"L{i}", capacity=rng.randint(1, 3), minimum=rng.randint(0, 1),
                   chains=frozenset(rng.sample("AB", rng.randint(0, 2))))
            for i in range(rng.randint(1, 3))
        ]
        targets = [
            Target(f"E{j}", priority=rng.randint(0, 5), chains=frozenset(rng.sample("ABC", rng.randint(0, 1))))
            for j in range(rng.randint(1, 5))
        ]
        for mode in ("fallback", "costly", "never"):
            grouped, pooled, candidates = chain_candidates(people, targets, out_of_chain=mode)
            best = brute_force(grouped, pooled, candidates)
            if best is None:
                with pytest.raises(PlanInfeasible):
                    solve_assignment(grouped, pooled, candidates)
            else:
                assignments = solve_assignment(grouped, pooled, candidates)
                assert_valid(grouped, pooled, candidates, assignments)
                assert objective(assignments) == best


def test_core_never_mutates_its_inputs():
    people = [Person("L1", capacity=2, minimum=1, chains=frozenset({"A"}))]
    targets = [Target("E1", 3, frozenset({"A"})), Target("E2", 1)]
    before = copy.deepcopy((people, targets))
    grouped, pooled, candidates = chain_candidates(people, targets)
    solve_assignment(grouped, pooled, candidates)
    assert (people, targets) == before
    assert all(t.pool is None for t in targets) and all(p.group is None for p in people)


def test_out_of_chain_pairs_are_used_only_to_reach_a_minimum():
    people = [
        Person("L1", capacity=3, minimum=1, chains=frozenset({"A"})),
        Person("L2", capacity=3, minimum=0, chains=frozenset({"A"})),
    ]
    targets = [Target("B1", 90, frozenset({"B"})), Target("B2", 80, frozenset({"B"})), Target("A1", 1, frozenset({"A"}))]
    grouped, pooled, candidates = chain_candidates(people, targets)
    made = {(a.person, a.target, a.fallback) for a in solve_assignment(grouped, pooled, candidates)}
    # A1 goes to L1 so that nobody needs a B target, however high their priority
    assert made == {("L1", "A1", False)}


def test_a_leader_short_of_in_chain_targets_takes_exactly_one_out_of_chain():
    people = [Person("L1", capacity=3, minimum=2, chains=frozenset({"A"}))]
    targets = [Target("A1", 1, frozenset({"A"})), Target("B1", 5, frozenset({"B"})), Target("B2", 9, frozenset({"B"}))]
    grouped, pooled, candidates = chain_candidates(people, targets)
    made = solve_assignment(grouped, pooled, candidates)
    assert [(a.target, a.fallback) for a in made] == [("B2", True), ("A1", False)]
    assert made[0].reasons == (OUT_OF_CHAIN_REASON,)


def test_higher_priority_targets_are_preferred_and_existing_load_counts():
    people = [Person("L1", capacity=3, minimum=1, load=1)]
    targets = [Target("E1", 1.5), Target("E2", 20), Target("E3", 7.25)]
    made = solve_assignment(people, targets, [Candidate("L1", t.id) for t in targets])
    assert [a.target for a in made] == ["E2", "E3"]


def test_capacity_below_minimum_is_infeasible_with_the_people_named():
    people = [Person("L1", capacity=0, minimum=1), Person("L2", capacity=2, minimum=1), Person("L3", capacity=1, minimum=2)]
    with pytest.raises(PlanInfeasible) as exc:
        solve_assignment(people, [Target("E1")], [Candidate("L2", "E1")], person_noun="领导")
    assert str(exc.value) == "2 名领导的上限小于最少数量：L1 上限 0、最少 1；L3 上限 1、最少 2"


def test_more_minimums_than_targets_is_infeasible_with_the_shortage():
    people = [Person(f"L{i}", capacity=3, minimum=1) for i in range(1, 4)]
    targets = [Target("E1"), Target("E2")]
    candidates = [Candidate(p.id, t.id) for p in people for t in targets]
    with pytest.raises(PlanInfeasible) as exc:
        solve_assignment(people, targets, candidates, person_noun="领导", target_noun="联系对象")
    assert str(exc.value) == "3 名领导还需至少 3 个联系对象，但只有 2 个联系对象可分配，缺 1 个"


def test_people_competing_for_too_few_candidates_are_named():
    people = [Person("L1", 2, 1), Person("L2", 2, 1), Person("L3", 2, 1)]
    targets = [Target("E1"), Target("E2"), Target("E3")]
    candidates = [Candidate("L1", "E1"), Candidate("L2", "E1"), Candidate("L3", "E2"), Candidate("L3", "E3")]
    with pytest.raises(PlanInfeasible) as exc:
        solve_assignment(people, targets, candidates, person_noun="领导", target_noun="联系对象", hint="提示")
    assert str(exc.value) == "领导 L1、L2 还需至少 2 个联系对象，但其可选的联系对象只有 1 个（E1），缺 1 个（提示）"


def test_a_person_with_no_candidates_at_all_is_named():
    people = [Person("I1", 2, 1), Person("I2", 2, 1)]
    with pytest.raises(PlanInfeasible) as exc:
        solve_assignment(
            people,
            [Target("E1"), Target("E2")],
            [Candidate("I1", "E1"), Candidate("I1", "E2")],
            person_noun="指导员",
            target_noun="派驻对象",
        )
    assert str(exc.value) == "指导员 I2 还需至少 1 个派驻对象，但其可选的派驻对象一个也没有，缺 1 个"


def test_unknown_candidates_are_a_programming_error():
    with pytest.raises(ValueError):
        solve_assignment([Person("L1", 1)], [Target("E1")], [Candidate("L1", "E9")])
    with pytest.raises(ValueError):
        solve_assignment([Person("L1", 1)], [Target("E1")], [Candidate("L1", "E1"), Candidate("L1", "E1")])


# -- contacts --------------------------------------------------------------------------


def chain_graph() -> GraphBuilder:
    """Two chains, one segment each: 工程机械 (C1/S1) and 新材料 (C2/S2)."""
    return (
        GraphBuilder()
        .chain("C1", name="工程机械")
        .chain("C2", name="新材料")
        .segment("S1", "C1", "upstream")
        .segment("S2", "C2", "midstream")
    )


def in_segment(b: GraphBuilder, enterprise: str, segment: str, **props) -> GraphBuilder:
    return b.enterprise(enterprise, **props).rel(RelType.IN_SEGMENT, enterprise, segment)


def pairs(plan) -> list[tuple[str, str]]:
    return [(i.source, i.target) for i in plan.items]


def test_contacts_in_chain_by_priority_skipping_contacted_targets():
    b = chain_graph()
    in_segment(b, "E1", "S1", employees=10)  # priority 10
    in_segment(b, "E2", "S1", above_scale=True)  # 20
    in_segment(b, "E3", "S1", leading=True)  # 40, but already contacted
    in_segment(b, "E4", "S2", employees=1000)  # 30
    b.org("W1", star=2).rel("COVERS", "W1", "EW").enterprise("EW").rel("IN_SEGMENT", "EW", "S2")  # weak, 10
    b.org("O5", star=5).enterprise("EO").rel("COVERS", "O5", "EO")  # strong: no target
    b.node("Leader", "L1", capacity=3).rel("RESPONSIBLE_FOR", "L1", "C1").rel("CONTACTS", "L1", "E3")
    b.node("Leader", "L2", capacity=1).rel("RESPONSIBLE_FOR", "L2", "C2")
    plan = plan_contacts(b.projection())
    assert pairs(plan) == [("L1", "E2"), ("L1", "E1"), ("L2", "E4")]
    assert plan.items[0].reasons == ("分管产业链内（工程机械）", "未覆盖企业，优先级 20", "规上企业")
    assert all(i.rel_type is RelType.CONTACTS for i in plan.items)
    assert [(lo.id, lo.reason) for lo in plan.leftovers] == [("W1", "领导联系名额已满，优先级靠后")]
    assert plan.totals["in_chain"] == 3 and plan.totals["out_of_chain"] == 0


def test_contacts_weak_org_reason():
    b = chain_graph().org("W1").enterprise("EW").rel("COVERS", "W1", "EW").rel("IN_SEGMENT", "EW", "S1")
    b.org("W2", star=1).enterprise("EX").rel("COVERS", "W2", "EX").rel("IN_SEGMENT", "EX", "S1")
    b.node("Leader", "L1").rel("RESPONSIBLE_FOR", "L1", "C1")
    plan = plan_contacts(b.projection())
    assert pairs(plan) == [("L1", "W2"), ("L1", "W1")]  # one star (30) before unrated (20)
    assert plan.items[0].reasons == ("分管产业链内（工程机械）", "弱党组织（星级 ≤2）")
    assert plan.items[1].reasons == ("分管产业链内（工程机械）", "弱党组织（未评星）")


def leaders_short_of_chain_targets() -> GraphBuilder:
    b = chain_graph()
    in_segment(b, "E1", "S1")
    in_segment(b, "E2", "S2", employees=100)
    in_segment(b, "E3", "S2", employees=10)
    for leader, chain in (("L1", "C1"), ("L2", "C1"), ("L3", "C2")):
        b.node("Leader", leader).rel("RESPONSIBLE_FOR", leader, chain)
    return b


def test_contacts_only_in_chain_names_the_leaders_who_fall_short():
    g = leaders_short_of_chain_targets().projection()
    with pytest.raises(PlanInfeasible) as exc:
        plan_contacts(g, include_out_of_chain=False)
    assert str(exc.value) == (
        "领导 L1、L2 还需至少 2 个联系对象，但其可选的联系对象只有 1 个（E1），缺 1 个"
        "（只允许分管产业链内的联系对象；允许链外联系对象可放宽）"
    )


def test_contacts_out_of_chain_only_for_the_leader_who_needs_it():
    plan = plan_contacts(leaders_short_of_chain_targets().projection())
    by_target = {i.target: i for i in plan.items}
    assert set(by_target) == {"E1", "E2", "E3"}
    assert by_target["E1"].source in {"L1", "L2"}
    out = [i for i in plan.items if OUT_OF_CHAIN_REASON in i.reasons]
    assert len(out) == 1 and out[0].source in {"L1", "L2"} and out[0].source != by_target["E1"].source
    assert Counter(i.source for i in plan.items) == Counter({"L1": 1, "L2": 1, "L3": 1})
    assert plan.totals["out_of_chain"] == 1


def test_contacts_leader_capacity_below_minimum():
    g = chain_graph().enterprise("E1").node("Leader", "L1", capacity=0, min_contacts=1).projection()
    with pytest.raises(PlanInfeasible) as exc:
        plan_contacts(g)
    assert str(exc.value) == "1 名领导的上限小于最少数量：L1 上限 0、最少 1"


def test_contacts_more_leaders_than_targets():
    b = chain_graph().enterprise("E1").enterprise("E2")
    for i in range(1, 4):
        b.node("Leader", f"L{i}")
    with pytest.raises(PlanInfeasible) as exc:
        plan_contacts(b.projection())
    assert str(exc.value) == "3 名领导还需至少 3 个联系对象，但只有 2 个联系对象可分配，缺 1 个"


def test_contacts_for_one_chain_and_an_unknown_chain():
    b = leaders_short_of_chain_targets()
    plan = plan_contacts(b.projection(), chain="C2")
    assert sorted(pairs(plan)) == [("L3", "E2"), ("L3", "E3")]
    with pytest.raises(NotFound):
        plan_contacts(b.projection(), chain="C9")


def test_contacts_for_some_leaders_only_and_an_unknown_leader():
    b = leaders_short_of_chain_targets()
    plan = plan_contacts(b.projection(), leaders=["L3"])
    assert sorted(pairs(plan)) == [("L3", "E2"), ("L3", "E3")]
    assert plan.totals["leaders"] == 1
    with pytest.raises(NotFound, match="找不到领导 E1、L9"):
        plan_contacts(b.projection(), leaders=["L1", "L9", "E1"])


def test_rongchang_shaped_25_groups_stationed_in_337_enterprises():
    """重庆荣昌: 25 working groups stationed in 337 above-scale enterprises, five chains."""
    b = GraphBuilder()
    for c in range(5):
        b.chain(f"C{c}").segment(f"S{c}", f"C{c}", "midstream")
    for i in range(337):
        in_segment(b, f"E{i:03d}", f"S{i % 5}", above_scale=True, employees=10 + i)
    for k in range(25):
        b.node("Leader", f"G{k:02d}", capacity=14).rel("RESPONSIBLE_FOR", f"G{k:02d}", f"C{k % 5}")
    plan = plan_contacts(b.projection())
    load = Counter(i.source for i in plan.items)
    assert len(plan.items) == 337 and len({i.target for i in plan.items}) == 337
    assert len(load) == 25 and all(1 <= n <= 14 for n in load.values())
    assert plan.totals["out_of_chain"] == 0 and plan.totals["in_chain"] == 337
    assert plan.leftovers == []


# -- instructors -----------------------------------------------------------------------


def test_luzhai_shaped_30_instructors_sent_to_53_organisations():
    """广西鹿寨: 30 first secretaries / instructors sent to 53 organisations."""
    b = GraphBuilder()
    stars = [5] * 7 + [4] * 8 + [3] * 6 + [2] * 5 + [1] * 4 + [None] * 4  # 34 orgs, 13 weak
    for n, star in enumerate(stars):
        b.org(f"O{n:02d}", **({"star": star} if star else {})).enterprise(f"EO{n:02d}").rel("COVERS", f"O{n:02d}", f"EO{n:02d}")
    for n in range(40):
        b.enterprise(f"E{n:02d}", party_members=0, employees=5 + n)
    b.enterprise("E-members", party_members=4)  # has members: not an instructor's target
    for n in range(30):
        b.node("Instructor", f"I{n:02d}", kind="first_secretary" if n % 3 == 0 else "instructor")
    plan = plan_instructors(b.projection(), capacity=2)
    load = Counter(i.source for i in plan.items)
    assert len(plan.items) == 53 and len({i.target for i in plan.items}) == 53
    assert len(load) == 30 and all(1 <= n <= 2 for n in load.values())
    assert "E-members" not in {i.target for i in plan.items}
    assert all(i.rel_type is RelType.ASSIGNED_TO for i in plan.items)


def test_instructors_skip_assigned_targets_and_count_current_assignments():
    b = chain_graph()
    in_segment(b, "E1", "S1", party_members=0)
    in_segment(b, "E2", "S1", party_members=0, employees=100)
    in_segment(b, "E3", "S2", party_members=0, employees=1000)
    in_segment(b, "E4", "S1", party_members=2)  # joint_needed: not for instructors
    b.node("Instructor", "I1").rel("ASSIGNED_TO", "I1", "E1")  # works in C1 already
    b.node("Instructor", "I2")
    plan = plan_instructors(b.projection(), capacity=2)
    assert sorted(pairs(plan)) == [("I1", "E2"), ("I2", "E3")]
    assert plan.items[0].reasons[0] == "与现派驻对象同链（工程机械）"  # an instructor has no 分管 chains


def test_instructors_go_first_to_units_no_party_work_reaches_then_reached_ones_then_weak_orgs():
    """南湖-shaped: the small association with no member and no party work is the remedy's
    target (选派党建指导员); an unrated branch in the instructor's own chain waits."""
    b = chain_graph()
    in_segment(b, "E-served", "S1", party_members=0)
    b.node("Instructor", "I1").rel("ASSIGNED_TO", "I1", "E-served")  # works in 工程机械 already
    b.enterprise("E-served2", party_members=0).node("Instructor", "I2").rel("ASSIGNED_TO", "I2", "E-served2")
    in_segment(b, "E-branch", "S1", party_members=5, employees=300, above_scale=True)
    b.org("O-weak", members=5).rel("COVERS", "O-weak", "E-branch")  # unrated: weak
    b.enterprise("S57", kind="social_org", party_members=0, employees=5)  # nothing reaches it
    in_segment(b, "E-contacted", "S2", party_members=0, employees=1000)
    b.node("Leader", "L1").rel("CONTACTS", "L1", "E-contacted")
    plan = plan_instructors(b.projection(), capacity=2)
    assert pairs(plan) == [("I1", "S57"), ("I2", "E-contacted")]
    assert plan.items[0].reasons == ("不限产业链", "无党员、无党组织、无党的工作覆盖", "未覆盖企业，优先级 7", "职工 5 人")
    assert plan.items[1].reasons[:2] == ("不限产业链", "无党员、无党组织，已有联系点或结对")
    assert [(o.id, o.reason) for o in plan.leftovers] == [("O-weak", "指导员名额已满，优先级靠后")]


def test_instructors_reach_a_blank_unit_before_a_bigger_one_a_leader_already_contacts():
    b = chain_graph()
    in_segment(b, "E-contacted", "S1", party_members=0, employees=1000, above_scale=True)
    b.node("Leader", "L1").rel("CONTACTS", "L1", "E-contacted")
    in_segment(b, "E-blank", "S2", party_members=0, employees=5)
    b.node("Instructor", "I1").rel("ASSIGNED_TO", "I1", "E-served")
    in_segment(b, "E-served", "S1", party_members=0)
    plan = plan_instructors(b.projection(), capacity=2)
    assert pairs(plan) == [("I1", "E-blank")]
    assert plan.items[0].reasons[0] == "与现派驻对象不同链"
    assert [o.id for o in plan.leftovers] == ["E-contacted"]


def test_instructors_fewer_targets_than_instructors():
    g = GraphBuilder().enterprise("E1", party_members=0).node("Instructor", "I1").node("Instructor", "I2").projection()
    with pytest.raises(PlanInfeasible) as exc:
        plan_instructors(g)
    assert str(exc.value) == "2 名指导员还需至少 2 个派驻对象，但只有 1 个派驻对象可分配，缺 1 个（可调低每人最少派驻数）"
    assert pairs(plan_instructors(g, minimum=0)) == [("I1", "E1")]


# -- pairings --------------------------------------------------------------------------


def test_pairings_prefer_supply_neighbours_and_respect_capacity():
    b = chain_graph()
    in_segment(b, "ES", "S1", park="P1", leading=True)  # S1 covers a leading enterprise
    in_segment(b, "ED", "S2", park="P1")
    b.org("S1org").rel("COVERS", "S1org", "ES")
    b.org("D", demonstration=True, star=3).rel("COVERS", "D", "ED")
    in_segment(b, "E1", "S1", park="P9").rel("SUPPLIES", "ES", "E1")  # 1 hop from S1org
    in_segment(b, "E2", "S2", park="P1", employees=1000)  # same segment and park as D
    in_segment(b, "E3", "S1", park="P1")  # same segment as S1org, same park as both
    b.enterprise("E4", park="P7")  # near nobody
    b.rel("PAIRED_WITH", "D", "X").org("X", star=4)  # D already carries one pairing
    plan = plan_pairings(b.projection(), capacity=2)
    assert sorted(pairs(plan)) == [("D", "E2"), ("S1org", "E1"), ("S1org", "E3")]
    e1 = next(i for i in plan.items if i.target == "E1")
    assert e1.reasons[:3] == ("上下游直接相连", "同一环节：S1", "结对方：龙头企业党组织")
    assert e1.props == {"kind": "co_building"} and e1.rel_type is RelType.PAIRED_WITH
    assert [(lo.id, lo.reason) for lo in plan.leftovers] == [("E4", "附近没有强党组织（上下游、同环节、同园区都没有）")]


def test_pairings_weak_org_paired_by_its_neighbourhood_and_full_strong_orgs_leave_leftovers():
    b = GraphBuilder()
    b.enterprise("ES", park="P1").org("S", star=5).rel("COVERS", "S", "ES")
    for n in range(3):
        b.enterprise(f"EW{n}", park="P1").org(f"W{n}", star=1).rel("COVERS", f"W{n}", f"EW{n}")
    b.enterprise("EP", park="P1").org("Wp", star=2).rel("COVERS", "Wp", "EP").rel("PAIRED_WITH", "S", "Wp")
    plan = plan_pairings(b.projection(), capacity=3)
    assert sorted(pairs(plan)) == [("S", "W0"), ("S", "W1")]  # one slot already taken by Wp
    assert [(lo.id, lo.reason) for lo in plan.leftovers] == [("W2", "附近的强党组织结对名额已满")]


def test_pairings_spread_a_crowded_park_over_its_strong_orgs():
    b = GraphBuilder()
    for n in range(12):
        b.enterprise(f"ES{n:02d}", park="P").org(f"S{n:02d}", star=5).rel("COVERS", f"S{n:02d}", f"ES{n:02d}")
    for n in range(6):
        b.enterprise(f"E{n}", park="P")
    plan = plan_pairings(b.projection(), capacity=1, nearest=2)
    # each target sees only 2 of the 12, but not the same 2 (which could carry only two)
    assert sorted(pairs(plan)) == [("S02", "E3"), ("S03", "E0"), ("S07", "E1"), ("S09", "E2")]
    assert all(i.reasons[:2] == ("同一园区：P", "结对方：5 星级党组织") and i.cost == 8 for i in plan.items)
    assert [(lo.id, lo.reason) for lo in plan.leftovers] == [("E4", "附近的强党组织结对名额已满"), ("E5", "附近的强党组织结对名额已满")]


def test_pairings_take_the_cheaper_tier_first_however_crowded_the_next():
    b = chain_graph()
    in_segment(b, "E", "S1", park="P1")
    in_segment(b, "EA", "S1", park="P2").org("A", star=4).rel("COVERS", "A", "EA")  # same segment: cost 7
    for n in range(20):  # same park only: cost 8
        in_segment(b, f"EB{n}", "S2", park="P1").org(f"B{n}", star=5).rel("COVERS", f"B{n}", f"EB{n}")
    plan = plan_pairings(b.projection(), nearest=1)
    assert pairs(plan) == [("A", "E")] and plan.items[0].cost == 7


def test_pairings_pool_targets_offered_the_same_candidates():
    from graph.analysis.planners.pairing_candidates import near_candidates
    from graph.analysis.planners.targets import strong_org_reasons

    b = GraphBuilder().enterprise("ES", park="P").org("S", star=5).rel("COVERS", "S", "ES")
    b.enterprise("E1", park="P").enterprise("E2", park="P").enterprise("E3", park="Q")
    g = b.projection()
    targets = [Target("E1"), Target("E2"), Target("E3")]
    pooled, candidates, near = near_candidates(
        g, targets, [Person("S", 3)], {"S": strong_org_reasons(g, "S")}, max_hops=2, nearest=8
    )
    assert [t.pool for t in pooled] == [("near", "E1"), ("near", "E1"), ("near", "E3")]
    assert [(c.person, c.pool) for c in candidates] == [("S", ("near", "E1"))]
    assert near == {"E1", "E2"}



@pytest.mark.parametrize("block_pairs", [2**22, 40, 4])
@pytest.mark.parametrize("seed", range(5))
def test_pairings_supply_hops_match_breadth_first_search(seed, block_pairs):
    """The level-by-level search for all targets at once (organisations next to each
    frontier) against plain shortest path lengths over the supply links, either direction;
    the same when blocks of targets are halved to hold fewer pairs."""
    import networkx as nx
    import numpy as np

    from graph.analysis.planners import nearness

    rng = random.Random(seed)
    b = GraphBuilder()
    enterprises = [f"E{n:02d}" for n in range(30)]
    for e in enterprises:
        b.enterprise(e)
    links = {tuple(rng.sample(enterprises, 2)) for _ in range(40)}
    for supplier, customer in links:
        b.rel("SUPPLIES", supplier, customer)
    covered = {f"S{n}": rng.sample(enterprises, rng.randint(1, 3)) for n in range(8)}
    for org, its in covered.items():
        b.org(org, star=5)
        for e in its:
            b.rel("COVERS", org, e)
    g = b.projection()
    supply = nearness.SupplyLinks(g)
    orgs = list(covered)
    covers = [(n, supply.number[e]) for n, org in enumerate(orgs) for e in covered[org]]
    undirected = nx.Graph(list(links))
    undirected.add_nodes_from(enterprises)
    starts = [rng.sample(enterprises, k) for k in (1, 1, 2, 3)]
    sites = [(n, supply.number[e]) for n, start in enumerate(starts) for e in start]
    for max_hops in range(4):
        blocks = list(nearness.supply_hops(
            supply, tuple(np.array(x) for x in zip(*sites)), tuple(np.array(x) for x in zip(*covers)), len(orgs), max_hops,
            block_pairs=block_pairs,
        ))
        t, o, hops = (np.concatenate(part) for part in zip(*blocks))
        got = {(n, orgs[org]): h for n, org, h in zip(t.tolist(), o.tolist(), hops.tolist())}
        assert t.tolist() == sorted(t.tolist())  # in order of target, blocks one after another
        for bt, _, _ in blocks:  # a block of several targets holds no more pairs than allowed
            assert len(set(bt.tolist())) <= 1 or len(bt) <= block_pairs
        if len(t) > block_pairs:
            assert len(blocks) > 1
        expected = {}
        for n, start in enumerate(starts):
            far = nx.multi_source_dijkstra_path_length(undirected, set(start), cutoff=max_hops)
            expected.update(
                {(n, org): min(far[e] for e in its if e in far) for org, its in covered.items() if any(e in far for e in its)}
            )
        assert got == expected, max_hops


def test_pairings_supply_hops_stop_for_settled_targets():
    """A target the caller calls settled after a level is searched no further: its pairs
    are those up to that level, the other targets' are all of theirs."""
    import numpy as np

    from graph.analysis.planners import nearness

    b = GraphBuilder()
    for e in ("A", "B", "C", "D"):
        b.enterprise(e)
    b.rel("SUPPLIES", "A", "B").rel("SUPPLIES", "B", "C").rel("SUPPLIES", "C", "D")
    g = b.projection()
    supply = nearness.SupplyLinks(g)
    n = supply.number
    covers = ([0, 1, 2], [n["A"], n["C"], n["D"]])  # org 0 covers A, 1 covers C, 2 covers D
    sites = ([0, 1], [n["A"], n["A"]])  # two targets, both at A
    asked = []

    def settled(t, o, hops, level):
        asked.append(level)
        return np.array([0]) if level == 0 else np.array([], dtype=np.int64)  # target 0 stops after hop 0

    (t, o, hops), = nearness.supply_hops(supply, sites, covers, 3, 3, settled=settled)
    assert list(zip(t.tolist(), o.tolist(), hops.tolist())) == [(0, 0, 0), (1, 0, 0), (1, 1, 2), (1, 2, 3)]
    assert asked == [0, 1, 2]


def test_pairings_least_shared_place_over_several_words_of_bits():
    from graph.analysis.planners import nearness

    ids = [f"P{n:03d}" for n in range(131)]  # three words of bits
    a = nearness.place_masks([frozenset({"P003", "P130"}), frozenset({"P064"}), frozenset({"P005"})], ids)
    b = nearness.place_masks([frozenset({"P130"}), frozenset({"P064", "P065"}), frozenset({"P006"})], ids)
    assert a.shape == (3, 3)
    assert nearness.least_shared(a, b).tolist() == [130, 64, -1]


# -- joint branches --------------------------------------------------------------------


def test_joint_branches_group_by_park_then_attach_then_by_chain():
    b = chain_graph()
    for e in ("A1", "A2", "A3", "A4"):
        b.enterprise(e, park="P1", party_members=1)  # 4 members: one branch of four
    b.enterprise("B1", park="P2", party_members=2)  # alone in P2, next to joint org J
    b.enterprise("EJ", park="P2").org("J", formation="joint").rel("COVERS", "J", "EJ")
    in_segment(b, "C1a", "S1", park="P3", party_members=1)
    in_segment(b, "C1b", "S1", park="P4", party_members=2)  # with C1a: a chain branch
    b.enterprise("L1", park="P5", party_members=1)  # alone, no chain
    b.enterprise("L2", party_members=2)  # no park, no chain
    b.enterprise("N0", park="P1", party_members=0).enterprise("N3", park="P1", party_members=3)
    b.org("JB-P1-1")  # the first id is taken
    plan = plan_joint_branches(b.projection())
    assert [(o.id, o.members, o.enterprises) for o in plan.new_orgs] == [
        ("JB-P1-2", 4, ("A1", "A2", "A3", "A4")),
        ("JB-C1-1", 3, ("C1a", "C1b")),
    ]
    assert plan.new_orgs[0].name == "A1等4家单位联合党支部"
    assert plan.new_orgs[1].reasons == ("同一产业链：工程机械", "党员合计 3 人（≥3）")
    attached = [i for i in plan.items if i.source == "J"]
    assert [(i.target, i.reasons[0]) for i in attached] == [("B1", "并入现有联合党组织（同一园区：P2）")]
    assert all(i.rel_type is RelType.COVERS for i in plan.items)
    assert len(plan.items) == 4 + 2 + 1
    assert [(lo.id, lo.reason) for lo in plan.leftovers] == [
        ("L1", "同园区、同产业链的待组建企业党员合计不足 3 人，附近也没有联合党组织"),
        ("L2", "未填写园区，也不在任何产业链，无法就近编组"),
    ]


def test_joint_branches_attach_no_more_than_five_units_to_a_joint_org():
    b = GraphBuilder().org("J", formation="joint")
    for n in range(MAX_JOINT_UNITS - 1):
        b.enterprise(f"EJ{n}", park="P").rel("COVERS", "J", f"EJ{n}")
    b.enterprise("B1", park="P", party_members=1).enterprise("B2", park="P", party_members=1)
    plan = plan_joint_branches(b.projection())
    assert pairs(plan) == [("J", "B1")]  # J had room for one more unit
    assert [(lo.id, lo.reason) for lo in plan.leftovers] == [
        ("B2", "同园区、同产业链的待组建企业党员合计不足 3 人，附近的联合党组织都已覆盖 5 个或更多单位（联合党支部覆盖单位一般不超过5个）")
    ]


def test_joint_branches_split_a_park_into_groups_of_at_least_three():
    b = GraphBuilder()
    for n, members in enumerate([2, 2, 1, 2, 1, 1, 1]):
        b.enterprise(f"E{n}", park="P", party_members=members)
    plan = plan_joint_branches(b.projection())
    assert [(o.id, o.enterprises, o.members) for o in plan.new_orgs] == [
        ("JB-P-1", ("E0", "E1"), 4),
        ("JB-P-2", ("E2", "E3"), 3),
        ("JB-P-3", ("E4", "E5", "E6"), 3),
    ]


# -- every planner ---------------------------------------------------------------------


def test_planners_never_mutate_the_projection():
    b = leaders_short_of_chain_targets()
    b.enterprise("EJ", party_members=1, park="P").enterprise("EK", party_members=2, park="P")
    b.org("S", star=5).rel("COVERS", "S", "E1").node("Instructor", "I1")
    g = b.projection()
    before = (copy.deepcopy(list(g.nodes(data=True))), copy.deepcopy(list(g.edges(keys=True, data=True))), dict(g.graph))
    for planner in (plan_contacts, plan_instructors, plan_pairings, plan_joint_branches):
        plan = planner(g)
        assert plan.version == 1 and plan.created
    assert (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), dict(g.graph)) == before


def _random_sites_graph(seed: int):
    """Enterprises in three segments and three parks with random supply links; strong
    organisations covering one to three each; a few weak ones."""
    rng = random.Random(seed)
    b = GraphBuilder().chain("C1").segment("S1", "C1", "upstream").segment("S2", "C1", "midstream")
    b.segment("S3", "C1", "downstream")
    enterprises = [f"E{n:02d}" for n in range(40)]
    for e in enterprises:
        b.enterprise(e, park=rng.choice(["P1", "P2", "P3", None]))
        for segment in rng.sample(["S1", "S2", "S3"], rng.randint(0, 2)):
            b.rel("IN_SEGMENT", e, segment)
    links = {tuple(rng.sample(enterprises, 2)) for _ in range(45)}
    for supplier, customer in links:
        b.rel("SUPPLIES", supplier, customer)
    covered = {f"S{n:02d}": rng.sample(enterprises, rng.randint(1, 3)) for n in range(14)}
    covered.update({f"W{n}": rng.sample(enterprises, rng.randint(1, 2)) for n in range(4)})
    for org, its in covered.items():
        b.org(org, star=5 if org.startswith("S") else 1)
        for e in its:
            b.rel("COVERS", org, e)
    return b.projection(), enterprises, covered, links


@pytest.mark.parametrize("seed", range(8))
def test_pairings_nearest_orgs_match_the_rule_by_brute_force(seed):
    """Each target's ``nearest`` strong organisations, as the index finds them, against
    the rule applied to every strong organisation: cost by hops (or unlinked), segment
    and park; at equal cost linked ones first, then by spread from the target, then id."""
    import networkx as nx

    from graph.analysis.planners import pairing_candidates as P
    from graph.projection import out_ids

    g, enterprises, covered, links = _random_sites_graph(seed)
    strong = {org: ("5 星级党组织",) for org in covered if org.startswith("S")}
    sites = P._Sites(g, strong)
    orgs = sorted(strong)
    undirected = nx.Graph(list(links))
    undirected.add_nodes_from(enterprises)

    def segments_of(es):
        return frozenset(s for e in es for s in out_ids(g, e, RelType.IN_SEGMENT))

    def parks_of(es):
        return frozenset(p for e in es if (p := g.nodes[e].get("park")))

    targets = enterprises[:10] + ["W0", "W1", "W2", "W3"]
    places = [P._Place(t, its, segments_of(its), parks_of(its)) for t in targets for its in [covered.get(t, [t])]]
    for max_hops, nearest in ((0, 3), (1, 5), (2, 4), (2, 8), (3, 20)):
        near = P._nearest_orgs(g, sites, places, orgs, max_hops=max_hops, nearest=nearest)
        got = {place.id: [] for place in places}
        for n, org, cost, offset, hops in zip(*(x.tolist() for x in (near.targets, near.orgs, near.costs, near.spreads, near.hops))):
            got[places[n].id].append(((cost, hops < 0, offset, orgs[org]), (cost, offset, orgs[org], None if hops < 0 else hops)))
        for place in places:
            target, its, segments, parks = place.id, place.enterprises, place.segments, place.parks
            far = nx.multi_source_dijkstra_path_length(undirected, set(its), cutoff=max_hops)
            start = P._spread_key(target)
            ranked = []
            for org in strong:
                hops = min((far[e] for e in covered[org] if e in far), default=None)
                same_segment = not segments_of(covered[org]).isdisjoint(segments)
                same_park = not parks_of(covered[org]).isdisjoint(parks)
                if hops is None and not (same_segment or same_park):
                    continue
                cost = (
                    P.HOP_COST * (max_hops + 1 if hops is None else hops)
                    + (0 if same_segment else P.OTHER_SEGMENT_COST)
                    + (0 if same_park else P.OTHER_PARK_COST)
                )
                offset = (P._spread_key(org) - start) % P._TURN
                ranked.append(((cost, hops is None, offset, org), (cost, offset, org, hops)))
            expected = [found for _, found in sorted(ranked)[:nearest]]
            assert [found for _, found in sorted(got[target])] == expected, (max_hops, nearest, target)


def test_planners_pause_the_collector_and_restore_it():
    """Planning runs with the cyclic collector off; afterwards it is as it was, also
    when the plan fails."""
    import gc

    from graph.collector import collector_paused

    seen = []

    @collector_paused()
    def planner(fail=False):
        seen.append(gc.isenabled())
        if fail:
            raise PlanInfeasible("没有")
        return "plan"

    was = gc.isenabled()
    try:
        gc.enable()
        assert planner() == "plan" and gc.isenabled()
        with pytest.raises(PlanInfeasible):
            planner(fail=True)
        assert gc.isenabled()
        gc.disable()
        assert planner() == "plan" and not gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False, False, False]
    g = GraphBuilder().node("Instructor", "I1").enterprise("E1", party_members=0).projection()
    assert pairs(plan_instructors(g)) == [("I1", "E1")] and gc.isenabled() == was
