"""`redchain load` and `redchain template`: getting the planners' files in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from api.core import audit
from api.cli.common import JsonOption, StoreOption, cli_store, console, err_console, print_json, writing
from api.core.security.principal import CLI
from graph.analysis.history import snapshot_now
from graph.errors import ImportFailed
from graph.records import WriteSummary
from graph.schema import LABEL_ZH, REL_ZH, Label
from loaders.importer import ImportReport, import_paths
from loaders.template import write_template

_KIND_ZH = {label.value: zh for label, zh in LABEL_ZH.items()} | {rtype.value: zh for rtype, zh in REL_ZH.items()}


def summary_table(summary: WriteSummary, title: str) -> Table:
    table = Table(title=title)
    for header in ("类型", "新增", "更新", "未变"):
        table.add_column(header, justify="right" if header != "类型" else "left")
    kinds = sorted(set(summary.added) | set(summary.updated) | set(summary.unchanged), key=_kind_order)
    for kind in kinds:
        table.add_row(
            _KIND_ZH.get(kind, kind),
            str(summary.added.get(kind, 0)),
            str(summary.updated.get(kind, 0)),
            str(summary.unchanged.get(kind, 0)),
        )
    return table


def _kind_order(kind: str) -> tuple[int, str]:
    return (0 if kind in {label.value for label in Label} else 1, kind)


def import_with_progress(store, files: list[Path], dry_run: bool) -> ImportReport:
    """Import with a progress bar on a terminal, or plain progress lines in a log; a write
    is audited like one over HTTP, in the same transaction."""

    report = _import_with_progress(store, files, dry_run)
    if not dry_run:
        snapshot_now(store)  # every import leaves a snapshot for `history` and `changes`
    return report


def _import_with_progress(store, files: list[Path], dry_run: bool) -> ImportReport:
    def describe(shown: list[str], rows: int, summary) -> list:
        return [audit.import_entry(CLI, [Path(f).name for f in shown], rows, summary)]

    if not err_console.is_terminal:
        return import_paths(store, files, dry_run=dry_run, progress=_log_progress(), describe=describe)
    with Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True, disable=not err_console.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return import_paths(store, files, dry_run=dry_run, progress=progress, describe=describe)


def _log_progress():
    """Progress for logs and pipes: one line per stage every tenth of the way."""
    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if shown.get(stage, -1) < tenth:
            shown[stage] = tenth
            err_console.print(f"{stage} {done}/{total}", highlight=False, soft_wrap=True)

    return progress


def load(
    files: Annotated[list[Path], typer.Argument(help="CSV/XLSX/XLS/JSON files, or folders of them.", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and show what would change; write nothing.")] = False,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import files into the store in one all-or-nothing transaction (re-importing is a no-op)."""
    with cli_store(store, create=True) as s:
        try:
            report = import_with_progress(s, files, dry_run)
        except ImportFailed as failed:
            if as_json:
                print_json({"ok": False, "problems": [p.as_dict() for p in failed.problems]})
            else:
                for problem in failed.problems:
                    err_console.print(str(problem), highlight=False, markup=False, soft_wrap=True)
                err_console.print(f"共 {len(failed.problems)} 个问题，未写入任何数据。", style="red", highlight=False)
            raise typer.Exit(1) from None
    if as_json:
        print_json({
            "ok": True, "dry_run": report.dry_run, "files": report.files, "rows": report.rows,
            "added": report.summary.added, "updated": report.summary.updated,
            "unchanged": report.summary.unchanged, "version": report.summary.version,
            "warnings": [w.as_dict() for w in report.warnings],
        })
        return
    for warning in report.warnings:
        err_console.print(Text.assemble(("提示:", "yellow"), " ", str(warning)), highlight=False, soft_wrap=True)
    title = "试导入（未写入）" if dry_run else "导入完成"
    console.print(summary_table(report.summary, f"{title}：{len(report.files)} 个文件，{report.rows} 行"))


def template(
    out: Annotated[Path, typer.Argument(help="Where to write the .xlsx template.", show_default=False)],
) -> None:
    """Write the Excel import template: one sheet per table, Chinese headers, drop-down lists."""
    with writing(out):
        path = write_template(out)
    console.print(f"已生成导入模板：{path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(load)
    app.command()(template)
