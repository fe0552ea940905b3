"""`redchain load` and `redchain template`: getting the planners' files in."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Iterator
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from api.core import audit
from api.cli.common import JsonOption, StoreOption, cli_store, console, err_console, print_json, writing, zone_or_fail
from api.core.security.principal import CLI
from graph.analysis.history import snapshot_now
from graph.errors import ImportFailed, RedchainError, StoreMissing
from graph.factory import open_store
from graph.records import WriteSummary
from graph.schema import LABEL_ZH, REL_ZH, Label

if TYPE_CHECKING:  # the importer (pandas' readers, the validation rules) is loaded by the commands that import
    from loaders.importer import ImportReport

_KIND_ZH = {label.value: zh for label, zh in LABEL_ZH.items()} | {rtype.value: zh for rtype, zh in REL_ZH.items()}


def summary_table(summary: WriteSummary, title: str) -> Table:
    table = Table(title=title)
    for header in ("类型", "新增", "更新", "删除", "未变"):
        table.add_column(header, justify="right" if header != "类型" else "left")
    kinds = sorted(set(summary.added) | set(summary.updated) | set(summary.deleted) | set(summary.unchanged),
                   key=_kind_order)
    for kind in kinds:
        table.add_row(
            _KIND_ZH.get(kind, kind),
            str(summary.added.get(kind, 0)),
            str(summary.updated.get(kind, 0)),
            str(summary.deleted.get(kind, 0)),
            str(summary.unchanged.get(kind, 0)),
        )
    return table


def _kind_order(kind: str) -> tuple[int, str]:
    return (0 if kind in {label.value for label in Label} else 1, kind)


def import_with_progress(store, files: list[Path], dry_run: bool, **options) -> ImportReport:
    """Import with a progress bar on a terminal, or plain progress lines in a log; a write
    is audited like one over HTTP, in the same transaction."""

    if not dry_run:
        zone_or_fail()  # the snapshot after the import is dated in it: a bad zone is said before the write
    report = _import_with_progress(store, files, dry_run, **options)
    if not dry_run:  # every import leaves a snapshot for `history` and `changes` (seconds at city scale)
        if err_console.is_terminal:
            with err_console.status("保存覆盖率快照（供 history、changes 比较）…"):
                snapshot_now(store)
        else:
            err_console.print("保存覆盖率快照", highlight=False)
            snapshot_now(store)
    return report


def _import_with_progress(store, files: list[Path], dry_run: bool, **options) -> ImportReport:
    from loaders.importer import import_paths

    def describe(shown: list[str], rows: int, summary) -> list:
        return [audit.import_entry(CLI, [Path(f).name for f in shown], rows, summary)]

    if not err_console.is_terminal:
        return import_paths(store, files, dry_run=dry_run, progress=_log_progress(), describe=describe, **options)
    with Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True, disable=not err_console.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return import_paths(store, files, dry_run=dry_run, progress=progress, describe=describe, **options)


def _log_progress():
    """Progress for logs and pipes: one line per stage every tenth of the way."""
    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if shown.get(stage, -1) < tenth:
            shown[stage] = tenth
            err_console.print(f"{stage} {done}/{total}", highlight=False, soft_wrap=True)

    return progress


@contextmanager
def _store_for(uri: str | None, dry_run: bool) -> Iterator:
    """The store to import into. A dry run creates nothing: against a store that does not
    exist yet it checks the files against an empty one in a temporary folder."""
    if dry_run:
        try:
            open_store(uri, create=False).close()
        except StoreMissing:
            with tempfile.TemporaryDirectory(prefix="redchain-dry-run-") as folder, \
                    cli_store(str(Path(folder) / "empty.db"), create=True) as empty:
                yield empty
            return
        except RedchainError:
            pass  # cli_store below reports it
    with cli_store(uri, create=not dry_run) as opened:
        yield opened


def load(
    files: Annotated[list[Path], typer.Argument(metavar="文件", help="CSV/XLSX/XLS/JSON 文件或其所在文件夹（可多个）。", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并列出将发生的变化（含每列如何识别、将删除的关系），不写入。")] = False,
    as_table: Annotated[str | None, typer.Option("--as", metavar="表", help="把每个工作表都当作这张表读取，如 --as ledger（台账）。", show_default=False)] = None,
    maps: Annotated[list[str] | None, typer.Option("--map", metavar="原列名=标准列名", help="指定列名对应关系（可重复），标准列名用中文或英文。", show_default=False)] = None,
    full: Annotated[bool, typer.Option("--full", help="文件是完整台账：库中有而文件中没有的企业移出基数（保留并注明原因）。")] = False,
    full_chains: Annotated[list[str] | None, typer.Option(
        "--chain", metavar="产业链", show_default=False,
        help="与 --full 一起：文件只是这条产业链的完整台账（可重复；编号或名称）：其中未列出的企业移出该链，不在其他产业链的移出基数，其余企业不动。")] = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """导入文件：全部写入或全不写入；重复导入同样的文件不改变数据。"""
    from loaders.importer import BadOption, import_options

    if full_chains and not full:
        raise typer.BadParameter("--chain 只与 --full 一起使用：说明文件是哪几条产业链的完整台账", param_hint="'--chain'")

    try:
        mapping, table = import_options(maps or [], as_table)
    except BadOption as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'--{exc.option}'") from None
    with _store_for(store, dry_run) as s:
        try:
            report = import_with_progress(s, files, dry_run, mapping=mapping, as_table=table, full=full,
                                          full_chains=full_chains or ())
        except ImportFailed as failed:
            if as_json:
                print_json({"ok": False, "total": failed.total, "problems": [p.as_dict() for p in failed.problems],
                            "warnings": [w.as_dict() for w in failed.warnings]})
            else:
                for warning in failed.warnings:  # a column not read may be why a problem is one
                    err_console.print(Text.assemble(("提示:", "yellow"), " ", str(warning)), highlight=False, soft_wrap=True)
                for problem in failed.problems:
                    err_console.print(str(problem), highlight=False, markup=False, soft_wrap=True)
                err_console.print(f"共 {failed.total} 个问题，未写入任何数据。", style="red", highlight=False)
            raise typer.Exit(1) from None
    if as_json:
        print_json(report.to_dict())
        return
    for warning in report.warnings:
        err_console.print(Text.assemble(("提示:", "yellow"), " ", str(warning)), highlight=False, soft_wrap=True)
    if dry_run:
        console.print(Text("各列的识别方式：", style="bold"))
        for mapped in report.header_map:
            console.print(Text(f"  {mapped}"), highlight=False, soft_wrap=True)
    if report.created:
        console.print(Text(f"按名称新建 {len(report.created)} 个对象（编号由名称生成，重复导入不变）：", style="bold"))
        for node_id, (label, name) in list(report.created.items())[:50]:
            console.print(Text(f"  {LABEL_ZH[label]} {name} → {node_id}"), highlight=False, soft_wrap=True)
    if report.removed:
        verb = "将删除" if dry_run else "已删除"
        console.print(Text(f"{verb} {len(report.removed)} 条文件中不再有的关系：", style="bold"))
        for removed in report.removed:
            console.print(Text(f"  {removed}"), highlight=False, soft_wrap=True)
    if report.left_base:
        verb = "将移出" if dry_run else "已移出"
        console.print(Text(f"{verb}基数 {len(report.left_base)} 家（完整台账中不再列出，数据保留）：", style="bold"))
        for node_id, name in report.left_base:
            console.print(Text(f"  {name}（{node_id}）"), highlight=False, soft_wrap=True)
    title = "试导入（未写入）" if dry_run else "导入完成"
    console.print(summary_table(report.summary, f"{title}：{len(report.files)} 个文件，{report.rows} 行"))
    if report.repeated == "bytes":
        console.print("与上次导入的文件相同，图谱其后未改动：未重新读取文件，全部未变。", highlight=False)
    elif report.repeated == "cells":
        console.print("文件重新保存过，内容与上次相同，图谱其后未改动：未重新校验写入，全部未变。", highlight=False)


def template(
    out: Annotated[Path, typer.Argument(metavar="模板文件", help="模板文件保存到哪里（.xlsx）。", show_default=False)],
) -> None:
    """生成 Excel 导入模板：每张表一个工作表，中文表头，带下拉选项。"""
    from loaders.template import write_template

    with writing(out):
        path = write_template(out)
    console.print(f"已生成导入模板：{path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(load)
    app.command()(template)
