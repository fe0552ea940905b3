from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import entities
from api.core.services.models import LeaderDetail, LeaderOut, Page
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/leaders", tags=["leaders"], responses=READ_ERRORS)


@router.get("", response_model=Page[LeaderOut], summary="List leaders")
def list_leaders(reader: ReaderDep, page: PageDep, filters: Annotated[entities.ChainFilter, Query()]) -> dict:
    """Names are null for viewer tokens; for editors and admins every name shown is audited."""
    return entities.list_leaders(reader, page, filters)


@router.get("/{leader_id}", response_model=LeaderDetail, summary="One leader")
def get_leader(reader: ReaderDep, leader_id: Annotated[str, Path(max_length=200)]) -> dict:
    return entities.get_leader(reader, leader_id)
