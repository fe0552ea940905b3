"""`redchain changes`: what changed between two snapshots, or since a date (一月一检查).

Without options it lists what the last import or ``report --save`` changed (the two
latest snapshots); ``--since DATE`` compares the latest snapshot of that day or before
with the graph now; ``--from SNAPSHOT`` compares that snapshot with the graph now; with
``--to SNAPSHOT`` either compares with that snapshot instead, and ``--to`` alone compares
the snapshot before it with it. Names are today's names (a snapshot keeps ids only).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text

from api.cli.common import JsonOption, StoreOption, chain_words, cli_store, console, fail, print_json
from api.cli.coverage import ChainOption, percent
from api.web.style import STATE_ZH
from graph.analysis.changes import CHANGE_LISTS, CHANGE_ZH, LINK_ENDS_ZH, TOTALS_ZH, Changes, EnterpriseChange
from graph.analysis.history import Snapshot, compare
from graph.analysis.membership import require_chain
from graph.analysis.uncovered import REMEDY_ZH
from graph.projection import load_projection
from graph.schema import rate_change_zh
from loaders.values import BadValue, parse_date

SinceOption = Annotated[str | None, typer.Option("--since", help="这一天（含）之前最近的快照与现在比较，如 2026-05-01。", show_default=False)]
FromOption = Annotated[str | None, typer.Option("--from", help="这个快照（其 at 时间，见 history --json）与现在比较。", show_default=False)]
ToOption = Annotated[str | None, typer.Option("--to", help="与这个快照比较，而不是现在；单独使用时，比较它与它之前的一个快照。", show_default=False)]

def changes_command(
    since: SinceOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    chain: ChainOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """有什么变化：企业进出基数、覆盖增减、党组织、联系点、指导员、结对。"""
    if since and from_:
        fail("--since 与 --from 都是比较的起点，只能给一个")
    day = None
    if since:
        try:
            day = _date(since)
        except BadValue as exc:
            fail(f"--since: {exc}")
    with cli_store(store) as s:
        g = load_projection(s)
        if chain:
            require_chain(g, chain)
        found = compare(s, g, since=day, snapshot=from_, to=to, chain=chain)
        named = chain_words(s, found.chain)
    if as_json:
        print_json(found.to_dict())
    else:
        console.print(changes_tables(found.changes, found.before, found.after, named))


def _date(text: str) -> date:
    return date.fromisoformat(parse_date(text))


def changes_tables(result: Changes, before: Snapshot, after: Snapshot | None, chain: str | None) -> Group:
    """The totals before and after, then one table per kind of change; all fit 80 columns.
    ``chain``: the chain's words for the title (``chain_words``)."""
    title = f"变化：{before.date} → {after.date if after else '现在'}" + (f"（产业链 {chain}）" if chain else "")
    parts: list = [_totals_table(result, title)]
    for name in CHANGE_LISTS:
        items = getattr(result, name)
        if items:
            parts.append(_list_table(name, items))
    if not result.count():
        parts.append(Text("没有变化。"))
    return Group(*parts)


def _totals_table(result: Changes, title: str) -> Table:
    table = _titled(title)
    table.add_column("")
    for header in ("之前", "之后", "变化"):
        table.add_column(header, justify="right", no_wrap=True)
    for zh, name in TOTALS_ZH:
        was, now = getattr(result.before, name), getattr(result.after, name)
        if name.endswith("_rate"):
            table.add_row(zh, percent(was), percent(now), rate_change_zh(now - was))
        else:
            table.add_row(zh, str(was), str(now), f"{now - was:+d}")
    return table


def _titled(title: str) -> Table:
    # A title wraps at its table's width: a table of short names is made as wide as its
    # title (up to the 80 columns every table fits), so the title stays on one line.
    return Table(title=Text(title), box=box.SIMPLE_HEAD, pad_edge=False, min_width=min(cell_len(title), 80))


def _list_table(name: str, items) -> Table:
    table = _titled(f"{CHANGE_ZH[name]}（{len(items)}）")
    if isinstance(items[0], EnterpriseChange):
        table.add_column("企业", overflow="fold", ratio=2)
        table.add_column("之前", overflow="fold", ratio=2)
        table.add_column("之后", overflow="fold", ratio=2)
        for e in items:
            table.add_row(Text(f"{e.name}\n{e.id}"), _state(e.state_before, e.remedy_before), _state(e.state_after, e.remedy_after))
    elif name.startswith("orgs_"):
        table.add_column("党组织", overflow="fold")
        for o in items:
            table.add_row(Text(f"{o.name}（{o.id}）"))
    else:
        source, target = LINK_ENDS_ZH[name.rsplit("_", 1)[0]]
        table.add_column(source, overflow="fold", ratio=1)
        table.add_column(target, overflow="fold", ratio=2)
        for link in items:
            table.add_row(Text(f"{link.source_name}（{link.source}）"), Text(f"{link.target_name}\n{link.target}"))
    return table


def _state(state: str | None, remedy: str | None) -> str:
    if state is None:
        return "不在基数内"
    return STATE_ZH[state] + (f"；建议{REMEDY_ZH[remedy]}" if remedy else "")


def register(app: typer.Typer) -> None:
    app.command("changes")(changes_command)
