"""Which version of the data an answer was read from, in its headers.

A server answers from the projection it has while it builds the one of a write made in
another process (``api.core.served_projection``), so an answer may be of an older version
than the store's. Every answer read from a projection says which version it read
(``X-Redchain-Version``); one older than the store's version when it is sent also says the
store's (``X-Redchain-Latest-Version``): reload in a moment for the newer figures.
"""

from __future__ import annotations

from fastapi import Request

VERSION_HEADER = "X-Redchain-Version"
LATEST_HEADER = "X-Redchain-Latest-Version"
_STATE_KEY = "redchain_read_version"


def answered_at(request: Request, version: int) -> None:
    """Record that ``request`` is answered from the data at ``version`` (the last call wins:
    an answer read at the store's newer version than the view's says so)."""
    setattr(request.state, _STATE_KEY, version)


class AnswerVersion:
    """Adds the version headers to the answers whose request recorded one (``answered_at``)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # the dict request.state writes into, shared with the routes

        async def with_version(message):
            read = state.get(_STATE_KEY)
            if message["type"] == "http.response.start" and read is not None:
                headers = [*message.get("headers", []), (VERSION_HEADER.lower().encode(), str(read).encode())]
                store = getattr(scope["app"].state, "store", None)
                latest = store.version() if store is not None else read  # a quick read, as ServedProjection.ready's
                if latest > read:
                    headers.append((LATEST_HEADER.lower().encode(), str(latest).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_version)
