"""The server store: the graph in Neo4j (5.26 or later), through the official driver.

One driver per store object (open one store per process and share it: the driver is
thread-safe and pools connections; sessions are opened per call and never shared).
Every statement comes from ``graph.cypher`` and takes parameters only; labels and
relationship types are filled in from the schema's enums, never from user text.

Layout: each node has its schema label plus ``:RedchainNode``, both with a uniqueness
constraint on ``id`` (created on first use); relationships carry their properties; the
version counter is ``(:RedchainMeta {key: 'version'})``; documents are
``(:RedchainDocument {collection, key, body})`` with ``body`` a JSON string.

A write is one managed transaction (``session.execute_write``), so it is all or nothing.
The transaction function is idempotent (the driver re-runs it after a transient error):
for each batch of ``BATCH_SIZE`` records it reads the existing properties, works out
which records are new, changed or unchanged (properties merge as in the SQLite store: a
``None`` removes a property), and sends only the new and changed ones as one
``UNWIND $rows AS row MERGE ...``. The version counter is incremented in the same
transaction when anything changed. ``dry_run`` runs the same function in an explicit
transaction and rolls it back.

Very large writes. Neo4j keeps all of a transaction's changes in memory until commit
(bounded by the heap, ``server.memory.heap.max_size``, and by the transaction memory
limits ``db.memory.transaction.max`` / ``dbms.memory.transaction.total.max``), so an
import of several hundred thousand records needs a heap sized for it. If Neo4j refuses
a write for memory, :meth:`Neo4jStore.write` raises ``StoreError`` and nothing is
written. A staged write is NOT implemented, because it cannot be tested here (no Neo4j
server can run where this was written): new records would be written in many small
transactions under a staging label and an import id, invisible to every read since
reads only match ``:RedchainNode``; a final small transaction would flip a visibility
marker; a failure would delete the staged records. Changes to existing records would
need copy-on-write versions that every listing query then filters on. Until then,
``redchain migrate --batch-size N`` copies a graph too large for one transaction in
several idempotent transactions (re-run with ``--force`` after a failure).

``progress(n)`` is called as batches are written; when the driver retries a transaction
after a transient error, the batches of the failed attempt have already been counted.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from itertools import islice
from typing import Callable, Iterable, Iterator

from graph import cypher
from graph.settings import DEFAULT_DATABASE, StoreSettings
from graph.errors import StoreError, VersionConflict
from graph.records import Document, GraphData, Node, Rel, WriteSummary
from graph.schema import Label, RelType

BATCH_SIZE = 5_000  # rows per UNWIND: ~1 MB of parameters, well inside the planner's comfort zone


def _chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Neo4jStore:
    """A graph store in a Neo4j database."""

    kind = "neo4j"

    def __init__(self, uri: str, *, auth: tuple[str, str] | None = None, database: str = DEFAULT_DATABASE, driver=None):
        """Connect to ``uri`` (``driver``: an already-made driver object to use instead,
        for tests; it is closed with the store)."""
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
        wanted = [(cypher.CREATE_NODE_ID_CONSTRAINT, None), (cypher.CREATE_META_CONSTRAINT, None)]
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

        def work(tx) -> WriteSummary:
            if expected_version is not None:
                rows = tx.run(cypher.READ_VERSION.text()).data()
                current = int(rows[0]["version"]) if rows else 0
                if current != expected_version:
                    raise VersionConflict(expected_version, current)
            summary = _Writer(tx, tick).run(plan, bump=not dry_run)
            if not dry_run:
                for doc in documents(summary) if callable(documents) else documents:
                    text = json.dumps(doc.body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                    tx.run(cypher.SAVE_DOCUMENT.text(), collection=doc.collection, key=doc.key, body=text).consume()
            return summary

        with self._session("write (nothing was written)") as session:
            if not dry_run:
                return session.execute_write(work)
            # An explicit transaction commits when its block ends normally, unless it was
            # rolled back first; an exception inside the block rolls it back.
            with session.begin_transaction() as tx:
                summary = work(tx)
                tx.rollback()
            return summary

    # -- reads ------------------------------------------------------------------------------------

    def read(self, *, labels: Iterable[Label] | None = None, ids: Iterable[str] | None = None) -> GraphData:
        wanted_labels = [Label(lb) for lb in labels] if labels is not None else None
        wanted_ids = sorted(set(ids)) if ids is not None else None

        def work(tx) -> GraphData:
            # Version first: data read after it is at least as new, so a projection cached
            # under this version is refreshed if a write lands in between.
            version = tx.run(cypher.READ_VERSION.text()).data()
            version = int(version[0]["version"]) if version else 0
            if wanted_ids is not None:
                rows = []
                for chunk in _chunks(wanted_ids):
                    rows += tx.run(cypher.READ_NODES_BY_ID.text(), ids=chunk).data()
            elif wanted_labels is not None:
                rows = []
                for label in dict.fromkeys(wanted_labels):
                    rows += tx.run(cypher.READ_LABEL_NODES.text(label)).data()
            else:
                rows = tx.run(cypher.READ_ALL_NODES.text()).data()
            nodes = sorted((_node(row) for row in rows), key=lambda n: n.id)
            if wanted_labels is not None:
                keep = set(wanted_labels)
                nodes = [n for n in nodes if n.label in keep]
            if wanted_ids is None and wanted_labels is None:
                rel_rows = tx.run(cypher.READ_ALL_RELS.text()).data()
            else:
                kept = [n.id for n in nodes]
                rel_rows = tx.run(cypher.READ_RELS_AMONG.text(), ids=kept).data() if kept else []
            rels = sorted((_rel(row) for row in rel_rows), key=lambda r: r.key)
            return GraphData(nodes, rels, version)

        with self._session("reading the graph") as session:
            return session.execute_read(work)

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
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        with self._session("saving a document") as session:
            session.execute_write(
                lambda tx: tx.run(cypher.SAVE_DOCUMENT.text(), collection=collection, key=key, body=text).consume()
            )

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


class _Writer:
    """One attempt at a write inside one transaction; safe to repeat from scratch."""

    def __init__(self, tx, tick: Callable[[int], None]):
        self.tx = tx
        self.tick = tick
        self.summary = WriteSummary()

    def run(self, plan: _Plan, *, bump: bool) -> WriteSummary:
        self._check_ids(plan)
        for label, nodes in plan.nodes.items():
            self._upsert_nodes(label, nodes)
        for rtype, rels in plan.rels.items():
            self._upsert_rels(rtype, rels)
        for rtype, keys in plan.delete_rels.items():
            self._delete_rels(rtype, keys)
        self._delete_nodes(plan.delete_nodes)
        if bump and self.summary.changed:
            self.summary.version = int(self._data(cypher.BUMP_VERSION)[0]["version"])
        else:
            rows = self._data(cypher.READ_VERSION)
            self.summary.version = int(rows[0]["version"]) if rows else 0
        return self.summary

    def _data(self, statement: cypher.Statement, kind=None, **params) -> list[dict]:
        return self.tx.run(statement.text(kind), params).data()

    def _check_ids(self, plan: _Plan) -> None:
        """An id keeps its label; a relationship's ends must exist (in the store or in this
        write). Checked before anything is written, so the error names the first culprit."""
        writing = {node_id: label for label, nodes in plan.nodes.items() for node_id in nodes}
        ends = {end for rels in plan.rels.values() for key in rels for end in key}
        stored: dict[str, Label | None] = {}
        for chunk in _chunks(sorted(set(writing) | ends)):
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
        for chunk in _chunks(list(nodes.items())):
            existing = {
                row["id"]: _without_id(row["props"])
                for row in self._data(cypher.EXISTING_NODES, label, ids=[node_id for node_id, _ in chunk])
            }
            rows = self._diff(label.value, chunk, existing)
            if rows:
                self._data(cypher.UPSERT_NODES, label, rows=[{"id": key, "props": props} for key, props in rows])
            self.tick(len(chunk))

    def _upsert_rels(self, rtype: RelType, rels: dict[tuple[str, str], dict]) -> None:
        for chunk in _chunks(list(rels.items())):
            keys = [{"source": s, "target": t} for (s, t), _ in chunk]
            existing = {
                (row["source"], row["target"]): row["props"] for row in self._data(cypher.EXISTING_RELS, rtype, keys=keys)
            }
            rows = self._diff(rtype.value, chunk, existing)
            if rows:
                self._data(
                    cypher.UPSERT_RELS, rtype, rows=[{"source": s, "target": t, "props": props} for (s, t), props in rows]
                )
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

    def _delete_rels(self, rtype: RelType, keys: list[tuple[str, str]]) -> None:
        for chunk in _chunks(keys):
            result = self.tx.run(cypher.DELETE_RELS.text(rtype), keys=[{"source": s, "target": t} for s, t in chunk])
            self.summary.count("deleted", rtype.value, result.consume().counters.relationships_deleted)

    def _delete_nodes(self, ids: list[str]) -> None:
        for chunk in _chunks(ids):
            for row in self._data(cypher.COUNT_RELS_OF_NODES, ids=chunk):
                self.summary.count("deleted", RelType(row["type"]).value, row["count"])
            for row in self._data(cypher.DELETE_NODES, ids=chunk):
                label = cypher.domain_label(row["labels"])
                if label is not None:
                    self.summary.count("deleted", label.value, row["count"])


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
