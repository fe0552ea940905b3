from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from graph.analysis.chain_structure import CENTRALITIES, ChainStructure

from api.http.responses import json_response
from api.http.deps import ReaderDep
from api.http.errors import error_responses
from api.core.services import analyses, entities
from api.core.services.models import ChainDetail, ChainOut, Page
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/chains", tags=["chains"], responses=error_responses(401, 422))  # a list without a chain filter: no 404
ChainId = Annotated[str, Path(max_length=200)]


@router.get("", response_model=Page[ChainOut], summary="List industry chains")
def list_chains(reader: ReaderDep, page: PageDep, filters: Annotated[entities.NameFilters, Query()]) -> dict:
    return entities.list_chains(reader, page, filters)


@router.get("/{chain_id}", responses=error_responses(404), response_model=ChainDetail, summary="One chain with its segments")
def get_chain(reader: ReaderDep, chain_id: ChainId) -> dict:
    return entities.get_chain(reader, chain_id)


@router.get("/{chain_id}/structure", responses=error_responses(404), response_model=ChainStructure, summary="Segments, coverage, missing links and key enterprises")
def chain_structure(
    reader: ReaderDep,
    chain_id: ChainId,
    top: Annotated[int, Query(ge=1, le=100, description="Key enterprises to list.")] = 10,
    centrality: Annotated[Literal[CENTRALITIES], Query()] = "pagerank",
) -> Response:
    """The same JSON as `redchain chain structure --json`."""
    return json_response(analyses.structure(reader, chain_id, top=top, centrality=centrality))
