"""Typed dependencies: the settings, the one store of the process, the principal a request
acts as, the role it needs, and the :class:`Reader` every read goes through.

The quick ones are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread,
and five thread hops a request were a third of the server's time per read under load.
They only look things up (a token is one keyed document read, never waiting on a write
in WAL mode); what may wait on the store's write lock (the audit of a refusal) goes to a
worker thread."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from graph.store import GraphStore

from api.core import audit
from api.http.answer_version import answered_at
from api.core.reader import Reader
from api.http.errors import ApiError
from api.core.scope import ScopedGraph
from api.core.security import tokens
from api.core.security.principal import ROLE_ZH, Principal, Role
from api.core.security.sessions import COOKIE, CSRF_HEADER, form_token
from api.core.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> GraphStore:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer rct_…` (from `redchain token create`).")
_cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="The browser session set by the one-time URL `serve` prints.")


def principal_of(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The principal of a bearer token, else of the session cookie; 401 otherwise."""
    if credentials is not None:
        principal = tokens.authenticate(store, credentials.credentials)
        if principal is None:
            raise _unauthorized("令牌无效或已被吊销")
        return principal
    if session:
        principal = request.app.state.sessions.principal(session, store)
        if principal is not None:
            _require_same_origin(request, store, principal)
            _require_csrf_header(request, store, principal, session)
            return principal
        raise _unauthorized("登录已过期或已退出，请重新登录")
    raise _unauthorized("需要令牌：请在请求头中加上 Authorization: Bearer <令牌>")


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_principal(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """``principal_of`` without a worker thread for reads; a write's refusals are audited,
    which may wait on the store's write lock, so writes look it up in a worker thread."""
    if request.method in _SAFE_METHODS:
        return principal_of(request, store, credentials, session)
    return await run_in_threadpool(principal_of, request, store, credentials, session)


def _require_same_origin(request: Request, store: GraphStore, principal: Principal) -> None:
    """A browser sends the session cookie with requests any page makes, even a page of
    another site or another port of this host (SameSite does not tell ports apart). So a
    write that rides on the cookie must come from one of our own pages: its Origin (or,
    without one, its Referer) must be this server. Bearer tokens are never sent by a
    browser on its own and need no such check."""
    if request.method in _SAFE_METHODS or same_origin(request):
        return
    source = request.headers.get("origin") or request.headers.get("referer")
    audit.record(store, principal, "cross_origin_refused",
                 {"path": request.url.path, "method": request.method, "origin": (source or "")[:200]})
    raise ApiError(403, "cross_origin", "拒绝跨站请求：只接受本系统页面发出的修改操作（请从 redchain 的页面操作，脚本请用 API 令牌）")


def _require_csrf_header(request: Request, store: GraphStore, principal: Principal, session: str) -> None:
    """A write to the JSON API riding on the session cookie must also carry the session's
    form token in the ``X-CSRF-Token`` header (page forms carry it in their body, checked
    where the form is read)."""
    if request.method in _SAFE_METHODS or not request.url.path.startswith("/api/"):
        return
    if hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), form_token(session)):
        return
    audit.record(store, principal, "csrf_refused", {"path": request.url.path, "method": request.method})
    raise ApiError(403, "csrf", f"缺少或错误的 {CSRF_HEADER}：用浏览器登录会话修改数据须带上页面给出的令牌（脚本请用 API 令牌）")


def same_origin(request: Request) -> bool:
    """Whether the request's Origin (or, without one, its Referer) is this server."""
    source = request.headers.get("origin") or request.headers.get("referer")
    expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return source is not None and (source == expected or source.startswith(expected + "/"))


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def _audit_refusal(store: GraphStore, principal: Principal, request: Request, needed: str) -> None:
    """A request refused for want of a role is audited, as a write is: who tried what, and
    what it needed (in a worker thread: the entry may wait on the write lock)."""
    await run_in_threadpool(audit.record, store, principal, "forbidden",
                            {"path": request.url.path, "method": request.method, "needed": needed})


def require(role: Role):
    """A dependency that lets through principals with ``role`` or above (403 otherwise)."""

    async def check(principal: PrincipalDep, request: Request, store: StoreDep) -> Principal:
        if not principal.allows(role):
            await _audit_refusal(store, principal, request, role.value)
            held = "令牌" if principal.subject.startswith("token:") else "账号"  # a token, or an account logged in on a page
            raise ApiError(403, "forbidden", f"需要{ROLE_ZH[role]}（{role.value}）或更高权限；当前{held}为{ROLE_ZH[principal.role]}（{principal.role.value}）")
        return principal

    return check


ViewerDep = Annotated[Principal, Depends(require(Role.VIEWER))]
EditorDep = Annotated[Principal, Depends(require(Role.EDITOR))]
AdminDep = Annotated[Principal, Depends(require(Role.ADMIN))]


async def require_unscoped(principal: EditorDep, request: Request, store: StoreDep) -> Principal:
    """Writes that can touch any chain (imports) need an editor token with no chain scope."""
    if principal.scoped:
        await _audit_refusal(store, principal, request, "unscoped")
        raise ApiError(403, "forbidden", "限定产业链的令牌不能导入数据：导入可能涉及任何产业链，请使用不限产业链的编辑令牌")
    return principal


UnscopedEditorDep = Annotated[Principal, Depends(require_unscoped)]


async def require_unscoped_admin(principal: AdminDep) -> Principal:
    """The audit log names people and objects of every chain: only for unscoped admins."""
    if principal.scoped:
        raise ApiError(403, "forbidden", "限定产业链的令牌不能查看审计日志：日志涉及所有产业链")
    return principal


AuditorDep = Annotated[Principal, Depends(require_unscoped_admin)]


def get_reader(request: Request, store: StoreDep, principal: ViewerDep) -> Reader:
    """The reader of a request: its principal's view of the newest projection (waiting for
    the first projection, or making the view, if need be: so not on the event loop)."""
    return _reader(request, store, principal, request.app.state.scoped_graphs.get(request.app.state.projection.get(), principal))


async def reader_of_request(request: Request, store: StoreDep, principal: ViewerDep) -> Reader:
    """``get_reader`` without a worker thread when the view is already made, which is every
    request but the first of a version and scope (a thread hop is a wait for the
    interpreter lock each way while the server rebuilds a projection)."""
    state = request.app.state
    g = state.projection.ready()
    view = state.scoped_graphs.made(g, principal) if g is not None else None
    if view is None:
        return await run_in_threadpool(get_reader, request, store, principal)
    return _reader(request, store, principal, view)


def current_reader(request: Request, store: StoreDep, principal: ViewerDep) -> Reader:
    """A reader of the store's version now: waits for the projection of a write made in
    another process to be built, so that what is read (a download) is never of an older
    version than the store's."""
    state = request.app.state
    return _reader(request, store, principal, state.scoped_graphs.get(state.projection.refresh_now(), principal))


def _reader(request: Request, store: GraphStore, principal: Principal, view: ScopedGraph) -> Reader:
    answered_at(request, view.version)
    where = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Reader(view, principal, store, where)


ReaderDep = Annotated[Reader, Depends(reader_of_request)]
CurrentReaderDep = Annotated[Reader, Depends(current_reader)]


async def one_value_per_query_parameter(request: Request) -> None:
    """Every query parameter of the JSON API takes one value: a repeated one (``?q=a&q=b``)
    is refused, rather than the last one silently winning."""
    names = [name for name, _ in request.query_params.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RequestValidationError([{"loc": ("query", name), "msg": "只能给一个值", "type": "repeated"} for name in repeated])

