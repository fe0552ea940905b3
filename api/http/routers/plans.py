from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, create_model
from pydantic_core import PydanticCustomError

from graph.analysis.planners import Plan
from graph.analysis.planners.instructors import DEFAULT_CAPACITY as INSTRUCTOR_CAPACITY
from graph.analysis.planners.instructors import DEFAULT_MINIMUM as INSTRUCTOR_MINIMUM
from graph.analysis.planners.pairings import DEFAULT_CAPACITY as PAIRING_CAPACITY
from graph.analysis.planners.pairings import DEFAULT_MAX_HOPS, DEFAULT_NEAREST
from graph.analysis.uncovered import MIN_BRANCH_MEMBERS

from api.core.settings import Settings
from api.http.deps import EditorDep, ReaderDep, SettingsDep
from api.http.errors import BODY_ERRORS, WRITE_ERRORS, ErrorResponse
from api.core.services import plans

router = APIRouter(prefix="/api/plans", tags=["plans"], responses=WRITE_ERRORS)

_Chain = Field(None, max_length=200, description="Plan only for this chain.")


class PlanRequest(BaseModel):
    """Parameters of a plan: exactly the documented fields (the web form reads them from
    text, so numbers may come as "3"; a JSON body has ``_json_body``'s types)."""

    model_config = ConfigDict(extra="forbid")


class ContactsRequest(PlanRequest):
    chain: str | None = _Chain
    include_out_of_chain: StrictBool = Field(True, description="Let a leader short of targets in their chains take others.")


class InstructorsRequest(PlanRequest):
    chain: str | None = _Chain
    capacity: int = Field(INSTRUCTOR_CAPACITY, ge=1, le=50)
    minimum: int = Field(INSTRUCTOR_MINIMUM, ge=0, le=50)


class PairingsRequest(PlanRequest):
    chain: str | None = _Chain
    capacity: int = Field(PAIRING_CAPACITY, ge=1, le=50)
    max_hops: int = Field(DEFAULT_MAX_HOPS, ge=0, le=5)
    nearest: int = Field(DEFAULT_NEAREST, ge=1, le=50)


class JointBranchesRequest(PlanRequest):
    chain: str | None = _Chain
    min_members: int = Field(MIN_BRANCH_MEMBERS, ge=1, le=50)


def _json_integer(value: object) -> object:
    # JSON Schema's integer takes 3.0 but neither true nor "3"; pydantic's lax int takes all three.
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _json_body(model: type[PlanRequest]) -> type[PlanRequest]:
    """``model`` as a JSON body, so a request the schema refuses gets a 422: its integers
    are JSON numbers, not "3" or true."""
    whole = Annotated[int, BeforeValidator(_json_integer)]
    fields = {name: (whole, info) for name, info in model.model_fields.items() if info.annotation is int}
    return create_model(model.__name__, __base__=model, **fields)


ContactsBody, InstructorsBody, PairingsBody, JointBranchesBody = map(
    _json_body, (ContactsRequest, InstructorsRequest, PairingsRequest, JointBranchesRequest))


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


_PROPOSE = {"response_model": Proposal, "status_code": 201, "responses": BODY_ERRORS}


def _params(request: BaseModel) -> dict[str, Any]:
    return request.model_dump()


def limits(settings: Settings) -> plans.PlanLimits:
    return plans.PlanLimits(settings.plans_per_principal, settings.plan_days)


@router.post("/contacts", summary="Propose leaders' contact points", **_PROPOSE)
def propose_contacts(reader: ReaderDep, settings: SettingsDep, request: Annotated[ContactsBody, Body()] = ContactsBody()) -> dict:
    return plans.propose(reader, "contacts", _params(request), limits(settings))


@router.post("/instructors", summary="Propose instructor assignments", **_PROPOSE)
def propose_instructors(reader: ReaderDep, settings: SettingsDep, request: Annotated[InstructorsBody, Body()] = InstructorsBody()) -> dict:
    return plans.propose(reader, "instructors", _params(request), limits(settings))


@router.post("/pairings", summary="Propose co-building pairings", **_PROPOSE)
def propose_pairings(reader: ReaderDep, settings: SettingsDep, request: Annotated[PairingsBody, Body()] = PairingsBody()) -> dict:
    return plans.propose(reader, "pairings", _params(request), limits(settings))


@router.post("/joint-branches", summary="Propose joint branches", **_PROPOSE)
def propose_joint_branches(reader: ReaderDep, settings: SettingsDep, request: Annotated[JointBranchesBody, Body()] = JointBranchesBody()) -> dict:
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
