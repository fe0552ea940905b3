"""Read import files into raw tables: CSV (UTF-8, UTF-8 with BOM, GBK, GB18030),
XLSX, XLS and JSON. Readers decide nothing about meaning; they report what is unreadable
as problems and hand on cells with the row numbers a person sees in Excel.

Hostile workbooks: an XLSX is checked from its zip directory before anything is
decompressed (total size and compression ratio bounded), and its XML is parsed by
openpyxl through defusedxml, which refuses entity declarations.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field, replace
from itertools import islice, zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from loaders.problems import Problem
from loaders.values import ExcelError

if TYPE_CHECKING:
    from loaders.csv_cells import ArrowCsv

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".json")
MAX_XLSX_UNCOMPRESSED = 1 << 30  # 1 GiB of XML is far beyond any real planner's workbook
MAX_XLSX_RATIO = 200  # real sheets compress ~10-30x; bombs compress 1000x and more
_RATIO_FLOOR = 1 << 20  # small members may compress well; only judge big ones
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312
MAX_COLUMNS = 1000  # a ledger has a few dozen; a sheet wider than this is refused before it is read
MAX_SHEET_ROWS = 1_048_576  # Excel's own limit: a worksheet with more rows was not made by Excel


class TooLarge(Exception):
    """A sheet past a limit: reading stops at once, and the file gets one clear problem."""

    def __init__(self, sheet: str | None, message: str):
        super().__init__(message)
        self.sheet, self.message = sheet, message


def too_wide(sheet: str | None, width: int, *, at_least: bool = False) -> TooLarge:
    return TooLarge(sheet, f"这张表有 {width} 列{'以上' if at_least else ''}，超过上限 {MAX_COLUMNS} 列：请只保留要导入的列（台账通常只有几十列）")


@dataclass
class RawTable:
    """One sheet / CSV file / JSON array: its headers and, column by column, the cells of
    the rows that hold anything, with the row number a person sees for each row."""

    file: str
    name: str  # sheet name, CSV file stem, or JSON key: the table it claims to be
    sheet: str | None
    headers: list[object]
    numbers: Sequence[int] = field(default_factory=list)  # the row number of each data row (a list or a range)
    columns: list[list[object]] = field(default_factory=list)  # columns[j][i]: cell j of data row i
    header_row: int = 1
    merged: list[MergedRange] = field(default_factory=list)  # ranges filled "the same as above" (XLSX)
    headings: dict[int, str] = field(default_factory=dict)  # row number -> a heading over the rows below it (一、工程机械产业链)
    hidden: bool = False  # a sheet the workbook hides (old data, a lookup list): not imported
    hidden_columns: frozenset[int] = frozenset()  # positions of the columns the sheet hides: not read

    def row(self, i: int) -> list[object]:
        """The cells of data row ``i``."""
        return [column[i] for column in self.columns]

    def rehead(self, i: int) -> None:
        """Make data row ``i`` the header: the rows above it (a title, a note) are left
        out, the rows below keep the numbers a person sees in Excel."""
        self.headers = self.row(i)
        self.header_row = self.numbers[i]
        self.numbers = self.numbers[i + 1:]
        self.columns = [column[i + 1:] for column in self.columns]

    def drop(self, rows: set[int]) -> None:
        """Leave data rows ``rows`` (positions) out: rows that are not data (a total)."""
        keep = [i for i in range(len(self.numbers)) if i not in rows]
        self.numbers = [self.numbers[i] for i in keep]
        self.columns = [[column[i] for i in keep] for column in self.columns]

    def column(self, index: int) -> list[object]:
        """The cells under header ``index``, one per data row (None where a row is short)."""
        return self.columns[index] if index < len(self.columns) else [None] * len(self.numbers)


@dataclass(frozen=True)
class MergedRange:
    """Cells merged over several rows (``ref`` as Excel writes it, "B3:B6"): planners merge
    to say "the same as above", so every row of the range reads the top-left value. Only
    the range's first column is filled: a range over several columns shows one value,
    which belongs to one column (the others stay blank, as Excel keeps them)."""

    ref: str
    top: int
    bottom: int
    column: int  # 0-based, the range's first column
    width: int  # columns the range spans

    @classmethod
    def parse(cls, ref: str) -> MergedRange | None:
        """The range ``ref`` if it spans several rows, else None (a title merged across)."""
        found = _RANGE.fullmatch(ref)
        if found is None or int(found[4]) <= int(found[2]):
            return None
        first, last = _column_index(found[1]), _column_index(found[3])
        return cls(ref, int(found[2]), int(found[4]), first, last - first + 1)

    @classmethod
    def spanning(cls, top: int, bottom: int, first: int, last: int) -> MergedRange:
        """The range of rows ``top``..``bottom`` (as Excel numbers them) and columns
        ``first``..``last`` (0-based)."""
        return cls(f"{column_letter(first)}{top}:{column_letter(last)}{bottom}", top, bottom, first, last - first + 1)


_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+):\$?([A-Z]{1,3})\$?([0-9]+)")


def column_letter(index: int) -> str:
    """The letters Excel heads column ``index`` (0-based) with: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


@dataclass
class ReadResult:
    tables: list[RawTable] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_file(path: Path, display: str | None = None, parsed: ArrowCsv | None = None) -> ReadResult:
    """Read one file of any supported kind; ``parsed``: the CSV file as Arrow already
    parsed it (``loaders.csv_cells.parse_csv``)."""
    display = display or str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":  # Arrow reads the file from disk; what it would not read as pandas does, pandas reads below
        from loaders.csv_cells import parse_csv  # it reads as this module does, and uses its decoding

        parsed = parsed or parse_csv(path, MAX_COLUMNS)
        grid = parsed.grid() if parsed is not None else None
        if grid is not None:
            return ReadResult(tables=[_table_of(display, path, *grid)])
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ReadResult(problems=[Problem(display, f"无法读取文件：{exc.strerror or exc}", "unreadable")])
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        return ReadResult(problems=[Problem(display, "文件为空", "empty_file")])
    if suffix == ".csv":
        begun = _csv_start(data, display)
        del data  # pandas reads the file from disk: its bytes are not held while the cells are made (0.2 GB at 2·10⁶ rows)
        return begun if isinstance(begun, ReadResult) else _read_csv(path, display, begun)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, display)
    if suffix == ".xls":
        return _read_xls(data, display)
    if suffix == ".json":
        return _read_json(data, display)
    allowed = "、".join(SUPPORTED_SUFFIXES)
    return ReadResult(problems=[Problem(display, f"不支持的文件类型 {suffix or '(无扩展名)'}；支持 {allowed}", "bad_file_type")])


# -- CSV ------------------------------------------------------------------------------


def decode_csv(data: bytes) -> tuple[str | None, str | None]:
    """(text, encoding) for the first encoding that decodes every byte, else (None, why).

    When none does, the message points at the bad bytes of the encoding that got furthest:
    a GBK file with one stray byte fails as UTF-8 at its first Chinese character, but the
    byte to fix is where GB18030 fails.
    """
    furthest = None
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if furthest is None or exc.start > furthest.start:
                furthest = exc
            if encoding.startswith("utf-8") and (mixed := _mixed_encoding(data, exc)):
                return None, mixed
            continue
        return text, encoding
    line = data[: furthest.start].count(b"\n") + 1
    return None, (
        f"无法识别文件编码：第{line}行（字节位置 {furthest.start}）的字节 "
        f"{data[furthest.start:furthest.start + 4].hex(' ')} 既不是 UTF-8 也不是 GBK/GB18030；"
        "请用 Excel“另存为 CSV UTF-8”后重新导入"
    )


def _mixed_encoding(data: bytes, failed: UnicodeDecodeError) -> str | None:
    """A header saved as UTF-8 above rows in GBK (two files pasted together, or a
    program that writes its header itself): read as GBK the header would be garbled and
    every column reported missing, so say what is wrong instead."""
    end = data.find(b"\n")
    if end < 0 or failed.start <= end or data[:end].isascii():
        return None  # the header is plain ASCII (either encoding reads it) or is itself bad UTF-8
    line = data[: failed.start].count(b"\n") + 1
    try:
        data[end:].decode("gb18030")
    except UnicodeDecodeError:
        return None
    return (f"文件编码不一致：表头是 UTF-8，第{line}行起是 GBK/GB18030；"
            "请用 Excel 打开后整份“另存为 CSV UTF-8”再导入")


@dataclass(frozen=True)
class CsvStart:
    """What a CSV file's bytes say before pandas parses them: the encoding ``decode_csv``
    found, the blank lines above everything (how many, and the byte where the rest
    starts) and the first lines, parsed."""

    encoding: str
    skipped: int
    start: int
    head: list[list[str]]


def _csv_start(data: bytes, display: str) -> CsvStart | ReadResult:
    """The file's ``CsvStart``, or a problem: bytes no encoding reads, or too many columns."""
    text, encoding_or_why = decode_csv(data)
    if text is None:
        return ReadResult(problems=[Problem(display, encoding_or_why, "undecodable")])
    skipped, start = 0, 0
    if blank := LEADING_BLANK_LINES.match(text):  # blank lines above everything: not the header
        # They are ASCII: as many bytes as characters, after a UTF-8 byte order mark.
        skipped, start = blank.group(0).count("\n"), blank.end() + len(codecs.BOM_UTF8) * data.startswith(codecs.BOM_UTF8)
    body_chars = len(text) - (blank.end() if blank else 0)
    head_text = text[blank.end() if blank else 0:][:_HEAD_CHARS]  # the first lines, however long a hostile first line is
    del text
    # split by csv's own rules: str.splitlines also splits at form feeds and other separators a cell may hold
    head = list(islice(csv.reader(io.StringIO(head_text, newline="")), HEAD_LINES))
    if (width := max(map(len, head), default=0)) > MAX_COLUMNS:
        cut = body_chars > _HEAD_CHARS and "\n" not in head_text
        return ReadResult(problems=[Problem(display, too_wide(None, width, at_least=cut).message, "too_large")])
    return CsvStart(encoding_or_why, skipped, start, head)


def _read_csv(path: Path, display: str, begun: CsvStart) -> ReadResult:
    """pandas parses the file from disk, from ``begun.start`` on, in the encoding
    ``_csv_start`` found (a decoded copy of a 200 MB file, the StringIO pandas would read
    it from, or the file's bytes held in memory, cost as much as the cells); the frame is
    then taken apart column by column, each column freed as it is listed."""
    import numpy as np
    import pandas as pd

    skipped = begun.skipped
    try:
        with path.open("rb") as handle:
            handle.seek(begun.start)
            # na_filter=False: every cell is text, a missing one "" (no NA to look for, then fill)
            frame = pd.read_csv(handle, encoding=begun.encoding, dtype=str, na_filter=False, header=None,
                                skip_blank_lines=False, names=_title_width(begun.head))
    except OSError as exc:
        return ReadResult(problems=[Problem(display, f"无法读取文件：{exc.strerror or exc}", "unreadable")])
    except pd.errors.EmptyDataError:
        return ReadResult(problems=[Problem(display, "文件中没有任何内容（只有空行）", "empty_file")])
    except pd.errors.ParserError as exc:
        return ReadResult(problems=[_csv_parse_problem(display, str(exc), skipped)])
    columns: list[list[object]] = []
    filled = np.zeros(max(len(frame) - 1, 0), dtype=bool)
    for name in list(frame.columns):
        cells = frame.pop(name).to_numpy(dtype=object)
        filled |= cells[1:] != ""  # a row of empty strings is a blank line
        columns.append(cells.tolist())
    del frame
    return ReadResult(tables=[_table_of(display, path, skipped, columns, filled)])


def _table_of(display: str, path: Path, skipped: int, columns: list[list[object]], filled) -> RawTable:
    """The table of a CSV file parsed into ``columns`` (the header row first) below
    ``skipped`` blank lines, ``filled`` saying which rows under the header hold a cell:
    the others are blank lines, dropped, and the rows kept are numbered as a person sees
    them."""
    headers = [column[0] for column in columns]
    rows = filled.nonzero()[0]
    if len(rows) and rows[-1] == len(rows) - 1:  # blank lines only at the end (a file saved again often has one)
        filled = filled[: len(rows)]
    keep = None if filled.all() else (rows + 1).tolist()
    for j, column in enumerate(columns):  # in place: one column's copy at a time
        if keep is None:
            del column[0]
            del column[len(filled):]
        else:
            columns[j] = [column[i] for i in keep]
    # Every row filled (the usual case): the numbers as a range, not 2·10⁶ int objects (80 MB).
    numbers = range(2 + skipped, len(filled) + 2 + skipped) if keep is None else (filled.nonzero()[0] + 2 + skipped).tolist()
    return RawTable(display, path.stem, None, headers, numbers, columns, header_row=1 + skipped)


HEAD_LINES = 50  # a title row and blank rows above the header sit within the first lines
_HEAD_CHARS = 1 << 20
LEADING_BLANK_LINES = re.compile(r"(?:[ \t,]*\r?\n)+")  # above the header: skipped, not rows


def _title_width(rows: list[list[str]]) -> range | None:
    """When the file opens with a title row (one filled cell, as in "XX台账（2023年）") above
    a wider header, the widest of the first lines sets the width, not the title; otherwise
    None, and the first line is the header as usual (so a stray comma further down is
    still reported as a row wider than its header). ``rows``: the first lines, parsed."""
    if not rows or sum(1 for cell in rows[0] if cell.strip()) > 1:
        return None
    widest = max(len(row) for row in rows)
    return range(widest) if widest > len(rows[0]) else None


_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _csv_parse_problem(display: str, why: str, skipped: int = 0) -> Problem:
    """pandas' tokenizer errors, in words (and row numbers) a person can act on;
    ``skipped`` blank lines were above what pandas read."""
    if m := _TOO_MANY_FIELDS.search(why):
        expected, line, saw = (int(g) for g in m.groups())
        return Problem(display, f"这一行有{saw}列，比表头的{expected}列多（单元格里的逗号是否没有加引号？）",
                       "bad_csv", row=line + skipped)
    if m := _OPEN_QUOTE.search(why):
        return Problem(display, "引号没有闭合：从这一行开始的引号一直到文件末尾都没有结束", "bad_csv", row=int(m[1]) + 1 + skipped)
    return Problem(display, f"CSV 格式错误：{why.strip()}", "bad_csv")


# -- XLSX -----------------------------------------------------------------------------


def _zip_bomb_problem(data: bytes, display: str) -> Problem | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return Problem(display, "不是有效的 xlsx 文件（文件已损坏或不完整）；请用 Excel 重新保存", "bad_xlsx")
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1):
            return Problem(
                display,
                f"拒绝导入：{info.filename} 压缩比异常（{info.compress_size} 字节解压为 {info.file_size} 字节），疑似压缩炸弹",
                "zip_bomb",
            )
    if total > MAX_XLSX_UNCOMPRESSED:
        return Problem(display, f"拒绝导入：解压后超过 {MAX_XLSX_UNCOMPRESSED >> 20} MB，疑似压缩炸弹", "zip_bomb")
    return None


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]+)"')
# A run of columns the sheet hides: <col min="7" max="8" width="0" hidden="1"/> (before the rows).
_COLUMN_RUN = re.compile(rb'<(?:\w+:)?col\b([^>]*)>')
_RUN_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_RUN_ENDS = re.compile(rb'\b(min|max)="(\d+)"')


def _hidden_in(text: bytes) -> Iterator[int]:
    """The positions (from 0) of the columns the ``<col>`` runs in ``text`` hide."""
    for attributes in _COLUMN_RUN.findall(text):
        if _RUN_HIDDEN.search(attributes):
            ends = {name.decode(): int(value) for name, value in _RUN_ENDS.findall(attributes)}
            if "min" in ends:
                yield from range(ends["min"] - 1, min(ends.get("max", ends["min"]), MAX_COLUMNS + 1))


@dataclass
class _SheetScan:
    merged: list[MergedRange]
    hidden_columns: frozenset[int]  # positions, from 0


def _scan_sheets(data: bytes) -> tuple[dict[str, _SheetScan], Problem | None]:
    """What each sheet's compressed XML says before openpyxl parses it, read as it
    streams (a second or so for millions of rows): its merged ranges (``<mergeCell>``)
    and hidden columns (``<col hidden="1">``), which read-only openpyxl does not give, by
    the sheet's part name, and a sheet of more
    rows than Excel allows, found by counting its ``<row`` tags, not by parsing a million
    rows first. The problem names the sheet as the workbook names it, and has no display
    name yet (``_read_xlsx`` gives it one)."""
    from defusedxml import ElementTree

    archive = zipfile.ZipFile(io.BytesIO(data))
    scans: dict[str, _SheetScan] = {}
    for member in archive.namelist():
        if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
            continue
        rows, tail, refs, hidden = 0, b"", {}, set()
        with archive.open(member) as sheet:
            while chunk := sheet.read(1 << 20):
                text = tail + chunk
                rows += text.count(b"<row ") + text.count(b"<row>") + text.count(b":row ")
                if b"mergeCell" in text:
                    refs.update(dict.fromkeys(_MERGE_CELL.findall(text)))  # ordered, each once across chunks
                if b"hidden" in text:
                    hidden.update(_hidden_in(text))
                tail = text[-256:]  # longer than a <mergeCell> tag
                rows -= tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ")  # counted with the next chunk
            rows += tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ")
        if rows > MAX_SHEET_ROWS:
            return {}, Problem("", f"有 {rows} 行，超过 {MAX_SHEET_ROWS} 行（Excel 工作表的行数上限），不是 Excel 保存的工作表；请分成几个文件",
                               "too_large", sheet=_sheet_title(archive, member, ElementTree))
        found = (MergedRange.parse(ref.decode("ascii", "replace")) for ref in refs)
        scans[member] = _SheetScan(sorted((r for r in found if r is not None), key=lambda r: (r.top, r.column)),
                                   frozenset(hidden))
    return scans, None


def _sheet_title(archive: zipfile.ZipFile, member: str, tree) -> str | None:
    """The title the workbook gives the sheet stored as ``member``, if it says."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    try:
        targets = {rel.get("Id"): rel.get("Target", "").lstrip("/").removeprefix("xl/")
                   for rel in tree.fromstring(archive.read("xl/_rels/workbook.xml.rels")).findall("p:Relationship", ns)}
        for sheet in tree.fromstring(archive.read("xl/workbook.xml")).findall("m:sheets/m:sheet", ns):
            if "xl/" + targets.get(sheet.get(f"{{{ns['r']}}}id"), "") == member:
                return sheet.get("name")
    except (KeyError, ValueError, SyntaxError):  # a part missing or unreadable: the sheet goes unnamed
        pass
    return None


def _read_xlsx(data: bytes, display: str) -> ReadResult:
    import openpyxl
    from defusedxml import DefusedXmlException

    if problem := _zip_bomb_problem(data, display):
        return ReadResult(problems=[problem])
    scans, too_tall = _scan_sheets(data)
    if too_tall is not None:
        return ReadResult(problems=[replace(too_tall, file=display)])
    result = ReadResult()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                # The <dimension> a file declares may be stale (some exporters write "A1"),
                # and read-only mode would silently drop every cell outside it.
                sheet.reset_dimensions()
                rows = (_xlsx_values(row) for row in sheet.iter_rows(min_row=1))
                scan = scans.get(sheet._worksheet_path.lstrip("/"), _SheetScan([], frozenset()))  # no public name for the part
                table = _table_from_rows(display, sheet.title, _filled(rows, scan.merged), scan.merged)
                table.hidden, table.hidden_columns = sheet.sheet_state != "visible", scan.hidden_columns
                result.tables.append(table)
        finally:
            book.close()
    except TooLarge as exc:
        return ReadResult(problems=[Problem(display, exc.message, "too_large", sheet=exc.sheet)])
    except Exception as exc:  # openpyxl raises assorted parse errors on damaged XML
        if _caused_by(exc, DefusedXmlException):  # openpyxl wraps it in a ValueError
            return ReadResult(problems=[Problem(display, "拒绝导入：文件含 XML 实体或 DTD 声明（可能是恶意文件）", "xml_entities")])
        if isinstance(exc, (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError, TypeError)):
            return ReadResult(problems=[Problem(display, f"不是有效的 xlsx 文件（{type(exc).__name__}）；请用 Excel 重新保存", "bad_xlsx")])
        return ReadResult(problems=[Problem(display, f"xlsx 文件内容损坏（{type(exc).__name__}: {exc}）", "bad_xlsx")])
    return result


def _xlsx_values(row: tuple) -> list:
    # Cells, not bare values: only the cell type tells an error cell from the text "#N/A".
    return [ExcelError(cell.value) if cell.data_type == "e" else cell.value for cell in row]


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _filled(rows: Iterator[list], ranges: list[MergedRange]) -> Iterator[list]:
    """The rows with every range merged over several rows filled down its first column
    with the range's top-left value (see ``MergedRange``)."""
    if not ranges:
        yield from rows
        return
    starting: dict[int, list[MergedRange]] = {}
    for merged in ranges:
        starting.setdefault(merged.top, []).append(merged)
    open_ranges: list[tuple[MergedRange, object]] = []  # (range, its value) for the rows below its top
    for number, cells in enumerate(rows, start=1):
        open_ranges = [(merged, value) for merged, value in open_ranges if merged.bottom >= number]
        if open_ranges:
            cells = list(cells)
            for merged, value in open_ranges:
                cells += [None] * (merged.column + 1 - len(cells))
                cells[merged.column] = value
        for merged in starting.pop(number, ()):
            open_ranges.append((merged, cells[merged.column] if merged.column < len(cells) else None))
        yield cells


def _table_from_rows(display: str, sheet: str, rows: Iterator[Sequence], merged: list[MergedRange] = ()) -> RawTable:
    """The first row is the header; rows with nothing but blanks are left out."""
    headers: list[object] | None = None
    numbers: list[int] = []
    body: list[Sequence] = []
    for number, cells in enumerate(rows, start=1):
        if len(cells) > MAX_COLUMNS:
            while cells and cells[-1] is None:  # a formatted but empty column far right is not data
                cells = cells[:-1]
            if len(cells) > MAX_COLUMNS:
                raise too_wide(sheet, len(cells))
        if number > MAX_SHEET_ROWS:
            raise TooLarge(sheet, f"超过 {MAX_SHEET_ROWS} 行（Excel 工作表的行数上限），不是 Excel 保存的工作表；请分成几个文件")
        if headers is None:
            headers = list(cells)
            continue
        if any(cell is not None and not (isinstance(cell, str) and not cell.strip()) for cell in cells):
            numbers.append(number)
            body.append(cells)
    headers = headers or []
    width = max(len(headers), max(map(len, body), default=0))
    columns = [list(column) for column in zip_longest(*body)] if body else []
    columns += [[None] * len(numbers) for _ in range(width - len(columns))]
    return RawTable(display, sheet, sheet, headers, numbers, columns, merged=list(merged))


# -- XLS ------------------------------------------------------------------------------


def _read_xls(data: bytes, display: str) -> ReadResult:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=True)  # formatting: merged cells
    except Exception as exc:  # xlrd signals every kind of damage with assorted types
        return ReadResult(problems=[Problem(display, f"不是有效的 xls 文件（{exc}）；请用 Excel 重新保存", "bad_xls")])
    result = ReadResult()
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = (list(_xls_cell(cell, book.datemode) for cell in sheet.row(r)) for r in range(sheet.nrows))
            ranges = sorted((MergedRange.spanning(top + 1, bottom, first, last - 1)
                             for top, bottom, first, last in sheet.merged_cells if bottom - top > 1),
                            key=lambda r: (r.top, r.column))  # xlrd: 0-based, the ends past the range
            table = _table_from_rows(display, sheet.name, _filled(rows, ranges), ranges)
            table.hidden = sheet.visibility != 0
            table.hidden_columns = frozenset(c for c, info in sheet.colinfo_map.items() if info.hidden)
            result.tables.append(table)
            book.unload_sheet(index)
    except TooLarge as exc:
        return ReadResult(problems=[Problem(display, exc.message, "too_large", sheet=exc.sheet)])
    finally:
        book.release_resources()
    return result


def _xls_cell(cell, datemode: int):
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:  # the value is Excel's error code, not a number
        return ExcelError(xlrd.error_text_from_code.get(cell.value, f"#ERROR{cell.value}"))
    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer() and abs(cell.value) < 1e15:
        return int(cell.value)
    return cell.value


# -- JSON -----------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def _read_json(data: bytes, display: str) -> ReadResult:
    text, encoding_or_why = decode_csv(data)
    if text is None:
        return ReadResult(problems=[Problem(display, encoding_or_why, "undecodable")])
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        return ReadResult(problems=[Problem(display, f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列 {exc.msg}", "bad_json")])
    except _DuplicateKey as exc:
        return ReadResult(problems=[Problem(display, f"JSON 中同一个对象里键 {exc.key!r} 出现了两次：请只保留一个", "bad_json")])
    except RecursionError:
        return ReadResult(problems=[Problem(display, "JSON 嵌套层数过多：导入文件只需 {表名: [ {列名: 值}, … ]} 三层", "bad_json")])
    except ValueError as exc:  # e.g. an integer of thousands of digits
        return ReadResult(problems=[Problem(display, f"JSON 中有无法读取的数值（{str(exc)[:80]}）：数字请不要超过 18 位，代码请加引号写成文本", "bad_json")])
    if not isinstance(document, dict):
        return ReadResult(problems=[Problem(display, "JSON 顶层应为对象：每个表一个数组，如 {\"enterprises\": [...]}", "bad_json")])
    result = ReadResult()
    for name, items in document.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            result.problems.append(Problem(display, f"表 {name} 应为对象数组", "bad_json", sheet=name))
            continue
        seen: dict[object, None] = {}  # insertion-ordered set: linear in the number of keys
        for item in items:
            seen.update(dict.fromkeys(item))
            if len(seen) > MAX_COLUMNS:
                break
        if len(seen) > MAX_COLUMNS:
            result.problems.append(Problem(display, f"表 {name} 的对象里有超过 {MAX_COLUMNS} 个不同的键：每个键是一列，请只保留要导入的列",
                                           "too_large", sheet=name))
            continue
        headers = list(seen)
        columns = [[item.get(h) for item in items] for h in headers]
        result.tables.append(RawTable(display, name, name, headers, list(range(1, len(items) + 1)), columns, header_row=0))
    return result
