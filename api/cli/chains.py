"""`redchain chains ...`: list the chains and show one chain's structure."""

from __future__ import annotations

from typing import Annotated, Iterable

import typer
from rich.table import Table

from api.cli.common import JsonOption, StoreOption, cli_store, console, heading, print_json
from graph.analysis.chain_structure import chain_structure, chain_summaries
from graph.projection import load_projection
from graph.schema import STAGES

chains_app = typer.Typer(help="产业链：列出产业链，按环节查看一条链的结构。", no_args_is_help=True)

_KIND_ZH = {"articulation": "唯一连接点", "single_supplier": "单一供应商"}


def _table(title: str, headers: list[str], rows: Iterable[list]) -> None:
    """One titled table, or a line saying there is nothing to show."""
    rows = list(rows)
    if not rows:
        console.print(heading(title, "：无"))
        return
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header, overflow="fold")  # Chinese text has no spaces to wrap at
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


@chains_app.command("list")
def list_chains(store: StoreOption = None, json: JsonOption = False) -> None:
    """列出全部产业链及其环节数、企业数。"""
    with cli_store(store) as s:
        summaries = chain_summaries(load_projection(s))
    if json:
        print_json(summaries)
        return
    _table("产业链", ["编号", "名称", "环节数", "企业数"], ([c.id, c.name, c.segments, c.enterprises] for c in summaries))


@chains_app.command("structure")
def structure(
    chain_id: Annotated[str, typer.Argument(metavar="产业链编号", help="产业链编号，如 C01。", show_default=False)],
    store: StoreOption = None,
    json: JsonOption = False,
) -> None:
    """按环节查看一条产业链：覆盖情况、缺链环节、单点依赖和关键企业。"""
    with cli_store(store) as s:
        result = chain_structure(load_projection(s), chain_id)
    if json:
        print_json(result)
        return
    _table(
        f"产业链「{result.name}」（{result.id}）各环节",
        ["环节", "名称", "位置", "企业数", "纳入基数", "组织覆盖", "工作覆盖", "未覆盖", "组织覆盖率"],
        (
            [seg.id, seg.name, STAGES.get(seg.stage, seg.stage), seg.enterprises, seg.base, seg.org_covered,
             seg.work_covered, seg.uncovered, f"{seg.org_coverage_rate:.2%}" if seg.base else "—"]
            for seg in result.segments
        ),
    )
    _table("缺链环节", ["环节", "名称", "位置", "说明"], ([m.id, m.name, STAGES.get(m.stage, m.stage), m.message] for m in result.missing_segments))
    _table(
        "断链风险",
        ["类型", "企业", "环节", "受影响的环节对", "说明"],
        (
            [_KIND_ZH.get(f.kind, f.kind), f"{f.enterprise_name}（{f.enterprise}）", f.segment,
             "、".join(f"{a}—{b}" for a, b in f.segment_pairs), f.message]
            for f in result.single_points_of_failure
        ),
    )
    _table(
        f"关键企业（{result.centrality_method}）",
        ["企业", "名称", "得分", "龙头", "环节"],
        ([k.id, k.name, f"{k.score:.6f}", "是" if k.leading else "", "、".join(k.segments)] for k in result.key_enterprises),
    )


def register(app: typer.Typer) -> None:
    app.add_typer(chains_app, name="chains")
