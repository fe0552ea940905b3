"""Response models of the entity, graph, health, import, plan and audit endpoints.

Separate from the store's records: a response carries only the fields meant for it.
People's names (``name`` of leaders and instructors) are null for roles that may not
see them. Analyses answer with their own dataclasses (the JSON contract of DESIGN.md).
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from graph.schema import (
    ALLIANCE_ROLES,
    ENTERPRISE_KINDS,
    ENTERPRISE_STATUS,
    FORMATIONS,
    INSTRUCTOR_KINDS,
    ORG_LEVELS,
    STAGES,
    UNIT_KINDS,
    Label,
    RelType,
)

T = TypeVar("T")

EnterpriseKind = Literal[tuple(ENTERPRISE_KINDS)]
EnterpriseStatus = Literal[tuple(ENTERPRISE_STATUS)]
Stage = Literal[tuple(STAGES)]
OrgLevel = Literal[tuple(ORG_LEVELS)]
Formation = Literal[tuple(FORMATIONS)]
UnitKind = Literal[tuple(UNIT_KINDS)]
InstructorKind = Literal[tuple(INSTRUCTOR_KINDS)]
AllianceRole = Literal[tuple(ALLIANCE_ROLES)]
LabelName = Literal[tuple(label.value for label in Label)]
RelName = Literal[tuple(rel.value for rel in RelType)]

PERSON_NAME = "The person's name; null unless the token's role is editor or admin."


class Page(BaseModel, Generic[T]):
    """One page of a list, sorted by id."""

    items: list[T]
    total: int = Field(description="Items matching the filters, over all pages.")
    limit: int
    offset: int = Field(description="Position of the first item of this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class Health(BaseModel):
    status: Literal["ok"]
    store: str = Field(description="Store kind: sqlite or neo4j.")
    version: int = Field(description="The store's version; changes on every write.")
    counts: dict[str, int] = Field(description="Nodes per label, as the token sees them.")


# -- entities ------------------------------------------------------------------------------


class EnterpriseOut(BaseModel):
    id: str = Field(description="统一社会信用代码")
    name: str | None
    kind: EnterpriseKind
    park: str | None
    street: str | None
    employees: int | None
    party_members: int | None
    above_scale: bool
    leading: bool
    in_base: bool
    status: EnterpriseStatus
    segments: list[str]
    chains: list[str]
    orgs: list[str] = Field(description="Party orgs covering it (COVERS).")


class EnterpriseDetail(EnterpriseOut):
    suppliers: list[str]
    customers: list[str]
    instructors: list[str]
    contacted_by: list[str] = Field(description="Leaders with a contact point here.")
    paired_with: list[str]
    alliances: list[str]


class PartyOrgOut(BaseModel):
    id: str
    name: str | None
    level: OrgLevel | None
    formation: Formation | None
    members: int | None
    star: int | None
    demonstration: bool
    parent: str | None
    chains: list[str]
    covers: int = Field(description="Number of enterprises it covers.")


class PartyOrgDetail(PartyOrgOut):
    enterprises: list[str]
    children: list[str]
    leads: list[str] = Field(description="Chains it leads as an industry committee.")
    paired_with: list[str]
    alliances: list[str]
    instructors: list[str]
    contacted_by: list[str]


class SegmentOut(BaseModel):
    id: str
    name: str | None
    stage: Stage | None
    order: int | None
    enterprises: int


class ChainOut(BaseModel):
    id: str
    name: str | None
    segments: int
    enterprises: int


class ChainDetail(BaseModel):
    id: str
    name: str | None
    segments: list[SegmentOut]
    enterprises: int
    committees: list[str]
    alliances: list[str]
    leaders: list[str] = Field(description="Leaders responsible for the chain.")


class UnitOut(BaseModel):
    id: str
    name: str | None
    kind: UnitKind


class UnitDetail(UnitOut):
    paired_with: list[str]
    alliances: list[str]


class LeaderOut(BaseModel):
    id: str
    name: str | None = Field(description=PERSON_NAME)
    title: str | None
    unit: str | None
    capacity: int
    min_contacts: int
    chains: list[str] = Field(description="Chains the leader is responsible for.")
    contacts: int


class LeaderDetail(LeaderOut):
    contact_points: list[str]


class InstructorOut(BaseModel):
    id: str
    name: str | None = Field(description=PERSON_NAME)
    kind: InstructorKind
    unit: str | None
    assigned_to: list[str]


class AllianceMember(BaseModel):
    id: str
    label: LabelName
    role: AllianceRole


class AllianceOut(BaseModel):
    id: str
    name: str | None
    founded: str | None
    chains: list[str]
    members: int


class AllianceDetail(AllianceOut):
    member_list: list[AllianceMember]


# -- graph ---------------------------------------------------------------------------------


class GraphNode(BaseModel):
    id: str
    label: LabelName
    label_zh: str
    name: str | None
    props: dict[str, Any]


class GraphEdge(BaseModel):
    source: str
    target: str
    type: RelName
    props: dict[str, Any]


class Neighbourhood(BaseModel):
    center: str
    depth: int
    limit: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    capped: bool = Field(description="True when nodes within `depth` were left out to stay within `limit`.")
    omitted: int = Field(description="How many nodes within `depth` were left out.")


# -- imports, plans, audit -------------------------------------------------------------------


class Problem(BaseModel):
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    code: str
    message: str
    value: str | None
    text: str


class ImportResult(BaseModel):
    """The same fields as `redchain load --json`."""

    ok: bool
    dry_run: bool
    files: list[str]
    rows: int
    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    removed: dict[str, int] = Field(description="Links removed because the file no longer states them, per kind.")
    version: int
    removed_links: list[dict[str, str]] = Field(description="Each removed link: type, source, target and their names.")
    left_base: list[dict[str, str]] = Field(description="With `full`: enterprises no longer listed (kept, out of the base).")
    created: dict[str, dict[str, str]] = Field(description="Entities made from a name: id -> label and name.")
    columns: list[dict[str, str | None]] = Field(description="How every column was read: file, sheet, table, header, column.")
    warnings: list[Problem]


class AuditEntry(BaseModel):
    time: str
    principal: str
    role: str
    chains: list[str] | None
    action: str
    details: dict[str, Any]
