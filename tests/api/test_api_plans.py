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


@pytest.mark.parametrize("kind, body, where, reason", [
    ("pairings", {"capacity": 0}, "capacity", "greater_than_equal"),
    ("pairings", {"capacity": "3"}, "capacity", "int_type"),
    ("instructors", {"minimum": False}, "minimum", "int_type"),
    ("contacts", {"include_out_of_chain": 0}, "include_out_of_chain", "bool_type"),
    ("joint-branches", {"min_member": 2}, "min_member", "extra_forbidden"),
])
def test_planner_parameters_are_validated(live, kind, body, where, reason):
    response = live.client("viewer").post(f"/api/plans/{kind}", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith(f"请求参数有误：body.{where}: ")
    assert [(d["loc"], d["type"]) for d in error["details"]] == [(["body", where], reason)]


def test_a_whole_number_may_be_written_as_a_float(live):
    assert live.client("viewer").post("/api/plans/pairings", json={"capacity": 3.0}).status_code == 201


def test_editor_applies_a_plan_once(fresh):
    proposal = fresh.client("viewer").post("/api/plans/contacts", json={"chain": "C02"}).json()
    items = {("CONTACTS", i["source"], i["target"]) for i in proposal["plan"]["items"]}
    assert items and not items & _rels(fresh)
    assert fresh.client("viewer").post(f"/api/plans/{proposal['id']}/apply").status_code == 403
    snapshots = len(fresh.client("viewer").get("/api/history").json())
    applied = fresh.client("editor").post(f"/api/plans/{proposal['id']}/apply")
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied"]["added"]["CONTACTS"] == len(items)
    assert items <= _rels(fresh)
    # the write leaves a snapshot, as an import does: the trend and 最近一次变化 end at it
    history = fresh.client("viewer").get("/api/history").json()
    now = fresh.client("viewer").get("/api/coverage").json()["totals"]
    assert len(history) == snapshots + 1 and history[-1]["two_coverage_rate"] == now["two_coverage_rate"]
    again = fresh.client("editor").post(f"/api/plans/{proposal['id']}/apply")
    assert again.status_code == 409 and again.json()["error"]["code"] == "plan_applied"
    entries = fresh.client("admin").get("/api/audit").json()["items"]
    actions = [e["action"] for e in entries]
    assert "plan_propose" in actions and "plan_apply" in actions
    refused = [e for e in entries if e["action"] == "forbidden"]  # the viewer's try is audited too
    assert [(e["role"], e["details"]["path"], e["details"]["needed"]) for e in refused] == [
        ("viewer", f"/api/plans/{proposal['id']}/apply", "editor")]


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


@pytest.fixture
def few_plans(template_db, tmp_path):
    """A server keeping at most 3 unapplied proposals per token, expiring them after 30 days."""
    import shutil

    from conftest import LiveServer

    db, tokens = template_db
    copy = tmp_path / "few.db"
    shutil.copy(db, copy)

    def configure(app):
        app.state.settings = app.state.settings.model_copy(update={"plans_per_principal": 3, "plan_days": 30})

    server = LiveServer(copy, tokens, configure=configure)
    yield server
    server.stop()


def test_each_token_keeps_its_newest_proposals_only(few_plans):
    viewer, editor = few_plans.client("viewer"), few_plans.client("editor")
    made = [viewer.post("/api/plans/contacts", json={}).json() for _ in range(3)]
    theirs = editor.post("/api/plans/contacts", json={}).json()
    assert all(p["removed"] == [] for p in made + [theirs])
    fourth = viewer.post("/api/plans/pairings", json={}).json()
    assert fourth["removed"] == [made[0]["id"]]  # the viewer's oldest, not the editor's
    gone = editor.post(f"/api/plans/{made[0]['id']}/apply")
    assert gone.status_code == 404 and gone.json()["error"]["message"] == f"找不到方案 {made[0]['id']}"
    assert editor.post(f"/api/plans/{theirs['id']}/apply").status_code == 200
    store = few_plans.store()
    try:
        kept = {key for key, _ in store.documents("plans")}
    finally:
        store.close()
    assert kept == {made[1]["id"], made[2]["id"], fourth["id"], theirs["id"]}
    removal = [e for e in few_plans.client("admin").get("/api/audit", params={"limit": 500}).json()["items"]
               if e["action"] == "plan_propose" and e["details"].get("removed")]
    assert [e["details"]["removed"] for e in removal] == [[made[0]["id"]]]


def test_an_unapplied_proposal_expires_and_says_so(few_plans):
    old = few_plans.client("viewer").post("/api/plans/contacts", json={}).json()
    applied = few_plans.client("editor").post("/api/plans/contacts", json={"chain": "C02"}).json()
    assert few_plans.client("editor").post(f"/api/plans/{applied['id']}/apply").status_code == 200
    store = few_plans.store()
    try:  # both made 31 days ago
        for key in (old["id"], applied["id"]):
            for collection in ("plans", "plan_index"):
                body = store.document(collection, key)
                if collection == "plans":
                    body["plan"]["created"] = "2000-01-01T00:00:00+00:00"
                else:
                    body["created"] = "2000-01-01T00:00:00+00:00"
                store.save_document(collection, key, body)
    finally:
        store.close()
    few_plans.client("editor").post("/api/plans/instructors", json={})  # the next proposal clears what expired
    expired = few_plans.client("editor").post(f"/api/plans/{old['id']}/apply")
    assert expired.status_code == 404
    assert expired.json()["error"]["message"] == f"方案 {old['id']} 已过期：未执行的方案保留 30 天，请重新生成"
    page = few_plans.client("editor").get(f"/views/plans/{old['id']}")
    assert page.status_code == 404 and "已过期" in page.text
    kept = few_plans.client("editor").get(f"/views/plans/{applied['id']}")
    assert kept.status_code == 200  # an applied plan is the record of a write: kept
    store = few_plans.store()
    try:
        assert store.document("plans", old["id"]) is None and store.document("plans", applied["id"]) is not None
    finally:
        store.close()
