"""A unit of work over the store port: collect what one use case writes — graph records,
deletions, documents, the documents that describe the write (its audit entry) and the
version it was prepared against — and commit it in one transaction, or nothing.

    with UnitOfWork(store, expected_version=plan.version) as uow:
        uow.add(nodes, rels)
        uow.describe(lambda summary: [audit_entry(summary)])
    uow.summary.version  # the version the write committed

Leaving the block with an exception writes nothing; leaving it normally commits once.
"""

from __future__ import annotations

from typing import Callable, Iterable

from graph.records import Document, Node, Rel, WriteSummary
from graph.store import GraphStore


class UnitOfWork:
    def __init__(self, store: GraphStore, *, expected_version: int | None = None, progress=None):
        self.store = store
        self.expected_version = expected_version
        self.progress = progress
        self.nodes: list[Node] = []
        self.rels: list[Rel] = []
        self.delete_nodes: list[str] = []
        self.delete_rels: list[tuple[str, str, str]] = []
        self.documents: list[Document] = []
        self._describers: list[Callable[[WriteSummary], Iterable[Document]]] = []
        self.summary: WriteSummary | None = None

    def add(self, nodes: Iterable[Node] = (), rels: Iterable[Rel] = ()) -> None:
        self.nodes.extend(nodes)
        self.rels.extend(rels)

    def delete(self, nodes: Iterable[str] = (), rels: Iterable[tuple[str, str, str]] = ()) -> None:
        self.delete_nodes.extend(nodes)
        self.delete_rels.extend(rels)

    def save_document(self, collection: str, key: str, body: dict) -> None:
        self.documents.append(Document(collection, key, body))

    def describe(self, make: Callable[[WriteSummary], Iterable[Document]]) -> None:
        """Documents made from the write's summary inside its transaction (audit entries)."""
        self._describers.append(make)

    def _all_documents(self, summary: WriteSummary) -> list[Document]:
        return [*self.documents, *(doc for make in self._describers for doc in make(summary))]

    def commit(self) -> WriteSummary:
        self.summary = self.store.write(
            self.nodes, self.rels, delete_nodes=self.delete_nodes, delete_rels=self.delete_rels,
            documents=self._all_documents, expected_version=self.expected_version, progress=self.progress,
        )
        return self.summary

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
