from typing import Annotated

from fastapi import APIRouter, Query, Response

from graph.analysis.contact_gaps import ContactGaps
from graph.analysis.org_checks import OrgCheck
from graph.analysis.pairing_gaps import PairingGaps
from graph.analysis.uncovered import UncoveredEnterprise

from api.http.responses import json_response
from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import analyses
from api.core.settings import MAX_PAGE_SIZE

router = APIRouter(prefix="/api/gaps", tags=["gaps"], responses=READ_ERRORS)
ChainQuery = Annotated[str | None, Query(max_length=200, description="Only this chain.")]


@router.get("/uncovered", response_model=list[UncoveredEnterprise], summary="Base enterprises without a party organisation")
def uncovered(
    reader: ReaderDep,
    chain: ChainQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Most important first, as `redchain gaps uncovered --json`, a page at a time; the
    `X-Total-Count` header says how many there are in all."""
    body, total = analyses.uncovered(reader, chain=chain, limit=limit, offset=offset)
    response = json_response(body)
    response.headers["X-Total-Count"] = str(total)
    return response


@router.get("/pairing", response_model=PairingGaps, summary="Co-building (结对共建) gaps")
def pairing(reader: ReaderDep, chain: ChainQuery = None) -> Response:
    return json_response(analyses.pairing(reader, chain=chain))


@router.get("/contacts", response_model=ContactGaps, summary="Leaders' contact-point (联系点) gaps")
def contacts(reader: ReaderDep, chain: ChainQuery = None) -> Response:
    """Leaders' names are shown to editors and admins only (and audited)."""
    return json_response(analyses.contacts(reader, chain=chain))


@router.get("/orgs", response_model=list[OrgCheck], summary="Advisory checks on party organisations")
def org_checks(reader: ReaderDep, chain: ChainQuery = None) -> Response:
    return json_response(analyses.org_checks(reader, chain=chain))
