"""Logging into the pages as a person: accounts with passwords, API tokens on the login
page, rate-limited failures, every attempt audited, the form safe from other sites, and
sessions that follow their account or token. Real uvicorn server, real SQLite file, and
real headless Chromium for the form as a person uses it (screenshots login*.png)."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
import pytest

from graph.factory import open_store

from api.core import audit
from api.core.security import accounts, tokens
from api.core.security.principal import Role
from web.browsing import shot

PASSWORD = "春耕-2026-chain"


def add_account(server, name: str, role: Role, chains: list[str] | None = None, password: str = PASSWORD) -> None:
    store = open_store(f"sqlite:///{server.db}")
    try:
        accounts.add_account(store, name, role, password, chains)
    finally:
        store.close()


def stored(server, collection: str, key: str) -> dict | None:
    store = open_store(f"sqlite:///{server.db}")
    try:
        return store.document(collection, key)
    finally:
        store.close()


def audit_entries(server) -> list[dict]:
    store = open_store(f"sqlite:///{server.db}")
    try:
        return audit.entries(store)
    finally:
        store.close()


def with_store(server, work):
    store = open_store(f"sqlite:///{server.db}")
    try:
        return work(store)
    finally:
        store.close()


def browser(server) -> httpx.Client:
    """A client that behaves like a browser on our pages: cookies kept, Origin sent."""
    return httpx.Client(base_url=server.url, follow_redirects=False, timeout=30, headers={"Origin": server.url})


def form_of(client: httpx.Client, path: str = "/login") -> dict[str, str]:
    page = client.get(path)
    return {"csrf": re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1),
            "next": re.search(r'name="next" value="([^"]*)"', page.text).group(1)}


def log_in(client: httpx.Client, name: str = "", password: str = "", token: str = "", path: str = "/login") -> httpx.Response:
    return client.post("/login", data={**form_of(client, path), "name": name, "password": password, "token": token})


def test_an_account_logs_in_with_its_name_and_password_and_sees_its_chains_only(fresh_server):
    add_account(fresh_server, "王芳", Role.EDITOR, ["C01"])
    body = stored(fresh_server, accounts.COLLECTION, "王芳")
    assert body["password"].startswith("scrypt$15$8$1$") and PASSWORD not in str(body)
    with browser(fresh_server) as client:
        page = client.get("/login")
        assert page.status_code == 200 and "用户名" in page.text and "密码" in page.text
        assert "HttpOnly" in page.headers["set-cookie"] and "samesite=strict" in page.headers["set-cookie"].lower()
        done = log_in(client, "王芳", PASSWORD)
        assert done.status_code == 303 and done.headers["location"] == "/"
        cookie = done.headers["set-cookie"]
        assert "redchain_session=" in cookie and "HttpOnly" in cookie and "Max-Age=43200" in cookie
        home = client.get("/")
        assert home.status_code == 200 and "编辑权限 · 限产业链 C01" in home.text
        assert [c["id"] for c in client.get("/api/chains").json()["items"]] == ["C01"]
        refused = client.get("/api/audit")  # an editor, not an admin
        assert refused.status_code == 403 and "当前账号为编辑" in refused.json()["error"]["message"], refused.text
    entry = [e for e in audit_entries(fresh_server) if e["action"] == "login"][-1]
    assert (entry["principal"], entry["role"], entry["chains"], entry["details"]["via"]) == ("user:王芳", "editor", ["C01"], "password")


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer_and_are_audited(fresh_server):
    add_account(fresh_server, "li.ming", Role.VIEWER)
    with browser(fresh_server) as client:
        for name, password in [("li.ming", "wrong-password"), ("nobody", PASSWORD)]:
            refused = log_in(client, name, password)
            assert refused.status_code == 401 and "用户名或密码不正确（或账号已停用）。" in refused.text
            assert "redchain_session=" not in refused.headers.get("set-cookie", "")
        assert log_in(client, "", "").status_code == 401
    failed = [e for e in audit_entries(fresh_server) if e["action"] == "login_failed"]
    assert [(e["principal"], e["details"]["name"], e["details"]["via"]) for e in failed] == [
        ("anonymous", "li.ming", "password"), ("anonymous", "nobody", "password")]


def test_five_failures_lock_the_name_out_even_for_the_right_password(fresh_server):
    add_account(fresh_server, "zhao", Role.VIEWER)
    with browser(fresh_server) as client:
        for _ in range(5):
            assert log_in(client, "zhao", "not-the-password").status_code == 401
        locked = log_in(client, "ZHAO", PASSWORD)  # names are compared without case
        assert locked.status_code == 429 and "登录失败次数过多，请 15 分钟后再试。" in locked.text
        assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
        add_account(fresh_server, "qian", Role.VIEWER)
        assert log_in(client, "qian", PASSWORD).status_code == 303  # other names from the same address still may
    refused = [e for e in audit_entries(fresh_server) if e["action"] == "login_refused"]
    assert [e["details"]["reason"] for e in refused] == ["too many failed logins"]


def test_an_api_token_logs_a_browser_in_and_revoking_it_ends_that_session(fresh_server):
    token = fresh_server.token(Role.VIEWER, ["C02"])
    with browser(fresh_server) as client:
        assert log_in(client, token="rct_nope_nope").status_code == 401
        done = log_in(client, token=token)
        assert done.status_code == 303
        assert "查看权限 · 限产业链 C02" in client.get("/").text
        token_id = token.split("_")[1]
        with_store(fresh_server, lambda s: tokens.revoke_token(s, token_id))
        after = client.get("/views/gaps")
        assert after.status_code == 401 and "登录已过期或已退出，请重新登录" in after.text
    logins = [e for e in audit_entries(fresh_server) if e["action"] == "login"]
    assert logins[-1]["principal"] == f"token:{token_id}" and logins[-1]["details"]["via"] == "token"


def test_disabling_an_account_ends_its_sessions_and_a_changed_role_applies_at_once(fresh_server):
    add_account(fresh_server, "sun", Role.VIEWER)
    with browser(fresh_server) as client:
        assert log_in(client, "sun", PASSWORD).status_code == 303
        assert client.get("/api/leaders/L01").json().get("name") is None  # a viewer sees no names
        with_store(fresh_server, lambda s: s.save_document(accounts.COLLECTION, "sun",
                                                           {**s.document(accounts.COLLECTION, "sun"), "role": "editor"}))
        assert "编辑权限" in client.get("/").text
        with_store(fresh_server, lambda s: accounts.set_disabled(s, "sun", True))
        assert client.get("/").status_code == 401
        assert log_in(client, "sun", PASSWORD).status_code == 401


def test_a_page_asked_for_without_a_session_comes_back_after_logging_in(fresh_server):
    add_account(fresh_server, "zhou", Role.VIEWER)
    with browser(fresh_server) as client:
        page = client.get("/views/chains/C01?segment=S01-1")
        assert page.status_code == 401 and "请先登录后查看此页。" in page.text
        assert 'name="next" value="/views/chains/C01?segment=S01-1"' in page.text
        done = log_in(client, "zhou", PASSWORD, path="/views/chains/C01?segment=S01-1")
        assert done.headers["location"] == "/views/chains/C01?segment=S01-1"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_after_logging_in_the_browser_never_goes_to_another_site(fresh_server, target):
    add_account(fresh_server, "wu", Role.VIEWER)
    with browser(fresh_server) as client:
        done = log_in(client, "wu", PASSWORD, path=f"/login?next={quote(target)}")
        assert done.status_code == 303 and done.headers["location"] == "/"


def test_the_login_form_refuses_posts_from_other_sites(fresh_server):
    add_account(fresh_server, "zheng", Role.ADMIN)
    with browser(fresh_server) as client:
        fields = {**form_of(client), "name": "zheng", "password": PASSWORD}
        other_site = client.post("/login", data=fields, headers={"Origin": "http://127.0.0.1:1"})
        assert other_site.status_code == 403 and "登录页面已过期或来源不明" in other_site.text
    with browser(fresh_server) as stranger:  # a form token without the cookie it was made for
        forged = stranger.post("/login", data=fields)
        assert forged.status_code == 403 and "redchain_session=" not in forged.headers.get("set-cookie", "")
    assert not [e for e in audit_entries(fresh_server) if e["action"] == "login"]


def test_a_person_logs_in_and_out_in_a_real_browser(fresh_server, open_context):
    add_account(fresh_server, "王芳", Role.EDITOR, ["C01"])
    context, watch = open_context()
    page = context.new_page()
    page.goto(fresh_server.url + "/views/gaps")
    assert page.locator("h1").inner_text() == "登录" and "请先登录后查看此页。" in page.inner_text("body")
    shot(page, "login")
    page.fill("input[name=name]", "王芳")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text(".login-message")
    shot(page, "login-failed")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(fresh_server.url + "/views/gaps")
    assert "编辑权限 · 限产业链 C01" in page.inner_text(".topbar")
    page.click(".logout button")
    page.wait_for_url(fresh_server.url + "/login?out=1")
    assert "您已退出登录。" in page.inner_text("body")
    # the form page itself answers 401 (asked for without a session; a refused password), which Chromium logs
    assert not [e for e in watch.errors if "status of 401" not in e] and not watch.outside and not watch.dialogs
