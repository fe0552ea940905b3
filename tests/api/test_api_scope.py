"""A token scoped to chain C01 sees C01's part of the district and nothing else, whatever
path it reads through: lists, get-by-id, analyses, neighbourhoods, exports, plans."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

import api_dataset as ds

OUTSIDE = sorted(ds.C02_IDS)
# No id or name of C02's part may appear (ids as whole JSON strings: "A2" is also in "A1:A2").
SECRETS = {f'"{i}"' for i in ds.C02_IDS} | ds.C02_NAMES
LISTS = ["/api/enterprises", "/api/party-orgs", "/api/chains", "/api/units", "/api/leaders", "/api/instructors", "/api/alliances"]
GETS = {
    "Enterprise": "/api/enterprises/{}", "PartyOrg": "/api/party-orgs/{}", "Chain": "/api/chains/{}",
    "Unit": "/api/units/{}", "Leader": "/api/leaders/{}", "Instructor": "/api/instructors/{}", "Alliance": "/api/alliances/{}",
}
KIND = {ds.E4: "Enterprise", ds.E5: "Enterprise", ds.E6: "Enterprise", "O2": "PartyOrg", "OC2": "PartyOrg", "C02": "Chain",
        "U2": "Unit", "L2": "Leader", "I2": "Instructor", "A2": "Alliance"}


@pytest.fixture(scope="module", params=["viewer_c01", "editor_c01"])
def scoped(request, live):
    return live.client(request.param)


def _leaks(text: str) -> set[str]:
    return {s for s in SECRETS if s in text}


def _cells_leak(cells: list[str]) -> set[str]:
    return {s for s in SECRETS for c in cells if s.strip('"') == c or (not s.startswith('"') and s in c)}


@pytest.mark.parametrize("path", LISTS)
def test_lists_hold_only_the_chains_part(scoped, path):
    body = scoped.get(path, params={"limit": 500}).json()
    ids = {item["id"] for item in body["items"]}
    assert ids and ids <= ds.C01_IDS | set(ds.PAYLOADS)
    assert body["total"] == len(ids)


def test_lists_hold_all_of_the_chains_part(scoped):
    seen = {i["id"] for path in LISTS for i in scoped.get(path, params={"limit": 500}).json()["items"]}
    assert seen == (ds.C01_IDS - {"S01-1", "S01-2"}) | set(ds.PAYLOADS)


@pytest.mark.parametrize("node", [n for n in OUTSIDE if n in KIND])
def test_get_outside_is_404(scoped, node):
    response = scoped.get(GETS[KIND[node]].format(node))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("node", OUTSIDE)
def test_neighbourhood_of_outside_is_404(scoped, node):
    assert scoped.get(f"/api/graph/neighbourhood/{node}").status_code == 404


def test_neighbourhood_does_not_cross_into_other_chains(scoped):
    # E1 supplies E4 (chain C02): the view has no such link to follow.
    body = scoped.get(f"/api/graph/neighbourhood/{ds.E1}", params={"depth": 3, "limit": 2000}).json()
    assert not _leaks(json.dumps(body, ensure_ascii=False)) and body["omitted"] == 0
    assert {ds.E1, ds.E2, "O1", "C01"} <= {n["id"] for n in body["nodes"]}


@pytest.mark.parametrize("path", [
    "/api/health", "/api/coverage", "/api/coverage?by=chain", "/api/coverage?by=segment", "/api/coverage?by=park",
    "/api/coverage?by=street", "/api/gaps/uncovered", "/api/gaps/pairing", "/api/gaps/contacts", "/api/gaps/orgs",
    "/api/chains/C01", "/api/chains/C01/structure", f"/api/enterprises/{ds.E1}", "/api/party-orgs/O1", "/api/leaders/L1",
    "/api/alliances/A1", "/api/units/U1", "/api/history",
])
def test_reads_inside_leak_nothing(scoped, path):
    response = scoped.get(path)
    assert response.status_code == 200, response.text
    assert not _leaks(response.text)


def test_scoped_counts_and_coverage(scoped, live):
    counts = scoped.get("/api/health").json()["counts"]
    assert counts["Chain"] == 1 and counts["Leader"] == 1 and counts["Enterprise"] == 3 + len(ds.PAYLOADS)
    mine = scoped.get("/api/coverage").json()["totals"]
    admins = live.client("admin").get("/api/coverage", params={"chain": "C01"}).json()["totals"]
    assert mine["base"] == admins["base"] and mine["org_covered"] == admins["org_covered"]


@pytest.mark.parametrize("path", [
    "/api/coverage?chain=C02", "/api/gaps/uncovered?chain=C02", "/api/gaps/pairing?chain=C02", "/api/gaps/contacts?chain=C02",
    "/api/gaps/orgs?chain=C02", "/api/chains/C02/structure", "/api/history?chain=C02", "/api/enterprises?chain=C02",
    "/api/reports/coverage.xlsx?chain=C02", "/api/gaps/uncovered.xlsx?chain=C02", "/api/leaders?chain=C02",
])
def test_analyses_of_outside_are_404(scoped, path):
    response = scoped.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/reports/coverage.xlsx", "/api/gaps/uncovered.xlsx"])
def test_exports_leak_nothing(scoped, path):
    response = scoped.get(path)
    book = load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert ds.E2 in cells or "C01" in cells
    # Cells hold single ids or lists joined with 、
    assert not _cells_leak([part for c in cells for part in c.split("、")])


@pytest.mark.parametrize("kind", ["contacts", "instructors", "pairings", "joint-branches"])
def test_plans_stay_inside(scoped, kind):
    response = scoped.post(f"/api/plans/{kind}", json={})
    assert response.status_code in (201, 422), response.text  # 422: infeasible inside the chain, said plainly
    assert not _leaks(response.text)
    assert scoped.post(f"/api/plans/{kind}", json={"chain": "C02"}).status_code == 404


def test_history_of_a_scoped_token_is_its_chain(live):
    from graph.analysis.coverage import coverage_report
    from graph.analysis.history import save_snapshot
    from graph.projection import load_projection

    store = live.store()
    try:
        save_snapshot(store, coverage_report(load_projection(store), chain="C02"), chain="C02")
    finally:
        store.close()
    assert live.client("admin").get("/api/history", params={"chain": "C02"}).json()
    assert live.client("viewer_c01").get("/api/history").json() == live.client("admin").get("/api/history", params={"chain": "C01"}).json()


def test_history_of_a_token_with_several_chains_needs_the_chain(live):
    both = live.client("viewer_both")
    response = both.get("/api/history")
    assert response.status_code == 422
    assert response.json()["error"] == {"code": "chain_required", "message": response.json()["error"]["message"],
                                        "details": {"chains": ["C01", "C02"]}}
    assert both.get("/api/history", params={"chain": "C02"}).status_code == 200


def test_history_of_a_scoped_token_is_summed_from_the_whole_base_snapshots(fresh):
    from graph.analysis.history import snapshot_now

    store = fresh.store()
    try:
        snapshot_now(store)  # as every import takes it: the whole base, with its state
    finally:
        store.close()
    chain = fresh.client("admin").get("/api/coverage", params={"chain": "C01"}).json()["totals"]
    [point] = fresh.client("viewer_c01").get("/api/history").json()
    assert {name: point[name] for name in ("base", "org_covered", "work_covered", "uncovered", "org_coverage_rate")} == {
        name: chain[name] for name in ("base", "org_covered", "work_covered", "uncovered", "org_coverage_rate")}
    assert (point["base"], point["org_covered"]) == (9, 1)  # E1-E3 and the six payload enterprises; E1 covered by O1


@pytest.mark.parametrize(("path", "title"), [("/api/reports/coverage.xlsx", "两新组织党建“两个覆盖”情况（工程机械）"),
                                             ("/api/gaps/uncovered.xlsx", "未覆盖两新组织清单（工程机械）")])
def test_a_scoped_export_names_its_chain(scoped, live, path, title):
    mine = scoped.get(path)
    asked = live.client("admin").get(path, params={"chain": "C01"})
    first = [load_workbook(io.BytesIO(r.content)).worksheets[0] for r in (mine, asked)]
    assert first[0]["A1"].value == first[1]["A1"].value == title
    assert [c.value for c in first[0][4]][:2] == [c.value for c in first[1][4]][:2]  # 总计: "C01 | 合计"
    assert mine.headers["content-disposition"] == asked.headers["content-disposition"]


def test_an_export_of_several_chains_names_them_all(live):
    book = load_workbook(io.BytesIO(live.client("viewer_both").get("/api/reports/coverage.xlsx").content))
    assert book["总计"]["A1"].value == "两新组织党建“两个覆盖”情况（工程机械、电子信息）"
    assert [c.value for c in book["总计"][4]][:2] == ["C01、C02", "合计"]


@pytest.mark.parametrize("path", ["/views/gaps", "/views/gaps?full=1", "/views/gaps?chain=C01",
                                  "/views/gaps?chain=C01&segment=S01-1", "/views/gaps?unchained=1"])
def test_gap_pages_inside_leak_nothing(scoped, path):
    response = scoped.get(path)
    assert response.status_code == 200, response.text
    assert not _leaks(response.text)


@pytest.mark.parametrize("path", ["/views/gaps?chain=C02", "/views/gaps?chain=C02&segment=S02-1",
                                  "/views/gaps?chain=C01&segment=S02-1"])
def test_gap_pages_of_outside_are_404(scoped, path):
    response = scoped.get(path)
    assert response.status_code == 404 and not _leaks(response.text)
