from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from api.http.deps import CurrentReaderDep
from api.http.errors import READ_ERRORS
from api.core.exports import XLSX_MEDIA_TYPE, Export, coverage_workbook, uncovered_workbook

router = APIRouter(prefix="/api", tags=["exports"], responses=READ_ERRORS)
ChainQuery = Annotated[str | None, Query(max_length=200, description="Only this chain.")]


class XlsxResponse(Response):
    media_type = XLSX_MEDIA_TYPE


# The route's own response class stays JSON so that its error responses are documented
# as JSON; the 200 response is documented (and sent) as a workbook.
_XLSX = {
    "response_model": None,
    "responses": {200: {"content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}, "description": "An Excel workbook"}},
}


# A workbook is read from the store's version now (``CurrentReaderDep``: after a write made
# elsewhere it waits for the new projection), never from an older one: it is kept and passed
# on, and its 数据版本 would name data no longer current.
def _attachment(export: Export) -> XlsxResponse:
    # The ASCII name first for old clients, then the Chinese one (RFC 6266 / 5987); both
    # are built from cleaned text, so no quote, CR or LF from an id can reach the header.
    disposition = f"attachment; filename=\"{export.fallback}\"; filename*=UTF-8''{quote(export.filename, safe='')}"
    return XlsxResponse(export.data, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


@router.get("/reports/coverage.xlsx", summary="Coverage workbook: totals and one sheet per grouping", **_XLSX)
def coverage_xlsx(reader: CurrentReaderDep, chain: ChainQuery = None) -> XlsxResponse:
    return _attachment(coverage_workbook(reader.scoped.g, chain=chain, within=reader.scoped.chains or (),
                                         version=reader.scoped.version))


@router.get("/gaps/uncovered.xlsx", summary="Uncovered enterprises: all, then one sheet per remedy", **_XLSX)
def uncovered_xlsx(reader: CurrentReaderDep, chain: ChainQuery = None) -> XlsxResponse:
    export, listed = uncovered_workbook(reader.scoped.g, chain=chain, within=reader.scoped.chains or (),
                                        version=reader.scoped.version)
    reader.saw(reader.scoped.people_in([source for u in listed for source in u.work_covered_by]))
    return _attachment(export)
