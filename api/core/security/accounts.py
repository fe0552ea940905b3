"""Named user accounts: a person logs into the pages with a name and a password.

An account is a document of the ``users`` collection keyed by its name: role, chain scope
(None: every chain), when it was created, whether it is disabled, and the password as a
scrypt hash (``hashlib.scrypt``, RFC 7914) with its own salt and cost parameters, so the
cost can rise later without breaking stored hashes. A disabled account keeps its record,
so audit entries naming it still make sense; it can log in no more, and its open browser
sessions stop at their next request.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from graph.errors import NotFound
from graph.store import GraphStore

from api.core.errors import Conflict, InvalidRequest
from api.core.security.principal import Principal, Role

COLLECTION = "users"
SUBJECT_PREFIX = "user:"
MAX_NAME = 32
MIN_PASSWORD = 8
MAX_PASSWORD = 256  # bounds the work a login attempt costs
_ALLOWED_PUNCTUATION = set("._-@")

# scrypt cost: N=2^15, r=8, p=1 is OWASP's minimum recommendation (32 MiB, ~0.1 s here).
_N_LOG2, _R, _P = 15, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32


@dataclass(frozen=True)
class Account:
    """A stored account, without its password hash."""

    name: str
    role: Role
    chains: tuple[str, ...] | None
    created: str
    disabled: str | None = None
    note: str = ""

    def principal(self) -> Principal:
        return Principal(SUBJECT_PREFIX + self.name, self.role, frozenset(self.chains) if self.chains is not None else None)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_name(name: str) -> str:
    """The name as stored (NFC), or InvalidRequest saying what is wrong with it."""
    name = unicodedata.normalize("NFC", name)
    if not name or len(name) > MAX_NAME:
        raise InvalidRequest("bad_name", f"用户名须为 1–{MAX_NAME} 个字符")
    bad = [c for c in name if not (c.isalnum() or c in _ALLOWED_PUNCTUATION)]
    if bad:
        raise InvalidRequest("bad_name", f"用户名只能包含汉字、字母、数字和 . _ - @，不能包含“{bad[0]}”")
    return name


def check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest("weak_password", f"密码至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise InvalidRequest("bad_password", f"密码最多 {MAX_PASSWORD} 个字符")
    if password.strip().casefold() == name.casefold():
        raise InvalidRequest("weak_password", "密码不能与用户名相同")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, _N_LOG2, _R, _P)
    return f"scrypt${_N_LOG2}${_R}${_P}${salt.hex()}${digest.hex()}"


def password_matches(stored: str, password: str) -> bool:
    try:
        scheme, n_log2, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _scrypt(password, bytes.fromhex(salt), int(n_log2), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found, bytes.fromhex(digest))


def _scrypt(password: str, salt: bytes, n_log2: int, r: int, p: int) -> bytes:
    n = 1 << n_log2
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p,
                          maxmem=2 * 128 * n * r * p + (1 << 20), dklen=_HASH_BYTES)


@functools.cache
def _dummy_hash() -> str:
    """Checked for unknown names, so a login takes the same time either way (made on first
    use: an scrypt costs ~0.1 s, which every command would otherwise pay at import)."""
    return hash_password(secrets.token_urlsafe(16))


def _account(name: str, body: dict) -> Account:
    chains = body.get("chains")
    return Account(name, Role(body["role"]), tuple(chains) if chains is not None else None,
                   body.get("created", ""), body.get("disabled"), body.get("note", ""))


def add_account(store: GraphStore, name: str, role: Role, password: str,
                chains: Iterable[str] | None = None, note: str = "") -> Account:
    """Create an account; Conflict when the name is taken."""
    name = check_name(name)
    check_password(name, password)
    if store.document(COLLECTION, name) is not None:
        raise Conflict("account_exists", f"用户 {name} 已存在")
    body = {"role": role.value, "chains": sorted(set(chains)) if chains else None, "created": _now(),
            "disabled": None, "note": note, "password": hash_password(password), "password_set": _now()}
    store.save_document(COLLECTION, name, body)
    return _account(name, body)


def _stored(store: GraphStore, name: str) -> dict:
    body = store.document(COLLECTION, unicodedata.normalize("NFC", name))
    if body is None:
        raise NotFound(f"找不到用户 {name}")
    return body


def account(store: GraphStore, name: str) -> Account:
    """The account of this name; NotFound when there is none."""
    return _account(unicodedata.normalize("NFC", name), _stored(store, name))


def set_password(store: GraphStore, name: str, password: str) -> Account:
    name = unicodedata.normalize("NFC", name)
    body = _stored(store, name)
    check_password(name, password)
    body = {**body, "password": hash_password(password), "password_set": _now()}
    store.save_document(COLLECTION, name, body)
    return _account(name, body)


def set_disabled(store: GraphStore, name: str, disabled: bool) -> Account:
    name = unicodedata.normalize("NFC", name)
    body = _stored(store, name)
    if bool(body.get("disabled")) != disabled:
        body = {**body, "disabled": _now() if disabled else None}
        store.save_document(COLLECTION, name, body)
    return _account(name, body)


def list_accounts(store: GraphStore) -> list[Account]:
    return [_account(key, body) for key, body in store.documents(COLLECTION)]


def authenticate(store: GraphStore, name: str, password: str) -> Account | None:
    """The account when the name and password match an enabled account, else None.

    The password is hashed whatever happens, so the answer takes as long for an unknown
    name as for a wrong password (no guessing which names exist from timings)."""
    body = store.document(COLLECTION, unicodedata.normalize("NFC", name)) if name and len(name) <= MAX_NAME else None
    if len(password) > MAX_PASSWORD:
        return None
    matches = password_matches(body["password"] if body else _dummy_hash(), password)
    if body is None or not matches or body.get("disabled"):
        return None
    return _account(unicodedata.normalize("NFC", name), body)


def current(store: GraphStore, subject: str) -> Principal | None:
    """The principal of an account's session as the account stands now (role and chains
    may have changed); None once it is disabled or gone."""
    body = store.document(COLLECTION, subject.removeprefix(SUBJECT_PREFIX))
    if body is None or body.get("disabled"):
        return None
    return _account(subject.removeprefix(SUBJECT_PREFIX), body).principal()
