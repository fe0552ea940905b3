"""Writes too large for one Neo4j transaction go in staged (graph/neo4j_store.py).

A Neo4j of this module's own runs with a small transaction memory limit
(``tools/neo4j/serve --tx-memory 8m``): one transaction holding the whole import fails with
Neo4j's memory error and writes nothing; the same import staged goes in, equal to the same
files imported into SQLite, and so do a re-import (no change) and an update that changes
and removes records. Readers see the graph before or after a staged write, never half of
it; a staged write killed (SIGKILL) while staging leaves readers the graph as before and is
cleaned up by the next store opened; killed while publishing, it is finished by the next.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from graph import cypher
from graph.errors import StoreError
from graph.neo4j_store import Neo4jStore
from graph.records import Document
from graph.sqlite_store import SQLiteStore
from loaders.importer import import_paths
from loaders.uscc import make_uscc
from neo4j_server import clear_server, own_server

ROOT = Path(__file__).resolve().parents[2]
TX_MEMORY = "8m"
COUNT = 4_000  # enterprises: with 3 supply links each, 16,000 records, far more than 8 MB in one transaction
STAGED_ABOVE = 1_000
BATCH = 1_000


def write_files(folder: Path, count: int, *, prefix: str = "A", version: int = 0) -> Path:
    """Enterprises and supply links; ``version`` 1 renames every tenth enterprise, moves every
    seventh to another park and gives every fifth enterprise's links another product."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [make_uscc(f"91430100{prefix}{i:08d}") for i in range(count)]
    with open(folder / "enterprises.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "park", "employees", "party_members"])
        for i, code in enumerate(ids):
            name = f"测试企业{prefix}{i}有限公司" + ("（更名）" if version and i % 10 == 0 else "")
            park = "新园区" if version and i % 7 == 0 else f"园区{i % 9}"
            w.writerow([code, name, park, i % 500, i % 5])
    with open(folder / "supply_links.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["supplier", "customer", "product"])
        for i in range(count):
            for k in range(3):
                product = "新零件" if version and i % 5 == 0 else "零部件"
                w.writerow([ids[i], ids[(i + 1 + (i * 7 + k) % (count - 1)) % count], product])
    return folder


def content(store) -> tuple:
    data = store.read()
    return (
        sorted((n.label.value, n.id, tuple(sorted(n.props.items()))) for n in data.nodes),
        sorted((r.type.value, r.source, r.target, tuple(sorted(r.props.items()))) for r in data.rels),
    )


def raw_count(store: Neo4jStore, statement_text: str) -> int:
    with store._driver.session(database=store.database) as session:
        return session.run(statement_text).single()[0]


STAGED_NODES = f"MATCH (n:{cypher.STAGED_LABEL}) RETURN count(n)"
STAGED_RELS = f"MATCH ()-[s:{cypher.STAGED_TYPE}]->() RETURN count(s)"


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    with own_server(tmp_path_factory.mktemp("neo4j-small"), "--tx-memory", TX_MEMORY) as uri:
        yield uri


def open_small(uri: str, **options) -> Neo4jStore:
    store = Neo4jStore.from_environment(uri)
    store.staged_above = options.get("staged_above", STAGED_ABOVE)
    store.batch_size = options.get("batch_size", BATCH)
    return store


@pytest.fixture
def neo4j(small_server):
    store = open_small(small_server)
    clear_server(store, batch=100)
    yield store
    clear_server(store, batch=100)
    store.close()


def audited(files, rows, summary):
    """An audit entry saved with the write, as the CLI's and the API's imports do."""
    return [Document("audit", f"{summary.version:04d}-{os.urandom(3).hex()}", {"version": summary.version,
                                                                            "added": summary.added})]


def sqlite_import(tmp_path: Path, *folders: Path):
    store = SQLiteStore(tmp_path / "parity.db")
    try:
        for folder in folders:
            import_paths(store, [folder])
        return content(store)
    finally:
        store.close()


@pytest.mark.slow
def test_one_transaction_meets_the_memory_limit_and_the_staged_write_does_not(neo4j, small_server, tmp_path):
    files = write_files(tmp_path / "v0", COUNT)
    single = open_small(small_server, staged_above=None)  # never staged: one transaction
    try:
        with pytest.raises(StoreError, match="事务内存上限.*MemoryPoolOutOfMemoryError|事务内存上限"):
            import_paths(single, [files])
        assert single.version() == 0 and content(single) == ([], [])  # nothing was written
    finally:
        single.close()

    first = import_paths(neo4j, [files], describe=audited).summary
    assert first.added == {"Enterprise": COUNT, "SUPPLIES": 3 * COUNT} and first.version == 1
    assert content(neo4j) == sqlite_import(tmp_path, files)
    assert raw_count(neo4j, STAGED_NODES) == 0 and raw_count(neo4j, STAGED_RELS) == 0

    again = import_paths(neo4j, [files], describe=audited).summary  # a re-import changes nothing
    assert not again.changed and again.version == 1 and neo4j.version() == 1

    update = write_files(tmp_path / "v1", COUNT, version=1)
    preview = import_paths(neo4j, [update], dry_run=True).summary  # counted batch by batch, nothing written
    assert neo4j.version() == 1 and raw_count(neo4j, STAGED_NODES) == 0
    summary = import_paths(neo4j, [update], describe=audited).summary
    assert (preview.added, preview.updated, preview.deleted) == (summary.added, summary.updated, summary.deleted)
    assert summary.updated["Enterprise"] == len({i for i in range(COUNT) if i % 10 == 0 or i % 7 == 0})
    assert summary.version == 2
    assert content(neo4j) == sqlite_import(tmp_path / "again", files, update)
    audit = [body["version"] for _, body in neo4j.documents("audit")]
    assert audit == [1, 1, 2]  # every import has its audit entry, written with its publish


@pytest.mark.slow
def test_a_large_write_falls_back_to_staging_when_one_transaction_is_too_small(neo4j, small_server, tmp_path):
    files = write_files(tmp_path / "v0", COUNT)
    store = open_small(small_server, staged_above=10 * COUNT)  # one transaction first
    try:
        summary = import_paths(store, [files]).summary
        assert summary.added["SUPPLIES"] == 3 * COUNT and store.version() == 1
        assert content(store) == sqlite_import(tmp_path, files)
    finally:
        store.close()


@pytest.mark.slow
def test_readers_see_the_graph_before_or_after_a_staged_write_never_half(neo4j, small_server, tmp_path):
    import_paths(neo4j, [write_files(tmp_path / "v0", COUNT)])
    before = content(neo4j)
    update = write_files(tmp_path / "v1", COUNT, version=1)
    after = sqlite_import(tmp_path, tmp_path / "v0", update)
    seen, failed, stop = [], [], threading.Event()

    def reader():
        store = open_small(small_server)
        try:
            while not stop.is_set():
                seen.append(content(store))
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            failed.append(exc)
        finally:
            store.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        writer = open_small(small_server, batch_size=200)  # many publish steps for the reader to fall between
        import_paths(writer, [update])
        writer.close()
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not failed, f"a reader failed while the write was published: {failed[0]!r}"
    seen.append(content(neo4j))
    assert len(seen) > 2 and all(s in (before, after) for s in seen), "a reader saw a half-published write"
    assert seen[-1] == after


KILLED_IMPORT = textwrap.dedent("""
    import sys
    from graph.neo4j_store import Neo4jStore
    import graph.neo4j_store as store_module
    from loaders.importer import import_paths

    from test_neo4j_staged import audited

    uri, folder, kill_at = sys.argv[1], sys.argv[2], sys.argv[3]
    store = Neo4jStore.from_environment(uri)
    store.staged_above, store.batch_size = {staged_above}, {batch}
    if kill_at == "publish":  # die in the middle of publishing: after the nodes, before the links
        publish_rels = store_module.cypher.PUBLISH_RELS
        original = store_module._Batches.until_done
        def until_done(self, statement, kind=None):
            if statement is publish_rels:
                print("publishing", flush=True)
                import os, signal, time
                time.sleep(60)  # killed here by the test
            return original(self, statement, kind)
        store_module._Batches.until_done = until_done
    def progress(stage, done, total):
        print(stage, done, total, flush=True)
    import_paths(store, [folder], progress=progress, describe=audited)
""").format(staged_above=STAGED_ABOVE, batch=BATCH)


def run_and_kill(uri: str, folder: Path, kill_at: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, uri, str(folder), kill_at], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), str(Path(__file__).parent)])})
    seen = []
    for line in iter(proc.stdout.readline, ""):
        seen.append(line)
        parts = line.split()
        if kill_at == "stage" and parts[:1] == ["写入"] and 0 < int(parts[1]) < int(parts[2]) // 2 < int(parts[1]) * 4:
            break
        if kill_at == "publish" and parts == ["publishing"]:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"not killed where meant: {''.join(seen)[-500:]} {proc.stderr.read()[-1000:]}"


@pytest.mark.slow
def test_a_staged_write_killed_while_staging_leaves_the_graph_as_before(neo4j, small_server, tmp_path):
    import_paths(neo4j, [write_files(tmp_path / "v0", COUNT)])
    before = content(neo4j)
    update = write_files(tmp_path / "v1", COUNT, version=1)

    run_and_kill(small_server, update, "stage")
    assert raw_count(neo4j, STAGED_NODES) + raw_count(neo4j, STAGED_RELS) > 0  # it was killed mid-staging
    assert content(neo4j) == before and neo4j.version() == 1  # readers see the graph as before

    reopened = open_small(small_server)  # the next store opened cleans up
    try:
        assert raw_count(reopened, STAGED_NODES) == 0 and raw_count(reopened, STAGED_RELS) == 0
        assert content(reopened) == before
        assert import_paths(reopened, [update]).summary.version == 2  # and the import goes in whole
        assert content(reopened) == sqlite_import(tmp_path, tmp_path / "v0", update)
    finally:
        reopened.close()


@pytest.mark.slow
def test_a_staged_write_killed_while_publishing_is_finished_by_the_next_store(neo4j, small_server, tmp_path):
    import_paths(neo4j, [write_files(tmp_path / "v0", COUNT)])
    update = write_files(tmp_path / "v1", COUNT, version=1)

    run_and_kill(small_server, update, "publish")
    # A reader opened before the kill waits for the publish, finds its writer dead and finishes it.
    assert content(neo4j) == sqlite_import(tmp_path, tmp_path / "v0", update)
    assert neo4j.version() == 2 and raw_count(neo4j, STAGED_NODES) == 0 and raw_count(neo4j, STAGED_RELS) == 0
    assert [body["version"] for _, body in neo4j.documents("audit")] == [2]  # the finished import has its audit entry


def test_a_write_waits_for_no_staged_write_but_is_refused_during_one(neo4j, small_server, tmp_path):
    """While a staged write is alive (its guard lock held), a one-transaction write is refused
    with a Chinese message and writes nothing; once it is gone, writes go on."""
    from graph.records import Node
    from graph.schema import Label

    neo4j.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    with neo4j._driver.session(database=neo4j.database) as session:
        session.run(cypher.MERGE_GUARD.text()).consume()
        session.run(f"MATCH (m:{cypher.META_LABEL} {{key: 'version'}}) SET m.staging = 'w-test'").consume()
    with neo4j._driver.session(database=neo4j.database) as guard:
        held = guard.begin_transaction()
        held.run(cypher.HOLD_GUARD.text(), staging="w-test").consume()
        with pytest.raises(StoreError, match="另一次大批量写入（w-test）正在写入 Neo4j，本次没有写入任何数据"):
            neo4j.write([Node(Label.CHAIN, "C2", {"name": "链二"})])
        held.rollback()
    neo4j.write([Node(Label.CHAIN, "C2", {"name": "链二"})])  # the dead one is discarded first
    assert [n.id for n in neo4j.read().nodes] == ["C1", "C2"] and neo4j.version() == 2
