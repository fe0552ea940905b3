"""Spreadsheet exports: a title and 统计日期 row, Chinese headers, names with codes beside
them, a frozen header with an autofilter, a proper file name, formula payloads neutralised."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from urllib.parse import unquote

import api_dataset as ds
from api.core.exports import HEADER_ROW, display_width, neutralise, safe_filename_part


def _book(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture(scope="module")
def admin(live):
    return live.client("admin")


def test_coverage_workbook(admin):
    book = _book(admin, "/api/reports/coverage.xlsx")
    assert book.sheetnames == ["总计", "按产业链", "按环节", "按园区", "按街道", "按类型"]
    sheet = book["按产业链"]
    assert sheet["A1"].value == "“两个覆盖”情况（按产业链）" and sheet["A2"].value.startswith("统计日期：")
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers[:4] == ["编号", "名称", "纳入基数", "组织覆盖"] and "两个覆盖率" in headers
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref.startswith("A3:")
    rows = {r[0]: r for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert set(rows) == {"C01", "C02"} and rows["C02"][1] == "电子信息" and rows["C02"][2] == 3
    assert isinstance(rows["C02"][headers.index("组织覆盖率")], float)
    # the figures the articles quote are columns too, equal to the API's
    api = admin.get("/api/coverage", params={"by": "chain"}).json()["groups"]
    c02 = next(group for group in api if group["key"] == "C02")
    assert rows["C02"][headers.index("单独组建率")] == c02["standalone_formation_rate"]
    assert rows["C02"][headers.index("五星党组织")] == c02["stars"]["5"]
    assert rows["C02"][headers.index("联合组建平均覆盖企业")] == c02["enterprises_per_joint_org_avg"]
    assert [r[1] for r in book["按类型"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)] == [
        g["name"] for g in admin.get("/api/coverage", params={"by": "kind"}).json()["groups"]
    ]


def test_uncovered_workbook(admin):
    book = _book(admin, "/api/gaps/uncovered.xlsx?chain=C02")
    assert book.sheetnames == ["全部", "单独组建", "联合组建", "选派党建指导员"]
    assert book["全部"]["A1"].value == "未覆盖两新组织清单（电子信息）"
    headers = [c.value for c in book["全部"][HEADER_ROW]]
    assert headers[:3] == ["统一社会信用代码", "名称", "建议组建方式"]
    assert [r[0] for r in book["联合组建"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)] == [ds.E5]
    (e6,) = book["选派党建指导员"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    row = dict(zip(headers, e6))
    # names for people, chains and segments, the codes in a column of their own
    assert (row["工作覆盖来源"], row["来源编号"], row["产业链"], row["环节"]) == ("赵六", "I2", "电子信息", "终端")
    width = book["全部"].column_dimensions["A"].width
    assert width >= display_width(ds.E6)  # an 18-character code is never cut


def test_export_file_names(admin):
    response = admin.get("/api/gaps/uncovered.xlsx", params={"chain": "C02"})
    disposition = response.headers["content-disposition"]
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert fallback.startswith("uncovered-C02-") and fallback.endswith(".xlsx") and fallback.isascii()
    chinese = unquote(disposition.split("filename*=UTF-8''")[1])
    assert chinese.startswith("未覆盖企业（电子信息）-") and chinese.endswith(".xlsx")


def test_names_in_an_export_are_audited_and_hidden_from_viewers(live):
    viewer = _book(live.client("viewer"), "/api/gaps/uncovered.xlsx?chain=C02")
    texts = {c.value for ws in viewer for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert not texts & ds.PEOPLE_NAMES
    _book(live.client("admin"), "/api/gaps/uncovered.xlsx?chain=C02")
    entries = live.client("admin").get("/api/audit", params={"limit": 500}).json()["items"]
    assert any(e["action"] == "read_personal" and "I2" in e["details"]["people"]
               and e["details"]["path"].startswith("/api/gaps/uncovered.xlsx") for e in entries)


def test_file_name_parts_lose_what_a_header_cannot_hold():
    assert safe_filename_part('a"b\r\nc/d') == "abcd"
    assert safe_filename_part("\x00") == "导出"


@pytest.mark.parametrize("path, sheet", [("/api/gaps/uncovered.xlsx", "全部"), ("/api/reports/coverage.xlsx", "按园区")])
def test_formula_payloads_come_out_as_quoted_text(admin, path, sheet):
    book = _book(admin, path)
    cells = [c for ws in book for row in ws.iter_rows(min_row=HEADER_ROW) for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    payloads = list(ds.PAYLOADS.values()) if sheet == "全部" else [ds.PAYLOAD_PARK]
    for payload in payloads:
        payload = payload.replace("\r", "\n")  # XML readers turn a stored CR into LF
        assert "'" + payload in texts, payload
        assert payload not in texts
    for c in cells:
        if isinstance(c.value, str):
            assert c.data_type == "s" and not c.value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_numbers_stay_numbers():
    assert neutralise(-3) == -3 and neutralise(0.5) == 0.5 and neutralise(None) is None
    assert neutralise("-3") == "'-3" and neutralise("普通文本") == "普通文本" and neutralise("a=b") == "a=b"
    assert neutralise("\x01=bad") == "'=bad"  # characters XML cannot hold are dropped first
