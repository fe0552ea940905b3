from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from api.http.deps import SettingsDep, StoreDep, UnscopedEditorDep
from api.http.errors import ERROR_RESPONSES, ErrorResponse
from api.core.services.imports import Upload, import_uploads
from api.core.services.models import ImportResult

router = APIRouter(prefix="/api/imports", tags=["imports"], responses=ERROR_RESPONSES)


@router.post(
    "",
    response_model=ImportResult,
    summary="Import CSV/XLSX/XLS/JSON files (all or nothing)",
    responses={
        413: {"model": ErrorResponse, "description": "The upload is larger than the limit"},
        422: {"model": ErrorResponse, "description": "Problems in the files (`details.problems`); nothing was written"},
    },
)
def import_files(
    principal: UnscopedEditorDep,
    store: StoreDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="One or more files; a CSV's name is its table's name.")],
    dry_run: Annotated[bool, Form(description="Check and count only; write nothing.")] = False,
    map: Annotated[list[str] | None, Form(description="`原列名=标准列名` for a header the synonyms do not know (repeat the field).")] = None,
    as_table: Annotated[str | None, Form(alias="as", max_length=50, description="Read every sheet as this table, e.g. `ledger`.")] = None,
    full: Annotated[bool, Form(description="The files are the complete register: enterprises they no longer list leave the base.")] = False,
) -> dict:
    """The same validation, atomicity, options and problem list as `redchain load --json`."""
    uploads = [Upload(f.filename or "", f.file) for f in files]
    return import_uploads(store, principal, uploads, dry_run=dry_run, max_bytes=settings.max_upload_bytes,
                          maps=map or [], as_table=as_table, full=full)
