"""A CSV file's cells as a digest, read by Arrow: how a re-import tells a file saved again
(other bytes, the same records) from one with other records without making a Python
string of every cell.

pandas, which reads a CSV for the import, makes an object per cell: the city demo's
3·10⁶ cells take 0.45 s, and a re-import of files saved again was that read plus hashing,
1.4× it. Arrow's CSV reader parses into buffers instead; the digest is taken over each
column's cell lengths and bytes (0.17 s for the city's files, batch by batch, so a file
of any size needs a few megabytes).

What the digest stands for: two files with the same digest are read by
``loaders.readers`` into the same table. Arrow and pandas parse quotes, doubled quotes,
line breaks inside quotes, CR/LF/CRLF, a byte order mark and blank lines alike
(tests/unit/test_csv_cells.py checks them side by side); every cell is kept as text, as
the reader keeps it. What they would not read alike is left to the reader: a file Arrow
cannot read as one grid of equal rows (a title row above a wider header, a short or long
row, an unclosed quote, bytes neither UTF-8 nor GB18030) has no digest (None), and the
caller reads it the usual way. Line breaks after the last row are not cells (the reader
drops blank lines at the end), so they are left out; the blank lines above the header
are, to the reader, not rows, so their count is part of the digest.
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


def _digest(buffer, skipped: int, max_columns: int):
    """The digest of the cells in ``buffer`` (UTF-8), None if Arrow cannot read them as
    one grid, ``_NOT_UTF8`` if they are not UTF-8."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as csv

    text = pa.string()
    try:
        batches = csv.open_csv(
            pa.BufferReader(buffer),
            read_options=csv.ReadOptions(autogenerate_column_names=True, block_size=_BLOCK),
            parse_options=csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=csv.ConvertOptions(
                column_types={f"f{n}": text for n in range(max_columns)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
            memory_pool=pa.system_memory_pool(),  # given back when the digest is done, not kept for later
        )
        # Each column's cell lengths and bytes hashed apart: the same whatever rows a batch holds.
        columns = [(hashlib.sha256(), hashlib.sha256()) for _ in batches.schema]
        if len(columns) > max_columns:
            return None
        for batch in batches:
            for (lengths, cells), column in zip(columns, batch.columns):
                _, offsets, chars = column.buffers()
                offsets = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + len(column) + 1]
                lengths.update(np.diff(offsets).tobytes())
                if chars is not None:
                    cells.update(memoryview(chars)[offsets[0] : offsets[-1]])
    except pa.ArrowException as exc:
        return _NOT_UTF8 if "utf8" in str(exc).lower() else None
    digest = hashlib.sha256(b"csv %d %d" % (skipped, len(columns)))
    for lengths, cells in columns:
        digest.update(lengths.digest() + cells.digest())
    return digest.digest()
