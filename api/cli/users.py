"""`redchain user add|list|passwd|disable|enable`: the accounts people log into the pages with."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import JsonOption, StoreOption, cli_store, console, fail, print_json
from api.cli.roles import ChainOption, RoleOption, require_chains
from api.core import audit as audit_log
from api.core.errors import InvalidRequest
from api.core.security import accounts
from api.core.security.principal import CLI, ROLE_ZH, Role

user_app = typer.Typer(help="登录账号：添加、列出、改密码、停用或启用。", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(metavar="用户名", help="用户名（汉字、字母、数字和 . _ - @，最多 32 个字符）。", show_default=False)]


def _read_password(name: str) -> str:
    """Twice at a terminal (not echoed); else the first line of standard input, so scripts
    can pipe it in (``echo "$PW" | redchain user add ...``)."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"为 {name} 设置密码（至少 {accounts.MIN_PASSWORD} 个字符）：")
        if getpass.getpass("再输入一次：") != first:
            fail("两次输入的密码不一致，未做任何修改")
        return first
    line = sys.stdin.readline()
    if not line:
        fail("没有读到密码：请在终端中运行以便输入，或从标准输入传入一行密码")
    return line.rstrip("\r\n")


@user_app.command("add")
def user_add(
    name: NameArgument,
    role: RoleOption,
    chain: ChainOption = None,
    note: Annotated[str, typer.Option(help="备注：账号属于谁、做什么用。")] = "",
    store: StoreOption = None,
) -> None:
    """添加账号；密码在终端中输入两次（不显示），或从标准输入读一行。"""
    with cli_store(store, create=True) as s:
        try:
            name = accounts.check_name(name)
        except InvalidRequest as exc:
            fail(exc.message)
        require_chains(s, chain)
        account = accounts.add_account(s, name, Role(role.value), _read_password(name), chain, note)
        audit_log.record(s, CLI, "user_add", {"user": account.name, "role": account.role.value, "chains": account.chains})
    console.print(f"已添加{ROLE_ZH[account.role]}账号 {account.name}"
                  + (f"（限产业链 {'、'.join(account.chains)}）" if account.chains else "（全部产业链）")
                  + "。在登录页 /login 用它登录。")


@user_app.command("list")
def user_list(as_json: JsonOption = False, store: StoreOption = None) -> None:
    """列出账号（不显示密码）。"""
    with cli_store(store) as s:
        found = accounts.list_accounts(s)
    if as_json:
        print_json(found)
        return
    table = Table(title=f"账号（{len(found)} 个）")
    for header in ("用户名", "角色", "产业链", "创建时间（UTC）", "状态", "备注"):
        table.add_column(header, overflow="fold")
    for a in found:
        table.add_row(a.name, ROLE_ZH[a.role], "、".join(a.chains) if a.chains else "全部", a.created.replace("T", " ")[:19],
                      f"已停用 {a.disabled[:10]}" if a.disabled else "正常", a.note)
    console.print(table)


@user_app.command("passwd")
def user_passwd(name: NameArgument, store: StoreOption = None) -> None:
    """改密码（已登录的浏览器不受影响；要它们退出，先停用再启用）。"""
    with cli_store(store) as s:
        accounts.account(s, name)  # an unknown name is refused before the password is asked for
        account = accounts.set_password(s, name, _read_password(name))
        audit_log.record(s, CLI, "user_passwd", {"user": account.name})
    console.print(f"已修改 {account.name} 的密码。")


def _set_disabled(name: str, disabled: bool, store: str | None) -> None:
    with cli_store(store) as s:
        account = accounts.set_disabled(s, name, disabled)
        audit_log.record(s, CLI, "user_disable" if disabled else "user_enable", {"user": account.name})
    console.print(f"账号 {account.name} 已{'停用：不能再登录，已登录的浏览器在下一次操作时退出' if disabled else '启用'}。")


@user_app.command("disable")
def user_disable(name: NameArgument, store: StoreOption = None) -> None:
    """停用账号：不能再登录，已登录的浏览器随即失效；记录保留。"""
    _set_disabled(name, True, store)


@user_app.command("enable")
def user_enable(name: NameArgument, store: StoreOption = None) -> None:
    """重新启用停用的账号。"""
    _set_disabled(name, False, store)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
