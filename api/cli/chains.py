"""`redchain chains ...`: list the chains and show one chain's structure.

Laid out for an 80-column terminal as in ``gaps``: things are shown by name with their
code on a line of its own, a code is never split, counts and rates never wrap, long
Chinese headers take two lines, and a rate reads as ``report`` shows it (``percent``; a
segment with no base enterprise is 0.00%, as ``coverage_rate`` and its JSON say).
"""

from __future__ import annotations

from typing import Annotated, Iterable

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from api.cli.common import JsonOption, StoreOption, cli_store, code_width, console, heading, named, print_json, two_lines
from api.cli.coverage import percent
from graph.analysis.chain_structure import CENTRALITY_ZH, chain_structure, chain_summaries
from graph.projection import load_projection
from graph.schema import STAGES, coverage_field_zh

chains_app = typer.Typer(help="产业链：列出产业链，按环节查看一条链的结构。", no_args_is_help=True)

_KIND_ZH = {"articulation": "唯一连接点", "single_supplier": "单一供应商"}
_COVERAGE_COLUMNS = ("base", "org_covered", "work_covered", "uncovered", "org_coverage_rate")


def _table(
    title: str,
    headers: list[str],
    rows: Iterable[list],
    *,
    whole: Iterable[int] = (),
    numbers: Iterable[int] = (),
    codes: dict[int, int] | None = None,
) -> None:
    """One titled table, or a line saying there is nothing to show.

    Columns in ``whole`` (indexes) never wrap (short words); ``numbers`` never wrap and
    are right-aligned, as in ``report``. ``codes`` maps a column to the width of its
    longest code, so that a code on its own line stays whole while the name above it
    folds (Chinese text has no spaces to wrap at)."""
    rows = list(rows)
    if not rows:
        console.print(heading(title, "：无"))
        return
    console.print(Text(title, style="bold"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    whole, numbers, codes = set(whole), set(numbers), codes or {}
    for index, header in enumerate(headers):
        table.add_column(
            header,
            no_wrap=index in whole | numbers,
            justify="right" if index in numbers else "left",
            overflow="fold",
            min_width=codes.get(index),
        )
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text("" if cell is None else str(cell)) for cell in row))
    console.print(table)


@chains_app.command("list")
def list_chains(store: StoreOption = None, json: JsonOption = False) -> None:
    """列出全部产业链及其环节数、企业数。"""
    with cli_store(store) as s:
        summaries = chain_summaries(load_projection(s))
    if json:
        print_json(summaries)
        return
    _table("产业链", ["编号", "名称", "环节数", "企业数"], ([c.id, c.name, c.segments, c.enterprises] for c in summaries),
           whole={0}, numbers={2, 3})


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
    segment_name = {seg.id: seg.name for seg in result.segments}

    def segment_names(ids: Iterable[str]) -> str:
        return "、".join(segment_name.get(s, s) for s in ids)

    _table(
        f"产业链「{result.name}」（{result.id}）各环节",
        ["环节", "位置", "企业数", *(two_lines(coverage_field_zh(f)) for f in _COVERAGE_COLUMNS)],
        (
            [named(seg.name, seg.id), STAGES.get(seg.stage, seg.stage), seg.enterprises, seg.base, seg.org_covered,
             seg.work_covered, seg.uncovered, percent(seg.org_coverage_rate)]
            for seg in result.segments
        ),
        whole={1},
        numbers=range(2, 8),
        codes={0: code_width(seg.id for seg in result.segments)},
    )
    _table(
        "缺链环节",
        ["环节", "位置", "说明"],
        ([named(m.name, m.id), STAGES.get(m.stage, m.stage), m.message] for m in result.missing_segments),
        whole={1},
        codes={0: code_width(m.id for m in result.missing_segments)},
    )
    _table(
        "断链风险",
        ["类型", "企业", "所在环节", "说明"],
        (
            [_KIND_ZH.get(f.kind, f.kind), named(f.enterprise_name, f.enterprise), segment_names(f.enterprise_segments), f.message]
            for f in result.single_points_of_failure
        ),
        whole={0},
        codes={1: code_width(f.enterprise for f in result.single_points_of_failure)},
    )
    _table(
        f"关键企业（{CENTRALITY_ZH[result.centrality]}）",
        ["企业", "得分", "龙头", "所在环节"],
        ([named(k.name, k.id), f"{k.score:.6f}", "是" if k.leading else "", segment_names(k.segments)] for k in result.key_enterprises),
        whole={2},
        numbers={1},
        codes={0: code_width(k.id for k in result.key_enterprises)},
    )


def register(app: typer.Typer) -> None:
    app.add_typer(chains_app, name="chains")
