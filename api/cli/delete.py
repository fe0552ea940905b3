"""`redchain delete entity|link`: remove by hand what no file says any more."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from graph.schema import LABEL_ZH, Label

from api.cli.common import JsonOption, StoreOption, cli_store, console, print_json, zone_or_fail
from api.core.security.principal import CLI
from api.core.services.deletions import delete_entity, delete_link, describe_link

delete_app = typer.Typer(help="删除：一个对象（企业、党组织、人员等）或一条关系，记入审计日志。", no_args_is_help=True)
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="只列出将删除什么，不写入。")]


def _report(result: dict, as_json: bool, what: str) -> None:
    if as_json:
        print_json(result)
        return
    verb = "将删除" if result["dry_run"] else "已删除"
    if what:
        console.print(Text(f"{verb}{what}"), highlight=False, soft_wrap=True)
    if result["removed_links"]:
        console.print(Text(f"{verb} {len(result['removed_links'])} 条关系：", style="bold"))
        for link in result["removed_links"]:
            console.print(Text(f"  {describe_link(link)}"), highlight=False, soft_wrap=True)
    if result["dry_run"]:
        console.print("（试运行，未写入）")


@delete_app.command("entity")
def entity(
    node_id: Annotated[str, typer.Argument(metavar="编号", help="对象的编号或统一社会信用代码。", show_default=False)],
    cascade: Annotated[bool, typer.Option("--cascade", help="连同它的所有关系一并删除（不加时，还有关系就拒绝）。")] = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """删除一个对象；它还有关系时拒绝并列出这些关系，除非加 --cascade。"""
    if not dry_run:
        zone_or_fail()  # the snapshot after the removal is dated in it
    with cli_store(store) as s:
        result = delete_entity(s, CLI, node_id, cascade=cascade, dry_run=dry_run)
    deleted = result["deleted"]
    _report(result, as_json, f"{LABEL_ZH[Label(deleted['label'])]}“{deleted['name']}”（{deleted['id']}）")


@delete_app.command("link")
def link(
    rel_type: Annotated[str, typer.Argument(metavar="关系", help="关系名称或代码，如 党组织覆盖、联系点、COVERS。", show_default=False)],
    source: Annotated[str, typer.Argument(metavar="起点", help="关系起点的编号。", show_default=False)],
    target: Annotated[str, typer.Argument(metavar="终点", help="关系终点的编号。", show_default=False)],
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """删除一条关系，如某党组织对某企业的覆盖。"""
    if not dry_run:
        zone_or_fail()  # the snapshot after the removal is dated in it
    with cli_store(store) as s:
        result = delete_link(s, CLI, rel_type, source, target, dry_run=dry_run)
    _report(result, as_json, "")


def register(app: typer.Typer) -> None:
    app.add_typer(delete_app, name="delete")
