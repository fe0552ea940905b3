"""loaders.readers: which encoding a CSV is read in (and where the message points when
none fits), and what the readers hand on: columns of cells, error cells as error cells."""

from __future__ import annotations

import pytest

from fixtures_import import write_xls, write_xlsx
from loaders.readers import decode_csv, read_file
from loaders.values import ExcelError

TEXT = "统一社会信用代码,名称\r\n91350100M000100Y43,福建闽工工程机械有限公司\r\n"


@pytest.mark.parametrize("encoding, read_as", [
    ("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_each_encoding_decodes_to_the_same_text(encoding, read_as):
    assert decode_csv(TEXT.encode(encoding)) == (TEXT, read_as)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_stray_byte_is_located_in_either_encoding(encoding):
    good = TEXT.encode(encoding)
    text, why = decode_csv(good + "乙,".encode(encoding) + b"\xff\r\n")

    assert text is None
    assert why == (f"无法识别文件编码：第3行（字节位置 {len(good) + len('乙,'.encode(encoding))}）的字节 ff 0d 0a "
                   "既不是 UTF-8 也不是 GBK/GB18030；请用 Excel“另存为 CSV UTF-8”后重新导入")


# -- error cells: only the cell type tells an error from the text "#N/A" ----------------------


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_error_cells_are_read_as_excel_errors_and_typed_text_as_text(tmp_path, suffix):
    write = write_xls if suffix == ".xls" else write_xlsx
    path = write(tmp_path / f"in{suffix}", {"企业": [
        ["统一社会信用代码", "名称", "职工人数"],
        [ExcelError("#N/A"), "#N/A", ExcelError("#DIV/0!")],
        ["91350100M000100Y43", "甲", ExcelError("#VALUE!")],
    ]})

    [table] = read_file(path).tables

    assert table.numbers == [2, 3]
    assert table.columns == [
        [ExcelError("#N/A"), "91350100M000100Y43"], ["#N/A", "甲"], [ExcelError("#DIV/0!"), ExcelError("#VALUE!")],
    ]


def test_csv_columns_leave_out_blank_lines_and_keep_excel_row_numbers(tmp_path):
    path = tmp_path / "企业.csv"
    path.write_text("统一社会信用代码,名称\n91350100M000100Y43,甲\n,\n\n914403001922038216,乙\n", encoding="utf-8")

    [table] = read_file(path).tables

    assert (table.name, table.headers, table.numbers) == ("企业", ["统一社会信用代码", "名称"], [2, 5])
    assert table.columns == [["91350100M000100Y43", "914403001922038216"], ["甲", "乙"]]


def test_blank_lines_only_at_the_end_keep_the_row_numbers_a_range(tmp_path):
    path = tmp_path / "企业.csv"
    path.write_text("统一社会信用代码,名称\n91350100M000100Y43,甲\n914403001922038216,乙\n\n,\n\n", encoding="utf-8")

    [table] = read_file(path).tables

    assert table.numbers == range(2, 4)
    assert table.columns == [["91350100M000100Y43", "914403001922038216"], ["甲", "乙"]]


def _cells_digest(*columns):
    from loaders.readers import RawTable
    from loaders.unchanged import CellsDigest

    digest = CellsDigest(["a.csv"], {}, None, False)
    digest.add(0, RawTable("a.csv", "a", None, [f"c{i}" for i in range(len(columns))], range(2, 2 + len(columns[0])),
                           [list(c) for c in columns], header_row=1))
    return digest.hexdigest()


def test_the_cells_digest_tells_apart_what_joining_or_types_could_make_equal():
    assert _cells_digest(["a", "b"]) == _cells_digest(["a", "b"])
    assert _cells_digest(["a\0b", "c"]) != _cells_digest(["a", "b\0c"])  # a NUL in a cell: read by repr
    assert _cells_digest(["ab", ""]) != _cells_digest(["a", "b"])
    assert _cells_digest(["1", "2"]) != _cells_digest([1, "2"]) != _cells_digest([1.0, "2"]) != _cells_digest([True, "2"])
    assert _cells_digest(["a"], ["b"]) != _cells_digest(["b"], ["a"])
