"""The projection: dangling relationships are left out, and loading leaves the collector as
it found it."""

from __future__ import annotations

import gc

from graph.analysis.coverage import coverage_report
from graph.analysis.org_checks import organisation_checks
from graph.projection import ids_with_label, load_projection, project
from graph.records import GraphData, Node, Rel
from graph.schema import Label, RelType


def dangling() -> GraphData:
    """O1 covers E1 and a missing enterprise; a missing org covers E1."""
    return GraphData(
        nodes=[Node(Label.ENTERPRISE, "E1", {"name": "甲"}), Node(Label.PARTY_ORG, "O1", {"name": "支部"})],
        rels=[
            Rel(RelType.COVERS, "O1", "E1"),
            Rel(RelType.COVERS, "O1", "GONE"),
            Rel(RelType.COVERS, "NOBODY", "E1"),
        ],
        version=7,
    )


def test_relationships_with_a_missing_end_are_left_out():
    g = project(dangling())
    assert sorted(g.nodes) == ["E1", "O1"]
    assert list(g.edges(keys=True)) == [("O1", "E1", "COVERS")]
    assert (g.graph["version"], ids_with_label(g, Label.PARTY_ORG)) == (7, ["O1"])
    assert coverage_report(g).totals.org_covered == 1
    assert organisation_checks(g) == []


class _Store:
    def __init__(self, data: GraphData):
        self.data = data

    def version(self) -> int:
        return self.data.version

    def read(self) -> GraphData:
        return self.data


def test_load_projection_restores_the_collector():
    assert gc.isenabled()
    g = load_projection(_Store(dangling()))
    assert gc.isenabled() and sorted(g.nodes) == ["E1", "O1"]
    gc.disable()
    try:
        load_projection(_Store(dangling()))
        assert not gc.isenabled()  # left off, as the caller had it
    finally:
        gc.enable()


def test_load_projection_reenables_the_collector_when_reading_fails():
    class Broken(_Store):
        def read(self) -> GraphData:
            raise OSError("disk gone")

    try:
        load_projection(Broken(dangling()))
    except OSError:
        pass
    assert gc.isenabled()
