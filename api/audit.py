"""The audit log: append-only, one document per entry in the store's ``audit`` collection.

Every write (imports, applied plans, tokens created or revoked, browser logins) and every
read that shows people's names is appended with its time, the principal, the action and
details. Keys start with the time in nanoseconds, so the collection reads back in order,
and each key is new, so no entry is ever overwritten.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timezone

from graph.store import GraphStore

from api.security.principal import Principal

COLLECTION = "audit"
MAX_IDS = 100  # ids listed in one entry; the count says how many there were


def record(store: GraphStore, principal: Principal, action: str, details: dict | None = None) -> dict:
    """Append one entry and return it."""
    now = time.time_ns()
    entry = {
        "time": datetime.fromtimestamp(now / 1e9, timezone.utc).isoformat(timespec="milliseconds"),
        "principal": principal.subject,
        "role": principal.role.value,
        "chains": sorted(principal.chains) if principal.chains is not None else None,
        "action": action,
        "details": details or {},
    }
    store.save_document(COLLECTION, f"{now:020d}-{secrets.token_hex(4)}", entry)
    return entry


def record_people(store: GraphStore, principal: Principal, where: str, people: list[str]) -> None:
    """Record that ``principal`` was shown the names of ``people`` at ``where`` (a path)."""
    if people:
        record(store, principal, "read_personal", {"path": where, "people": people[:MAX_IDS], "count": len(people)})


def entries(store: GraphStore) -> list[dict]:
    """Every entry, oldest first."""
    return [body for _, body in store.documents(COLLECTION)]


def keyed_entries(store: GraphStore) -> dict[str, dict]:
    """Every entry by its key (keys sort oldest first)."""
    return dict(store.documents(COLLECTION))
