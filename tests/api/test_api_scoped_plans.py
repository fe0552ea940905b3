"""A token scoped to chain C01 gets the plan an unscoped one gets with ``chain=C01``: planned
on the whole district (loads, capacities and units in other chains count), less the items
naming what its view hides, which the plan counts (``hidden_items``) and the page says.
It sees only plans made for its chain.

Added to the district of ``api_dataset.py``: joint branch J1 covering three enterprises
of C01 in park 麓谷 (X1–X3, one party member each) and E5, E6 of C02, so it is full (five
units) though the C01 view sees three; O9, a 5-star org of C02 covering E4.
"""

from __future__ import annotations

import re

import pytest

import api_dataset as ds
from graph.records import Node, Rel
from graph.schema import Label, RelType

X = ("X1", "X2", "X3")
KINDS = ("contacts", "instructors", "pairings", "joint-branches")


@pytest.fixture(scope="module")
def district(template_db, tmp_path_factory):
    from conftest import _start

    server = _start(template_db, tmp_path_factory)
    store = server.store()
    try:
        store.write([Node(Label.PARTY_ORG, "J1", {"name": "麓谷联合党支部", "level": "branch", "formation": "joint", "members": 5}),
                     Node(Label.PARTY_ORG, "O9", {"name": "芯片党委", "level": "committee", "formation": "single", "members": 40, "star": 5}),
                     *(Node(Label.ENTERPRISE, x, {"name": f"小微企业{x}", "park": "麓谷", "party_members": 1}) for x in X)],
                    [*(Rel(RelType.IN_SEGMENT, x, "S01-1") for x in X),
                     *(Rel(RelType.COVERS, "J1", e) for e in (*X, ds.E5, ds.E6)),
                     Rel(RelType.COVERS, "O9", ds.E4)])
    finally:
        store.close()
    server.app.state.projection.refresh_now()
    yield server
    server.stop()


HIDDEN = {"O9", "I2"}  # of the nodes these plans name, those the C01 view does not hold
COUNTS = ("items", "leftovers", "new_orgs", "hidden_items", "hidden_new_orgs", "hidden_leftovers")
NOTE = "涉及本账号范围以外的对象，未显示，也不会执行"


def _proposed(server, who: str, kind: str, body: dict) -> dict:
    response = server.client(who).post(f"/api/plans/{kind}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _pairs(plan: dict) -> list[tuple[str, str]]:
    return [(i["source"], i["target"]) for i in plan["items"]]


def _items(plan: dict) -> list[tuple]:
    """The items without the names of people, which a viewer is not shown."""
    return [(i["source"], i["target"], i["rel_type"], i["reasons"]) for i in plan["items"]]


def _less_hidden(plan: dict) -> dict:
    """What of an unscoped plan a C01 token may see: items, leftovers, and the planner's own counts."""
    return {"items": [i for i in _items(plan) if not {i[0], i[1]} & HIDDEN],
            "leftovers": [o for o in plan["leftovers"] if o["id"] not in HIDDEN],
            "totals": {k: v for k, v in plan["totals"].items() if k not in COUNTS}}


@pytest.mark.parametrize("kind, shown, hidden", [
    ("contacts", [("L1", "J1"), ("L1", ds.E2)], 0),
    ("instructors", [("I1", ds.uscc(11))], 1),  # I2 (of C02 only) takes uscc(12): assigned, not "名额已满"
    ("pairings", [("O1", ds.E2), ("O1", ds.E3)], 1),  # O9 (of C02) pairs with J1: O1 is not asked for J1
    ("joint-branches", [], 0),
])
def test_a_scoped_plan_is_the_plan_for_its_chain_less_what_it_hides(district, kind, shown, hidden):
    admin = _proposed(district, "admin", kind, {"chain": "C01"})["plan"]
    for who in ("editor_c01", "viewer_c01"):
        scoped = _proposed(district, who, kind, {})["plan"]
        assert _pairs(scoped) == shown
        assert {k: scoped["totals"][k] for k in ("items", "hidden_items")} == {"items": len(shown), "hidden_items": hidden}
        assert (_items(scoped), scoped["leftovers"]) == (_less_hidden(admin)["items"], _less_hidden(admin)["leftovers"])
        assert {k: v for k, v in scoped["totals"].items() if k not in COUNTS} == _less_hidden(admin)["totals"]
        assert scoped["totals"]["leftovers"] == len(scoped["leftovers"]) == len(admin["leftovers"])
        assert _proposed(district, who, kind, {"chain": "C01"})["plan"]["items"] == scoped["items"]


def test_a_scoped_joint_branch_plan_counts_the_units_a_branch_covers_in_other_chains(district):
    # J1 covers five units, three of them in C01: E2 is not attached to it
    scoped = _proposed(district, "editor_c01", "joint-branches", {})["plan"]
    assert scoped["items"] == [] and scoped["totals"]["attached"] == 0
    [left] = scoped["leftovers"]
    assert left["id"] == ds.E2 and "附近的联合党组织都已覆盖 5 个或更多单位" in left["reason"]


def test_the_plan_page_says_what_a_scoped_plan_leaves_out(district):
    scoped = _proposed(district, "editor_c01", "pairings", {})
    page = district.client("editor_c01").get(f"/views/plans/{scoped['id']}")
    assert page.status_code == 200
    assert f"另有 1 项提议 {NOTE}" in page.text and "芯片党委" not in page.text
    assert "写入 2 项" in page.text
    admin = _proposed(district, "admin", "pairings", {"chain": "C01"})
    assert NOTE not in district.client("admin").get(f"/views/plans/{admin['id']}").text


def _listed(server, who: str) -> dict[str, tuple[str, str]]:
    """The plans page's rows: plan id -> (chain, 提议项)."""
    rows = re.findall(r'<a href="/views/plans/([\w-]+)">[\w-]+</a></td><td>[^<]*</td><td>([^<]*)</td><td>[^<]*</td>\s*'
                      r'<td class="num">([^<]*)</td>', server.client(who).get("/views/plans").text)
    return {plan_id: (chain, count) for plan_id, chain, count in rows}


def test_a_scoped_token_sees_only_plans_made_for_its_chains(district):
    others = [_proposed(district, "admin", "joint-branches", {"chain": "C02"})["id"],  # touches nothing C01 lacks
              _proposed(district, "admin", "joint-branches", {})["id"]]  # the whole district
    for_c01 = _proposed(district, "admin", "contacts", {"chain": "C01"})["id"]
    own = _proposed(district, "viewer_c01", "contacts", {})["id"]
    both = _proposed(district, "viewer_both", "contacts", {})["id"]
    listed = _listed(district, "viewer_c01")
    assert (listed[for_c01], listed[own]) == (("工程机械", "2"), ("工程机械", "2"))
    assert not {*others, both} & listed.keys()
    for plan_id in (*others, both):
        assert district.client("viewer_c01").get(f"/views/plans/{plan_id}").status_code == 404
        response = district.client("editor_c01").post(f"/api/plans/{plan_id}/apply")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert _listed(district, "viewer_both")[both][0] == "工程机械、电子信息"
    assert _listed(district, "admin")[others[1]][0] == "全部"


def test_an_infeasible_scoped_plan_counts_the_people_of_other_chains(district):
    body = {"minimum": 50, "capacity": 50}
    admin = district.client("admin").post("/api/plans/instructors", json={**body, "chain": "C01"}).json()["error"]
    scoped = district.client("editor_c01").post("/api/plans/instructors", json=body)
    assert scoped.status_code == 422
    error = scoped.json()["error"]
    assert error == admin and error["code"] == "plan_infeasible" and error["message"].startswith("2 名指导员")  # I1 and I2
