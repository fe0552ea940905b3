"""The pages on a Neo4j store: the dashboard and a chain map drawn in real Chromium from a
real Neo4j server, with the same figures as on SQLite. Skipped without the server
tests/conftest.py starts (``NEO4J_URI``)."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn
from typer.testing import CliRunner

from api.cli.main import app
from api.core.settings import Settings
from api.http.app import create_app
from graph.factory import open_store
from neo4j_server import NEO4J_URI, SERVER_SKIP, clear_server
from web.browsing import shot, wait_drawn

pytestmark = pytest.mark.skipif(not NEO4J_URI, reason=SERVER_SKIP)


@pytest.fixture
def neo4j_server():
    store = open_store(NEO4J_URI)
    clear_server(store)
    store.close()
    result = CliRunner().invoke(app, ["demo", "--scale", "district", "--store", NEO4J_URI], env={"REDCHAIN_STORE": None})
    assert result.exit_code == 0, result.output
    application = create_app(Settings(store=NEO4J_URI, warm_up=False))
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield application, f"http://127.0.0.1:{listening.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    listening.close()
    store = open_store(NEO4J_URI)
    clear_server(store)
    store.close()


def test_the_dashboard_and_a_chain_map_on_neo4j(neo4j_server, open_context):
    application, url = neo4j_server
    context, watch = open_context()
    page = context.new_page()
    page.goto(f"{url}/?token={application.state.sessions.new_login_token()}")
    assert page.locator("h1").first.text_content().strip() == "“两个覆盖”总览"
    base = page.locator(".card .value").first.text_content().strip()
    report = CliRunner().invoke(app, ["report", "--json", "--store", NEO4J_URI], env={"REDCHAIN_STORE": None})
    assert base == str(__import__("json").loads(report.stdout)["totals"]["base"])
    page.goto(f"{url}/views/chains/C01")
    wait_drawn(page)
    assert page.evaluate("() => window.redchainNetwork.labelled().length") > 10
    shot(page, "neo4j-chain-C01")
    watch.assert_clean()
