"""Reads never wait on writes: after another process writes, the server answers from the
version it has while it builds the new one in the background, then moves on; a write
through the server is read back by the next request."""

from __future__ import annotations

import time

from graph.factory import open_store
from graph.records import Node
from graph.schema import Label


def version(server, who: str = "viewer") -> int:
    return server.client(who).get("/api/health").json()["version"]


def test_a_write_from_elsewhere_is_served_once_built_and_the_old_version_until_then(fresh):
    before = version(fresh)
    store = open_store(f"sqlite:///{fresh.db}")
    try:
        store.write([Node(Label.CHAIN, "C09", {"name": "新产业链"})])  # as `redchain load` in another process
    finally:
        store.close()
    assert version(fresh) == before  # answered at once, from the version the server has
    deadline = time.monotonic() + 20
    while version(fresh) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert version(fresh) == before + 1
    assert "C09" in [c["id"] for c in fresh.client("viewer").get("/api/chains").json()["items"]]


def test_the_writer_reads_its_own_write_next(fresh):
    written = fresh.client("editor").post(
        "/api/imports", files=[("files", ("chains.csv", "id,name\nC08,另一条链\n".encode(), "text/csv"))]).json()
    assert version(fresh, "editor") == written["version"]
    assert "C08" in [c["id"] for c in fresh.client("editor").get("/api/chains").json()["items"]]
