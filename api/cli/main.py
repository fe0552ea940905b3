"""The `redchain` command line: one typer app, each topic's commands in its own module of api/cli/.

A command imports only its own module: ``main`` builds the app from the module that
``COMMANDS`` names for the command asked, not from all of them (importing every module
took 0.27 s of a command's start, one module 0.13 s). The whole app, for ``--help`` or
a name no module has, is ``app``; tests/e2e/test_cli_dispatch.py shows that every
command is where ``COMMANDS`` says, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib

import typer

from api.cli import usage_zh

# Each top-level command (or group) -> the module of api/cli/ whose ``register`` adds it; the
# modules in the order they are registered (``redchain --help`` lists commands, then groups, in it).
COMMANDS = {
    "load": "imports", "template": "imports", "delete": "delete", "demo": "demo", "report": "coverage",
    "history": "coverage", "changes": "changes", "serve": "server", "audit": "server", "token": "server",
    "user": "users", "migrate": "migrate", "view": "views", "gaps": "gaps", "chains": "chains", "plan": "plans",
}  # fmt: skip

usage_zh.install()


def build_app(modules: list[str]) -> typer.Typer:
    """The app with the commands of ``modules`` (names of modules of api/cli/), registered in order."""
    built = typer.Typer(
        name="redchain",
        help="redchain：产业链党建图谱。导入企业、上下游、党组织、结对共建、联系点等台账，查覆盖缺口、出联点方案、画产业链图。",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    if len(modules) == 1:
        # typer runs a lone command as the app itself (no name to type): a callback keeps it a group
        built.callback()(lambda: None)
    for module in modules:
        importlib.import_module(f"api.cli.{module}").register(built)
    return built


def __getattr__(name: str) -> typer.Typer:
    """``app``, the whole CLI, built when first asked for (tests invoke it in process)."""
    if name != "app":
        raise AttributeError(name)
    global app
    app = build_app(list(dict.fromkeys(COMMANDS.values())))
    return app


def main() -> None:
    """Run the CLI; a usage error is answered in Chinese with the usage line (exit 2)."""
    import sys

    from rich.text import Text

    from api.cli.common import err_console

    asked = COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    chosen = build_app([asked]) if asked is not None else __getattr__("app")
    try:
        code = chosen(prog_name="redchain", standalone_mode=False)
    except KeyboardInterrupt:
        err_console.print("已中止。")
        sys.exit(130)
    except Exception as exc:
        if getattr(exc, "exit_code", None) != 2 or not hasattr(exc, "format_message"):
            if type(exc).__name__ == "Abort":
                err_console.print("已中止。")
                sys.exit(1)
            raise
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            err_console.print(Text(ctx.get_usage()), highlight=False)
            err_console.print(Text(f"运行 '{ctx.command_path} --help' 查看帮助。"), highlight=False)
        err_console.print(Text.assemble(("错误:", "red"), " ", usage_zh.explain(exc.format_message())), highlight=False)
        sys.exit(2)
    _leave(code if isinstance(code, int) else 0)


def _leave(code: int) -> None:
    """End the process without taking the heap apart: a command over a city's projection
    holds millions of objects, and freeing them one by one at exit costs half a second
    for nothing. Output is flushed first; every store was closed by its command."""
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
