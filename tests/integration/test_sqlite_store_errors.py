"""SQLiteStore never lets a sqlite3 exception out: a damaged file gives StoreError naming
the file, from every public method, and a missing file opened without ``create`` gives
StoreMissing."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from graph.errors import StoreError, StoreMissing
from graph.records import Node
from graph.schema import Label
from graph.sqlite_store import SQLiteStore



def page_size(db) -> int:
    """The file's page size, from its header (stores are made with 16 KiB pages, older ones have 4 KiB)."""
    with open(db, "rb") as f:
        size = int.from_bytes(f.read(18)[16:18], "big")
    return 65536 if size == 1 else size


@pytest.fixture
def wrecked(tmp_path) -> SQLiteStore:
    """A store whose every page but the first (the schema) was overwritten after writing."""
    db = tmp_path / "wrecked.db"
    store = SQLiteStore(db)
    store.write([Node(Label.CHAIN, f"C{i:04d}", {"name": "链" * 20}) for i in range(2000)])
    store.save_document("plans", "p1", {"kind": "contacts"})
    store.close()
    size, page = db.stat().st_size, page_size(db)
    with open(db, "r+b") as f:
        f.seek(page)
        f.write(b"\xa5" * (size - page))
    store = SQLiteStore(db)  # the schema page is intact: opening works, reading does not
    yield store
    store.close()


CALLS = {
    "version": lambda s: s.version(),
    "read": lambda s: s.read(),
    "labels_of": lambda s: s.labels_of(["C0001"]),
    "documents": lambda s: s.documents("plans"),
    "save_document": lambda s: s.save_document("plans", "p2", {"kind": "pairings"}),
    "write": lambda s: s.write([Node(Label.CHAIN, "C9999", {"name": "新"})]),
    "scan": lambda s: _scanned(s),
}


def _scanned(store: SQLiteStore) -> tuple[list, list]:
    with store.scan() as scan:
        return list(scan.nodes), list(scan.rels)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_every_method_turns_a_damaged_page_into_store_error(wrecked, call):
    with pytest.raises(StoreError, match="文件可能已损坏") as raised:
        call(wrecked)
    assert str(wrecked.path) in str(raised.value)
    assert isinstance(raised.value.__cause__, sqlite3.DatabaseError)


def test_a_failed_read_leaves_no_transaction_open(wrecked):
    with pytest.raises(StoreError):
        wrecked.read()
    assert not wrecked._db.in_transaction
    with pytest.raises(StoreError, match="database disk image is malformed"):
        wrecked.read()  # the same error again, not "cannot start a transaction within a transaction"


def test_a_missing_file_without_create(tmp_path):
    with pytest.raises(StoreMissing, match=r"找不到数据文件 .*x\.db（store file does not exist）"):
        SQLiteStore(tmp_path / "x.db", create=False)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_without_create(tmp_path):
    SQLiteStore(tmp_path / "x.db").close()
    store = SQLiteStore(Path(tmp_path / "x.db"), create=False)
    assert store.version() == 0
    store.close()


def test_a_new_store_file_and_its_journal_are_the_owners_alone(tmp_path):
    """It holds people's names: made 0600 whatever the umask, and SQLite gives its WAL the
    file's mode. A file that exists keeps the mode its owner gave it."""
    old = os.umask(0o022)
    try:
        store = SQLiteStore(tmp_path / "x.db")
        store.write([Node(Label.ENTERPRISE, "E1", {"name": "甲"})])
        assert stat.S_IMODE((tmp_path / "x.db").stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "x.db-wal").stat().st_mode) == 0o600
        store.close()
        (tmp_path / "shared.db").touch(mode=0o640)
        SQLiteStore(tmp_path / "shared.db").close()
        assert stat.S_IMODE((tmp_path / "shared.db").stat().st_mode) == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("stored, reason", [
    ('{"name": "甲"', "Expecting"),  # cut off: not JSON
    ('1], [2', "Extra data"),  # JSON that would split into two rows if read as part of a list
    ("null", None),  # JSON, but not an object: read as it is, as before
])
def test_a_damaged_row_is_read_on_its_own(tmp_path, stored, reason):
    db = tmp_path / "rows.db"
    store = SQLiteStore(db)
    store.write([Node(Label.CHAIN, f"C{i}", {"name": f"链{i}"}) for i in range(3)])
    store.close()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE nodes SET props = ? WHERE id = 'C1'", (stored,))
    store = SQLiteStore(db)
    try:
        if reason is None:
            assert {n.id: n.props for n in store.read().nodes} == {"C0": {"name": "链0"}, "C1": None, "C2": {"name": "链2"}}
        else:
            with pytest.raises(StoreError, match=f"cannot be decoded: {reason}"):
                store.read()
    finally:
        store.close()
