"""Brackets in the data or on the command line are text: every command prints them as
given and finishes normally (rich would otherwise read ``[/x]`` as a closing tag and stop
with MarkupError, or turn ``:smile:`` into an emoji)."""

from __future__ import annotations

import re

import pytest
from e2e.conftest import HOSTILE_CHAIN, HOSTILE_CHAIN_NAME, UNKNOWN_COLUMN, hostile_name


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_load_names_an_unknown_bracketed_column_in_its_warning(cli, hostile_csv, tmp_path):
    result = cli("load", hostile_csv, "--store", tmp_path / "new.db")
    ok(result)
    assert f"提示: {hostile_csv / 'units.csv'}:1:{UNKNOWN_COLUMN}: 未知的列 '{UNKNOWN_COLUMN}'，已忽略" in result.stderr


NAMED = hostile_name("")[:4]  # "[/x]": every name in the district starts with it

# (arguments, text that must appear in stdout exactly as stored)
READS = [
    (["report", "--by", "chain"], HOSTILE_CHAIN_NAME[:10]),  # the column is 16 wide: the rest folds
    (["report", "--by", "segment"], NAMED),
    (["report", "--chain", HOSTILE_CHAIN], f"（产业链 {HOSTILE_CHAIN_NAME} {HOSTILE_CHAIN}）"),
    (["history", "--chain", HOSTILE_CHAIN], f"覆盖率变化（产业链 {HOSTILE_CHAIN_NAME} {HOSTILE_CHAIN}）"),  # summed from the import's snapshot
    (["gaps", "uncovered"], NAMED),
    (["gaps", "uncovered", "--chain", HOSTILE_CHAIN], "未建立党组织的企业"),
    (["gaps", "orgs"], NAMED),
    (["gaps", "pairing"], HOSTILE_CHAIN_NAME),
    (["gaps", "pairing", "--chain", HOSTILE_CHAIN], NAMED),
    (["gaps", "contacts"], NAMED),
    (["gaps", "contacts", "--chain", HOSTILE_CHAIN], "联系点"),
    (["chains", "list"], f" {HOSTILE_CHAIN} "),
    (["chains", "structure", HOSTILE_CHAIN], f"产业链「{HOSTILE_CHAIN_NAME}」（{HOSTILE_CHAIN}）各环节"),
    (["chains", "structure", "[bold]C02"], hostile_name("新一代信息技术")),
    (["plan", "contacts"], NAMED),
    (["plan", "contacts", "--chain", HOSTILE_CHAIN], "领导联系点规划"),
    (["plan", "instructors", "--chain", HOSTILE_CHAIN], "合计："),
    (["plan", "pairings"], NAMED),
    (["plan", "pairings", "--chain", HOSTILE_CHAIN], "合计："),
    (["plan", "joint-branches", "--chain", HOSTILE_CHAIN], "合计："),
    (["token", "list"], "令牌（0 个）"),
    (["audit"], "审计日志"),
]


@pytest.mark.parametrize("args, shown", READS, ids=[" ".join(a) for a, _ in READS])
def test_reading_commands_print_markup_as_text(cli, hostile_template, args, shown):
    out = ok(cli(*args, "--store", hostile_template))
    assert shown in out
    assert "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}" not in out  # ":smile:" in names stays text


def test_report_save_then_history_of_a_bracketed_chain(cli, hostile_db):
    assert "已保存覆盖率快照" in cli("report", "--save", "--chain", HOSTILE_CHAIN, "--store", hostile_db).stderr
    assert f"覆盖率变化（产业链 {HOSTILE_CHAIN_NAME} {HOSTILE_CHAIN}）" in ok(cli("history", "--chain", HOSTILE_CHAIN, "--store", hostile_db))


def test_applying_a_plan_in_a_bracketed_chain(cli, hostile_db):
    out = ok(cli("plan", "pairings", "--chain", HOSTILE_CHAIN, "--apply", "--store", hostile_db))
    assert "已写入" in out


def test_token_note_and_chain_are_printed_as_given(cli, hostile_db):
    note = "[/x]链长办[bold]"
    created = cli("token", "create", "--role", "viewer", "--chain", HOSTILE_CHAIN, "--note", note, "--store", hostile_db)
    ok(created)
    assert f"（限产业链 {HOSTILE_CHAIN}）" in created.stderr
    token_id = re.search(r"令牌 (\w+)", created.stderr).group(1)
    listed = ok(cli("token", "list", "--store", hostile_db))
    assert f"│ {HOSTILE_CHAIN} " in listed and note in listed
    assert f'"note": "{note}"' in ok(cli("audit", "--store", hostile_db))
    assert f"令牌 {token_id} 已吊销" in ok(cli("token", "revoke", token_id, "--store", hostile_db))


def test_migrating_a_bracketed_district(cli, hostile_template, tmp_path):
    assert "迁移完成" in ok(cli("migrate", "--from", hostile_template, "--to", tmp_path / "copy.db"))


def test_files_with_brackets_in_their_names(cli, hostile_template, tmp_path):
    page = tmp_path / "[/x]" / "[bold].html"
    assert f"已写入关系网络：{page}" in ok(cli("view", "entity", "PO[red]", "-o", page, "--store", hostile_template))
    chain_page = tmp_path / "chain[/x].html"
    assert f"已写入产业链图谱：{chain_page}" in ok(cli("view", "chain", HOSTILE_CHAIN, "-o", chain_page, "--store", hostile_template))
    gaps_page = tmp_path / "gaps[bold].html"
    assert f"已写入缺口地图：{gaps_page}" in ok(cli("view", "gaps", "--chain", HOSTILE_CHAIN, "-o", gaps_page, "--store", hostile_template))
    template = tmp_path / "[/x]模板.xlsx"
    assert f"已生成导入模板：{template}" in ok(cli("template", template))
    assert page.is_file() and chain_page.is_file() and gaps_page.is_file() and template.is_file()


def test_demo_into_bracketed_paths(cli, tmp_path):
    out = ok(cli("demo", "--scale", "small", "--out", tmp_path / "[/x]", "--store", tmp_path / "[bold].db"))
    assert f"CSV 文件保存在 {tmp_path / '[/x]'}" in out
    assert (tmp_path / "[bold].db").is_file()


# -- markup in what the user typed, echoed in an error ------------------------------------------

UNKNOWN = "[/y]"
UNKNOWN_CHAIN = [
    ["report", "--chain", UNKNOWN],
    ["history", "--chain", UNKNOWN],
    ["gaps", "uncovered", "--chain", UNKNOWN],
    ["gaps", "orgs", "--chain", UNKNOWN],
    ["gaps", "pairing", "--chain", UNKNOWN],
    ["gaps", "contacts", "--chain", UNKNOWN],
    ["chains", "structure", UNKNOWN],
    ["plan", "contacts", "--chain", UNKNOWN],
    ["plan", "joint-branches", "--chain", UNKNOWN],
    ["view", "chain", UNKNOWN],
    ["token", "create", "--role", "viewer", "--chain", UNKNOWN],
]


@pytest.mark.parametrize("args", UNKNOWN_CHAIN, ids=" ".join)
def test_an_unknown_bracketed_chain_is_named_in_the_error(cli, hostile_template, args):
    result = cli(*args, "--store", hostile_template)
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stderr.startswith(f"错误: 找不到产业链 {UNKNOWN}")  # printed as given, never read as markup
