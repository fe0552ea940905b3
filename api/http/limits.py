"""Bound the size of request bodies before anything parses them.

A pure ASGI middleware: a declared ``Content-Length`` over the limit is refused before
the app sees the request; a body that grows past the limit while it streams in (chunked
uploads) is cut off and refused. Either way the client gets a 413 in the one error
shape. Uploads to the import endpoint have their own, larger limit.

The refused body is read and thrown away (up to ``DRAIN_CAP``) before answering: a server
that closes the connection while the client is still sending makes the client see a
reset instead of the 413.
"""

from __future__ import annotations

import json

_MiB = 1024 * 1024
DRAIN_CAP = 64 * _MiB  # beyond this a refused body is not read: the connection just closes


class _TooLarge(Exception):
    pass


def _size(limit: int) -> str:
    return f"{limit / _MiB:.0f} MB" if limit >= _MiB else f"{limit} 字节"


class BodyLimit:
    def __init__(self, app, *, default: int, paths: dict[str, int] | None = None):
        self.app, self.default, self.paths = app, default, dict(paths or {})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.paths.get(scope.get("path", "").rstrip("/"), self.default)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                return await _reply(send, 400, "bad_request", "Content-Length 无效")
            if length > limit:
                if length <= DRAIN_CAP:
                    await _drain(receive, 0)
                return await _reply_too_large(send, limit, scope)
        state = {"received": 0, "tripped": False, "started": False, "finished": False}

        async def limited_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                state["finished"] = not message.get("more_body", False)
                if state["received"] > limit:
                    state["tripped"] = True
                    raise _TooLarge
            return message

        async def guarded_send(message):
            if state["tripped"]:
                return  # whatever the app made of the cut-off body, the answer is 413
            state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        except Exception:
            if not state["tripped"]:
                raise
        if state["tripped"] and not state["started"]:
            if not state["finished"]:
                await _drain(receive, state["received"])
            await _reply_too_large(send, limit, scope)


async def _drain(receive, received: int) -> None:
    """Read and discard the rest of a refused body, up to DRAIN_CAP."""
    while received <= DRAIN_CAP:
        message = await receive()
        if message["type"] != "http.request":
            return
        received += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _reply_too_large(send, limit: int, scope) -> None:
    hint = "；请拆分文件后分批导入" if scope.get("path", "").startswith("/api/imports") else ""
    await _reply(send, 413, "payload_too_large", f"请求内容超过上限 {_size(limit)}{hint}", {"limit_bytes": limit})


async def _reply(send, status: int, code: str, message: str, details=None) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "details": details}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
