"""One answer whatever the store: the demo district loaded into SQLite and into a real
Neo4j gives identical `--json` output for every analysis and planner of the CLI, and the
same answers from the main API endpoints (a real server over each).

Needs the Neo4j server tests/conftest.py starts (``NEO4J_URI``); skipped without it. Only
what must differ is set aside, and said where: the time a plan or snapshot was made.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from api.cli.main import app
from api.core.security import tokens
from api.core.security.principal import Role
from api.core.settings import Settings
from api.http.app import create_app
from graph.factory import open_store
from neo4j_server import NEO4J_URI, SERVER_SKIP, clear_server

pytestmark = pytest.mark.skipif(not NEO4J_URI, reason=SERVER_SKIP)

ENV = {"COLUMNS": "200", "REDCHAIN_STORE": None}
CHAINS = ("C01", "C02", "C03", "C04", "C05")
COMMANDS = [
    ["report"], *(["report", "--by", by] for by in ("chain", "segment", "park", "street", "kind")),
    ["report", "--chain", "C02"],
    ["gaps", "uncovered"], ["gaps", "orgs"], ["gaps", "pairing"], ["gaps", "contacts"], ["gaps", "uncovered", "--chain", "C03"],
    ["chains", "list"], *(["chains", "structure", c] for c in CHAINS),
    ["plan", "contacts"], ["plan", "instructors"], ["plan", "pairings"], ["plan", "joint-branches"],
    ["plan", "pairings", "--chain", "C01"],
    ["history"], ["changes"],
]
MADE_AT = {"created", "at", "key", "date"}  # when a plan or snapshot was made: differs by the second


def redchain(*args) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def without_times(obj):
    if isinstance(obj, dict):
        return {k: without_times(v) for k, v in obj.items() if k not in MADE_AT}
    if isinstance(obj, list):
        return [without_times(v) for v in obj]
    return obj


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    sqlite = f"sqlite:///{tmp_path_factory.mktemp('parity') / 'district.db'}"
    neo4j = open_store(NEO4J_URI)
    clear_server(neo4j)
    neo4j.close()
    for uri in (sqlite, NEO4J_URI):
        redchain("demo", "--scale", "district", "--store", uri)
        redchain("report", "--save", "--store", uri)  # a second snapshot, for `changes`
    yield sqlite, NEO4J_URI
    neo4j = open_store(NEO4J_URI)
    clear_server(neo4j)
    neo4j.close()


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_analysis_and_planner_answers_the_same_on_both_stores(stores, command):
    sqlite, neo4j = stores
    on_sqlite = json.loads(redchain(*command, "--json", "--store", sqlite))
    on_neo4j = json.loads(redchain(*command, "--json", "--store", neo4j))
    assert without_times(on_neo4j) == without_times(on_sqlite)


@pytest.fixture(scope="module")
def servers(stores):
    """A real uvicorn server over each store (loopback, a free port), and a viewer token."""
    running = []
    for uri in stores:
        store = open_store(uri)
        try:
            token = tokens.create_token(store, Role.VIEWER)[0]
        finally:
            store.close()
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(create_app(Settings(store=uri, warm_up=False)), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        running.append((server, thread, listening, f"http://127.0.0.1:{listening.getsockname()[1]}", token))
    yield [(url, token) for *_, url, token in running]
    for server, thread, listening, *_ in running:
        server.should_exit = True
        thread.join(10)
        listening.close()


@pytest.mark.parametrize("path", ["/api/coverage?by=chain", "/api/gaps/uncovered?limit=500", "/api/gaps/pairing",
                                  "/api/chains/C01/structure", "/api/enterprises?limit=500&chain=C02",
                                  "/api/party-orgs?limit=500", "/api/health"])
def test_the_api_answers_the_same_on_both_stores(servers, path):
    answers = []
    for url, token in servers:
        response = httpx.get(url + path, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    on_sqlite, on_neo4j = answers
    if path == "/api/health":
        on_sqlite.pop("store"), on_neo4j.pop("store")  # "sqlite" / "neo4j": the one thing that should differ
    assert on_neo4j == on_sqlite


def test_a_wrong_password_or_none_is_said_in_chinese(stores):
    if not os.environ.get("REDCHAIN_NEO4J_PASSWORD"):
        pytest.skip("the Neo4j server of this run has no password (NEO4J_URI given from outside)")
    for env, words in (({"REDCHAIN_NEO4J_PASSWORD": "not-the-password"}, "用户名或密码不对：请检查 REDCHAIN_NEO4J_USER（默认 neo4j）和 REDCHAIN_NEO4J_PASSWORD"),
                       ({"REDCHAIN_NEO4J_PASSWORD": None}, "服务器要求登录：请设置 REDCHAIN_NEO4J_PASSWORD（及 REDCHAIN_NEO4J_USER）")):
        result = CliRunner().invoke(app, ["report", "--store", NEO4J_URI], env={**ENV, **env})
        assert result.exit_code == 1
        assert f"错误: 无法连接 Neo4j {NEO4J_URI}（数据库 neo4j）：{words}" in " ".join(result.output.split())
        assert "Traceback" not in result.output
