"""The layout of a planner's sheet, before its cells mean anything: which row is the
header (below a title and notes, within the first ``HEADER_SEARCH_ROWS`` rows; two rows
under a group heading; a ledger's header lacking a column, or none at all), which header
names which column (``--map`` first), and the rows that are not data (totals, rows
numbered in advance and left empty, the form's sign-off) and the cells the reader filled
because they were merged "the same as above".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import zip_longest

from graph.schema import Label
from loaders.headers import is_part_of, without_remark
from loaders.problems import Problem
from loaders.readers import RawTable, column_letter
from loaders.tables import (LEDGER, LEDGER_ONLY, Column, Role, Table, find_column, find_table, ignored, normalise_name,
                            unknown_standard_column)
from loaders.values import is_blank

HEADER_SEARCH_ROWS = 30  # the header is looked for in the sheet's first rows (a title, notes, blank rows above it)


def _names_a_credit_code(cells: list, mapping: dict[str, str]) -> bool:
    """Whether the ledger's id column is headed as a credit code (统一社会信用代码, 信用代码), not a
    bare 编号: a sheet of 编号 | 名称 is any table's."""
    return any((column := lookup(LEDGER, cell, mapping)) is not None and column.name == "id" and "代码" in header_text(cell)
               for cell in cells)


_ENTERPRISE_ROW_ONLY = frozenset({"chain", "segment", "has_org", "org", "leader", "instructor", "partner"})


def recognise(raw: RawTable, mapping: dict[str, str], force: str | None) -> tuple[Table | None, bool]:
    """The table ``raw`` holds, with ``raw`` re-headed at its header row if that is not
    the first row, and whether its header row was found (in the first
    ``HEADER_SEARCH_ROWS`` rows of the sheet)."""
    named = find_table(force) if force else find_table(raw.name)
    forced_ledger = force is not None and named is LEDGER
    candidates = _header_candidates(raw)
    for position, cells in enumerate(candidates):
        ledger_cells = _parts_under_headings(cells, candidates[position - 1], mapping) if position else cells
        found = {column.name for cell in ledger_cells if (column := lookup(LEDGER, cell, mapping)) is not None}
        ledger_header = ({"name", "id"} <= found and found & LEDGER_ONLY or (named is LEDGER and {"name", "id"} <= found)
                         # a roster of names and credit codes (企业名录, 花名册) under a name that is no table's
                         or (named is None and {"name", "id"} <= found and _names_a_credit_code(cells, mapping))
                         # a ledger without its name or its code column: read as one, to be told which is missing
                         # (by columns only an enterprise's row has: an org table's 组建方式 and 上级党组织 are its own)
                         or (named is None and found & {"name", "id"} and len(found & _ENTERPRISE_ROW_ONLY) >= 2))
        own = set() if named in (None, LEDGER) else {
            column.name for cell in cells if (column := lookup(named, cell, mapping)) is not None}
        named_header = named not in (None, LEDGER) and {column.name for column in named.required} <= own
        # A sheet named as a table is read as that table where its header is that table's; a
        # ledger's header reads as the ledger whatever the sheet is called where the ledger
        # reads more of its columns (党组织覆盖 over 企业名称 | 信用代码 | 是否建立党组织 | 党组织名称
        # | 组建形式: QA round 10), and first on a sheet named as the enterprises' table.
        ledger_first = (forced_ledger or named in (None, LEDGER) or named.label is Label.ENTERPRISE or not named_header
                        or len(found) > len(own))
        if ledger_first and ledger_header:
            for index, (cell, read) in enumerate(zip(cells, ledger_cells)):
                if read is not cell and index < len(raw.columns):
                    raw.columns[index][position - 1] = read
            _headers_from_heading_row(raw, position)
            return _reheaded(raw, _lower_header_row(raw, position, LEDGER, mapping), LEDGER), True
        if named_header:
            _headers_from_heading_row(raw, position)
            return _reheaded(raw, _lower_header_row(raw, position, named, mapping), named), True
    return named, False


def _header_candidates(raw: RawTable) -> list[list[object]]:
    """The rows that may be the header: the first, and the data rows below it within the
    sheet's first ``HEADER_SEARCH_ROWS`` rows (JSON has no rows above its keys)."""
    below = 0
    if raw.header_row:
        while below < len(raw.numbers) and raw.numbers[below] <= HEADER_SEARCH_ROWS:
            below += 1
    return [raw.headers] + [raw.row(i) for i in range(below)]


def _parts_under_headings(cells: list, above: list, mapping: dict[str, str]) -> list:
    """A header row whose cells name parts (姓名 | 职务 | 电话) under a ledger column's heading in
    the row above (联系领导, merged across them): those cells as the heading's parts
    (联系领导姓名, 联系领导职务); the other cells as they are."""
    read = list(cells)
    for index, (_, cell, heading) in enumerate(_under_headings(above, cells)):
        if (heading is not None and isinstance(cell, str) and is_part_of(cell)
                and lookup(LEDGER, heading, mapping) is not None):
            read[index] = f"{header_text(heading)}{header_text(cell)}"
    return read


def _under_headings(upper: list, lower: list) -> Iterator[tuple[object, object, object]]:
    """(the cell above, the cell, the heading over it) for each column of two header rows:
    the cell above, or, where it is blank, the heading to its left merged across, which
    covers the filled cells right of it and no further."""
    heading = None
    for above, cell in zip_longest(upper, lower):
        if not is_blank(above):
            heading = above
        elif is_blank(cell):
            heading = None
        yield above, cell, heading


def _grouped(columns: list[tuple[object, object, object]]) -> set[int]:
    """The positions under a group heading merged across two columns or more (党员情况 over
    正式党员 | 预备党员): the heading's own column and the blank ones right of it it covers."""
    found = set()
    for index, (above, cell, heading) in enumerate(columns):
        if heading is None or is_blank(cell):
            continue
        if is_blank(above) or (index + 1 < len(columns) and is_blank(columns[index + 1][0])
                               and columns[index + 1][2] is heading):
            found.add(index)
    return found


def _headers_from_heading_row(raw: RawTable, position: int) -> None:
    """Blank cells of the header (candidate ``position``) over columns that hold data take
    the cell above them when the row above is a row of group headings (two filled cells or
    more, not a title): a three-row header saved as CSV keeps 序号 and 备注 only in its top
    row, where Excel had them merged down all three."""
    if position < 1:
        return
    above = raw.headers if position == 1 else raw.row(position - 2)
    if sum(not is_blank(cell) for cell in above) < 2:
        return
    for index, (cell, over) in enumerate(zip_longest(raw.row(position - 1), above)):
        if (is_blank(cell) and not is_blank(over) and index < len(raw.columns)
                and any(not is_blank(value) for value in raw.columns[index][position:])):
            raw.columns[index][position - 1] = over


# What a group heading says beside its subject: 党组织情况, 企业基本情况, 党组织建设情况, 联系领导信息.
_HEADING_REMARK = re.compile(r"(?:基本|建设|建立|组建|覆盖)?(?:情况|信息|概况)$")


def _joined(table: Table, heading: object, cell: object, mapping: dict[str, str]) -> str:
    """A part's header joined to the heading over it (联系领导 + 姓名), or to the heading's
    subject where only that names a column (党组织情况 + 类型 -> 党组织类型)."""
    whole = f"{header_text(heading)}{header_text(cell)}"
    subject = _HEADING_REMARK.sub("", header_text(heading))
    if lookup(table, whole, mapping) is None and subject and lookup(table, subject + header_text(cell), mapping) is not None:
        return subject + header_text(cell)
    return whole


def _lower_header_row(raw: RawTable, position: int, table: Table, mapping: dict[str, str]) -> int:
    """The header's position, or the next one when the header has two rows: a group
    heading merged over several columns ("党组织建设情况") above the columns' own headers,
    or a column's heading over its parts (联系领导 over 姓名 | 职务, merged across). The
    row below is the header's lower row when each of its cells repeats the one above (a
    header merged down both rows), names a column alone or with the heading above it
    (联系领导 + 姓名), or names a part of what the heading above it names (联系领导 + 职务:
    a column not read); and it adds a column. Its blank cells take the header's."""
    if position >= len(raw.numbers) or (position and raw.numbers[position] > HEADER_SEARCH_ROWS):
        return position
    upper, lower = (raw.headers if position == 0 else raw.row(position - 1)), raw.row(position)
    combined, added = [], False
    columns = list(_under_headings(upper, lower))
    grouped = _grouped(columns)
    for index, (above, cell, heading) in enumerate(columns):
        if is_blank(cell) or cell == above:
            combined.append(above)
            continue
        joined = _joined(table, heading, cell, mapping) if heading is not None else None
        if joined is not None and lookup(table, joined, mapping) is not None:
            combined.append(joined)  # 联系领导 + 姓名, 党组织情况 + 名称: 党组织名称, not the enterprise's 名称
        elif lookup(table, cell, mapping) is not None and not is_part_of(header_text(cell)):
            combined.append(cell)
        elif joined is not None and lookup(table, heading, mapping) is not None and is_part_of(header_text(cell)):
            combined.append(joined)  # 联系领导 + 职务: a fact about the column's people, not read
        elif index in grouped and isinstance(cell, str) and not any(ch.isdigit() for ch in cell):
            combined.append(cell)  # 党员情况 over 正式党员 | 预备党员: a header of its own under a group heading
        else:
            return position  # a cell that is no header: the row is data
        added = added or is_blank(above) or lookup(table, above, mapping) is None or combined[-1] == joined
    if not added:
        return position
    for index, cell in enumerate(combined):
        if index < len(raw.columns):
            raw.columns[index][position] = cell
    return position + 1


def partial_ledger_header(raw: RawTable, mapping: dict[str, str]) -> bool:
    """Whether a row among the first is a ledger header lacking a required column (the
    row naming the most ledger columns, if any): ``raw`` is re-headed there, so that the
    missing columns are said at the header a person wrote."""
    counts = [len({column.name for cell in cells if (column := lookup(LEDGER, cell, mapping)) is not None})
              for cells in _header_candidates(raw)]
    best = max(range(len(counts)), key=counts.__getitem__)
    if counts[best] == 0:
        return False
    _reheaded(raw, best, LEDGER)
    return True


def check_mapping(mapping: dict[str, str], problems: list[Problem]) -> None:
    """A ``--map`` whose standard name is no column of any table is refused (once per
    import, whatever the number of sheets), not ignored."""
    for standard in dict.fromkeys(mapping.values()):
        if (why := unknown_standard_column(standard)) is not None and not any(
                p.code == "unknown_map_column" and p.value == standard for p in problems):
            problems.append(Problem("--map", why, "unknown_map_column", value=standard))


TOTAL_WORDS = frozenset({"合计", "总计", "小计", "共计"})  # a row that sums the rows above it, not an entity
_KEYS = (Role.ID, Role.SOURCE, Role.TARGET)
# A form's sign-off under its rows: "填报单位（盖章）：", "填报人：张三", "审核人：", "联系电话：…",
# "填报日期：2026年11月30日", and notes ("注：1.本表由各街道填报").
_SIGN_OFF = re.compile(r"^(?:(?:填报|填表|制表|审核|审批|统计|单位负责|负责|联系|报送)(?:单位|部门|人|日期|时间|电话|领导)?"
                       r"|日期|时间|电话|签字|签名|盖章|注|备注|说明)\s*(?:[（(][^）)]*[）)])?\s*[:：]")


def skip_non_entities(raw: RawTable, table: Table, columns: list[tuple[int, Column, str]],
                      warnings: list[Problem]) -> None:
    """Leave out the rows without an id (or, in a relationship sheet, without either end)
    that are not entities, with a warning for each kind:

    - totals: the first filled cell, or the name, reads 合计/总计/小计/共计 (spaces, a colon
      or a bracketed remark aside);
    - rows numbered in advance and left empty (a ledger's): nothing filled but the 序号 and
      columns not imported;
    - the form's sign-off below the last row with an id: a cell reads 填报人：, 填报单位（盖章）：,
      审核人：, 填报日期：, 注：… ;
    - a ledger's example rows (示例 in its first cell; ``_skip_examples``), code or not;
    - headings grouping a ledger's rows (一、工程机械产业链（15家）, or 一 | 工程机械产业链 in the
      序号 and name columns; ``_heading``), kept in ``raw.headings`` for the rows below them.

    A row with a code is an entity, whatever it holds."""
    ledger = table is LEDGER
    _skip_second_header(raw, table, columns, warnings)
    if ledger:
        _skip_examples(raw, warnings)
    keys = [raw.column(index) for index, column, _ in columns if column.role in _KEYS]
    if not keys or not raw.numbers:
        return
    names = next((index for index, column, _ in columns if column.name == "name"), None)
    # a ledger's total row may count in the code's column (合计 | 20家): a total whatever it holds there but a code
    counted = _total_rows(raw, names) if ledger else set()
    if None not in keys[0] and "" not in keys[0] and not any(_signs_off(key[-1]) for key in keys) and not counted:
        return  # every row has its id and the last is no sign-off: the usual, large, case

    def keyless(i: int) -> bool:  # the sign-off's cells may sit in the code's column ("填报人：")
        return all(is_blank(key[i]) or _signs_off(key[i]) or (i in counted and not _CODE_LIKE.search(str(key[i])))
                   for key in keys)

    read = [index for index, _, _ in columns]  # not the 序号 (a row number, not a fact) nor columns not imported
    last_keyed = max((i for i in range(len(raw.numbers)) if not keyless(i)), default=-1)
    totals: dict[int, str] = {}
    empty: list[int] = []
    sign_off: list[int] = []
    notes: list[int] = []
    headings: list[int] = []
    heading_texts: dict[int, str] = {}
    for i in range(len(raw.numbers)):
        if not keyless(i):
            continue
        cells = raw.row(i)
        first = next((cell for cell in cells if not is_blank(cell)), None)
        for cell in (first, cells[names] if names is not None and names < len(cells) else None):
            if isinstance(cell, str) and normalise_name(without_remark(cell) or cell) in TOTAL_WORDS:
                totals[i] = cell.strip()
                break
        else:
            filled = [j for j, cell in enumerate(cells) if not is_blank(cell)]
            if i > last_keyed and any(_signs_off(cell) for cell in cells):
                sign_off.append(i)
            elif ledger and filled and all(isinstance(cells[j], str) and _NOTE.match(cells[j]) for j in filled):
                notes.append(i)  # 注：以下为新入驻企业, 以下空白: among the rows, a note to the reader
            elif ledger and (heading := _heading(cells, filled, names)) is not None:
                headings.append(i)
                heading_texts[i] = heading
            elif ledger and all(is_blank(cells[j]) for j in read if j < len(cells)):
                empty.append(i)
    for i, word in totals.items():
        warnings.append(Problem(raw.file, f"合计行（“{word}”）已跳过，不作为一行数据导入",
                                "total_row", raw.sheet, raw.numbers[i], None, word))
    if empty:
        warnings.append(Problem(raw.file, f"第{_row_ranges(raw, empty)}行没有单位名称和代码（只填了序号或未导入的列），已跳过",
                                "numbered_empty_rows", raw.sheet, raw.numbers[empty[0]]))
    if sign_off:
        warnings.append(Problem(raw.file, f"第{_row_ranges(raw, sign_off)}行是表尾落款或注释（填报人、审核人、日期等），已跳过",
                                "sign_off_rows", raw.sheet, raw.numbers[sign_off[0]]))
    if notes:
        said = "、".join(f"“{next(c for c in raw.row(i) if not is_blank(c)).strip()}”" for i in notes[:3]) + ("等" if len(notes) > 3 else "")
        warnings.append(Problem(raw.file, f"第{_row_ranges(raw, notes)}行是注释（{said}），不是单位，已跳过",
                                "note_rows", raw.sheet, raw.numbers[notes[0]]))
    if headings:
        raw.headings = {raw.numbers[i]: heading_texts[i] for i in headings}
        shown = "、".join(f"“{text}”" for text in list(raw.headings.values())[:3]) + ("等" if len(headings) > 3 else "")
        warnings.append(Problem(raw.file, f"第{_row_ranges(raw, headings)}行是分组标题（{shown}），不是单位，已跳过",
                                "heading_rows", raw.sheet, raw.numbers[headings[0]]))
    if totals or empty or sign_off or notes or headings:
        raw.drop({*totals, *empty, *sign_off, *notes, *headings})


_NOTE = re.compile(r"\s*(?:(?:注|备注|说明|注意)\s*\d?\s*[:：]|(?:以下|此行以下|下面)(?:空白|为空|无内容)|[（(]?空白[）)]?\s*$)")
_CODE_LIKE = re.compile(r"[0-9A-Za-z]{15}")  # a cell that may be a code, mistyped or not: never a total's count


def _total_rows(raw: RawTable, names: int | None) -> set[int]:
    """The rows whose first cell, or name, reads as a total (合计, 小计（工程机械）)."""
    found = set()
    for index in dict.fromkeys((0, names if names is not None else 0)):
        for i, cell in enumerate(raw.column(index)):
            if isinstance(cell, str) and len(cell) < 20 and normalise_name(without_remark(cell) or cell) in TOTAL_WORDS:
                found.add(i)
    return found


_NUMBERED = re.compile(r"\s*(?:[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}\s*[、.．])")
_CHAIN_HEADING = re.compile(r"链\s*(?:[（(][^）)]*[）)])?\s*$")
_GROUP_NUMBER = re.compile(r"\s*[（(]?[一二三四五六七八九十]{1,3}[）)]?\s*[、.．]?\s*")  # 一 / 一、 / （一）


def _heading(cells: list, filled: list[int], names: int | None) -> str | None:
    """The heading a row without an id is, if it is one: one text in the first column
    (一、工程机械产业链（15家）; not a 序号 typed as text, "12"), or a group number there (一,
    （二）) and a text in the name column; else None."""
    first = cells[0] if cells else None
    if filled == [0] and isinstance(first, str) and re.fullmatch(r"\s*\d+\s*[.、．]?\s*", first) is None:
        # in a sheet whose first column is the name, a name alone is a row without its code,
        # unless it reads as a heading: numbered (一、…) or naming a chain (…产业链（15家）)
        if names != 0 or _NUMBERED.match(first) or _CHAIN_HEADING.search(first):
            return first.strip()
    if (names is not None and filled == [0, names] and isinstance(first, str) and _GROUP_NUMBER.fullmatch(first)
            and isinstance(cells[names], str)):
        number = first.strip()
        return number + ("" if number[-1] in "、.．)）" else "、") + cells[names].strip()
    return None


def _skip_second_header(raw: RawTable, table: Table, columns: list[tuple[int, Column, str]],
                        warnings: list[Problem]) -> None:
    """Leave out a second header under the header (the same columns named again, 英文列名 such
    as name / id under 名称 / 统一社会信用代码), with a warning: every filled cell of the first
    row names the column it stands in."""
    if not raw.numbers or len(columns) < 2:
        return
    cells = [(raw.column(index)[0], column) for index, column, _ in columns]
    filled = [(cell, column) for cell, column in cells if not is_blank(cell)]
    if len(filled) >= 2 and all(isinstance(cell, str) and find_column(table, cell) == column for cell, column in filled):
        warnings.append(Problem(raw.file, f"第{raw.numbers[0]}行是又一行表头（{'、'.join(str(c).strip() for c, _ in filled[:4])}…），已跳过",
                                "second_header", raw.sheet, raw.numbers[0]))
        raw.drop({0})


_EXAMPLE_MARKS = frozenset({"示例", "例", "样例", "范例", "填写示例", "填表示例", "填报示例", "例如", "举例"})


def _skip_examples(raw: RawTable, warnings: list[Problem]) -> None:
    """Leave out a ledger's example rows, with a warning: the 序号 (first) cell reads 示例, 例,
    填写示例… (a colon aside) — the row shows how to fill the form, whatever its code."""
    first = raw.column(0) if raw.columns else []
    examples = [i for i, cell in enumerate(first)
                if isinstance(cell, str) and cell.strip().rstrip(":：").strip() in _EXAMPLE_MARKS]
    if examples:
        warnings.append(Problem(raw.file, f"第{_row_ranges(raw, examples)}行是填写示例（序号列写着“{str(first[examples[0]]).strip()}”），已跳过",
                                "example_rows", raw.sheet, raw.numbers[examples[0]]))
        raw.drop(set(examples))


def _signs_off(cell: object) -> bool:
    return isinstance(cell, str) and _SIGN_OFF.match(cell.strip()) is not None


def _row_ranges(raw: RawTable, rows: list[int]) -> str:
    """The Excel row numbers of ``rows`` (positions), runs written 6–8: "6–8、12"."""
    numbers, runs = [raw.numbers[i] for i in rows], []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return "、".join(f"{a}–{b}" if b > a else str(a) for a, b in runs)


def say_merged(raw: RawTable, warnings: list[Problem]) -> None:
    """A warning for each range merged over rows of the data that the reader filled "the
    same as above", so a person sees what was read into the blank cells (merged header
    cells are the header's business)."""
    for merged in raw.merged:
        if merged.bottom <= raw.header_row:
            continue
        top = max(merged.top, raw.header_row + 1)
        letter = column_letter(merged.column)
        only = f"（合并跨 {merged.width} 列，值只填入第一列 {letter}）" if merged.width > 1 else ""
        warnings.append(Problem(
            raw.file, f"合并单元格 {merged.ref} 按“同上”读取：第{top}–{merged.bottom}行的 {letter} 列都取第{merged.top}行的值{only}",
            "merged_cells_filled", raw.sheet, merged.top, letter, merged.ref))


# A cell saying "the same as the row above" in words or a ditto mark (同上, 〃): how offices
# fill a joint org's name on its second and third enterprise instead of merging the cells.
_DITTO = frozenset({"同上", "同前", "同上行", "〃", "々", "\u201d", "\u201c", '"', "''", "ditto"})


def _ditto(cell: object) -> bool:
    return type(cell) is str and len(cell) <= 8 and "".join(cell.split()).lower() in _DITTO  # 同 上 too


def fill_ditto(raw: RawTable, warnings: list[Problem], problems: list[Problem]) -> None:
    """A ledger's 同上 / 〃 cells take the value of the same column in the row above (that
    row's own value, if it said 同上 too), with one warning per column naming the rows, as
    ``say_merged`` does for merged cells (QA round 10: an org named “同上” was made). One
    with nothing above it is a problem at its cell."""
    for j, column in enumerate(raw.columns):
        if not any(map(_ditto, set(column))):
            continue  # each distinct cell looked at once: most columns say no ditto at all
        header = header_text(raw.headers[j]) if j < len(raw.headers) else column_letter(j)
        filled = []
        for i, cell in enumerate(column):
            if not _ditto(cell):
                continue
            if i == 0 or is_blank(column[i - 1]):
                problems.append(Problem(raw.file, f"写作“{cell.strip()}”，但上一行这一列没有值：请填写实际内容", "ditto_without_value",
                                        raw.sheet, raw.numbers[i], header, cell))
                continue
            column[i] = column[i - 1]
            filled.append(i)
        if filled:
            letter = column_letter(j)
            warnings.append(Problem(
                raw.file, f"{letter} 列第{_row_ranges(raw, filled)}行写作“同上”，按上一行的值读取", "ditto_filled",
                raw.sheet, raw.numbers[filled[0]], header))


def _reheaded(raw: RawTable, position: int, table: Table) -> Table:
    if position:
        raw.rehead(position - 1)
    return table


def no_ledger_header(raw: RawTable) -> Problem:
    """A sheet read as the ledger (by its name or ``--as ledger``) in whose first rows no
    row has the ledger's required headers: one problem for the sheet, not one per column."""
    needed = " 和 ".join(column.zh for column in LEDGER.required)
    return Problem(raw.file, f"在前 {HEADER_SEARCH_ROWS} 行中没有找到表头（需要 {needed} 列，"
                   "以及 所属产业链、党组织名称 等台账列；标题和说明行可以在表头上方；列名不同可用 --map 原列名=标准列名）",
                   "no_header", raw.sheet)


def lookup(table: Table, header: object, mapping: dict[str, str]) -> Column | None:
    """The column ``header`` names in ``table``: through the explicit mapping first."""
    text = header_text(header)
    if not text:
        return None
    if (standard := mapping.get(normalise_name(text))) is not None:
        if ignored(standard):
            return None
        if (column := find_column(table, standard)) is not None:
            return column
    return find_column(table, text)


def header_text(header: object) -> str:
    return "" if header is None else str(header).strip()
