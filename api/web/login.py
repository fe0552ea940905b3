"""The one-time URL ``serve`` prints, and logging out of the browser session it opens."""

from typing import Annotated

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.core import audit
from api.http.deps import SettingsDep, StoreDep
from api.http.errors import ApiError
from api.core.security.sessions import COOKIE

router = APIRouter(tags=["session"])


@router.get("/", include_in_schema=False)
def login(request: Request, store: StoreDep, settings: SettingsDep, token: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """``/?token=…`` spends the one-time token, sets the session cookie and redirects to a
    clean URL (so the token is in no history); without a token, go to the API docs."""
    if token is None:
        return RedirectResponse("/docs", status_code=303)
    opened = request.app.state.sessions.redeem(token)
    if opened is None:
        raise ApiError(401, "unauthorized", "登录地址无效或已使用过：每个登录地址只能用一次，请重新启动 serve 获取")
    session_id, principal = opened
    audit.record(store, principal, "login", {"via": "one-time URL"})
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, session_id, max_age=settings.session_hours * 3600, httponly=True,
                        samesite="strict", secure=settings.cookie_secure, path="/")
    return response


@router.post("/api/logout", status_code=204, include_in_schema=False)
def logout(request: Request, session: Annotated[str | None, Cookie(alias=COOKIE)] = None) -> Response:
    if session:
        request.app.state.sessions.end(session)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response
