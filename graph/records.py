"""Plain records the store port reads and writes: nodes, relationships, whole graphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from graph.schema import Label, RelType


@dataclass(frozen=True, slots=True)  # millions of them in a large read: no __dict__ each
class Node:
    label: Label
    id: str
    props: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rel:
    type: RelType
    source: str
    target: str
    props: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type.value, self.source, self.target)


@dataclass
class GraphData:
    """A whole graph (or a filtered part of it) as read from a store."""

    nodes: list[Node] = field(default_factory=list)
    rels: list[Rel] = field(default_factory=list)
    version: int = 0


@dataclass(frozen=True)
class GraphScan:
    """A whole graph as it streams from a store, one record at a time: the nodes first,
    then the relationships, both of one consistent version. A reader that keeps only part
    of each record never holds the whole graph's records at once."""

    version: int
    nodes: Iterator[Node]
    rels: Iterator[Rel]


@dataclass(frozen=True)
class Document:
    """A stored JSON document (history snapshots, tokens, audit entries, plans)."""

    collection: str
    key: str
    body: dict


@dataclass
class WriteSummary:
    """What one write did, per label / relationship type."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    version: int = 0

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        counts = getattr(self, bucket)
        counts[kind] = counts.get(kind, 0) + n

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or any(self.updated.values()) or any(self.deleted.values())
