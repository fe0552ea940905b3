"""Spreadsheet exports: Chinese headers, one sheet per grouping, safe from formula injection.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could
be evaluated by a spreadsheet as a formula (or DDE command). Every such text is written
as a string with a leading single quote, so Excel and LibreOffice show it and never run
it. Numbers stay numbers; characters XML cannot hold are dropped.
"""

from __future__ import annotations

import io
from typing import Any, Iterable, Sequence

import networkx as nx
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from graph.analysis.coverage import GROUPINGS, coverage_report
from graph.analysis.uncovered import REMEDY_ZH, uncovered_enterprises

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COVERAGE_COLUMNS = (
    ("key", "编号"),
    ("name", "名称"),
    ("base", "基数"),
    ("org_covered", "组织覆盖"),
    ("covered_by_standalone", "单独组建覆盖"),
    ("covered_by_joint", "联合组建覆盖"),
    ("work_covered", "工作覆盖"),
    ("uncovered", "未覆盖"),
    ("org_coverage_rate", "组织覆盖率"),
    ("two_coverage_rate", "两个覆盖率"),
    ("party_orgs", "党组织"),
    ("standalone_orgs", "单独组建党组织"),
    ("joint_orgs", "联合组建党组织"),
    ("industry_committees", "产业链党委"),
    ("standalone_eligible", "应单独组建（党员≥3）"),
    ("standalone_eligible_own_org", "已单独组建"),
    ("standalone_formation_rate", "单独组建率"),
    ("with_members", "有党员"),
    ("with_members_covered", "有党员已建党组织"),
    ("with_members_coverage_rate", "有党员组织覆盖率"),
    ("instructor_covered", "党建指导员覆盖"),
    ("instructor_coverage_rate", "党建指导员覆盖率"),
    *((f"stars.{n}", f"{zh}星级党组织") for n, zh in zip("54321", "五四三二一")),
    ("stars.unrated", "未评星党组织"),
    ("demonstration_sites", "示范点"),
    ("enterprises_per_joint_org_avg", "联合组建平均覆盖企业"),
    ("enterprises_per_joint_org_max", "联合组建最多覆盖企业"),
)
GROUPING_ZH = {"chain": "按产业链", "segment": "按环节", "park": "按园区", "street": "按街道", "kind": "按类型"}

UNCOVERED_COLUMNS = (
    ("id", "统一社会信用代码"),
    ("name", "名称"),
    ("remedy", "建议组建方式"),
    ("priority", "优先级"),
    ("reasons", "优先原因"),
    ("party_members", "党员人数"),
    ("employees", "职工人数"),
    ("work_covered", "工作覆盖"),
    ("work_covered_by", "工作覆盖来源"),
    ("chains", "产业链"),
    ("segments", "环节"),
    ("park", "园区"),
    ("street", "街道"),
)


def neutralise(value: Any) -> Any:
    """A cell value a spreadsheet will show but never evaluate.

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-3)
    -3
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], percent_columns: set[int] = frozenset()) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None] * len(headers))
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=sheet.max_row, column=col)
            safe = neutralise(value)
            if isinstance(safe, str):
                cell.value = safe
                cell.data_type = "s"  # never a formula, whatever the text
            else:
                cell.value = safe
                if col - 1 in percent_columns:
                    cell.number_format = "0.00%"
    for col, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = max(10, min(40, 2 * len(header) + 4))
    sheet.freeze_panes = "A2"


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def coverage_workbook(g: nx.MultiDiGraph, *, chain: str | None = None) -> bytes:
    """Coverage in total (sheet 总计) and per chain, segment, park and street (one sheet each)."""
    book = Workbook()
    book.remove(book.active)
    percent = {i for i, (field, _) in enumerate(COVERAGE_COLUMNS) if field.endswith("_rate")}
    headers = [zh for _, zh in COVERAGE_COLUMNS]
    totals = coverage_report(g, chain=chain).to_dict()["totals"]
    totals = {"key": chain or "", "name": "合计", **totals}
    _sheet(book, "总计", headers, [_coverage_row(totals)], percent)
    for by in GROUPINGS:
        groups = coverage_report(g, by=by, chain=chain).to_dict()["groups"]
        _sheet(book, GROUPING_ZH[by], headers, (_coverage_row(group) for group in groups), percent)
    return _save(book)


def _coverage_row(fields: dict) -> list:
    """One row of COVERAGE_COLUMNS; ``stars.5`` reads ``fields["stars"]["5"]``."""
    return [fields["stars"][f.removeprefix("stars.")] if f.startswith("stars.") else fields[f] for f, _ in COVERAGE_COLUMNS]


def uncovered_workbook(g: nx.MultiDiGraph, *, chain: str | None = None) -> bytes:
    """Uncovered enterprises: all of them (sheet 全部), then one sheet per remedy."""
    found = uncovered_enterprises(g, chain=chain)
    book = Workbook()
    book.remove(book.active)
    headers = [zh for _, zh in UNCOVERED_COLUMNS]

    def row(u) -> list:
        return [
            u.id, u.name, REMEDY_ZH[u.remedy], u.priority, "；".join(u.reasons), u.party_members, u.employees,
            "是" if u.work_covered else "否", "、".join(u.work_covered_by), "、".join(u.chains), "、".join(u.segments),
            u.park, u.street,
        ]

    _sheet(book, "全部", headers, (row(u) for u in found))
    for remedy, zh in REMEDY_ZH.items():
        _sheet(book, zh, headers, (row(u) for u in found if u.remedy == remedy))
    return _save(book)
