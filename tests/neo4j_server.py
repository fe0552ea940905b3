"""The Neo4j server of a test run (started by tests/conftest.py, or named by NEO4J_URI),
and how tests empty it of redchain's nodes (only those)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from graph import cypher
from graph.factory import open_store
from graph.neo4j_store import Neo4jStore

ROOT = Path(__file__).resolve().parent.parent
NEO4J_URI = os.environ.get("NEO4J_URI")
SERVER_SKIP = "NEO4J_URI is not set: no Neo4j server to test against (see README, Running with Neo4j)"


def clear_server(store: Neo4jStore, *, batch: int = 10_000) -> None:
    """Delete redchain's nodes (only those) from a test database, in batches of ``batch``."""
    text = cypher.CLEAR_BATCH.text()
    with store._driver.session(database=store.database) as session:
        while session.execute_write(lambda tx: tx.run(text, limit=batch).single()["deleted"]):
            pass


def server_store() -> Neo4jStore:
    store = open_store(NEO4J_URI)
    clear_server(store)
    return store


@pytest.fixture
def neo4j_store():
    """A store on the run's Neo4j, emptied of redchain's nodes before and after the test
    (import it as ``store`` to run a store's tests against Neo4j). Skipped, saying why,
    when there is no server."""
    if not NEO4J_URI:
        pytest.skip(SERVER_SKIP)
    store = server_store()
    yield store
    clear_server(store)
    store.close()


@contextmanager
def own_server(data: Path, *args: str, password: str | None = None, ready_timeout: float = 120):
    """A Neo4j of a test's own (tools/neo4j/serve with ``args``, e.g. ``"--tx-memory", "8m"``)
    on a free port, data in ``data``; yields its URI and stops it (SIGTERM) afterwards.
    Skips the test when Java or Maven are missing; the password is the run's."""
    if not all(shutil.which(tool) for tool in ("java", "javac", "mvn")):
        pytest.skip("no Java / Maven to run tools/neo4j/serve")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    password = password or os.environ.get("REDCHAIN_NEO4J_PASSWORD") or "redchain-tests-own"
    data.mkdir(parents=True, exist_ok=True)
    log = open(data / "serve.log", "w+")
    process = subprocess.Popen([str(ROOT / "tools" / "neo4j" / "serve"), "--port", str(port), "--data", str(data / "db"), *args],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                               env={**os.environ, "REDCHAIN_NEO4J_PASSWORD": password})
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            log.seek(0)
            if "ready bolt://" in log.read():
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"tools/neo4j/serve did not start: {log.read()[-2000:]}")
            time.sleep(0.3)
        yield f"bolt://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
