"""Browser sessions: how a person stays logged in between pages.

A session is opened by one of three doors, all leading to the same HttpOnly,
SameSite=Strict cookie holding a random session id:

- the login page, with an account's name and password (``api.core.security.accounts``);
- the login page, with an API token (a script's token can also open a browser);
- the one-time admin URL ``serve`` prints for the first start (like Jupyter's token URL:
  ``/?token=...`` works exactly once, so it never lingers in a history).

Sessions live in the server process only, stored by the hash of their id, and end with
it, on logout, or after ``hours`` (absolute, not sliding). A session opened by an account
or a token follows it: when the account is disabled or the token revoked, the session stops
at its next request, and a changed role or chain scope applies at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from graph.store import GraphStore

from api.core.security import accounts, tokens
from api.core.security.principal import Principal, Role

COOKIE = "redchain_session"
MAX_SESSIONS = 10_000  # open at once; expired ones are dropped first, then the oldest


_FORM_KEY = b"redchain-form-v1"
CSRF_HEADER = "X-CSRF-Token"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def form_token(session_id: str) -> str:
    """The token every state-changing request riding on this session must carry (a form's
    hidden ``csrf`` field, or the ``X-CSRF-Token`` header of a script on our pages): only
    a page of ours, which the session's own cookie opened, can know it."""
    return hmac.new(session_id.encode(), _FORM_KEY, hashlib.sha256).hexdigest()[:40]


class Sessions:
    """One-time login tokens and the sessions they and logins open (thread-safe)."""

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
        """Spend a one-time token: the new admin session's id and principal, or None."""
        with self._lock:
            if _hash(login_token) not in self._logins:
                return None
            self._logins.discard(_hash(login_token))
        session_id = secrets.token_urlsafe(32)
        principal = Principal(f"session:{_hash(session_id)[:12]}", Role.ADMIN)
        self._keep(session_id, principal)
        return session_id, principal

    def open(self, principal: Principal) -> str:
        """A new session acting as ``principal`` (an account's or a token's); its id."""
        session_id = secrets.token_urlsafe(32)
        self._keep(session_id, principal)
        return session_id

    def _keep(self, session_id: str, principal: Principal) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                for key in [k for k, (_, expires) in self._sessions.items() if expires < now]:
                    del self._sessions[key]
                while len(self._sessions) >= MAX_SESSIONS:  # dicts keep insertion order: oldest first
                    del self._sessions[next(iter(self._sessions))]
            self._sessions[_hash(session_id)] = (principal, now + self.lifetime)

    def principal(self, session_id: str, store: GraphStore) -> Principal | None:
        """Whom the session acts as now, or None (unknown, expired, or its account or token
        no longer valid)."""
        with self._lock:
            found = self._sessions.get(_hash(session_id))
            if found is None:
                return None
            principal, expires = found
            if time.monotonic() > expires:
                del self._sessions[_hash(session_id)]
                return None
        if principal.subject.startswith(accounts.SUBJECT_PREFIX):
            principal = accounts.current(store, principal.subject)
        elif principal.subject.startswith(tokens.SUBJECT_PREFIX):
            principal = tokens.current(store, principal.subject)
        if principal is None:
            self.end(session_id)
        return principal

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(_hash(session_id), None)
