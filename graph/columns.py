"""Records handed to a store as a table's columns: a run of one label's nodes, or of one
type's relationships, kept as the lists the import validated instead of a record and a
dict per row.

A run is an iterable of ``Node``/``Rel`` records, so every store takes it through the
port's ``write`` as it takes any records; a store that can encode a whole column at once
(SQLite) reads the columns instead (city import: making a record, a dict and its JSON
per row took 1.3 s of the store's 3.1 s write; 0.6 s now, see benchmarks/PROFILES.md). ``Runs`` strings runs and plain records together, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from graph.records import Node, Rel
from graph.schema import Label, RelType


@dataclass(frozen=True)
class PropColumns:
    """Properties as columns: ``values[k][i]`` is property ``names[k]`` of row ``i``; a
    blank (None) leaves the property out of that row."""

    names: list[str]
    values: list[Sequence]

    def row(self, i: int) -> dict:
        return {name: value for name, column in zip(self.names, self.values) if (value := column[i]) is not None}


@dataclass(frozen=True)
class NodeColumns:
    """Nodes of one label: row ``i`` is ``ids[i]`` with ``props.row(i)``, written for each
    position of ``order`` in that order."""

    label: Label
    ids: Sequence[str]
    props: PropColumns
    order: Sequence[int]

    def __iter__(self) -> Iterator[Node]:
        label, ids, row = self.label, self.ids, self.props.row
        for i in self.order:
            yield Node(label, ids[i], row(i))

    def __len__(self) -> int:
        return len(self.order)


@dataclass(frozen=True)
class RelColumns:
    """Relationships of one type: row ``i`` goes from ``sources[i]`` to ``targets[i]``
    with ``props.row(i)``, written for each position of ``order`` in that order."""

    type: RelType
    sources: Sequence[str]
    targets: Sequence[str]
    props: PropColumns
    order: Sequence[int]

    def __iter__(self) -> Iterator[Rel]:
        rtype, sources, targets, row = self.type, self.sources, self.targets, self.props.row
        for i in self.order:
            yield Rel(rtype, sources[i], targets[i], row(i))

    def __len__(self) -> int:
        return len(self.order)


class Runs:
    """Records given as runs, in order: each run a ``NodeColumns``/``RelColumns`` or any
    iterable of records. Iterating gives the records one at a time (what any store
    takes); ``runs`` gives the runs themselves, for a store that reads columns. Either
    is read once, as a write reads its records."""

    def __init__(self, runs: Iterable[Iterable]):
        self.runs = runs

    def __iter__(self) -> Iterator:
        for run in self.runs:
            yield from run
