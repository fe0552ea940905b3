"""The command-line framework's own words in Chinese: usage lines, help headings and usage
errors (a mistyped command, an unknown option, a value that is not one of the choices).

typer ships its own copy of click with these texts in English and no translation hook, so
``install()`` sets typer's help headings and wraps the two methods that build a usage
line and the ``--help`` option, and :func:`explain` turns a usage error into a Chinese
sentence from the error's message. A message this module does not know is shown in English
after a Chinese lead-in, so a newer typer can leave a sentence untranslated but never
break the CLI (tests/e2e/test_cli_chinese.py shows what a person reads).
"""

from __future__ import annotations

import importlib
import re

from rich.text import Text

USAGE = "用法："
HELP_OPTION = "显示此帮助并退出。"
_METAVARS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."), ("[ARGS]...", "[参数]..."))

# typer reads its help headings from these module constants.
_HEADINGS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
}

# English usage-error messages (as typer's click words them) -> Chinese. Tried in order.
_ERRORS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.S), zh) for p, zh in (
    (r"^No such command '(?P<name>[^']*)'\.?(?:\s*Did you mean (?P<alt>.+?)\?)?$", "没有命令 '{name}'{alt}"),
    (r"^No such option: (?P<name>\S+)(?:\s*(?:\(Possible options: (?P<alts>[^)]*)\)|Did you mean (?P<alt>\S+?)\?))?$",
     "没有选项 {name}{alts}"),
    (r"^Invalid value for '?(?P<param>[^':]+)'?: (?:Value error, )?'(?P<value>.*)' is not one of (?P<choices>.+?)\.?$",
     "{param} 的取值 '{value}' 无效，可选：{choices}"),
    (r"^Invalid value for '?(?P<param>[^':]+)'?: '?(?P<value>.*?)'? is not a valid (?P<kind>integer|float|boolean).*$",
     "{param} 的取值 '{value}' 不是有效的{kind}"),
    (r"^Invalid value for '?(?P<param>[^':]+)'?: (?P<value>.+?) is not in the range (?P<range>.+?)\.?$",
     "{param} 的取值 {value} 超出范围 {range}"),
    (r"^Invalid value for '?(?P<param>[^':]+)'?: (?:Path|File|Directory) '(?P<path>.*)' does not exist\.?$",
     "{param}：找不到 {path}"),
    (r"^Invalid value for '?(?P<param>[^':]+)'?: (?P<rest>.+)$", "{param} 的取值无效：{rest}"),
    (r"^Missing argument '(?P<name>[^']*)'\.?$", "缺少参数 {name}"),
    (r"^Missing option '(?P<name>[^']*)'\.?$", "缺少选项 {name}"),
    (r"^Option '(?P<name>[^']*)' requires (?:an argument|\d+ arguments)\.?$", "选项 {name} 后面要跟一个值"),
    (r"^Option '(?P<name>[^']*)' does not take a value\.?$", "选项 {name} 不接受取值"),
    (r"^Got unexpected extra arguments? \((?P<args>.*)\)$", "多余的参数：{args}"),
    (r"^Missing command\.?$", "缺少命令"),
))
_KINDS = {"integer": "整数", "float": "数字", "boolean": "是/否值"}


def explain(message: str) -> str:
    """The Chinese of one usage-error message.

    >>> explain("No such command 'reprt'. Did you mean 'report'?")
    "没有命令 'reprt'（是否想输入 'report'？）"
    """
    for pattern, zh in _ERRORS:
        found = pattern.match(message.strip())
        if found:
            parts = {k: v or "" for k, v in found.groupdict().items()}
            if "alt" in parts or "alts" in parts:
                alternatives = parts.pop("alt", "") or parts.pop("alts", "")
                parts.pop("alts", None)
                parts["alt" if "{alt}" in zh else "alts"] = f"（是否想输入 {alternatives}？）" if alternatives else ""
            if "kind" in parts:
                parts["kind"] = _KINDS.get(parts["kind"], parts["kind"])
            return zh.format(**parts)
    return f"命令行用法有误：{message}"


def usage_line(english: str) -> str:
    """A usage line in Chinese: ``Usage: redchain report [OPTIONS]`` -> ``用法：redchain report [选项]``."""
    text = re.sub(r"^\s*Usage:\s*", USAGE, english)
    for en, zh in _METAVARS:
        text = text.replace(en, zh)
    return text


def _click_core():
    """The click typer uses: its own copy (typer ≥ 0.17) or the click package."""
    try:
        return importlib.import_module("typer._click.core")
    except ImportError:
        return importlib.import_module("click.core")


def install() -> None:
    """Make typer's help and usage lines speak Chinese in this process (idempotent)."""
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant, zh in _HEADINGS.items():
        if hasattr(rich_utils, constant):
            setattr(rich_utils, constant, zh)
    core = _click_core()
    original_usage = core.Command.get_usage
    if not getattr(original_usage, "_redchain_zh", False):
        def get_usage(self, ctx, _original=original_usage):
            return usage_line(_original(self, ctx))

        get_usage._redchain_zh = True
        core.Command.get_usage = get_usage
    original_help = core.Command.get_help_option
    if not getattr(original_help, "_redchain_zh", False):
        def get_help_option(self, ctx, _original=original_help):
            option = _original(self, ctx)
            if option is not None:
                option.help = HELP_OPTION
            return option

        get_help_option._redchain_zh = True
        core.Command.get_help_option = get_help_option
    original_text = rich_utils._make_rich_text
    if not getattr(original_text, "_redchain_zh", False):
        # A run of Chinese has no space to break at: rich cuts a help line longer than its
        # column with "…" (QA round 10: --by lost 街道), unless the text folds.
        def make_rich_text(*args, _original=original_text, **kwargs):
            text = _original(*args, **kwargs)
            if isinstance(text, Text):
                text.overflow = "fold"
            return text

        make_rich_text._redchain_zh = True
        rich_utils._make_rich_text = make_rich_text
