"""`redchain report` and `redchain history`.

Text that comes from the data (names, ids, messages naming enterprises) goes into tables
as ``rich.text.Text``, so brackets in a company name are printed, never read as markup.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from api.cli.common import JsonOption, StoreOption, cli_store, console, err_console, print_json
from graph.analysis.chain_structure import require_chain
from graph.analysis.coverage import Coverage, CoverageReport, coverage_report
from graph.analysis.history import HistoryPoint, coverage_history, save_snapshot
from graph.projection import load_projection


class GroupBy(str, Enum):
    chain = "chain"
    segment = "segment"
    park = "park"
    street = "street"


ChainOption = Annotated[str | None, typer.Option("--chain", help="Only this chain's enterprises (chain id).", show_default=False)]
ByOption = Annotated[GroupBy | None, typer.Option("--by", help="One row per chain, segment, park or street.", show_default=False)]
SaveOption = Annotated[bool, typer.Option("--save", help="Also save the report as a dated snapshot for `history`.")]

_GROUP_ZH = {None: "范围", "chain": "产业链", "segment": "环节", "park": "园区", "street": "街道"}
_COVERAGE_COLUMNS = (
    ("基数", "base"),
    ("组织覆盖", "org_covered"),
    ("单独组建覆盖", "covered_by_standalone"),
    ("联合组建覆盖", "covered_by_joint"),
    ("工作覆盖", "work_covered"),
    ("未覆盖", "uncovered"),
    ("组织覆盖率", "org_coverage_rate"),
    ("两个覆盖率", "two_coverage_rate"),
    ("党组织", "party_orgs"),
    ("单独组建", "standalone_orgs"),
    ("联合组建", "joint_orgs"),
    ("产业链党委", "industry_committees"),
)


def percent(rate: float) -> str:
    """A rate as a percentage with two decimals: 0.8462 -> '84.62%'."""
    return f"{rate * 100:.2f}%"


def report(
    by: ByOption = None,
    chain: ChainOption = None,
    as_json: JsonOption = False,
    save: SaveOption = False,
    store: StoreOption = None,
) -> None:
    """Coverage of the base (两个覆盖), in total or per chain, segment, park or street."""
    grouping = by.value if by else None
    with cli_store(store) as s:
        result = coverage_report(load_projection(s), by=grouping, chain=chain)
        if save:
            save_snapshot(s, result, chain=chain)
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(coverage_table(result, grouping, chain))
    if save:
        err_console.print("已保存覆盖率快照。")


_COUNT_COLUMNS = _COVERAGE_COLUMNS[:8]
_ORG_COLUMNS = _COVERAGE_COLUMNS[8:]


def coverage_table(result: CoverageReport, by: str | None, chain: str | None) -> Group:
    """Two tables that fit an 80-column terminal: enterprise coverage, then org counts."""
    title = "党组织覆盖情况" + (f"（产业链 {chain}）" if chain else "")
    return Group(
        _table(result, by, title, _COUNT_COLUMNS),
        _table(result, by, "党组织数量", _ORG_COLUMNS),
    )


def _table(result: CoverageReport, by: str | None, title: str, columns) -> Table:
    table = Table(title=Text(title), box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(_GROUP_ZH[by], overflow="fold", max_width=16)
    for header, _ in columns:
        table.add_column(_two_lines(header), justify="right", no_wrap=True)
    for group in result.groups:
        table.add_row(Text(group.name), *_coverage_cells(group, columns))
    if result.groups:
        table.add_section()
    table.add_row("合计", *_coverage_cells(result.totals, columns), style="bold")
    return table


def _two_lines(header: str) -> str:
    """Long Chinese headers break in the middle so that columns stay narrow."""
    return header if len(header) <= 3 else header[: len(header) // 2] + "\n" + header[len(header) // 2 :]


def _coverage_cells(cov: Coverage, columns=_COVERAGE_COLUMNS) -> list[str]:
    return [percent(getattr(cov, name)) if name.endswith("_rate") else str(getattr(cov, name)) for _, name in columns]


def history(chain: ChainOption = None, as_json: JsonOption = False, store: StoreOption = None) -> None:
    """Coverage snapshots saved with `report --save`, oldest first, with the change each time."""
    with cli_store(store) as s:
        if chain:
            require_chain(load_projection(s), chain)
        points = coverage_history(s, chain=chain)
    if as_json:
        print_json(points)
    elif not points:
        console.print("暂无覆盖率快照：用 report --save 保存一次。")
    else:
        console.print(history_table(points, chain))


def history_table(points: list[HistoryPoint], chain: str | None) -> Table:
    # Two-line headers and a box without outer padding: the table fits an 80-column terminal.
    table = Table(title=Text("覆盖率变化" + (f"（产业链 {chain}）" if chain else "")), box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("日期", no_wrap=True)
    for header in ("基数", "组织\n覆盖", "工作\n覆盖", "未覆盖", "组织\n覆盖率", "变化", "两个\n覆盖率", "变化"):
        table.add_column(header, justify="right", no_wrap=True)
    for p in points:
        table.add_row(
            p.date, str(p.base), str(p.org_covered), str(p.work_covered), str(p.uncovered),
            percent(p.org_coverage_rate), _change(p.org_coverage_rate_delta),
            percent(p.two_coverage_rate), _change(p.two_coverage_rate_delta),
        )  # fmt: skip
    return table


def _change(delta: float | None) -> str:
    return "—" if delta is None else f"{delta * 100:+.2f}%"


def register(app: typer.Typer) -> None:
    """Add `report` and `history` to the top-level app."""
    app.command()(report)
    app.command()(history)

