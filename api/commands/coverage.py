"""`redchain report` and `redchain history`, plus `redchain gaps uncovered` and
`redchain gaps orgs` (mounted on the `gaps` sub-app with ``register_gaps``).

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

from api.commands.common import JsonOption, StoreOption, cli_store, console, err_console, print_json
from graph.analysis.chain_structure import require_chain
from graph.analysis.changes import coverage_state
from graph.analysis.coverage import Coverage, CoverageReport, coverage_report
from graph.analysis.history import HistoryPoint, coverage_history, save_snapshot
from graph.analysis.org_checks import TITLES, organisation_checks
from graph.analysis.uncovered import REMEDY_ZH, uncovered_enterprises
from graph.projection import load_projection


class GroupBy(str, Enum):
    chain = "chain"
    segment = "segment"
    park = "park"
    street = "street"
    kind = "kind"


ChainOption = Annotated[str | None, typer.Option("--chain", help="Only this chain's enterprises (chain id).", show_default=False)]
ByOption = Annotated[GroupBy | None, typer.Option("--by", help="One row per chain, segment, park, street or kind (企业/社会组织).", show_default=False)]
SaveOption = Annotated[bool, typer.Option("--save", help="Also save the report as a dated snapshot for `history`.")]

_GROUP_ZH = {None: "范围", "chain": "产业链", "segment": "环节", "park": "园区", "street": "街道", "kind": "类型"}
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
# The figures the seed articles quote (README defines each), in tables of few columns.
_FORMATION_COLUMNS = (
    ("应单独组建", "standalone_eligible"),
    ("已单独组建", "standalone_eligible_own_org"),
    ("单独组建率", "standalone_formation_rate"),
    ("有党员", "with_members"),
    ("有党员已覆盖", "with_members_covered"),
    ("有党员覆盖率", "with_members_coverage_rate"),
)
_STAR_COLUMNS = (
    ("指导员覆盖", "instructor_covered"),
    ("指导员覆盖率", "instructor_coverage_rate"),
    *((f"{zh}星", f"stars.{n}") for n, zh in zip("54321", "五四三二一")),
    ("未评星", "stars.unrated"),
)
_JOINT_COLUMNS = (
    ("示范点", "demonstration_sites"),
    ("联合组建党组织", "joint_orgs"),
    ("平均覆盖企业", "enterprises_per_joint_org_avg"),
    ("最多覆盖企业", "enterprises_per_joint_org_max"),
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
        g = load_projection(s)
        result = coverage_report(g, by=grouping, chain=chain)
        if save:
            save_snapshot(s, result, chain=chain, state=coverage_state(g, chain=chain))
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(coverage_table(result, grouping, chain))
    if save:
        err_console.print("已保存覆盖率快照。")


_COUNT_COLUMNS = _COVERAGE_COLUMNS[:8]
_ORG_COLUMNS = _COVERAGE_COLUMNS[8:]


def coverage_table(result: CoverageReport, by: str | None, chain: str | None) -> Group:
    """Tables that fit an 80-column terminal: enterprise coverage, org counts, then the
    figures the articles quote (应建尽建, 指导员覆盖) and the orgs' stars."""
    title = "党组织覆盖情况" + (f"（产业链 {chain}）" if chain else "")
    return Group(
        _table(result, by, title, _COUNT_COLUMNS),
        _table(result, by, "党组织数量", _ORG_COLUMNS),
        _table(result, by, "应建尽建（党员≥3 单独组建，党员≥1 建有党组织）", _FORMATION_COLUMNS),
        _table(result, by, "党建指导员覆盖与党组织星级", _STAR_COLUMNS),
        _table(result, by, "示范点与联合组建党组织覆盖企业数", _JOINT_COLUMNS),
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
    return [_cell(cov, name) for _, name in columns]


def _cell(cov: Coverage, name: str) -> str:
    if name.startswith("stars."):
        return str(cov.stars[name.removeprefix("stars.")])
    value = getattr(cov, name)
    if name.endswith("_rate"):
        return percent(value)
    return f"{value:.2f}" if isinstance(value, float) else str(value)


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


def uncovered_command(chain: ChainOption = None, as_json: JsonOption = False, store: StoreOption = None) -> None:
    """Base enterprises without a party organisation, most important first, with the remedy each needs."""
    with cli_store(store) as s:
        found = uncovered_enterprises(load_projection(s), chain=chain)
    if as_json:
        print_json(found)
        return
    console.print(uncovered_table(found))


def uncovered_table(found) -> Table:
    """One row per enterprise: name and code together, the remedy, and why it matters."""
    table = Table(title=f"未建立党组织的企业（{len(found)} 家）", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("优先级", justify="right", no_wrap=True)
    table.add_column("企业", overflow="fold", ratio=3)
    table.add_column("党员/职工", justify="right", no_wrap=True)
    table.add_column("建议", no_wrap=True)
    table.add_column("工作覆盖", overflow="fold", ratio=1)
    table.add_column("原因", overflow="fold", ratio=3)
    for u in found:
        table.add_row(
            str(u.priority), Text(f"{u.name}\n{u.id}"), f"{_count(u.party_members)}/{_count(u.employees)}",
            REMEDY_ZH[u.remedy], Text("、".join(u.work_covered_by) if u.work_covered else "否"), "；".join(u.reasons),
        )  # fmt: skip
    return table


def _count(n: int | None) -> str:
    return "—" if n is None else str(n)


def org_checks_command(chain: ChainOption = None, as_json: JsonOption = False, store: StoreOption = None) -> None:
    """Advisory checks on party organisations: size against level, joint orgs, stale coverage."""
    with cli_store(store) as s:
        found = organisation_checks(load_projection(s), chain=chain)
    if as_json:
        print_json(found)
        return
    # Wrapped, never cut: the rule cited is the point of an advisory check.
    table = Table(title=f"党组织设置提示（{len(found)} 条）", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("党组织", overflow="fold", ratio=2)
    table.add_column("问题", overflow="fold", ratio=1)
    table.add_column("说明", overflow="fold", ratio=3)
    table.add_column("依据", overflow="fold", ratio=2)
    for c in found:
        table.add_row(Text(f"{c.name}\n{c.org}"), TITLES[c.code], Text(c.message), Text(c.rule))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `report` and `history` to the top-level app."""
    app.command()(report)
    app.command()(history)


def register_gaps(gaps: typer.Typer) -> None:
    """Add `uncovered` and `orgs` to the `gaps` sub-app (owned elsewhere)."""
    gaps.command("uncovered")(uncovered_command)
    gaps.command("orgs")(org_checks_command)
