"""Bearer tokens: created once, shown once, stored only as a salted hash.

A token reads ``rct_<id>_<secret>``. The id finds the stored record (collection
``tokens``, key = id); the secret is checked against ``sha256(salt + secret)`` with a
constant-time comparison. Revoking keeps the record (marked ``revoked``) so that audit
entries naming the token still make sense.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from graph.errors import NotFound
from graph.store import GraphStore

from api.core.security.principal import Principal, Role

COLLECTION = "tokens"
PREFIX = "rct"
SUBJECT_PREFIX = "token:"
_SECRET_BYTES = 32


@dataclass(frozen=True)
class TokenInfo:
    """A stored token, without anything that would let someone use it."""

    id: str
    role: Role
    chains: tuple[str, ...] | None
    created: str
    revoked: str | None = None
    note: str = ""

    def principal(self) -> Principal:
        return Principal(SUBJECT_PREFIX + self.id, self.role, frozenset(self.chains) if self.chains is not None else None)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _info(key: str, body: dict) -> TokenInfo:
    chains = body.get("chains")
    return TokenInfo(key, Role(body["role"]), tuple(chains) if chains is not None else None,
                     body.get("created", ""), body.get("revoked"), body.get("note", ""))


def create_token(store: GraphStore, role: Role, chains: Iterable[str] | None = None, note: str = "") -> tuple[str, TokenInfo]:
    """Create and store a token; returns the token text (shown once) and its record.

    ``chains`` None or empty: the token sees every chain.
    """
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    salt = secrets.token_hex(16)
    scoped = sorted(set(chains)) if chains else None
    body = {"role": role.value, "chains": scoped, "created": _now(), "revoked": None, "note": note,
            "salt": salt, "hash": _digest(salt, secret)}
    store.save_document(COLLECTION, token_id, body)
    return f"{PREFIX}_{token_id}_{secret}", _info(token_id, body)


def list_tokens(store: GraphStore) -> list[TokenInfo]:
    return [_info(key, body) for key, body in store.documents(COLLECTION)]


def revoke_token(store: GraphStore, token_id: str) -> TokenInfo:
    """Mark a token revoked; it stops working at once. Raises NotFound for an unknown id."""
    body = store.document(COLLECTION, token_id)
    if body is None:
        raise NotFound(f"找不到令牌 {token_id}")
    if not body.get("revoked"):
        body = {**body, "revoked": _now()}
        store.save_document(COLLECTION, token_id, body)
    return _info(token_id, body)


def authenticate(store: GraphStore, token: str) -> Principal | None:
    """The principal a token acts as, or None if it is malformed, unknown or revoked."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    _, token_id, secret = parts
    body = store.document(COLLECTION, token_id)
    if body is None or body.get("revoked") or not hmac.compare_digest(body.get("hash", ""), _digest(body["salt"], secret)):
        return None
    return _info(token_id, body).principal()


def current(store: GraphStore, subject: str) -> Principal | None:
    """The principal of a browser session opened with a token, while the token is valid."""
    body = store.document(COLLECTION, subject.removeprefix(SUBJECT_PREFIX))
    if body is None or body.get("revoked"):
        return None
    return _info(subject.removeprefix(SUBJECT_PREFIX), body).principal()
