"""loaders.readers.decode_csv: which encoding a CSV is read in, and where the message
points when none fits."""

from __future__ import annotations

import pytest

from loaders.readers import decode_csv

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
