"""The server store: the graph in Neo4j (5.26 or later), through the official driver.

One driver per store object (open one store per process and share it: the driver is
thread-safe and pools connections; sessions are opened per call and never shared).
Every statement comes from ``graph.cypher`` and takes parameters only; labels and
relationship types are filled in from the schema's enums, never from user text.

Layout: each node has its schema label plus ``:RedchainNode``, both with a uniqueness
constraint on ``id`` (created on first use); relationships carry their properties; the
version counter is ``(:RedchainMeta {key: 'version'})``; documents are
``(:RedchainDocument {collection, key, body})`` with ``body`` a JSON string.

A write of at most ``staged_above`` records (50,000 by default) is one managed transaction
(``session.execute_write``), so it is all or nothing. The transaction function is
idempotent (the driver re-runs it after a transient error): for each batch of
``BATCH_SIZE`` records it reads the existing properties, works out which records are new,
changed or unchanged (properties merge as in the SQLite store: a ``None`` removes a
property), and sends only the new and changed ones as one ``UNWIND $rows AS row MERGE ...``.
The version counter is incremented in the same transaction when anything changed; the
transaction starts by write-locking the version node, so writes follow one another.
``dry_run`` runs the same function in an explicit transaction and rolls it back.

A larger write is staged, so that no transaction holds more than one batch (Neo4j keeps a
transaction's changes in memory until commit, up to ``db.memory.transaction.max``; a city
import in one transaction needs more than the 1.4 GB a 2 GB heap allows):

1. The write marks the version node ``staging`` (refused if another staged write is under
   way), and holds, in a transaction it never commits, the write lock of the guard node
   ``(:RedchainMeta {key: 'guard'})`` for as long as it runs: whoever cannot take that
   lock within a second knows the staged write is alive. One-transaction writes refuse to
   start while a staged write is under way (``StoreError``, nothing written).
2. Staging, one transaction per batch: the records that are new or changed, with all
   their final properties, as ``(:RedchainStaged {_rc_op: create|update|delete})`` nodes
   and ``[:REDCHAIN_STAGED {_rc_type, _rc_op: upsert|delete}]`` relationships. Reads match
   only ``:RedchainNode`` and skip ``REDCHAIN_STAGED``, so they see none of it.
3. Publishing: one small transaction marks the version node ``publishing`` (with the
   documents of the write, its audit entry, and whether the version moves); then bounded
   transactions turn the staged records into real ones (labels added, properties
   replaced, relationships replaced, nodes deleted); a last small transaction bumps the
   version, saves the documents and clears the marks. :meth:`Neo4jStore.read` reads the
   version node before and after the graph and reads again if it saw ``publishing`` (it
   waits) or a change, so no reader sees a write half published.
4. A failure while staging deletes the staged records. A process killed while staging
   leaves staged records and the mark: the next store opened on the database (or the
   next write, or a reader waiting for a publish) finds the guard free and deletes them;
   killed while publishing, it finishes the publish (roll forward, audit entry included).

The staged path differs from the one transaction only in edge cases no import produces: a
node created and deleted in the same write stays created, and a deleted node's count of
removed relationships leaves out relationships the same write creates to it.

``progress(n)`` is called as batches are written; when the driver retries a transaction
after a transient error, the batches of the failed attempt have already been counted.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import islice
from typing import Callable, Iterable, Iterator

from graph import cypher
from graph.settings import DEFAULT_DATABASE, StoreSettings
from graph.errors import StoreError, VersionConflict
from graph.records import Document, GraphData, GraphScan, Node, Rel, WriteSummary
from graph.schema import Label, RelType

BATCH_SIZE = 5_000  # rows per UNWIND: ~1 MB of parameters, well inside the planner's comfort zone
STAGED_ABOVE = 50_000  # records (nodes, relationships, deletions) above which a write is staged
GUARD_PROBE_SECONDS = 1.0  # how long a probe waits for the guard lock before calling its holder alive
PUBLISH_WAIT_SECONDS = 600  # how long a reader waits for a publish to finish
_MEMORY_ERROR = "MemoryPoolOutOfMemoryError"  # Neo.TransientError.General.…: a transaction met the memory limit
_BUSY = "另一次大批量写入（{staging}）正在写入 Neo4j，本次没有写入任何数据；请等它完成后再试"


def _chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Neo4jStore:
    """A graph store in a Neo4j database."""

    kind = "neo4j"

    def __init__(self, uri: str, *, auth: tuple[str, str] | None = None, database: str = DEFAULT_DATABASE, driver=None,
                 staged_above: int | None = STAGED_ABOVE, batch_size: int = BATCH_SIZE):
        """Connect to ``uri`` (``driver``: an already-made driver object to use instead,
        for tests; it is closed with the store). Writes of more than ``staged_above``
        records are staged (``None``: never), in transactions of ``batch_size`` records.
        A staged write left behind by a process that died is cleaned up here."""
        import neo4j  # imported here: only this store needs the driver
        from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

        self._neo4j_errors = (Neo4jError, DriverError)
        self.uri = uri
        self.database = database
        self._driver = None
        try:
            # Notifications ("this label is not in the database yet") are for people writing
            # queries, not for planners running imports: the driver would log each one.
            self._driver = driver if driver is not None else neo4j.GraphDatabase.driver(
                uri, auth=auth, notifications_min_severity="OFF")
            self._driver.verify_connectivity()
        except (*self._neo4j_errors, ValueError, OSError) as exc:
            if self._driver is not None:
                self._driver.close()
            if isinstance(exc, AuthError):
                why = ("用户名或密码不对：请检查 REDCHAIN_NEO4J_USER（默认 neo4j）和 REDCHAIN_NEO4J_PASSWORD"
                       if auth else "服务器要求登录：请设置 REDCHAIN_NEO4J_PASSWORD（及 REDCHAIN_NEO4J_USER）")
            elif isinstance(exc, ServiceUnavailable) or isinstance(exc, OSError):
                why = "连不上服务器：请确认 Neo4j 已启动、地址和端口正确"
            else:
                why = str(exc)
            raise StoreError(f"无法连接 Neo4j {uri}（数据库 {database}）：{why}") from exc
        self._constrained: set[str] = set()
        self._lock = threading.Lock()
        self.staged_above = staged_above
        self.batch_size = batch_size
        self._settle()

    @classmethod
    def from_environment(cls, uri: str) -> "Neo4jStore":
        """Open ``uri`` with ``REDCHAIN_NEO4J_USER`` (default ``neo4j``) and
        ``REDCHAIN_NEO4J_PASSWORD`` (no authentication when unset) on the database
        ``REDCHAIN_NEO4J_DATABASE`` (default ``neo4j``)."""
        settings = StoreSettings()
        auth = (settings.neo4j_user or "neo4j", settings.neo4j_password) if settings.neo4j_password else None
        return cls(uri, auth=auth, database=settings.neo4j_database or DEFAULT_DATABASE)

    def __repr__(self) -> str:
        return f"Neo4jStore({self.uri!r}, database={self.database!r})"

    # -- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _session(self, action: str):
        try:
            with self._driver.session(database=self.database) as session:
                yield session
        except self._neo4j_errors as exc:
            raise StoreError(f"{action} on Neo4j {self.uri} failed: {exc}") from exc

    def run_read(self, statement: cypher.Statement, kind: Label | RelType | None = None, **params) -> list[dict]:
        """Run one read statement from ``graph.cypher`` in a managed read transaction."""
        text = statement.text(kind)

        def work(tx):
            return tx.run(text, params).data()

        with self._session(f"reading ({statement.name})") as session:
            return session.execute_read(work)

    def _ensure_constraints(self, labels: Iterable[Label]) -> None:
        """Uniqueness constraints, created on first use (schema changes cannot share a
        transaction with data changes, so they run on their own, once per store object)."""
        wanted = [(cypher.CREATE_NODE_ID_CONSTRAINT, None), (cypher.CREATE_META_CONSTRAINT, None),
                  (cypher.CREATE_STAGED_CONSTRAINT, None), (cypher.CREATE_STAGED_OP_INDEX, None),
                  (cypher.CREATE_STAGED_TYPE_INDEX, None)]
        wanted += [(cypher.CREATE_LABEL_ID_CONSTRAINT, label) for label in labels]
        with self._lock:
            missing = [(s, k) for s, k in wanted if s.text(k) not in self._constrained]
        if not missing:
            return
        with self._session("creating constraints") as session:
            for statement, kind in missing:
                session.execute_write(lambda tx, text=statement.text(kind): tx.run(text).consume())
        with self._lock:
            self._constrained.update(s.text(k) for s, k in missing)

    def _ensure_document_schema(self) -> None:
        statements = (cypher.CREATE_DOCUMENT_CONSTRAINT, cypher.CREATE_DOCUMENT_COLLECTION_INDEX)
        with self._lock:
            if all(s.text() in self._constrained for s in statements):
                return
        with self._session("creating constraints") as session:
            for statement in statements:
                session.execute_write(lambda tx, text=statement.text(): tx.run(text).consume())
        with self._lock:
            self._constrained.update(s.text() for s in statements)

    # -- version --------------------------------------------------------------------------------

    def version(self) -> int:
        rows = self.run_read(cypher.READ_VERSION)
        return int(rows[0]["version"]) if rows else 0

    def projection_key(self) -> tuple[str, int] | None:
        """(store id, version) for the projection a client keeps in its cache folder
        (``graph.projection_cache``); None before the first write. The id is made at random
        the first time it is asked for, in the version node.

        The id carries the token of the write that made the version, as ``SQLiteStore``'s
        does: a database restored from a backup, then written as often as the one it
        replaced, reaches the same version with other content, and must not be answered
        from what was kept for that."""
        rows = self.run_read(cypher.READ_STORE_ID)
        if not rows:
            return None
        if rows[0]["store_id"] is None:
            with self._session("naming the store") as session:
                rows = session.execute_write(lambda tx: tx.run(
                    cypher.CLAIM_STORE_ID.text(), store_id=secrets.token_hex(16)).data())
        store_id, written = rows[0]["store_id"], rows[0]["written"]
        return (store_id if written is None else f"{store_id}.{written}"), int(rows[0]["version"])

    # -- writes ----------------------------------------------------------------------------------

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
        plan = _Plan.of(list(nodes), list(rels), list(delete_nodes), list(delete_rels))
        tick = progress or (lambda n: None)
        self._ensure_constraints(plan.nodes)
        self._ensure_document_schema()
        if self.staged_above is not None and plan.size > self.staged_above:
            return _StagedWrite(self, plan, tick).run(documents, expected_version, dry_run)
        if self._settle():
            raise StoreError(_BUSY.format(staging=self._meta()["staging"]))

        def work(tx) -> WriteSummary:
            [meta] = tx.run(cypher.LOCK_META.text()).data()  # held to commit: writes follow one another
            if meta["staging"]:
                raise StoreError(_BUSY.format(staging=meta["staging"]))
            if expected_version is not None and int(meta["version"]) != expected_version:
                raise VersionConflict(expected_version, int(meta["version"]))
            summary = _Writer(_in(tx), tick, self.batch_size).write(plan)
            if not dry_run and summary.changed:
                summary.version = int(tx.run(cypher.BUMP_VERSION.text(), written=_write_token()).data()[0]["version"])
            else:
                summary.version = int(meta["version"])
            if not dry_run:
                for doc in documents(summary) if callable(documents) else documents:
                    _save(tx, doc.collection, doc.key, doc.body)
            return summary

        with self._session("write (nothing was written)") as session:
            try:
                if not dry_run:
                    return _transact(session, work)
                # An explicit transaction commits when its block ends normally, unless it was
                # rolled back first; an exception inside the block rolls it back.
                with _memory_limit(), session.begin_transaction() as tx:
                    summary = work(tx)
                    tx.rollback()
                return summary
            except _MemoryLimit as exc:
                if self.staged_above is None:
                    raise StoreError(f"这次写入（{plan.size} 条记录）超出了 Neo4j 的事务内存上限"
                                     f"（db.memory.transaction.max），本次没有写入任何数据：{exc}") from None
        # Too large for one transaction on this server: staged instead.
        return _StagedWrite(self, plan, tick).run(documents, expected_version, dry_run)

    # -- staged writes: what is left of one, and the publish ----------------------------------------

    def _meta(self) -> dict:
        rows = self.run_read(cypher.READ_META)
        return rows[0] if rows else {"version": 0, "staging": None, "publishing": None}

    def _settle(self) -> bool:
        """Clean up after a staged write whose process died (discard it, or finish
        publishing it). True if a staged write is under way and alive."""
        meta = self._meta()
        staging = meta["staging"]
        if not staging:
            return False
        if self._guard_held():
            return True
        with self._session("cleaning up an unfinished staged write") as session:
            if meta["publishing"]:
                _publish(session, staging, self.batch_size)
            else:
                _discard(session, staging, self.batch_size)
        return False

    def _guard_held(self) -> bool:
        """Whether a live process holds the guard lock (waits up to GUARD_PROBE_SECONDS)."""
        from neo4j.exceptions import Neo4jError

        try:
            with self._driver.session(database=self.database) as session:
                with session.begin_transaction(timeout=GUARD_PROBE_SECONDS) as tx:
                    tx.run(cypher.HOLD_GUARD.text(), staging="probe").consume()
                    tx.rollback()
            return False
        except Neo4jError as exc:
            code = exc.code or ""
            if any(word in code for word in ("LockClientStopped", "TimedOut", "Terminated", "DeadlockDetected")):
                return True
            raise StoreError(f"checking for a staged write on Neo4j {self.uri} failed: {exc}") from exc

    def _await_publish(self, deadline: float) -> None:
        """Wait while a staged write is being published (finish it if its process died)."""
        if time.monotonic() > deadline:
            raise StoreError(f"Neo4j {self.uri} 上的一次大批量写入发布了 {PUBLISH_WAIT_SECONDS} 秒仍未完成，请稍后再试")
        if self._meta()["publishing"]:
            self._settle()
            time.sleep(0.2)

    # -- reads ------------------------------------------------------------------------------------

    def read(self, *, labels: Iterable[Label] | None = None, ids: Iterable[str] | None = None) -> GraphData:
        wanted_labels = [Label(lb) for lb in labels] if labels is not None else None
        wanted_ids = sorted(set(ids)) if ids is not None else None

        def node_rows(tx) -> list[dict]:
            if wanted_ids is not None:
                rows = []
                for chunk in _chunks(wanted_ids, self.batch_size):
                    rows += tx.run(cypher.READ_NODES_BY_ID.text(), ids=chunk).data()
                return rows
            if wanted_labels is not None:
                rows = []
                for label in dict.fromkeys(wanted_labels):
                    rows += tx.run(cypher.READ_LABEL_NODES.text(label)).data()
                return rows
            return tx.run(cypher.READ_ALL_NODES.text()).data()

        def rel_rows(tx, nodes: list[Node]) -> list[dict]:
            if wanted_ids is None and wanted_labels is None:
                return tx.run(cypher.READ_ALL_RELS.text()).data()
            kept = [n.id for n in nodes]
            return tx.run(cypher.READ_RELS_AMONG.text(), ids=kept).data() if kept else []

        version, nodes, rels = self._read_one_version(
            node_rows, rel_rows, keep=set(wanted_labels) if wanted_labels is not None else None)
        return GraphData(nodes, rels, version)

    @contextmanager
    def scan(self, *, rel_types: Iterable[RelType] | None = None,
             node_props: Iterable[str] | None = None) -> Iterator[GraphScan]:
        """The graph as ``read()`` gives it, cut down on the server: only the relationships
        of ``rel_types`` and, when given, only the node properties ``node_props`` (what
        ``graph.projection.load_part`` keeps, e.g. the coverage snapshot every import
        takes). Read whole in one transaction, of one version, as ``read()`` is; no
        supply link, enterprise's name or address crosses the wire for a snapshot."""
        if rel_types is None and node_props is None:  # nothing left out: the graph as read() reads it
            whole = self.read()
            yield GraphScan(whole.version, iter(whole.nodes), iter(whole.rels))
            return
        wanted_types = sorted({RelType(t).value for t in rel_types}) if rel_types is not None else None
        keys = sorted(set(node_props)) if node_props is not None else None

        def node_rows(tx) -> list[dict]:
            if keys is None:
                return tx.run(cypher.READ_ALL_NODES.text()).data()
            return [{**row, "props": dict(row["props"])} for row in tx.run(cypher.READ_NODES_PART.text(), keys=keys)]

        def rel_rows(tx, nodes: list[Node]) -> list[dict]:
            if wanted_types is None:
                return tx.run(cypher.READ_ALL_RELS.text()).data()
            return tx.run(cypher.READ_RELS_OF_TYPES.text(), types=wanted_types).data() if wanted_types else []

        version, nodes, rels = self._read_one_version(node_rows, rel_rows)
        yield GraphScan(version, iter(nodes), iter(rels))

    def _read_one_version(self, node_rows: Callable, rel_rows: Callable,
                          keep: set[Label] | None = None) -> tuple[int, list[Node], list[Rel]]:
        """Nodes (``node_rows(tx)``; only labels in ``keep`` when given), then relationships
        (``rel_rows(tx, nodes)``), in one transaction, at one version: the version node is
        read before and after, and a write committed in between (reads see each commit as
        it lands), a node or relationship deleted while read, or a publish under way means
        reading again, after that publish."""

        def work(tx) -> tuple[int, list[Node], list[Rel]] | None:
            version, publishing = before = self._read_state(tx)
            if publishing:
                return None
            rows = node_rows(tx)
            if any(row["id"] is None for row in rows):
                return None  # a node deleted while it was read: read again
            nodes = sorted(map(_node, rows), key=lambda n: n.id)
            del rows
            if keep is not None:
                nodes = [n for n in nodes if n.label in keep]
            found = rel_rows(tx, nodes)
            if any(row["type"] is None or row["source"] is None or row["target"] is None for row in found):
                return None  # a relationship deleted while it was read: read again
            rels = sorted(map(_rel, found), key=lambda r: r.key)
            return (version, nodes, rels) if self._read_state(tx) == before else None

        deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
        while True:
            with self._session("reading the graph") as session:
                found = session.execute_read(work)
            if found is not None:
                return found
            self._await_publish(deadline)

    @staticmethod
    def _read_state(tx) -> tuple:
        rows = tx.run(cypher.READ_META.text()).data()
        return (int(rows[0]["version"] or 0), rows[0]["publishing"]) if rows else (0, None)

    def links(self, types: Iterable[RelType]) -> list[Rel]:
        wanted = sorted({RelType(t).value for t in types})
        return [_rel(row) for row in self.run_read(cypher.READ_RELS_OF_TYPES, types=wanted)] if wanted else []

    def labels_of(self, ids: Iterable[str]) -> dict[str, Label]:
        found: dict[str, Label] = {}
        for chunk in _chunks(sorted(set(ids))):
            for row in self.run_read(cypher.LABELS_BY_ID, ids=chunk):
                label = cypher.domain_label(row["labels"])
                if label is not None:
                    found[row["id"]] = label
        return found

    # -- documents -----------------------------------------------------------------------------------

    def save_document(self, collection: str, key: str, body: dict) -> None:
        self._ensure_document_schema()
        with self._session("saving a document") as session:
            session.execute_write(lambda tx: _save(tx, collection, key, body))

    def documents(self, collection: str) -> list[tuple[str, dict]]:
        rows = self.run_read(cypher.READ_DOCUMENTS, collection=collection)
        return [(row["key"], json.loads(row["body"])) for row in rows]

    def document(self, collection: str, key: str) -> dict | None:
        rows = self.run_read(cypher.READ_DOCUMENT, collection=collection, key=key)
        return json.loads(rows[0]["body"]) if rows else None

    def delete_document(self, collection: str, key: str) -> None:
        with self._session("deleting a document") as session:
            session.execute_write(
                lambda tx: tx.run(cypher.DELETE_DOCUMENT.text(), collection=collection, key=key).consume()
            )

    def close(self) -> None:
        self._driver.close()


# -- the write, as a plan (built once) and a writer (run per transaction attempt) ------------------


class _Plan:
    """A write's records grouped by label / type, duplicates folded (later properties win,
    as if written one after the other)."""

    def __init__(self):
        self.nodes: dict[Label, dict[str, dict]] = {}
        self.rels: dict[RelType, dict[tuple[str, str], dict]] = {}
        self.delete_nodes: list[str] = []
        self.delete_rels: dict[RelType, list[tuple[str, str]]] = {}

    @classmethod
    def of(cls, nodes: list[Node], rels: list[Rel], delete_nodes: list[str], delete_rels: list) -> "_Plan":
        plan = cls()
        label_of: dict[str, Label] = {}
        for node in nodes:
            label = Label(node.label)
            if label_of.setdefault(node.id, label) is not label:
                raise StoreError(f"id {node.id} is given as both a {label_of[node.id].value} and a {label.value}")
            merged = plan.nodes.setdefault(label, {}).setdefault(node.id, {})
            merged.update(node.props)
        for rel in rels:
            merged = plan.rels.setdefault(RelType(rel.type), {}).setdefault((rel.source, rel.target), {})
            merged.update(rel.props)
        plan.delete_nodes = list(dict.fromkeys(delete_nodes))
        for rtype, source, target in delete_rels:
            plan.delete_rels.setdefault(RelType(rtype), []).append((source, target))
        return plan

    @property
    def size(self) -> int:
        """Records to write or delete."""
        return (sum(map(len, self.nodes.values())) + sum(map(len, self.rels.values()))
                + len(self.delete_nodes) + sum(map(len, self.delete_rels.values())))


class _Writer:
    """The records of a write, batch by batch: counted (added / updated / unchanged /
    deleted) and written through ``run(statement, kind, params) -> rows`` (all in one
    transaction, or each in its own). Safe to repeat from scratch."""

    def __init__(self, run: Callable[[cypher.Statement, object, dict], list[dict]], tick: Callable[[int], None],
                 size: int = BATCH_SIZE):
        self.run = run
        self.tick = tick
        self.size = size
        self.summary = WriteSummary()

    def write(self, plan: _Plan) -> WriteSummary:
        self._check_ids(plan)
        for label, nodes in plan.nodes.items():
            self._upsert_nodes(label, nodes)
        for rtype, rels in plan.rels.items():
            self._upsert_rels(rtype, rels)
        for rtype, keys in plan.delete_rels.items():
            for chunk in _chunks(keys, self.size):
                self.summary.count("deleted", rtype.value, self._delete_rels(rtype, chunk))
        for chunk in _chunks(plan.delete_nodes, self.size):
            self._delete_nodes(chunk)
        return self.summary

    def _data(self, statement: cypher.Statement, kind=None, **params) -> list[dict]:
        return self.run(statement, kind, params)

    def _check_ids(self, plan: _Plan) -> None:
        """An id keeps its label; a relationship's ends must exist (in the store or in this
        write). Checked before anything is written, so the error names the first culprit."""
        writing = {node_id: label for label, nodes in plan.nodes.items() for node_id in nodes}
        ends = {end for rels in plan.rels.values() for key in rels for end in key}
        stored: dict[str, Label | None] = {}
        for chunk in _chunks(sorted(set(writing) | ends), self.size):
            for row in self._data(cypher.LABELS_BY_ID, ids=chunk):
                stored[row["id"]] = cypher.domain_label(row["labels"])
        for node_id, label in writing.items():
            if node_id in stored and stored[node_id] is not label:
                was = stored[node_id].value if stored[node_id] is not None else "node of another kind"
                raise StoreError(f"id {node_id} is already a {was}; it cannot become a {label.value}")
        missing = sorted(ends - set(writing) - set(stored))
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise StoreError(f"relationships name ids that exist neither in the store nor in this write: {shown}")

    def _upsert_nodes(self, label: Label, nodes: dict[str, dict]) -> None:
        for chunk in _chunks(list(nodes.items()), self.size):
            existing = {
                row["id"]: _without_id(row["props"])
                for row in self._data(cypher.EXISTING_NODES, label, ids=[node_id for node_id, _ in chunk])
            }
            rows = self._diff(label.value, chunk, existing)
            if rows:
                self._write_nodes(label, rows, existing)
            self.tick(len(chunk))

    def _upsert_rels(self, rtype: RelType, rels: dict[tuple[str, str], dict]) -> None:
        for chunk in _chunks(list(rels.items()), self.size):
            keys = [{"source": s, "target": t} for (s, t), _ in chunk]
            existing = {
                (row["source"], row["target"]): row["props"] for row in self._data(cypher.EXISTING_RELS, rtype, keys=keys)
            }
            rows = self._diff(rtype.value, chunk, existing)
            if rows:
                self._write_rels(rtype, rows, existing)
            self.tick(len(chunk))

    def _diff(self, kind: str, chunk: list[tuple], existing: dict) -> list[tuple]:
        """Count added / updated / unchanged; return (key, properties to set) for the rows
        that need writing: every property of a new record, the changed ones of an old one."""
        rows = []
        added = updated = 0
        for key, props in chunk:
            if key not in existing:
                added += 1
                rows.append((key, {k: v for k, v in props.items() if v is not None}))
                continue
            old = existing[key]
            changed = {k: v for k, v in props.items() if (k in old) if v is None or not _same(old[k], v)}
            changed.update({k: v for k, v in props.items() if k not in old and v is not None})
            if changed:
                updated += 1
                rows.append((key, changed))
        self.summary.count("added", kind, added)
        self.summary.count("updated", kind, updated)
        self.summary.count("unchanged", kind, len(chunk) - added - updated)
        return rows

    # What a batch does: here, write it in place; the subclasses stage it or only count it.

    def _write_nodes(self, label: Label, rows: list[tuple], existing: dict) -> None:
        self._data(cypher.UPSERT_NODES, label, rows=[{"id": key, "props": props} for key, props in rows])

    def _write_rels(self, rtype: RelType, rows: list[tuple], existing: dict) -> None:
        self._data(cypher.UPSERT_RELS, rtype, rows=[{"source": s, "target": t, "props": props} for (s, t), props in rows])

    delete_rels_statement = cypher.DELETE_RELS
    delete_nodes_statement = cypher.DELETE_NODES

    def _delete_rels(self, rtype: RelType, chunk: list[tuple[str, str]]) -> int:
        keys = [{"source": s, "target": t} for s, t in chunk]
        return sum(row["deleted"] for row in self._data(self.delete_rels_statement, rtype, keys=keys))

    def _delete_nodes(self, ids: list[str]) -> None:
        for row in self._data(cypher.COUNT_RELS_OF_NODES, ids=ids):
            self.summary.count("deleted", RelType(row["type"]).value, row["count"])
        self._count_deleted_nodes(self._data(self.delete_nodes_statement, ids=ids))

    def _count_deleted_nodes(self, rows: list[dict]) -> None:
        for row in rows:
            label = cypher.domain_label(row["labels"])
            if label is not None:
                self.summary.count("deleted", label.value, row["count"])


class _StagingWriter(_Writer):
    """Stages each batch (its own transaction) with the records' final properties."""

    delete_rels_statement = cypher.STAGE_REL_DELETES
    delete_nodes_statement = cypher.STAGE_NODE_DELETES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.created: set[str] = set()  # ids staged as new nodes

    def _write_nodes(self, label: Label, rows: list[tuple], existing: dict) -> None:
        staged = [{"id": key, "label": label.value, "op": "update" if key in existing else "create",
                   "props": _final(existing.get(key), props)} for key, props in rows]
        self.created.update(row["id"] for row in staged if row["op"] == "create")
        self._data(cypher.STAGE_NODES, rows=staged)

    def _write_rels(self, rtype: RelType, rows: list[tuple], existing: dict) -> None:
        to_new, between_old = [], []
        for (s, t), props in rows:
            row = {"source": s, "target": t, "props": _final(existing.get((s, t)), props)}
            (to_new if s in self.created or t in self.created else between_old).append(row)
        if to_new:
            self._data(cypher.STAGE_RELS_TO_NEW, rtype, rows=to_new)
        if between_old:
            self._data(cypher.STAGE_RELS, rtype, rows=between_old)



class _CountingWriter(_Writer):
    """A dry run of a write too large for one transaction: reads and counts, writes nothing."""

    def _write_nodes(self, label, rows, existing) -> None:
        pass

    def _write_rels(self, rtype, rows, existing) -> None:
        pass

    def _delete_rels(self, rtype: RelType, chunk: list[tuple[str, str]]) -> int:
        return len(self._data(cypher.EXISTING_RELS, rtype, keys=[{"source": s, "target": t} for s, t in chunk]))

    def _delete_nodes(self, ids: list[str]) -> None:
        for row in self._data(cypher.COUNT_RELS_OF_NODES, ids=ids):
            self.summary.count("deleted", RelType(row["type"]).value, row["count"])
        found: dict[Label, int] = {}
        for row in self._data(cypher.LABELS_BY_ID, ids=ids):
            label = cypher.domain_label(row["labels"])
            if label is not None:
                found[label] = found.get(label, 0) + 1
        self._count_deleted_nodes([{"labels": [label.value], "count": n} for label, n in found.items()])


class _StagedWrite:
    """One write too large for a transaction: staged, then published (see the module's
    docstring)."""

    def __init__(self, store: Neo4jStore, plan: _Plan, tick: Callable[[int], None]):
        self.store = store
        self.plan = plan
        self.tick = tick

    def run(self, documents, expected_version: int | None, dry_run: bool) -> WriteSummary:
        store = self.store
        if store._settle():
            raise StoreError(_BUSY.format(staging=store._meta()["staging"]))
        if dry_run:
            version = int(store._meta()["version"] or 0)
            if expected_version is not None and version != expected_version:
                raise VersionConflict(expected_version, version)
            with store._session("dry run") as session:
                summary = _CountingWriter(_Batches(session, store.batch_size), self.tick, store.batch_size).write(self.plan)
            summary.version = version
            return summary
        staging = f"w-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{os.urandom(3).hex()}"
        with store._session("staged write (nothing was written)") as session, \
                store._session("staged write (nothing was written)") as guard:
            session.execute_write(lambda tx: tx.run(cypher.MERGE_GUARD.text()).consume())
            held = guard.begin_transaction()  # never committed: its lock says this write is alive
            try:
                held.run(cypher.HOLD_GUARD.text(), staging=staging).consume()
                return self._stage_and_publish(session, staging, documents, expected_version)
            finally:
                held.rollback()

    def _stage_and_publish(self, session, staging: str, documents, expected_version: int | None) -> WriteSummary:
        [row] = session.execute_write(lambda tx: tx.run(cypher.BEGIN_STAGING.text(), staging=staging).data())
        if row["busy"]:
            raise StoreError(_BUSY.format(staging=row["busy"]))
        version = int(row["version"] or 0)
        try:
            if expected_version is not None and version != expected_version:
                raise VersionConflict(expected_version, version)
            summary = _StagingWriter(_Batches(session, self.store.batch_size), self.tick, self.store.batch_size).write(self.plan)
            summary.version = version + 1 if summary.changed else version
            docs = [[d.collection, d.key, d.body] for d in (documents(summary) if callable(documents) else documents)]
            text = json.dumps(docs, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            [row] = session.execute_write(lambda tx: tx.run(
                cypher.BEGIN_PUBLISH.text(), staging=staging, documents=text, bump=int(summary.changed)).data())
            if not row["ours"]:
                raise StoreError(f"staged write {staging} was cleaned up by another process")
        except BaseException:
            try:
                _discard(session, staging, self.store.batch_size)
            except Exception:  # noqa: BLE001 - the write's own error is the one to report;
                pass  # what is left is discarded by the next store opened on the database
            raise
        summary.version = _publish(session, staging, self.store.batch_size)
        return summary


class _Batches:
    """Runs each statement of a staged write in its own transaction. A batch that meets
    Neo4j's transaction memory limit (``MemoryPoolOutOfMemoryError``) is split in halves,
    and later batches are cut to the size that worked, so a staged write adapts to any limit
    that holds one record; other transient errors are retried a few times."""

    LISTS = ("rows", "keys", "ids")  # the one list parameter of each batch statement
    ATTEMPTS = 5

    def __init__(self, session, limit: int):
        self.session = session
        self.limit = limit  # the most records one transaction has held; shrinks on a memory error

    def __call__(self, statement: cypher.Statement, kind, params: dict) -> list[dict]:
        name = next((key for key in self.LISTS if key in params), None)
        items = params.get(name) if name else None
        if items is not None and len(items) > self.limit:
            return [row for part in _chunks(items, self.limit) for row in self(statement, kind, {**params, name: part})]
        try:
            return self.attempt(statement.text(kind), params)
        except _MemoryLimit:
            if items is None or len(items) <= 1:
                raise StoreError("一条记录就超出了 Neo4j 的事务内存上限（db.memory.transaction.max），"
                                 "本次没有写入任何数据；请调高该上限") from None
            self.limit = max(1, len(items) // 2)
            return self(statement, kind, params)

    def until_done(self, statement: cypher.Statement, kind=None) -> None:
        """Repeat a ``LIMIT $limit`` statement until it has nothing left to do."""
        text = statement.text(kind)
        while True:
            try:
                if not self.attempt(text, {"limit": self.limit})[0]["done"]:
                    return
            except _MemoryLimit:
                if self.limit <= 1:
                    raise StoreError("一条记录就超出了 Neo4j 的事务内存上限（db.memory.transaction.max）；请调高该上限") from None
                self.limit = max(1, self.limit // 2)

    def attempt(self, text: str, params: dict) -> list[dict]:
        return _transact(self.session, lambda tx: tx.run(text, params).data())


def _transact(session, work: Callable, attempts: int = 5):
    """``work(tx)`` in an explicit transaction, committed; re-run after a transient error
    (as ``execute_write`` would), except Neo4j's transaction memory limit, which is raised
    at once as ``_MemoryLimit`` (running the same transaction again cannot help)."""
    from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

    for attempt in range(attempts):
        try:
            with _memory_limit(), session.begin_transaction() as tx:
                result = work(tx)
                tx.commit()
            return result
        except TransientError:
            if attempt == attempts - 1:
                raise
        except (ServiceUnavailable, SessionExpired):
            if attempt == attempts - 1:
                raise
        time.sleep(0.1 * 2 ** attempt)
    raise AssertionError("unreachable")


class _MemoryLimit(Exception):
    """A transaction met Neo4j's transaction memory limit."""


@contextmanager
def _memory_limit():
    """Neo4j's transaction memory error as ``_MemoryLimit``."""
    from neo4j.exceptions import TransientError

    try:
        yield
    except TransientError as exc:
        if _MEMORY_ERROR in (exc.code or ""):
            raise _MemoryLimit(exc.message or str(exc)) from exc
        raise


def _in(tx) -> Callable[[cypher.Statement, object, dict], list[dict]]:
    """Run every statement in the one transaction ``tx``."""
    return lambda statement, kind, params: tx.run(statement.text(kind), params).data()


def _publish(session, staging: str, size: int) -> int:
    """Turn the staged records into real ones, bounded transaction by bounded transaction,
    then bump the version and save the write's documents; the new version. Each step can be
    re-run after a crash (roll forward)."""
    batches = _Batches(session, size)
    for label in Label:
        batches.until_done(cypher.PUBLISH_CREATED, label)
    batches.until_done(cypher.PUBLISH_UPDATED)
    for rtype in RelType:
        batches.until_done(cypher.PUBLISH_RELS, rtype)
    batches.until_done(cypher.PUBLISH_DELETED)

    def finish(tx) -> int:
        rows = tx.run(cypher.END_PUBLISH.text(), staging=staging, written=_write_token()).data()
        if not rows:  # another process finished it first
            return int(tx.run(cypher.READ_VERSION.text()).data()[0]["version"])
        for collection, key, body in json.loads(rows[0]["documents"] or "[]"):
            _save(tx, collection, key, body)
        return int(rows[0]["version"])

    return session.execute_write(finish)


def _discard(session, staging: str, size: int) -> None:
    """Delete a staged write's records and its mark (readers never saw them)."""
    batches = _Batches(session, size)
    batches.until_done(cypher.DISCARD_STAGED_RELS)
    batches.until_done(cypher.DISCARD_STAGED_NODES)
    session.execute_write(lambda tx: tx.run(cypher.END_STAGING.text(), staging=staging).consume())


def _write_token() -> str:
    """The token a write leaves with the version it makes (``Neo4jStore.projection_key``)."""
    return secrets.token_hex(8)


def _save(tx, collection: str, key: str, body: dict) -> None:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    tx.run(cypher.SAVE_DOCUMENT.text(), collection=collection, key=key, body=text).consume()


def _final(old: dict | None, changed: dict) -> dict:
    """A record's properties once ``changed`` is applied (``None`` removes one)."""
    return {k: v for k, v in {**(old or {}), **changed}.items() if v is not None}


def _same(old, new) -> bool:
    """Equal and of the same type (so ``1`` is not ``True``); lists element by element."""
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new))
    return type(old) is type(new) and old == new


def _without_id(props: dict) -> dict:
    return {k: v for k, v in props.items() if k != "id"}


def _node(row: dict) -> Node:
    label = cypher.domain_label(row["labels"])
    if label is None:
        raise StoreError(f"node {row['id']} has no redchain label ({', '.join(row['labels'])})")
    return Node(label, row["id"], _without_id(row["props"]))


def _rel(row: dict) -> Rel:
    try:
        rtype = RelType(row["type"])
    except ValueError:
        raise StoreError(f"relationship {row['source']} -> {row['target']} has an unknown type {row['type']}") from None
    return Rel(rtype, row["source"], row["target"], dict(row["props"]))
