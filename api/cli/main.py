"""The `redchain` command line: one typer app, each topic's commands in its own module of api/cli/."""

from __future__ import annotations

import typer

from api.cli import usage_zh
from api.cli import changes, coverage, delete, demo, imports, migrate, server, users, views
from api.cli.chains import chains_app
from api.cli.gaps import gaps_app
from api.cli.plans import plan_app

usage_zh.install()

app = typer.Typer(
    name="redchain",
    help="redchain：产业链党建图谱。导入企业、上下游、党组织、结对共建、联系点等台账，查覆盖缺口、出联点方案、画产业链图。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
imports.register(app)
delete.register(app)
demo.register(app)
coverage.register(app)
changes.register(app)
server.register(app)
users.register(app)
migrate.register(app)
views.register(app)
app.add_typer(gaps_app, name="gaps", help="查缺口：未覆盖企业、党组织检查、结对共建缺口、联系点缺口。")
app.add_typer(chains_app, name="chains", help="产业链：列出产业链，按环节查看一条链的结构。")
app.add_typer(plan_app, name="plan", help="出方案：联系点、党建指导员、结对共建或联合党支部（--apply 写入）。")


def main() -> None:
    """Run the CLI; a usage error is answered in Chinese with the usage line (exit 2)."""
    import sys

    from rich.text import Text

    from api.cli.common import err_console

    try:
        code = app(prog_name="redchain", standalone_mode=False)
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
