from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, Field

from graph.analysis.planners import Plan
from graph.analysis.planners.instructors import DEFAULT_CAPACITY as INSTRUCTOR_CAPACITY
from graph.analysis.planners.instructors import DEFAULT_MINIMUM as INSTRUCTOR_MINIMUM
from graph.analysis.planners.pairings import DEFAULT_CAPACITY as PAIRING_CAPACITY
from graph.analysis.planners.pairings import DEFAULT_MAX_HOPS, DEFAULT_NEAREST
from graph.analysis.uncovered import MIN_BRANCH_MEMBERS

from api.core.settings import Settings
from api.http.deps import EditorDep, ReaderDep, SettingsDep
from api.http.errors import ERROR_RESPONSES, ErrorResponse
from api.core.services import plans

router = APIRouter(prefix="/api/plans", tags=["plans"], responses=ERROR_RESPONSES)

_Chain = Field(None, max_length=200, description="Plan only for this chain.")


class ContactsRequest(BaseModel):
    chain: str | None = _Chain
    include_out_of_chain: bool = Field(True, description="Let a leader short of targets in their chains take others.")


class InstructorsRequest(BaseModel):
    chain: str | None = _Chain
    capacity: int = Field(INSTRUCTOR_CAPACITY, ge=1, le=50)
    minimum: int = Field(INSTRUCTOR_MINIMUM, ge=0, le=50)


class PairingsRequest(BaseModel):
    chain: str | None = _Chain
    capacity: int = Field(PAIRING_CAPACITY, ge=1, le=50)
    max_hops: int = Field(DEFAULT_MAX_HOPS, ge=0, le=5)
    nearest: int = Field(DEFAULT_NEAREST, ge=1, le=50)


class JointBranchesRequest(BaseModel):
    chain: str | None = _Chain
    min_members: int = Field(MIN_BRANCH_MEMBERS, ge=1, le=50)


class Applied(BaseModel):
    at: str
    by: str
    version: int
    added: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]


class Proposal(BaseModel):
    id: str = Field(description="Pass to `POST /api/plans/{id}/apply` to write the plan.")
    plan: Plan
    applied: Applied | None
    removed: list[str] = Field(default_factory=list, description="Your oldest unapplied proposals removed to keep the limit per token or account.")


class ApplyResult(BaseModel):
    id: str
    applied: Applied


_PROPOSE = {"response_model": Proposal, "status_code": 201}


def _params(request: BaseModel) -> dict[str, Any]:
    return request.model_dump()


def limits(settings: Settings) -> plans.PlanLimits:
    return plans.PlanLimits(settings.plans_per_principal, settings.plan_days)


@router.post("/contacts", summary="Propose leaders' contact points", **_PROPOSE)
def propose_contacts(reader: ReaderDep, settings: SettingsDep, request: Annotated[ContactsRequest, Body()] = ContactsRequest()) -> dict:
    return plans.propose(reader, "contacts", _params(request), limits(settings))


@router.post("/instructors", summary="Propose instructor assignments", **_PROPOSE)
def propose_instructors(reader: ReaderDep, settings: SettingsDep, request: Annotated[InstructorsRequest, Body()] = InstructorsRequest()) -> dict:
    return plans.propose(reader, "instructors", _params(request), limits(settings))


@router.post("/pairings", summary="Propose co-building pairings", **_PROPOSE)
def propose_pairings(reader: ReaderDep, settings: SettingsDep, request: Annotated[PairingsRequest, Body()] = PairingsRequest()) -> dict:
    return plans.propose(reader, "pairings", _params(request), limits(settings))


@router.post("/joint-branches", summary="Propose joint branches", **_PROPOSE)
def propose_joint_branches(reader: ReaderDep, settings: SettingsDep, request: Annotated[JointBranchesRequest, Body()] = JointBranchesRequest()) -> dict:
    return plans.propose(reader, "joint_branches", _params(request), limits(settings))


@router.post(
    "/{plan_id}/apply",
    response_model=ApplyResult,
    summary="Write a proposed plan (editor)",
    responses={409: {"model": ErrorResponse, "description": "Already applied, or the data changed since the proposal"}},
)
def apply_plan(reader: ReaderDep, editor: EditorDep, plan_id: Annotated[str, Path(max_length=100)]) -> dict:
    """All of the plan is written in one transaction, or none of it."""
    return plans.apply(reader, plan_id)
