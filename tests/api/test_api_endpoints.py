"""Each endpoint against a real server: status, shape, and the answers of the hand-written district."""

from __future__ import annotations

import pytest

import api_dataset as ds
from api.core.settings import MAX_PAGE_SIZE


@pytest.fixture(scope="module")
def admin(live):
    return live.client("admin")


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert "Traceback" not in response.text
    return body["error"]


def test_health(admin):
    body = admin.get("/api/health").json()
    assert body["status"] == "ok" and body["store"] == "sqlite" and body["version"] >= 1
    assert body["counts"]["Chain"] == 2 and body["counts"]["Enterprise"] == 6 + len(ds.PAYLOADS)
    assert body["counts"]["Leader"] == 2


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/api/enterprises", {ds.E1, ds.E2, ds.E3, ds.E4, ds.E5, ds.E6, *ds.PAYLOADS}),
        ("/api/party-orgs", {"O1", "O2", "OC1", "OC2"}),
        ("/api/chains", {"C01", "C02"}),
        ("/api/units", {"U1", "U2"}),
        ("/api/leaders", {"L1", "L2"}),
        ("/api/instructors", {"I1", "I2"}),
        ("/api/alliances", {"A1", "A2"}),
    ],
)
def test_lists(admin, path, expected):
    body = admin.get(path, params={"limit": MAX_PAGE_SIZE}).json()
    ids = [item["id"] for item in body["items"]]
    assert set(ids) == expected and ids == sorted(ids)
    assert body["total"] == len(expected) and body["next_cursor"] is None


@pytest.mark.parametrize(
    "path, field, value",
    [
        (f"/api/enterprises/{ds.E1}", "orgs", ["O1"]),
        ("/api/party-orgs/O1", "enterprises", [ds.E1]),
        ("/api/units/U1", "paired_with", ["O1"]),
        ("/api/leaders/L1", "contact_points", [ds.E3]),
        ("/api/instructors/I2", "assigned_to", [ds.E6]),
        ("/api/alliances/A1", "member_list", [{"id": ds.E1, "label": "Enterprise", "role": "director"},
                                              {"id": "U1", "label": "Unit", "role": "member"}]),
    ],
)
def test_get_by_id(admin, path, field, value):
    body = admin.get(path).json()
    assert body[field] == value


def test_chain_with_segments(admin):
    body = admin.get("/api/chains/C01").json()
    assert [s["id"] for s in body["segments"]] == ["S01-1", "S01-2"]
    assert body["segments"][0]["stage"] == "upstream"
    assert body["committees"] == ["OC1"] and body["alliances"] == ["A1"] and body["leaders"] == ["L1"]


def test_enterprise_filters(admin):
    def ids(**params):
        return {i["id"] for i in admin.get("/api/enterprises", params=params).json()["items"]}

    assert ids(chain="C02") == {ds.E4, ds.E5, ds.E6}
    assert ids(segment="S01-2") == {ds.E1, ds.E3}
    assert ids(leading=True) == {ds.E1}
    assert ids(covered=True) == {ds.E1, ds.E4}
    assert ids(park="岳麓", covered=False) == {ds.E5, ds.E6}
    assert ids(q="芯片") == {ds.E4}
    assert ids(q=ds.E4[-3:].lower()) == {ds.E4}
    assert {i["id"] for i in admin.get("/api/party-orgs", params={"formation": "industry"}).json()["items"]} == {"OC1", "OC2"}
    assert {i["id"] for i in admin.get("/api/leaders", params={"chain": "C02"}).json()["items"]} == {"L2"}


def test_cursor_and_offset_pages_agree(admin):
    by_offset = [i["id"] for off in range(0, 12, 4) for i in admin.get("/api/enterprises", params={"limit": 4, "offset": off}).json()["items"]]
    by_cursor, cursor = [], None
    while True:
        params = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = admin.get("/api/enterprises", params=params).json()
        by_cursor += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert by_cursor == by_offset == sorted(by_offset) and len(by_cursor) == 12


def test_page_size_is_bounded(admin):
    error = _error(admin.get("/api/enterprises", params={"limit": MAX_PAGE_SIZE + 1}), 422, "invalid_request")
    assert error["details"][0]["loc"] == ["query", "limit"]
    error = _error(admin.get("/api/enterprises", params={"cursor": "%%%"}), 422, "invalid_request")
    assert error["details"][0]["loc"] == ["query", "cursor"]
    error = _error(admin.get("/api/enterprises", params=[("street", "a"), ("street", "b")]), 422, "invalid_request")
    assert error["message"] == "请求参数有误：query.street: 只能给一个值"
    # Any base64url text is a place in the id order, even when its bytes are not UTF-8.
    after_all = admin.get("/api/enterprises", params={"cursor": "____"}).json()
    assert after_all["items"] == [] and after_all["next_cursor"] is None


def test_neighbourhood(admin):
    body = admin.get(f"/api/graph/neighbourhood/{ds.E2}", params={"depth": 1}).json()
    assert {n["id"] for n in body["nodes"]} == {ds.E2, ds.E1, "S01-1"}
    assert {(e["source"], e["type"], e["target"]) for e in body["edges"]} == {
        (ds.E2, "SUPPLIES", ds.E1), (ds.E2, "IN_SEGMENT", "S01-1")}
    assert body["capped"] is False and body["omitted"] == 0
    capped = admin.get(f"/api/graph/neighbourhood/{ds.E2}", params={"depth": 3, "limit": 3}).json()
    assert len(capped["nodes"]) == 3 and capped["capped"] is True and capped["omitted"] > 0
    assert capped["nodes"][0]["id"] == ds.E2


def test_traversal_depth_is_bounded(admin):
    _error(admin.get(f"/api/graph/neighbourhood/{ds.E2}", params={"depth": 4}), 422, "invalid_request")
    _error(admin.get("/api/graph/neighbourhood/NOPE"), 404, "not_found")


def test_coverage_matches_cli_shape(admin):
    body = admin.get("/api/coverage", params={"by": "chain"}).json()
    assert set(body) == {"totals", "groups"}
    assert [g["key"] for g in body["groups"]] == ["C01", "C02"]
    c02 = body["groups"][1]
    assert (c02["base"], c02["org_covered"], c02["work_covered"], c02["uncovered"]) == (3, 1, 1, 1)
    assert admin.get("/api/coverage", params={"chain": "C02"}).json()["totals"]["org_coverage_rate"] == 0.3333
    _error(admin.get("/api/coverage", params={"by": "planet"}), 422, "invalid_request")
    _error(admin.get("/api/coverage", params={"chain": "C99"}), 404, "not_found")


def test_uncovered_pages_with_total(admin):
    response = admin.get("/api/gaps/uncovered", params={"chain": "C02"})
    assert [u["id"] for u in response.json()] and response.headers["X-Total-Count"] == "2"
    assert {u["id"]: u["remedy"] for u in response.json()} == {ds.E5: "joint_needed", ds.E6: "instructor_needed"}
    one = admin.get("/api/gaps/uncovered", params={"limit": 1, "offset": 1})
    assert len(one.json()) == 1 and int(one.headers["X-Total-Count"]) > 1


def test_gaps_and_structure(admin):
    pairing = admin.get("/api/gaps/pairing").json()
    assert set(pairing) == {"unpaired_orgs", "idle_units", "chains_without_alliance", "chains_without_committee",
                            "alliances_missing_leaders", "one_plus_x_gaps"}
    contacts = admin.get("/api/gaps/contacts").json()
    assert set(contacts) == {"below_minimum", "over_capacity", "outside_responsibility", "chains_without_contact"}
    assert isinstance(admin.get("/api/gaps/orgs").json(), list)
    structure = admin.get("/api/chains/C01/structure", params={"top": 2}).json()
    assert structure["id"] == "C01" and [s["id"] for s in structure["segments"]] == ["S01-1", "S01-2"]
    _error(admin.get("/api/chains/C01/structure", params={"centrality": "magic"}), 422, "invalid_request")


def test_history(live, admin):
    from graph.analysis.coverage import coverage_report
    from graph.analysis.history import save_snapshot
    from graph.projection import load_projection

    store = live.store()
    try:
        g = load_projection(store)
        save_snapshot(store, coverage_report(g), when=__import__("datetime").date(2024, 1, 1))
        save_snapshot(store, coverage_report(g, chain="C01"), when=__import__("datetime").date(2024, 1, 1), chain="C01")
    finally:
        store.close()
    assert [p["date"] for p in admin.get("/api/history").json()] == ["2024-01-01"]
    assert admin.get("/api/history", params={"chain": "C01"}).json()[0]["base"] == 3 + len(ds.PAYLOADS)


def test_unknown_paths_and_methods_use_the_error_shape(admin):
    _error(admin.get("/api/nothing-here"), 404, "not_found")
    _error(admin.delete("/api/enterprises"), 405, "method_not_allowed")
    _error(admin.get("/api/enterprises/NOPE"), 404, "not_found")


def test_request_body_size_is_bounded(admin):
    error = _error(admin.post("/api/plans/contacts", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                              headers={"content-type": "application/json"}), 413, "payload_too_large")
    assert error["details"]["limit_bytes"] == 1024 * 1024


def test_openapi_documents_every_endpoint(live):
    paths = httpx_get(live, "/openapi.json").json()["paths"]
    for expected in ("/api/health", "/api/enterprises", "/api/party-orgs/{org_id}", "/api/chains/{chain_id}/structure",
                     "/api/graph/neighbourhood/{node_id}", "/api/coverage", "/api/gaps/uncovered", "/api/gaps/pairing",
                     "/api/gaps/contacts", "/api/history", "/api/plans/contacts", "/api/plans/joint-branches",
                     "/api/plans/{plan_id}/apply", "/api/imports", "/api/reports/coverage.xlsx", "/api/gaps/uncovered.xlsx"):
        assert expected in paths


def test_docs_page_loads_nothing_remote(live):
    page = live.client().get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text and "http://" not in page.text and "https://" not in page.text
    assert "/api/gaps/uncovered" in page.text and "limit" in page.text
    assert live.client().get("/redoc").status_code == 404


def httpx_get(live, path):
    return live.client().get(path)


def test_unexpected_errors_never_show_a_stack_trace(template_db, tmp_path):
    import shutil

    from conftest import LiveServer
    from graph.errors import StoreError

    def configure(app):
        @app.get("/boom")
        def boom():
            raise RuntimeError("secret detail in /srv/redchain/app.py")

        @app.get("/store-down")
        def store_down():
            raise StoreError("cannot open the SQLite store /srv/data/redchain.db")

    shutil.copy(template_db[0], tmp_path / "t.db")
    server = LiveServer(tmp_path / "t.db", template_db[1], configure)
    try:
        for path, status, code in (("/boom", 500, "internal_error"), ("/store-down", 503, "store_unavailable")):
            response = server.client().get(path)
            assert response.status_code == status and response.json()["error"]["code"] == code
            assert "/srv" not in response.text and "Traceback" not in response.text
    finally:
        server.stop()
