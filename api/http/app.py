"""The FastAPI application: ``create_app(settings)``.

One store per process, opened in the app's lifespan and closed on shutdown; every request
borrows it through ``api.http.deps``. Request bodies are bounded before anything parses them,
and every failure answers in the one error shape of ``api.http.errors``.
"""

from __future__ import annotations

import logging
import secrets
import threading
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from graph.factory import open_store

from api.http.answer_version import AnswerVersion
from api.http.deps import one_value_per_query_parameter
from api.http.errors import install_error_handlers
from api.http.routers import ROUTERS
from api.core.scope import ScopedGraphCache
from api.core.served_projection import ServedProjection
from api.http.limits import BodyLimit
from api.core.security.login_attempts import LoginAttempts
from api.core.security.sessions import Sessions
from api.core.settings import Settings
from api.web import docs, import_page, login, pages

DESCRIPTION = """
redchain maps party-building work along industry chains (产业链党建) as a graph.

**Authentication**: `Authorization: Bearer <token>` with a token from
`redchain token create --role viewer|editor|admin [--chain C01 …]`, or the session cookie
set by the one-time URL `redchain serve` prints.

**Roles**: `viewer` reads (people's names are hidden) and may ask for plan proposals;
`editor` also sees names (every read of them is audited), imports files and applies plans;
`admin` also reads the audit log. A token scoped to chains sees only those chains:
everything else is 404, in every list, analysis, neighbourhood and export.

**Errors** always have the shape `{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. The store named by ``settings.store`` is opened when the app starts."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.store = open_store(settings.store)
        app.state.projection = ServedProjection(app.state.store, prepare=app.state.scoped_graphs.carry_over)
        if settings.warm_up:
            threading.Thread(target=_warm_up, args=(app.state.projection,), name="redchain-warm-up", daemon=True).start()
        try:
            yield
        finally:
            app.state.store.close()

    # The default /docs and /redoc load scripts from a CDN: api.web.docs serves /docs instead.
    app = FastAPI(title="redchain", version="0.1.0", description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.sessions = Sessions(settings.session_hours)
    app.state.login_attempts = LoginAttempts(settings.login_failures_per_account, settings.login_failures_per_address,
                                             settings.login_lockout_minutes * 60)
    app.state.form_secret = secrets.token_bytes(32)  # signs the login form's token; new per process
    app.state.scoped_graphs = ScopedGraphCache()
    app.add_middleware(ReadYourWrites)
    app.add_middleware(AnswerVersion)
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, paths={"/api/imports": settings.max_upload_bytes,
                                                                            "/views/import": settings.max_upload_bytes})
    install_error_handlers(app)
    app.include_router(pages.router)  # the web UI; first, so that it serves "/" (logins still go through login.login)
    for router in [import_page.router, login.router, docs.router]:
        app.include_router(router)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(one_value_per_query_parameter)])
    return app


class ReadYourWrites:
    """A write that succeeded answers only once the projection of its version is built, so
    the writer's next read shows the write (other readers never wait: see
    ``api.core.served_projection``)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        held = []

        async def hold_start(message):
            if message["type"] == "http.response.start" and message["status"] < 400:
                held.append(message)  # sent once the projection has caught up
                return
            if held and message["type"] == "http.response.body":
                projection = getattr(scope["app"].state, "projection", None)
                if projection is not None:
                    await run_in_threadpool(projection.refresh_now)
                await send(held.pop())
            await send(message)

        await self.app(scope, receive, hold_start)


def _warm_up(projection: ServedProjection) -> None:
    """Read the projection once in the background, so the first person to ask does not
    wait for a large district to load (a request meanwhile waits for this build, it does
    not start a second one)."""
    try:
        projection.refresh_now()
    except Exception:  # the first request meets the same error and reports it
        logging.getLogger("redchain.api").warning("warming up the projection failed", exc_info=True)
