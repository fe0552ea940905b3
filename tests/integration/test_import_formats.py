"""The same import saved in every format the import format accepts (CSV in four
encodings, XLSX, XLS, JSON) lands in a fresh store as the same graph."""

from __future__ import annotations

import pytest

from fixtures_import import (
    E1, E2, FORMATS, SAMPLE, expected_graph, graph_of, handmade_xlsx, shared_strings_xml, sheet_xml, write_csv, write_import,
    write_xlsx,
)
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "s.db")
    yield s
    s.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_imports_to_the_same_graph(tmp_path, store, fmt):
    paths = write_import(tmp_path / fmt, SAMPLE, fmt)

    report = import_paths(store, paths)

    assert report.warnings == []
    assert report.rows == 17
    assert graph_of(store) == expected_graph()
    assert report.summary.added == {
        "Alliance": 1, "Chain": 2, "Enterprise": 4, "Segment": 3,
        "ALLIANCE_OF": 1, "IN_SEGMENT": 3, "MEMBER_OF": 2, "PART_OF": 3, "SUPPLIES": 2,
    }
    assert store.version() == 1


def test_csv_bytes_really_differ_between_encodings(tmp_path):
    # guards the test above: the four CSV variants are four different byte streams
    variants = {fmt: (write_import(tmp_path / fmt, {"企业": SAMPLE["企业"]}, fmt)[0]).read_bytes()
                for fmt in ("csv-utf8", "csv-utf8-bom", "csv-gbk", "csv-gb18030")}
    assert variants["csv-utf8-bom"].startswith(b"\xef\xbb\xbf")
    assert len(set(variants.values())) >= 3  # GBK and GB18030 agree on these characters
    assert variants["csv-gbk"] != variants["csv-utf8"]


def test_a_folder_imports_all_its_files(tmp_path, store):
    write_csv(tmp_path / "in", SAMPLE)
    (tmp_path / "in" / "备注.txt").write_text("not an import file", encoding="utf-8")

    report = import_paths(store, [tmp_path / "in"])

    assert len(report.files) == len(SAMPLE)
    assert graph_of(store) == expected_graph()


@pytest.mark.parametrize("table, headers", [
    ("enterprises", ["id", "name"]),
    ("ENTERPRISES", ["ID", "NAME"]),
    (" Enterprises ", [" Id ", "Na me"]),
    ("企业", ["统一社会信用代码", "名称"]),
    (" 企 业", [" 统一社会信用代码 *", "名称*"]),  # the template marks required columns with *
])
def test_table_and_column_names_in_english_or_chinese_any_case_and_spacing(tmp_path, store, table, headers):
    write_xlsx(tmp_path / "in.xlsx", {table: [headers, [E1, "甲公司"], [E2, "乙公司"]]})

    report = import_paths(store, [tmp_path / "in.xlsx"])

    assert report.warnings == []
    assert sorted((n.id, n.props["name"]) for n in store.read().nodes) == [(E1, "甲公司"), (E2, "乙公司")]


def test_csv_file_stem_names_the_table_in_either_language(tmp_path, store):
    write_csv(tmp_path, {"Chains": [["id", "name"], ["001", "工程机械"]], "产业链 ": [["编号", "名称"], ["002", "电子信息"]]})

    import_paths(store, sorted(tmp_path.glob("*.csv")))

    assert sorted(n.id for n in store.read().nodes) == ["001", "002"]


def test_unknown_tables_and_columns_are_warnings_not_errors(tmp_path, store):
    write_xlsx(tmp_path / "in.xlsx", {
        "企业": [["统一社会信用代码", "名称", "备注"], [E1, "甲公司", "随便写"]],
        "统计": [["a"], [1]],
        "说明": [["这是模板的说明页"]],  # the template's instruction sheet is silently skipped
    })

    report = import_paths(store, [tmp_path / "in.xlsx"])

    assert [str(w) for w in report.warnings] == [
        f"{tmp_path / 'in.xlsx'}:企业:1:备注: 未知的列 '备注'，已忽略",
        f"{tmp_path / 'in.xlsx'}:统计:-:-: 未知的表 '统计'，已忽略（表名应为导入模板中的中文或英文表名，或为台账）",
    ]
    assert [n.props for n in store.read().nodes] == [{"name": "甲公司"}]


def test_xlsx_with_a_stale_dimension_is_read_whole(tmp_path, store):
    # Some exporters declare <dimension ref="A1"/> whatever the sheet holds; openpyxl's
    # read-only mode would then see one cell and silently drop the rest.
    strings = ["统一社会信用代码", "名称", E1, "甲公司", E2, "乙公司"]
    handmade_xlsx(tmp_path / "导出.xlsx", "企业",
                  sheet_xml({1: ["A:0", "B:1"], 2: ["A:2", "B:3"], 5: ["A:4", "B:5"]}, dimension="A1"),
                  shared_strings_xml(strings))

    report = import_paths(store, [tmp_path / "导出.xlsx"])

    assert report.rows == 2
    assert sorted((n.id, n.props["name"]) for n in store.read().nodes) == [(E1, "甲公司"), (E2, "乙公司")]


def test_rows_are_numbered_as_excel_shows_them_even_after_blank_rows(tmp_path, store):
    from graph.errors import ImportFailed

    write_xlsx(tmp_path / "in.xlsx", {"企业": [["统一社会信用代码", "名称"], [E1, "甲"], [None, None], [None, None], [E2, None]]})

    with pytest.raises(ImportFailed) as failed:
        import_paths(store, [tmp_path / "in.xlsx"])

    assert [(p.sheet, p.row, p.column) for p in failed.value.problems] == [("企业", 5, "名称")]
