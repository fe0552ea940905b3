"""Party-building instructors (党建指导员, 第一书记): who goes where.

Targets are the base enterprises and social organisations without a party organisation
and without party members (remedy ``instructor_needed``), and the weak organisations
(star ≤ 2 or unrated), that no instructor is assigned to yet. Every instructor takes at
least ``minimum`` and at most ``capacity`` targets, counting current assignments.

Who goes first (``UNREACHED``, ``REACHED``, ``WEAK``; each step outranks everything
after it, chains included, so no target is left over while one further down is served):

1. a unit with no party member that no party work reaches either (no contact point, no
   pairing): the blank spot an instructor is the remedy for (选派党建指导员);
2. a unit with no party member that a leader's contact point or a pairing already reaches;
3. a weak organisation.

Within a step, an instructor stays in the chains of the targets they already serve
(any target is allowed), then higher priority points win (``uncovered_enterprises``,
``weak_orgs``). A proposed item's ``cost`` is its step (0, 1, 2) × ``RANK_STEP`` plus
its chain cost (``IN_CHAIN``, ``NO_CHAIN``, ``OTHER_CHAIN``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chains_by_enterprise, chains_by_org, name_of, require_chain
from graph.analysis.planners.assignment import ChainWording, Person, Target, chain_candidates, is_in_chain, solve_assignment
from graph.collector import collector_paused
from graph.analysis.planners.plan import INSTRUCTORS, Plan, assignment_items, make_plan, unassigned_leftovers
from graph.analysis.planners.targets import enterprise_target, org_target, reached_by, weak_orgs
from graph.analysis.uncovered import INSTRUCTOR_NEEDED, uncovered_enterprises
from graph.projection import ids_with_label, out_ids
from graph.schema import Label, RelType

DEFAULT_CAPACITY = 2
DEFAULT_MINIMUM = 1
NO_INSTRUCTOR = "没有可派的指导员"
NO_ROOM = "指导员名额已满，优先级靠后"

# Who needs an instructor first, as ranks (see the module doc), and what an uncovered
# unit's rank says in its reasons (a weak organisation's own reasons say why it is weak).
UNREACHED, REACHED, WEAK = 0, 1, 2
# The order in one sentence, as the CLI's help and the plans page say it.
ORDER_ZH = "先派往没有党员、也没有党的工作覆盖的企业和社会组织，再派往已有联系点或结对的，最后是薄弱党组织。"
RANK_REASONS = {UNREACHED: "无党员、无党组织、无党的工作覆盖", REACHED: "无党员、无党组织，已有联系点或结对"}
# An instructor's chains are those of the targets they already serve, not chains in charge (分管).
INSTRUCTOR_WORDING = ChainWording(
    in_chain="与现派驻对象同链",
    no_chain="不限产业链",
    out_of_chain="与现派驻对象不同链（仅为满足最少数量）",
    other_chain="与现派驻对象不同链",
)


@collector_paused()
def plan_instructors(
    g: nx.MultiDiGraph,
    *,
    chain: str | None = None,
    capacity: int = DEFAULT_CAPACITY,
    minimum: int = DEFAULT_MINIMUM,
) -> Plan:
    """Propose ``ASSIGNED_TO`` from instructors to enterprises with no party member and to
    weak organisations.

    Parameters
    ----------
    g : the projection; not mutated.
    chain : a Chain id: only that chain's targets (every instructor may still go).
    capacity : targets one instructor can serve, current ones included.
    minimum : targets every instructor should serve, current ones included.

    Returns a ``Plan`` of kind ``instructors``; unassigned targets are its leftovers.

    Raises ``NotFound`` for an unknown chain, ``PlanInfeasible`` when the instructors
    cannot all reach ``minimum`` (e.g. fewer targets than instructors).

    >>> from graph.builder import GraphBuilder
    >>> g = GraphBuilder().node("Instructor", "I1").enterprise("E1", party_members=0).projection()
    >>> [(i.source, i.target) for i in plan_instructors(g).items]
    [('I1', 'E1')]
    """
    if chain is not None:
        require_chain(g, chain)
    by_enterprise = chains_by_enterprise(g)
    by_org = chains_by_org(g, by_enterprise=by_enterprise)
    instructors = [
        Person(
            id=i,
            capacity=capacity,
            minimum=minimum,
            load=len(out_ids(g, i, RelType.ASSIGNED_TO)),
            chains=frozenset(c for t in out_ids(g, i, RelType.ASSIGNED_TO) for c in by_enterprise.get(t) or by_org.get(t, ())),
        )
        for i in ids_with_label(g, Label.INSTRUCTOR)
    ]
    targets = [
        _ranked(enterprise_target(u), REACHED if u.work_covered else UNREACHED)
        for u in uncovered_enterprises(g, chain=chain)
        if u.remedy == INSTRUCTOR_NEEDED and not reached_by(g, u.id, RelType.ASSIGNED_TO)
    ] + [
        _ranked(org_target(w), WEAK)
        for w in weak_orgs(g, chain=chain, org_chains=by_org)
        if not reached_by(g, w.id, RelType.ASSIGNED_TO)
    ]
    targets.sort(key=lambda t: (t.rank, -t.priority, t.id))
    grouped, pooled, candidates = chain_candidates(
        instructors,
        targets,
        out_of_chain="costly",
        chain_names={c: name_of(g, c) for c in ids_with_label(g, Label.CHAIN)},
        wording=INSTRUCTOR_WORDING,
    )
    assignments = solve_assignment(
        grouped, pooled, candidates, person_noun="指导员", target_noun="派驻对象", hint="可调低每人最少派驻数"
    )
    leftovers = unassigned_leftovers(g, pooled, candidates, assignments, no_candidate=NO_INSTRUCTOR, no_room=NO_ROOM)
    return make_plan(
        g,
        INSTRUCTORS,
        assignment_items(g, assignments, RelType.ASSIGNED_TO),
        leftovers=leftovers,
        totals={
            "instructors": len(instructors),
            "targets": len(targets),
            "in_chain": sum(map(is_in_chain, assignments)),
        },
    )


def _ranked(target: Target, rank: int) -> Target:
    """The target at ``rank``, its reasons led by what the rank means."""
    reasons = (RANK_REASONS[rank], *target.reasons) if rank in RANK_REASONS else target.reasons
    return replace(target, rank=rank, reasons=reasons)
