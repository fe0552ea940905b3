from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import entities
from api.core.services.models import Page, PartyOrgDetail, PartyOrgOut
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/party-orgs", tags=["party orgs"], responses=READ_ERRORS)


@router.get("", response_model=Page[PartyOrgOut], summary="List party organisations")
def list_party_orgs(reader: ReaderDep, page: PageDep, filters: Annotated[entities.PartyOrgFilters, Query()]) -> dict:
    return entities.list_party_orgs(reader, page, filters)


@router.get("/{org_id}", response_model=PartyOrgDetail, summary="One party organisation")
def get_party_org(reader: ReaderDep, org_id: Annotated[str, Path(max_length=200)]) -> dict:
    return entities.get_party_org(reader, org_id)
