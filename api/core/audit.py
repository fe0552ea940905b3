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

from graph.analysis.planners import Plan
from graph.records import WriteSummary
from graph.store import GraphStore

from api.core.security.principal import Principal

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


def record_import(store: GraphStore, principal: Principal, files: list[str], rows: int, summary: WriteSummary) -> None:
    """Record an import that was written (over HTTP or from the command line)."""
    record(store, principal, "import", {"files": files, "rows": rows, "version": summary.version,
                                        "added": _happened(summary.added), "updated": _happened(summary.updated)})


def record_plan_apply(store: GraphStore, principal: Principal, plan: Plan, summary: WriteSummary,
                      plan_id: str | None = None) -> None:
    """Record an applied plan; ``plan_id`` where it was stored as a proposal first."""
    details = {"kind": plan.kind, "items": len(plan.items), "new_orgs": len(plan.new_orgs),
               "added": _happened(summary.added), "version": summary.version}
    record(store, principal, "plan_apply", details if plan_id is None else {"plan": plan_id, **details})


def _happened(counts: dict[str, int]) -> dict[str, int]:
    """The kinds something happened to: an entry lists what was done, not every kind."""
    return {kind: n for kind, n in counts.items() if n}


def entries(store: GraphStore) -> list[dict]:
    """Every entry, oldest first."""
    return [body for _, body in store.documents(COLLECTION)]


def keyed_entries(store: GraphStore) -> dict[str, dict]:
    """Every entry by its key (keys sort oldest first)."""
    return dict(store.documents(COLLECTION))
