"""The store port's contract (tests/integration/test_store_contract.py), run against the
Neo4j adapter.

The ``store`` fixture is a real Neo4j 5 named by ``NEO4J_URI`` (credentials and database
from ``REDCHAIN_NEO4J_USER`` / ``REDCHAIN_NEO4J_PASSWORD`` / ``REDCHAIN_NEO4J_DATABASE``):
tests/conftest.py starts one with ``tools/neo4j/serve`` when Java and Maven are present.
Skipped, with the reason, when ``NEO4J_URI`` is unset. Point it at a throwaway database:
each test deletes redchain's nodes there (``:RedchainNode``, ``:RedchainMeta``,
``:RedchainDocument``; nothing else) before and after it runs. (A hand-written stand-in
driver used to run these offline; it proved nothing about the Cypher and is gone.)

Every test function of the contract module that takes ``store`` is collected here too, so
tests the contract gains later run against Neo4j without a change here.
"""

from __future__ import annotations

import copy
import inspect

import pytest
from neo4j.exceptions import ConstraintError, CypherTypeError

import test_store_contract as contract
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

from neo4j_server import neo4j_store as store  # noqa: F401  (the fixture the contract's tests take)


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
    with pytest.raises(StoreError, match=r"无法连接 Neo4j bolt://127\.0\.0\.1:9（数据库 neo4j）：连不上服务器：请确认 Neo4j 已启动、地址和端口正确"):
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
