"""Plans over HTTP: a proposal with an id, applied once by an editor, refused when stale."""

from __future__ import annotations

import pytest

from graph.records import Node
from graph.schema import Label


def _rels(server) -> set[tuple[str, str, str]]:
    store = server.store()
    try:
        return {r.key for r in store.read().rels}
    finally:
        store.close()


@pytest.mark.parametrize("kind, rel", [("contacts", "CONTACTS"), ("instructors", "ASSIGNED_TO"),
                                       ("pairings", "PAIRED_WITH"), ("joint-branches", "COVERS")])
def test_propose_returns_a_stored_proposal(live, kind, rel):
    response = live.client("viewer").post(f"/api/plans/{kind}", json={})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] and body["applied"] is None
    assert body["plan"]["kind"] == kind.replace("-", "_")
    assert {i["rel_type"] for i in body["plan"]["items"]} <= {rel}
    store = live.store()
    try:
        assert body["id"] in dict(store.documents("plans"))
    finally:
        store.close()


def test_planner_parameters_are_validated(live):
    response = live.client("viewer").post("/api/plans/pairings", json={"capacity": 0})
    assert response.status_code == 422 and response.json()["error"]["details"][0]["loc"] == ["body", "capacity"]


def test_editor_applies_a_plan_once(fresh):
    proposal = fresh.client("viewer").post("/api/plans/contacts", json={"chain": "C02"}).json()
    items = {("CONTACTS", i["source"], i["target"]) for i in proposal["plan"]["items"]}
    assert items and not items & _rels(fresh)
    assert fresh.client("viewer").post(f"/api/plans/{proposal['id']}/apply").status_code == 403
    applied = fresh.client("editor").post(f"/api/plans/{proposal['id']}/apply")
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied"]["added"]["CONTACTS"] == len(items)
    assert items <= _rels(fresh)
    again = fresh.client("editor").post(f"/api/plans/{proposal['id']}/apply")
    assert again.status_code == 409 and again.json()["error"]["code"] == "plan_applied"
    actions = [e["action"] for e in fresh.client("admin").get("/api/audit").json()["items"]]
    assert "plan_propose" in actions and "plan_apply" in actions


def test_a_stale_plan_is_refused(fresh):
    proposal = fresh.client("editor").post("/api/plans/joint-branches", json={}).json()
    store = fresh.store()
    try:
        store.write([Node(Label.CHAIN, "C09", {"name": "后来的链"})])
    finally:
        store.close()
    before = _rels(fresh)
    response = fresh.client("editor").post(f"/api/plans/{proposal['id']}/apply")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "plan_stale" and "请重新生成方案" in error["message"]
    assert _rels(fresh) == before


def test_unknown_plan_is_404(live):
    response = live.client("editor").post("/api/plans/20240101-nope/apply")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_scoped_editor_cannot_apply_a_plan_outside_its_chain(fresh):
    proposal = fresh.client("editor").post("/api/plans/contacts", json={"chain": "C02"}).json()
    assert proposal["plan"]["items"]
    response = fresh.client("editor_c01").post(f"/api/plans/{proposal['id']}/apply")
    assert response.status_code == 404


def test_infeasible_plan_says_why(live):
    response = live.client("editor").post("/api/plans/instructors", json={"minimum": 50, "capacity": 50})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "plan_infeasible" and error["message"]
