"""A killed import leaves the store exactly as it was: run a large import in a
subprocess, SIGKILL it while it is writing, and compare the store's content."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from graph.factory import open_store
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths
from loaders.uscc import make_uscc

ROOT = Path(__file__).resolve().parents[2]


def _write_enterprises(folder: Path, count: int, prefix: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    ids = [make_uscc(f"91430100{prefix}{i:08d}") for i in range(count)]
    with open(folder / "enterprises.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "employees", "party_members"])
        w.writerows((code, f"测试企业{prefix}{i}有限公司", i % 500, i % 5) for i, code in enumerate(ids))
    with open(folder / "supply_links.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["supplier", "customer", "product"])
        w.writerows((ids[i], ids[(i + 1 + (i * 7 + k) % (count - 1)) % count], "零部件") for i in range(count) for k in range(3))
    return ids


def _content(store_uri) -> tuple:
    """Version, nodes and relationships of the store ``store_uri`` names (a path or a URI)."""
    store = open_store(str(store_uri))
    try:
        data = store.read()
        return (
            data.version,
            sorted((n.label.value, n.id, tuple(sorted(n.props.items()))) for n in data.nodes),
            sorted((r.type.value, r.source, r.target, tuple(sorted(r.props.items()))) for r in data.rels),
        )
    finally:
        store.close()


def _at_first_batch_written(proc: subprocess.Popen, kill) -> list[str]:
    """Off a terminal the importer logs "写入 done/total" as batches go into the open
    transaction: call ``kill()`` at the first batch that is written but not the last.
    Returns the lines read."""
    seen = []
    for line in iter(proc.stderr.readline, b""):
        seen.append(line.decode())
        parts = seen[-1].split()
        if parts and parts[0] == "写入" and "/" in parts[-1]:
            done, total = map(int, parts[-1].split("/"))
            if 0 < done < total:
                kill()
                break
    return seen


def _load_killed_mid_write(folder: Path, store: str) -> None:
    """``redchain load folder --store store`` in a process of its own, SIGKILLed at the
    first batch written but not the last."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "load", str(folder), "--store", store],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    seen = _at_first_batch_written(proc, lambda: os.kill(proc.pid, signal.SIGKILL))
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the import was not killed mid-write: {''.join(seen)[-500:]}"


@pytest.mark.slow
def test_sigkill_during_import_leaves_store_as_before(tmp_path):
    db = tmp_path / "store.db"
    store = SQLiteStore(db)
    _write_enterprises(tmp_path / "before", 50, "A")
    import_paths(store, [tmp_path / "before"])
    store.close()
    before = _content(db)
    assert before[0] == 1 and len(before[1]) == 50

    _write_enterprises(tmp_path / "big", 60_000, "B")
    _load_killed_mid_write(tmp_path / "big", str(db))

    assert _content(db) == before
    store = SQLiteStore(db)  # and the store is still usable
    summary = import_paths(store, [tmp_path / "big"]).summary
    assert summary.added["Enterprise"] == 60_000
    store.close()


@pytest.mark.slow
def test_sigkill_during_a_first_import_leaves_an_empty_store_with_its_indexes(tmp_path):
    """A first import builds the indexes after the rows, in its transaction: killed
    before that, the store is as new, indexes and all."""
    db = tmp_path / "new.db"
    SQLiteStore(db).close()
    before = _content(db)
    _write_enterprises(tmp_path / "big", 60_000, "B")
    _load_killed_mid_write(tmp_path / "big", str(db))

    assert _content(db) == before == (0, [], [])
    with sqlite3.connect(db) as conn:
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        assert indexes == {"nodes_label", "rels_target"}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_sigkill_during_an_import_into_neo4j_leaves_the_database_as_before(tmp_path):
    from neo4j_server import NEO4J_URI, SERVER_SKIP, clear_server, server_store

    if not NEO4J_URI:
        pytest.skip(SERVER_SKIP)
    store = server_store()
    try:
        _write_enterprises(tmp_path / "before", 50, "A")
        import_paths(store, [tmp_path / "before"])
    finally:
        store.close()
    before = _content(NEO4J_URI)
    assert len(before[1]) == 50

    _write_enterprises(tmp_path / "big", 6_000, "B")  # 24,000 records: five batches
    _load_killed_mid_write(tmp_path / "big", NEO4J_URI)
    assert _content(NEO4J_URI) == before  # the server rolled the open transaction back

    store = open_store(NEO4J_URI)  # and the database takes the same import whole
    try:
        assert import_paths(store, [tmp_path / "big"]).summary.added["Enterprise"] == 6_000
    finally:
        clear_server(store)
        store.close()


def _pid_serving(data: Path) -> int:
    """The JVM of the tools/neo4j/serve that keeps its data in ``data`` (serve execs java)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(data).encode() in cmdline and any(part.endswith(b"java") for part in cmdline[:1]):
                return int(entry.name)
    raise AssertionError(f"no Neo4j serving {data}")


@pytest.mark.slow
def test_the_neo4j_server_killed_mid_import_shows_the_before_state_when_restarted(tmp_path):
    """SIGKILL to the server itself while an import writes: the import fails with a
    message, and the restarted server holds the graph as it was before the import."""
    from neo4j_server import own_server

    data = tmp_path / "neo4j"
    _write_enterprises(tmp_path / "before", 50, "A")
    _write_enterprises(tmp_path / "big", 6_000, "B")  # 24,000 records
    with own_server(data) as uri:
        store = open_store(uri)
        try:
            import_paths(store, [tmp_path / "before"])
        finally:
            store.close()
        before = _content(uri)
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "load", str(tmp_path / "big"), "--store", uri],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seen = _at_first_batch_written(proc, lambda: os.kill(_pid_serving(data / "db"), signal.SIGKILL))
        rest = proc.communicate(timeout=120)[1].decode()
        said = "".join(seen) + rest
        assert proc.returncode == 1 and "Traceback" not in said, said[-1500:]
        assert "错误" in said, said[-1500:]
    with own_server(data) as uri:  # the same data folder, a new process
        assert _content(uri) == before
