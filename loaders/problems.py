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
