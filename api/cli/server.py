"""`redchain serve`, `redchain token create|list|revoke` and `redchain audit`."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from api.cli.common import JsonOption, StoreOption, cli_store, console, err_console, fail, print_json
from graph.factory import store_uri
from graph.projection import load_projection
from graph.schema import Label

from api.core import audit as audit_log
from api.core.security import tokens
from api.core.security.principal import CLI, ROLE_ZH, Role


class RoleChoice(str, Enum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1 unless others must reach it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: StoreOption = None,
) -> None:
    """Start the HTTP API and print a one-time admin URL for the browser."""
    import uvicorn

    from api.http.app import create_app
    from api.core.settings import Settings

    with cli_store(store):
        pass  # refuse a missing or unreadable store here, not in the server's start-up
    settings = Settings(store=store_uri(store), host=host, port=port)
    app = create_app(settings)
    login = app.state.sessions.new_login_token()
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
    console.print(f"redchain 服务已启动，数据：{settings.store}")
    console.print("在浏览器中打开以下地址登录（仅可使用一次）：")
    sys.stdout.write(f"    http://{shown_host}:{port}/?token={login}\n")
    sys.stdout.flush()
    console.print(f"接口文档：http://{shown_host}:{port}/docs")
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


@token_app.command("create")
def token_create(
    role: Annotated[RoleChoice, typer.Option("--role", help="viewer reads; editor also imports and applies plans; admin also reads the audit log.")],
    chain: Annotated[list[str] | None, typer.Option("--chain", help="Scope the token to this chain (repeat for several).", show_default=False)] = None,
    note: Annotated[str, typer.Option(help="Who or what the token is for.")] = "",
    store: StoreOption = None,
) -> None:
    """Create a token and print it once: only its hash is stored."""
    with cli_store(store) as s:
        if chain:
            known = set(load_projection(s).graph["by_label"][Label.CHAIN.value])
            unknown = [c for c in chain if c not in known]
            if unknown:
                fail(f"找不到产业链 {'、'.join(unknown)}")
        text, info = tokens.create_token(s, Role(role.value), chain, note)
        audit_log.record(s, CLI, "token_create", {"token": info.id, "role": info.role.value, "chains": info.chains, "note": note})
    err_console.print(f"已创建{ROLE_ZH[info.role]}令牌 {info.id}" + (f"（限产业链 {'、'.join(info.chains)}）" if info.chains else "") + "。令牌只显示这一次：")
    sys.stdout.write(text + "\n")


@token_app.command("list")
def token_list(as_json: JsonOption = False, store: StoreOption = None) -> None:
    """List tokens (never their secrets)."""
    with cli_store(store) as s:
        found = tokens.list_tokens(s)
    if as_json:
        print_json(found)
        return
    table = Table(title=f"令牌（{len(found)} 个）")
    for header in ("编号", "角色", "产业链", "创建时间", "状态", "备注"):
        table.add_column(header)
    for t in found:
        table.add_row(t.id, t.role.value, "、".join(t.chains) if t.chains else "全部", t.created,
                      f"已吊销 {t.revoked}" if t.revoked else "有效", t.note)
    console.print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The token's id (from `token list`).")], store: StoreOption = None) -> None:
    """Revoke a token: it stops working at once."""
    with cli_store(store) as s:
        info = tokens.revoke_token(s, token_id)
        audit_log.record(s, CLI, "token_revoke", {"token": info.id})
    console.print(f"令牌 {info.id} 已吊销（{info.revoked}）。")


def audit(
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="Show only the latest N entries (0: all).")] = 0,
    store: StoreOption = None,
) -> None:
    """The audit log: writes, token changes and reads of people's names, oldest first."""
    with cli_store(store) as s:
        entries = audit_log.entries(s)
    if limit > 0:
        entries = entries[-limit:]
    if as_json:
        print_json(entries)
        return
    # An audit entry is read whole: the details wrap, they are never cut.
    table = Table(title=f"审计日志（{len(entries)} 条）", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("时间（UTC）", no_wrap=True)
    table.add_column("主体 / 角色", overflow="fold", ratio=1)
    table.add_column("操作", overflow="fold", ratio=1)
    table.add_column("详情", overflow="fold", ratio=4)
    for e in entries:
        when = e["time"][:19].replace("T", "\n")  # date over time, to the second
        table.add_row(when, Text(f"{e['principal']}\n{e['role']}"), e["action"],
                      Text(json.dumps(e["details"], ensure_ascii=False, separators=(", ", ": "))))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(audit)
    app.add_typer(token_app, name="token")
