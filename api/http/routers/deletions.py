from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from graph.schema import REL_SPECS, REL_ZH, RelType

from api.core.services.deletions import delete_entity, delete_link
from api.http.deps import StoreDep, UnscopedEditorDep
from api.http.errors import WRITE_ERRORS, ErrorResponse

router = APIRouter(tags=["imports"], responses=WRITE_ERRORS)

_DryRun = Query(description="Say what would be removed; write nothing.")

# Documented as an enum; the service still reads them (codes in any case) and answers any
# other word with the list of these, in Chinese.
_REL_TYPE_NAMES = list(dict.fromkeys(name for t in RelType for name in (t.value, REL_ZH[t], REL_SPECS[t].zh)))


class Deleted(BaseModel):
    ok: bool
    dry_run: bool
    deleted: dict[str, str | None] | None = Field(None, description="The entity removed: id, name, label.")
    removed_links: list[dict[str, str]] = Field(description="Each relationship removed: type, source, target and their names.")
    version: int


@router.delete(
    "/api/entities/{node_id}", response_model=Deleted, summary="Remove an entity (editor, every chain)",
    responses={409: {"model": ErrorResponse, "description": "It still has relationships and `cascade` is not set"}},
)
def remove_entity(principal: UnscopedEditorDep, store: StoreDep, node_id: Annotated[str, Path(max_length=64)],
                  cascade: Annotated[bool, Query(description="Remove its relationships too.")] = False,
                  dry_run: Annotated[bool, _DryRun] = False) -> dict:
    """As `redchain delete entity`: refused (409, listing them) while it has relationships, unless `cascade`."""
    return delete_entity(store, principal, node_id, cascade=cascade, dry_run=dry_run)


@router.delete("/api/links/{rel_type}/{source}/{target}", response_model=Deleted,
               summary="Remove one relationship (editor, every chain)")
def remove_link(principal: UnscopedEditorDep, store: StoreDep, rel_type: Annotated[str, Path(max_length=30, json_schema_extra={"enum": _REL_TYPE_NAMES})],
                source: Annotated[str, Path(max_length=64)], target: Annotated[str, Path(max_length=64)],
                dry_run: Annotated[bool, _DryRun] = False) -> dict:
    """As `redchain delete link`: the type by its code (COVERS) or its words (党组织覆盖)."""
    return delete_link(store, principal, rel_type, source, target, dry_run=dry_run)
