"""`redchain report` and `redchain history`.

Text that comes from the data (names, ids, messages naming enterprises) goes into tables
as ``rich.text.Text``, so brackets in a company name are printed, never read as markup.
"""

from __future__ import annotations

from collections import Counter

from typing import Annotated

import typer
from rich import box
from rich.console import Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from api.cli.common import (JsonOption, StoreOption, chain_words, cli_store, console, err_console, planners_time, print_json,
                            two_lines, zone_or_fail)
from graph.analysis.membership import require_chain
from graph.analysis.changes import coverage_state
from graph.analysis.coverage import GROUPINGS, Coverage, CoverageReport, coverage_report
from graph.analysis.history import HistoryPoint, coverage_history, save_snapshot
from graph.kept_answers import coverage_inputs, coverage_question, kept_answer
from graph.projection import load_projection
from graph.schema import GROUPINGS_ZH, POINTS_ZH, STARS_ZH, coverage_field_zh, rate_change_zh


def grouping_of(value: str | None) -> str | None:
    """A ``--by`` value in English or Chinese (chain / 产业链, kind / 类型 …) as the grouping key."""
    if value is None:
        return None
    wanted = value.strip().lower()
    for key in GROUPINGS:
        if wanted in (key, GROUPINGS_ZH[key], "按" + GROUPINGS_ZH[key]):
            return key
    choices = "、".join(f"{GROUPINGS_ZH[k]} {k}" for k in GROUPINGS)
    raise typer.BadParameter(f"'{value}' 不是可选的分组（{choices}）", param_hint="'--by'")


ChainOption = Annotated[str | None, typer.Option("--chain", help="只看这条产业链的企业（产业链编号）。", show_default=False)]
ByOption = Annotated[str | None, typer.Option(
    "--by", callback=grouping_of, metavar="分组",
    help="分组统计：产业链 chain、环节 segment、园区 park、街道 street、类型 kind（企业/社会组织）。", show_default=False)]
SaveOption = Annotated[bool, typer.Option("--save", help="同时保存为带日期的快照（供 history 和 changes 使用）。")]

_GROUP_ZH = {None: "范围", **GROUPINGS_ZH}
# Column headers are the schema's words for each field; ``stars.5`` is one key of ``stars``.
_COVERAGE_COLUMNS = tuple((coverage_field_zh(f), f) for f in (
    "base", "org_covered", "covered_by_standalone", "covered_by_joint", "work_covered", "uncovered",
    "org_coverage_rate", "two_coverage_rate", "party_orgs", "standalone_orgs", "joint_orgs", "industry_committees"))
# The figures the seed articles quote (README defines each), in tables of few columns.
_FORMATION_COLUMNS = tuple((coverage_field_zh(f), f) for f in (
    "standalone_eligible", "standalone_eligible_own_org", "standalone_formation_rate",
    "with_members", "with_members_covered", "with_members_coverage_rate"))
_STAR_COLUMNS = (*((coverage_field_zh(f), f) for f in ("instructor_covered", "instructor_coverage_rate")),
                 *((zh, f"stars.{k}") for k, zh in STARS_ZH.items()))  # the table's title says 党组织星级
_JOINT_COLUMNS = tuple((coverage_field_zh(f), f) for f in (
    "demonstration_sites", "joint_orgs", "enterprises_per_joint_org_avg", "enterprises_per_joint_org_max"))


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
    """“两个覆盖”情况：合计，或按产业链、环节、园区、街道、类型分组。"""
    grouping = by
    if save:
        zone_or_fail()  # the snapshot is dated in it
    with cli_store(store) as s:
        if save:
            g = load_projection(s)
            result = coverage_report(g, by=grouping, chain=chain)
            save_snapshot(s, result, chain=chain, state=coverage_state(g, chain=chain))
        else:  # asked again of an unchanged store: the answer kept last time, without the graph
            result = CoverageReport.from_dict(kept_answer(
                s, coverage_question(grouping, chain), lambda g: coverage_report(g, by=grouping, chain=chain).to_dict(),
                coverage_inputs(grouping, chain)))
        named = None if as_json else chain_words(s, chain)
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(coverage_table(result, grouping, chain, named))
    if save:
        err_console.print("已保存覆盖率快照。")


_COUNT_COLUMNS = _COVERAGE_COLUMNS[:8]
_ORG_COLUMNS = _COVERAGE_COLUMNS[8:]


def coverage_table(result: CoverageReport, by: str | None, chain: str | None, named: str | None = None) -> Group:
    """Tables that fit an 80-column terminal: enterprise coverage, org counts, then the
    figures the articles quote (应建尽建, 指导员覆盖) and the orgs' stars. ``named``: the
    chain's words for the title (``chain_words``)."""
    title = "党组织覆盖情况" + (f"（产业链 {named or chain}）" if chain else "")
    counted_twice = by in ("chain", "segment") and sum(group.base for group in result.groups) > result.totals.base
    unit = "个" if by == "segment" else "条"  # 几条产业链, 几个环节
    return Group(
        _table(result, by, title, _COUNT_COLUMNS),
        *([Text(f"注：在几{unit}{_GROUP_ZH[by]}中的企业每{unit}都计入，各行之和大于合计；合计每家只计一次。\n")] if counted_twice else []),
        _table(result, by, "党组织数量", _ORG_COLUMNS),
        _table(result, by, "应建尽建（党员≥3 单独组建，党员≥1 建有党组织）", _FORMATION_COLUMNS),
        _table(result, by, "党建指导员覆盖与党组织星级", _STAR_COLUMNS),
        _table(result, by, "示范点与联合组建党组织覆盖企业数", _JOINT_COLUMNS),
        Text("注：联合组建覆盖企业数按每个党组织在" + ("本产业链内" if chain else "全部基数中") + "覆盖的企业计"
             + ("，分组各行同此" if by else "")
             + ("；不加 --chain 时按全部基数计，数值可能不同" if chain else "") + "。", overflow="fold"),
    )


def _table(result: CoverageReport, by: str | None, title: str, columns) -> Table:
    """Headers on two lines; on three if that keeps the groups' names (up to eight
    characters) whole in the terminal's width."""
    table = _filled(result, by, title, columns, 2)
    if Measurement.get(console, console.options.update_width(10 * console.width), table).maximum > console.width:
        table = _filled(result, by, title, columns, 3)
    return table


def _filled(result: CoverageReport, by: str | None, title: str, columns, lines: int) -> Table:
    # One space before each figure, none after: the figures are right-aligned under wider
    # headers, and the cells saved keep a long group name (数据中心与云服务) on one line.
    table = Table(title=Text(title), box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1))
    table.add_column(_GROUP_ZH[by], overflow="fold")
    for header, _ in columns:
        table.add_column(two_lines(header, lines), justify="right", no_wrap=True)
    for group in result.groups:
        table.add_row(Text(group.name), *_coverage_cells(group, columns))
    if result.groups:
        table.add_section()
    table.add_row("合计", *_coverage_cells(result.totals, columns), style="bold")
    return table


def _coverage_cells(cov: Coverage, columns=_COVERAGE_COLUMNS) -> list[str]:
    return [_cell(cov, name) for _, name in columns]


def _cell(cov: Coverage, name: str) -> str:
    if name.startswith("stars."):
        return str(cov.stars[name.removeprefix("stars.")])
    value = getattr(cov, name)
    if name.endswith("_rate"):
        return percent(value)
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def history(chain: ChainOption = None, as_json: JsonOption = False, store: StoreOption = None) -> None:
    """历次覆盖率快照，从早到晚，并列出每次的变化（快照在导入、执行规划、删除或 report --save 时保存）。"""
    with cli_store(store) as s:
        if chain:
            require_chain(load_projection(s), chain)
        points = coverage_history(s, chain=chain)
        named = chain_words(s, chain)
    if as_json:
        print_json(points)
    elif not points:
        console.print("暂无覆盖率快照：用 report --save 保存一次。")
    else:
        console.print(history_table(points, named))


def history_table(points: list[HistoryPoint], chain: str | None) -> Table:
    # Two-line headers and a box without outer padding: the table fits an 80-column terminal.
    table = Table(title=Text("覆盖率变化" + (f"（产业链 {chain}）" if chain else "")), box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("日期", no_wrap=True)
    change = f"变化\n{POINTS_ZH.removeprefix('个')}"  # +0.20: percentage points, not per cent
    for header in ("基数", "组织\n覆盖", "工作\n覆盖", "未覆盖", "组织\n覆盖率", change, "两个\n覆盖率", change):
        table.add_column(header, justify="right", no_wrap=True)
    dates = Counter(p.date for p in points)
    for p in points:
        table.add_row(
            _when(p) if dates[p.date] > 1 else p.date, str(p.base), str(p.org_covered), str(p.work_covered), str(p.uncovered),
            percent(p.org_coverage_rate), _change(p.org_coverage_rate_delta),
            percent(p.two_coverage_rate), _change(p.two_coverage_rate_delta),
        )  # fmt: skip
    return table


def _when(point: HistoryPoint) -> str:
    """A snapshot of a day that has several: its date over its time (where it was taken)."""
    return f"{point.date}\n{planners_time(point.at).splitlines()[1]}"


def _change(delta: float | None) -> str:
    return "—" if delta is None else rate_change_zh(delta, unit=False)


def register(app: typer.Typer) -> None:
    """Add `report` and `history` to the top-level app."""
    app.command()(report)
    app.command()(history)

