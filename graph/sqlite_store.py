"""The embedded default store: the whole graph in one SQLite file.

WAL journal, explicit ``BEGIN IMMEDIATE`` transactions and ``synchronous=FULL``: a write
is either committed whole or not at all, even if the process is killed mid-way. Nodes
and relationships are generic rows (label/type + JSON properties); the domain lives in
``graph.schema`` and the analyses.

Every public method turns ``sqlite3.Error`` into ``StoreError`` naming the file, so callers
(the CLI, the API) catch one exception type and show a sentence, not a traceback.
"""

from __future__ import annotations

import functools
import os
import secrets
import json
import re
import sqlite3
import threading
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from itertools import chain, groupby, islice, repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from graph.columns import NodeColumns, PropColumns, RelColumns, Runs
from graph.errors import StoreError, StoreMissing, VersionConflict
from graph.records import Document, GraphData, GraphScan, Node, Rel, WriteSummary
from graph.schema import Label, RelType

# The secondary indexes, by name: made with the tables, and built again after the rows
# when a write fills an empty store (``_indexes_after_rows``).
_INDEXES = {
    "nodes_label": "CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label)",
    "rels_target": "CREATE INDEX IF NOT EXISTS rels_target ON rels(target)",
}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    props TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    type TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (type, source, target)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (collection, key)
) WITHOUT ROWID;
""" + "".join(f"{sql};\n" for sql in _INDEXES.values())

# A relationship is found by its source through the primary key (type, source, target)
# with ``type IN (every type)``, so an index on source alone would only slow imports.
# Stores made before that carry one; dropping it is cheap and loses nothing.
_MIGRATIONS = "DROP INDEX IF EXISTS rels_source;"

_BATCH = 20000
_PAGE_BYTES = 16384  # a new file's page size (see SQLiteStore.__init__)
_CACHE_KIB = 65536  # the page cache (see SQLiteStore.__init__)
_INDEX_BUILD_CACHE_KIB = 8192  # the page cache, and so the sort's memory, while indexes are built
_IN_CHUNK = 900  # stays under SQLite's bound-parameter limit
_DELETE_CHUNK = 400  # twice this plus every relationship type stays under that limit
_TYPES = [t.value for t in RelType]
_TYPE_MARKS = ",".join("?" * len(_TYPES))


# One encoder for every row: ``json.dumps`` with options makes a new one per call, a
# third of the encoding time of the city's 142k nodes.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


# What a chunk of rows is sorted by before it is written. A relationship's rows by their
# source alone: the rows of one source sit together in the primary key (type, source,
# target) whatever their targets' order, so they are written as fast, and one text per
# row sorts faster than the tuples (city demo's 551k relationships: 0.1 s less).
_BY_ID = itemgetter(0)
_BY_SOURCE = itemgetter(1)


def _dumps(props: dict) -> str:
    if not props:  # most relationships carry no properties
        return "{}"
    return _ENCODE(props)


def _dumps_all(items: Iterable[dict]) -> Iterator[str]:
    """``_dumps`` of each, encoding each distinct one-property dict once: a large import's
    relationships mostly carry one property with few values (a supply link's product)."""
    seen: dict[tuple, str] = {}
    for props in items:
        if len(props) != 1:
            yield _dumps(props)
            continue
        ((name, value),) = props.items()
        key = (name, type(value), value)  # 1 == True, but they encode differently
        try:
            text = seen.get(key)
        except TypeError:  # an unhashable value
            yield _dumps(props)
            continue
        if text is None:
            text = seen[key] = _dumps(props)
        yield text


# Values of these types are equal only when they encode alike, so a column's distinct
# values can be encoded once each (not floats: 0.0 == -0.0; not 1 == True across types).
_ENCODED_ONCE = frozenset({str, int, bool})


def _dumps_columns(props: PropColumns, rows: Sequence[int]) -> list[str]:
    """``_dumps`` of the properties of each of ``rows``, made a column at a time: each
    column's distinct values encoded once with their name, and a row's text joined from
    its columns' pieces in name order (what ``sort_keys`` gives), without a dict per row."""
    if len(set(props.names)) != len(props.names):  # a row's dict would keep one of them
        return list(_dumps_all(map(props.row, rows)))
    pieces = [_encoded_column(name, column, rows)
              for name, column in sorted(zip(props.names, props.values), key=itemgetter(0))]
    if not pieces:
        return ["{}"] * len(rows)
    if len(pieces) == 1:  # a relationship table's one property (a supply link's product)
        # One text per distinct value: SQLite binds a text by its UTF-8 form, which Python
        # makes once per string object (a new text per row: executemany 0.15 s slower).
        texts = {piece: "{}" if piece is None else "{" + piece + "}" for piece in set(pieces[0])}
        return list(map(texts.__getitem__, pieces[0]))
    return ["{" + ",".join(filter(None, cells)) + "}" for cells in zip(*pieces)]


def _encoded_column(name: str, column: Sequence, rows: Sequence[int]) -> list[str | None]:
    """``"name":value`` for each of ``rows``; None where the value is blank."""
    key = _ENCODE(name) + ":"
    cells = _picked(column, rows)
    kinds = set(map(type, cells))
    kinds.discard(type(None))
    if len(kinds) == 1 and kinds <= _ENCODED_ONCE:
        texts = {value: key + _ENCODE(value) for value in set(cells) if value is not None}
        texts[None] = None
        return list(map(texts.__getitem__, cells))
    return [None if value is None else key + _ENCODE(value) for value in cells]


def _node_rows(nodes: Iterable[Node] | Runs) -> Iterator[tuple[str, Iterator[tuple]]]:
    """(label, its rows (id, label, props text)) for each run of one label, in order."""
    return _rows_by_run(nodes, NodeColumns, "label", _column_node_rows, _record_node_rows)


def _rows_by_run(records, columns_kind: type, key: str, from_columns, from_records) -> Iterator[tuple[str, Iterator[tuple]]]:
    """(label or type, its rows) for each run of one ``key``, in order: a ``columns_kind``
    run is encoded from its columns, other records one by one."""
    for run in records.runs if isinstance(records, Runs) else (records,):
        if isinstance(run, columns_kind):
            yield getattr(run, key).value, from_columns(run)
            continue
        for value, group in groupby(run, attrgetter(key)):
            yield value.value, from_records(value.value, group)


def _column_node_rows(run: NodeColumns) -> Iterator[tuple]:
    label, ids = run.label.value, run.ids
    for block in _blocks(run.order):
        yield from zip(_picked(ids, block), repeat(label), _dumps_columns(run.props, block))


def _record_node_rows(label: str, records: Iterable[Node]) -> Iterator[tuple]:
    for chunk in _chunks(records, _BATCH):
        yield from zip([n.id for n in chunk], repeat(label), _dumps_all(n.props for n in chunk))


def _rel_rows(rels: Iterable[Rel] | Runs) -> Iterator[tuple[str, Iterator[tuple]]]:
    """(type, its rows (type, source, target, props text)) for each run of one type, in order."""
    return _rows_by_run(rels, RelColumns, "type", _column_rel_rows, _record_rel_rows)


def _column_rel_rows(run: RelColumns) -> Iterator[tuple]:
    rtype, sources, targets = run.type.value, run.sources, run.targets
    for block in _blocks(run.order):
        yield from zip(repeat(rtype), _picked(sources, block), _picked(targets, block), _dumps_columns(run.props, block))


def _blocks(order: Sequence[int]) -> Iterator[Sequence[int]]:
    """``order`` a write chunk at a time; a range stays a range (see ``_picked``)."""
    for start in range(0, len(order), _BATCH):
        yield order[start:start + _BATCH]


def _picked(values: Sequence, rows: Sequence[int]) -> list:
    """``values[i]`` for each of ``rows``: a slice where the rows are a run of a list (a
    table written whole, in its own order), without an index per row."""
    if isinstance(rows, range) and rows.step == 1 and isinstance(values, list):
        return values[rows.start:rows.stop]
    return [values[i] for i in rows]


def _record_rel_rows(rtype: str, records: Iterable[Rel]) -> Iterator[tuple]:
    for chunk in _chunks(records, _BATCH):
        yield from zip(repeat(rtype), [r.source for r in chunk], [r.target for r in chunk], _dumps_all(r.props for r in chunk))


def _joined(runs: Iterable[tuple[str, Iterator[tuple]]]) -> Iterator[tuple[str, Iterator[tuple]]]:
    """Consecutive runs of one label or type as one: written and counted as a single run,
    in the same chunks, as their records would be."""
    for kind, same in groupby(runs, itemgetter(0)):
        yield kind, chain.from_iterable(rows for _, rows in same)


def _failure(path: Path, doing_zh: str, doing_en: str, exc: Exception) -> str:
    """A plain bilingual sentence for a failed SQLite operation on ``path``."""
    # Plain DatabaseError is SQLite's "malformed" / "not a database"; OperationalError
    # (locked, read-only, disk full) and the others are subclasses and say what they are.
    damaged = type(exc) is sqlite3.DatabaseError or isinstance(exc, _Undecodable)
    text = str(exc)
    if damaged:
        hint = "，文件可能已损坏或不是 redchain 数据文件"
    elif "disk is full" in text or "disk I/O error" in text:
        hint = "：磁盘已满或无法写入，本次没有写入任何数据；腾出空间后重试"
    elif "readonly" in text or "read-only" in text:
        hint = "：文件或其所在目录只读，本次没有写入任何数据；请检查权限"
    elif "locked" in text:
        hint = "：另一个程序正在写入，请稍后重试"
    else:
        hint = ""
    return f"无法{doing_zh}数据文件 {path}{hint}（cannot {doing_en} the SQLite store: {exc}）"


@contextmanager
def _converted(path: Path, doing_zh: str, doing_en: str) -> Iterator[None]:
    """``sqlite3.Error`` (and undecodable rows) raised inside become ``StoreError``."""
    try:
        yield
    except (sqlite3.Error, _Undecodable) as exc:
        raise StoreError(_failure(path, doing_zh, doing_en, exc)) from exc


def _sqlite_errors(doing_zh: str, doing_en: str):
    """Decorate a public method: ``sqlite3.Error`` (and undecodable rows) become ``StoreError``."""

    def decorate(method):
        @functools.wraps(method)
        def converted(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.Error, _Undecodable) as exc:
                raise StoreError(_failure(self.path, doing_zh, doing_en, exc)) from exc

        return converted

    return decorate


@contextmanager
def _indexes_after_rows(db: sqlite3.Connection) -> Iterator[None]:
    """Inside a write transaction: when the store holds no node and no relationship, its
    secondary indexes are dropped for the block and built after it, in the same
    transaction. A first import fills them in one sorted pass instead of one random
    B-tree insert per row (city demo: 0.5 s of 2 s of SQLite's work). A write that fails
    or is killed rolls the dropped indexes back with everything else; a store already
    holding rows keeps them, its indexes would be rebuilt in full for a few rows."""
    if db.execute("SELECT EXISTS (SELECT 1 FROM nodes) OR EXISTS (SELECT 1 FROM rels)").fetchone()[0]:
        yield
        return
    for name in _INDEXES:
        db.execute(f"DROP INDEX IF EXISTS {name}")
    yield
    # SQLite sorts an index's keys in memory up to the page cache's size: a small cache
    # while the indexes are built keeps the import's peak where it was (city demo: 306
    # MB with the usual cache, 256 MB with this one, as fast).
    db.execute(f"PRAGMA cache_size=-{_INDEX_BUILD_CACHE_KIB}")
    try:
        for sql in _INDEXES.values():
            db.execute(sql)
    finally:
        db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class SQLiteStore:
    """A graph store in one SQLite file.

    With ``create`` (the default) a missing file, and its folder, are created; without it
    a missing file raises ``StoreMissing``, so that a mistyped path is not taken for an
    empty store.
    """

    kind = "sqlite"

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreMissing(self.path)
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # The store holds people's names and phone numbers: a new file is the
                # owner's alone, and SQLite gives its journal files the file's own mode.
                try:  # only a file that does not exist yet: one its owner can only read must still open
                    os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                except FileExistsError:
                    pass
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            # Pages of 16 KiB, not 4: a new file only (an existing one keeps the size it was
            # made with; WAL fixes it once written). An import into a new store inserts its
            # rows in key order and then builds its two indexes: with larger pages the B-trees
            # are shallower and the index sort spills less (300k demo, in process: the import
            # 14.6 -> 13.7 s, the index builds 1.05 -> 0.88 s; city: 3.85 -> 3.70 s).
            self._db.execute(f"PRAGMA page_size={_PAGE_BYTES}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=OFF")
            # A page cache of 64 MB, not SQLite's 2 MB: the relationships' target index is
            # filled in random order. Nodes and relationships are written in key order, a
            # B-tree page after the next, so a larger cache (256 MB before) saved no CPU time
            # at city scale and was a fifth of the peak of a 2·10⁶-row import.
            self._db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            # Temporary data in files: an index built after the rows sorts its keys in
            # memory up to the page cache's size and in temporary files beyond it; held in
            # memory instead, the sort of 3·10⁶ relationships' targets took 0.2 GB more.
            self._db.execute("PRAGMA temp_store=FILE")
            self._db.executescript(_SCHEMA + _MIGRATIONS)
            # Small keyed reads (the version, one document) on a connection of their own: a
            # server checks them on every request and must not queue behind a long read of the
            # whole graph (a projection rebuild) holding the main connection.
            self._quick = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(_failure(self.path, "打开", "open", exc)) from exc
        self._lock = threading.RLock()
        self._quick_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(_failure(self.path, "写入", "write to", exc)) from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        # SQLite may already have rolled back (a damaged page, a full disk): rolling back
        # again would raise and hide the error that matters.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    @_sqlite_errors("读取", "read")
    def projection_key(self) -> tuple[str, int] | None:
        """(store id, version) for the projection cache kept beside the file; None before the
        first write. A store written before stores had ids gets one here (the version stays).

        The id carries the token of the last write (``_bump_version``): an older copy of
        the file put back, then written as often as the file it replaced, reaches the same
        version with other content, and must not be answered from what was kept for that."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                found = self._db.execute("SELECT value FROM meta WHERE key='store_id'").fetchone()
                written = self._db.execute("SELECT value FROM meta WHERE key='written'").fetchone()
                version = self._version(self._db)
            finally:
                self._rollback()
            if found is not None and written is not None:
                found = (f"{found[0]}.{written[0]}",)
            if found is None and version > 0:
                try:
                    with self._transaction() as db:
                        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', ?)", (secrets.token_hex(16),))
                        found = db.execute("SELECT value FROM meta WHERE key='store_id'").fetchone()
                except StoreError:
                    return None  # a read-only file: no projection kept for it, nothing else changes
        return (found[0], version) if found else None

    @_sqlite_errors("读取", "read")
    def version(self) -> int:
        with self._quick_lock:
            row = self._quick.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _version(db: sqlite3.Connection) -> int:
        return int((db.execute("SELECT value FROM meta WHERE key='version'").fetchone() or [0])[0])

    def _bump_version(self, db: sqlite3.Connection) -> int:
        # A store's id tells its cached projection from another store's at the same version.
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', ?)", (secrets.token_hex(16),))
        new = self._version(db) + 1
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('version', ?)", (str(new),))
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('written', ?)", (secrets.token_hex(8),))
        return new

    # -- writes ---------------------------------------------------------------------

    def write(
        self,
        nodes: Iterable[Node] = (),
        rels: Iterable[Rel] = (),
        *,
        delete_nodes: Iterable[str] = (),
        delete_rels: Iterable[tuple[str, str, str]] = (),
        documents: Iterable[Document] | Callable[[WriteSummary], Iterable[Document]] = (),
        expected_version: int | None = None,
        progress=None,
        dry_run: bool = False,
    ) -> WriteSummary:
        delete_nodes, delete_rels = list(delete_nodes), list(delete_rels)
        summary = WriteSummary()
        tick = progress or (lambda n: None)
        try:
            with self._transaction() as db:
                if expected_version is not None and self._version(db) != expected_version:
                    raise VersionConflict(expected_version, self._version(db))
                # Records are taken as they come, a run of one label or type at a time and
                # a chunk at a time: an import of millions streams through, never listed.
                # Runs given as columns (``graph.columns``) are encoded a column at a time.
                with _indexes_after_rows(db):
                    for label, rows in _joined(_node_rows(nodes)):
                        self._upsert_nodes(db, label, rows, summary, tick)
                    for rtype, rows in _joined(_rel_rows(rels)):
                        self._upsert_rels(db, rtype, rows, summary, tick)
                self._delete(db, delete_nodes, delete_rels, summary)
                if dry_run:
                    summary.version = self.version()
                    raise _DryRun
                summary.version = self._bump_version(db) if summary.changed else self._version(db)
                made = documents(summary) if callable(documents) else documents
                db.executemany("INSERT OR REPLACE INTO documents(collection, key, body) VALUES (?, ?, ?)",
                               [(d.collection, d.key, _dumps(d.body)) for d in made])
        except _DryRun:
            pass
        except sqlite3.Error as exc:
            raise StoreError(_failure(self.path, "写入", "write to", exc) + "；未写入任何数据（nothing was written）") from exc
        return summary

    @staticmethod
    def _check_labels(db: sqlite3.Connection, label: str, ids: list[str]) -> None:
        for chunk in _chunks(ids, _IN_CHUNK):
            marks = ",".join("?" * len(chunk))
            for node_id, stored in db.execute(f"SELECT id, label FROM nodes WHERE id IN ({marks}) AND label <> ?", [*chunk, label]):
                raise StoreError(f"id {node_id} is already a {stored}; it cannot become a {label}")

    # One statement per row, run by executemany: new rows are inserted, existing ones get
    # their properties merged, and rows whose merged properties are unchanged are not
    # touched (so not counted by total_changes). Added = the growth of the table's row
    # count over a run of one label or type (the only rows a run can add: an id stored
    # under another label is refused); updated = the other changes. The whole table is
    # counted, not the label's or type's rows: SQLite counts a table from its B-tree's
    # pages (1 ms for the city's 551k relationships, 14 ms for its 300k supply links).
    _UPSERT_NODE = """
        INSERT INTO nodes(id, label, props) VALUES (?1, ?2, ?3)
        ON CONFLICT(id) DO UPDATE SET props = json_patch(props, excluded.props)
        WHERE json_patch(props, excluded.props) <> props"""
    _UPSERT_REL = """
        INSERT INTO rels(type, source, target, props) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT(type, source, target) DO UPDATE SET props = json_patch(props, excluded.props)
        WHERE json_patch(props, excluded.props) <> props"""

    def _upsert_nodes(self, db, label: str, rows: Iterable[tuple], summary: WriteSummary, tick) -> None:
        def check(chunk: list[tuple]) -> None:
            self._check_labels(db, label, [row[0] for row in chunk])

        self._upsert(db, self._UPSERT_NODE, rows, check, _BY_ID, "SELECT count(*) FROM nodes", label, summary, tick)

    def _upsert_rels(self, db, rtype: str, rows: Iterable[tuple], summary: WriteSummary, tick) -> None:
        self._upsert(db, self._UPSERT_REL, rows, None, _BY_SOURCE, "SELECT count(*) FROM rels", rtype, summary, tick)

    @staticmethod
    def _upsert(db, sql: str, rows: Iterable[tuple], check: Callable[[list[tuple]], None] | None,
                order: Callable[[tuple], str], count: str, kind: str, summary: WriteSummary, tick) -> None:
        """``sql`` for each row of ``rows``, a chunk at a time, each chunk first passed to
        ``check``; the rows of a chunk sorted by ``order`` fill the B-tree page by page
        (the importer hands each table in id order)."""
        before_rows, before_changes, total = db.execute(count).fetchone()[0], db.total_changes, 0
        for chunk in _chunks(rows, _BATCH):
            if check is not None:
                check(chunk)
            db.executemany(sql, sorted(chunk, key=order))
            total += len(chunk)
            tick(len(chunk))
        added = db.execute(count).fetchone()[0] - before_rows
        updated = db.total_changes - before_changes - added
        SQLiteStore._count(summary, kind, total, added, updated)

    @staticmethod
    def _count(summary: WriteSummary, kind: str, total: int, added: int, updated: int) -> None:
        summary.count("added", kind, added)
        summary.count("updated", kind, updated)
        summary.count("unchanged", kind, total - added - updated)

    def _delete(self, db, node_ids: list[str], rel_keys: list[tuple[str, str, str]], summary: WriteSummary) -> None:
        for key in rel_keys:
            before = db.total_changes
            db.execute("DELETE FROM rels WHERE type = ? AND source = ? AND target = ?", key)
            summary.count("deleted", key[0], db.total_changes - before)
        for chunk in _chunks(node_ids, _DELETE_CHUNK):
            marks = ",".join("?" * len(chunk))
            touching = f"(type IN ({_TYPE_MARKS}) AND source IN ({marks})) OR target IN ({marks})"
            params = [*_TYPES, *chunk, *chunk]
            for rtype, n in db.execute(f"SELECT type, count(*) FROM rels WHERE {touching} GROUP BY type", params).fetchall():
                summary.count("deleted", rtype, n)
            db.execute(f"DELETE FROM rels WHERE {touching}", params)
            for label, n in db.execute(
                f"SELECT label, count(*) FROM nodes WHERE id IN ({marks}) GROUP BY label", chunk
            ).fetchall():
                summary.count("deleted", label, n)
            db.execute(f"DELETE FROM nodes WHERE id IN ({marks})", chunk)

    # -- reads ------------------------------------------------------------------------

    @_sqlite_errors("读取", "read")
    def read(self, *, labels: Iterable[Label] | None = None, ids: Iterable[str] | None = None) -> GraphData:
        """The filters are SQL's: a part of the graph costs the part, not the whole file."""
        wanted_labels = sorted({Label(lb).value for lb in labels}) if labels is not None else None
        wanted_ids = sorted(set(ids)) if ids is not None else None
        with self._lock:
            self._db.execute("BEGIN")  # one consistent snapshot for nodes, rels and version
            try:
                version = int((self._db.execute("SELECT value FROM meta WHERE key='version'").fetchone() or [0])[0])
                if wanted_labels is None and wanted_ids is None:
                    node_rows = self._db.execute("SELECT id, label, props FROM nodes").fetchall()
                    rel_rows = self._db.execute("SELECT type, source, target, props FROM rels").fetchall()
                else:
                    node_rows, rel_rows = self._part(wanted_labels, wanted_ids)
            finally:
                self._rollback()  # the snapshot only read: nothing to commit
        with _decoding():
            nodes = list(map(Node, map(_label, [row[1] for row in node_rows]), [row[0] for row in node_rows],
                             _decode_all([row[2] for row in node_rows])))
            del node_rows
            rels = _rels(rel_rows)
        return GraphData(nodes, rels, version)

    @contextmanager
    def scan(self, *, rel_types: Iterable[RelType] | None = None,
             node_props: Iterable[str] | None = None) -> Iterator[GraphScan]:
        """The whole graph (only the relationships of ``rel_types`` when given) as it streams
        from the file, ``_DECODE_CHUNK`` rows at a time, for a reader that keeps only part
        of each record (``graph.projection.project_part``): 2·10⁶ enterprises read as
        records first would hold 1.5 GB before anything is kept.

        The scan is one read transaction on a connection of its own, closed on leaving the
        ``with`` block: the store's other callers do not wait while the reader works through
        the records (a write that commits meanwhile is not seen), and the pages it reads
        pass through that connection's small default cache, not the writes' large one.
        Errors become ``StoreError`` as for every other read. With ``node_props``, each
        node carries only those of its properties (a null counts as absent, as in Neo4j's
        scan): SQLite cuts them out of the stored JSON (``_kept_props``). If one of the
        names is not a plain identifier, which no JSON path spells safely, nodes carry all
        their properties instead, and the reader keeps what it needs.
        """
        wanted = sorted({RelType(t).value for t in rel_types}) if rel_types is not None else None
        kept = sorted(set(node_props)) if node_props is not None else None
        with _converted(self.path, "读取", "read"):
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            with _converted(self.path, "读取", "read"):
                db.execute("BEGIN")  # one consistent snapshot for the version, nodes and rels
                version = self._version(db)
            yield GraphScan(version, self._scanned_nodes(db, kept), self._scanned_rels(db, wanted))
        finally:
            db.close()  # the read only read: closing rolls it back

    def _scanned_nodes(self, db: sqlite3.Connection, props: list[str] | None) -> Iterator[Node]:
        if props is not None and not all(map(_PLAIN_NAME.fullmatch, props)):
            props = None  # a name no JSON path can spell plainly: whole properties (the reader keeps what it needs)
        with _converted(self.path, "读取", "read"), _decoding():
            if props is None:
                cursor = db.execute("SELECT id, label, props FROM nodes")
                while rows := cursor.fetchmany(_DECODE_CHUNK):
                    yield from map(Node, map(_label, [row[1] for row in rows]), [row[0] for row in rows],
                                   _decode_all([row[2] for row in rows]))
                return
            values, params = _kept_props(props)
            cursor = db.execute(f"SELECT id, label, {values} FROM nodes", params)
            cut = _CutProps(props)
            while rows := cursor.fetchmany(_DECODE_CHUNK):
                yield from map(Node, map(_label, [row[1] for row in rows]), [row[0] for row in rows], map(cut, [row[2] for row in rows]))

    def _scanned_rels(self, db: sqlite3.Connection, types: list[str] | None) -> Iterator[Rel]:
        if types == []:
            return
        with _converted(self.path, "读取", "read"), _decoding():
            if types is None:
                cursor = db.execute("SELECT type, source, target, props FROM rels")
            else:  # the primary key's first column: only these types' rows are visited
                cursor = db.execute(f"SELECT type, source, target, props FROM rels WHERE type IN ({','.join('?' * len(types))})",
                                    types)
            while rows := cursor.fetchmany(_DECODE_CHUNK):
                yield from _rels(rows)

    def _part(self, labels: list[str] | None, ids: list[str] | None) -> tuple[list, list]:
        """The rows of the nodes with those labels and ids, and of the relationships among
        them: the chosen ids go into a temporary table the relationships are joined with."""
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen(id TEXT PRIMARY KEY) WITHOUT ROWID")
        db.execute("DELETE FROM temp.chosen")
        if ids is not None:
            db.executemany("INSERT OR IGNORE INTO temp.chosen(id) VALUES (?)", ((i,) for i in ids))
            if labels is not None:
                marks = ",".join("?" * len(labels))
                db.execute(f"DELETE FROM temp.chosen WHERE id NOT IN (SELECT id FROM nodes WHERE label IN ({marks}))", labels)
        else:
            marks = ",".join("?" * len(labels))
            db.execute(f"INSERT INTO temp.chosen(id) SELECT id FROM nodes WHERE label IN ({marks})", labels)
        node_rows = db.execute("SELECT n.id, n.label, n.props FROM nodes n WHERE n.id IN (SELECT id FROM temp.chosen) ORDER BY n.id").fetchall()
        rel_rows = db.execute(
            "SELECT r.type, r.source, r.target, r.props FROM rels r "
            "WHERE r.source IN (SELECT id FROM temp.chosen) AND r.target IN (SELECT id FROM temp.chosen) "
            "ORDER BY r.type, r.source, r.target").fetchall()
        return node_rows, rel_rows  # the caller's rollback takes the temporary table away

    @_sqlite_errors("读取", "read")
    def links(self, types: Iterable[RelType]) -> list[Rel]:
        wanted = sorted({RelType(t).value for t in types})
        if not wanted:
            return []
        with self._lock:
            rows = self._db.execute(f"SELECT type, source, target, props FROM rels WHERE type IN ({','.join('?' * len(wanted))}) "
                                    "ORDER BY type, source, target", wanted).fetchall()
        with _decoding():
            return _rels(rows)

    @_sqlite_errors("读取", "read")
    def labels_of(self, ids: Iterable[str]) -> dict[str, Label]:
        found: dict[str, Label] = {}
        unique = ids if isinstance(ids, AbstractSet) else set(ids)  # a set (or a dict's keys) as it is: no copy of 10⁶ ids
        with self._lock, _decoding():
            if not self._db.execute("SELECT EXISTS (SELECT 1 FROM nodes)").fetchone()[0]:
                return found  # a first import asks about each of its ids: 300 queries at city scale, all answering nothing
            for chunk in _chunks(unique, _IN_CHUNK):
                marks = ",".join("?" * len(chunk))
                for node_id, label in self._db.execute(f"SELECT id, label FROM nodes WHERE id IN ({marks})", chunk):
                    found[node_id] = Label(label)
        return found

    # -- documents (snapshots, tokens, audit, plans) --------------------------------------

    @_sqlite_errors("写入", "write to")
    def save_document(self, collection: str, key: str, body: dict) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO documents(collection, key, body) VALUES (?, ?, ?)",
                (collection, key, _dumps(body)),
            )

    @_sqlite_errors("读取", "read")
    def documents(self, collection: str) -> list[tuple[str, dict]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, body FROM documents WHERE collection = ? ORDER BY key", (collection,)
            ).fetchall()
        with _decoding():
            return [(key, json.loads(body)) for key, body in rows]

    @_sqlite_errors("读取", "read")
    def document(self, collection: str, key: str) -> dict | None:
        with self._quick_lock:
            row = self._quick.execute(
                "SELECT body FROM documents WHERE collection = ? AND key = ?", (collection, key)
            ).fetchone()
        if row is None:
            return None
        with _decoding():
            return json.loads(row[0])

    @_sqlite_errors("写入", "write to")
    def delete_document(self, collection: str, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM documents WHERE collection = ? AND key = ?", (collection, key))

    @_sqlite_errors("关闭", "close")
    def close(self) -> None:
        with self._lock, self._quick_lock:
            self._db.close()
            self._quick.close()


class _DryRun(Exception):
    """Raised inside a dry-run transaction so that it rolls back after counting."""


class _Undecodable(Exception):
    """A row SQLite returned whose JSON or label redchain cannot read (a damaged file)."""


_LABELS = {label.value: label for label in Label}
_REL_TYPES = {rtype.value: rtype for rtype in RelType}


def _label(text: str) -> Label:
    try:
        return _LABELS[text]
    except KeyError:
        raise ValueError(f"unknown label {text!r}") from None


def _rel_type(text: str) -> RelType:
    try:
        return _REL_TYPES[text]
    except KeyError:
        raise ValueError(f"unknown relationship type {text!r}") from None


_DECODE_CHUNK = 20_000
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _kept_props(names: list[str]) -> tuple[str, list[str]]:
    """SQL giving each node row's values of ``names`` as one JSON array (null where a
    property is absent), and its parameters. SQLite picks them out of the stored JSON:
    the coverage snapshot reads nine properties of every node, and decoding the whole
    properties (names above all) cost as much as the rest of reading the nodes."""
    if not names:
        return "'[]'", []
    paths = [f'$."{name}"' for name in names]
    if len(paths) == 1:  # json_extract answers a bare value for one path, an array for two or more
        paths *= 2
    return f"json_extract(props, {','.join('?' * len(paths))})", paths


class _CutProps:
    """Each row's kept properties as a dict of its own, from the JSON array ``_kept_props``
    selects. The arrays repeat (the city's 142k nodes hold 1,666 distinct ones): each
    distinct one is decoded once, and copied for every row that has it. At most
    ``_CUT_KEPT`` of them are kept, so that properties unique to each node (a name) cost
    a decode each, not a second copy of every node's."""

    def __init__(self, names: list[str]):
        self.names, self.seen = names, {}

    def __call__(self, values: str) -> dict:
        found = self.seen.get(values)
        if found is None:
            if len(self.seen) >= _CUT_KEPT:
                self.seen.clear()
            found = self.seen[values] = {k: v for k, v in zip(self.names, json.loads(values)) if v is not None}
        return dict(found)


_CUT_KEPT = 4096


def _rels(rows: list) -> list[Rel]:
    return list(map(Rel, map(_rel_type, [row[0] for row in rows]), [row[1] for row in rows],
                    [row[2] for row in rows], _decode_all([row[3] for row in rows])))


def _decode_all(texts: list[str]) -> list:
    """``json.loads`` of each stored text. One parse per chunk of them as a JSON array: the
    per-call overhead of ``json.loads`` was most of the time of reading a large store, and
    chunks keep the joined text small. A damaged row (not JSON, or not one object) is
    parsed on its own, so the error is its own."""
    decoded: list = []
    for start in range(0, len(texts), _DECODE_CHUNK):
        chunk = texts[start:start + _DECODE_CHUNK]
        try:
            parsed = json.loads("[" + ",".join(chunk) + "]")
        except ValueError:
            parsed = None
        if parsed is None or len(parsed) != len(chunk) or not all(type(d) is dict for d in parsed):
            parsed = [json.loads(text) for text in chunk]
        decoded += parsed
    return decoded


@contextmanager
def _decoding() -> Iterator[None]:
    try:
        yield
    except ValueError as exc:  # json.JSONDecodeError, or a label / type not in the schema
        raise _Undecodable(f"a stored row cannot be decoded: {exc}") from exc
