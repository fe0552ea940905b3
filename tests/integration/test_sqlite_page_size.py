"""A new SQLite store is made with 16 KiB pages (``graph.sqlite_store._PAGE_BYTES``); a
store made before keeps the page size it was made with, and everything it holds."""

from __future__ import annotations

import sqlite3

from graph.records import Node, Rel
from graph.schema import Label, RelType
from graph.sqlite_store import _PAGE_BYTES, SQLiteStore


def _page_size(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA page_size").fetchone()[0]


def test_a_new_store_has_large_pages(tmp_path):
    path = tmp_path / "new.db"
    store = SQLiteStore(path)
    store.write([Node(Label.ENTERPRISE, "E1", {"name": "甲"})])
    store.close()
    assert _PAGE_BYTES == 16384
    assert _page_size(path) == 16384


def test_a_store_made_with_small_pages_keeps_them_and_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # a store as made before: SQLite's 4 KiB pages, in WAL
        db.execute("PRAGMA page_size=4096")
        db.execute("PRAGMA journal_mode=WAL")
    store = SQLiteStore(path)
    store.write([Node(Label.ENTERPRISE, "E1", {"name": "甲"}), Node(Label.PARTY_ORG, "O1", {"formation": "joint"})],
                [Rel(RelType.COVERS, "O1", "E1")])
    store.close()
    reopened = SQLiteStore(path, create=False)
    data = reopened.read()
    reopened.close()
    assert _page_size(path) == 4096
    assert sorted(n.id for n in data.nodes) == ["E1", "O1"] and [r.target for r in data.rels] == ["E1"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
