"""`redchain demo`: load a synthetic high-tech zone through the same importer as user files."""

from __future__ import annotations

import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import StoreOption, cli_store, console, err_console, writing
from api.cli.imports import import_with_progress, summary_table
from graph.errors import ImportFailed
from loaders.demo import demo_tables, write_demo_csv


class Scale(str, Enum):
    small = "small"
    district = "district"
    city = "city"


def demo(
    scale: Annotated[Scale, typer.Option(help="small ≈ 60 enterprises, district ≈ 1,000, city ≈ 100,000.")] = Scale.district,
    seed: Annotated[int, typer.Option(help="Same seed, same district.")] = 2024,
    out: Annotated[Path | None, typer.Option(help="Also keep the generated CSV files in this folder.")] = None,
    store: StoreOption = None,
) -> None:
    """Generate a deterministic demo district and import it like any user file."""
    with console.status(f"正在生成演示数据（{scale.value}，种子 {seed}）…"):
        tables = demo_tables(scale.value, seed)
    with tempfile.TemporaryDirectory(prefix="redchain-demo-") as tmp:
        folder = out or Path(tmp)
        with writing(folder):
            files = write_demo_csv(tables, folder)
        with cli_store(store, create=True) as s:
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
