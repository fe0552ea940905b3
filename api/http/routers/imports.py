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
) -> dict:
    """The same validation, atomicity and problem list as `redchain load --json`."""
    uploads = [Upload(f.filename or "", f.file) for f in files]
    return import_uploads(store, principal, uploads, dry_run=dry_run, max_bytes=settings.max_upload_bytes)
