"""Malformed inputs: each one gets the exact message a person reads
(``file[:sheet]:row:column: message``) and leaves the store exactly as it was.

The store is pre-loaded with the sample import, so "unchanged" means something; files are
passed by relative path from the working directory, as a person would type them.
"""

from __future__ import annotations

import re

import json
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from fixtures_import import (
    BILLION_LAUGHS, E1, E2, E3, SAMPLE, csv_bytes, handmade_xlsx, shared_strings_xml, sheet_xml, snapshot,
    write_csv, write_xls, write_xlsx, xlsx_workbook,
)
from graph.errors import ImportFailed
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths
from loaders.values import ExcelError

ENTERPRISE_HEADER = ["统一社会信用代码", "名称"]
NO_TABLE_HEADER = ["编号", "名称"]  # any table's first columns: under a name no table has, no table (a roster of credit codes is a ledger)
LEDGER_HINT = "；或是一张台账（表头有 单位名称 和 统一社会信用代码，所属产业链、党组织名称 等列可选；可用 --as ledger 指定）"


@pytest.fixture
def store(tmp_path, monkeypatch):
    s = SQLiteStore(tmp_path / "s.db")
    import_paths(s, write_csv(tmp_path / "before", SAMPLE))
    assert s.version() == 1
    work = tmp_path / "in"
    work.mkdir()
    monkeypatch.chdir(work)
    yield s
    s.close()


def problems_of(store: SQLiteStore, *paths) -> list[str]:
    """Import ``paths``; it must fail, change nothing, and these are the lines a person reads."""
    before = snapshot(store)
    with pytest.raises(ImportFailed) as failed:
        import_paths(store, list(paths))
    assert snapshot(store) == before
    with pytest.raises(ImportFailed) as dry:  # a dry run reports the same problems
        import_paths(store, list(paths), dry_run=True)
    assert [str(p) for p in dry.value.problems] == [str(p) for p in failed.value.problems]
    assert snapshot(store) == before
    return [str(p) for p in failed.value.problems]


def csv_file(name: str, rows: list[list[object]], encoding: str = "utf-8") -> str:
    with open(name, "wb") as f:
        f.write(csv_bytes(rows, encoding))
    return name


# -- columns and headers ------------------------------------------------------------------


def test_missing_required_column(store):
    csv_file("企业.csv", [["名称", "园区"], ["甲公司", "高新园"]])
    csv_file("环节.csv", [["编号", "名称"], ["0301", "电池"]])

    assert problems_of(store, "企业.csv", "环节.csv") == [
        "企业.csv:1:统一社会信用代码: 缺少必填列 统一社会信用代码（id）（表 企业）",
        "环节.csv:1:产业链: 缺少必填列 产业链（chain）（表 环节）",
        "环节.csv:1:位置: 缺少必填列 位置（stage）（表 环节）",
    ]


def test_missing_required_column_in_a_workbook_names_the_sheet(store):
    write_xlsx(Path("导入.xlsx"), {"上下游": [["供方", "产品"], [E1, "钢材"]]})

    assert problems_of(store, "导入.xlsx") == ["导入.xlsx:上下游:1:需方: 缺少必填列 需方（customer）（表 上下游）"]


def test_a_broken_header_is_reported_once_not_again_for_every_relationship(store):
    new = "91110000600037341L"
    csv_file("企业.csv", [["统一社会信用代码", "园区"], [new, "高新园"]])
    csv_file("上下游.csv", [["供方", "需方"], [new, E1]])

    assert problems_of(store, "企业.csv", "上下游.csv") == [
        "企业.csv:1:名称: 缺少必填列 名称（name）（表 企业）",
    ]


def test_two_headers_for_one_column(store):
    csv_file("企业.csv", [["统一社会信用代码", "名称", "name"], [E1, "甲", "甲"]])

    assert problems_of(store, "企业.csv") == [
        "企业.csv:1:name: 列 'name' 与列 '名称' 重复，都表示 名称（name）；"
        "请在列名对应（--map）中写明：要读的一列，如 name=名称；不读的一列，如 name=忽略；"
        "若其中一列说的是别的，如 name=标准列名；或删去其中一列"]


def test_merged_header_cells_in_xlsx(store):
    book = xlsx_workbook({"企业": [["统一社会信用代码", "名称", None, "园区"], [E1, "甲公司", "有限公司", "高新园"]]})
    book["企业"].merge_cells("B1:C1")
    book.save("企业.xlsx")

    assert problems_of(store, "企业.xlsx") == [
        "企业.xlsx:企业:1:C: 第3列有数据但没有列名（表头是否有合并单元格？每列请单独填写列名）",
    ]


def test_csv_column_with_data_but_no_header(store):
    csv_file("chains.csv", [["id", "name", ""], ["009", "新材料", "多余"]])

    assert problems_of(store, "chains.csv") == [
        "chains.csv:1:C: 第3列有数据但没有列名（表头是否有合并单元格？每列请单独填写列名）",
    ]


# -- cell values ----------------------------------------------------------------------------


def test_bad_uscc_check_character_names_the_expected_character(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER, [E1, "甲"], ["91350100M000100Y44", "乙"], ["9144030071526726X0", "丙"]])

    assert problems_of(store, "企业.csv") == [
        "企业.csv:3:统一社会信用代码: 统一社会信用代码 91350100M000100Y44 校验位错误：应为 3，实为 4",
        "企业.csv:4:统一社会信用代码: 统一社会信用代码 9144030071526726X0 校验位错误：应为 G，实为 0",
    ]


def test_uscc_wrong_length_and_illegal_letter(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER, ["91350100M000100Y4", "甲"], ["91350100M000100O43", "乙"]])

    assert problems_of(store, "企业.csv") == [
        "企业.csv:2:统一社会信用代码: 统一社会信用代码 91350100M000100Y4 应为18位，实为17位",
        "企业.csv:3:统一社会信用代码: 统一社会信用代码 91350100M000100O43 第16位（主体标识码）含非法字符 'O'（只允许数字和除 I、O、Z、S、V 外的大写字母）",
    ]


def test_uscc_in_scientific_notation_in_csv_text(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER, ["9.1350100E+17", "甲"]])

    assert problems_of(store, "企业.csv") == [
        "企业.csv:2:统一社会信用代码: 编号 9.1350100E+17 是科学计数法（后几位已丢失）；请把该列设为文本后重新填写",
    ]


def test_uscc_as_a_numeric_excel_cell(store):
    # what Excel keeps of 914403001922038216 typed into a General cell: 15 significant digits
    write_xlsx(Path("企业.xlsx"), {"企业": [ENTERPRISE_HEADER, [9.14403001922038e17, "甲"]]})
    write_xls(Path("企业.xls"), {"企业": [ENTERPRISE_HEADER, [9.14403001922038e17, "甲"]]})

    assert problems_of(store, "企业.xlsx", "企业.xls") == [
        "企业.xlsx:企业:2:统一社会信用代码: 编号 9.14403001922038e+17 被存成了数字（科学计数法，后几位已丢失）；请把该列设为文本后重新填写",
        "企业.xls:企业:2:统一社会信用代码: 编号 9.14403001922038e+17 被存成了数字（科学计数法，后几位已丢失）；请把该列设为文本后重新填写",
    ]


def test_bad_enum_bool_int_and_date(store):
    csv_file("企业.csv", [
        ["统一社会信用代码", "名称", "类型", "状态", "规上企业", "职工人数"],
        [E1, "甲", "个人", "倒闭", "也许", "很多"],
        [E2, "乙", "social_org", "active", "Y", "-3"],
    ])
    csv_file("联盟.csv", [["编号", "名称", "成立日期"], ["A02", "联盟乙", "2023-02-30"], ["A03", "联盟丙", "5/1/2023"]])
    csv_file("党组织.csv", [["编号", "名称", "层级", "组建方式", "星级"], ["O9", "某支部", "小组", "单独组建", "6"]])

    assert problems_of(store, "企业.csv", "联盟.csv", "党组织.csv") == [
        "企业.csv:2:类型: 应为 企业、社会组织 之一，实为 '个人'",
        "企业.csv:2:状态: 应为 在营、注销、迁出 之一，实为 '倒闭'",
        "企业.csv:2:规上企业: 应为 是/否（或 有/无、Y/N、yes/no、true/false、1/0、√/×），实为 '也许'",
        "企业.csv:2:职工人数: 应为整数，实为 '很多'",
        "企业.csv:3:职工人数: 应不小于 0，实为 -3",
        "联盟.csv:2:成立日期: 日期 '2023-02-30' 不存在",
        "联盟.csv:3:成立日期: 应为日期（如 2023-05-01、2023/5/1、2023.5.1、2023年5月1日 或 2023年5月），实为 '5/1/2023'",
        "党组织.csv:2:层级: 应为 党委、党总支、党支部 之一，实为 '小组'",
        "党组织.csv:2:星级: 应不大于 5，实为 6",
    ]


@pytest.mark.parametrize("fmt", ["xls", "xlsx"])
def test_excel_error_cells_are_errors_not_numbers(store, fmt):
    # #N/A from a failed VLOOKUP, #DIV/0! from a formula: xlrd hands on an error *code*
    # (42, 7), which would otherwise be imported as a number of employees
    write = write_xls if fmt == "xls" else write_xlsx
    write(Path(f"企业.{fmt}"), {"企业": [
        ["统一社会信用代码", "名称", "职工人数", "规上企业"],
        ["91110000600037341L", "甲", ExcelError("#N/A"), "是"],
        ["91110108551385082Q", ExcelError("#REF!"), 12, ExcelError("#DIV/0!")],
        [ExcelError("#N/A"), "丙", 3, "否"],
    ]})

    assert problems_of(store, f"企业.{fmt}") == [
        f"企业.{fmt}:企业:2:职工人数: 单元格是 Excel 错误值 #N/A",
        f"企业.{fmt}:企业:3:名称: 单元格是 Excel 错误值 #REF!",
        f"企业.{fmt}:企业:3:规上企业: 单元格是 Excel 错误值 #DIV/0!",
        f"企业.{fmt}:企业:4:统一社会信用代码: 单元格是 Excel 错误值 #N/A",
    ]


def test_excel_error_text_in_a_csv_is_an_error_where_a_code_or_number_is_wanted(store):
    # Excel saves an error cell into a CSV as its text; a name may say anything
    csv_file("上下游.csv", [["供方", "需方", "产品"], [E1, "#N/A", "#N/A"]])
    csv_file("党组织.csv", [["编号", "名称", "层级", "组建方式", "党员数"], ["O9", "某支部", "党支部", "单独组建", "#VALUE!"]])

    assert problems_of(store, "上下游.csv", "党组织.csv") == [
        "上下游.csv:2:需方: 单元格是 Excel 错误值 #N/A",
        "党组织.csv:2:党员数: 单元格是 Excel 错误值 #VALUE!",
    ]


def test_a_yes_cell_and_a_one_cell_in_one_number_column(store):
    # True, 1 and 1.0 are equal in Python; each cell still gets its own verdict
    write_xlsx(Path("企业.xlsx"), {"企业": [
        ["统一社会信用代码", "名称", "职工人数", "龙头企业"],
        ["91110000600037341L", "甲", 1, True],
        ["91110108551385082Q", "乙", True, 1],
        ["91330100716105852F", "丙", 1.0, 1.0],
    ]})

    assert problems_of(store, "企业.xlsx") == ["企业.xlsx:企业:3:职工人数: 应为整数，实为 True"]


def test_required_cell_left_empty(store):
    write_xlsx(Path("导入.xlsx"), {
        "环节": [["编号", "产业链", "名称", "位置"], ["0301", "001", None, "上游"], [None, "001", "整机", "下游"]],
    })

    assert problems_of(store, "导入.xlsx") == [
        "导入.xlsx:环节:2:名称: 必填项 名称（name） 为空",
        "导入.xlsx:环节:3:编号: 必填项 编号（id） 为空",
    ]


def test_a_bad_row_is_reported_once_not_again_for_relationships_to_it(store):
    new = "91110000600037341L"
    csv_file("企业.csv", [["统一社会信用代码", "名称", "职工人数"], [new, "新企业", "很多"]])
    csv_file("上下游.csv", [["供方", "需方"], [new, E1]])

    assert problems_of(store, "企业.csv", "上下游.csv") == ["企业.csv:2:职工人数: 应为整数，实为 '很多'"]


# -- ids and relationships ------------------------------------------------------------------


def test_duplicate_id_in_one_file_and_across_files(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER, ["91110000600037341L", "甲"], ["91110000600037341L", "甲（重复）"]])
    write_xlsx(Path("导入.xlsx"), {"企业": [ENTERPRISE_HEADER, ["91110108551385082Q", "乙"]],
                                                         "chains": [["id", "name"], ["91110108551385082Q", "乙链"]]})

    assert problems_of(store, "企业.csv", "导入.xlsx") == [
        "企业.csv:3:统一社会信用代码: 编号 91110000600037341L 重复：已在 企业.csv 第2行出现",
        "导入.xlsx:chains:2:id: 编号 91110108551385082Q 重复：已在 导入.xlsx:企业 第2行出现",
    ]


def test_dangling_relationships(store):
    csv_file("上下游.csv", [["供方", "需方", "产品"], [E1, "91110000600037341L", "整机"]])
    csv_file("环节.csv", [["编号", "产业链", "名称", "位置"], ["0901", "009", "电池", "上游"]])
    csv_file("党组织覆盖.csv", [["党组织", "企业"], ["O404", E2]])

    assert problems_of(store, "上下游.csv", "环节.csv", "党组织覆盖.csv") == [
        "上下游.csv:2:需方: 企业 91110000600037341L 不存在（既不在本次导入中，也不在库中）",
        "环节.csv:2:产业链: 产业链 009 不存在（既不在本次导入中，也不在库中）",
        "党组织覆盖.csv:2:党组织: 党组织 O404 不存在（既不在本次导入中，也不在库中）",
    ]


def test_relationship_to_an_id_of_the_wrong_kind(store):
    # E1 is an enterprise and 0101 a segment, both already in the store
    csv_file("党组织.csv", [["编号", "名称", "层级", "组建方式"], ["O1", "甲支部", "党支部", "单独组建"]])
    csv_file("企业环节.csv", [["企业", "环节"], ["O1", E1]])
    csv_file("党组织覆盖.csv", [["党组织", "企业"], ["O1", "0101"]])
    csv_file("联系点.csv", [["领导", "联系对象"], ["001", E1]])

    assert problems_of(store, "党组织.csv", "企业环节.csv", "党组织覆盖.csv", "联系点.csv") == [
        "企业环节.csv:2:企业: O1 是党组织，这里应为企业",
        f"企业环节.csv:2:环节: {E1} 是企业，这里应为环节",
        "党组织覆盖.csv:2:企业: 0101 是环节，这里应为企业",
        "联系点.csv:2:领导: 001 是产业链，这里应为领导",
    ]


def test_id_already_in_the_store_as_another_kind(store):
    csv_file("units.csv", [["id", "name"], ["001", "某街道"]])

    assert problems_of(store, "units.csv") == ["units.csv:2:id: 编号 001 在库中已是产业链，不能再作为单位导入"]


def test_relationship_from_an_id_to_itself(store):
    csv_file("上下游.csv", [["供方", "需方"], [E1, E1]])

    assert problems_of(store, "上下游.csv") == [f"上下游.csv:2:需方: 关系的两端是同一个编号 {E1}"]


ORG_HEADER = ["编号", "名称", "层级", "组建方式", "上级党组织"]


def test_an_organisation_cannot_be_its_own_parent(store):
    csv_file("党组织.csv", [ORG_HEADER, ["O1", "区委两新工委", "党委", "行业党委", None],
                            ["O2", "某党支部", "党支部", "单独组建", "O2"]])

    assert problems_of(store, "党组织.csv") == ["党组织.csv:3:上级党组织: 上级党组织 O2 就是本行自己的编号"]


def test_a_cycle_of_parent_organisations_names_its_rows(store):
    csv_file("党组织.csv", [ORG_HEADER, ["O1", "甲党委", "党委", "行业党委", "O3"],
                            ["O2", "乙党总支", "党总支", "单独组建", "O1"],
                            ["O9", "丙党支部", "党支部", "单独组建", "O2"],
                            ["O3", "丁党委", "党委", "单独组建", "O2"]])

    assert problems_of(store, "党组织.csv") == [
        "党组织.csv:2:上级党组织: 上级党组织形成循环：O1 → O3 → O2 → O1（第2行、第5行、第3行）",
    ]


def test_a_cycle_through_the_store_and_across_files(store, tmp_path):
    import_paths(store, write_csv(tmp_path / "orgs", {"党组织": [
        ORG_HEADER, ["O1", "甲党委", "党委", "行业党委", None], ["O2", "乙党总支", "党总支", "单独组建", "O1"],
        ["O3", "丙党支部", "党支部", "单独组建", "O2"],
    ]}))
    csv_file("党组织.csv", [ORG_HEADER, ["O1", "甲党委", "党委", "行业党委", "O4"]])
    write_xlsx(Path("新增.xlsx"), {"党组织": [ORG_HEADER, ["O4", "戊党支部", "党支部", "单独组建", "O3"]]})

    assert problems_of(store, "党组织.csv", "新增.xlsx") == [
        "党组织.csv:2:上级党组织: 上级党组织形成循环：O1 → O4 → O3 → O2 → O1"
        "（第2行、新增.xlsx:党组织 第2行；O3 → O2、O2 → O1 已在库中）",
    ]


def test_moving_an_organisation_under_another_is_no_cycle(store, tmp_path):
    import_paths(store, write_csv(tmp_path / "orgs", {"党组织": [
        ORG_HEADER, ["O1", "甲党委", "党委", "行业党委", None], ["O2", "乙党总支", "党总支", "单独组建", "O1"],
    ]}))
    # O1 moves under O2's new sibling O3: the old O2 -> O1 stays, no loop
    csv_file("党组织.csv", [ORG_HEADER, ["O3", "丙党委", "党委", "行业党委", None], ["O1", "甲党委", "党委", "行业党委", "O3"]])

    import_paths(store, ["党组织.csv"])

    assert {(r.source, r.target) for r in store.read().rels if r.type.value == "UNDER"} == {("O2", "O1"), ("O1", "O3")}


def test_same_relationship_twice_with_different_content(store):
    csv_file("上下游.csv", [["供方", "需方", "产品"], [E3, E2, "外壳"], [E3, E2, "外壳"], [E3, E2, "螺丝"]])

    assert problems_of(store, "上下游.csv") == [
        f"上下游.csv:4:供方: 同一关系 {E3} → {E2} 出现两次且内容不同（另一次在第2行）",
    ]


# -- unreadable files -----------------------------------------------------------------------


def test_undecodable_bytes_in_a_csv_point_at_the_bad_line(store):
    # a GBK file with one stray byte on line 3: the message points there, not at line 1
    with open("企业.csv", "wb") as f:
        f.write(csv_bytes([ENTERPRISE_HEADER, [E1, "甲公司"]], "gbk") + E2.encode() + b",\x80\xff\r\n")

    assert problems_of(store, "企业.csv") == [
        "企业.csv:-:-: 无法识别文件编码：第3行（字节位置 69）的字节 80 ff 0d 0a 既不是 UTF-8 也不是 GBK/GB18030；"
        "请用 Excel“另存为 CSV UTF-8”后重新导入",
    ]


@pytest.mark.parametrize("name, content", [
    ("企业.csv", b""), ("企业.csv", b"\r\n \r\n"), ("企业.csv", b"\xef\xbb\xbf"),
    ("企业.xlsx", b""), ("企业.xls", b""), ("企业.json", b"\n"),
])
def test_empty_file(store, name, content):
    with open(name, "wb") as f:
        f.write(content)

    assert problems_of(store, name) == [f"{name}:-:-: 文件为空"]


def test_truncated_xlsx(store):
    write_xlsx(Path("full.xlsx"), SAMPLE)
    with open("full.xlsx", "rb") as f:
        data = f.read()
    with open("半个.xlsx", "wb") as f:
        f.write(data[: len(data) // 2])

    assert problems_of(store, "半个.xlsx") == ["半个.xlsx:-:-: 不是有效的 xlsx 文件（文件已损坏或不完整）；请用 Excel 重新保存"]


def test_xlsx_that_is_not_a_zip_and_xls_that_is_not_a_workbook(store):
    with open("假的.xlsx", "wb") as f:
        f.write(csv_bytes([ENTERPRISE_HEADER, [E1, "甲"]]))
    with open("假的.xls", "wb") as f:
        f.write(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)

    problems = problems_of(store, "假的.xlsx", "假的.xls")

    assert problems[0] == "假的.xlsx:-:-: 不是有效的 xlsx 文件（文件已损坏或不完整）；请用 Excel 重新保存"
    assert problems[1].startswith("假的.xls:-:-: 不是有效的 xls 文件（") and problems[1].endswith("）；请用 Excel 重新保存")


def test_csv_row_with_more_cells_than_the_header(store):
    with open("企业.csv", "w", encoding="utf-8") as f:
        f.write(f"统一社会信用代码,名称\n{E1},甲公司\n{E2},乙公司,深圳,有限公司\n")

    assert problems_of(store, "企业.csv") == [
        "企业.csv:3:-: 这一行有4列，比表头的2列多（单元格里的逗号是否没有加引号？）",
    ]


def test_csv_with_an_unclosed_quote(store):
    with open("企业.csv", "w", encoding="utf-8") as f:
        f.write(f'统一社会信用代码,名称\n{E1},甲公司\n{E2},"乙公司\n{E3},丙公司\n')

    assert problems_of(store, "企业.csv") == [
        "企业.csv:3:-: 引号没有闭合：从这一行开始的引号一直到文件末尾都没有结束",
    ]


def test_malformed_json(store):
    with open("a.json", "w", encoding="utf-8") as f:
        f.write('{"enterprises": [{"id": "x"},]}')
    with open("b.json", "w", encoding="utf-8") as f:
        json.dump([{"id": E1}], f)
    with open("c.json", "w", encoding="utf-8") as f:
        json.dump({"enterprises": {"id": E1}, "chains": [{"id": "009", "name": "新材料"}]}, f)

    assert problems_of(store, "a.json", "b.json", "c.json") == [
        "a.json:-:-: JSON 格式错误：第1行第30列 Expecting value",
        'b.json:-:-: JSON 顶层应为对象：每个表一个数组，如 {"enterprises": [...]}',
        "c.json:enterprises:-:-: 表 enterprises 应为对象数组",
    ]


def test_json_rows_and_keys(store):
    with open("导入.json", "w", encoding="utf-8") as f:
        json.dump({"环节": [{"编号": "0901", "名称": "电池", "位置": "上游"}],
                   "企业": [{"统一社会信用代码": E1, "名称": "甲", "备注": "x"}, {"统一社会信用代码": 9.135e17, "名称": "乙"}]},
                  f, ensure_ascii=False)

    assert problems_of(store, "导入.json") == [
        "导入.json:环节:-:产业链: 缺少必填列 产业链（chain）（表 环节）",
        "导入.json:企业:2:统一社会信用代码: 编号 9.135e+17 被存成了数字（科学计数法，后几位已丢失）；请把该列设为文本后重新填写",
    ]


TABLE_NAMES = (
    "企业（enterprises）、产业链（chains）、环节（segments）、企业环节（enterprise_segments）、上下游（supply_links）、"
    "党组织（party_orgs）、党组织覆盖（org_coverage）、产业链党委（chain_committees）、单位（units）、结对共建（pairings）、"
    "领导（leaders）、领导分管产业链（leader_chains）、联系点（contacts）、指导员（instructors）、"
    "指导员派驻（instructor_assignments）、联盟（alliances）、联盟成员（alliance_members）"
)


def test_files_without_a_single_known_table_are_an_error(store):
    csv_file("企业名单.csv", [NO_TABLE_HEADER, [E1, "甲"]])
    write_xlsx(Path("导入.xlsx"), {"Sheet1": [NO_TABLE_HEADER, [E2, "乙"]], "说明": [["填写说明"]]})

    assert problems_of(store, "企业名单.csv", "导入.xlsx") == [
        f"企业名单.csv:-:-: 没有可识别的表：企业名单；表名应为 {TABLE_NAMES}（CSV 文件以文件名为表名）{LEDGER_HINT}",
        f"导入.xlsx:-:-: 没有可识别的表：Sheet1、说明；表名应为 {TABLE_NAMES}{LEDGER_HINT}",
    ]


def test_a_json_document_without_tables_is_an_error(store):
    with open("导入.json", "w", encoding="utf-8") as f:
        f.write("{}")

    assert problems_of(store, "导入.json") == [f"导入.json:-:-: 没有可识别的表；表名应为 {TABLE_NAMES}{LEDGER_HINT}"]


def test_a_roster_of_credit_codes_and_names_is_a_ledger_whatever_it_is_called(store):
    """DESIGN: the ledger is recognised by its headers, all optional but the name and the
    code: 企业名单.csv of 统一社会信用代码 | 名称 adds its enterprises (it was no table)."""
    csv_file("企业名单.csv", [ENTERPRISE_HEADER, [E1, "甲"]])
    report = import_paths(store, ["企业名单.csv"])
    assert [m.table.zh for m in report.header_map] == ["台账", "台账"]
    assert E1 in store.labels_of({E1})


def test_one_known_table_is_enough_the_others_are_warnings(store):
    csv_file("企业名单.csv", [NO_TABLE_HEADER, [E1, "甲"]])
    csv_file("chains.csv", [["id", "name"], ["009", "新材料"]])

    report = import_paths(store, ["企业名单.csv", "chains.csv"])

    assert [str(w) for w in report.warnings] == [
        "企业名单.csv:-:-: 未知的表 '企业名单'，已忽略（表名应为导入模板中的中文或英文表名，或为台账）",
    ]
    assert report.rows == 1


def test_missing_file_and_unsupported_type(store):
    with open("企业.txt", "w", encoding="utf-8") as f:
        f.write("统一社会信用代码,名称\n")

    assert problems_of(store, "没有这个文件.csv", "企业.txt") == [
        "没有这个文件.csv:-:-: 文件不存在",
        "企业.txt:-:-: 不支持的文件类型 .txt；支持 .csv、.xlsx、.xlsm、.xls、.json",
    ]


# -- hostile workbooks ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """A real xlsx whose sheet XML is 300 MB of blanks (a few hundred KB compressed),
    written in 1 MB chunks so building it stays fast and memory-bounded."""
    folder = tmp_path_factory.mktemp("bomb")
    base = write_xlsx(folder / "base.xlsx", {"企业": [ENTERPRISE_HEADER, [E1, "甲"]]})
    bomb = folder / "炸弹.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open(info.filename, "w", force_zip64=True) as out:
                out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                blanks = b" " * (1 << 20)
                for _ in range(300):
                    out.write(blanks)
                out.write(b"</sheetData></worksheet>")
    return bomb


def test_zip_bomb_is_refused_quickly_without_inflating_it(store, zip_bomb):
    os.link(zip_bomb, "炸弹.xlsx")
    member = zipfile.ZipFile("炸弹.xlsx").getinfo("xl/worksheets/sheet1.xml")
    assert member.file_size > 300 << 20 and member.compress_size < 3 << 20
    before = snapshot(store)

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImportFailed) as failed:
            import_paths(store, ["炸弹.xlsx"])
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert [str(p) for p in failed.value.problems] == [
        f"炸弹.xlsx:-:-: 拒绝导入：xl/worksheets/sheet1.xml 压缩比异常（{member.compress_size} 字节解压为 "
        f"{member.file_size} 字节），疑似压缩炸弹",
    ]
    assert elapsed < 5, elapsed
    assert peak < 50 << 20, peak
    assert snapshot(store) == before


@pytest.mark.parametrize("part", ["sharedStrings", "sheet"])
def test_xml_entity_declarations_are_refused(store, part):
    strings = ENTERPRISE_HEADER + [E1, "&lol9;" if part == "sharedStrings" else "甲"]
    handmade_xlsx(
        Path("笑.xlsx"), "企业",
        sheet_xml({1: ["A:0", "B:1"], 2: ["A:2", "B:3"]}, prologue=BILLION_LAUGHS if part == "sheet" else ""),
        shared_strings_xml(strings, prologue=BILLION_LAUGHS if part == "sharedStrings" else ""),
    )

    tracemalloc.start()
    try:
        problems = problems_of(store, "笑.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert problems == ["笑.xlsx:-:-: 拒绝导入：文件含 XML 实体或 DTD 声明（可能是恶意文件）"]
    assert peak < 50 << 20


def test_external_entity_is_refused(store):
    xxe = '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    handmade_xlsx(Path("外部.xlsx"), "企业", sheet_xml({1: ["A:0", "B:1"], 2: ["A:2", "B:3"]}),
                  shared_strings_xml(ENTERPRISE_HEADER + [E1, "&xxe;"], prologue=xxe))

    assert problems_of(store, "外部.xlsx") == ["外部.xlsx:-:-: 拒绝导入：文件含 XML 实体或 DTD 声明（可能是恶意文件）"]


# -- everything at once -----------------------------------------------------------------------


def test_all_problems_in_all_files_are_reported_at_once(store):
    csv_file("企业.csv", [
        ["统一社会信用代码", "名称", "党员人数"],
        ["91110000600037341L", "新企业甲", "3"],
        ["91110108551385082X", "新企业乙", "2"],
        ["91330100716105852F", "", "两个"],
    ], encoding="gbk")
    write_xlsx(Path("关系.xlsx"), {
        "上下游": [["供方", "需方"], ["91110000600037341L", E1], [E1, "91440300000000000X"]],
        "企业环节": [["企业", "环节"], ["91110000600037341L", "001"]],
        "联盟成员": [["联盟", "成员", "角色"], ["A01", "91110000600037341L", "理事单位"]],
    })

    assert problems_of(store, "企业.csv", "关系.xlsx") == [
        "企业.csv:3:统一社会信用代码: 统一社会信用代码 91110108551385082X 校验位错误：应为 Q，实为 X",
        "企业.csv:4:名称: 必填项 名称（name） 为空",
        "企业.csv:4:党员人数: 应为整数，实为 '两个'",
        "关系.xlsx:联盟成员:2:角色: 应为 主任单位、副主任单位、成员单位 之一，实为 '理事单位'",
        "关系.xlsx:上下游:3:需方: 企业 91440300000000000X 不存在（既不在本次导入中，也不在库中）",
        "关系.xlsx:企业环节:2:环节: 001 是产业链，这里应为环节",
    ]


# -- the command line -------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDCHAIN_")}
    env["COLUMNS"] = "80"  # problems must not be wrapped even on a narrow terminal
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, env=env, timeout=60)


def test_cli_load_prints_every_problem_to_stderr_and_exits_1(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER, ["91350100M000100Y44", "一家名字很长很长很长很长很长很长很长很长很长很长的企业"]])
    csv_file("上下游.csv", [["供方", "需方"], [E1, "91440300000000000X"]])
    before = snapshot(store)

    result = _cli("load", "企业.csv", "上下游.csv", "--store", str(store.path))

    assert result.returncode == 1
    assert result.stdout == b""
    # off a terminal, progress comes as "stage done/total" lines between the problems
    progress = re.compile(r"^(读取校验|写入) \d+/\d+$")
    assert [line for line in result.stderr.decode().splitlines() if line.strip() and not progress.match(line)] == [
        "企业.csv:2:统一社会信用代码: 统一社会信用代码 91350100M000100Y44 校验位错误：应为 3，实为 4",
        "上下游.csv:2:需方: 企业 91440300000000000X 不存在（既不在本次导入中，也不在库中）",
        "共 2 个问题，未写入任何数据。",
    ]
    assert snapshot(store) == before


def test_cli_load_of_unknown_tables_exits_1(store):
    csv_file("名单.csv", [NO_TABLE_HEADER, [E1, "甲"]])
    before = snapshot(store)

    result = _cli("load", "名单.csv", "--store", str(store.path))

    assert result.returncode == 1
    assert result.stdout == b""
    assert [line for line in result.stderr.decode().splitlines() if line.strip() and not line.startswith("读取校验")] == [
        f"名单.csv:-:-: 没有可识别的表：名单；表名应为 {TABLE_NAMES}（CSV 文件以文件名为表名）{LEDGER_HINT}",
        "共 1 个问题，未写入任何数据。",
    ]
    assert snapshot(store) == before


def test_cli_load_json_lists_problems_with_their_parts(store):
    csv_file("企业.csv", [ENTERPRISE_HEADER, ["9.1350100E+17", "甲"]])

    result = _cli("load", "企业.csv", "--json", "--store", str(store.path))

    assert result.returncode == 1
    assert json.loads(result.stdout) == {"ok": False, "total": 1, "problems": [{
        "file": "企业.csv", "sheet": None, "row": 2, "column": "统一社会信用代码", "code": "code_as_number",
        "message": "编号 9.1350100E+17 是科学计数法（后几位已丢失）；请把该列设为文本后重新填写",
        "value": "9.1350100E+17",
        "text": "企业.csv:2:统一社会信用代码: 编号 9.1350100E+17 是科学计数法（后几位已丢失）；请把该列设为文本后重新填写",
    }], "warnings": []}


@pytest.mark.parametrize(("code", "message"), [
    ("C/01", "编号 'C/01' 含不允许的字符 '/'（编号不能含 / \\ 或换行等控制字符）"),
    ("C\n01", "编号 'C\\n01' 含不允许的字符 '\\n'（编号不能含 / \\ 或换行等控制字符）"),
    ("C" * 65, "编号过长：65 个字符，最多 64 个"),
])
def test_ids_that_would_break_a_url_file_name_or_header_are_refused(store, code, message):
    csv_file("产业链.csv", [["编号", "名称"], [code, "工程机械"]])
    assert problems_of(store, "产业链.csv") == [f"产业链.csv:2:编号: {message}"]


def test_a_name_longer_than_the_limit_is_refused(store):
    csv_file("产业链.csv", [["编号", "名称"], ["C01", "长" * 501]])
    assert problems_of(store, "产业链.csv") == ["产业链.csv:2:名称: 内容过长：501 个字符，最多 500 个"]


@pytest.mark.parametrize("chunk", [1, 2])
def test_clashes_are_found_whichever_chunk_of_stored_labels_holds_them(store, monkeypatch, chunk):
    # the imported ids' stored labels are read a chunk at a time, keeping only the clashes
    monkeypatch.setattr("loaders.importer._LABEL_CHUNK", chunk)
    csv_file("units.csv", [["id", "name"], ["001", "某街道"], ["U9", "新单位"], [E1, "某社区"]])

    assert problems_of(store, "units.csv") == ["units.csv:2:id: 编号 001 在库中已是产业链，不能再作为单位导入",
                                               f"units.csv:4:id: 编号 {E1} 在库中已是企业，不能再作为单位导入"]
