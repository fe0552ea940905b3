from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.http.deps import ReaderDep
from api.http.errors import error_responses
from api.core.services import entities
from api.core.services.models import InstructorOut, Page
from api.http.pagination import PageDep

router = APIRouter(prefix="/api/instructors", tags=["instructors"], responses=error_responses(401, 422))  # a list without a chain filter: no 404


@router.get("", response_model=Page[InstructorOut], summary="List instructors and first secretaries")
def list_instructors(reader: ReaderDep, page: PageDep, filters: Annotated[entities.InstructorFilters, Query()]) -> dict:
    """Names are null for viewer tokens; for editors and admins every name shown is audited."""
    return entities.list_instructors(reader, page, filters)


@router.get("/{instructor_id}", responses=error_responses(404), response_model=InstructorOut, summary="One instructor")
def get_instructor(reader: ReaderDep, instructor_id: Annotated[str, Path(max_length=200)]) -> dict:
    return entities.get_instructor(reader, instructor_id)
