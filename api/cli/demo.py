"""`redchain demo`: load a synthetic high-tech zone through the same importer as user files."""

from __future__ import annotations

import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import StoreOption, cli_store, console, err_console, fail, writing
from api.cli.imports import import_with_progress, summary_table
from graph.errors import ImportFailed


class Scale(str, Enum):
    small = "small"
    district = "district"
    city = "city"


def demo(
    scale: Annotated[Scale, typer.Option(help="规模：small 约 60 家企业，district 约 1,000 家，city 约 100,000 家。")] = Scale.district,
    seed: Annotated[int, typer.Option(help="随机种子：同一种子生成同一园区。")] = 2024,
    out: Annotated[Path | None, typer.Option(help="另把生成的 CSV 文件保存到此文件夹。")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="数据存储已有图谱数据时先清空（令牌、审计日志保留），再导入演示数据。")] = False,
    store: StoreOption = None,
) -> None:
    """生成一个确定的演示园区（同一种子同一结果），像用户文件一样导入。"""
    from loaders.demo import demo_tables, write_demo_csv  # the generator's tables: loaded only to generate

    with console.status(f"正在生成演示数据（{scale.value}，种子 {seed}）…"):
        tables = demo_tables(scale.value, seed)
    with tempfile.TemporaryDirectory(prefix="redchain-demo-") as tmp:
        folder = out or Path(tmp)
        with writing(folder):
            files = write_demo_csv(tables, folder)
        with cli_store(store, create=True) as s:
            existing = [node.id for node in s.read().nodes]
            if existing and not replace:
                fail(f"数据存储已有 {len(existing)} 个图谱对象：演示数据会与它们混在一起。"
                     "加 --replace 先清空图谱数据（令牌、审计日志保留），或用 --store 指定一个新文件")
            if existing:
                s.write(delete_nodes=existing)  # one transaction; their relationships go with them
            try:
                report = import_with_progress(s, files, dry_run=False)
            except ImportFailed as failed:  # the generator and importer disagree: a bug, shown plainly
                for problem in failed.problems[:20]:
                    err_console.print(str(problem), highlight=False, markup=False, soft_wrap=True)
                raise typer.Exit(1) from None
    console.print(summary_table(report.summary, f"演示数据已导入（{scale.value}，种子 {seed}）"))
    if out:
        console.print(f"CSV 文件保存在 {out}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(demo)
