from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.http.deps import ReaderDep
from api.http.errors import READ_ERRORS
from api.http.responses import json_response
from api.core.services.models import Neighbourhood
from api.core.services.neighbourhood import neighbourhood
from api.core.settings import DEFAULT_NEIGHBOURHOOD, MAX_DEPTH, MAX_NEIGHBOURHOOD

router = APIRouter(prefix="/api/graph", tags=["graph"], responses=READ_ERRORS)


@router.get("/neighbourhood/{node_id}", response_model=Neighbourhood, summary="Nodes and relationships around one node")
def get_neighbourhood(
    reader: ReaderDep,
    node_id: Annotated[str, Path(max_length=200)],
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Hops from the node.")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_NEIGHBOURHOOD, description="Most nodes to return.")] = DEFAULT_NEIGHBOURHOOD,
) -> Response:
    """Nearest nodes first; `capped` and `omitted` tell what was left out."""
    return json_response(neighbourhood(reader, node_id, depth=depth, limit=limit))
