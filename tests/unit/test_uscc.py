"""Unified social credit codes (GB 32100-2015): real published codes pass, every
single-character corruption of them fails, and each failure says why in Chinese."""

from __future__ import annotations

import pytest

from loaders.uscc import ALPHABET, check_character, is_valid_uscc, make_uscc, uscc_problem, uscc_problems

# Codes published by the enterprises themselves (annual reports, licences).
REAL_CODES = [
    "91350100M000100Y43",
    "914403001922038216",
    "9144030071526726XG",
    "91330100716105852F",
    "91110000600037341L",
    "91110108551385082Q",
]
ILLEGAL_LETTERS = "IOZSV"


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert uscc_problem(code) is None
    assert is_valid_uscc(code)
    assert make_uscc(code[:17]) == code


def test_alphabet_is_digits_and_capitals_without_the_five_illegal_letters():
    assert len(ALPHABET) == 31
    assert set(ALPHABET) == set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set(ILLEGAL_LETTERS)


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_substitution_is_caught(code):
    # exhaustive rather than sampled: 18 positions x 35 other characters per code
    candidates = ALPHABET + ILLEGAL_LETTERS + "abc-"
    missed = []
    for position in range(18):
        for char in candidates:
            if char == code[position]:
                continue
            corrupted = code[:position] + char + code[position + 1:]
            if is_valid_uscc(corrupted):
                missed.append(corrupted)
    assert missed == []


@pytest.mark.parametrize("code", REAL_CODES)
def test_swapped_neighbours_are_caught_when_they_differ(code):
    for i in range(17):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert not is_valid_uscc(swapped), swapped


def test_wrong_check_character_names_the_expected_one():
    assert uscc_problem("91350100M000100Y44") == "统一社会信用代码 91350100M000100Y44 校验位错误：应为 3，实为 4"
    assert uscc_problem("9144030071526726X0") == "统一社会信用代码 9144030071526726X0 校验位错误：应为 G，实为 0"


@pytest.mark.parametrize("code, length", [("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("", 0), ("9135", 4)])
def test_wrong_length(code, length):
    assert uscc_problem(code) == f"统一社会信用代码 {code} 应为18位，实为{length}位"


@pytest.mark.parametrize("letter", ILLEGAL_LETTERS)
def test_illegal_letters(letter):
    code = "91350100M000100" + letter + "43"
    assert uscc_problem(code) == (
        f"统一社会信用代码 {code} 含非法字符 {letter!r}（只允许数字和除 I、O、Z、S、V 外的大写字母）")


def test_lower_case_is_illegal():
    assert uscc_problem("91350100m000100y43") == (
        "统一社会信用代码 91350100m000100y43 含非法字符 'm'（只允许数字和除 I、O、Z、S、V 外的大写字母）")


def test_scientific_notation_is_named_as_such():
    assert uscc_problem("9.1350100E+17") == (
        "统一社会信用代码 9.1350100E+17 是科学计数法（Excel 把它当成了数字，后几位已丢失）；请把该列设为文本后重新填写")


def test_check_character_weights():
    # the weights are 3^i mod 31; a code of zeros has check character 0, a single 1 in
    # position i needs the character whose value makes the sum a multiple of 31
    assert check_character("0" * 17) == "0"
    assert check_character("1" + "0" * 16) == ALPHABET[30]  # weight 1 -> 31 - 1
    assert check_character("01" + "0" * 15) == ALPHABET[28]  # weight 3 -> 31 - 3


def test_make_uscc_completes_any_17_characters():
    assert all(is_valid_uscc(make_uscc(f"9143010000000{i:04d}")) for i in range(200))


def test_a_whole_column_at_once_says_what_each_code_alone_says():
    # the column check (numpy) cross-checked against the per-code one
    corrupted = [code[:i] + c + code[i + 1:] for code in REAL_CODES for i in range(18) for c in ALPHABET + "IOZ" if c != code[i]]
    column = REAL_CODES + corrupted + ["9.1350100E+17", "913501000E10000000", "91350100M000100Y4", "", "统一社会信用代码"]

    assert uscc_problems(column) == {code: uscc_problem(code) for code in column if uscc_problem(code)}
    assert uscc_problems(REAL_CODES) == {}
