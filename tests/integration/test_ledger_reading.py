"""How a planner's sheet is read before its rows mean anything, through the real
`redchain load`: headers as forms label them ("单位名称："), the header below many note
lines or not found at all, total rows, cells merged to say "the same as above", a file
with a header and no rows, and a --map naming no column."""

from __future__ import annotations

import json

from openpyxl import Workbook
from typer.testing import CliRunner

from api.cli.main import app
from fixtures.ledger import HEADER, MONTH_1, TITLE
from loaders.validate import HEADER_SEARCH_ROWS

ENV = {"COLUMNS": "200", "REDCHAIN_STORE": None}


def redchain(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def dry_run(path, *options) -> dict:
    """The --json report of a dry run of ``path``: its problems' and warnings' texts."""
    result = redchain("load", path, "--dry-run", "--json", *options, "--store", path.parent / "x.db")
    report = json.loads(result.stdout)
    return {"ok": result.exit_code == 0, "problems": [p["text"] for p in report.get("problems", [])],
            "warnings": [w["text"] for w in report.get("warnings", [])], "rows": report.get("rows")}


def write_sheet(path, rows, *, title="Sheet1", merges=()) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)


def test_headers_with_trailing_colons_are_the_columns_they_name(tmp_path):
    path = tmp_path / "台账.csv"
    header = [h + suffix for h, suffix in zip(HEADER, ["：", ":", " ： ", "："] + [""] * len(HEADER))]
    path.write_text("\n".join(",".join(map(str, row)) for row in [header] + MONTH_1[:2]), encoding="utf-8-sig")
    report = dry_run(path)
    assert report["ok"] and report["problems"] == [] and report["rows"] == 2


def test_the_header_is_found_below_eleven_note_lines(tmp_path):
    path = tmp_path / "说明在上.xlsx"
    notes = [[f"填表说明{n}：请按实际填写"] for n in range(1, 12)]
    write_sheet(path, [[TITLE], *notes, [], HEADER, *MONTH_1[:2]], title="台账")
    report = dry_run(path)
    assert report["ok"] and report["problems"] == [] and report["rows"] == 2


def test_a_ledger_without_a_header_in_its_first_rows_is_said_once(tmp_path):
    path = tmp_path / "无表头.xlsx"
    notes = [[f"说明{n}", "见附件"] for n in range(HEADER_SEARCH_ROWS)]
    write_sheet(path, [[TITLE], *notes, HEADER, *MONTH_1[:2]])
    report = dry_run(path, "--as", "ledger")
    assert report["problems"] == [
        f"{path}:Sheet1:-:-: 在前 30 行中没有找到表头（需要 单位名称 和 统一社会信用代码 列，"
        "以及 所属产业链、党组织名称 等台账列；标题和说明行可以在表头上方）"]
