"""A token scoped to chain C01 reads no name of anything outside its view, not even in a
finding's sentence.

Added to the district of ``api_dataset.py``: leader L4 (孙八), responsible for chain C02
(电子信息), whose contact point is org O1 of C01. L4 and O1 are in the C01 view, C02 is
not: the finding "L4 contacts outside the chain he is responsible for" is written from
C02's name, so it cannot be shown to the view without that name.
"""

from __future__ import annotations

import pytest

import api_dataset as ds
from api.core.scope import scope_nodes
from graph.projection import load_projection
from graph.records import Node, Rel
from graph.schema import Label, RelType


@pytest.fixture(scope="module")
def district(template_db, tmp_path_factory):
    from conftest import started_with

    server = started_with(template_db, tmp_path_factory,
                          [Node(Label.LEADER, "L4", {"name": "孙八", "capacity": 3, "min_contacts": 1})],
                          [Rel(RelType.RESPONSIBLE_FOR, "L4", "C02"), Rel(RelType.CONTACTS, "L4", "O1")])
    store = server.store()
    try:
        g = load_projection(store)
    finally:
        store.close()
    hidden = set(g.nodes) - scope_nodes(g, frozenset({"C01"}))
    server.hidden_names = {g.nodes[n]["name"] for n in hidden if g.nodes[n].get("name")}
    yield server
    server.stop()


def test_a_finding_written_from_a_hidden_chains_name_is_left_out(district):
    admin = district.client("admin").get("/api/gaps/contacts", params={"chain": "C01"}).json()
    assert [(o["leader"], o["target"], o["leader_chains"]) for o in admin["outside_responsibility"]] == [("L4", "O1", ["C02"])]
    assert "电子信息" in admin["outside_responsibility"][0]["message"]
    for who in ("viewer_c01", "editor_c01"):
        assert district.client(who).get("/api/gaps/contacts").json()["outside_responsibility"] == []


def test_a_record_without_text_keeps_what_is_in_view(district):
    # L4 stays listed as a leader of the view (he contacts O1), his chain C02 unnamed
    leader = district.client("editor_c01").get("/api/leaders/L4").json()
    assert (leader["name"], leader["chains"]) == ("孙八", [])


SCOPED_READS = [
    "/api/health", "/api/coverage", "/api/coverage?by=chain", "/api/coverage?by=segment", "/api/coverage?by=park",
    "/api/coverage?by=street", "/api/coverage?by=kind", "/api/gaps/uncovered", "/api/gaps/pairing",
    "/api/gaps/contacts", "/api/gaps/orgs", "/api/chains/C01", "/api/chains/C01/structure", "/api/history",
    "/api/enterprises?limit=500", "/api/party-orgs?limit=500", "/api/chains", "/api/units", "/api/leaders",
    "/api/instructors", "/api/alliances", f"/api/enterprises/{ds.E1}", "/api/party-orgs/O1", "/api/leaders/L1",
    "/api/leaders/L4", "/api/alliances/A1", "/api/units/U1", "/api/instructors/I1",
    f"/api/graph/neighbourhood/{ds.E1}?depth=3", "/api/graph/neighbourhood/L4?depth=3",
]


@pytest.mark.parametrize("who", ["viewer_c01", "editor_c01"])
def test_no_scoped_answer_names_anything_hidden(district, who):
    client = district.client(who)
    assert {"电子信息", "芯片设计公司", "电子党支部"} <= district.hidden_names
    for path in SCOPED_READS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert {name for name in district.hidden_names if name in response.text} == set(), path


@pytest.mark.parametrize("kind", ["contacts", "instructors", "pairings", "joint-branches"])
def test_no_scoped_plan_names_anything_hidden(district, kind):
    response = district.client("editor_c01").post(f"/api/plans/{kind}", json={})
    assert response.status_code in (200, 201), response.text
    assert {name for name in district.hidden_names if name in response.text} == set()
