"""The slim projection a coverage snapshot is taken from.

Every import leaves a snapshot (``history.snapshot_now``): ``coverage_report(g)`` and
``coverage_state(g)`` of the whole base, and the base's numbers completed for any other
grouping (``CoverageBase``, kept beside the store so that the first ``report --by ...``
after an import needs no projection). Those read each node's ``label``, the few
properties in ``SNAPSHOT_PART.node_props``, the names and order of chains and segments
(``label_props``, read apart: ``graph.projection.load_part``) and the relationship types
in ``SNAPSHOT_PART.rel_types``; the names of enterprises and orgs, supply links and the
rest are never looked at. So the snapshot is taken from a projection holding only those
(``graph.projection.project_part``), streamed from the store (Neo4j sends only those
properties and types: ``Neo4jStore.scan``): after importing 2·10⁶ enterprises, building
the whole projection peaked at 3.8 GB; with this one the whole ``redchain load`` peaks at
1.07 GB (stop 26, parks, streets and kinds included; benchmarks/REFUSALS.md has the runs
before them).

This list is the one place that says what the snapshot reads. The coverage rules stay
written once, in ``coverage``, ``membership`` and ``uncovered``; if they come to read
another property or type, tests/unit/test_snapshot_projection.py fails: it takes the
snapshot both ways on the demos and on random graphs, and shows that leaving out any one
entry of the list changes some snapshot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.projection import Part, load_part
from graph.schema import Label, RelType
from graph.store import GraphStore

SNAPSHOT_PART = Part(
    node_props=frozenset({
        "in_base", "status",  # the base (membership.is_base)
        "party_members",  # remedies and the article figures (uncovered.remedy_for, coverage)
        "formation", "star", "demonstration",  # org states and counts (coverage, membership)
        "park", "street", "kind",  # the groupings by property (coverage._GROUPED_PROPERTIES)
    }),
    label_props=(
        (Label.CHAIN, frozenset({"name"})),  # group names (coverage.CoverageBase)
        (Label.SEGMENT, frozenset({"name", "stage", "order"})),  # and segment order (membership.segment_key)
    ),
    rel_types=frozenset({
        RelType.COVERS,  # org coverage
        RelType.ASSIGNED_TO, RelType.CONTACTS, RelType.PAIRED_WITH,  # work coverage, the state's links
        RelType.LEADS,  # industry committees
        RelType.IN_SEGMENT, RelType.PART_OF,  # the chains each enterprise and org is in
    }),
)  # fmt: skip


def snapshot_projection(store: GraphStore) -> nx.MultiDiGraph:
    """The store's projection cut down to what a snapshot reads (frozen, not cached)."""
    return load_part(store, SNAPSHOT_PART)
