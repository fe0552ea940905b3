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
and the reader parses the file with pandas, which also words the problems: a file holding
a NUL byte (pandas ends a cell's text there), one Arrow cannot read as one grid of equal
rows (a title row above a wider header, a short or long row, bytes neither UTF-8 nor
GB18030), and one that may end inside a quote, which Arrow would take as a last cell
running to the end of the file. A GB18030 file is decoded as
the reader decodes it, and parsed as UTF-8. The digest leaves out line breaks after the
last row (the reader drops blank lines at the end) and counts the blank lines above the
header, which the reader skips where Arrow has a row of empty cells.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.readers import LEADING_BLANK_LINES, decode_csv

if TYPE_CHECKING:
    import numpy

_BLOCK = 1 << 22  # bytes Arrow parses at a time
_LEADING_BLANK_LINES = re.compile(LEADING_BLANK_LINES.pattern.encode())  # the reader's own, over bytes: they are ASCII
_HEAD = 1 << 20


ARROW_READ_BYTES = 32 << 20  # a larger file is digested a block at a time and read by pandas


class ArrowCsv:
    """A CSV file as Arrow parsed it, the way the reader reads one: its digest, and, for a
    file of at most ``ARROW_READ_BYTES``, its cells for the reader. Parsed once, it
    serves a re-import's check and, if the import goes on, the reader."""

    def __init__(self, digest: bytes, table=None, skipped: int = 0):
        self.digest, self._table, self.skipped = digest, table, skipped

    def grid(self) -> tuple[int, list[list[str]], numpy.ndarray] | None:
        """(the blank lines above the header, each column's cells from the header down,
        whether each row under the header holds a cell), or None for a file too large
        to hold as a table; Arrow's table is let go column by column as the cells are
        made."""
        import pyarrow as pa
        import pyarrow.compute as compute

        if self._table is None:
            return None
        table, self._table = self._table.slice(self.skipped), None
        arrays = table.columns
        del table
        filled, columns = None, []
        for n, column in enumerate(arrays):
            arrays[n] = None
            holds = compute.cast(compute.binary_length(column.slice(1)), pa.bool_())  # a cell that is not empty
            filled = holds if filled is None else compute.or_(filled, holds)
            columns.append(_cells(column))
        return self.skipped, columns, _bools(filled)


# The cells and flags are taken out of Arrow's buffers with numpy, not with Arrow's
# ``to_numpy``/``to_pylist`` or a Python scalar in a compute call: each of those has
# pyarrow import pandas (0.3 s of a `redchain load` whose files Arrow reads, pandas unused).


def _cells(column) -> list[str]:
    """The column's cells as Python strings, one object for each distinct value: a
    ledger's columns repeat (a status, a park, a chain, empty cells), and as many objects
    as cells held 2.6 GB for 2·10⁶ enterprises (pandas' parser shares them too). Faster as
    well: the city's files 0.44 -> 0.35 s."""
    import numpy as np

    import pyarrow as pa

    encoded = column.dictionary_encode().combine_chunks()
    if encoded.dictionary.type != pa.string() or encoded.indices.type != pa.int32():  # not as the reader's options make them
        return column.to_pylist()
    values = np.array(_texts(encoded.dictionary), dtype=object)
    return values[_int32s(encoded.indices)].tolist()


def _texts(array) -> list[str]:
    """A string array's values (none missing: the reader's options allow none)."""
    import numpy as np

    if not len(array):
        return []
    _, offsets, chars = array.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32, count=len(array) + 1, offset=array.offset * 4).tolist()
    chars = memoryview(chars) if chars is not None else memoryview(b"")
    return [str(chars[start:end], "utf-8") for start, end in zip(ends, ends[1:])]


def _int32s(array):
    import numpy as np

    if not len(array):
        return np.zeros(0, dtype=np.int32)
    return np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array), offset=array.offset * 4)


def _bools(chunked):
    """A boolean chunked array (none missing) as a numpy array of bools."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as compute

    flags = compute.cast(chunked, pa.uint8()).combine_chunks()
    if not len(flags):
        return np.zeros(0, dtype=bool)
    return np.frombuffer(flags.buffers()[1], dtype=np.uint8, count=len(flags), offset=flags.offset).astype(bool)


class _Digest:
    """Each column's cell lengths and bytes, hashed apart from the chunks Arrow parsed
    them in (a file of other bytes is cut elsewhere), with the blank lines above the
    header (the reader skips them where Arrow has a row of empty cells)."""

    def __init__(self, skipped: int, width: int):
        self.head = b"csv %d %d" % (skipped, width)
        self.columns = [(hashlib.sha256(), hashlib.sha256()) for _ in range(width)]
        self.last: str | None = None  # the last row's last cell
        self.rows = 0

    def add(self, arrays) -> None:
        import numpy as np

        for (lengths, cells), chunk in zip(self.columns, arrays):
            _, offsets, chars = chunk.buffers()
            offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
            lengths.update(np.diff(offsets).tobytes())
            if chars is not None:
                cells.update(memoryview(chars)[offsets[0] : offsets[-1]])
        self.rows += len(arrays[-1])
        if len(arrays[-1]):
            self.last = arrays[-1][-1].as_py()

    def digest(self) -> bytes:
        digest = hashlib.sha256(self.head)
        for lengths, cells in self.columns:
            digest.update(lengths.digest() + cells.digest())
        return digest.digest()


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
        head = whole.slice(0, min(whole.size, _HEAD)).to_pybytes().removeprefix(codecs.BOM_UTF8)
        blank = _LEADING_BLANK_LINES.match(head)
        skipped = blank.group(0).count(b"\n") if blank else 0
        if not head.strip() or (blank and blank.end() == len(head)):
            return None  # nothing but blanks as far as the head goes: the reader says whether the file is empty
        header = head[blank.end() if blank else 0 :]
        if header.startswith(codecs.BOM_UTF8):  # a second mark, or one below blank lines: pandas drops it, Arrow keeps it
            return None
        if whole.size > len(head) and b"\n" not in header and b"\r" not in header:
            return None  # the head ends inside the blank lines' run, or inside the header: the count may be short
        body = whole.slice(0, end)
        if _holds_nul(body):  # pandas' parser ends a cell's text there, Arrow keeps it
            return None
        parsed = _parsed(body, skipped, max_columns)
        if parsed is _NOT_UTF8:  # as the reader does: the first encoding that reads every byte
            text, _ = decode_csv(body.to_pybytes())
            body = pa.py_buffer(text.encode("utf-8")) if text is not None else None
            parsed = _parsed(body, skipped, max_columns) if body is not None else None
        if parsed is None or parsed is _NOT_UTF8:
            return None
        table, digest = parsed
        if digest.rows <= skipped:  # nothing under the blank lines: the reader says the file is empty
            return None
        if digest.last is None or _quote_open_at_end(
            body.slice(max(0, body.size - len(digest.last.encode()) * 2 - 2)).to_pybytes(), digest.last
        ):
            return None
        del whole, body
    finally:
        mapped.close()
    return ArrowCsv(digest.digest(), table, skipped)


_NOT_UTF8 = object()


def _holds_nul(buffer) -> bool:
    import numpy as np

    return bool((np.frombuffer(buffer, dtype=np.uint8) == 0).any())


def _parsed(buffer, skipped: int, max_columns: int):
    """(Arrow's table, or None if the file is too large to hold as one, and the digest) of
    the CSV in ``buffer`` (UTF-8); None if it is not one grid of equal rows of at most
    ``max_columns``, ``_NOT_UTF8`` if it is not UTF-8. A large file is parsed a block at
    a time and only digested: held whole, Arrow's table of 2·10⁶ enterprises took three
    times the file's 0.2 GB, and the reader's peak for such a file is pandas'."""
    import pyarrow as pa
    import pyarrow.csv as csv

    options = _as_the_reader_reads(max_columns)
    try:
        if buffer.size <= ARROW_READ_BYTES:
            table = csv.read_csv(pa.BufferReader(buffer), **options)
            if not 0 < table.num_columns <= max_columns or not table.num_rows:
                return None
            digest = _Digest(skipped, table.num_columns)
            for n in range(table.column(0).num_chunks):
                digest.add([column.chunk(n) for column in table.columns])
            return table, digest
        batches = csv.open_csv(pa.BufferReader(buffer), **options)
        if not 0 < len(batches.schema) <= max_columns:
            return None
        digest = _Digest(skipped, len(batches.schema))
        for batch in batches:
            digest.add(batch.columns)
        return None, digest
    except pa.ArrowException as exc:
        return _NOT_UTF8 if "utf8" in str(exc).lower() else None


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


@functools.lru_cache(maxsize=4)
def _as_the_reader_reads(max_columns: int) -> dict:
    """Arrow's options for a CSV read as ``loaders.readers`` reads one: every row a row
    (a blank line is a row of empty cells), line breaks allowed inside quotes, every cell
    text and none missing. Made once: a thousand column types cost a third of a small
    file's parse."""
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
