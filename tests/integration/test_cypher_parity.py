"""The in-database Cypher listings give the same answers as the projection-based
functions: on the demo district (imported through the real importer) and on a small
hand-built graph with the edge cases (orgs without a formation, a committee that also
covers, closed and out-of-base enterprises, blank parks, empty segments and chains).

Needs a Neo4j 5.26+ server: ``NEO4J_URI`` (see test_store_contract_neo4j.py; the tests
delete redchain's nodes in that database). Skipped otherwise.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from api.core.scope import ScopedGraph
from api.core.services.neighbourhood import neighbourhood
from graph.analysis.uncovered import uncovered_enterprises
from graph.cypher import neighbourhood_cypher, uncovered_enterprises_cypher
from graph.errors import NotFound
from graph.projection import ids_with_label, load_projection
from graph.schema import Label
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths
from neo4j_server import NEO4J_URI, SERVER_SKIP, clear_server, server_store
from graph.builder import GraphBuilder

pytestmark = pytest.mark.skipif(not NEO4J_URI, reason=SERVER_SKIP)

E = [f"9143010{i}MA4L00000{i}" for i in range(10)]  # ids only need to be unique here


def edge_case_graph() -> GraphBuilder:
    b = GraphBuilder()
    b.chain("C1").chain("C2").chain("C3")  # C3: no segments at all
    b.segment("S1", "C1", "upstream", order=2).segment("S2", "C1", "downstream").segment("S3", "C2", "midstream")
    b.node(Label.SEGMENT, "S4", name="空环节", stage="upstream")
    b.rel("PART_OF", "S4", "C2")  # a segment with no enterprises
    b.enterprise(E[0], park="麓谷", party_members=5, employees=800, leading=True)
    b.enterprise(E[1], park="", party_members=2, above_scale=True)
    b.enterprise(E[2], street="东塘", party_members=0)
    b.enterprise(E[3], status="closed")
    b.enterprise(E[4], in_base=False)
    b.enterprise(E[5], park="麓谷", employees=12)
    b.enterprise(E[6])
    b.enterprise(E[7], park="麓谷", party_members=3)  # uncovered, unreached
    b.enterprise(E[8], employees=1)  # in no segment at all
    for e, s in [(E[0], "S1"), (E[1], "S1"), (E[1], "S3"), (E[2], "S2"), (E[3], "S2"), (E[4], "S3"), (E[5], "S3"), (E[6], "S1"), (E[7], "S3")]:
        b.rel("IN_SEGMENT", e, s)
    b.org("O1", formation="standalone").org("O2", formation="joint").org("O3", formation=None)
    b.org("K1", formation="industry", level="committee").org("K2", formation="standalone", level="committee")
    b.rel("COVERS", "O2", E[0]).rel("COVERS", "O1", E[0]).rel("COVERS", "O2", E[1]).rel("COVERS", "O3", E[5])
    b.rel("COVERS", "K2", E[6]).rel("LEADS", "K1", "C1").rel("LEADS", "K2", "C2").rel("COVERS", "O1", E[3])
    b.node(Label.INSTRUCTOR, "I1", name="指导员").rel("ASSIGNED_TO", "I1", E[2])
    b.rel("PAIRED_WITH", E[0], E[2])
    for i in range(6):
        b.rel("SUPPLIES", E[i], E[(i + 1) % 7], product="件")
    b.rel("SUPPLIES", E[2], E[5])
    return b


@pytest.fixture(scope="module", params=["edge_cases", "district"])
def store(request, tmp_path_factory):
    s = server_store()
    if request.param == "district":
        paths = write_demo_csv(demo_tables("district", seed=2024), tmp_path_factory.mktemp("district"))
        import_paths(s, paths)
    else:
        data = edge_case_graph().data()
        s.write(data.nodes, data.rels)
    yield s
    clear_server(s)
    s.close()


def chains_to_try(g) -> list:
    return [None, *sorted(ids_with_label(g, Label.CHAIN))[:3]]


def test_uncovered_enterprises_agree(store):
    g = load_projection(store)
    for chain in chains_to_try(g):
        expected = uncovered_enterprises(g, chain=chain)
        assert uncovered_enterprises_cypher(store, chain=chain) == expected, chain
    found = uncovered_enterprises(g)
    assert any(u.work_covered for u in found) and any(not u.work_covered for u in found)


def test_neighbourhood_agrees(store):
    g = load_projection(store)
    reader = SimpleNamespace(scoped=ScopedGraph(g, None, True), shown=lambda obj: obj)
    centres = [ids_with_label(g, label)[0] for label in (Label.ENTERPRISE, Label.CHAIN, Label.PARTY_ORG)]
    for centre in centres:
        for depth, limit in [(1, 50), (2, 30), (3, 500)]:
            expected = neighbourhood(reader, centre, depth=depth, limit=limit)
            assert neighbourhood_cypher(store, centre, depth=depth, limit=limit) == expected, (centre, depth)


def test_unknown_chain_and_node_are_not_found(store):
    with pytest.raises(NotFound, match="找不到产业链 NOPE"):
        uncovered_enterprises_cypher(store, chain="NOPE")
    with pytest.raises(NotFound):
        neighbourhood_cypher(store, "NOPE", depth=1, limit=10)
