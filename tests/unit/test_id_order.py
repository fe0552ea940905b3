"""Rows go to the store in id order; a table already in that order is not sorted again."""

from loaders.validate import in_id_order


def test_rows_out_of_order_are_sorted_by_id():
    assert in_id_order(["b", "c", "a"], range(3)) == [2, 0, 1]
    assert in_id_order(["b", "c", "a"], [0, 2]) == [2, 0]  # only the kept rows


def test_a_table_already_in_id_order_keeps_its_range():
    kept = range(3)
    assert in_id_order(["a", "b", "c"], kept) is kept
    assert in_id_order(["a", "a", "b"], range(3)) == [0, 1, 2]  # a repeated id: sorted, stably
