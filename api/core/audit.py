"""The audit log: append-only, one document per entry in the store's ``audit`` collection.

Every write (imports, applied plans, tokens created or revoked, browser logins) and every
read that shows people's names is appended with its time, the principal, the action and
details. Keys start with the time in nanoseconds, so the collection reads back in order,
and each key is new, so no entry is ever overwritten.

A write's own entry (an import, an applied plan) is made by ``import_entry`` /
``plan_apply_entry`` from the write's summary and saved in the same transaction as the
write (``UnitOfWork.describe``): a committed write always has its entry, a failed one never.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timezone

from typing import TYPE_CHECKING

from graph.records import Document, WriteSummary
from graph.store import GraphStore

from api.core.security.principal import Principal

if TYPE_CHECKING:  # the planners (and networkx under them) are not needed to write an audit entry
    from graph.analysis.planners import Plan

COLLECTION = "audit"
MAX_IDS = 100  # ids listed in one entry; the count says how many there were


# What each action is, as the audit log shows it to a person (``redchain audit``).
ACTION_ZH = {
    "import": "导入", "import_rejected": "导入被拒", "delete": "删除", "plan_propose": "生成规划提议", "plan_apply": "执行规划",
    "read_personal": "查看人员姓名", "forbidden": "越权被拒", "login": "登录", "login_failed": "登录失败", "login_refused": "登录被拒（尝试过多）",
    "csrf_refused": "拒绝跨站请求", "cross_origin_refused": "拒绝跨源请求", "token_create": "创建令牌", "token_revoke": "吊销令牌",
    "user_add": "新建账号", "user_disable": "停用账号", "user_enable": "启用账号", "user_passwd": "修改密码",
}


def entry(principal: Principal, action: str, details: dict | None = None) -> Document:
    """A new entry, not yet saved."""
    now = time.time_ns()
    body = {
        "time": datetime.fromtimestamp(now / 1e9, timezone.utc).isoformat(timespec="milliseconds"),
        "principal": principal.subject,
        "role": principal.role.value,
        "chains": sorted(principal.chains) if principal.chains is not None else None,
        "action": action,
        "details": details or {},
    }
    return Document(COLLECTION, f"{now:020d}-{secrets.token_hex(4)}", body)


def record(store: GraphStore, principal: Principal, action: str, details: dict | None = None) -> dict:
    """Append one entry on its own (reads, logins, tokens) and return it."""
    made = entry(principal, action, details)
    store.save_document(made.collection, made.key, made.body)
    return made.body


def record_people(store: GraphStore, principal: Principal, where: str, people: list[str]) -> None:
    """Record that ``principal`` was shown the names of ``people`` at ``where`` (a path)."""
    if people:
        record(store, principal, "read_personal", {"path": where, "people": people[:MAX_IDS], "count": len(people)})


def import_entry(principal: Principal, files: list[str], rows: int, summary: WriteSummary) -> Document:
    """The entry of an import (over HTTP or from the command line), made from its summary."""
    return entry(principal, "import", {"files": files, "rows": rows, "version": summary.version,
                                       "added": _happened(summary.added), "updated": _happened(summary.updated),
                                       **({"removed": _happened(summary.deleted)} if any(summary.deleted.values()) else {})})


def plan_apply_entry(principal: Principal, plan: Plan, summary: WriteSummary, plan_id: str | None = None) -> Document:
    """The entry of an applied plan; ``plan_id`` where it was stored as a proposal first."""
    details = {"kind": plan.kind, "items": len(plan.items), "new_orgs": len(plan.new_orgs),
               "added": _happened(summary.added), "version": summary.version}
    return entry(principal, "plan_apply", details if plan_id is None else {"plan": plan_id, **details})


def _happened(counts: dict[str, int]) -> dict[str, int]:
    """The kinds something happened to: an entry lists what was done, not every kind."""
    return {kind: n for kind, n in counts.items() if n}


def entries(store: GraphStore) -> list[dict]:
    """Every entry, oldest first."""
    return [body for _, body in store.documents(COLLECTION)]


def keyed_entries(store: GraphStore) -> dict[str, dict]:
    """Every entry by its key (keys sort oldest first)."""
    return dict(store.documents(COLLECTION))
