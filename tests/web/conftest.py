"""Fixtures of the view tests: the district and the 5,000-enterprise chain in real SQLite
files, a real uvicorn server over each (loopback, a free port), and one headless Chromium
(Debian's ``chromium`` driven by playwright; nothing is downloaded).

Every browser context routes all its requests through a guard that lets only
``127.0.0.1`` and ``file:`` through and records anything else, and every page records
console errors, page errors and dialogs, so each test can assert that nothing left the
machine and nothing ran that should not have.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn

from graph.factory import open_store
from graph.projection import project

from api.http.app import create_app
from api.core.security import tokens
from api.core.security.principal import Role
from api.core.settings import Settings
from web import views_dataset as dataset

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class LiveServer:
    """create_app() served by uvicorn in a thread, on a socket bound to 127.0.0.1:0."""

    def __init__(self, db: Path):
        self.db = db
        self.app = create_app(Settings(store=f"sqlite:///{db}", warm_up=False))
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
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

    def login_url(self) -> str:
        """A fresh one-time admin URL, as ``redchain serve`` prints."""
        return f"{self.url}/?token={self.app.state.sessions.new_login_token()}"

    def token(self, role: Role, chains: list[str] | None = None) -> str:
        store = open_store(f"sqlite:///{self.db}")
        try:
            return tokens.create_token(store, role, chains)[0]
        finally:
            store.close()

    def projection(self):
        store = open_store(f"sqlite:///{self.db}")
        try:
            return project(store.read())
        finally:
            store.close()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


@pytest.fixture(scope="session")
def district_db(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("district")
    db = folder / "district.db"
    store = open_store(f"sqlite:///{db}")
    try:
        facts = dataset.build_district(store, folder / "csv")
    finally:
        store.close()
    return db, facts


@pytest.fixture(scope="session")
def city_db(tmp_path_factory) -> Path:
    """The demo city (100,000 enterprises; chain C02 has about 20,000), imported as a user would."""
    folder = tmp_path_factory.mktemp("city")
    db = folder / "city.db"
    store = open_store(f"sqlite:///{db}")
    try:
        dataset.build_city(store, folder / "csv")
    finally:
        store.close()
    return db


@pytest.fixture(scope="session")
def city_server(city_db, tmp_path_factory):
    live = LiveServer(city_db)  # read only: no copy needed
    yield live
    live.stop()


@pytest.fixture(scope="session")
def big_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("big") / "big.db"
    store = open_store(f"sqlite:///{db}")
    try:
        dataset.build_big_chain(store)
    finally:
        store.close()
    return db


def _serve(db: Path, tmp_path_factory) -> LiveServer:
    copy = tmp_path_factory.mktemp("server") / db.name
    shutil.copy(db, copy)
    return LiveServer(copy)


@pytest.fixture(scope="session")
def server(district_db, tmp_path_factory):
    """The district, for tests that only read (plans are proposed in their own server)."""
    live = _serve(district_db[0], tmp_path_factory)
    yield live
    live.stop()


@pytest.fixture
def fresh_server(district_db, tmp_path_factory):
    """A district server of its own, for a test that writes."""
    live = _serve(district_db[0], tmp_path_factory)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def big_server(big_db, tmp_path_factory):
    live = _serve(big_db, tmp_path_factory)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def xss_id(district_db) -> str:
    return district_db[1]["xss_enterprise"]


# -- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a browser context did that a test may want to forbid."""

    outside: list[str] = field(default_factory=list)  # requests to anywhere but loopback / file:
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # alert(), confirm(), prompt()

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests left the machine: {self.outside}"
        assert self.dialogs == [], f"a dialog was opened: {self.dialogs}"
        assert self.errors == [], f"errors in the page: {self.errors}"


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws") and parts.hostname == "127.0.0.1"


@pytest.fixture
def open_context(browser):
    """``open_context(**options) -> (context, watch)``: a browser context whose requests
    are guarded and whose pages are watched; closed after the test."""
    contexts = []

    def make(**options):
        watch = Watch()
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", **options)  # a planner's window

        def guard(route):
            if _allowed(route.request.url):
                route.continue_()
            else:
                watch.outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)

        def on_page(page):
            page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: watch.errors.append(str(e)))
            page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))

        context.on("page", on_page)
        contexts.append(context)
        return context, watch

    yield make
    for context in contexts:
        context.close()

