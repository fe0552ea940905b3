"""Raw tables -> schema records (nodes and relationships) + problems.

Every cell is checked; nothing stops at the first problem, so a person gets the whole
list at once. A table is checked column by column, each distinct value of a column parsed
once (most columns hold few distinct values), and the problems are then put back in the
order a person reads the table: row by row, left to right. Records are kept per table with
the row number of each record, so later cross-checks can say where a clash is without
carrying a location for every cell.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from graph.columns import NodeColumns, PropColumns, RelColumns
from graph.records import Node, Rel
from graph.schema import REL_SPECS, Label, PropType, RelType
from loaders.problems import Problem, Problems
from loaders.layout import (check_mapping, fill_ditto, header_text, lookup, no_ledger_header, partial_ledger_header, recognise, say_merged,
                            skip_non_entities)
from loaders.readers import RawTable, column_letter
from loaders.tables import (LEDGER, REVERSED_TABLES, Column, Role, Table, example_sheet, find_column, instruction_sheet,
                            ignored, named_column, normalise_name)
from loaders.uscc import uscc_problems

try:  # the USCC module's own normalisation, where it has one
    from loaders.uscc import normalise_uscc
except ImportError:
    from loaders.values import normalise_uscc
from loaders.values import BadValue, is_blank, parse_code, parse_value


class Origin(NamedTuple):  # built only where a problem is reported
    file: str
    sheet: str | None
    row: int | None
    column: str | None = None

    def problem(self, message: str, code: str, column: str | None = None, value=None) -> Problem:
        return Problem(self.file, message, code, self.sheet, self.row, column or self.column, value)


class PropRows(Sequence):
    """The properties of a table's rows, kept as the table's columns: a row's dict is made
    when the row is read (by the write, a batch at a time), so a table of millions of
    rows does not hold millions of dicts. Blank cells (None) are left out of a row."""

    __slots__ = ("names", "columns", "size")

    def __init__(self, names: list[str], columns: list[list], size: int):
        self.names, self.columns, self.size = names, columns, size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> dict:
        return {name: value for name, column in zip(self.names, self.columns) if (value := column[i]) is not None}

    def __iter__(self) -> Iterator[dict]:
        if not self.columns:
            yield from ({} for _ in range(self.size))
            return
        names = self.names
        for cells in zip(*self.columns):
            yield {name: value for name, value in zip(names, cells) if value is not None}


def in_id_order(ids: list[str], kept: range | list[int]) -> range | list[int]:
    """The kept rows in id order: rows in key order fill the store's index page by page.
    Every row of a table already in id order (a register exported sorted by code) is
    taken as it is, without a list of its positions (2·10⁶ of them: 80 MB)."""
    if kept == range(len(ids)) and all(map(operator.lt, ids, islice(ids, 1, None))):
        return kept
    return sorted(kept, key=ids.__getitem__)


@dataclass
class NodeBatch:
    """The valid rows of one node table: ids, properties and the row each came from."""

    label: Label
    file: str
    sheet: str | None
    header: str  # the id column, as headed in the file
    ids: list[str]
    props: Sequence[dict]
    rows: list[int]

    def origin(self, i: int) -> Origin:
        return Origin(self.file, self.sheet, self.rows[i], self.header)

    def nodes(self, kept: range | list[int]) -> Iterable[Node]:
        """The kept rows as nodes, in id order: as the table's columns where the
        properties are kept as columns, else made one at a time."""
        label, ids, props = self.label, self.ids, self.props
        order = in_id_order(ids, kept)
        if isinstance(props, PropRows):
            return NodeColumns(label, ids, PropColumns(props.names, props.columns), order)
        return (Node(label, ids[i], props[i]) for i in order)


@dataclass
class RelBatch:
    """The valid rows of one relationship table, or of one link column of a node table
    (whose source is then the row's own id)."""

    type: RelType
    file: str
    sheet: str | None
    source_header: str
    target_header: str
    sources: list[str]
    targets: list[str]
    props: Sequence[dict] | None  # None: the table has no property columns
    rows: list[int]
    # A table's rows state the whole set of their end's links (``tables.COMPLETE_END``); a
    # ledger's batches do not: it says in ``Records.complete`` what it states in full.
    in_full: bool = True

    def source_origin(self, i: int) -> Origin:
        return Origin(self.file, self.sheet, self.rows[i], self.source_header)

    def target_origin(self, i: int) -> Origin:
        return Origin(self.file, self.sheet, self.rows[i], self.target_header)

    def rel_props(self, i: int) -> dict:
        return self.props[i] if self.props is not None else {}

    def rels(self, kept: range | list[int]) -> Iterable[Rel]:
        """The kept rows as relationships, in row order: as the table's columns where
        the properties are kept as columns (or there are none), else made one at a time."""
        rtype, sources, targets = self.type, self.sources, self.targets
        if self.props is None or isinstance(self.props, PropRows):
            props = PropColumns(self.props.names, self.props.columns) if self.props is not None else PropColumns([], [])
            return RelColumns(rtype, sources, targets, props, kept)
        return (Rel(rtype, sources[i], targets[i], self.props[i]) for i in kept)


class HeaderMapping(NamedTuple):
    """How one header of one table was read: the column it is, or None (ignored)."""

    file: str
    sheet: str | None
    table: Table
    header: str
    column: Column | None

    def __str__(self) -> str:
        where = self.file + (f":{self.sheet}" if self.sheet else "")
        header = " ".join(self.header.split())  # a header broken over lines in its cell (统一社会信用代码⏎（18位）), on one
        return f"{where} [{self.table.zh}] {header} → {self.column.display if self.column else '（忽略）'}"


@dataclass
class Records:
    """What the files say, before cross-checks against each other and the store."""

    nodes: list[NodeBatch] = field(default_factory=list)
    rels: list[RelBatch] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    warnings: Problems = field(default_factory=Problems)
    rows: int = 0
    # ids of node rows that had a problem: they are in the import, only not valid yet, so
    # relationships naming them must not be reported as pointing at nothing.
    rejected: dict[str, Label] = field(default_factory=dict)
    header_map: list[HeaderMapping] = field(default_factory=list)
    # The relationships whose stored set the import states in full, per entity: (type,
    # the end that owns the set, the ids whose stored links the import replaces, the other
    # ends those links are replaced among: None for any, a set where the file speaks for
    # only some, as a ledger of one chain for that chain's segments).
    complete: list[tuple[RelType, Role, set[str], frozenset[str] | None]] = field(default_factory=list)
    name_hints: dict[str, str | None] = field(default_factory=dict)  # unknown name -> closest names (None: ambiguous)
    ledger: list = field(default_factory=list)  # loaders.ledger.LedgerRows, resolved against the store later


def validate_table(raw: RawTable, records: Records, *, mapping: dict[str, str] | None = None,
                   force: str | None = None) -> bool:
    """Map one raw table's header and rows onto its import-format table. False if the
    table is not one of the import format's tables.

    The table is the one the sheet / file is named after, or the ledger when its headers
    say so (a name and a code with a ledger-only column, or a credit code under a sheet name no
    table has) or ``force`` is ``"ledger"``. Title
    rows above the header are skipped. ``mapping`` maps a folded header to the standard
    column name it stands for (``--map 原列名=标准列名``).
    """
    mapping = mapping or {}
    check_mapping(mapping, records.problems)
    if raw.sheet is not None and instruction_sheet(raw.name):
        return False
    if raw.hidden:
        records.warnings.append(Problem(raw.file, f"工作表 {raw.name!r} 已隐藏，没有导入；若其中是要导入的数据，"
                                                  "请在 Excel 中取消隐藏后重新导入", "hidden_sheet", raw.sheet))
        return False
    if raw.sheet is not None and example_sheet(raw.name):
        records.warnings.append(Problem(raw.file, f"工作表 {raw.name!r} 按表名是填报示例，没有导入；"
                                                  "若其中是数据，请改表名后重新导入", "example_sheet", raw.sheet))
        return False
    table, headed = recognise(raw, mapping, force)
    if table is LEDGER and not headed and not partial_ledger_header(raw, mapping):
        records.problems.append(no_ledger_header(raw))
        return True
    if table is None:
        if not instruction_sheet(raw.name):
            records.warnings.append(
                Problem(raw.file, f"未知的表 {raw.name!r}，已忽略（表名应为导入模板中的中文或英文表名，或为台账）", "unknown_table", raw.sheet)
            )
        return False
    hidden = _leave_hidden_columns(raw, table, records)
    columns = _map_header(raw, table, records, mapping, hidden)
    say_merged(raw, records.warnings)
    if columns is not None:
        skip_non_entities(raw, table, columns, records.warnings)
        if not raw.numbers and (table is LEDGER or raw.sheet is None):  # the template's sheets left empty are not news
            records.warnings.append(Problem(raw.file, f"表 {table.zh} 只有表头，没有数据行：没有导入任何内容", "no_rows",
                                            raw.sheet, raw.header_row or None))
    if table is LEDGER:
        if columns is not None:
            fill_ditto(raw, records.warnings, records.problems)
            records.rows += len(raw.numbers)
            from loaders.ledger import LedgerCheck  # the ledger builds on the checks below

            LedgerCheck(raw, table, columns, records).run()
        return True
    if columns is None:
        _reject_ids(raw, table, records)
        return True
    records.rows += len(raw.numbers)
    _TableCheck(raw, table, columns, records).run()
    return True


def _reject_ids(raw: RawTable, table: Table, records: Records) -> None:
    """A node table whose header is wrong still names its ids: remember them, so that the
    person reads about the header once, not about every relationship to those ids."""
    if table.label is None:
        return
    for index, header in enumerate(raw.headers):
        column = find_column(table, header_text(header)) if header_text(header) else None
        if column is not None and column.role is Role.ID:
            for cell in raw.column(index):
                try:
                    if not is_blank(cell):
                        records.rejected.setdefault(parse_code(cell), table.label)
                except BadValue:
                    pass
            return


def _leave_hidden_columns(raw: RawTable, table: Table, records: Records) -> dict[int, str]:
    """The columns the sheet hides (an old 联系领导（调整前）, a helper column) are not read: what
    is imported is what the planner sees. Each is emptied here, with a warning; returns
    {position: header} of those that held anything."""
    hidden = {}
    here = Origin(raw.file, raw.sheet, raw.header_row or None)
    for index in sorted(raw.hidden_columns):
        text = header_text(raw.headers[index]) if index < len(raw.headers) else ""
        cells = raw.column(index)
        if not text and all(map(is_blank, cells)):
            continue
        letter = column_letter(index)
        hidden[index] = text
        records.warnings.append(here.problem(f"列 {text or letter!r}（{letter}列）在表中已隐藏，未读取；若要读取，"
                                             "请在 Excel 中取消隐藏后重新导入", "hidden_column", column=text or letter))
        if index < len(raw.headers):
            raw.headers[index] = None
        if index < len(raw.columns):
            raw.columns[index] = [None] * len(cells)
    return hidden


def _map_header(raw: RawTable, table: Table, records: Records,
                mapping: dict[str, str] | None = None, hidden: dict[int, str] | None = None) -> list[tuple[int, Column, str]] | None:
    here = Origin(raw.file, raw.sheet, raw.header_row or None)  # JSON has no header row to point at
    mapped: dict[str, tuple[int, Column, str]] = {}
    ok = True
    for index, header in enumerate(raw.headers):
        text = header_text(header)
        if hidden and index in hidden:  # emptied: said where the header map has it, in column order
            records.header_map.append(HeaderMapping(raw.file, raw.sheet, table, hidden[index] or f"第{column_letter(index)}列", None))
            continue
        if not text:
            if not all(map(is_blank, raw.column(index))):
                records.problems.append(here.problem(
                    f"第{index + 1}列有数据但没有列名（表头是否有合并单元格？每列请单独填写列名）",
                    "empty_header", column=column_letter(index)))
                ok = False
            continue
        column = lookup(table, text, mapping or {})
        records.header_map.append(HeaderMapping(raw.file, raw.sheet, table, text, column))
        if column is None:
            if not ignored((mapping or {}).get(normalise_name(text), "")):  # --map 原列名=忽略 says so itself
                records.warnings.append(here.problem(f"未知的列 {text!r}，已忽略", "unknown_column", column=text))
            continue
        if table is LEDGER and column.name == "seq":
            continue  # a row number, not a fact
        if column.name in mapped and table is LEDGER and column.name in JOINED_LEDGER_COLUMNS:
            first = mapped[column.name]
            _join_columns(raw, first[0], index)
            records.warnings.append(here.problem(
                f"列 {text!r} 与列 {first[2]!r} 都表示 {column.display}：两列所填的合在一起读取", "joined_columns", column=text))
            continue
        if column.name in mapped and (yielding := _yielding(table, text, mapped[column.name][2], mapping or {})) is not None:
            kept = mapped[column.name][2] if yielding == text else text
            if yielding != text:
                mapped[column.name] = (index, column, text)
            _unmap(records, raw, table, yielding)
            why = (f"列名对应（--map）指定列 {kept!r} 就是这一列" if normalise_name(kept) in (mapping or {})
                   else f"但列 {kept!r} 明确就是这一列")
            records.warnings.append(here.problem(
                f"列 {yielding!r} 看来也是 {column.display}，{why}：按 {kept!r} 读取，{yielding!r} 未读取",
                "guessed_column_ignored", column=yielding))
            continue
        if column.name in mapped:
            records.problems.append(here.problem(
                f"列 {text!r} 与列 {mapped[column.name][2]!r} 重复，都表示 {column.display}"
                f"；请在列名对应（--map）中写明：要读的一列，如 {text}={column.zh}；不读的一列，如 {text}=忽略；"
                f"若其中一列说的是别的，如 {text}=标准列名；或删去其中一列",
                "duplicate_column", column=text))
            ok = False
            continue
        mapped[column.name] = (index, column, text)
    for column in table.required:
        if column.name not in mapped:
            unhide = "".join(f"；列 {text!r}（{column_letter(index)}列）在表中已隐藏，请取消隐藏后重新导入"
                             for index, text in (hidden or {}).items() if text and lookup(table, text, mapping or {}) is column)
            records.problems.append(here.problem(
                f"缺少必填列 {column.display}（表 {table.zh}）{unhide}", "missing_column", column=column.zh))
            ok = False
    return list(mapped.values()) if ok else None


def _yielding(table: Table, header: str, other: str, mapping: dict[str, str]) -> str | None:
    """Of two headers read as one column, the one that gives way: one the lists name
    (党员人数（2023年）) to one ``--map`` names, and one read only by what it says it is
    about (a ledger's pattern: 党员职工人数) to one the lists or ``--map`` name. None when
    both were found alike."""
    ranks = [0 if normalise_name(h) in mapping else 1 if named_column(table, h) is not None else 2 for h in (header, other)]
    return (header if ranks[0] > ranks[1] else other) if ranks[0] != ranks[1] else None


def _unmap(records: Records, raw: RawTable, table: Table, header: str) -> None:
    """The header map says ``header`` of ``raw`` is not read."""
    for n in range(len(records.header_map) - 1, -1, -1):
        entry = records.header_map[n]
        if (entry.file, entry.sheet, entry.table, entry.header) == (raw.file, raw.sheet, table, header):
            records.header_map[n] = entry._replace(column=None)
            return


# A ledger's columns of people and partners that may come twice (联系县级领导 beside 包联责任人,
# 结对单位 beside 共建单位): a cell lists several anyway, so the two are read as one.
JOINED_LEDGER_COLUMNS = frozenset({"leader", "instructor", "partner"})


def _join_columns(raw: RawTable, into: int, other: int) -> None:
    """Column ``other``'s cells added to column ``into``'s, each row's names listed once."""
    joined = []
    for a, b in zip(raw.column(into), raw.column(other)):
        parts = [str(cell).strip() for cell in (a, b) if not is_blank(cell)]
        joined.append("、".join(dict.fromkeys(parts)) if parts else a)
    raw.columns[into] = joined


# -- one table, column by column -----------------------------------------------------------


def parse_column(cells: list, column: Column) -> list:
    """Each cell of a column parsed: None where blank, the ``BadValue`` where the cell is
    wrong, else the value. Each distinct cell is parsed once."""
    parse = _parser(column)
    if set(map(type, cells)) <= _ONLY_TEXT:  # CSV: every cell is text
        distinct = set(cells)
        parsed = _plain_text(distinct, column)
        parsed.update({cell: _parse_cell(cell, parse) for cell in distinct.difference(parsed)})
        return list(map(parsed.__getitem__, cells))
    keys = list(zip(map(type, cells), cells))  # 1, 1.0 and True are equal keys, but parse differently
    try:
        parsed = {key: _parse_cell(key[1], parse) for key in set(keys)}
    except TypeError:  # a JSON list or object in a cell
        return [_parse_cell(cell, parse) for cell in cells]
    return list(map(parsed.__getitem__, keys))


_ONLY_TEXT = frozenset({str})


def _plain_text(distinct: set[str], column: Column) -> dict[str, str | None]:
    """The texts a text or code column takes as they are (stripped; None if blank): the
    bulk of a large import, parsed here without a call per cell. Codes that could be a
    number in scientific notation or an Excel error ("#N/A") are left to ``parse_code``."""
    if column.role is Role.PROP and column.prop.type is PropType.TEXT:
        return {text: text.strip() or None for text in distinct}
    if column.role is not Role.PROP or column.prop.type is PropType.CODE:
        return {text: text.strip() or None for text in distinct if "e" not in text and "E" not in text and "#" not in text}
    return {}


MAX_ID_LENGTH = 64  # ids are codes: 18 for a credit code, a few for the user's own
MAX_TEXT_LENGTH = 500  # a name or a note; a cell longer than this is a pasted document
_ID_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f/\\]")


def _parse_cell(cell: object, parse: Callable[[object], object]):
    if is_blank(cell):
        return None
    try:
        return parse(cell)
    except BadValue as exc:
        return exc.with_traceback(None)  # kept per bad cell: without the frames it was raised in


def _parser(column: Column) -> Callable[[object], object]:
    if column.role is Role.PROP:
        prop = column.prop
        return lambda cell: parse_value(cell, prop)
    return parse_code


class _TableCheck:
    """Checks one table whose header is mapped, and adds its records and problems."""

    def __init__(self, raw: RawTable, table: Table, columns: list[tuple[int, Column, str]], records: Records):
        self.raw, self.table, self.columns, self.records = raw, table, columns, records
        self.size = len(raw.numbers)
        self.bad = bytearray(self.size)  # 1 for each row with a problem
        self.found: list[tuple[int, int, Problem]] = []  # (row, column position, problem)
        # Problems of one kind in one column past the cap are only counted: the first
        # ``cap`` of a kind in the whole table are among the first ``cap`` of its columns.
        self.per_column: dict[tuple[int, str], int] = {}
        self.unlisted: dict[str, int] = {}

    def run(self) -> None:
        values: dict[str, list] = {}
        for position, (index, column, header) in enumerate(self.columns):
            cells = self.raw.column(index)
            parsed = parse_column(cells, column)
            self._report_cells(position, column, header, cells, parsed)
            if column.role is Role.ID and self.table.label is Label.ENTERPRISE:
                parsed = self._normalise_usccs(position, header, parsed)
                self._check_usccs(position, header, parsed)
            elif column.role is Role.ID:
                self._check_ids(position, header, parsed)
            elif column.role is Role.PROP and column.prop.type is PropType.TEXT:
                self._check_text_lengths(position, header, parsed)
            values[column.name] = parsed
        if self.table.label is not None:
            self._node_records(values)
        else:
            self._relationship_records(values)
        self._report()

    def _problem(self, row: int, position: int, header: str, message: str, code: str, value=None) -> None:
        self.bad[row] = 1
        seen = self.per_column[position, code] = self.per_column.get((position, code), 0) + 1
        if seen > self.records.problems.cap:
            self.unlisted[code] = self.unlisted.get(code, 0) + 1
            return
        self.found.append((row, position, Problem(
            self.raw.file, message, code, self.raw.sheet, self.raw.numbers[row], header, value)))

    def _report(self) -> None:
        """The problems found, in the order a person reads the table, into the records."""
        self.found.sort(key=lambda item: item[:2])
        self.records.problems.extend(problem for _, _, problem in self.found)
        for code, count in self.unlisted.items():
            self.records.problems.count_unlisted(self.raw.file, self.raw.sheet, code, count)

    def _report_cells(self, position: int, column: Column, header: str, cells: list, parsed: list) -> None:
        kinds = set(map(type, parsed))
        if BadValue in kinds:
            for row, value in enumerate(parsed):
                if type(value) is BadValue:
                    self._problem(row, position, header, str(value), value.code, _shown(cells[row]))
        if column.required and type(None) in kinds:
            for row, value in enumerate(parsed):
                if value is None:
                    self._problem(row, position, header, f"必填项 {column.display} 为空", "required")

    def _normalise_usccs(self, position: int, header: str, ids: list) -> list:
        """Codes typed in lower case, full width or with spaces / hyphens, as the code they
        are; each change is a note (a warning), the check character is verified after."""
        changed = {}
        for code in set(ids):
            if type(code) is str and not code.isascii() or type(code) is str and not _PLAIN_CODE.fullmatch(code):
                normal, note = normalise_uscc(code)
                if normal != code:
                    changed[code] = (normal, note)
        if not changed:
            return ids
        for row, code in enumerate(ids):
            if type(code) is str and code in changed and changed[code][1] is not None:  # not for surrounding spaces alone
                self.records.warnings.append(Problem(self.raw.file, changed[code][1], "uscc_normalised", self.raw.sheet,
                                                     self.raw.numbers[row], header, code))
        return [changed[code][0] if type(code) is str and code in changed else code for code in ids]

    def _check_ids(self, position: int, header: str, ids: list) -> None:
        """An id ends up in URLs, file names and headers: bounded, and with no character
        that would break one of them."""
        for row, code in enumerate(ids):
            if type(code) is not str:
                continue
            if len(code) > MAX_ID_LENGTH:
                self._problem(row, position, header, f"编号过长：{len(code)} 个字符，最多 {MAX_ID_LENGTH} 个", "bad_id", code[:40])
            elif (bad := _ID_FORBIDDEN.search(code)) is not None:
                shown = repr(bad.group())[1:-1]
                self._problem(row, position, header, f"编号 {code!r} 含不允许的字符 '{shown}'（编号不能含 / \\ 或换行等控制字符）",
                              "bad_id", code)

    def _check_text_lengths(self, position: int, header: str, texts: list) -> None:
        for row, text in enumerate(texts):
            if type(text) is str and len(text) > MAX_TEXT_LENGTH:
                self._problem(row, position, header, f"内容过长：{len(text)} 个字符，最多 {MAX_TEXT_LENGTH} 个",
                              "text_too_long", text[:40])

    def _check_usccs(self, position: int, header: str, ids: list) -> None:
        why = uscc_problems({code for code in ids if type(code) is str})
        if why:
            for row, code in enumerate(ids):
                if type(code) is str and code in why:
                    self._problem(row, position, header, why[code], "bad_uscc", code)

    def _rows_ok(self) -> list[int] | range:
        return range(self.size) if not any(self.bad) else [row for row in range(self.size) if not self.bad[row]]

    def _props(self, values: dict[str, list], rows) -> PropRows | None:
        names = [column.name for _, column, _ in self.columns if column.role is Role.PROP]
        if not names:
            return None
        chosen = [values[name] for name in names]
        if not isinstance(rows, range):
            chosen = [[column[row] for row in rows] for column in chosen]
        return PropRows(names, chosen, len(rows))

    def _node_records(self, values: dict[str, list]) -> None:
        raw, label = self.raw, self.table.label
        ids = next(values[c.name] for _, c, _ in self.columns if c.role is Role.ID)
        links = [(position, column, header) for position, (_, column, header) in enumerate(self.columns)
                 if column.role is Role.LINK]
        for position, column, header in links:
            spec = REL_SPECS[column.link]
            if not spec.sources & spec.targets:
                continue  # a segment naming itself as its chain is a wrong kind, said later
            targets = values[column.name]
            for row in [row for row, (own, target) in enumerate(zip(ids, targets)) if own == target]:
                if type(ids[row]) is str:
                    self._problem(row, position, header, f"{column.zh} {ids[row]} 就是本行自己的编号", "self_link", ids[row])
        if any(self.bad):
            for row in range(self.size):
                if self.bad[row] and type(ids[row]) is str:
                    self.records.rejected.setdefault(ids[row], label)
        rows = self._rows_ok()
        id_header = next(header for _, c, header in self.columns if c.role is Role.ID)
        kept_ids = ids if isinstance(rows, range) else [ids[row] for row in rows]
        numbers = raw.numbers if isinstance(rows, range) else [raw.numbers[row] for row in rows]
        props = self._props(values, rows) or PropRows([], [], len(kept_ids))
        self.records.nodes.append(NodeBatch(label, raw.file, raw.sheet, id_header, kept_ids, props, numbers))
        for _, column, header in links:
            targets = values[column.name]
            linked = [row for row in rows if targets[row] is not None]
            self.records.rels.append(RelBatch(
                column.link, raw.file, raw.sheet, id_header, header, [ids[row] for row in linked],
                [targets[row] for row in linked], None, [raw.numbers[row] for row in linked]))

    def _relationship_records(self, values: dict[str, list]) -> None:
        raw, table = self.raw, self.table
        ends = {column.role: (column.name, header) for _, column, header in self.columns
                if column.role in (Role.SOURCE, Role.TARGET)}
        (source_name, source_header), (target_name, target_header) = ends[Role.SOURCE], ends[Role.TARGET]
        if table.name in REVERSED_TABLES:
            (source_name, source_header), (target_name, target_header) = (target_name, target_header), (source_name, source_header)
        sources, targets = values[source_name], values[target_name]
        rows = self._rows_ok()
        loops = [row for row in rows if sources[row] == targets[row]]
        for row in loops:  # the row is otherwise fine: this is its only problem
            self._problem(row, len(self.columns), target_header, f"关系的两端是同一个编号 {sources[row]}", "self_link",
                          sources[row])
        if loops:
            rows = self._rows_ok()
        numbers = raw.numbers if isinstance(rows, range) else [raw.numbers[row] for row in rows]
        if not isinstance(rows, range):
            sources, targets = [sources[row] for row in rows], [targets[row] for row in rows]
        self.records.rels.append(RelBatch(
            table.rel, raw.file, raw.sheet, source_header, target_header, sources, targets,
            self._props(values, rows), numbers))


_PLAIN_CODE = re.compile(r"[0-9A-Z]*")


def _shown(value: object) -> str:
    return str(value)[:80]
