"""The errors the services raise on purpose, beside ``graph.errors``: each carries a stable
reason ``code`` for programs and ``details`` for people; each surface maps the type to its
own answer (an HTTP status in ``api.http.errors``, an exit code in the CLI)."""

from __future__ import annotations

from typing import Any

from graph.errors import RedchainError


class ServiceError(RedchainError):
    """Root of the services' own errors."""

    def __init__(self, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


class InvalidRequest(ServiceError):
    """The request names things that do not fit together (e.g. a cursor from nowhere)."""


class Conflict(ServiceError):
    """The request is valid but the stored state no longer allows it (e.g. a stale plan)."""


class TooLarge(ServiceError):
    """What was sent is bigger than a configured limit."""
