"""The problems of an import are listed in the order a person reads the files."""

from loaders.problems import Problem, Problems


def test_problems_are_listed_file_by_file_sheet_by_sheet_and_row_by_row():
    found = Problems([
        Problem("a.xlsx", "bad cell", "bad_int", "S1", 6, "从业人数"),
        Problem("b.csv", "dangling", "dangling", None, 3, "需方"),
        Problem("a.xlsx", "repeated code", "duplicate_id", "S1", 5, "统一社会信用代码"),
        Problem("a.xlsx", "other sheet", "bad_int", "S2", 2, "从业人数"),
        Problem("a.xlsx", "same row, found later", "required", "S1", 5, "名称"),
        Problem("a.xlsx", "the whole sheet", "missing_column", "S1", None, "名称"),
        Problem("b.csv", "header", "unknown_column", None, 1, "x"),
    ])
    assert [(p.file, p.sheet, p.row, p.message) for p in found.summarised()] == [
        ("a.xlsx", "S1", None, "the whole sheet"),
        ("a.xlsx", "S1", 5, "repeated code"),
        ("a.xlsx", "S1", 5, "same row, found later"),
        ("a.xlsx", "S1", 6, "bad cell"),
        ("a.xlsx", "S2", 2, "other sheet"),
        ("b.csv", None, 1, "header"),
        ("b.csv", None, 3, "dangling"),
    ]


def test_the_count_of_problems_left_unlisted_comes_after_the_listed_ones():
    found = Problems(cap=1)
    found.extend([Problem("a.csv", "bad", "bad_int", None, 9), Problem("a.csv", "bad", "bad_int", None, 2),
                  Problem("a.csv", "gone", "dangling", None, 4)])
    texts = [str(p) for p in found.summarised()]
    assert texts[:2] == ["a.csv:4:-: gone", "a.csv:9:-: bad"]
    assert texts[2].startswith("a.csv:-:-: 还有 1 个同类问题")
