"""A plan: what a planner proposes, and how the proposal is written to the store.

A plan is only a proposal until ``apply_plan`` writes it, in one ``store.write`` call, so
either all of it is written or none of it. ``plan_records`` shows exactly what that call
would write. Writes are upserts, so applying the same plan twice changes nothing the
second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from typing import Callable, Iterable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import name_of
from graph.analysis.planners.assignment import Assignment, Candidate, Target
from graph.records import Document, Node, Rel, WriteSummary
from graph.schema import Label, RelType
from graph.store import GraphStore
from graph.unit_of_work import UnitOfWork

CONTACTS = "contacts"
INSTRUCTORS = "instructors"
PAIRINGS = "pairings"
JOINT_BRANCHES = "joint_branches"
PLAN_KINDS = (CONTACTS, INSTRUCTORS, PAIRINGS, JOINT_BRANCHES)


@dataclass(frozen=True)
class PlanItem:
    """One proposed relationship, with why it was chosen.

    ``cost`` is the pair's closeness cost in the planner's own units (0 is best; see each
    planner), ``priority`` the target's priority points.
    """

    source: str
    target: str
    rel_type: RelType
    reasons: tuple[str, ...]
    cost: int = 0
    priority: float = 0
    source_name: str = ""
    target_name: str = ""
    props: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class NewOrg:
    """A proposed new party organisation (a joint branch, 联合党支部)."""

    id: str
    name: str
    members: int  # party members of the enterprises it would cover
    enterprises: tuple[str, ...]
    park: str | None
    chain: str | None
    reasons: tuple[str, ...]

    def node(self) -> Node:
        """The PartyOrg record ``apply_plan`` writes."""
        props = {"name": self.name, "level": "branch", "formation": "joint", "members": self.members}
        return Node(Label.PARTY_ORG, self.id, props)


@dataclass(frozen=True)
class Leftover:
    """A target the plan does not reach, and why."""

    id: str
    name: str
    reason: str


@dataclass
class Plan:
    """What a planner proposes.

    ``version`` is the store version of the projection the plan was made from; ``totals``
    holds the planner's counts (always ``items``, ``new_orgs`` and ``leftovers``).
    """

    kind: str
    created: str
    version: int
    items: list[PlanItem] = field(default_factory=list)
    new_orgs: list[NewOrg] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def make_plan(
    g: nx.MultiDiGraph,
    kind: str,
    items: list[PlanItem],
    *,
    new_orgs: list[NewOrg] = (),
    leftovers: list[Leftover] = (),
    totals: dict[str, int] | None = None,
) -> Plan:
    """A Plan stamped with the time and the projection's version, with standard totals."""
    if kind not in PLAN_KINDS:
        raise ValueError(f"unknown plan kind {kind!r}; use one of {', '.join(PLAN_KINDS)}")
    counts = {"items": len(items), "new_orgs": len(new_orgs), "leftovers": len(leftovers), **(totals or {})}
    return Plan(
        kind=kind,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        version=g.graph.get("version", 0),
        items=list(items),
        new_orgs=list(new_orgs),
        leftovers=list(leftovers),
        totals=counts,
    )


def assignment_items(
    g: nx.MultiDiGraph, assignments: Iterable[Assignment], rel_type: RelType, *, props: dict | None = None
) -> list[PlanItem]:
    """One PlanItem per assignment: the relationship ``rel_type`` from person to target."""
    return [
        PlanItem(
            source=a.person,
            target=a.target,
            rel_type=rel_type,
            reasons=a.reasons,
            cost=a.cost,
            priority=a.priority,
            source_name=name_of(g, a.person),
            target_name=name_of(g, a.target),
            props=dict(props or {}),
        )
        for a in assignments
    ]


def unassigned_leftovers(
    g: nx.MultiDiGraph,
    targets: Iterable[Target],
    candidates: Iterable[Candidate],
    assignments: Iterable[Assignment],
    *,
    no_candidate: str,
    no_room: str,
) -> list[Leftover]:
    """The targets nobody was assigned to, in the given order: ``no_candidate`` for those
    nobody could take at all, ``no_room`` for those left when capacity ran out."""
    offered = {c.pool for c in candidates}
    taken = {a.target for a in assignments}
    return [
        Leftover(t.id, name_of(g, t.id), no_room if t.pool_key in offered else no_candidate)
        for t in targets
        if t.id not in taken
    ]


def plan_records(plan: Plan) -> tuple[list[Node], list[Rel]]:
    """Exactly the nodes and relationships ``apply_plan`` writes for a plan.

    >>> p = Plan("contacts", "2024-01-01T00:00:00+00:00", 1,
    ...          [PlanItem("L1", "E1", RelType.CONTACTS, ("分管产业链内",))])
    >>> plan_records(p)[1]
    [Rel(type=<RelType.CONTACTS: 'CONTACTS'>, source='L1', target='E1', props={})]
    """
    nodes = [org.node() for org in plan.new_orgs]
    rels = [Rel(item.rel_type, item.source, item.target, dict(item.props)) for item in plan.items]
    return nodes, rels


def apply_plan(store: GraphStore, plan: Plan, *, check_version: bool = False,
               describe: Callable[[WriteSummary], Iterable[Document]] | None = None) -> WriteSummary:
    """Write a plan's proposal in one transaction and return what the write did.

    With ``check_version`` the write is refused (``VersionConflict``) if the store changed
    since the plan was made; ``describe(summary)`` makes documents saved in the same
    transaction (the audit entry). Raises ``StoreError`` if the write fails; then nothing
    was written.
    """
    with UnitOfWork(store, expected_version=plan.version if check_version else None) as uow:
        uow.add(*plan_records(plan))
        if describe is not None:
            uow.describe(describe)
    return uow.summary
