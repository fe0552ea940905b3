"""Authentication, roles, personal fields and the audit trail, over HTTP."""

from __future__ import annotations

import re

import pytest

import api_dataset as ds

# Every operation, with an example request; the role it needs; whether it writes.
OPERATIONS = [
    ("GET", "/api/health", "viewer"),
    ("GET", "/api/enterprises", "viewer"),
    ("GET", f"/api/enterprises/{ds.E1}", "viewer"),
    ("GET", "/api/party-orgs", "viewer"),
    ("GET", "/api/party-orgs/O1", "viewer"),
    ("GET", "/api/chains", "viewer"),
    ("GET", "/api/chains/C01", "viewer"),
    ("GET", "/api/chains/C01/structure", "viewer"),
    ("GET", "/api/units", "viewer"),
    ("GET", "/api/units/U1", "viewer"),
    ("GET", "/api/leaders", "viewer"),
    ("GET", "/api/leaders/L1", "viewer"),
    ("GET", "/api/instructors", "viewer"),
    ("GET", "/api/instructors/I1", "viewer"),
    ("GET", "/api/alliances", "viewer"),
    ("GET", "/api/alliances/A1", "viewer"),
    ("GET", f"/api/graph/neighbourhood/{ds.E1}", "viewer"),
    ("GET", "/api/coverage", "viewer"),
    ("GET", "/api/gaps/uncovered", "viewer"),
    ("GET", "/api/gaps/pairing", "viewer"),
    ("GET", "/api/gaps/contacts", "viewer"),
    ("GET", "/api/gaps/orgs", "viewer"),
    ("GET", "/api/history?chain=C01", "viewer"),
    ("GET", "/api/changes?from=NOPE", "viewer"),  # no such snapshot: 404 once past the role check
    ("DELETE", "/api/entities/NOPE", "editor"),
    ("DELETE", "/api/links/COVERS/NOPE/NOPE", "editor"),
    ("GET", "/api/reports/coverage.xlsx", "viewer"),
    ("GET", "/api/gaps/uncovered.xlsx", "viewer"),
    ("POST", "/api/plans/contacts", "viewer"),
    ("POST", "/api/plans/instructors", "viewer"),
    ("POST", "/api/plans/pairings", "viewer"),
    ("POST", "/api/plans/joint-branches", "viewer"),
    ("POST", "/api/plans/NOPE/apply", "editor"),
    ("POST", "/api/imports", "editor"),
    ("GET", "/api/audit", "admin"),
]
RANK = {"viewer": 0, "editor": 1, "admin": 2}


def _call(client, method: str, path: str):
    if path == "/api/imports":
        return client.post(path, files={"files": ("chains.csv", b"id,name\nC01,\xe5\xb7\xa5\xe7\xa8\x8b\xe6\x9c\xba\xe6\xa2\xb0\n")},
                           data={"dry_run": "true"})
    return client.request(method, path, json={} if method == "POST" else None)


def test_operations_list_covers_the_openapi_document(live):
    documented = {(m.upper(), p) for p, item in live.client().get("/openapi.json").json()["paths"].items() for m in item}
    listed = {(m, re.sub(r"/(NOPE|COVERS|O1|C01|U1|L1|I1|A1|" + ds.E1 + r")(?=/|$)", "/{x}", p.split("?")[0])) for m, p, _ in OPERATIONS}
    assert {(m, re.sub(r"\{[^}]+\}", "{x}", p)) for m, p in documented} == listed


@pytest.mark.parametrize("method, path, role", OPERATIONS)
def test_no_token_is_401(live, method, path, role):
    response = _call(live.client(), method, path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("token", ["rct_nope_nope", "garbage", "revoked"])
def test_bad_or_revoked_token_is_401(live, token):
    headers = {"Authorization": f"Bearer {live.tokens.get(token, token)}"}
    response = live.client().get("/api/health", headers=headers)
    assert response.status_code == 401 and response.json()["error"]["message"] == "令牌无效或已被吊销"


def test_a_tampered_secret_is_401(live):
    good = live.tokens["admin"]
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert live.client().get("/api/health", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401


@pytest.mark.parametrize("who", ["viewer", "editor", "admin"])
@pytest.mark.parametrize("method, path, role", OPERATIONS)
def test_role_matrix(live, who, method, path, role):
    response = _call(live.client(who), method, path)
    if RANK[who] < RANK[role]:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    else:
        # Allowed: the request got past the role check (the unknown plan is a 404).
        assert response.status_code in (200, 201, 404), response.text
        assert response.status_code != 404 or "NOPE" in path


def test_scoped_admin_cannot_read_the_audit_log(live):
    response = live.client("admin_c01").get("/api/audit")
    assert response.status_code == 403 and "审计日志" in response.json()["error"]["message"]


def test_scoped_editor_cannot_import(live):
    response = _call(live.client("editor_c01"), "POST", "/api/imports")
    assert response.status_code == 403
    assert "限定产业链" in response.json()["error"]["message"]


def test_viewer_sees_no_names_of_people(live):
    viewer = live.client("viewer")
    leaders = viewer.get("/api/leaders").json()["items"]
    assert [(p["id"], p["name"]) for p in leaders] == [("L1", None), ("L2", None)]
    assert viewer.get("/api/instructors/I1").json()["name"] is None
    for path in ("/api/gaps/contacts", "/api/graph/neighbourhood/C01?depth=3", "/api/leaders/L2", "/api/gaps/pairing"):
        text = viewer.get(path).text
        assert not any(name in text for name in ds.PEOPLE_NAMES), path
    plan = viewer.post("/api/plans/contacts", json={}).text
    assert not any(name in plan for name in ds.PEOPLE_NAMES)


@pytest.mark.parametrize("path", ["/api/leaders?q=张", "/api/instructors?q=王", "/views/search?q=张三", "/views/search?q=L1"])
def test_a_viewer_cannot_find_people_by_name_nor_read_their_names_in_search(live, path):
    response = live.client("viewer").get(path)
    assert response.status_code == 200
    asked = path.split("q=")[1]
    shown = response.text.replace(asked, "")  # the page repeats what was typed: that tells nothing
    assert not any(name in shown for name in ds.PEOPLE_NAMES), path
    if path.startswith("/api/"):
        assert response.json()["items"] == []  # finding someone by name would tell the name
    elif asked == "张三":
        assert "没有名称或代码含“张三”的对象。" in response.text


def test_editor_sees_names_and_every_read_is_audited(fresh):
    editor, admin = fresh.client("editor"), fresh.client("admin")
    assert editor.get("/api/leaders/L1").json()["name"] == "张三"
    assert {i["name"] for i in editor.get("/api/instructors").json()["items"]} == {"王五", "赵六"}
    for _ in range(2):  # the second answer is the one kept from the first: audited all the same
        assert "李四" in editor.get("/api/graph/neighbourhood/C02").text
    assert "李四" not in fresh.client("viewer").get("/api/graph/neighbourhood/C02").text  # the editor's is not the viewer's
    fresh.client("viewer").get("/api/leaders")  # a viewer sees no names: nothing to audit
    entries = [e for e in admin.get("/api/audit", params={"limit": 500}).json()["items"] if e["action"] == "read_personal"]
    editor_id = fresh.tokens["editor"].split("_")[1]
    assert [(e["principal"], e["role"], e["details"]["path"], e["details"]["people"]) for e in entries] == [
        (f"token:{editor_id}", "editor", "/api/leaders/L1", ["L1"]),
        (f"token:{editor_id}", "editor", "/api/instructors", ["I1", "I2"]),
        (f"token:{editor_id}", "editor", "/api/graph/neighbourhood/C02", ["L2"]),
        (f"token:{editor_id}", "editor", "/api/graph/neighbourhood/C02", ["L2"]),
    ]
    assert all(e["time"] for e in entries)


def test_one_time_url_opens_a_cookie_session(live):
    login = live.app.state.sessions.new_login_token()
    browser = live.client(follow_redirects=False)
    first = browser.get("/", params={"token": login})
    assert first.status_code == 303 and first.headers["location"] == "/"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    assert browser.get("/api/audit").status_code == 200  # the session is an admin's
    again = live.client(follow_redirects=False).get("/", params={"token": login})
    assert again.status_code == 401 and "只能使用一次" in again.text and 'action="/login"' in again.text  # a page, not JSON
    assert "login" in [e["action"] for e in browser.get("/api/audit", params={"limit": 500}).json()["items"]]
    browser.post("/api/logout")
    assert browser.get("/api/health").status_code == 401


def test_a_forged_session_cookie_is_401(live):
    assert live.client(cookies={"redchain_session": "forged"}).get("/api/health").status_code == 401


def test_tokens_are_stored_hashed(live):
    store = live.store()
    try:
        bodies = [body for _, body in store.documents("tokens")]
    finally:
        store.close()
    stored = repr(bodies)
    for token in live.tokens.values():
        assert token.split("_", 2)[2] not in stored
    assert all(len(b["hash"]) == 64 and len(b["salt"]) == 32 for b in bodies)
    assert len({b["salt"] for b in bodies}) == len(bodies)
