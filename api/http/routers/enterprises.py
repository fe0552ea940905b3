from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import entities
from api.core.services.models import EnterpriseDetail, EnterpriseOut, Page
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/enterprises", tags=["enterprises"], responses=READ_ERRORS)


@router.get("", response_model=Page[EnterpriseOut], summary="List enterprises")
def list_enterprises(reader: ReaderDep, page: PageDep, filters: Annotated[entities.EnterpriseFilters, Query()]) -> dict:
    return entities.list_enterprises(reader, page, filters)


@router.get("/{enterprise_id}", response_model=EnterpriseDetail, summary="One enterprise")
def get_enterprise(reader: ReaderDep, enterprise_id: Annotated[str, Path(max_length=200)]) -> dict:
    return entities.get_enterprise(reader, enterprise_id)
