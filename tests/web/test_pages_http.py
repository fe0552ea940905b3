"""The pages over plain HTTP against a real server: login, headers, what a page may
contain, scoping, roles and form tokens. (What the pages do in a browser is in
test_browser_pages.py.)"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from typing import Iterator

import httpx
import pytest

from graph.analysis.coverage import coverage_report

from api.core.security.principal import Role
from api.core.settings import PageSettings
from api.web.page import STATIC
from api.web.style import RATE_BANDS

PAGES = ["/", "/views/chains/C01", "/views/chains/C01?segment=S01-2", "/views/entities/C01", "/views/gaps",
         "/views/gaps?chain=C02", "/views/plans", "/views/search?q=MA4PP3"]


@contextmanager
def browser_session(server) -> Iterator[httpx.Client]:
    """A client holding the session cookie of the one-time login URL, sending the Origin a
    browser sends from our own pages."""
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30, headers={"Origin": server.url}) as client:
        first = client.get(server.login_url().removeprefix(server.url))
        assert first.status_code == 303 and first.headers["location"] == "/"
        yield client


def bearer(server, role: Role, chains: list[str] | None = None) -> httpx.Client:
    token = server.token(role, chains)
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, follow_redirects=False, timeout=30)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]*)"', html).group(1)


def dashboard_rows(html: str) -> dict[str, dict[str, tuple[str, str]]]:
    """Chain -> figure -> (the text shown, its colour class) of the dashboard's chain table."""
    rows = {}
    for chain, row in re.findall(r'<tr data-chain="([^"]*)">(.*?)</tr>', html, re.S):
        cells = re.findall(r'<td class="num(?: rate-(\w+))?" data-figure="(\w+)">([^<]*)</td>', row)
        rows[chain] = {figure: (text, colour) for colour, figure, text in cells}
    return rows


def page_figures(html: str) -> dict[str, str]:
    """Figure -> the text a map page's header shows."""
    return dict(re.findall(r'<dd data-figure="(\w+)">([^<]*)</dd>', html))


def shown(field: str, value) -> str:
    return f"{value:.1%}" if field.endswith("_rate") else str(value)


def test_every_page_shows_the_figures_of_the_api_and_the_cli(server):
    """One set of figures: per chain, the dashboard row, the chain map's header (whole
    chain, or its overview) and each drilled segment's header show what /api/coverage
    and `redchain report --json` give for that chain (or segment)."""
    from typer.testing import CliRunner

    from api.cli.main import app

    g = server.projection()
    with browser_session(server) as client:
        dashboard = dashboard_rows(client.get("/").text)
        api = client.get("/api/coverage?by=segment&chain=C01").json()
        assert set(dashboard) == {"C01", "C02", "C03", "C04", "C05", ""}  # "": the base enterprises in no chain
        by_chain = {g["key"]: g for g in client.get("/api/coverage?by=chain").json()["groups"]}
        assert dashboard[""]["base"][0] == str(by_chain[""]["base"])
        for chain in set(dashboard) - {""}:
            totals = client.get(f"/api/coverage?chain={chain}").json()["totals"]
            cli = CliRunner().invoke(app, ["report", "--json", "--chain", chain, "--store", f"sqlite:///{server.db}"])
            assert json.loads(cli.output)["totals"] == totals
            header = page_figures(client.get(f"/views/chains/{chain}").text)
            assert set(header) == {"base", "org_covered", "org_coverage_rate", "work_covered", "two_coverage_rate",
                                   "uncovered", "party_orgs"}
            for field, text in header.items():
                assert text == shown(field, totals[field]), (chain, field)
                if field in dashboard[chain]:
                    assert dashboard[chain][field][0] == text, (chain, field)
        for group in api["groups"]:  # a drilled segment's header is its group of the same report
            header = page_figures(client.get(f"/views/chains/C01?segment={group['key']}").text)
            assert header == {field: shown(field, group[field]) for field in header}, group["key"]
        # The numbers of the issue: dashboard and map of C02 said 247 and 248.
        assert dashboard["C02"]["base"][0] == page_figures(client.get("/views/chains/C02").text)["base"] == \
            str(coverage_report(g, chain="C02").totals.base)


def test_dashboard_one_plus_x_lines_link_the_partner_without_an_org(server):
    from graph.analysis.pairing_gaps import pairing_gaps
    from graph.projection import in_ids
    from graph.schema import RelType

    g = server.projection()
    with browser_session(server) as client:
        html = client.get("/").text
    linked = re.findall(r'<li class="one-plus-x"><a href="/views/entities/([^"]+)">([^<]+)</a>', html)
    gaps = pairing_gaps(g).one_plus_x_gaps
    assert linked and linked == [(x.partner, x.partner_name) for x in gaps[:len(linked)]]
    assert all(not in_ids(g, partner, RelType.COVERS) for partner, _ in linked)


def test_search_finds_any_part_of_a_name_or_code(server):
    from graph.projection import ids_with_label
    from graph.schema import Label

    g = server.projection()
    enterprises = sorted(ids_with_label(g, Label.ENTERPRISE))
    middle = sorted(e for e in enterprises if "MA4PP3" in e)
    assert len(middle) == 2  # the code of the issue, in the middle of two USCCs of the demo district
    name = g.nodes[enterprises[40]]["name"]
    part = name[2:6]
    with browser_session(server) as client:
        for q in ("MA4PP3", "ma4pp3", "ＭＡ４ＰＰ３", " MA4 PP3 "):  # any case, full-width, spaces
            page = client.get("/views/search", params={"q": q}).text
            assert re.findall(r'<td class="code">([^<]+)</td>', page) == middle, q
            assert {i["id"] for i in client.get("/api/enterprises", params={"q": q}).json()["items"]} == set(middle), q
        page = client.get("/views/search", params={"q": part}).text
        assert enterprises[40] in re.findall(r'<td class="code">([^<]+)</td>', page)
        assert f"/views/chains/" in page and f"#focus={enterprises[40]}" in page  # opens it on its chain's map
        nothing = client.get("/views/search", params={"q": "不存在的名称"}).text
        assert "没有名称或代码含“不存在的名称”的对象。" in nothing
        assert 'action="/views/search"' in client.get("/").text  # every page has the search box


def test_docs_are_chinese_rendered_text_with_a_way_back(server):
    from api.web.docs import OPERATIONS, TAGS

    response = httpx.get(server.url + "/docs", timeout=30)  # no login needed
    assert response.status_code == 200
    html = response.text
    assert "unsafe-inline" not in response.headers["content-security-policy"] and "<script" not in html
    assert '<a href="/">← 返回总览</a>' in html and '<a href="/">总览</a>' in html  # back to the dashboard
    assert "<strong>身份认证</strong>" in html and "<code>Authorization: Bearer &lt;令牌&gt;</code>" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "**" not in text and "`" not in text  # no raw Markdown left
    assert "List enterprises" not in html and "企业列表" in html and "<h2 id=\"party-orgs\">党组织</h2>" in html
    openapi = httpx.get(server.url + "/openapi.json", timeout=30).json()
    operations = {(m, path) for path, item in openapi["paths"].items() for m in item}
    assert operations == set(OPERATIONS), "every operation needs its Chinese words in api.web.docs.OPERATIONS"
    assert {op["tags"][0] for item in openapi["paths"].values() for op in item.values()} <= set(TAGS)


def test_without_credentials_the_pages_say_how_to_log_in(server):
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        for path in PAGES:
            response = anonymous.get(path)
            assert response.status_code == 401, path
            assert response.headers["content-type"].startswith("text/html")
            assert "请先登录" in response.text and "redchain serve" in response.text


def test_a_spent_login_url_shows_the_login_page_saying_so(server):
    url = server.login_url().removeprefix(server.url)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get(url, follow_redirects=False).status_code == 303
        again = httpx.get(server.url + url)
        assert again.status_code == 401 and again.headers["content-type"].startswith("text/html")
        assert "这个登录地址无效或已用过（每个地址只能使用一次）" in again.text and 'action="/login"' in again.text


def test_every_page_is_offline_and_strict(server):
    with browser_session(server) as client:
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert response.headers["x-content-type-options"] == "nosniff"
            html = response.text
            assert "http://" not in html and "https://" not in html, path  # no remote anything
            for tag in re.findall(r"<script\b[^>]*>", html):  # only local files, or data that never runs
                assert re.fullmatch(r'<script src="/views/static/[\w./-]+\.js">', tag) or \
                    tag == '<script type="application/json" id="redchain-data">', tag
            assert " style=" not in html and "<style" not in html  # CSP forbids inline styles too
            assert "Traceback" not in html


def test_static_files_are_served_and_nothing_else(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        js = client.get("/views/static/vendor/vis-network-9.1.2/vis-network.min.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        assert "vis-network" in js.text[:200]
        for bad in ("/views/static/../page.py", "/views/static/%2e%2e/page.py", "/views/static/templates/base.html",
                    "/views/static/", "/views/static/nope.js"):
            assert client.get(bad).status_code == 404, bad


def test_dashboard_colours_follow_the_configured_thresholds(fresh_server):
    view = PageSettings(org_rate_green=0.85, org_rate_amber=0.83, two_rate_green=0.5, two_rate_amber=0.4)
    fresh_server.app.state.settings = fresh_server.app.state.settings.model_copy(update={"view": view})
    with browser_session(fresh_server) as client:
        html = client.get("/").text
    rows = dashboard_rows(html)
    cells = [(rows[c]["org_coverage_rate"][1], rows[c]["two_coverage_rate"][1]) for c in rows]

    def colour(rate, green, amber):
        return "green" if rate >= green else "amber" if rate >= amber else "red"

    expected = {
        group.key: (colour(group.org_coverage_rate, 0.85, 0.83), colour(group.two_coverage_rate, 0.5, 0.4))
        for group in coverage_report(fresh_server.projection(), by="chain").groups
    }
    assert dict(zip(rows, cells)) == expected
    assert {c for pair in expected.values() for c in pair} >= {"red", "green"}  # the thresholds split the demo
    assert '≥ 85% <span class="swatch rate-green">绿</span>' in html  # the swatch is the band's colour (coverage.css)


def test_the_coverage_colours_are_one_stylesheet_made_from_the_bands(server):
    """The dashboard's cells and tags read coverage.css, which is RATE_BANDS: the maps'
    headings and the legend read the same table, so no page can colour a band differently."""
    with browser_session(server) as client:
        css = client.get("/views/static/coverage.css")
        html = client.get("/").text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for key, band in RATE_BANDS.items():
        assert f"td.rate-{key}, .tag.rate-{key}, .swatch.rate-{key} {{ background: {band.fill}; color: {band.ink}; }}" in css.text
    assert '<link rel="stylesheet" href="/views/static/coverage.css">' in html
    kept = (STATIC / "redchain.css").read_text()
    assert not re.search(r"rate-(green|amber|red|none)\b[^{]*\{[^}]*(background|border-top-color):", kept)  # no second copy


def test_a_scoped_token_sees_only_its_chain(server):
    with bearer(server, Role.VIEWER, ["C01"]) as viewer:
        home = viewer.get("/").text
        assert "/views/chains/C01" in home and "/views/chains/C02" not in home
        assert viewer.get("/views/chains/C02").status_code == 404
        assert "找不到" in viewer.get("/views/chains/C02").text
        assert viewer.get("/views/gaps?chain=C02").status_code == 404
        page = viewer.get("/views/chains/C01").text
        assert "新一代信息技术" not in page  # the other chain's name appears nowhere
        leaders = re.findall(r'"kind":"领导","type":"","info"', page)
        assert leaders and '"name":"领导 L' in page  # a viewer sees leaders without their names


def test_plan_forms_need_the_session_token_and_the_editor_role(fresh_server):
    with browser_session(fresh_server) as browser:
        form = browser.get("/views/plans").text
        token = csrf_of(form)
        assert token
        forged = browser.post("/views/plans", data={"kind": "joint_branches", "chain": "C01"})
        assert forged.status_code == 403 and "表单已失效" in forged.text
        wrong = browser.post("/views/plans", data={"kind": "joint_branches", "chain": "C01", "csrf": "0" * 40})
        assert wrong.status_code == 403
        made = browser.post("/views/plans", data={"kind": "joint_branches", "chain": "C01", "csrf": token, "min_members": "3"})
        assert made.status_code == 303
        plan_url = made.headers["location"]
        assert re.fullmatch(r"/views/plans/[\w-]+", plan_url)

    with bearer(fresh_server, Role.VIEWER) as viewer:
        review = viewer.get(plan_url)
        assert review.status_code == 200 and "执行需要编辑权限" in review.text and "apply-button" not in review.text
        assert viewer.post(plan_url + "/apply", data={}).status_code == 403
        bad = viewer.post("/views/plans", data={"kind": "pairings", "capacity": "0"})
        assert bad.status_code == 422 and "参数有误：每个强党组织最多结对" in bad.text
    with bearer(fresh_server, Role.EDITOR) as editor:
        done = editor.post(plan_url + "/apply", data={})
        assert done.status_code == 303 and done.headers["location"].endswith("?applied=1")
        assert "已执行" in editor.get(done.headers["location"]).text
        again = editor.post(plan_url + "/apply", data={})
        assert again.status_code == 409 and "已于" in again.text


def test_plan_forms_name_each_parameter_for_its_own_plan(server):
    with browser_session(server) as browser:
        forms = browser.get("/views/plans").text
    instructors = forms[forms.index('value="instructors"'):forms.index('value="pairings"')]
    pairings = forms[forms.index('value="pairings"'):forms.index('value="joint_branches"')]
    assert "每名指导员最多派驻" in instructors and "每名指导员至少派驻" in instructors
    assert "每个强党组织最多结对" in pairings and "指导员" not in pairings


def test_times_are_shown_in_local_time(fresh_server):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    with browser_session(fresh_server) as browser:
        token = csrf_of(browser.get("/views/plans").text)
        made = browser.post("/views/plans", data={"kind": "joint_branches", "chain": "C01", "csrf": token})
        plan_url = made.headers["location"]
        stored = next(body for key, body in _documents(fresh_server) if plan_url.endswith(key))
        created = datetime.fromisoformat(stored["plan"]["created"])  # stored in UTC
        shanghai = (created + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
        for path in ("/views/plans", plan_url):
            html = browser.get(path).text
            assert shanghai in html and stored["plan"]["created"] not in html, path
        london_view = PageSettings(timezone="Europe/London")  # a setting
        fresh_server.app.state.settings = fresh_server.app.state.settings.model_copy(update={"view": london_view})
        london = created.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M")
        assert london != shanghai and london in browser.get(plan_url).text


def test_an_unknown_time_zone_is_refused_in_chinese():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="未知的时区：Mars/Olympus（应为 IANA 时区名，如 Asia/Shanghai）"):
        PageSettings(timezone="Mars/Olympus")


def _documents(server):
    from graph.factory import open_store

    from api.core.services import plans

    store = open_store(f"sqlite:///{server.db}")
    try:
        return store.documents(plans.COLLECTION)
    finally:
        store.close()


def test_logout_ends_the_session(fresh_server):
    with browser_session(fresh_server) as browser:
        token = csrf_of(browser.get("/").text)
        out = browser.post("/views/logout", data={"csrf": token})
        assert out.status_code == 303 and out.headers["location"] == "/login?out=1"
        assert "您已退出登录。" in browser.get("/login?out=1").text
        assert browser.get("/").status_code == 401


@pytest.mark.parametrize("path, status, words", [
    ("/views/chains/NOPE", 404, "找不到产业链 NOPE"),
    ("/views/chains/C01?segment=S02-1", 404, "产业链 C01 中找不到环节 S02-1"),
    ("/views/entities/NOPE", 404, "找不到对象 NOPE"),
    ("/views/entities/C01?depth=9", 422, "请求参数有误"),
    ("/views/plans/nope", 404, "找不到方案 nope"),
])
def test_failures_are_chinese_pages(server, path, status, words):
    with bearer(server, Role.VIEWER) as viewer:
        response = viewer.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html") and words in response.text


@pytest.mark.parametrize("origin", ["http://127.0.0.1:1", None, "null"], ids=["another-port", "none", "null"])
def test_a_write_riding_on_the_session_cookie_from_elsewhere_is_refused_and_audited(fresh_server, origin):
    """Issue 18.2: a page on another port of this host posted with the admin's cookie."""
    with browser_session(fresh_server) as browser:
        headers = {"Origin": origin} if origin else {}
        if origin is None:
            browser.headers.pop("Origin")
        files = {"files": ("企业.csv", "统一社会信用代码,名称\n91350100M000100Y43,跨站写入\n".encode(), "text/csv")}
        forged = browser.post("/api/imports", files=files, headers=headers)
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "cross_origin"
        assert "拒绝跨站请求" in forged.json()["error"]["message"]
        assert browser.post("/api/plans/joint-branches", json={}, headers=headers).status_code == 403
    with bearer(fresh_server, Role.ADMIN) as admin:
        entries = admin.get("/api/audit", params={"limit": 500}).json()["items"]
        assert any(e["action"] == "cross_origin_refused" and e["details"]["path"] == "/api/imports" for e in entries)
        assert not any(e["action"] == "import" for e in entries)  # nothing was written
        assert admin.post("/api/plans/joint-branches", json={}).status_code == 201  # bearer tokens are not browsers


def test_a_write_riding_on_the_session_cookie_needs_the_pages_token_too(fresh_server):
    """Issue 18.2: same origin is not enough for the JSON API; the form token must come too."""
    with browser_session(fresh_server) as browser:
        token = csrf_of(browser.get("/").text)
        missing = browser.post("/api/plans/joint-branches", json={})
        assert missing.status_code == 403 and missing.json()["error"]["code"] == "csrf"
        assert "缺少或错误的 X-CSRF-Token" in missing.json()["error"]["message"]
        wrong = browser.post("/api/plans/joint-branches", json={}, headers={"X-CSRF-Token": "0" * 40})
        assert wrong.status_code == 403
        made = browser.post("/api/plans/joint-branches", json={}, headers={"X-CSRF-Token": token})
        assert made.status_code == 201, made.text
    with bearer(fresh_server, Role.ADMIN) as admin:
        entries = admin.get("/api/audit", params={"limit": 500}).json()["items"]
        assert [e["details"]["path"] for e in entries if e["action"] == "csrf_refused"] == ["/api/plans/joint-branches"] * 2


def test_viewers_never_read_peoples_names_on_plan_pages_and_editors_reads_are_audited(fresh_server):
    """Issue 18.1: an editor proposes contact points; a viewer opens the stored plan."""
    with bearer(fresh_server, Role.EDITOR) as editor:
        made = editor.post("/api/plans/contacts", json={})
        assert made.status_code == 201, made.text
        plan_id = made.json()["id"]
        leaders = {i["source"]: i["source_name"] for i in made.json()["plan"]["items"]}
        assert leaders and all(name != leader for leader, name in leaders.items())  # the editor saw names
    with bearer(fresh_server, Role.VIEWER) as viewer:
        shown = viewer.get(f"/views/plans/{plan_id}")
        assert shown.status_code == 200
        assert not [name for name in leaders.values() if name in shown.text]
        assert all(leader in shown.text for leader in leaders)  # ids instead
    with bearer(fresh_server, Role.ADMIN) as admin:
        assert all(name in admin.get(f"/views/plans/{plan_id}").text for name in leaders.values())
        entries = admin.get("/api/audit", params={"limit": 500}).json()["items"]
        assert any(e["action"] == "read_personal" and e["details"]["path"] == f"/views/plans/{plan_id}" for e in entries)


def test_a_scoped_tokens_gaps_page_names_its_chain(server):
    def title(client, path: str) -> str:
        return re.search(r"<title>([^<]*)</title>", client.get(path).text).group(1)

    with bearer(server, Role.VIEWER, ["C01"]) as viewer, bearer(server, Role.ADMIN) as admin:
        mine, asked = title(viewer, "/views/gaps"), title(admin, "/views/gaps?chain=C01")
        assert mine == asked and "缺口地图：" in mine and "全部产业链" not in mine
        assert "全部产业链" in title(admin, "/views/gaps")
