"""A token scoped to chain C01 sees less than an unscoped one, never something untrue:
what lies outside its chains still counts in its analyses and counts, it is only not shown.

Added to the district of ``api_dataset.py``: leader L3, responsible for C01, whose only
contact point is org O2 of chain C02; O2 paired with E2 of C01 (so E2 is reached by
party work, by an org the C01 view does not hold); O1 covering E4 of C02 too, and E4 a
member of alliance A1; E3 of C01 in segment S02-1 of C02 as well.
"""

from __future__ import annotations

import pytest

import api_dataset as ds
from graph.records import Node, Rel
from graph.schema import Label, RelType


@pytest.fixture(scope="module")
def district(template_db, tmp_path_factory):
    from conftest import started_with

    server = started_with(template_db, tmp_path_factory,
                          [Node(Label.LEADER, "L3", {"name": "钱七", "capacity": 3, "min_contacts": 1})],
                          [Rel(RelType.RESPONSIBLE_FOR, "L3", "C01"), Rel(RelType.CONTACTS, "L3", "O2"),
                           Rel(RelType.PAIRED_WITH, "O2", ds.E2, {"kind": "co_building"}),
                           Rel(RelType.COVERS, "O1", ds.E4), Rel(RelType.MEMBER_OF, ds.E4, "A1", {"role": "member"}),
                           Rel(RelType.IN_SEGMENT, ds.E3, "S02-1")])
    yield server
    server.stop()


def test_a_contact_in_another_chain_still_counts_for_a_scoped_token(district):
    admin = district.client("admin").get("/api/gaps/contacts", params={"chain": "C01"}).json()
    assert admin["below_minimum"] == [] and admin["chains_without_contact"] == []
    assert [(o["leader"], o["target"]) for o in admin["outside_responsibility"]] == [("L3", "O2")]
    nothing = {"below_minimum": [], "over_capacity": [], "outside_responsibility": [], "chains_without_contact": []}
    for who in ("viewer_c01", "editor_c01"):
        # ?chain=C01's answer, less the finding that names O2 (outside the view): L3 is not
        # "below minimum with 0 contacts"
        assert district.client(who).get("/api/gaps/contacts").json() == nothing
        assert district.client(who).get("/api/gaps/contacts", params={"chain": "C01"}).json() == nothing


def test_a_scoped_leader_counts_every_contact_but_lists_only_those_in_view(district):
    assert {k: v for k, v in district.client("viewer_c01").get("/api/leaders/L3").json().items()
            if k in ("contacts", "contact_points", "chains")} == {"contacts": 1, "contact_points": [], "chains": ["C01"]}
    assert district.client("admin").get("/api/leaders/L3").json()["contact_points"] == ["O2"]
    listed = district.client("viewer_c01").get("/api/leaders", params={"q": "L3"}).json()["items"]
    assert [(item["id"], item["contacts"]) for item in listed] == [("L3", 1)]


def test_work_coverage_by_an_org_of_another_chain_counts_for_a_scoped_token(district):
    admin = district.client("admin").get("/api/coverage", params={"chain": "C01"}).json()["totals"]
    scoped = district.client("viewer_c01").get("/api/coverage").json()["totals"]
    assert (scoped["work_covered"], scoped["uncovered"]) == (2, 6)  # E3 (leader L1) and E2 (paired with O2)
    assert scoped == admin
    # E2 is listed as reached by party work (not as reached by no one), without naming O2
    listed = {u["id"]: u for u in district.client("viewer_c01").get("/api/gaps/uncovered").json()}
    assert (listed[ds.E2]["work_covered"], listed[ds.E2]["work_covered_by"]) == (True, [])
    assert listed[ds.E3]["work_covered_by"] == ["L1"]
    # E3, in a segment of C02 too, is listed with its chain and segment in view only
    assert (listed[ds.E3]["chains"], listed[ds.E3]["segments"]) == (["C01"], ["S01-2"])
    assert "O2" not in str(listed)


def test_counts_of_a_scoped_org_and_alliance_include_what_lies_outside(district):
    viewer = district.client("viewer_c01")
    assert (viewer.get("/api/party-orgs/O1").json()["covers"], viewer.get("/api/party-orgs/O1").json()["enterprises"]) == (2, [ds.E1])
    alliance = viewer.get("/api/alliances/A1").json()
    assert alliance["members"] == 3  # E1, U1 and E4 (of C02, not shown)
    listed = viewer.get("/api/party-orgs", params={"q": "O1"}).json()["items"]
    assert [(item["id"], item["covers"]) for item in listed] == [("O1", 2)]



def test_a_scoped_contact_plan_counts_a_leaders_contacts_in_other_chains(district):
    admin = district.client("admin").post("/api/plans/contacts", json={"chain": "C01"}).json()["plan"]
    scoped = district.client("editor_c01").post("/api/plans/contacts", json={}).json()["plan"]
    pairs = [(i["source"], i["target"]) for i in scoped["items"]]
    # L3 (capacity 3) already contacts O2: two more, never three (which the view alone would propose)
    assert [t for s, t in pairs if s == "L3"] == [ds.uscc(12), ds.uscc(13)]
    assert pairs == [(i["source"], i["target"]) for i in admin["items"]]
    assert admin["totals"] == {"items": 4, "new_orgs": 0, "leftovers": 3, "leaders": 2, "targets": 7,
                               "in_chain": 4, "out_of_chain": 0}
    assert scoped["totals"] == {**admin["totals"], "hidden_items": 0, "hidden_new_orgs": 0, "hidden_leftovers": 0}
