"""The import template a planner fills in: one sheet per table with Chinese headers,
an instruction sheet, drop-down lists for enum and yes/no columns, and code columns
formatted as text so Excel never turns a credit code into a number."""

from __future__ import annotations

from pathlib import Path

from graph.schema import PropType
from loaders.tables import TABLES, Column, Role

_TEXT_ROWS = 2000  # rows given drop-downs
_BOOL_WORDS = ("是", "否")


def _allowed(column: Column) -> tuple[str, ...]:
    if column.role is not Role.PROP:
        return ()
    if column.prop.type is PropType.ENUM:
        return tuple(column.prop.choices.values())
    if column.prop.type is PropType.BOOL:
        return _BOOL_WORDS
    return ()


def _hint(column: Column) -> str:
    if allowed := _allowed(column):
        return "可选：" + "、".join(allowed)
    kind = column.prop.type if column.role is Role.PROP else PropType.CODE
    return {
        PropType.INT: "整数",
        PropType.DATE: "日期，如 2023-05-01",
        PropType.CODE: "编号（文本）",
    }.get(kind, "文本")


def write_template(path: str | Path) -> Path:
    """Write the import template workbook to ``path`` and return it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    book = Workbook()
    guide = book.active
    guide.title = "说明"
    guide.append(["redchain 导入模板：每个工作表是一张表，第一行是列名（带 * 的为必填），从第二行起每行一条记录。"])
    guide.append(["统一社会信用代码等编号请按文本填写；是/否、类型等列可从下拉列表选择；日期写作 2023-05-01。"])
    guide.append(["关系表（如 上下游、党组织覆盖）中的编号可以引用本次导入或库中已有的对象。"])
    guide.append([])
    guide.append(["表", "列", "必填", "说明"])
    bold = Font(bold=True)
    for cell in guide[5]:
        cell.font = bold
    for table in TABLES:
        for column in table.columns:
            guide.append([f"{table.zh}（{table.name}）", column.display, "是" if column.required else "", _hint(column)])
    for letter, width in zip("ABCD", (28, 30, 8, 40)):
        guide.column_dimensions[letter].width = width

    header_fill = PatternFill("solid", fgColor="FFF2CC")
    for table in TABLES:
        sheet = book.create_sheet(table.zh)
        sheet.append([column.zh + ("*" if column.required else "") for column in table.columns])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            head = sheet.cell(row=1, column=index)
            head.font, head.fill, head.alignment = bold, header_fill, Alignment(horizontal="center")
            sheet.column_dimensions[letter].width = max(14, len(column.zh) * 3)
            if allowed := _allowed(column):
                rule = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True)
                rule.error, rule.errorTitle = "请从下拉列表中选择：" + "、".join(allowed), "取值无效"
                rule.add(f"{letter}2:{letter}{_TEXT_ROWS}")
                sheet.add_data_validation(rule)
            elif column.role is not Role.PROP or column.prop.type in (PropType.CODE, PropType.TEXT):
                # A column style, as Excel itself stores "format the whole column as Text":
                # every cell typed into it is text. Formatting cells one by one wrote
                # 2000 empty styled cells per column and made the template slow to open.
                sheet.column_dimensions[letter].number_format = "@"
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
