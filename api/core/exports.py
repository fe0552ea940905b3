"""Spreadsheet exports a planner can use as they are: a title and 统计日期 row, Chinese
headers taken from the schema, names with their codes in a column of their own, widths
that fit, a frozen header with an autofilter, one sheet per grouping — and safe from
formula injection.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could
be evaluated by a spreadsheet as a formula (or DDE command). Every such text is written
as a string with a leading single quote, so Excel and LibreOffice show it and never run
it. Numbers stay numbers; characters XML cannot hold are dropped.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Sequence

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx
# openpyxl is imported where a workbook is made: every command line and page loads this
# module for its column words, and openpyxl alone takes a tenth of a second to import.

from graph.analysis.coverage import GROUPINGS, coverage_report
from graph.analysis.membership import name_of
from graph.analysis.uncovered import REMEDY_ZH, UncoveredEnterprise, uncovered_enterprises
from graph.schema import COVERAGE_FIELDS_ZH, GROUPINGS_ZH, STARS_ZH, coverage_field_zh
from graph.settings import planners_now

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

HEADER_ROW = 3  # row 1 the title, row 2 统计日期, row 3 the headers
MIN_WIDTH, MAX_WIDTH = 6, 60  # column widths, in Excel's character units

# ``stars`` is a dict: one column per key (``stars.5``).
COVERAGE_COLUMNS = (("key", "编号"), ("name", "名称"), *(
    (name, coverage_field_zh(name))
    for field in COVERAGE_FIELDS_ZH for name in ([f"stars.{k}" for k in STARS_ZH] if field == "stars" else [field])
))
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
    ("work_covered_by_ids", "来源编号"),
    ("chains", "产业链"),
    ("segments", "环节"),
    ("park", "园区"),
    ("street", "街道"),
)


@dataclass(frozen=True)
class Export:
    """A workbook and the names it is offered under: ``filename`` (Chinese) and an ASCII
    ``fallback`` for clients that cannot read RFC 5987 names."""

    data: bytes
    filename: str
    fallback: str


def neutralise(value: Any) -> Any:
    """A cell value a spreadsheet will show but never evaluate.

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-3)
    -3
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet(book, title: str, heading: str, stamp: str, headers: Sequence[str],
           rows: Iterable[Sequence[Any]], percent_columns: frozenset[int] = frozenset()) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append([neutralise(heading)])
    sheet.append([stamp])
    sheet.append(list(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center")
    widths = [display_width(h) for h in headers]
    for row in rows:
        sheet.append([None] * len(headers))
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=sheet.max_row, column=col)
            safe = neutralise(value)
            cell.value = safe
            if isinstance(safe, str):
                cell.data_type = "s"  # never a formula, whatever the text
                widths[col - 1] = max(widths[col - 1], display_width(safe))
            elif col - 1 in percent_columns:
                cell.number_format = "0.00%"
                widths[col - 1] = max(widths[col - 1], 7)
            elif safe is not None:
                widths[col - 1] = max(widths[col - 1], len(str(safe)))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = max(MIN_WIDTH, min(MAX_WIDTH, width + 2))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{max(sheet.max_row, HEADER_ROW)}"


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stamp(on: date, version: int | None) -> str:
    return f"统计日期：{on:%Y年%m月%d日}" + (f"（数据版本 {version}）" if version is not None else "")


def _scope_words(g: nx.MultiDiGraph, chains: Sequence[str]) -> tuple[str, str]:
    """The chains' names for titles and file names, and an ASCII tag for the fallback name."""
    if not chains:
        return "", ""
    names = "、".join(safe_filename_part(name_of(g, chain)) if chain in g else safe_filename_part(chain) for chain in chains)
    return f"（{names}）", "-" + re.sub(r"[^A-Za-z0-9_-]+", "", "-".join(chains))[:40]


def _limited_to(chain: str | None, within: Iterable[str]) -> list[str]:
    """The chains a workbook is limited to: the one asked for, else the reader's own (a
    principal scoped to chains reads only theirs, and the workbook says so)."""
    return [chain] if chain is not None else sorted(within)


def safe_filename_part(text: str) -> str:
    """``text`` without what a file name or a Content-Disposition header cannot hold:
    control characters, quotes, slashes and the characters Windows forbids."""
    cleaned = re.sub(r'[\x00-\x1f\x7f"\\/:*?<>|]+', "", text).strip(" .")
    return cleaned[:60] or "导出"


def coverage_workbook(g: nx.MultiDiGraph, *, chain: str | None = None, within: Iterable[str] = (),
                      on: date | None = None, version: int | None = None) -> Export:
    """Coverage in total (sheet 总计) and per chain, segment, park and street (one sheet each).
    ``within``: the chains ``g`` is limited to (a scoped principal's view), named in the
    titles, the total row and the file name when no ``chain`` is asked."""
    on = on or planners_now().date()
    limited = _limited_to(chain, within)
    scope, tag = _scope_words(g, limited)
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    percent = frozenset(i for i, (field, _) in enumerate(COVERAGE_COLUMNS) if field.endswith("_rate"))
    headers = [zh for _, zh in COVERAGE_COLUMNS]
    stamp = _stamp(on, version)
    totals = coverage_report(g, chain=chain).to_dict()["totals"]
    totals = {"key": "、".join(limited), "name": "合计", **totals}
    _sheet(book, "总计", f"两新组织党建“两个覆盖”情况{scope}", stamp, headers, [_coverage_row(totals)], percent)
    for by in GROUPINGS:
        groups = coverage_report(g, by=by, chain=chain).to_dict()["groups"]
        _sheet(book, f"按{GROUPINGS_ZH[by]}", f"“两个覆盖”情况（按{GROUPINGS_ZH[by]}）{scope}", stamp, headers,
               (_coverage_row(group) for group in groups), percent)
    return Export(_save(book), f"覆盖情况{scope}-{on:%Y%m%d}.xlsx", f"coverage{tag}-{on:%Y%m%d}.xlsx")


def _coverage_row(fields: dict) -> list:
    """One row of COVERAGE_COLUMNS; ``stars.5`` reads ``fields["stars"]["5"]``."""
    return [fields["stars"][f.removeprefix("stars.")] if f.startswith("stars.") else fields[f] for f, _ in COVERAGE_COLUMNS]


def uncovered_workbook(g: nx.MultiDiGraph, *, chain: str | None = None, within: Iterable[str] = (),
                       on: date | None = None, version: int | None = None) -> tuple[Export, list[UncoveredEnterprise]]:
    """Uncovered enterprises: all of them (sheet 全部), then one sheet per remedy. Chains,
    segments and work-coverage sources are shown by name, the sources' codes beside them.
    ``within`` as for ``coverage_workbook``. Also returns the enterprises listed, so the
    caller can audit the people they name."""
    on = on or planners_now().date()
    scope, tag = _scope_words(g, _limited_to(chain, within))
    found = uncovered_enterprises(g, chain=chain)
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    headers = [zh for _, zh in UNCOVERED_COLUMNS]
    stamp = _stamp(on, version)

    def names(ids: Iterable[str]) -> str:
        return "、".join(name_of(g, i) if i in g else i for i in ids)

    def row(u: UncoveredEnterprise) -> list:
        return [
            u.id, u.name, REMEDY_ZH[u.remedy], u.priority, "；".join(u.reasons), u.party_members, u.employees,
            "是" if u.work_covered else "否", names(u.work_covered_by), "、".join(u.work_covered_by),
            names(u.chains), names(u.segments), u.park, u.street,
        ]

    _sheet(book, "全部", f"未覆盖两新组织清单{scope}", stamp, headers, (row(u) for u in found))
    for remedy, zh in REMEDY_ZH.items():
        _sheet(book, zh, f"未覆盖两新组织清单：{zh}{scope}", stamp, headers, (row(u) for u in found if u.remedy == remedy))
    return Export(_save(book), f"未覆盖企业{scope}-{on:%Y%m%d}.xlsx", f"uncovered{tag}-{on:%Y%m%d}.xlsx"), found
