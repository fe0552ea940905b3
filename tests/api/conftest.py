"""A real uvicorn server on a free loopback port over a real SQLite file, and httpx clients
holding each test token.

The district of ``api_dataset.py`` is built once per session into a template file; every
server gets its own copy, so tests that write never disturb the others.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from graph.factory import open_store

from api.http.app import create_app
from api.core.settings import Settings
import api_dataset as dataset

UPLOAD_LIMIT = dataset.UPLOAD_LIMIT


class LiveServer:
    """create_app() served by uvicorn in a thread, on a socket bound to 127.0.0.1:0."""

    def __init__(self, db: Path, tokens: dict[str, str], configure=None):
        self.db, self.tokens = db, tokens
        self.app = create_app(Settings(store=f"sqlite:///{db}", max_upload_bytes=UPLOAD_LIMIT))
        if configure is not None:
            configure(self.app)  # e.g. routes that fail on purpose
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Accepted connections inherit this: without it keep-alive requests wait ~40 ms on
        # Nagle's algorithm meeting delayed ACKs.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        self._clients: list[httpx.Client] = []
        self._shared: dict[str | None, httpx.Client] = {}

    def client(self, who: str | None = None, **kwargs) -> httpx.Client:
        """A client with the named token (None: no token); one per token unless ``kwargs``
        ask for something special (cookies, redirects), since a client holds state."""
        if not kwargs and who in self._shared:
            return self._shared[who]
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        # Plain HTTP to loopback: verify=False skips loading CA certificates (slow, unused).
        c = httpx.Client(base_url=self.url, headers=headers, timeout=30, verify=False, **kwargs)
        self._clients.append(c)
        if not kwargs:
            self._shared[who] = c
        return c

    def store(self):
        """A second connection to the server's file, for checking what it wrote."""
        return open_store(f"sqlite:///{self.db}")

    def stop(self) -> None:
        for c in self._clients:
            c.close()
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("template")
    db = folder / "template.db"
    store = open_store(f"sqlite:///{db}")
    try:
        tokens = dataset.build(store, folder / "import")
    finally:
        store.close()
    return db, tokens


def _start(template_db, tmp_path_factory) -> LiveServer:
    db, tokens = template_db
    copy = tmp_path_factory.mktemp("server") / "redchain.db"
    shutil.copy(db, copy)
    return LiveServer(copy, tokens)


def started_with(template_db, tmp_path_factory, nodes, rels) -> LiveServer:
    """A server of the district with ``nodes`` and ``rels`` written to it, served at once."""
    server = _start(template_db, tmp_path_factory)
    store = server.store()
    try:
        store.write(nodes, rels)
    finally:
        store.close()
    server.app.state.projection.refresh_now()
    return server


@pytest.fixture(scope="session")
def live(template_db, tmp_path_factory):
    """A server for tests that only read."""
    server = _start(template_db, tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def fresh(template_db, tmp_path_factory):
    """A server of its own, for a test that writes."""
    server = _start(template_db, tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sandbox(template_db, tmp_path_factory):
    """A server for one test module that writes (schemathesis sends whatever it likes)."""
    server = _start(template_db, tmp_path_factory)
    yield server
    server.stop()
