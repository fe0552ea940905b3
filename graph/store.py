"""The storage port: the few operations every graph store offers.

Stores are generic (labels, ids, properties, typed relationships); the domain lives in
the schema and the analyses. Both adapters (SQLite embedded, Neo4j server) implement
this protocol, and the contract tests run against each.
"""

from __future__ import annotations

from typing import Iterable, Protocol, runtime_checkable

from typing import Callable

from graph.records import Document, GraphData, Node, Rel, WriteSummary
from graph.schema import Label, RelType


@runtime_checkable
class GraphStore(Protocol):
    kind: str  # "sqlite" or "neo4j"

    def version(self) -> int:
        """A number that changes on every commit that changes something."""

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
        """Upsert nodes (by id, merging properties) and relationships (by type, source,
        target), delete the given ones and save ``documents``, all in one transaction:
        either everything is written or nothing is. Deleting a node deletes its
        relationships. Unchanged records do not bump the version. ``progress(n)`` is called
        as records are written. ``nodes`` and ``rels`` may be ``graph.columns.Runs``: still
        records when iterated, but a store may read their runs' columns instead. With ``dry_run`` everything is counted and then rolled back.

        ``documents`` may be a function of the write's summary (its counts and new version),
        called inside the transaction: that is how a write carries its own audit entry, so
        a committed write always has one and a failed write never has. With
        ``expected_version``, the write is refused with ``VersionConflict`` (nothing
        written) if another write has committed since that version was read.
        """

    def read(self, *, labels: Iterable[Label] | None = None, ids: Iterable[str] | None = None) -> GraphData:
        """The whole graph, or the nodes with the given labels / ids and the
        relationships among them."""

    def links(self, types: Iterable[RelType]) -> list[Rel]:
        """Every stored relationship of these types (no node is read)."""

    def labels_of(self, ids: Iterable[str]) -> dict[str, Label]:
        """The label of each id that exists in the store."""

    def save_document(self, collection: str, key: str, body: dict) -> None:
        """Store a JSON document (history snapshots, tokens, audit entries, plans)."""

    def documents(self, collection: str) -> list[tuple[str, dict]]:
        """All documents of a collection as (key, body), ordered by key."""

    def document(self, collection: str, key: str) -> dict | None:
        """One document by its key (an index lookup, not a scan), or None."""

    def delete_document(self, collection: str, key: str) -> None:
        """Remove one document; nothing happens when there is none."""

    def close(self) -> None:
        """Release connections."""
