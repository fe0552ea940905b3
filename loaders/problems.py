"""Import problems: structured, collected lazily, shown as ``file[:sheet]:row:column: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place of the input.

    ``row`` is the row number a person sees in Excel (header = row 1), or None when the
    problem concerns the whole file; ``column`` is the header as written in the file.
    ``code`` is a stable reason code for programs; ``message`` is for people (Chinese).
    """

    file: str
    message: str
    code: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.sheet}" if self.sheet else "")
        where += f":{self.row if self.row is not None else '-'}:{self.column or '-'}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "value": self.value,
            "text": str(self),
        }


MAX_PER_KIND = 100  # problems of one kind in one table that are listed; the rest are counted


class Problems(list):
    """Problems (or warnings) as they are found, at most ``cap`` of one kind (same file,
    sheet and code) kept: a file with a million bad rows costs a hundred Problem objects
    and a count, not a million, and says "还有 N 个同类问题" for the rest.

    A list, so code that appends, extends, counts or iterates needs no change; the counts
    of what was left out are in ``summarised()``.
    """

    def __init__(self, found=(), cap: int = MAX_PER_KIND):
        super().__init__()
        self.cap = cap
        self._seen: dict[tuple, int] = {}
        self._first: dict[tuple, Problem] = {}
        self.extend(found)

    def append(self, problem: Problem) -> None:
        key = (problem.file, problem.sheet, problem.code)
        seen = self._seen.get(key, 0) + 1
        self._seen[key] = seen
        if seen <= self.cap:
            super().append(problem)
            self._first.setdefault(key, problem)

    def count_unlisted(self, file: str, sheet: str | None, code: str, count: int) -> None:
        """``count`` more problems of a kind already listed up to the cap, never built."""
        key = (file, sheet, code)
        self._seen[key] = self._seen.get(key, 0) + count

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems):
        self.extend(problems)
        return self

    @property
    def total(self) -> int:
        """How many were found, listed or not."""
        return sum(self._seen.values())

    def summarised(self) -> list[Problem]:
        """The listed problems in the order a person reads the files, then for each kind
        with more one line saying how many more. A file's problems come together, in the
        order its first problem was found, its sheets likewise, and each sheet's row by row
        (what concerns a whole file or sheet first); problems of one row keep the order
        they were found in (left to right)."""
        files: dict[str, int] = {}
        sheets: dict[tuple[str, str | None], int] = {}
        for problem in self:
            files.setdefault(problem.file, len(files))
            sheets.setdefault((problem.file, problem.sheet), len(sheets))
        listed = sorted(self, key=lambda p: (files[p.file], sheets[p.file, p.sheet], -1 if p.row is None else p.row))
        more = [
            Problem(file, f"还有 {seen - self.cap} 个同类问题（与上面的“{self._first[(file, sheet, code)].message[:60]}”同类），未逐条列出",
                    code, sheet=sheet)
            for (file, sheet, code), seen in self._seen.items() if seen > self.cap
        ]
        return [*listed, *more]
