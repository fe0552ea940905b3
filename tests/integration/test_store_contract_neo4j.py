"""The store port's contract (tests/integration/test_store_contract.py), run against the
Neo4j adapter.

Two ``store`` fixtures:

- ``server``: a real Neo4j 5 named by ``NEO4J_URI`` (credentials and database from
  ``REDCHAIN_NEO4J_USER`` / ``REDCHAIN_NEO4J_PASSWORD`` / ``REDCHAIN_NEO4J_DATABASE``).
  Skipped when ``NEO4J_URI`` is unset. Point it at a throwaway database: each test
  deletes redchain's nodes there (``:RedchainNode``, ``:RedchainMeta``,
  ``:RedchainDocument``; nothing else) before and after it runs.
- ``offline``: the same adapter on :class:`FakeDriver`, a stand-in that executes each
  statement of ``graph.cypher`` by name with hand-written Python semantics. It exercises
  everything the adapter does in Python (batching, diffing, counting, label checks,
  transactions, dry-run rollback, version) on every run; it proves nothing about the
  Cypher itself, which the lint test and the ``server`` runs check.

Every test function of the contract module that takes ``store`` is collected here too, so
tests the contract gains later run against Neo4j without a change here.
"""

from __future__ import annotations

import copy
import inspect
import os

import pytest
from neo4j.exceptions import ConstraintError, CypherTypeError

import test_store_contract as contract
from graph import cypher
from graph.cypher import NODE_LABEL
from graph.errors import StoreError
from graph.factory import open_store
from graph.neo4j_store import BATCH_SIZE, Neo4jStore
from graph.analysis.coverage import coverage_report
from graph.projection import load_projection, project
from graph.records import Node, Rel
from graph.schema import Label, RelType
from graph.sqlite_store import SQLiteStore
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths

NEO4J_URI = os.environ.get("NEO4J_URI")
SERVER_SKIP = "NEO4J_URI is not set: no Neo4j server to test against (see README, Running with Neo4j)"


def clear_server(store: Neo4jStore) -> None:
    """Delete redchain's nodes (only those) from a test database, in bounded batches."""
    text = cypher.CLEAR_BATCH.text()
    with store._driver.session(database=store.database) as session:
        while session.execute_write(lambda tx: tx.run(text, limit=10_000).single()["deleted"]):
            pass


def server_store() -> Neo4jStore:
    store = open_store(NEO4J_URI)
    clear_server(store)
    return store


@pytest.fixture(params=["offline", pytest.param("server", marks=pytest.mark.skipif(not NEO4J_URI, reason=SERVER_SKIP))])
def store(request):
    s = server_store() if request.param == "server" else Neo4jStore("bolt://fake", driver=FakeDriver())
    yield s
    if request.param == "server":
        clear_server(s)
    s.close()


# The contract's tests, collected again here with this module's ``store`` fixture.
for _name, _test in vars(contract).items():
    if _name.startswith("test_") and "store" in inspect.signature(_test).parameters:
        globals()[_name] = _test


# -- what the Neo4j adapter adds to the contract ------------------------------------------------------


def test_from_environment_reads_credentials(monkeypatch):
    seen = {}

    class Recorder(Neo4jStore):
        def __init__(self, uri, *, auth=None, database="neo4j", driver=None):
            seen.update(uri=uri, auth=auth, database=database)

    monkeypatch.setenv("REDCHAIN_NEO4J_USER", "planner")
    monkeypatch.setenv("REDCHAIN_NEO4J_PASSWORD", "secret")
    monkeypatch.setenv("REDCHAIN_NEO4J_DATABASE", "district")
    Recorder.from_environment("neo4j://db.example:7687")
    assert seen == {"uri": "neo4j://db.example:7687", "auth": ("planner", "secret"), "database": "district"}
    monkeypatch.delenv("REDCHAIN_NEO4J_PASSWORD")
    monkeypatch.delenv("REDCHAIN_NEO4J_USER")
    monkeypatch.delenv("REDCHAIN_NEO4J_DATABASE")
    Recorder.from_environment("bolt://localhost:7687")
    assert seen == {"uri": "bolt://localhost:7687", "auth": None, "database": "neo4j"}


def test_unreachable_server_is_a_clear_store_error():
    with pytest.raises(StoreError, match=r"cannot connect to Neo4j at bolt://127\.0\.0\.1:9 \(database neo4j\)"):
        open_store("bolt://127.0.0.1:9")


def test_writes_span_several_batches(store):
    nodes = [Node(Label.CHAIN, f"C{i:05d}", {"name": f"链{i}"}) for i in range(BATCH_SIZE + 7)]
    ticks = []
    summary = store.write(nodes, progress=ticks.append)
    assert summary.added == {"Chain": BATCH_SIZE + 7} and ticks == [BATCH_SIZE, 7]
    again = store.write(nodes[:3] + [Node(Label.CHAIN, "C00004", {"name": "新名"})])
    assert again.unchanged == {"Chain": 3} and again.updated == {"Chain": 1}
    assert store.version() == 2


def test_a_none_property_removes_it_and_types_are_compared_strictly(store):
    store.write([Node(Label.ENTERPRISE, contract.E1, {"name": "甲", "park": "麓谷", "employees": 1})])
    summary = store.write([Node(Label.ENTERPRISE, contract.E1, {"park": None, "employees": True})])
    assert summary.updated == {"Enterprise": 1}
    assert store.read(ids=[contract.E1]).nodes[0].props == {"name": "甲", "employees": True}
    assert not store.write([Node(Label.ENTERPRISE, contract.E1, {"park": None})]).changed


def test_relationship_properties_and_deletes(store):
    contract._seed(store)
    updated = store.write(rels=[Rel(RelType.SUPPLIES, contract.E1, contract.E2, {"product": "铝材"})])
    assert updated.updated == {"SUPPLIES": 1}
    deleted = store.write(delete_rels=[("COVERS", "O1", contract.E1), ("COVERS", "O1", contract.E2)])
    assert deleted.deleted == {"COVERS": 1}
    assert [(r.type, r.props) for r in store.read().rels] == [(RelType.SUPPLIES, {"product": "铝材"})]


def test_a_relationship_to_a_missing_id_is_refused(store):
    contract._seed(store)
    with pytest.raises(StoreError, match="exist neither in the store nor in this write: NOPE"):
        store.write(rels=[Rel(RelType.COVERS, "O1", "NOPE")])
    assert store.version() == 1


def test_dry_run_of_an_update_counts_and_changes_nothing(store):
    contract._seed(store)
    summary = store.write([Node(Label.ENTERPRISE, contract.E1, {"park": "麓谷"})], delete_nodes=[contract.E2], dry_run=True)
    assert summary.updated == {"Enterprise": 1} and summary.deleted == {"Enterprise": 1, "SUPPLIES": 1}
    assert summary.version == 1 and store.version() == 1
    assert store.read(ids=[contract.E1]).nodes[0].props == {"name": "甲"}


def test_demo_district_imports_as_into_sqlite(store, tmp_path):
    """The importer and the analyses work unchanged on Neo4j: same counts, same graph,
    same coverage as the embedded store; a second import changes nothing."""
    paths = write_demo_csv(demo_tables("district", seed=2024), tmp_path / "demo")
    embedded = SQLiteStore(tmp_path / "reference.db")
    expected = import_paths(embedded, paths).summary
    assert import_paths(store, paths, dry_run=True).summary.added == expected.added and store.version() == 0
    assert import_paths(store, paths).summary.added == expected.added
    assert not import_paths(store, paths).summary.changed and store.version() == 1
    ours, theirs = store.read(), embedded.read()
    assert (ours.nodes, ours.rels) == (theirs.nodes, theirs.rels)
    g = load_projection(store)
    assert coverage_report(g, by="segment") == coverage_report(project(theirs), by="segment")
    assert load_projection(store) is g
    embedded.close()


# -- the offline stand-in for a Neo4j server ------------------------------------------------------------


class FakeDriver:
    """Executes graph.cypher's statements, recognised by their exact text, on an
    in-memory graph. Transactions work on a copy that replaces the graph on commit."""

    def __init__(self):
        self.db = _Db()
        self.statements = {text: (name.split("[")[0], name) for name, text, _ in cypher.all_statements()}
        self.sent: list[str] = []

    def verify_connectivity(self):
        return None

    def session(self, database=None):
        return _Session(self)

    def close(self):
        pass


class _Db:
    def __init__(self):
        self.nodes: dict[str, tuple[frozenset, dict]] = {}  # id -> (labels, props incl. id)
        self.rels: dict[tuple[str, str, str], dict] = {}  # (type, source, target) -> props
        self.meta: dict[str, int] = {}
        self.documents: dict[tuple[str, str], str] = {}


class _Session:
    def __init__(self, driver: FakeDriver):
        self.driver = driver

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_read(self, work):
        return work(_Tx(self.driver, copy.deepcopy(self.driver.db)))

    def execute_write(self, work):
        tx = _Tx(self.driver, copy.deepcopy(self.driver.db))
        result = work(tx)
        self.driver.db = tx.db
        return result

    def begin_transaction(self):
        return _Tx(self.driver, copy.deepcopy(self.driver.db))


class _Counters:
    def __init__(self, relationships_deleted=0):
        self.relationships_deleted = relationships_deleted


class _Result:
    def __init__(self, rows, counters=None):
        self.rows, self.counters = rows, counters or _Counters()

    def data(self):
        return self.rows

    def single(self):
        return self.rows[0]

    def consume(self):
        return self


class _Tx:
    def __init__(self, driver: FakeDriver, db: _Db):
        self.driver, self.db, self.closed = driver, db, False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if not self.closed and exc_type is None:
            self.driver.db = self.db  # an explicit transaction commits unless rolled back
        self.closed = True
        return False

    def rollback(self):
        self.closed = True

    def run(self, text, parameters=None, **kw):
        params = {**(parameters or {}), **kw}
        base, name = self.driver.statements[text]  # KeyError: not a registry statement
        kind = name[len(base) + 1 : -1] if "[" in name else None
        self.driver.sent.append(name)
        return getattr(self, f"_{base}", self._schema)(kind, **params)

    # statement semantics -------------------------------------------------------------------------

    def _schema(self, kind):
        return _Result([])

    def _read_version(self, kind):
        return _Result([{"version": self.db.meta["version"]}] if "version" in self.db.meta else [])

    def _bump_version(self, kind):
        self.db.meta["version"] = self.db.meta.get("version", 0) + 1
        return self._read_version(kind)

    def _row(self, node_id):
        labels, props = self.db.nodes[node_id]
        return {"id": node_id, "labels": sorted(labels), "props": dict(props)}

    def _labels_by_id(self, kind, ids):
        return _Result([{"id": i, "labels": sorted(self.db.nodes[i][0])} for i in ids if i in self.db.nodes])

    def _existing_nodes(self, kind, ids):
        return _Result([
            {"id": i, "props": dict(self.db.nodes[i][1])} for i in ids if i in self.db.nodes and kind in self.db.nodes[i][0]
        ])

    def _upsert_nodes(self, kind, rows):
        for row in rows:
            _check_values(row["props"])
            if row["id"] in self.db.nodes and kind not in self.db.nodes[row["id"]][0]:
                raise ConstraintError(f"Node already exists with label `{NODE_LABEL}` and property `id` = {row['id']!r}")
            labels, props = self.db.nodes.setdefault(row["id"], (frozenset({kind, NODE_LABEL}), {"id": row["id"]}))
            _merge(props, row["props"])
        return _Result([])

    def _existing_rels(self, kind, keys):
        return _Result([
            {"source": k["source"], "target": k["target"], "props": dict(self.db.rels[(kind, k["source"], k["target"])])}
            for k in keys if (kind, k["source"], k["target"]) in self.db.rels
        ])

    def _upsert_rels(self, kind, rows):
        for row in rows:
            _check_values(row["props"])
            if row["source"] in self.db.nodes and row["target"] in self.db.nodes:
                _merge(self.db.rels.setdefault((kind, row["source"], row["target"]), {}), row["props"])
        return _Result([])

    def _delete_rels(self, kind, keys):
        deleted = sum(self.db.rels.pop((kind, k["source"], k["target"]), None) is not None for k in keys)
        return _Result([], _Counters(relationships_deleted=deleted))

    def _count_rels_of_nodes(self, kind, ids):
        counts: dict[str, int] = {}
        wanted = set(ids)
        for rtype, source, target in self.db.rels:
            if source in wanted or target in wanted:
                counts[rtype] = counts.get(rtype, 0) + 1
        return _Result([{"type": t, "count": n} for t, n in counts.items()])

    def _delete_nodes(self, kind, ids):
        counts: dict[tuple, int] = {}
        for node_id in ids:
            if node_id in self.db.nodes:
                labels = tuple(sorted(self.db.nodes.pop(node_id)[0]))
                counts[labels] = counts.get(labels, 0) + 1
                self.db.rels = {k: v for k, v in self.db.rels.items() if node_id not in k[1:]}
        return _Result([{"labels": list(labels), "count": n} for labels, n in counts.items()])

    def _read_all_nodes(self, kind):
        return _Result([self._row(i) for i in sorted(self.db.nodes)])

    def _read_label_nodes(self, kind):
        return _Result([self._row(i) for i, (labels, _) in self.db.nodes.items() if kind in labels])

    def _read_nodes_by_id(self, kind, ids):
        return _Result([self._row(i) for i in ids if i in self.db.nodes])

    def _rel_row(self, key):
        return {"type": key[0], "source": key[1], "target": key[2], "props": dict(self.db.rels[key])}

    def _read_all_rels(self, kind):
        return _Result([self._rel_row(k) for k in sorted(self.db.rels)])

    def _read_rels_among(self, kind, ids):
        wanted = set(ids)
        return _Result([self._rel_row(k) for k in self.db.rels if k[1] in wanted and k[2] in wanted])

    def _save_document(self, kind, collection, key, body):
        self.db.documents[(collection, key)] = body
        return _Result([])

    def _read_documents(self, kind, collection):
        return _Result([{"key": k, "body": b} for (c, k), b in sorted(self.db.documents.items()) if c == collection])

    def _clear_batch(self, kind, limit):
        deleted = len(self.db.nodes) + len(self.db.meta) + len(self.db.documents)
        self.db.__init__()
        return _Result([{"deleted": deleted}])


def _merge(props: dict, patch: dict) -> None:
    """``SET x += $map``: a null removes the property."""
    for key, value in patch.items():
        if value is None:
            props.pop(key, None)
        else:
            props[key] = copy.deepcopy(value)


def _check_values(props: dict) -> None:
    for key, value in props.items():
        if isinstance(value, dict):
            raise CypherTypeError(f"Property values can only be of primitive types or arrays thereof ({key})")

