"""The digest of a CSV file's cells as Arrow parses them (``loaders.csv_cells``) against
what the reader makes of the file (``loaders.readers.read_file``, pandas): equal digests
must mean equal tables, or a re-import would take other records for the last ones."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import random

import pytest

from loaders.csv_cells import parse_csv
from loaders.readers import MAX_COLUMNS, read_file


def csv_cells_digest(path, max_columns):
    parsed = parse_csv(path, max_columns)
    return parsed.digest if parsed is not None else None


def _table(path):
    result = read_file(path)
    if result.problems:
        return ("problems", tuple(p.message for p in result.problems))
    (table,) = result.tables
    return (table.headers, list(table.numbers), table.columns, table.header_row)


def _write(path, rows, *, quoting, newline, encoding, bom, trailing):
    text = io.StringIO()
    csv.writer(text, quoting=quoting, lineterminator=newline).writerows(rows)
    data = text.getvalue().encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data + trailing)
    return path


CELLS = ["", "甲", "a,b", 'say "hi"', "two\nlines", " padded ", "01", "NA", "null", "1.50", "\t", "#x", "企业\r\n名"]


def _corpus(tmp_path, seed):
    """Random grids, each written several ways (quoting, line ends, UTF-8 or GB18030, a
    byte order mark, line breaks after the end), and the first with one cell changed:
    (grid, path) for each file."""
    rng = random.Random(seed)
    width = rng.randint(1, 4)
    grids = []
    for _ in range(3):
        rows = [[f"列{n}" for n in range(width)]] + [[rng.choice(CELLS) for _ in range(width)] for _ in range(rng.randint(1, 5))]
        if all(cell == "" for cell in itertools.chain(*rows[1:])):
            rows[1][0] = "x"
        grids.append(rows)
    changed = [row[:] for row in grids[0]]
    changed[-1][-1] += "改"
    grids.append(changed)
    files = []
    for g, rows in enumerate(grids):
        for n in range(4):
            encoding = rng.choice(["utf-8", "gb18030"])
            files.append((g, _write(tmp_path / f"{g}-{n}.csv", rows, quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
                                    newline=rng.choice(["\n", "\r\n"]), encoding=encoding,
                                    bom=encoding == "utf-8" and rng.random() < 0.3,
                                    trailing=rng.choice([b"", b"\n", b"\r\n\r\n"]))))
    return files


@pytest.mark.parametrize("seed", range(12))
def test_equal_digests_mean_equal_tables_and_the_same_cells_saved_otherwise_have_one(tmp_path, seed):
    """Any two files with a digest have equal ones exactly when the reader reads equal
    tables; most files have one (a file ending in an empty quoted cell may look open)."""
    files = [(g, path, csv_cells_digest(path, MAX_COLUMNS), _table(path)) for g, path in _corpus(tmp_path, seed)]
    assert sum(digest is not None for _, _, digest, _ in files) >= len(files) // 4
    for (g1, p1, d1, t1), (g2, p2, d2, t2) in itertools.combinations(files, 2):
        if d1 is not None and d2 is not None:
            assert (d1 == d2) == (t1 == t2), (p1.read_bytes(), p2.read_bytes())


@pytest.mark.parametrize("seed", range(12))
def test_the_reader_makes_the_same_table_with_arrow_as_with_pandas(tmp_path, seed, monkeypatch):
    from loaders import csv_cells

    files = _corpus(tmp_path, seed)
    by_arrow = [_table(path) for _, path in files]
    assert any(csv_cells.parse_csv(path, MAX_COLUMNS) is not None for _, path in files)  # Arrow read some
    monkeypatch.setattr(csv_cells, "parse_csv", lambda path, max_columns: None)
    assert [_table(path) for _, path in files] == by_arrow


@pytest.mark.parametrize("data", [
    "台账（2024年）\n名称,代码\n甲,1\n".encode(),  # a title row above a wider header
    b"a,b,c\n1,2\n",  # a short row
    b"a,b\n1,2,3\n",  # a long row
    b'a,b\n"1,2\n',  # an unclosed quote
    b'a,b\n1,2\n3,"4\n5,6\n',  # one Arrow would take to the end of the file as a cell
    b'a,b\n1,2\n3,"4',  # the same, no line break after it
    b'a,b\n1,2\n3,"',  # an empty one
    b'a,b\n1,2\n3,"say ""hi""\n',  # with doubled quotes in it
    b"a,b\n1\x00,2\n",  # a NUL byte, where pandas ends the cell's text
    b" \n\t",  # blanks only: the reader calls the file empty
    b"\xef\xbb\xbf\xef\xbb\xbfname,x\n1,2\n",  # a second byte order mark: pandas drops it, Arrow keeps it
    b",\n\xef\xbb\xbfname,x\n1,2\n",  # one below a blank line
    b",,\n" * 400_000 + b"a,b,c\n1,2,3\n",  # blank lines past the first megabyte: their count would be short
    b",,\n,,\n\n",  # blank lines only, which the reader skips above the header: nothing is left
    b"a,b\n\xff\xfe\xfa,1\n",  # neither UTF-8 nor GB18030
    "名称,代码\n".encode() + "甲,1\n".encode("gbk"),  # a UTF-8 header over GBK rows
    b"\n\r\n",  # nothing
    ",".join(f"c{n}" for n in range(MAX_COLUMNS + 1)).encode() + b"\n",  # too wide
], ids=["title row", "short row", "long row", "unclosed quote", "open quote to the end", "open quote, no line break", "open empty quote",
        "open quote with doubled quotes", "NUL byte", "blanks only", "second BOM", "BOM below a blank line", "blank lines past the head", "blank lines only", "undecodable", "mixed encodings", "empty",
        "too wide"])
def test_what_arrow_would_not_read_as_the_reader_does_has_no_digest(tmp_path, data):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert csv_cells_digest(path, MAX_COLUMNS) is None


def test_a_blank_line_between_rows_is_a_row_of_empty_cells_to_both(tmp_path):
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"a,b\n1,2\n\n3,4\n")
    commas = tmp_path / "commas.csv"
    commas.write_bytes(b'a,b\r\n1,2\r\n,\r\n"3",4\r\n')
    plain = tmp_path / "plain.csv"
    plain.write_bytes(b"a,b\n1,2\n3,4\n")
    assert _table(blank) == _table(commas) != _table(plain)  # the row after it is numbered 4, not 3
    assert csv_cells_digest(blank, MAX_COLUMNS) == csv_cells_digest(commas, MAX_COLUMNS) != csv_cells_digest(plain, MAX_COLUMNS)


def test_blank_lines_above_the_header_are_told_from_a_row_of_empty_cells(tmp_path):
    """The reader skips ``,`` above the header but reads ``"",""`` as the header: Arrow
    parses both as two empty cells, so the count of skipped lines is in the digest."""
    skipped = tmp_path / "skipped.csv"
    skipped.write_bytes(b",\na,b\n1,2\n")
    header = tmp_path / "header.csv"
    header.write_bytes(b'"",""\na,b\n1,2\n')
    assert _table(skipped) != _table(header)
    assert None not in (csv_cells_digest(skipped, MAX_COLUMNS), csv_cells_digest(header, MAX_COLUMNS))
    assert csv_cells_digest(skipped, MAX_COLUMNS) != csv_cells_digest(header, MAX_COLUMNS)


def test_a_file_larger_than_a_block_is_digested_the_same_whatever_its_bytes(tmp_path, monkeypatch):
    """Chunks hold other rows when the bytes differ (quotes): lengths and cells are
    hashed per column apart from the chunks."""
    from loaders import csv_cells

    monkeypatch.setattr(csv_cells, "_BLOCK", 4096)
    rows = [["代码", "名称"]] + [[f"{n:06d}", f"企业{n}"] for n in range(3000)]
    plain = _write(tmp_path / "plain.csv", rows, quoting=csv.QUOTE_MINIMAL, newline="\n", encoding="utf-8", bom=False, trailing=b"")
    quoted = _write(tmp_path / "quoted.csv", rows, quoting=csv.QUOTE_ALL, newline="\r\n", encoding="utf-8", bom=False, trailing=b"")
    assert csv_cells_digest(plain, MAX_COLUMNS) == csv_cells_digest(quoted, MAX_COLUMNS) is not None
    rows[2500][1] += "！"
    other = _write(tmp_path / "other.csv", rows, quoting=csv.QUOTE_MINIMAL, newline="\n", encoding="utf-8", bom=False, trailing=b"")
    assert csv_cells_digest(other, MAX_COLUMNS) != csv_cells_digest(plain, MAX_COLUMNS)


def test_short_random_files_read_alike_and_equal_digests_mean_equal_tables(tmp_path, monkeypatch):
    """Files of a few random characters, the ones CSV's rules turn on: where Arrow's path
    is taken the reader's table is pandas', and files with one digest have one table (or
    one problem)."""
    from loaders import csv_cells

    alphabet = ["a", ",", ",", '"', '"', "\n", "\n", "\r", "\r\n", " ", "\t", "甲", "\x00"]
    parsed_first = {}
    for i in range(1500):
        rng = random.Random(i)
        path = tmp_path / f"{i}.csv"
        path.write_bytes("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))).encode())
        if (parsed := parse_csv(path, MAX_COLUMNS)) is not None:
            parsed_first[path] = (parsed.digest, _table(path))
    monkeypatch.setattr(csv_cells, "parse_csv", lambda path, max_columns: None)
    tables: dict[bytes, object] = {}
    for path, (digest, by_arrow) in parsed_first.items():
        by_pandas = _table(path)
        assert by_arrow == by_pandas, path.read_bytes()
        assert tables.setdefault(digest, by_pandas) == by_pandas, path.read_bytes()
    assert len(parsed_first) > 100


def test_a_form_feed_in_the_first_lines_does_not_split_them(tmp_path, monkeypatch):
    """The reader's first lines are split by CSV's rules, as Arrow and pandas split them:
    ``str.splitlines`` also splits at a form feed, and made the header look narrower than
    the rows (pandas then took the first column for its index)."""
    from loaders import csv_cells

    plain = tmp_path / "plain.csv"
    plain.write_bytes(b"t\x0cx,y\x0cz,w\r\n1\x0c1,2\x0c2,3\r\n")
    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(b'"t\x0cx","y\x0cz","w"\n"1\x0c1","2\x0c2","3"\n')
    by_arrow = [_table(plain), _table(quoted)]
    monkeypatch.setattr(csv_cells, "parse_csv", lambda path, max_columns: None)
    assert [_table(plain), _table(quoted)] == by_arrow
    assert by_arrow[0][0] == ["t\x0cx", "y\x0cz", "w"] and by_arrow[0] == by_arrow[1]


def test_a_csv_file_arrow_reads_is_read_without_pandas(tmp_path):
    """Arrow's buffers are read with numpy: its own ``to_numpy``/``to_pylist`` import pandas
    (0.3 s of a `redchain load`). A fresh interpreter reads a file of Chinese text, blanks
    and more rows than one Arrow block, and pandas stays unimported."""
    import subprocess
    import sys

    rows = [["id", "name", "note"]] + [[f"{i:018d}", f"企业{i % 7}", "" if i % 3 else "两\n行"] for i in range(5000)]
    path = _write(tmp_path / "enterprises.csv", rows, quoting=csv.QUOTE_MINIMAL, newline="\n", encoding="utf-8",
                  bom=False, trailing=b"")
    script = ("import sys; from pathlib import Path; from loaders.readers import read_file, MAX_COLUMNS; "
              "from loaders.csv_cells import parse_csv; p = Path(sys.argv[1]); "
              "t = read_file(p, str(p), parse_csv(p, MAX_COLUMNS)).tables[0]; "
              "print(len(t.numbers), t.columns[1][:2], 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "PYTHONPATH": ":".join(sys.path)}).stdout
    assert out.split()[0] == "5000" and out.strip().endswith("False"), out
