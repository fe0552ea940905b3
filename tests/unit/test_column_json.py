"""The SQLite store's JSON of properties made a column at a time is, byte for byte, the
JSON of each row's dict: an import written from its columns stores what it stored when
it was written record by record."""

from __future__ import annotations

from graph.columns import PropColumns
from graph.sqlite_store import _dumps, _dumps_columns


def _rows(props: PropColumns, rows) -> list[str]:
    return [_dumps(props.row(i)) for i in rows]


def test_columns_encode_as_each_rows_dict():
    props = PropColumns(
        ["park", "name", "employees", "leading", "score", "note"],
        [["麓谷", None, "麓谷", "岳麓"],
         ['引号"与\\反斜杠', "换行\n", "tab\t", "\x01控制"],
         [1, 0, None, 10**20],
         [True, False, None, True],
         [0.0, -0.0, 1.5, float("nan")],  # floats: 0.0 == -0.0 but they encode apart
         [1, True, "1", None]])  # one column of mixed types: 1 == True, encoded apart
    for rows in (range(4), [3, 1, 0], range(1, 3), []):
        assert _dumps_columns(props, rows) == _rows(props, rows)


def test_a_single_column_and_no_column():
    product = PropColumns(["product"], [["钢材", None, "钢材", "芯片"]])
    assert _dumps_columns(product, range(4)) == _rows(product, range(4)) == \
        ['{"product":"钢材"}', "{}", '{"product":"钢材"}', '{"product":"芯片"}']
    assert _dumps_columns(PropColumns([], []), [0, 1]) == ["{}", "{}"]


def test_a_name_given_twice_is_encoded_as_the_row_dict_keeps_it():
    twice = PropColumns(["name", "name"], [["甲", "乙"], ["丙", None]])
    assert _dumps_columns(twice, range(2)) == _rows(twice, range(2)) == ['{"name":"丙"}', '{"name":"乙"}']
