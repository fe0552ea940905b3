"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V);
the last one is a check character computed from the first 17 with weights 3^i mod 31.
"""

from __future__ import annotations

import re
from functools import cache
from operator import mul
from typing import Iterable

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_WELL_FORMED = re.compile(f"[{ALPHABET}]{{18}}")


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code.

    >>> check_character("91350100M000100Y4")
    '3'
    """
    total = sum(map(mul, map(_VALUE.__getitem__, first17), _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC (a Chinese message), or None if it is valid."""
    if "E" not in code and _WELL_FORMED.fullmatch(code):  # the common case: only the check character is left
        expected = check_character(code[:17])
        return None if code[17] == expected else f"统一社会信用代码 {code} 校验位错误：应为 {expected}，实为 {code[17]}"
    if _SCIENTIFIC.match(code):
        return f"统一社会信用代码 {code} 是科学计数法（Excel 把它当成了数字，后几位已丢失）；请把该列设为文本后重新填写"
    if len(code) != 18:
        return f"统一社会信用代码 {code} 应为18位，实为{len(code)}位"
    bad = [c for c in code if c not in _VALUE]
    if bad:
        return f"统一社会信用代码 {code} 含非法字符 {bad[0]!r}（只允许数字和除 I、O、Z、S、V 外的大写字母）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码 {code} 校验位错误：应为 {expected}，实为 {code[17]}"
    return None


@cache
def _char_values():
    """byte -> its value in the alphabet, -1 outside it (numpy is imported only when needed:
    the command line starts faster without it)."""
    import numpy as np

    values = np.full(256, -1, dtype=np.int64)
    values[np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(len(ALPHABET))
    return values


def uscc_problems(codes: Iterable[str]) -> dict[str, str]:
    """``uscc_problem`` for a whole column at once: {code: why} for each invalid code.

    The check characters of the well-formed codes are computed together (numpy); only the
    codes that fail, or that could be scientific notation, get a message of their own.
    """
    codes = set(codes)
    regular = [c for c in codes if len(c) == 18 and c.isascii() and "E" not in c]
    irregular = codes.difference(regular)
    if regular:
        import numpy as np

        values = _char_values()[np.frombuffer("".join(regular).encode("ascii"), dtype=np.uint8).reshape(-1, 18)]
        expected = (31 - values[:, :17] @ np.array(_WEIGHTS) % 31) % 31
        wrong = (values < 0).any(axis=1) | (values[:, 17] != expected)
        irregular.update(regular[i] for i in np.flatnonzero(wrong))
    found = {code: uscc_problem(code) for code in irregular}
    return {code: why for code, why in found.items() if why}


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


def make_uscc(first17: str) -> str:
    """Complete 17 characters into a valid code by appending the check character."""
    return first17 + check_character(first17)
