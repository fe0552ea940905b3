from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.http.deps import ReaderDep
from api.http.errors import error_responses
from api.core.services import entities
from api.core.services.models import Page, UnitDetail, UnitOut
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/units", tags=["units"], responses=error_responses(401, 422))  # a list without a chain filter: no 404


@router.get("", response_model=Page[UnitOut], summary="List units (departments, streets, communities, …)")
def list_units(reader: ReaderDep, page: PageDep, filters: Annotated[entities.UnitFilters, Query()]) -> dict:
    return entities.list_units(reader, page, filters)


@router.get("/{unit_id}", responses=error_responses(404), response_model=UnitDetail, summary="One unit")
def get_unit(reader: ReaderDep, unit_id: Annotated[str, Path(max_length=200)]) -> dict:
    return entities.get_unit(reader, unit_id)
