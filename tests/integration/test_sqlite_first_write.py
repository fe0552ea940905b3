"""A write into an empty SQLite store builds the secondary indexes after the rows
(``graph.sqlite_store._indexes_after_rows``): whatever becomes of the write, the store
ends with its indexes, whole, and a failed or dry write leaves no row behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph.errors import StoreError
from graph.records import Node, Rel
from graph.schema import Label, RelType
from graph.sqlite_store import SQLiteStore

E1, E2 = "91350100M000100Y43", "914403001922038216"
INDEXES = {"nodes_label", "rels_target"}


def _records():
    return ([Node(Label.ENTERPRISE, E1, {"name": "甲"}), Node(Label.ENTERPRISE, E2, {"name": "乙"}),
             Node(Label.PARTY_ORG, "O1", {"name": "党支部"})],
            [Rel(RelType.COVERS, "O1", E1), Rel(RelType.SUPPLIES, E1, E2, {"product": "钢材"})])


def _indexes_and_health(path: Path) -> tuple[set[str], str]:
    with sqlite3.connect(path) as db:
        names = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        return names, db.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "first.db"


def test_a_first_write_ends_with_its_indexes_holding_every_row(path):
    store = SQLiteStore(path)
    summary = store.write(*_records())
    store.close()
    assert summary.added == {"Enterprise": 2, "PartyOrg": 1, "COVERS": 1, "SUPPLIES": 1}
    assert _indexes_and_health(path) == (INDEXES, "ok")
    with sqlite3.connect(path) as db:  # the indexes answer as the tables do
        assert db.execute("SELECT id FROM nodes INDEXED BY nodes_label WHERE label = 'Enterprise' ORDER BY id").fetchall() == [(E1,), (E2,)]
        assert db.execute("SELECT source FROM rels INDEXED BY rels_target WHERE target = ?", (E1,)).fetchall() == [("O1",)]


def test_a_failed_first_write_leaves_no_row_and_every_index(path):
    store = SQLiteStore(path)
    nodes, rels = _records()
    with pytest.raises(StoreError, match="already a Enterprise"):
        store.write([*nodes, Node(Label.CHAIN, E1, {"name": "链"})], rels)
    assert store.read().nodes == [] and store.version() == 0
    store.close()
    assert _indexes_and_health(path) == (INDEXES, "ok")


def test_a_dry_first_write_counts_and_keeps_the_indexes(path):
    store = SQLiteStore(path)
    summary = store.write(*_records(), dry_run=True)
    assert summary.added == {"Enterprise": 2, "PartyOrg": 1, "COVERS": 1, "SUPPLIES": 1}
    assert store.read().nodes == []
    store.close()
    assert _indexes_and_health(path) == (INDEXES, "ok")


def test_later_writes_count_per_label_and_type_as_the_first(path):
    store = SQLiteStore(path)
    store.write(*_records())
    summary = store.write([Node(Label.ENTERPRISE, E1, {"name": "甲"}), Node(Label.PARTY_ORG, "O2", {"name": "二"})],
                          [Rel(RelType.COVERS, "O2", E2), Rel(RelType.SUPPLIES, E1, E2, {"product": "铜材"})])
    store.close()
    assert summary.added == {"Enterprise": 0, "PartyOrg": 1, "COVERS": 1, "SUPPLIES": 0}
    assert summary.updated == {"Enterprise": 0, "PartyOrg": 0, "COVERS": 0, "SUPPLIES": 1}
    assert summary.unchanged == {"Enterprise": 1, "PartyOrg": 0, "COVERS": 0, "SUPPLIES": 0}
    assert _indexes_and_health(path) == (INDEXES, "ok")


def test_only_the_first_write_builds_the_indexes_after_its_rows(path):
    """The point of it all: the first write drops both indexes and builds them after the
    rows, in its transaction; a write into a store that holds rows touches neither."""
    store = SQLiteStore(path)
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)

    def index_statements() -> list[str]:
        found = [" ".join(s.split()) for s in statements if "INDEX" in s.upper()]
        statements.clear()
        return found

    store.write(*_records())
    assert index_statements() == [
        "DROP INDEX IF EXISTS nodes_label", "DROP INDEX IF EXISTS rels_target",
        "CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label)", "CREATE INDEX IF NOT EXISTS rels_target ON rels(target)",
    ]
    store.write([Node(Label.ENTERPRISE, E1, {"name": "改"})], [])
    assert index_statements() == []
    store.close()
