"""`redchain token …`, `redchain user …`, `redchain audit` and `redchain serve` (its one-time URL, a busy port, stopping)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest
import typer
from typer.testing import CliRunner

from api.cli import server, users
from api.core.security import tokens
from api.core.security.principal import Role
from graph.factory import open_store

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAUNCH = "import typer; from api.cli import server; app = typer.Typer(); server.register(app); app()"


@pytest.fixture
def cli():
    app = typer.Typer()
    server.register(app)
    users.register(app)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(app, list(args), input=input)


@pytest.fixture
def db(template_db, tmp_path):
    path = tmp_path / "cli.db"
    shutil.copy(template_db[0], path)
    return f"sqlite:///{path}"


def test_token_create_list_revoke(cli, db, tmp_path):
    created = cli("token", "create", "--role", "viewer", "--chain", "C01", "--note", "链长办", "--store", db)
    assert created.exit_code == 0, created.output
    token = re.search(r"rct_\w+_[\w-]+", created.output).group(0)
    token_id = token.split("_")[1]
    listed = json.loads(cli("token", "list", "--json", "--store", db).output)
    mine = next(t for t in listed if t["id"] == token_id)
    assert mine["role"] == "viewer" and mine["chains"] == ["C01"] and mine["revoked"] is None and mine["note"] == "链长办"
    assert token.split("_", 2)[2] not in json.dumps(listed)
    assert cli("token", "revoke", token_id, "--store", db).exit_code == 0
    assert next(t for t in json.loads(cli("token", "list", "--json", "--store", db).output) if t["id"] == token_id)["revoked"]
    audit = json.loads(cli("audit", "--json", "--store", db).output)
    assert [e["action"] for e in audit if e["principal"] == "cli"][-2:] == ["token_create", "token_revoke"]
    assert "token_revoke" in cli("audit", "--store", db).output


def test_token_for_an_unknown_chain_is_refused(cli, db):
    result = cli("token", "create", "--role", "viewer", "--chain", "C77", "--store", db)
    assert result.exit_code == 1 and "找不到产业链 C77" in result.output


def test_revoking_an_unknown_token_says_so(cli, db):
    result = cli("token", "revoke", "nope", "--store", db)
    assert result.exit_code == 1 and "找不到令牌 nope" in result.output


def test_serve_prints_a_one_time_url(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "serve", "--port", str(port), "--store", db],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        deadline = time.monotonic() + 20
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
            url = found.group(0) if found else None
        assert url, "serve printed no login URL"
        with httpx.Client(follow_redirects=False, timeout=10) as browser:
            for _ in range(100):
                try:
                    response = browser.get(url)
                    break
                except httpx.ConnectError:
                    time.sleep(0.1)
            assert response.status_code == 303 and "HttpOnly" in response.headers["set-cookie"]
            assert browser.get(f"http://127.0.0.1:{port}/api/health").json()["status"] == "ok"
            assert browser.get(url).status_code == 401  # one time only
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_prints_no_admin_link_once_an_account_exists(cli, db):
    """The one-time admin link is for the first start: with an account there, a link in the
    console (and its logs) would be one more way in, so serve says how to log in instead."""
    assert cli("user", "add", "li", "--role", "viewer", "--store", db, input="long-enough-1\n").exit_code == 0
    proc, lines = _start(db, "--port", str(_free_port()))
    try:
        text = "".join(lines)
        assert "token=" not in text and "首次登录地址" not in text, text
        assert ("已有账号：请在登录页用账号或 API 令牌登录（新建账号：redchain user add 名字 --role admin；"
                "新建令牌：redchain token create --role admin）。") in text
        assert re.search(r"登录页（账号或令牌）：http://127\.0\.0\.1:\d+/login", text), text
    finally:
        proc.terminate()
        proc.wait(10)


def test_user_add_list_passwd_disable(cli, db):
    added = cli("user", "add", "王芳", "--role", "editor", "--chain", "C01", "--note", "链长办", "--store", db, input="春耕-2026-chain\n")
    assert added.exit_code == 0, added.output
    assert "已添加编辑账号 王芳（限产业链 C01）。在登录页 /login 用它登录。" in added.output
    listed = json.loads(cli("user", "list", "--json", "--store", db).output)
    assert listed == [{"name": "王芳", "role": "editor", "chains": ["C01"], "created": listed[0]["created"],
                       "disabled": None, "note": "链长办"}]  # never the password or its hash
    assert "王芳" in cli("user", "list", "--store", db).output
    assert cli("user", "passwd", "王芳", "--store", db, input="another-password\n").exit_code == 0
    assert "已停用" in cli("user", "disable", "王芳", "--store", db).output
    assert json.loads(cli("user", "list", "--json", "--store", db).output)[0]["disabled"]
    assert cli("user", "enable", "王芳", "--store", db).exit_code == 0
    audit = json.loads(cli("audit", "--json", "--store", db).output)
    assert [e["action"] for e in audit if e["principal"] == "cli"][-4:] == ["user_add", "user_passwd", "user_disable", "user_enable"]


@pytest.mark.parametrize("args, password, message", [
    (["bad/name", "--role", "viewer"], "long-enough-1", "用户名只能包含汉字、字母、数字和 . _ - @，不能包含“/”"),
    (["x" * 33, "--role", "viewer"], "long-enough-1", "用户名须为 1–32 个字符"),
    (["li", "--role", "viewer"], "short", "密码至少 8 个字符"),
    (["li", "--role", "viewer", "--chain", "C77"], "long-enough-1", "找不到产业链 C77；现有产业链：C01"),
    (["li", "--role", "viewer"], "", "没有读到密码"),
])
def test_user_add_refusals_say_why_and_store_nothing(cli, db, args, password, message):
    result = cli("user", "add", *args, "--store", db, input=password + "\n" if password else "")
    assert result.exit_code == 1 and message in result.output
    assert json.loads(cli("user", "list", "--json", "--store", db).output) == []


def test_an_existing_name_is_not_replaced(cli, db):
    assert cli("user", "add", "li", "--role", "viewer", "--store", db, input="long-enough-1\n").exit_code == 0
    again = cli("user", "add", "li", "--role", "admin", "--store", db, input="long-enough-2\n")
    assert again.exit_code == 1 and "用户 li 已存在" in again.output
    assert json.loads(cli("user", "list", "--json", "--store", db).output)[0]["role"] == "viewer"


def test_passwd_of_an_unknown_user_says_so_before_asking(cli, db):
    result = cli("user", "passwd", "nobody", "--store", db)
    assert result.exit_code == 1 and "找不到用户 nobody" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_on_a_busy_port_says_so_before_printing_any_link(db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-c", LAUNCH, "serve", "--port", str(port), "--store", db],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"端口 {port} 已被占用（可能已有一个 redchain serve 在运行）：请先停止它，或换一个端口，如 --port {port + 1}" in done.stderr
    assert "token=" not in done.stdout and "服务已启动" not in done.stdout


def _start(db: str, *args: str) -> tuple[subprocess.Popen, list[str]]:
    """A `serve` process and the lines it printed up to its login page link."""
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "serve", *args, "--store", db],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("按 Ctrl+C 停止服务" in line for line in lines):
        lines.append(proc.stdout.readline())
    return proc, lines


def test_serve_stops_within_five_seconds_of_sigterm_even_with_a_request_open(db):
    store = open_store(db)
    try:
        token = tokens.create_token(store, Role.EDITOR)[0]
    finally:
        store.close()
    port = _free_port()
    proc, lines = _start(db, "--port", str(port))
    try:
        for _ in range(100):
            try:
                idle = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.1)
        # an upload that stops half way: its request stays open until the client gives up
        idle.sendall(b"POST /api/imports HTTP/1.1\r\nHost: x\r\n"
                     b"Authorization: Bearer " + token.encode() + b"\r\n"
                     b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n--b\r\n")
        time.sleep(0.5)
        proc.terminate()
        proc.wait(5)
    finally:
        proc.kill()
        proc.wait(10)
        idle.close()


def test_serve_on_every_address_prints_links_a_colleague_can_open(db):
    proc, lines = _start(db, "--host", "0.0.0.0", "--port", str(_free_port()))
    try:
        text = "".join(lines)
        links = re.findall(r"http://([^/:]+):\d+/", text)
        assert links and all(host not in ("0.0.0.0", "127.0.0.1") for host in links), text
        assert "同事在自己的电脑上打开上面的登录页" in text
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_listens_without_nagle_delays():
    """Keep-alive clients would wait ~40 ms per request on Nagle's algorithm meeting delayed
    ACKs; accepted connections inherit TCP_NODELAY from the listening socket."""
    listening = server._bind("127.0.0.1", 0)
    try:
        assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listening.close()
