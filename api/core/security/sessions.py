"""The browser session opened by the one-time admin URL that ``serve`` prints.

Like Jupyter's token URL: ``http://127.0.0.1:8000/?token=...`` works exactly once. It
opens an admin session whose id travels in an HttpOnly, SameSite=Strict cookie, so the
token never stays in the address bar or the history and no other site can use the
session. Sessions live in the server process only (hashed) and end with it.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from api.core.security.principal import Principal, Role

COOKIE = "redchain_session"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Sessions:
    """One-time login tokens and the sessions they open (thread-safe)."""

    def __init__(self, hours: int = 12):
        self.lifetime = hours * 3600
        self._logins: set[str] = set()
        self._sessions: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def new_login_token(self) -> str:
        """A token for the one-time URL."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._logins.add(_hash(token))
        return token

    def redeem(self, login_token: str) -> tuple[str, Principal] | None:
        """Spend a one-time token: the new session id and its principal, or None."""
        with self._lock:
            if _hash(login_token) not in self._logins:
                return None
            self._logins.discard(_hash(login_token))
            session_id = secrets.token_urlsafe(32)
            principal = Principal(f"session:{_hash(session_id)[:12]}", Role.ADMIN)
            self._sessions[_hash(session_id)] = (principal, time.monotonic() + self.lifetime)
        return session_id, principal

    def principal(self, session_id: str) -> Principal | None:
        with self._lock:
            found = self._sessions.get(_hash(session_id))
            if found is None:
                return None
            principal, expires = found
            if time.monotonic() > expires:
                del self._sessions[_hash(session_id)]
                return None
            return principal

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(_hash(session_id), None)
