"""A CSV file's cells read by Arrow: into Python for the reader when Arrow reads the file as
the reader would, and as a digest for a re-import, which tells a file saved again (other
bytes, the same records) from one with other records without a Python string per cell.

pandas makes an object per cell, and its C parser runs on one core: the city demo's
3·10⁶ cells took 0.63 s to read (with the check of their encoding), and a re-import of
files saved again was that and hashing, 1.4× pandas' read. Arrow parses into buffers on
both cores. ``csv_grid`` then makes the cells the reader keeps (0.36 s for the city);
``csv_cells_digest`` hashes each column's cell lengths and bytes batch by batch, so a file
of any size needs a few megabytes (0.15 s).

Arrow and pandas parse quotes, doubled quotes, line breaks inside quotes, CR/LF/CRLF, a
byte order mark and blank lines alike, every cell kept as text
(tests/unit/test_csv_cells.py checks them side by side on random grids written in
several dialects and encodings). Where they would not agree, Arrow's answer is not used
and the reader parses the file with pandas, which also words the problems: a file Arrow
cannot read as one grid of equal rows (a title row above a wider header, a short or long
row, bytes neither UTF-8 nor GB18030), and one that may end inside a quote, which Arrow
would take as a last cell running to the end of the file. ``csv_grid`` reads UTF-8 only;
GB18030 goes to pandas. The digest leaves out line breaks after the last row (the reader
drops blank lines at the end) and counts the blank lines above the header, which the
reader skips where Arrow has a row of empty cells.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from loaders.readers import decode_csv

_BLOCK = 1 << 22  # bytes Arrow parses at a time
_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t,]*\r?\n)+")  # ``loaders.readers``' own, over bytes: they are ASCII
_HEAD = 1 << 20


def csv_cells_digest(path: Path, max_columns: int) -> bytes | None:
    """The digest of the file's cells, or None if Arrow cannot read it as one grid of equal
    rows of at most ``max_columns`` (the reader then says what is wrong, or reads it)."""
    import pyarrow as pa  # 0.07 s of import: only for a re-import's check

    try:
        mapped = pa.memory_map(str(path))
    except (OSError, pa.ArrowException):
        return None
    try:
        whole = mapped.read_buffer()
        data = memoryview(whole).cast("B")
        end = len(data)
        while end and data[end - 1] in b"\r\n":  # the line breaks after the last row
            end -= 1
        if not end:
            return None
        head = bytes(data[: min(end, _HEAD)]).removeprefix(codecs.BOM_UTF8)
        blank = _LEADING_BLANK_LINES.match(head)
        skipped = blank.group(0).count(b"\n") if blank else 0
        found = _digest(whole.slice(0, end), skipped, max_columns)
        if found is _NOT_UTF8:  # as the reader does: the first encoding that reads every byte
            text, _ = decode_csv(bytes(data[:end]))
            found = _digest(pa.py_buffer(text.encode("utf-8")), skipped, max_columns) if text is not None else None
        del data, whole
    finally:
        mapped.close()
    return found if isinstance(found, bytes) else None


_NOT_UTF8 = object()


def csv_grid(path: Path, max_columns: int):
    """The file's cells as the reader keeps them, if Arrow reads it as one grid of equal
    rows of UTF-8 text: (the blank lines above the header, each column's cells from the
    header down, whether each row under the header holds a cell); else None, and the
    reader parses it with pandas. Arrow parses on both cores into buffers, and a Python
    string is made once per cell (the city's files: 0.25 s against pandas' 0.5 s)."""
    import pyarrow as pa
    import pyarrow.compute as compute
    import pyarrow.csv as csv

    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD).removeprefix(codecs.BOM_UTF8)
        table = csv.read_csv(str(path), **_as_the_reader_reads(max_columns))
    except (OSError, pa.ArrowException):
        return None
    if not 0 < table.num_columns <= max_columns or not table.num_rows:
        return None
    last = table.column(table.num_columns - 1)[-1].as_py()
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, handle.seek(0, 2) - len(last.encode()) * 2 - 2))
            if _quote_open_at_end(handle.read(), last):
                return None
    except OSError:
        return None
    blank = _LEADING_BLANK_LINES.match(head)
    skipped = blank.group(0).count(b"\n") if blank else 0
    table = table.slice(skipped)
    filled = None
    columns = []
    for n in range(table.num_columns):
        column = table.column(n)
        holds = compute.not_equal(column.slice(1), "")
        filled = holds if filled is None else compute.or_(filled, holds)
        columns.append(column.to_pylist())
    del table, column
    return skipped, columns, filled.to_numpy(zero_copy_only=False)


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


def _not_utf8(exc: Exception) -> bool:
    return "utf8" in str(exc).lower()


def _digest(buffer, skipped: int, max_columns: int):
    """The digest of the cells in ``buffer`` (UTF-8), None if Arrow cannot read them as
    one grid, ``_NOT_UTF8`` if they are not UTF-8."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as csv

    try:
        batches = csv.open_csv(pa.BufferReader(buffer), **_as_the_reader_reads(max_columns))
        # Each column's cell lengths and bytes hashed apart: the same whatever rows a batch holds.
        columns = [(hashlib.sha256(), hashlib.sha256()) for _ in batches.schema]
        if len(columns) > max_columns:
            return None
        last = None
        for batch in batches:
            for (lengths, cells), column in zip(columns, batch.columns):
                _, offsets, chars = column.buffers()
                offsets = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + len(column) + 1]
                lengths.update(np.diff(offsets).tobytes())
                if chars is not None:
                    cells.update(memoryview(chars)[offsets[0] : offsets[-1]])
            if batch.num_rows:
                last = batch.column(batch.num_columns - 1)[-1].as_py()
    except pa.ArrowException as exc:
        return _NOT_UTF8 if _not_utf8(exc) else None
    if last is None or _quote_open_at_end(buffer[-(len(last.encode()) * 2 + 2) :].to_pybytes(), last):
        return None
    digest = hashlib.sha256(b"csv %d %d" % (skipped, len(columns)))
    for lengths, cells in columns:
        digest.update(lengths.digest() + cells.digest())
    return digest.digest()
