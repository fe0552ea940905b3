from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import entities
from api.core.services.models import AllianceDetail, AllianceOut, Page
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/alliances", tags=["alliances"], responses=READ_ERRORS)


@router.get("", response_model=Page[AllianceOut], summary="List chain alliances")
def list_alliances(reader: ReaderDep, page: PageDep, filters: Annotated[entities.ChainFilter, Query()]) -> dict:
    return entities.list_alliances(reader, page, filters)


@router.get("/{alliance_id}", response_model=AllianceDetail, summary="One alliance with its members")
def get_alliance(reader: ReaderDep, alliance_id: Annotated[str, Path(max_length=200)]) -> dict:
    return entities.get_alliance(reader, alliance_id)
