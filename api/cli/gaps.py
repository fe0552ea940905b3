"""`redchain gaps ...`: uncovered enterprises, organisation checks, pairing and contact gaps.

Laid out for an 80-column terminal as a planner reads it: each section states its rule
once under the title, rows carry only what differs between them, things are shown by
name with their code beside them, and a code (18 characters for a credit code) is never
split over two lines.
"""

from __future__ import annotations

from typing import Annotated, Iterable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from api.cli.common import JsonOption, StoreOption, cli_store, console, heading, named, print_json
from graph.analysis.contact_gaps import (
    RULE_CAPACITY,
    RULE_CHAIN_CONTACTED,
    RULE_IN_CHAIN,
    RULE_MIN_CONTACTS,
    contact_gaps,
)
from graph.analysis.membership import name_of
from graph.analysis.org_checks import TITLES, organisation_checks
from graph.analysis.pairing_gaps import (
    RULE_ALLIANCE,
    RULE_ALLIANCE_LEADERS,
    RULE_CO_BUILDING,
    RULE_COMMITTEE,
    RULE_ONE_PLUS_X,
    RULE_UNIT_HELPS,
    pairing_gaps,
)
from graph.analysis.uncovered import REMEDY_ZH, UncoveredEnterprise, uncovered_enterprises
from graph.projection import load_projection
from graph.schema import LABEL_ZH, UNIT_KINDS, Label

gaps_app = typer.Typer(help="查缺口：未覆盖企业、党组织检查、结对共建缺口、联系点缺口。", no_args_is_help=True)

ChainOption = Annotated[str | None, typer.Option("--chain", help="只看这条产业链（编号）。", show_default=False)]
LimitOption = Annotated[int | None, typer.Option("--limit", min=1, help="只列出优先级最高的前 N 家。", show_default=False)]

_DIRECTION_ZH = {"upstream": "上游", "downstream": "下游"}
_REASON_ZH = {"partner_not_paired": "未与龙头结对", "leader_without_org": "龙头自身无党组织"}


def _names(g: nx.MultiDiGraph, ids: Iterable[str]) -> str:
    return "、".join(name_of(g, i) if i in g else i for i in ids)


_NAME_HEADERS = frozenset({"名称", "姓名"})


def _section(title: str, rule: str | None, headers: list[str], rows: Iterable[list], *, codes: int = 0) -> None:
    """One titled table with its rule stated once, or a line saying there is nothing to show.
    The first ``codes`` columns hold codes: never wrapped."""
    rows = list(rows)
    if not rows:
        console.print(heading(title, "：无"))
        return
    console.print(Text(f"{title}（{len(rows)}）", style="bold"))
    if rule:
        console.print(Text(f"依据：{rule}", style="dim"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    cells = [[cell if isinstance(cell, Text) else Text("" if cell is None else str(cell)) for cell in row] for row in rows]
    for index, header in enumerate(headers):
        # Chinese text has no spaces to wrap at: fold it, but keep codes whole; a name keeps
        # up to 15 characters on its line, the columns beside it wrap first
        whole = min(max(cell_len(row[index].plain) for row in cells), 30) if header in _NAME_HEADERS else None
        table.add_column(header, no_wrap=index < codes, overflow="fold", min_width=whole)
    for row in cells:
        table.add_row(*row)
    console.print(table)
    console.print()


# -- uncovered enterprises -------------------------------------------------------------------

@gaps_app.command("uncovered")
def uncovered(chain: ChainOption = None, limit: LimitOption = None, as_json: JsonOption = False,
              store: StoreOption = None) -> None:
    """未建立党组织的企业：按优先级排列，附建议组建方式和已有的工作覆盖。"""
    with cli_store(store) as s:
        g = load_projection(s)
        found = uncovered_enterprises(g, chain=chain)
    if as_json:
        print_json(found[:limit] if limit else found)
        return
    console.print(uncovered_list(g, found, limit=limit))


def uncovered_list(g: nx.MultiDiGraph, found: list[UncoveredEnterprise], *, limit: int | None = None) -> Group:
    """One short block per enterprise: name and code, figures and remedy, who reaches it, why it matters."""
    shown = found[:limit] if limit else found
    title = f"未建立党组织的企业（{len(found)} 家" + (f"，列出前 {len(shown)} 家）" if len(shown) < len(found) else "）")
    parts: list = [Text(title, style="bold"),
                   Text("建议：党员 3 名以上单独组建，1–2 名联合组建，没有党员先派党建指导员。\n")]
    for rank, u in enumerate(shown, start=1):
        people = "；".join(_reacher(g, p) for p in u.work_covered_by)
        parts.append(Text.assemble(
            (f"{rank:>3}. ", "bold"), (u.name, "bold"), f"  {u.id}" if u.name != u.id else "", "\n",
            f"     优先级 {u.priority} · 党员 {_count(u.party_members)} / 职工 {_count(u.employees)}",
            " · 建议 ", (REMEDY_ZH[u.remedy], "bold"), "\n",
            f"     工作覆盖：{people or '无'}",
            *(("\n", f"     原因：{'；'.join(u.reasons)}") if u.reasons else ()),
        ))
    return Group(*parts)


def _reacher(g: nx.MultiDiGraph, node: str) -> str:
    """Who reaches an enterprise, as ``指导员 王五（I1）``: the kind, the name, the code."""
    if node not in g:
        return node
    kind = LABEL_ZH.get(Label(g._node[node]["label"]), "")
    name = name_of(g, node)
    return f"{kind} {name}（{node}）" if name != node else f"{kind} {node}"


def _count(n: int | None) -> str:
    return "—" if n is None else str(n)


# -- organisation checks ---------------------------------------------------------------------

@gaps_app.command("orgs")
def org_checks(chain: ChainOption = None, as_json: JsonOption = False, store: StoreOption = None) -> None:
    """党组织设置提示：规模与层级、联合党组织、覆盖变化等，注明依据。"""
    with cli_store(store) as s:
        found = organisation_checks(load_projection(s), chain=chain)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print(heading("党组织设置提示", "：无"))
    # one section per kind of finding, its rule stated once; wrapped, never cut
    for code, title in TITLES.items():
        rows = [c for c in found if c.code == code]
        if rows:
            _section(f"党组织设置提示：{title}", rows[0].rule, ["党组织", "说明"],
                     ([named(c.name, c.org), c.message] for c in rows))


# -- pairings --------------------------------------------------------------------------------

@gaps_app.command("pairing")
def pairing(store: StoreOption = None, chain: ChainOption = None, json: JsonOption = False) -> None:
    """结对共建缺口：无结对的党组织、未帮扶的单位、缺联盟或党委的产业链、“1+X”缺口。"""
    with cli_store(store) as s:
        g = load_projection(s)
        gaps = pairing_gaps(g, chain=chain)
    if json:
        print_json(gaps)
        return
    _section("无结对共建的党组织", RULE_CO_BUILDING, ["编号", "名称", "星级", "产业链"],
             ([o.id, o.name, f"{o.star}星" if o.star else "未评星（薄弱）" if o.weak else "未评星", _names(g, o.chains)]
              for o in gaps.unpaired_orgs), codes=1)
    _section("未帮扶党组织的部门、街道", RULE_UNIT_HELPS, ["编号", "名称", "类型"],
             ([u.id, u.name, UNIT_KINDS.get(u.kind, u.kind)] for u in gaps.idle_units), codes=1)
    _section("未组建党建联盟的产业链", RULE_ALLIANCE, ["编号", "名称"],
             ([c.id, c.name] for c in gaps.chains_without_alliance), codes=1)
    _section("没有产业链党委的产业链", RULE_COMMITTEE, ["编号", "名称"],
             ([c.id, c.name] for c in gaps.chains_without_committee), codes=1)
    _section("未吸纳龙头企业的联盟", RULE_ALLIANCE_LEADERS, ["编号", "联盟", "产业链", "缺少的龙头企业"],
             ([a.id, a.name, _names(g, [a.chain]), _names(g, a.missing)] for a in gaps.alliances_missing_leaders),
             codes=1)
    _section("“1+X”带动缺口", RULE_ONE_PLUS_X, ["龙头企业", "未带动的上下游企业", "方向", "原因"],
             ([named(x.leader_name, x.leader), named(x.partner_name, x.partner), _DIRECTION_ZH[x.direction],
               _REASON_ZH.get(x.reason, x.reason)] for x in gaps.one_plus_x_gaps))


# -- contact points --------------------------------------------------------------------------

@gaps_app.command("contacts")
def contacts(store: StoreOption = None, chain: ChainOption = None, json: JsonOption = False) -> None:
    """联系点缺口：联系点不足或超限的领导、不在分管产业链上的联系点、没有联系点的产业链。"""
    with cli_store(store) as s:
        g = load_projection(s)
        gaps = contact_gaps(g, chain=chain)
    if json:
        print_json(gaps)
        return
    _section("联系点不足的领导", RULE_MIN_CONTACTS, ["编号", "姓名", "联系点", "最少"],
             ([l.id, l.name, l.contacts, l.min_contacts] for l in gaps.below_minimum), codes=1)
    _section("联系点超过上限的领导", RULE_CAPACITY, ["编号", "姓名", "联系点", "上限"],
             ([l.id, l.name, l.contacts, l.capacity] for l in gaps.over_capacity), codes=1)
    _section("不在分管产业链上的联系点", RULE_IN_CHAIN, ["领导", "联系对象", "分管产业链", "对象所在产业链"],
             ([named(o.leader_name, o.leader), named(o.target_name, o.target), _names(g, o.leader_chains),
               _names(g, o.target_chains) or "无"] for o in gaps.outside_responsibility))
    _section("没有领导联系点的产业链", RULE_CHAIN_CONTACTED, ["编号", "名称"],
             ([c.id, c.name] for c in gaps.chains_without_contact), codes=1)


def register(app: typer.Typer) -> None:
    app.add_typer(gaps_app, name="gaps")
