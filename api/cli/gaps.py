"""`redchain gaps ...`: where pairing and contact-point work is missing."""

from __future__ import annotations

from typing import Annotated, Iterable

import typer
from rich.table import Table

from api.cli.common import JsonOption, StoreOption, cli_store, console, heading, print_json
from graph.analysis.contact_gaps import contact_gaps
from graph.analysis.pairing_gaps import pairing_gaps
from graph.projection import load_projection
from graph.schema import UNIT_KINDS

gaps_app = typer.Typer(help="Find gaps in party-building work: pairings, contact points and more.", no_args_is_help=True)

ChainOption = Annotated[str | None, typer.Option("--chain", help="Only this chain (its id).", show_default=False)]

_DIRECTION_ZH = {"upstream": "上游", "downstream": "下游"}
_REASON_ZH = {"partner_not_paired": "未与龙头结对", "leader_without_org": "龙头自身无党组织"}
_LABEL_ZH = {"PartyOrg": "党组织", "Enterprise": "企业"}


def _section(title: str, headers: list[str], rows: Iterable[list]) -> None:
    """One titled table, or a line saying there is nothing to show."""
    rows = list(rows)
    if not rows:
        console.print(heading(title, "：无"))
        return
    table = Table(title=f"{title}（{len(rows)}）", title_justify="left", show_lines=False)
    for header in headers:
        table.add_column(header, overflow="fold")  # Chinese text has no spaces to wrap at
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def _list(ids: list[str]) -> str:
    return "、".join(ids)


@gaps_app.command("pairing")
def pairing(store: StoreOption = None, chain: ChainOption = None, json: JsonOption = False) -> None:
    """List co-building gaps: unpaired orgs, idle units, chains without alliance or committee, 1+X gaps."""
    with cli_store(store) as s:
        gaps = pairing_gaps(load_projection(s), chain=chain)
    if json:
        print_json(gaps)
        return
    _section(
        "无结对共建的党组织",
        ["编号", "名称", "星级", "薄弱", "产业链", "说明"],
        ([o.id, o.name, o.star or "未评", "是" if o.weak else "", _list(o.chains), o.message] for o in gaps.unpaired_orgs),
    )
    _section(
        "未帮扶党组织的部门、街道",
        ["编号", "名称", "类型", "说明"],
        ([u.id, u.name, UNIT_KINDS.get(u.kind, u.kind), u.message] for u in gaps.idle_units),
    )
    _section("未组建党建联盟的产业链", ["编号", "名称", "说明"], ([c.id, c.name, c.message] for c in gaps.chains_without_alliance))
    _section("没有产业链党委的产业链", ["编号", "名称", "说明"], ([c.id, c.name, c.message] for c in gaps.chains_without_committee))
    _section(
        "未吸纳龙头企业的联盟",
        ["联盟", "名称", "产业链", "缺少的龙头企业", "说明"],
        ([a.id, a.name, a.chain, _list(a.missing), a.message] for a in gaps.alliances_missing_leaders),
    )
    _section(
        "“1+X”带动缺口",
        ["龙头企业", "上下游企业", "方向", "产业链", "原因", "说明"],
        (
            [f"{x.leader_name}（{x.leader}）", f"{x.partner_name}（{x.partner}）", _DIRECTION_ZH[x.direction],
             _list(x.chains), _REASON_ZH.get(x.reason, x.reason), x.message]
            for x in gaps.one_plus_x_gaps
        ),
    )


@gaps_app.command("contacts")
def contacts(store: StoreOption = None, chain: ChainOption = None, json: JsonOption = False) -> None:
    """List contact-point gaps: leaders below minimum or over capacity, contacts outside their chains, uncontacted chains."""
    with cli_store(store) as s:
        gaps = contact_gaps(load_projection(s), chain=chain)
    if json:
        print_json(gaps)
        return
    _section(
        "联系点不足的领导",
        ["编号", "姓名", "联系点", "最少", "说明"],
        ([l.id, l.name, l.contacts, l.min_contacts, l.message] for l in gaps.below_minimum),
    )
    _section(
        "联系点超过上限的领导",
        ["编号", "姓名", "联系点", "上限", "说明"],
        ([l.id, l.name, l.contacts, l.capacity, l.message] for l in gaps.over_capacity),
    )
    _section(
        "不在分管产业链上的联系点",
        ["领导", "联系对象", "类型", "分管产业链", "联系对象所在产业链", "说明"],
        (
            [f"{o.leader_name}（{o.leader}）", f"{o.target_name}（{o.target}）", _LABEL_ZH.get(o.target_label, o.target_label),
             _list(o.leader_chains), _list(o.target_chains) or "无", o.message]
            for o in gaps.outside_responsibility
        ),
    )
    _section("没有领导联系点的产业链", ["编号", "名称", "说明"], ([c.id, c.name, c.message] for c in gaps.chains_without_contact))
