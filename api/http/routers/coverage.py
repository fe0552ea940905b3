from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from graph.analysis.coverage import GROUPINGS, CoverageReport

from api.http.answer_version import answered_at
from api.http.responses import json_response
from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import analyses

router = APIRouter(prefix="/api/coverage", tags=["coverage"], responses=READ_ERRORS)
ChainQuery = Annotated[str | None, Query(max_length=200, description="Only this chain's enterprises.")]


@router.get("", response_model=CoverageReport, summary="Coverage of the base (两个覆盖)")
def coverage(
    request: Request,
    reader: ReaderDep,
    by: Annotated[Literal[GROUPINGS] | None, Query(description="One group per chain, segment, park or street.")] = None,
    chain: ChainQuery = None,
) -> Response:
    """The same JSON as `redchain report --json`: `totals` and `groups`, at the store's
    version even while the server rebuilds after a write made elsewhere (see the
    `X-Redchain-Version` header)."""
    body, version = analyses.coverage(reader, by=by, chain=chain)
    answered_at(request, version)
    return json_response(body)
