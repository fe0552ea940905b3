"""Hostile JSON gets a message a person reads, never a traceback, and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _load(path, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDCHAIN_STORE"} | {"COLUMNS": "300"}
    return subprocess.run([sys.executable, "-m", "api.cli", "load", str(path), "--store", str(tmp_path / "x.db")],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 5000 + "]" * 5000, "JSON 嵌套层数过多"),
    ('{"enterprises": [{"id": "1", "id": "2"}]}', "JSON 中同一个对象里键 'id' 出现了两次"),
    ('{"enterprises": [{"id": "91350100M000100Y43", "name": "甲", "employees": ' + "9" * 5000 + "}]}",
     "JSON 中有无法读取的数值"),
], ids=["nested", "duplicate-key", "huge-integer"])
def test_hostile_json_is_refused_in_words(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    result = _load(path, tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert message in result.stderr and "未写入任何数据" in result.stderr


def test_many_distinct_keys_are_read_in_linear_time(tmp_path):
    keys = ", ".join(f'"k{i}": ""' for i in range(30_000))
    path = tmp_path / "wide.json"
    path.write_text('{"enterprises": [{"id": "91350100M000100Y43", "name": "甲", ' + keys + "}]}", encoding="utf-8")
    result = _load(path, tmp_path)  # refused or accepted, it answers in seconds, not a minute
    assert "Traceback" not in result.stderr
