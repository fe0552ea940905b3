"""Usage errors and help read in Chinese, as a planner running the real command sees them
(a fresh process with the terminal's locale: nothing here depends on LANG)."""

from __future__ import annotations

import re

import pytest

from api.cli.usage_zh import explain, usage_line
from e2e.conftest import run_redchain


@pytest.mark.parametrize(("args", "usage", "error"), [
    (("reprt",), "用法：redchain [选项] 命令 [参数]...", "错误: 没有命令 'reprt'（是否想输入 'report'？）"),
    (("report", "--by", "foo"), "用法：redchain report [选项]",
     "错误: --by 的取值无效：'foo' 不是可选的分组（产业链 chain、环节 segment、园区 park、街道 street、类型 kind）"),
    (("report", "--bogus"), "用法：redchain report [选项]", "错误: 没有选项 --bogus"),
    (("chains", "structure"), "用法：redchain chains structure [选项] {产业链编号}", "错误: 缺少参数 产业链编号"),
])
def test_usage_errors_are_chinese_with_the_usage_line(tmp_path, args, usage, error):
    result = run_redchain(*args, cwd=tmp_path, env={"LANG": "C"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == usage
    assert lines[1] == f"运行 '{usage.split('[')[0].removeprefix('用法：').strip()} --help' 查看帮助。"
    assert lines[-1] == error


def test_by_takes_chinese_or_english(tmp_path):
    from api.cli.coverage import grouping_of

    assert [grouping_of(v) for v in ("产业链", "chain", "按园区", "类型", " Kind ")] == ["chain", "chain", "park", "kind", "kind"]


def test_help_has_chinese_headings(tmp_path):
    result = run_redchain("report", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "用法：redchain report [选项]" in result.stdout
    assert "─ 选项 ─" in result.stdout and "显示此帮助并退出。" in result.stdout
    assert "Usage:" not in result.stdout and "Show this message" not in result.stdout


def test_explain_keeps_an_unknown_message_with_a_chinese_lead_in():
    assert explain("Something new in typer 2.0") == "命令行用法有误：Something new in typer 2.0"
    assert explain("No such option: --x Did you mean --by?") == "没有选项 --x（是否想输入 --by？）"
    assert explain("Invalid value for '--top': 'x' is not a valid integer.") == "--top 的取值 'x' 不是有效的整数"
    assert explain("Got unexpected extra argument (C09)") == "多余的参数：C09"
    assert usage_line("Usage: redchain gaps [OPTIONS] COMMAND [ARGS]...") == "用法：redchain gaps [选项] 命令 [参数]..."


def _commands(group, path=("redchain",)):
    """Every command of the CLI with the words typed to reach it."""
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


def test_every_usage_line_names_its_arguments_in_chinese():
    import typer

    from api.cli.main import app

    root = typer.main.get_command(app)
    lines = {}
    for path, command in _commands(root):
        with command.make_context(" ".join(path), ["--help"], resilient_parsing=True) as ctx:
            lines[" ".join(path)] = command.get_usage(ctx)
    assert lines["redchain load"] == "用法：redchain load [选项] {文件}..."
    assert lines["redchain template"] == "用法：redchain template [选项] {模板文件}"
    assert [line for line in lines.values() if any(c.isascii() and c.isalpha() for c in line.split("redchain", 1)[1].split("[选项]")[1])] == []


def test_every_help_reads_whole_at_80_columns():
    """No help line is cut with "…": a run of Chinese longer than its column folds onto the
    next line (QA round 10: --by lost 街道, history's line its end)."""
    from typer.testing import CliRunner

    from api.cli.main import app

    import typer

    root = typer.main.get_command(app)
    cut = {}
    for path, _ in [(("redchain",), root), *_commands(root)]:
        result = CliRunner().invoke(app, [*path[1:], "--help"], env={"COLUMNS": "80", "REDCHAIN_STORE": None})
        assert result.exit_code == 0, (path, result.output)
        lines = [line for line in result.stdout.splitlines() if re.search("(?<!…)…(?!…)", line)]  # not a written ……
        if lines:
            cut[" ".join(path)] = lines
    assert cut == {}
