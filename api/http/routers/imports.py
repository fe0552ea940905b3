from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import Field

from loaders.tables import LEDGER, TABLES

from api.http.deps import SettingsDep, StoreDep, UnscopedEditorDep
from api.http.errors import BODY_ERRORS, ErrorResponse, error_responses
from api.core.services.imports import Upload, import_uploads
from api.core.services.models import ImportResult

router = APIRouter(prefix="/api/imports", tags=["imports"], responses={**error_responses(401, 403), **BODY_ERRORS})

# `as` and `map` are documented (`as` an enum, blank for none; `map` 原列名=标准列名, neither
# blank) but checked by the service, which reads table names loosely (any case, traditional
# characters) and explains a refusal in Chinese, as `redchain load` does.
_TABLE_NAMES = ["", *dict.fromkeys(name for table in (*TABLES, LEDGER) for name in (table.name, table.zh))]
ColumnMapping = Annotated[str, Field(json_schema_extra={"pattern": r"^[^=]*[^=\s][^=]*=.*\S.*$"})]
ChainName = Annotated[str, Field(max_length=200)]
_FILE_TYPES = "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/vnd.ms-excel, application/json"


@router.post(
    "",
    response_model=ImportResult,
    summary="Import CSV/XLSX/XLS/JSON files (all or nothing)",
    responses={
        413: {"model": ErrorResponse, "description": "The upload is larger than the limit"},
        422: {"model": ErrorResponse, "description": "Problems in the files (`details.problems`); nothing was written"},
    },
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"encoding": {"files": {"contentType": _FILE_TYPES}}}}}},
)
def import_files(
    principal: UnscopedEditorDep,
    store: StoreDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(min_length=1, description="One or more files; a CSV's name is its table's name.")],
    map: Annotated[list[ColumnMapping], Form(default_factory=list, description="`原列名=标准列名` for a header the synonyms do not know (repeat the field).")],
    full_chain: Annotated[list[ChainName], Form(
        default_factory=list, description="With `full`: the files are the register of these chains only (a chain's code or name; "
                                          "repeat the field), as `load --full --chain`.")],
    dry_run: Annotated[bool, Form(description="Check and count only; write nothing.")] = False,
    as_table: Annotated[str, Form(alias="as", max_length=50, json_schema_extra={"enum": _TABLE_NAMES}, description="Read every sheet as this table, e.g. `ledger`.")] = "",
    full: Annotated[bool, Form(description="The files are the complete register: enterprises they no longer list leave the base.")] = False,
) -> dict:
    """The same validation, atomicity, options and problem list as `redchain load --json`."""
    uploads = [Upload(f.filename or "", f.file) for f in files]
    return import_uploads(store, principal, uploads, dry_run=dry_run, max_bytes=settings.max_upload_bytes,
                          maps=map, as_table=as_table, full=full, full_chains=full_chain)
