"""Raw tables -> schema records (nodes and relationships) + problems.

Every cell is checked; nothing stops at the first problem, so a person gets the whole
list at once. Each record remembers where it came from for later cross-checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple
from typing import NamedTuple

from graph.records import Node, Rel
from graph.schema import Label, RelType
from loaders.problems import Problem
from loaders.readers import RawTable
from loaders.tables import IGNORED_SHEETS, REVERSED_TABLES, Column, Role, Table, find_column, find_table, normalise_name
from loaders.uscc import uscc_problem
from loaders.values import BadValue, is_blank, parse_code, parse_value


class Origin(NamedTuple):  # a plain tuple: large imports keep one per relationship end
    file: str
    sheet: str | None
    row: int | None
    column: str | None = None

    def problem(self, message: str, code: str, column: str | None = None, value=None) -> Problem:
        return Problem(self.file, message, code, self.sheet, self.row, column or self.column, value)


@dataclass
class Records:
    """What the files say, before cross-checks against each other and the store."""

    nodes: list[tuple[Node, Origin]] = field(default_factory=list)
    rels: list[tuple[Rel, Origin, Origin]] = field(default_factory=list)  # origins of source / target cells
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: int = 0
    # ids of node rows that had a problem: they are in the import, only not valid yet, so
    # relationships naming them must not be reported as pointing at nothing.
    rejected: dict[str, Label] = field(default_factory=dict)


def validate_table(raw: RawTable, records: Records) -> None:
    """Map one raw table's header and rows onto its import-format table."""
    table = find_table(raw.name)
    if table is None:
        if normalise_name(raw.name) not in IGNORED_SHEETS:
            records.warnings.append(
                Problem(raw.file, f"未知的表 {raw.name!r}，已忽略（表名应为导入模板中的中文或英文表名）", "unknown_table", raw.sheet)
            )
        return
    columns = _map_header(raw, table, records)
    if columns is None:
        _reject_ids(raw, table, records)
        return
    for number, cells in raw.rows:
        records.rows += 1
        _validate_row(raw, table, columns, number, cells, records)


def _reject_ids(raw: RawTable, table: Table, records: Records) -> None:
    """A node table whose header is wrong still names its ids: remember them, so that the
    person reads about the header once, not about every relationship to those ids."""
    if table.label is None:
        return
    for index, header in enumerate(raw.headers):
        column = find_column(table, _header_text(header)) if _header_text(header) else None
        if column is not None and column.role is Role.ID:
            for _, cells in raw.rows:
                try:
                    if index < len(cells) and not is_blank(cells[index]):
                        records.rejected.setdefault(parse_code(cells[index]), table.label)
                except BadValue:
                    pass
            return


def _header_text(header: object) -> str:
    return "" if header is None else str(header).strip()


def _map_header(raw: RawTable, table: Table, records: Records) -> list[tuple[int, Column, str]] | None:
    here = Origin(raw.file, raw.sheet, raw.header_row or None)  # JSON has no header row to point at
    mapped: dict[str, tuple[int, Column, str]] = {}
    ok = True
    for index, header in enumerate(raw.headers):
        text = _header_text(header)
        if not text:
            if any(index < len(cells) and not is_blank(cells[index]) for _, cells in raw.rows):
                records.problems.append(here.problem(
                    f"第{index + 1}列有数据但没有列名（表头是否有合并单元格？每列请单独填写列名）",
                    "empty_header", column=_column_letter(index)))
                ok = False
            continue
        column = find_column(table, text)
        if column is None:
            records.warnings.append(here.problem(f"未知的列 {text!r}，已忽略", "unknown_column", column=text))
            continue
        if column.name in mapped:
            records.problems.append(here.problem(
                f"列 {text!r} 与列 {mapped[column.name][2]!r} 重复，都表示 {column.display}", "duplicate_column", column=text))
            ok = False
            continue
        mapped[column.name] = (index, column, text)
    for column in table.required:
        if column.name not in mapped:
            records.problems.append(here.problem(
                f"缺少必填列 {column.display}（表 {table.zh}）", "missing_column", column=column.zh))
            ok = False
    return list(mapped.values()) if ok else None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_PROP, _ID, _LINK = Role.PROP, Role.ID, Role.LINK  # bound once: Enum attribute access is slow


def _validate_row(raw, table: Table, columns, number: int, cells: list, records: Records) -> None:
    # The hot loop of large imports: an Origin is only built where one is kept or reported.
    node_id = id_origin = None
    props: dict = {}
    ends: dict[Role, tuple[str, Origin]] = {}
    links: list[tuple[RelType, str, Origin]] = []
    row_ok = True
    width = len(cells)
    for index, column, header in columns:
        raw_value = cells[index] if index < width else None
        if (not raw_value or raw_value.isspace()) if type(raw_value) is str else is_blank(raw_value):
            if column.required:
                here = Origin(raw.file, raw.sheet, number, header)
                records.problems.append(here.problem(f"必填项 {column.display} 为空", "required"))
                row_ok = False
            continue
        role = column.role
        try:
            if role is _PROP:
                props[column.name] = parse_value(raw_value, column.prop)
                continue
            code = parse_code(raw_value)
        except BadValue as exc:
            here = Origin(raw.file, raw.sheet, number, header)
            records.problems.append(here.problem(str(exc), exc.code, value=_shown(raw_value)))
            row_ok = False
            continue
        here = Origin(raw.file, raw.sheet, number, header)
        if role is _ID:
            if table.label is Label.ENTERPRISE and (why := uscc_problem(code)):
                records.problems.append(here.problem(why, "bad_uscc", value=code))
                row_ok = False
            node_id = code
            id_origin = here
        elif role is _LINK:
            links.append((column.link, code, here))
        else:
            ends[role] = (code, here)
    if not row_ok:
        if table.label is not None and node_id is not None:
            records.rejected.setdefault(node_id, table.label)
        return
    if table.label is not None:
        records.nodes.append((Node(table.label, node_id, props), id_origin))
        for rtype, target, origin in links:
            records.rels.append((Rel(rtype, node_id, target, {}), id_origin, origin))
    else:
        (source, source_origin), (target, target_origin) = ends[Role.SOURCE], ends[Role.TARGET]
        if table.name in REVERSED_TABLES:
            (source, source_origin), (target, target_origin) = (target, target_origin), (source, source_origin)
        if source == target:
            records.problems.append(target_origin.problem(f"关系的两端是同一个编号 {source}", "self_link", value=source))
            return
        records.rels.append((Rel(table.rel, source, target, props), source_origin, target_origin))


def _shown(value: object) -> str:
    return str(value)[:80]
