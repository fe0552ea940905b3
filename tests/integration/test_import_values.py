"""Cell values in the forms people type into Excel, read through real files: booleans,
dates, enum words in either language, and codes that keep their leading zeros."""

from __future__ import annotations

import datetime as dt

import pytest

from fixtures_import import write_csv, write_xlsx
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths
from loaders.uscc import make_uscc

BOOL_WORDS = [("是", True), ("否", False), ("Y", True), ("N", False), ("yes", True), ("No", False),
              ("TRUE", True), ("false", False), ("1", True), ("0", False), ("√", True), ("×", False)]
IDS = [make_uscc(f"913501000000{i:05d}") for i in range(len(BOOL_WORDS) + 4)]


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


def _props(store) -> dict[str, dict]:
    return {n.id: n.props for n in store.read().nodes}


def _rel_props(store, rtype: str) -> dict[tuple[str, str], dict]:
    return {(r.source, r.target): r.props for r in store.read().rels if r.type.value == rtype}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_boolean_words(tmp_path, store, fmt):
    tables = {"企业": [["统一社会信用代码", "名称", "规上企业"]]
                    + [[IDS[i], f"企业{i}", word] for i, (word, _) in enumerate(BOOL_WORDS)]}
    write_csv(tmp_path, tables) if fmt == "csv" else write_xlsx(tmp_path / "in.xlsx", tables)

    import_paths(store, sorted(tmp_path.glob("*.csv")) or [tmp_path / "in.xlsx"])

    props = _props(store)
    assert [props[IDS[i]]["above_scale"] for i in range(len(BOOL_WORDS))] == [value for _, value in BOOL_WORDS]


def test_excel_boolean_and_number_cells(tmp_path, store):
    write_xlsx(tmp_path / "in.xlsx", {"enterprises": [
        ["id", "name", "leading", "in_base"],
        [IDS[0], "甲", True, 1],
        [IDS[1], "乙", False, 0],
    ]})

    import_paths(store, [tmp_path / "in.xlsx"])

    props = _props(store)
    assert (props[IDS[0]]["leading"], props[IDS[0]]["in_base"]) == (True, True)
    assert (props[IDS[1]]["leading"], props[IDS[1]]["in_base"]) == (False, False)


def _pairing_import(since_values: list[object]) -> dict:
    return {
        "党组织": [["编号", "名称", "层级", "组建方式"], ["O1", "甲党支部", "党支部", "单独组建"]],
        "企业": [["统一社会信用代码", "名称"]] + [[IDS[i], f"企业{i}"] for i in range(len(since_values))],
        "结对共建": [["结对方", "被结对方", "开始日期"]] + [["O1", IDS[i], v] for i, v in enumerate(since_values)],
    }


def test_dates_typed_as_text(tmp_path, store):
    write_csv(tmp_path, _pairing_import(["2023-05-01", "2023/5/1", "2023年5月1日", " 2023-5-01 ", "2024/12/31"]))

    import_paths(store, sorted(tmp_path.glob("*.csv")))

    since = {target: p["since"] for (_, target), p in _rel_props(store, "PAIRED_WITH").items()}
    assert [since[IDS[i]] for i in range(5)] == ["2023-05-01"] * 4 + ["2024-12-31"]


def test_excel_date_cells(tmp_path, store):
    write_xlsx(tmp_path / "in.xlsx", _pairing_import([dt.date(2023, 5, 1), dt.datetime(2023, 5, 1, 14, 30), "2023年5月1日"]))

    import_paths(store, [tmp_path / "in.xlsx"])

    assert sorted(p["since"] for p in _rel_props(store, "PAIRED_WITH").values()) == ["2023-05-01"] * 3


def test_enum_values_in_chinese_or_english(tmp_path, store):
    write_csv(tmp_path, {
        "party_orgs": [
            ["id", "name", "level", "formation"],
            ["O1", "甲党委", "党委", "行业党委"],
            ["O2", "乙党总支", "General_Branch", "standalone"],
            ["O3", "丙党支部", " branch ", " 联合组建 "],
        ],
        "units": [["id", "name", "kind"], ["U1", "区委组织部", "部门"], ["U2", "某大学", "University"]],
        "instructors": [["id", "name", "kind"], ["I1", "张三", "第一书记"], ["I2", "李四", "instructor"]],
    })

    import_paths(store, sorted(tmp_path.glob("*.csv")))

    props = _props(store)
    assert [(props[o]["level"], props[o]["formation"]) for o in ("O1", "O2", "O3")] == [
        ("committee", "industry"), ("general_branch", "standalone"), ("branch", "joint")]
    assert [props[u]["kind"] for u in ("U1", "U2", "I1", "I2")] == ["department", "university", "first_secretary", "instructor"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_codes_keep_leading_zeros(tmp_path, store, fmt):
    tables = {
        "产业链": [["编号", "名称"], ["007", "新能源"]],
        "环节": [["编号", "产业链", "名称", "位置", "序号"], ["00070", "007", "电池", "中游", "01"]],
        "单位": [["编号", "名称"], ["0001", "某街道"]],
    }
    write_csv(tmp_path, tables) if fmt == "csv" else write_xlsx(tmp_path / "in.xlsx", tables)

    import_paths(store, sorted(tmp_path.glob("*.csv")) or [tmp_path / "in.xlsx"])

    data = store.read()
    assert sorted(n.id for n in data.nodes) == ["0001", "00070", "007"]
    assert [(r.source, r.target) for r in data.rels] == [("00070", "007")]
    assert _props(store)["00070"]["order"] == 1  # an integer column is a number, not a code


def test_numeric_code_cells_are_read_as_text(tmp_path, store):
    # a code typed as a number into an Excel cell comes back as its digits, not "7.0"
    write_xlsx(tmp_path / "in.xlsx", {"chains": [["id", "name"], [7, "新能源"], [12.0, "电子"]]})

    import_paths(store, [tmp_path / "in.xlsx"])

    assert sorted(n.id for n in store.read().nodes) == ["12", "7"]
