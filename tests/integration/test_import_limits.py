"""Refusing a hostile file costs what it takes to say why: at most a hundred problems (or
warnings) of one kind are listed, then one line counts the rest; sheets wider than a
ledger could be, or longer than Excel allows, are refused before they are read; blank
lines above a CSV and a header in another encoding than its rows are named as such."""

from __future__ import annotations

import json

import openpyxl
import pytest

from fixtures_import import E1
from graph.errors import ImportFailed
from loaders.importer import import_paths
from loaders.problems import MAX_PER_KIND
from loaders.readers import MAX_COLUMNS
from test_import_malformed import ENTERPRISE_HEADER, _cli, csv_file, problems_of, store  # noqa: F401 (fixture)


def test_a_thousand_bad_rows_list_a_hundred_and_count_the_rest(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER] + [[f"BAD{i:04d}", f"企业{i}"] for i in range(1000)])
    with pytest.raises(ImportFailed) as failed:
        import_paths(store, ["企业.csv"])
    shown = [str(p) for p in failed.value.problems]
    assert failed.value.total == 1000 and len(shown) == MAX_PER_KIND + 1
    assert shown[0] == "企业.csv:2:统一社会信用代码: 统一社会信用代码 BAD0000 应为18位，实为7位"
    assert shown[-1] == ("企业.csv:-:-: 还有 900 个同类问题（与上面的“统一社会信用代码 BAD0000 应为18位，实为7位”同类），未逐条列出")
    result = _cli("load", "企业.csv", "--store", str(store.path))
    assert result.returncode == 1 and "共 1000 个问题，未写入任何数据。" in result.stderr.decode()
    listed = json.loads(_cli("load", "企业.csv", "--json", "--store", str(store.path)).stdout)
    assert listed["total"] == 1000 and len(listed["problems"]) == MAX_PER_KIND + 1


def test_warnings_are_capped_the_same_way(store):
    header = ENTERPRISE_HEADER + [f"备注{i}" for i in range(300)]
    csv_file("企业.csv", [header, [E1, "甲"] + [""] * 300])
    report = import_paths(store, ["企业.csv"], dry_run=True)
    assert len(report.warnings) == MAX_PER_KIND + 1
    assert str(report.warnings[-1]).startswith("企业.csv:-:-: 还有 200 个同类问题（与上面的“未知的列 '备注0'，已忽略”同类）")


def test_a_csv_wider_than_any_ledger_is_refused_before_it_is_read(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER + [f"x{i}" for i in range(MAX_COLUMNS)], [E1, "甲"]])
    assert problems_of(store, "企业.csv") == [
        f"企业.csv:-:-: 这张表有 {MAX_COLUMNS + 2} 列，超过上限 {MAX_COLUMNS} 列：请只保留要导入的列（台账通常只有几十列）"]


def test_a_first_line_of_megabytes_is_judged_from_its_start(store):
    with open("企业.csv", "w", encoding="utf-8") as f:
        f.write(",".join(["统一社会信用代码", "名称"] + [f"列{i}" for i in range(300_000)]) + "\n")
    (problem,) = problems_of(store, "企业.csv")
    assert "列以上，超过上限 1000 列" in problem


def test_a_wide_sheet_and_a_json_table_of_many_keys_are_refused(store):
    book = openpyxl.Workbook()
    book.active.title = "企业"
    book.active.append(ENTERPRISE_HEADER + [f"x{i}" for i in range(MAX_COLUMNS)])
    book.save("宽.xlsx")
    with open("宽.json", "w", encoding="utf-8") as f:
        json.dump({"enterprises": [{"id": E1, "name": "甲", **{f"k{i}": i for i in range(MAX_COLUMNS + 5)}}]}, f)
    assert problems_of(store, "宽.xlsx") == [
        f"宽.xlsx:企业:-:-: 这张表有 {MAX_COLUMNS + 2} 列，超过上限 {MAX_COLUMNS} 列：请只保留要导入的列（台账通常只有几十列）"]
    assert problems_of(store, "宽.json") == [
        f"宽.json:enterprises:-:-: 表 enterprises 的对象里有超过 {MAX_COLUMNS} 个不同的键：每个键是一列，请只保留要导入的列"]


def test_blank_lines_above_a_csv_keep_the_row_numbers_excel_shows(store):
    with open("企业.csv", "w", encoding="utf-8") as f:
        f.write("\n" * 3000 + "统一社会信用代码,名称\n91350100M000100Y44,甲\n")
    assert problems_of(store, "企业.csv") == [
        "企业.csv:3002:统一社会信用代码: 统一社会信用代码 91350100M000100Y44 校验位错误：应为 3，实为 4"]


def test_a_utf8_header_above_gbk_rows_is_named_as_an_encoding_problem(store):
    with open("企业.csv", "wb") as f:
        f.write("统一社会信用代码,名称\n".encode("utf-8") + f"{E1},长沙甲公司\n".encode("gbk"))
    assert problems_of(store, "企业.csv") == [
        "企业.csv:-:-: 文件编码不一致：表头是 UTF-8，第2行起是 GBK/GB18030；请用 Excel 打开后整份“另存为 CSV UTF-8”再导入"]


def test_a_sheet_longer_than_excel_allows_is_refused_before_its_rows_are_read(store, tmp_path):
    """Its rows are counted in the compressed XML as it streams: a hand-made workbook of
    Excel's limit plus one row is refused with its sheet named, and nothing is written."""
    from fixtures.hostile import write_inline_xlsx
    from loaders.readers import MAX_SHEET_ROWS

    path = write_inline_xlsx(tmp_path / "tall.xlsx", "企业", MAX_SHEET_ROWS + 1)
    before = store.version()
    with pytest.raises(ImportFailed) as failed:
        import_paths(store, [path])
    (problem,) = failed.value.problems
    assert (problem.sheet, problem.code) == ("企业", "too_large")
    assert f"有 {MAX_SHEET_ROWS + 1} 行，超过 {MAX_SHEET_ROWS} 行" in problem.message
    assert store.version() == before


def test_a_macro_workbook_with_no_known_sheet_is_an_error_not_zero_rows(store, tmp_path):
    """An .xlsm whose only sheet is no import table (a macro carrier) says so and exits 1."""
    from fixtures.hostile import write_inline_xlsx

    path = write_inline_xlsx(tmp_path / "宏.xlsm", "宏", 100, macros=True)
    result = _cli("load", str(path), "--store", str(store.path))
    said = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in said
    assert "宏.xlsm:-:-: 没有可识别的表：宏；表名应为" in said and "未写入任何数据" in said
