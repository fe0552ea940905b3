"""The Neo4j server of a test run (started by tests/conftest.py, or named by NEO4J_URI),
and how tests empty it of redchain's nodes (only those)."""

from __future__ import annotations

import os

from graph import cypher
from graph.factory import open_store
from graph.neo4j_store import Neo4jStore

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
