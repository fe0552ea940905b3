"""One JSON error shape for every failure: ``{"error": {"code", "message", "details"}}``.

Handlers turn redchain's own errors (caught by type), request validation errors, HTTP
errors (404, 405, 413, …) and anything unexpected into that shape. A stack trace never
reaches a client: unexpected errors are logged on the server and answered with a plain
500 message.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import ImportFailed, NotFound, PlanInfeasible, RedchainError, StoreError, VersionConflict

from api.core.errors import Conflict, InvalidRequest, ServiceError, TooLarge

log = logging.getLogger("redchain.api")


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable reason code for programs, e.g. `not_found`, `import_failed`.")
    message: str = Field(description="What went wrong, for people.")
    details: Any = Field(default=None, description="Structured data, e.g. the list of import problems.")


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error the API answers on purpose with a status code and a reason code."""

    def __init__(self, status: int, code: str, message: str, details: Any = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.headers = status, code, message, details, headers


def error_response(status: int, code: str, message: str, details: Any = None, headers: dict | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


_ERROR_TEXTS = {
    400: "Malformed request body (e.g. unreadable JSON or multipart)",
    401: "No valid token or session",
    403: "The token's role does not allow this, or a session's write lacks its CSRF token",
    404: "Not found, or outside the token's chains",
    413: "The request body is larger than the limit",
    422: "Invalid request",
}


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """The error answers to document on an operation, in the one error shape: only those
    it can really give, so clients (and schemathesis) know what to expect."""
    return {status: {"model": ErrorResponse, "description": _ERROR_TEXTS[status]} for status in statuses}


# What every reading operation can answer: no token, an id or chain it cannot see, bad parameters.
READ_ERRORS = error_responses(401, 404, 422)
# What every writing operation can answer besides: a role too low, or a session without its CSRF token.
WRITE_ERRORS = error_responses(401, 403, 404, 422)
# What an operation with a request body can answer besides.
BODY_ERRORS = error_responses(400, 413)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}
_STATUS_MESSAGES = {404: "找不到该地址", 405: "该地址不支持此请求方法"}


_SERVICE_STATUS = {InvalidRequest: 422, Conflict: 409, TooLarge: 413}


def redchain_status(exc: RedchainError) -> tuple[int, str, Any]:
    """The HTTP status, reason code and details of one of redchain's own errors."""
    if isinstance(exc, ServiceError):
        return _SERVICE_STATUS.get(type(exc), 400), exc.code, exc.details
    if isinstance(exc, ImportFailed):
        return 422, "import_failed", {"problems": [p.as_dict() for p in exc.problems], "total": exc.total,
                                      "warnings": [w.as_dict() for w in exc.warnings]}
    if isinstance(exc, NotFound):
        return 404, "not_found", None
    if isinstance(exc, PlanInfeasible):
        return 422, "plan_infeasible", None
    if isinstance(exc, VersionConflict):
        return 409, "version_conflict", {"expected_version": exc.expected, "store_version": exc.current}
    if isinstance(exc, StoreError):
        return 503, "store_unavailable", None
    return 400, "bad_request", None


async def _on_api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _on_redchain_error(request: Request, exc: RedchainError) -> JSONResponse:
    status, code, details = redchain_status(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return error_response(status, code, "数据存储暂时不可用，请稍后重试")  # store paths stay on the server
    message = f"{exc.total} 个问题，未写入任何数据" if isinstance(exc, ImportFailed) else str(exc)
    return error_response(status, code, message, details)


def _clean_validation_error(error: dict) -> dict:
    # ``input`` echoes what the client sent and ``ctx`` may hold exception objects: keep neither.
    return {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [_clean_validation_error(e) for e in exc.errors()]
    where = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:3])
    return error_response(422, "invalid_request", f"请求参数有误：{where}", errors)


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _STATUS_CODES.get(exc.status_code, "error" if exc.status_code >= 500 else "bad_request")
    message = _STATUS_MESSAGES.get(exc.status_code) or str(exc.detail)
    return error_response(exc.status_code, code, message, None, getattr(exc, "headers", None))


class CatchAll:
    """Outermost middleware: an unexpected exception is logged here with its traceback and
    answered with a plain 500 in the error shape. (Starlette's own last-resort handler
    re-raises after answering, and the server then drops the connection.)"""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(500, "internal_error", "服务器内部错误；详情已记录在服务器日志中")
                await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every failure the one error shape. Call it after
    adding every other middleware, so that ``CatchAll`` is the outermost."""
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RedchainError, _on_redchain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(CatchAll)
