from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import analyses

router = APIRouter(prefix="/api/changes", tags=["coverage"], responses=READ_ERRORS)


@router.get("", summary="What changed between two snapshots, or since a date")
def changes(
    reader: ReaderDep,
    since: Annotated[date | None, Query(description="The latest snapshot of this day or before, against now (or `to`). Not with `from`.")] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=200, description="A snapshot (its `at`), against now or `to`.")] = None,
    to: Annotated[str | None, Query(max_length=200, description="Against this snapshot instead of now; alone: the snapshot before it against it.")] = None,
    chain: Annotated[str | None, Query(max_length=200)] = None,
) -> dict:
    """As `redchain changes --json`: without parameters, what the last import or save changed."""
    return analyses.changes(reader, since=since, snapshot=from_, to=to, chain=chain)
