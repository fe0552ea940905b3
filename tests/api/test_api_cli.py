"""`redchain token …`, `redchain audit` and `redchain serve` (its one-time URL)."""

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

from api.cli import server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAUNCH = "import typer; from api.cli import server; app = typer.Typer(); server.register(app); app()"


@pytest.fixture
def cli():
    app = typer.Typer()
    server.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


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
