"""Logging in and out of the browser pages.

Three doors open a session (``api.core.security.sessions``): the login page with an
account's name and password, the same page with an API token, and the one-time admin URL
``serve`` prints. The login form is protected against cross-site posting twice over: its
hidden token is an HMAC of a random value in a short-lived SameSite=Strict cookie set with
the form, and its Origin (or Referer) must be this server. Failed attempts are counted per
name and per address (``api.core.security.login_attempts``); every login and every failed or
refused attempt is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.core import audit
from api.core.security import accounts, tokens
from api.core.security.principal import Principal, Role
from api.core.security.sessions import COOKIE
from api.http.deps import StoreDep, same_origin
from api.http.errors import ApiError
from api.web import page

router = APIRouter(tags=["session"], include_in_schema=False)

FORM_COOKIE = "redchain_login"  # the random value the login form's token is derived from
FORM_MINUTES = 30  # how long a login form may stay open before it must be reloaded
MAX_FORM_BYTES = 4096
ANONYMOUS = Principal("anonymous", Role.VIEWER)  # who failed logins are recorded as
MAX_NEXT = 500


def _form_token(request: Request, nonce: str) -> str:
    return hmac.new(request.app.state.form_secret, nonce.encode(), hashlib.sha256).hexdigest()


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def local_path(target: str | None) -> str:
    """``target`` when it is a path on this server (where to go after logging in), else ``/``:
    never another site (``//evil``, ``/\\evil``, ``https://…``)."""
    if (not target or len(target) > MAX_NEXT or not target.startswith("/") or target.startswith(("//", "/\\"))
            or any(ord(c) < 32 or c == "\\" for c in target)):
        return "/"
    return target


def login_page(request: Request, status: int = 200, message: str | None = None, *, next_path: str = "/",
               failed: bool = False, name: str = "", token_failed: bool = False, headers: dict | None = None) -> HTMLResponse:
    """The login form, with a fresh form token (and its cookie)."""
    nonce = secrets.token_urlsafe(24)
    body = page.render("login.html", title="登录" if status == 200 else "请先登录", bare=True, message=message,
                       failed=failed, name=name[:accounts.MAX_NAME], token_failed=token_failed,
                       next=local_path(next_path), login_csrf=_form_token(request, nonce),
                       max_name=accounts.MAX_NAME, max_password=accounts.MAX_PASSWORD)
    response = HTMLResponse(body, status_code=status, headers={**page.SECURITY_HEADERS, **(headers or {})})
    response.set_cookie(FORM_COOKIE, nonce, max_age=FORM_MINUTES * 60, httponly=True, samesite="strict",
                        secure=request.app.state.settings.cookie_secure, path="/login")
    return response


def _signed_in(request: Request, session_id: str, target: str) -> RedirectResponse:
    settings = request.app.state.settings
    response = RedirectResponse(local_path(target), status_code=303)
    response.set_cookie(COOKIE, session_id, max_age=settings.session_hours * 3600, httponly=True,
                        samesite="strict", secure=settings.cookie_secure, path="/")
    response.delete_cookie(FORM_COOKIE, path="/login")
    return response


def login(request: Request, store: StoreDep, token: str) -> Response:
    """``/?token=…`` spends the one-time token, sets the session cookie and redirects to a
    clean URL (so the token is in no history). A spent or unknown one shows the login page."""
    opened = request.app.state.sessions.redeem(token)
    if opened is None:
        audit.record(store, ANONYMOUS, "login_failed", {"via": "one-time URL", "address": _address(request)})
        return login_page(request, 401, "这个登录地址无效或已用过（每个地址只能使用一次）。请用账号或令牌登录，或重新启动 serve 获取新地址。",
                          failed=True)
    session_id, principal = opened
    audit.record(store, principal, "login", {"via": "one-time URL", "address": _address(request)})
    return _signed_in(request, session_id, "/")


@router.get("/login")
def login_form(request: Request, next: Annotated[str | None, Query(max_length=MAX_NEXT)] = None,
               out: bool = False) -> Response:
    return login_page(request, message="您已退出登录。" if out else None, next_path=next or "/")


@router.post("/login")
async def login_submit(request: Request, store: StoreDep) -> Response:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES or not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise ApiError(400, "bad_request", "登录表单格式不正确")
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    target = fields.get("next", "/")
    nonce = request.cookies.get(FORM_COOKIE, "")
    if not same_origin(request) or not nonce or not hmac.compare_digest(fields.get("csrf", ""), _form_token(request, nonce)):
        return login_page(request, 403, "登录页面已过期或来源不明，请重新输入用户名和密码。", next_path=target, failed=True)
    token = fields.get("token", "").strip()
    if token:
        return _with_token(request, store, token, target)
    return _with_password(request, store, fields.get("name", "").strip(), fields.get("password", ""), target)


def _with_password(request: Request, store, name: str, password: str, target: str) -> Response:
    address = _address(request)
    attempts = request.app.state.login_attempts
    if not name or not password:
        return login_page(request, 401, "请输入用户名和密码。", next_path=target, failed=True, name=name)
    wait = attempts.wait_seconds(name, address)
    if wait > 0:
        return _locked_out(request, store, "password", name, address, wait, target)
    account = accounts.authenticate(store, name, password)
    if account is None:
        attempts.failed(name, address)
        audit.record(store, ANONYMOUS, "login_failed", {"via": "password", "name": name[:accounts.MAX_NAME], "address": address})
        return login_page(request, 401, "用户名或密码不正确（或账号已停用）。", next_path=target, failed=True, name=name)
    attempts.succeeded(name)
    principal = account.principal()
    audit.record(store, principal, "login", {"via": "password", "address": address})
    return _signed_in(request, request.app.state.sessions.open(principal), target)


def _with_token(request: Request, store, token: str, target: str) -> Response:
    address = _address(request)
    attempts = request.app.state.login_attempts
    wait = attempts.wait_seconds(None, address)
    if wait > 0:
        return _locked_out(request, store, "token", "", address, wait, target)
    principal = tokens.authenticate(store, token)
    if principal is None:
        attempts.failed(None, address)
        audit.record(store, ANONYMOUS, "login_failed", {"via": "token", "address": address})
        return login_page(request, 401, "令牌无效或已被吊销。", next_path=target, failed=True, token_failed=True)
    audit.record(store, principal, "login", {"via": "token", "address": address})
    return _signed_in(request, request.app.state.sessions.open(principal), target)


def _locked_out(request: Request, store, via: str, name: str, address: str, wait: float, target: str) -> Response:
    minutes = max(1, round(wait / 60))
    audit.record(store, ANONYMOUS, "login_refused", {"via": via, "name": name[:accounts.MAX_NAME], "address": address,
                                                     "reason": "too many failed logins"})
    return login_page(request, 429, f"登录失败次数过多，请 {minutes} 分钟后再试。", next_path=target, failed=True,
                      name=name, headers={"Retry-After": str(int(wait) + 1)})


@router.post("/api/logout", status_code=204)
def logout(request: Request, session: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> Response:
    if session:
        request.app.state.sessions.end(session)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response
