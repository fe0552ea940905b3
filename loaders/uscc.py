"""Unified social credit codes (统一社会信用代码), GB 32100-2015, checked position by position.

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V):

- position 1, the registration authority (登记管理部门代码), and position 2, the institution
  type (机构类别代码) under that authority: a pair from ``REGISTRATION_AUTHORITIES``;
- positions 3–8, the administrative division of the registering office (登记管理机关行政区划码,
  GB/T 2260): six digits;
- positions 9–17, the organisation code (主体标识码, GB 11714): characters of the alphabet;
- position 18, the check character, computed from the first 17 with weights 3^i mod 31.

``uscc_problem`` says in Chinese which position is wrong and how; ``normalise_uscc`` turns a
code as planners type it (lower case, full-width, spaces or hyphens inside) into the code.

A text such as "9.1350100E+17" is a code Excel turned into a number: its last digits are
gone, and the message says so. That reading applies only to texts that cannot be a code:
18 characters of the alphabet (after normalisation) are always read as a code, so
91337283009904E839 — an E among digits, with a correct check character — is valid.

Deliberate differences from python-stdnum's ``stdnum.cn.uscc`` (each one shown by a test in
tests/unit/test_uscc.py):

1. Positions 1–2 are checked against the table: a digit pair outside it (e.g. "01", "94",
   "19" is fine but "10" is not) is refused here, accepted by stdnum.
2. Registration authorities A (中央军委改革和编制办公室), N (农业) and Y (其他) are letters:
   their codes are valid here, refused by stdnum, which requires digits in positions 1–8.
3. ``uscc_problem`` checks the code as stored; lower case, spaces and hyphens are refused
   there. ``normalise_uscc`` first does what stdnum's ``compact`` does (remove spaces and
   hyphens, upper-case) and more: full-width characters, other spaces (no-break, ideographic,
   tab, zero-width) and dash variants (‐ ‑ ‒ – — −) too (stdnum 2.x accepts the no-break
   space and the em dash as well; it refuses full-width digits), and it says what it changed.
4. Only ASCII letters are upper-cased: stdnum's ``str.upper`` would turn "ß" into "SS" and a
   17-character text into an 18-character one.
The check character and the alphabet agree with stdnum for every code (tested).
"""

from __future__ import annotations

import re
from functools import cache
from operator import mul
from typing import Iterable

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28

# Position 1 -> (authority, {position 2 -> institution type}). GB 32100-2015 table 1 lists 1,
# 5, 9 and Y; the other authorities were given their codes later by the code administration
# (全国组织机构统一社会信用代码数据服务中心) and appear on real certificates: law firms 31...,
# trade unions 81..., village collectives N2...
REGISTRATION_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                   "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}
_HEADS = frozenset(a + t for a, (_, types) in REGISTRATION_AUTHORITIES.items() for t in types)
_ALPHABET_CLASS = "[" + ALPHABET + "]"
_WELL_FORMED = re.compile("[" + "".join(REGISTRATION_AUTHORITIES) + "][0-9]{7}" + _ALPHABET_CLASS + "{10}")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_CODE_SHAPED = re.compile(_ALPHABET_CLASS + "{18}", re.IGNORECASE)
_ALLOWED_CHARACTERS = "只允许数字和除 I、O、Z、S、V 外的大写字母"

# What normalise_uscc changes, and the words its note uses for each change.
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SURROUNDING_SPACE = re.compile(f"^[\\s{_ZERO_WIDTH}]+|[\\s{_ZERO_WIDTH}]+$")
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_LOWER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code.

    >>> check_character("91350100M000100Y4")
    '3'
    """
    total = sum(map(mul, map(_VALUE.__getitem__, first17), _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def is_scientific_notation(text: str) -> bool:
    """Whether a text is a number in scientific notation ("9.1350100E+17") rather than a
    code: 18 characters of the code alphabet (either case) are always a code."""
    return bool(_SCIENTIFIC.match(text)) and not _CODE_SHAPED.fullmatch(text)


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC (a Chinese message naming the position), or None."""
    if _WELL_FORMED.fullmatch(code) and code[:2] in _HEADS:  # the common case: only the check character is left
        return _check_character_problem(code)
    if (several := codes_in_one_cell(code)) > 1:
        return (f"一个单元格里填了 {several} 个统一社会信用代码（{code!r}）：一行只填一家单位；"
                "同一党组织覆盖的几家企业各占一行，党组织名称填同一个")
    if is_scientific_notation(code):
        return f"统一社会信用代码 {code} 是科学计数法（Excel 把它当成了数字，后几位已丢失）；请把该列设为文本后重新填写"
    if len(code) == 15 and code.isdigit():  # the registration number before 2015
        return (f"统一社会信用代码 {code} 应为18位，实为15位：这是旧的工商注册号；"
                "请改填统一社会信用代码（可在国家企业信用信息公示系统查到）")
    if len(code) != 18:
        return f"统一社会信用代码 {code} 应为18位，实为{len(code)}位"
    return _position_problem(code) or _check_character_problem(code)


def _position_problem(code: str) -> str | None:
    """The first position whose character the standard does not allow there."""
    authority, kind = code[0], code[1]
    if authority not in REGISTRATION_AUTHORITIES:
        return (f"统一社会信用代码 {code} 第1位（登记管理部门代码）{authority!r} 不在 GB 32100 代码表中，"
                f"应为 {'、'.join(REGISTRATION_AUTHORITIES)} 之一")
    name, kinds = REGISTRATION_AUTHORITIES[authority]
    if kind not in kinds:
        allowed = "、".join(f"{k}（{v}）" for k, v in kinds.items())
        return (f"统一社会信用代码 {code} 第2位（机构类别代码）{kind!r} 不是登记管理部门 {authority}（{name}）"
                f"下的类别，应为 {allowed}" + ("" if len(kinds) == 1 else " 之一"))
    for position in range(2, 8):
        if code[position] not in "0123456789":
            return (f"统一社会信用代码 {code} 第{position + 1}位 {code[position]!r} 应为数字"
                    "（第3–8位是登记管理机关行政区划码）")
    for position in range(8, 18):
        if code[position] not in _VALUE:
            part = "主体标识码" if position < 17 else "校验码"
            return f"统一社会信用代码 {code} 第{position + 1}位（{part}）含非法字符 {code[position]!r}（{_ALLOWED_CHARACTERS}）"
    return None


def _check_character_problem(code: str) -> str | None:
    expected = check_character(code[:17])
    return None if code[17] == expected else f"统一社会信用代码 {code} 校验位错误：应为 {expected}，实为 {code[17]}"


@cache
def _char_values():
    """byte -> its value in the alphabet, -1 outside it (numpy is imported only when needed:
    the command line starts faster without it)."""
    import numpy as np

    values = np.full(256, -1, dtype=np.int64)
    values[np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(len(ALPHABET))
    return values


@cache
def _allowed_heads():
    """[value of position 1, value of position 2] -> whether the pair is in the table."""
    import numpy as np

    allowed = np.zeros((len(ALPHABET), len(ALPHABET)), dtype=bool)
    for head in _HEADS:
        allowed[_VALUE[head[0]], _VALUE[head[1]]] = True
    return allowed


def uscc_problems(codes: Iterable[str]) -> dict[str, str]:
    """``uscc_problem`` for a whole column at once: {code: why} for each invalid code.

    The well-formed codes are checked together (numpy), ``_CHECKED_AT_ONCE`` at a time: the
    arrays of 2·10⁶ codes at once took 0.4 GB. Only the codes that fail, or that are not 18
    ASCII characters, get a message of their own. A set is taken as it is (not copied).
    """
    codes = codes if isinstance(codes, (set, frozenset)) else set(codes)
    regular = [c for c in codes if len(c) == 18 and c.isascii()]
    irregular = codes.difference(regular)
    for start in range(0, len(regular), _CHECKED_AT_ONCE):
        chunk = regular[start:start + _CHECKED_AT_ONCE]
        irregular.update(chunk[i] for i in _failing(chunk))
    found = {code: uscc_problem(code) for code in irregular}
    return {code: why for code, why in found.items() if why}


_CHECKED_AT_ONCE = 1 << 16


def _failing(codes: list[str]):
    """The positions of the codes (18 ASCII characters each) whose check fails."""
    import numpy as np

    values = _char_values()[np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(-1, 18)]
    expected = (31 - values[:, :17] @ np.array(_WEIGHTS) % 31) % 31
    wrong = ((values < 0).any(axis=1) | (values[:, 17] != expected) | (values[:, 2:8] > 9).any(axis=1)
             | ~_allowed_heads()[values[:, 0], values[:, 1]])  # a -1 (outside the alphabet) is already wrong
    return np.flatnonzero(wrong)


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


def make_uscc(first17: str) -> str:
    """Complete 17 characters into a valid code by appending the check character."""
    return first17 + check_character(first17)


_LISTED = re.compile(r"[\s、，,；;/／]+")


def codes_in_one_cell(text: str) -> int:
    """How many codes a cell lists (91430100…、91430100…, one per line), if it holds two or
    more, each of 18 code-shaped characters; else 0."""
    parts = [p for p in _LISTED.split(text.translate(_FULL_WIDTH)) if p]
    return len(parts) if len(parts) > 1 and all(_CODE_SHAPED.fullmatch(p) for p in parts) else 0


def normalise_uscc(text: str) -> tuple[str, str | None]:
    """A code as planners type it -> (the code, a Chinese note saying what was changed, or
    None if nothing but surrounding spaces was). Full-width characters become half-width,
    lower-case letters capitals, spaces and hyphens inside are removed. Nothing else is
    guessed (an O stays an O): check the returned code with ``uscc_problem``, which still
    verifies the check character."""
    if codes_in_one_cell(text):
        return text, None  # several codes, not one to join: ``uscc_problem`` says so
    changes = []
    stripped = _SURROUNDING_SPACE.sub("", text)
    code = stripped.translate(_FULL_WIDTH)
    if code != stripped:
        changes.append("全角字符改为半角")
    upper = code.translate(_LOWER)
    if upper != code:
        changes.append("小写字母改为大写")
    without_spaces = "".join(c for c in upper if not (c.isspace() or c in _ZERO_WIDTH))
    if without_spaces != upper:
        changes.append("去掉了中间的空格")
    code = "".join(c for c in without_spaces if c not in _HYPHENS)
    if code != without_spaces:
        changes.append("去掉了连字符")
    if not changes:
        return code, None
    return code, f"统一社会信用代码 {text!r} 已规范为 {code}（{'、'.join(changes)}）"
