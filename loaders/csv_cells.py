"""A CSV file's cells read by Arrow: into Python for the reader when Arrow reads the file as
the reader would, and as a digest for a re-import, which tells a file saved again (other
bytes, the same records) from one with other records without a Python string per cell.

pandas makes an object per cell, and its C parser runs on one core: the city demo's
3·10⁶ cells took 0.63 s to read (with the check of their encoding), and a re-import of
files saved again was that and hashing, 1.4× pandas' read. Arrow parses into buffers on
both cores, once per file (``parse_csv``): a re-import hashes each column's cell lengths
and bytes from Arrow's buffers (``ArrowCsv.digest``), and only if the import goes on are
the cells the reader keeps made, a Python string once per cell (``ArrowCsv.grid``).

Arrow and pandas parse quotes, doubled quotes, line breaks inside quotes, CR/LF/CRLF, a
byte order mark and blank lines alike, every cell kept as text
(tests/unit/test_csv_cells.py checks them side by side on random grids written in
several dialects and encodings). Where they would not agree, Arrow's answer is not used
and the reader parses the file with pandas, which also words the problems: a file Arrow
cannot read as one grid of equal rows (a title row above a wider header, a short or long
row, bytes neither UTF-8 nor GB18030), and one that may end inside a quote, which Arrow
would take as a last cell running to the end of the file. A GB18030 file is decoded as
the reader decodes it, and parsed as UTF-8. The digest leaves out line breaks after the
last row (the reader drops blank lines at the end) and counts the blank lines above the
header, which the reader skips where Arrow has a row of empty cells.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.readers import decode_csv

if TYPE_CHECKING:
    import numpy

_BLOCK = 1 << 22  # bytes Arrow parses at a time
_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t,]*\r?\n)+")  # ``loaders.readers``' own, over bytes: they are ASCII
_HEAD = 1 << 20


class ArrowCsv:
    """A CSV file as Arrow parsed it, the way the reader reads one: its digest, and its
    cells for the reader. Parsed once, it serves a re-import's check and, if the import
    goes on, the reader."""

    def __init__(self, table, skipped: int):
        self._table, self.skipped = table, skipped

    def digest(self) -> bytes:
        """Each column's cell lengths and bytes, hashed apart from the chunks Arrow parsed
        them in (a file of other bytes may be cut elsewhere), with the blank lines above
        the header (the reader skips them where Arrow has a row of empty cells)."""
        import numpy as np

        digest = hashlib.sha256(b"csv %d %d" % (self.skipped, self._table.num_columns))
        for column in self._table.columns:
            lengths, cells = hashlib.sha256(), hashlib.sha256()
            for chunk in column.chunks:
                _, offsets, chars = chunk.buffers()
                offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
                lengths.update(np.diff(offsets).tobytes())
                if chars is not None:
                    cells.update(memoryview(chars)[offsets[0] : offsets[-1]])
            digest.update(lengths.digest() + cells.digest())
        return digest.digest()

    def grid(self) -> tuple[int, list[list[str]], numpy.ndarray]:
        """(the blank lines above the header, each column's cells from the header down,
        whether each row under the header holds a cell), the Arrow table let go: a
        Python string is made once per cell."""
        import pyarrow.compute as compute

        table, self._table = self._table.slice(self.skipped), None
        filled, columns = None, []
        for n in range(table.num_columns):
            column = table.column(n)
            holds = compute.not_equal(column.slice(1), "")
            filled = holds if filled is None else compute.or_(filled, holds)
            columns.append(column.to_pylist())
        del table, column
        return self.skipped, columns, filled.to_numpy(zero_copy_only=False)


def parse_csv(path: Path, max_columns: int) -> ArrowCsv | None:
    """The file as Arrow parses it, or None if Arrow would not read it as the reader does:
    not one grid of equal rows of at most ``max_columns``, bytes neither UTF-8 nor
    GB18030, or a quote that may be open at the end (the reader then parses it with
    pandas, and says what is wrong)."""
    import pyarrow as pa  # 0.07 s of import: only where a CSV file is read

    try:
        mapped = pa.memory_map(str(path))
    except (OSError, pa.ArrowException):
        return None
    try:
        whole = mapped.read_buffer()
        end = _end_of_rows(whole)
        if not end:
            return None
        head = whole.slice(0, min(end, _HEAD)).to_pybytes().removeprefix(codecs.BOM_UTF8)
        blank = _LEADING_BLANK_LINES.match(head)
        skipped = blank.group(0).count(b"\n") if blank else 0
        body = whole.slice(0, end)
        table = _table(body, max_columns)
        if table is _NOT_UTF8:  # as the reader does: the first encoding that reads every byte
            text, _ = decode_csv(body.to_pybytes())
            body = pa.py_buffer(text.encode("utf-8")) if text is not None else None
            table = _table(body, max_columns) if body is not None else None
        if table is None or table is _NOT_UTF8 or not 0 < table.num_columns <= max_columns:
            return None
        last = table.column(table.num_columns - 1)[-1].as_py()
        if _quote_open_at_end(body.slice(max(0, body.size - len(last.encode()) * 2 - 2)).to_pybytes(), last):
            return None
        del whole, body
    finally:
        mapped.close()
    return ArrowCsv(table, skipped)


_NOT_UTF8 = object()


def _end_of_rows(buffer) -> int:
    """Where the line breaks after the last row begin (blank lines, to the reader)."""
    end = buffer.size
    while end:
        tail = buffer.slice(max(0, end - 4096), min(end, 4096)).to_pybytes()
        kept = len(tail.rstrip(b"\r\n"))
        end -= len(tail) - kept
        if kept:
            return end
    return 0


def _table(buffer, max_columns: int):
    """Arrow's table of the CSV in ``buffer`` (UTF-8); None if it is not one grid of equal
    rows, ``_NOT_UTF8`` if it is not UTF-8."""
    import pyarrow as pa
    import pyarrow.csv as csv

    try:
        return csv.read_csv(pa.BufferReader(buffer), **_as_the_reader_reads(max_columns))
    except pa.ArrowException as exc:
        return _NOT_UTF8 if "utf8" in str(exc).lower() else None


def _as_the_reader_reads(max_columns: int) -> dict:
    """Arrow's options for a CSV read as ``loaders.readers`` reads one: every row a row
    (a blank line is a row of empty cells), line breaks allowed inside quotes, every cell
    text and none missing."""
    import pyarrow as pa
    import pyarrow.csv as csv

    text = pa.string()
    return {
        "read_options": csv.ReadOptions(autogenerate_column_names=True, block_size=_BLOCK),
        "parse_options": csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        "convert_options": csv.ConvertOptions(
            column_types={f"f{n}": text for n in range(max_columns)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
        "memory_pool": pa.system_memory_pool(),  # given back to the system when done, not kept for later
    }


def _quote_open_at_end(tail: bytes, last_cell: str) -> bool:
    """Whether the file (``tail``: its last bytes, at least twice the last cell's and two
    more) may end inside a quote: Arrow then takes the rest of the file as the last cell,
    where pandas, and so the reader, reports the unclosed quote. Such a cell is the file's
    last bytes after a quote, its own quotes doubled; a file that only looks so (a last
    cell closed by a quote of its own) is left to the reader too."""
    opened = b'"' + last_cell.replace('"', '""').encode()
    if not tail.endswith(opened):
        return False
    before = tail[: -len(opened)]  # where a field may begin: after a comma, a line break, or first
    return not before or before.endswith((b",", b"\n", b"\r", codecs.BOM_UTF8))
