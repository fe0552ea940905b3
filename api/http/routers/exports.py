from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from api.http.deps import ReaderDep
from api.http.errors import ERROR_RESPONSES
from api.core.exports import XLSX_MEDIA_TYPE, coverage_workbook, uncovered_workbook

router = APIRouter(prefix="/api", tags=["exports"], responses=ERROR_RESPONSES)
ChainQuery = Annotated[str | None, Query(max_length=200, description="Only this chain.")]


class XlsxResponse(Response):
    media_type = XLSX_MEDIA_TYPE


# The route's own response class stays JSON so that its error responses are documented
# as JSON; the 200 response is documented (and sent) as a workbook.
_XLSX = {
    "response_model": None,
    "responses": {200: {"content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}, "description": "An Excel workbook"}},
}


def _attachment(data: bytes, filename: str) -> XlsxResponse:
    disposition = f"attachment; filename=\"{filename.encode('ascii', 'ignore').decode() or 'export.xlsx'}\"; filename*=UTF-8''{quote(filename)}"
    return XlsxResponse(data, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


@router.get("/reports/coverage.xlsx", summary="Coverage workbook: totals and one sheet per grouping", **_XLSX)
def coverage_xlsx(reader: ReaderDep, chain: ChainQuery = None) -> XlsxResponse:
    return _attachment(coverage_workbook(reader.scoped.g, chain=chain), f"覆盖情况{'-' + chain if chain else ''}.xlsx")


@router.get("/gaps/uncovered.xlsx", summary="Uncovered enterprises: all, then one sheet per remedy", **_XLSX)
def uncovered_xlsx(reader: ReaderDep, chain: ChainQuery = None) -> XlsxResponse:
    return _attachment(uncovered_workbook(reader.scoped.g, chain=chain), f"未覆盖企业{'-' + chain if chain else ''}.xlsx")
