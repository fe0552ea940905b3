"""Reads never wait on writes: after another process writes, the server answers from the
version it has while it builds the new one in the background, then moves on; a write
through the server is read back by the next request."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

from openpyxl import load_workbook

import api_dataset as ds
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


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load_elsewhere(server, tmp_path, rows: list[str]) -> None:
    """`redchain load` of an org_coverage.csv in a process of its own, as a planner runs it."""
    folder = tmp_path / "import"
    folder.mkdir(exist_ok=True)
    (folder / "org_coverage.csv").write_text("org,enterprise\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "api.cli", "load", str(folder), "--store", f"sqlite:///{server.db}"],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_coverage_right_after_a_load_elsewhere_is_of_the_new_version(fresh, tmp_path):
    viewer = fresh.client("viewer")
    before = viewer.get("/api/coverage")
    old = int(before.headers["X-Redchain-Version"])
    assert before.json()["totals"]["org_covered"] == 2 and "X-Redchain-Latest-Version" not in before.headers
    _load_elsewhere(fresh, tmp_path, ["O1," + ds.E1, "O1," + ds.E2])  # O1 now covers E2 too
    # The first read after the load: the server still has the old projection, but the load
    # kept its coverage, so the planner who reloads sees the new figures.
    after = viewer.get("/api/coverage")
    assert after.json()["totals"]["org_covered"] == 3 and after.headers["X-Redchain-Version"] == str(old + 1)
    by_chain = viewer.get("/api/coverage", params={"by": "chain"})
    assert {g["key"]: g["org_covered"] for g in by_chain.json()["groups"]} == {"C01": 2, "C02": 1}
    assert by_chain.headers["X-Redchain-Version"] == str(old + 1)


def test_an_answer_from_the_previous_version_says_so(fresh, tmp_path):
    viewer = fresh.client("viewer")
    old = int(viewer.get("/api/chains").headers["X-Redchain-Version"])
    _load_elsewhere(fresh, tmp_path, ["O1," + ds.E1, "O1," + ds.E2])
    chains = viewer.get("/api/chains")  # the first read after the load: from the projection the server has
    assert (chains.headers["X-Redchain-Version"], chains.headers["X-Redchain-Latest-Version"]) == (str(old), str(old + 1))


def test_a_coverage_workbook_right_after_a_load_elsewhere_is_of_the_new_version(fresh, tmp_path):
    viewer = fresh.client("viewer")
    old = int(viewer.get("/api/coverage").headers["X-Redchain-Version"])
    _load_elsewhere(fresh, tmp_path, ["O1," + ds.E1, "O1," + ds.E2])
    response = viewer.get("/api/reports/coverage.xlsx")
    assert response.headers["X-Redchain-Version"] == str(old + 1) and "X-Redchain-Latest-Version" not in response.headers
    sheet = load_workbook(io.BytesIO(response.content))["总计"]
    stamps = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str) and "数据版本" in c]
    assert stamps and all(f"（数据版本 {old + 1}）" in s for s in stamps), stamps
