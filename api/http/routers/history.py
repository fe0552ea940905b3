from typing import Annotated

from fastapi import APIRouter, Query

from graph.analysis.history import HistoryPoint

from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.core.services import analyses

router = APIRouter(prefix="/api/history", tags=["coverage"], responses=READ_ERRORS)


@router.get("", response_model=list[HistoryPoint], summary="Saved coverage snapshots, oldest first")
def history(reader: ReaderDep, chain: Annotated[str | None, Query(max_length=200)] = None) -> list:
    """As `redchain history --json`. A token scoped to one chain gets that chain's series;
    one scoped to several must name the chain."""
    return analyses.history(reader, chain=chain)
