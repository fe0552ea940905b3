"""A command imports only its own module (``api.cli.main.COMMANDS``), and the app built for
it is the whole app's command: same name, same usage line, same errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from api.cli import main as cli_main
from e2e.conftest import run_redchain


def _names(app) -> list[str]:
    return list(get_command(app).commands)


def test_every_command_is_where_the_table_says():
    whole = _names(cli_main.app)
    assert sorted(whole) == sorted(cli_main.COMMANDS)
    for module in dict.fromkeys(cli_main.COMMANDS.values()):
        alone = cli_main.build_app([module])
        assert sorted(_names(alone)) == sorted(c for c, m in cli_main.COMMANDS.items() if m == module), module


def test_every_module_that_registers_commands_is_in_the_table():
    import pkgutil

    import api.cli

    registering = {m.name for m in pkgutil.iter_modules(api.cli.__path__)
                   if "\ndef register(" in (Path(api.cli.__path__[0]) / f"{m.name}.py").read_text(encoding="utf-8")}
    assert registering == set(cli_main.COMMANDS.values())


def test_the_whole_app_registers_in_the_table_order():
    """typer lists plain commands first, then groups, each in the order they were
    registered: registering the modules in the table's order keeps ``--help`` as it was."""
    group = get_command(cli_main.app)
    plain = [c for c in cli_main.COMMANDS if not hasattr(group.commands[c], "commands")]
    groups = [c for c in cli_main.COMMANDS if hasattr(group.commands[c], "commands")]
    assert _names(cli_main.app) == plain + groups
    assert plain[:3] == ["load", "template", "demo"] and groups[:3] == ["delete", "token", "user"]


# The entry point as `redchain` runs it, telling at its exit which modules of api/cli/ it imported.
_IMPORTED_AT_EXIT = """import os, sys
sys.argv = ["redchain", *sys.argv[1:]]
leave = os._exit
def reported(code):
    print(" ".join(sorted(m for m in sys.modules if m.startswith("api.cli."))), file=sys.stderr, flush=True)
    leave(code)
os._exit = reported
from api.cli.main import main
main()
"""


@pytest.mark.parametrize(("args", "own", "not_imported"), [
    (("chains", "--help"), "api.cli.chains", ("api.cli.plans", "api.cli.views", "api.cli.imports", "api.cli.server")),
    (("report", "--help"), "api.cli.coverage", ("api.cli.plans", "api.cli.gaps", "api.cli.changes", "api.cli.views")),
    (("demo", "--help"), "api.cli.demo", ("api.cli.plans", "api.cli.gaps", "api.cli.coverage", "api.cli.server")),
])
def test_a_command_imports_only_its_own_module(tmp_path, args, own, not_imported):
    env = {k: v for k, v in os.environ.items() if k != "REDCHAIN_STORE"}
    result = subprocess.run([sys.executable, "-c", _IMPORTED_AT_EXIT, *args], cwd=tmp_path, env=env,
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    imported = set(result.stderr.split())
    assert own in imported
    assert imported.isdisjoint(not_imported), imported & set(not_imported)


def test_a_lone_command_keeps_its_name_and_usage(tmp_path):
    """demo is its module's only command: its app stays a group, so `redchain demo` is still
    typed with its name and its usage errors read as the whole app's do."""
    result = run_redchain("demo", "--bogus", cwd=tmp_path, env={"LANG": "C"})
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "用法：redchain demo [选项]"
    assert lines[-1].startswith("错误: 没有选项 --bogus")
    result = run_redchain("demo", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "用法：redchain demo [选项]" in result.stdout
