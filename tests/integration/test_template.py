"""The import template: one sheet per table with Chinese names and headers, an instruction
sheet, drop-downs on enum and yes/no columns, and a filled-in copy imports as is."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import openpyxl
import pytest

from fixtures_import import E1, E2, graph_of
from graph.schema import PropType
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths
from loaders.tables import TABLES, Role
from loaders.template import write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_template(tmp_path_factory.mktemp("template") / "sub" / "模板.xlsx")


def test_one_sheet_per_table_after_the_instructions(template):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["说明"] + [t.zh for t in TABLES]
    assert book.sheetnames[1:6] == ["企业", "产业链", "环节", "企业环节", "上下游"]


def test_headers_are_chinese_with_required_columns_starred(template):
    book = openpyxl.load_workbook(template)
    assert [c.value for c in book["企业"][1]] == [
        "统一社会信用代码*", "名称*", "类型", "园区", "街道", "职工人数", "党员人数", "规上企业", "龙头企业", "纳入基数", "状态"]
    assert [c.value for c in book["结对共建"][1]] == ["结对方*", "被结对方*", "类型", "开始日期"]
    for table in TABLES:
        assert [c.value for c in book[table.zh][1]] == [col.zh + ("*" if col.required else "") for col in table.columns]


def test_instruction_sheet_lists_every_column(template):
    rows = list(openpyxl.load_workbook(template)["说明"].values)
    listed = {(r[0], r[1]) for r in rows[5:]}
    assert len(rows) - 5 == sum(len(t.columns) for t in TABLES)
    assert ("企业（enterprises）", "统一社会信用代码（id）") in listed
    assert ("企业（enterprises）", "状态（status）", None, "可选：在营、注销、迁出") in {tuple(r) for r in rows}
    assert ("联盟（alliances）", "成立日期（founded）", None, "日期，如 2023-05-01") in {tuple(r) for r in rows}


def _validations(sheet) -> dict[str, str]:
    """Column letter -> the list a drop-down offers."""
    found = {}
    for rule in sheet.data_validations.dataValidation:
        assert rule.type == "list"
        for cell_range in rule.sqref.ranges:
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = rule.formula1
    return found


def test_drop_downs_on_every_enum_and_yes_no_column(template):
    book = openpyxl.load_workbook(template)
    assert _validations(book["企业"]) == {
        "C": '"企业,社会组织"', "H": '"是,否"', "I": '"是,否"', "J": '"是,否"', "K": '"在营,注销,迁出"'}
    assert _validations(book["环节"]) == {"D": '"上游,中游,下游"'}
    assert _validations(book["联盟成员"]) == {"C": '"主任单位,副主任单位,成员单位"'}
    for table in TABLES:
        wanted = {col.zh for col in table.columns
                  if col.role is Role.PROP and col.prop.type in (PropType.ENUM, PropType.BOOL)}
        letters = _validations(book[table.zh])
        headers = {c.column_letter: c.value.rstrip("*") for c in book[table.zh][1]}
        assert {headers[letter] for letter in letters} == wanted, table.zh


def test_code_and_text_columns_are_formatted_as_text(template):
    # a column style, so whatever Excel users type there (a USCC, 0101) stays text
    book = openpyxl.load_workbook(template)
    columns = book["企业"].column_dimensions
    assert [columns[letter].number_format for letter in "ABDEF"] == ["@", "@", "@", "@", "General"]
    assert [book["环节"].column_dimensions[letter].number_format for letter in "ABCE"] == ["@", "@", "@", "General"]


def test_filled_in_template_imports(tmp_path, template):
    book = openpyxl.load_workbook(template)
    book["企业"].append([E1, "福建闽工工程机械有限公司", "企业", "高新园", None, 1200, 35, "是", "是", None, "在营"])
    book["企业"].append([E2, "深圳华芯电子股份有限公司", "社会组织", None, None, 20, 0, "否", "否", "否", "迁出"])
    book["产业链"].append(["001", "工程机械"])
    book["环节"].append(["0101", "001", "整机", "中游", 1])
    book["企业环节"].append([E1, "0101"])
    book["上下游"].append([E2, E1, "控制器"])
    book["党组织"].append(["O1", "闽工党委", "党委", "单独组建", 35, 5, None, "是"])
    book["党组织覆盖"].append(["O1", E1])
    book["结对共建"].append(["O1", E2, "龙头带动", dt.date(2024, 3, 1)])
    filled = tmp_path / "填好的.xlsx"
    book.save(filled)

    store = SQLiteStore(tmp_path / "s.db")
    try:
        report = import_paths(store, [filled])
        nodes, rels = graph_of(store)
    finally:
        store.close()

    assert report.warnings == []
    assert report.rows == 9
    assert [(label, node_id) for label, node_id, _ in nodes] == [
        ("Chain", "001"), ("Enterprise", E1), ("Enterprise", E2), ("PartyOrg", "O1"), ("Segment", "0101")]
    assert [(t, s, d, p) for t, s, d, p in rels] == [
        ("COVERS", "O1", E1, "{}"),
        ("IN_SEGMENT", E1, "0101", "{}"),
        ("PAIRED_WITH", "O1", E2, '{"kind": "lead_brings", "since": "2024-03-01"}'),
        ("PART_OF", "0101", "001", "{}"),
        ("SUPPLIES", E2, E1, '{"product": "控制器"}'),
    ]
    assert ('{"above_scale": false, "employees": 20, "in_base": false, "kind": "social_org", "leading": false, '
            '"name": "深圳华芯电子股份有限公司", "party_members": 0, "status": "moved"}') in {p for _, _, p in nodes}


def test_empty_template_imports_nothing_and_warns_nothing(tmp_path, template):
    store = SQLiteStore(tmp_path / "s.db")
    try:
        report = import_paths(store, [template])
        assert (report.rows, report.warnings, store.version()) == (0, [], 0)
    finally:
        store.close()


def test_cli_template_command(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDCHAIN_")}
    result = subprocess.run([sys.executable, "-m", "api.cli", "template", "out/模板.xlsx"],
                            capture_output=True, env=env, cwd=tmp_path, timeout=60)

    assert result.returncode == 0, result.stderr.decode()
    assert "已生成导入模板" in result.stdout.decode()
    assert openpyxl.load_workbook(tmp_path / "out" / "模板.xlsx").sheetnames[0] == "说明"
