"""`redchain serve`, `redchain token create|list|revoke` and `redchain audit`."""

from __future__ import annotations

import errno
import json
import socket
import sys
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from api.cli.common import JsonOption, StoreOption, cli_store, console, err_console, fail, planners_time, print_json
from api.cli.roles import ChainOption, RoleOption, require_chains
from graph.factory import store_uri

from api.core import audit as audit_log
from api.core.security import accounts, tokens
from api.core.security.principal import CLI, ROLE_ZH, Role


token_app = typer.Typer(help="接口令牌：创建、列出、吊销（供脚本调用接口，也可登录浏览器）。", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="监听地址；只有本机用时保持 127.0.0.1，同事要从别的电脑访问时用 0.0.0.0。")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口。")] = 8000,
    store: StoreOption = None,
) -> None:
    """启动网页和接口服务；还没有任何账号时，打印一个只能使用一次的管理员登录地址。"""
    import uvicorn

    from api.http.app import create_app
    from api.core.settings import Settings

    with cli_store(store) as s:  # refuses a missing or unreadable store here, not in the server's start-up
        first_start = not accounts.list_accounts(s)
    listening = _bind(host, port)  # before any link is printed: a busy port is said at once
    settings = Settings(store=store_uri(store), host=host, port=port)
    app = create_app(settings)
    here = _reachable_host(host)
    # Links go out as plain lines: a console wraps long lines, and a wrapped link cannot be opened.
    lines = [f"redchain 服务已启动，数据：{settings.store}"]
    if first_start:  # once an account exists, an admin link in a console log would be a standing way in
        lines += ["还没有任何账号。管理员首次登录地址（只能使用一次）：",
                  f"    http://{here}:{port}/?token={app.state.sessions.new_login_token()}"]
    else:
        lines.append("已有账号：请在登录页用账号或 API 令牌登录（新建账号：redchain user add 名字 --role admin；"
                     "新建令牌：redchain token create --role admin）。")
    lines += [f"登录页（账号或令牌）：http://{here}:{port}/login",
              f"接口文档：http://{here}:{port}/docs"]
    if host in _ANY_ADDRESS:
        lines.append("已监听所有网络地址：同事在自己的电脑上打开上面的登录页，用 redchain user add 建好的账号登录。")
    lines.append("按 Ctrl+C 停止服务。")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", server_header=False, timeout_graceful_shutdown=GRACE_SECONDS))
    server.run(sockets=[listening])


GRACE_SECONDS = 3  # open requests get this long after Ctrl+C / SIGTERM, then the server stops
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, or a Chinese message when the port is taken or not ours to use."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it a keep-alive client waits ~40 ms per
    # request on Nagle's algorithm meeting delayed ACKs.
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listening.bind((host or "0.0.0.0", port))
        listening.listen(2048)
    except OSError as exc:
        listening.close()
        if exc.errno == errno.EADDRINUSE:
            fail(f"端口 {port} 已被占用（可能已有一个 redchain serve 在运行）：请先停止它，或换一个端口，如 --port {port + 1}")
        if exc.errno == errno.EACCES:
            fail(f"没有权限监听端口 {port}：请用 1024 以上的端口，如 --port 8000")
        fail(f"无法监听 {host}:{port}：{exc.strerror or exc}")
    listening.set_inheritable(True)
    return listening


def _reachable_host(host: str) -> str:
    """The address to print: the host itself, or for "every address" this machine's own
    address on its network (a colleague's browser cannot open 0.0.0.0 or 127.0.0.1)."""
    if host in _ANY_ADDRESS:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            host = probe.getsockname()[0]
        except OSError:
            host = socket.gethostname()
        finally:
            probe.close()
    return f"[{host}]" if ":" in host else host


@token_app.command("create")
def token_create(
    role: RoleOption,
    chain: ChainOption = None,
    note: Annotated[str, typer.Option(help="备注：令牌给谁、做什么用。")] = "",
    store: StoreOption = None,
) -> None:
    """创建 API 令牌并只显示这一次（只保存它的散列）；令牌也可在登录页登录浏览器。"""
    with cli_store(store) as s:
        require_chains(s, chain)
        text, info = tokens.create_token(s, Role(role.value), chain, note)
        audit_log.record(s, CLI, "token_create", {"token": info.id, "role": info.role.value, "chains": info.chains, "note": note})
    err_console.print(f"已创建{ROLE_ZH[info.role]}令牌 {info.id}" + (f"（限产业链 {'、'.join(info.chains)}）" if info.chains else "") + "。令牌只显示这一次：")
    sys.stdout.write(text + "\n")


@token_app.command("list")
def token_list(as_json: JsonOption = False, store: StoreOption = None) -> None:
    """列出令牌（不显示令牌本身）。"""
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
def token_revoke(token_id: Annotated[str, typer.Argument(metavar="令牌编号", help="令牌编号（见 token list）。", show_default=False)], store: StoreOption = None) -> None:
    """吊销令牌：立即失效，用它登录的浏览器也随之退出。"""
    with cli_store(store) as s:
        info = tokens.revoke_token(s, token_id)
        audit_log.record(s, CLI, "token_revoke", {"token": info.id})
    console.print(f"令牌 {info.id} 已吊销（{info.revoked}）。")


def audit(
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="只显示最近 N 条（0：全部）。")] = 0,
    store: StoreOption = None,
) -> None:
    """审计日志：写入、登录、账号与令牌变更、查看人员姓名，按时间先后。"""
    with cli_store(store) as s:
        entries = audit_log.entries(s)
    if limit > 0:
        entries = entries[-limit:]
    if as_json:
        print_json(entries)
        return
    # An audit entry is read whole: the details wrap, they are never cut.
    table = Table(title=f"审计日志（{len(entries)} 条）", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("时间", no_wrap=True)
    table.add_column("主体 / 角色", overflow="fold", ratio=1)
    table.add_column("操作", overflow="fold", ratio=1)
    table.add_column("详情", overflow="fold", ratio=4)
    for e in entries:
        when = planners_time(e["time"])
        action = e["action"]
        table.add_row(when, Text(f"{e['principal']}\n{e['role']}"), Text(f"{audit_log.ACTION_ZH.get(action, action)}\n{action}"),
                      Text(json.dumps(e["details"], ensure_ascii=False, separators=(", ", ": "))))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(audit)
    app.add_typer(token_app, name="token")
