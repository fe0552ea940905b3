"""Spreadsheet exports: Chinese headers, one sheet per grouping, formula payloads neutralised."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

import api_dataset as ds
from api.exports import neutralise


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
    headers = [c.value for c in book["按产业链"][1]]
    assert headers[:4] == ["编号", "名称", "基数", "组织覆盖"] and "两个覆盖率" in headers
    rows = {r[0]: r for r in book["按产业链"].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"C01", "C02"} and rows["C02"][1] == "电子信息" and rows["C02"][2] == 3
    assert isinstance(rows["C02"][headers.index("组织覆盖率")], float)
    # the figures the articles quote are columns too, equal to the API's
    api = admin.get("/api/coverage", params={"by": "chain"}).json()["groups"]
    c02 = next(group for group in api if group["key"] == "C02")
    assert rows["C02"][headers.index("单独组建率")] == c02["standalone_formation_rate"]
    assert rows["C02"][headers.index("五星级党组织")] == c02["stars"]["5"]
    assert rows["C02"][headers.index("联合组建平均覆盖企业")] == c02["enterprises_per_joint_org_avg"]
    assert [r[1] for r in book["按类型"].iter_rows(min_row=2, values_only=True)] == [
        g["name"] for g in admin.get("/api/coverage", params={"by": "kind"}).json()["groups"]
    ]


def test_uncovered_workbook(admin):
    book = _book(admin, "/api/gaps/uncovered.xlsx?chain=C02")
    assert book.sheetnames == ["全部", "单独组建", "联合组建", "选派党建指导员"]
    assert [c.value for c in book["全部"][1]][:3] == ["统一社会信用代码", "名称", "建议组建方式"]
    assert [r[0] for r in book["联合组建"].iter_rows(min_row=2, values_only=True)] == [ds.E5]
    assert [r[0] for r in book["选派党建指导员"].iter_rows(min_row=2, values_only=True)] == [ds.E6]


@pytest.mark.parametrize("path, sheet", [("/api/gaps/uncovered.xlsx", "全部"), ("/api/reports/coverage.xlsx", "按园区")])
def test_formula_payloads_come_out_as_quoted_text(admin, path, sheet):
    book = _book(admin, path)
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
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
