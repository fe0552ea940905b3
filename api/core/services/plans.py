"""Plan proposals and applying them.

A proposal is made by a planner over the principal's view and stored (collection
``plans``) under a new id. Applying writes it in one transaction, once, and only if the
graph has not changed since the proposal was made (otherwise it may no longer fit:
a leader may be full, a new branch's id taken) and every id it touches is in the
applying principal's view.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timezone

from pydantic import TypeAdapter

from graph.analysis.jsonable import to_jsonable
from graph.analysis.planners import Plan, apply_plan, plan_contacts, plan_instructors, plan_joint_branches, plan_pairings
from graph.errors import NotFound, VersionConflict
from graph.records import Document
from graph.store import GraphStore

from api.core import audit
from api.core.reader import Reader
from api.core.errors import Conflict
from api.core.security.principal import Principal

COLLECTION = "plans"
PLANNERS = {
    "contacts": plan_contacts,
    "instructors": plan_instructors,
    "pairings": plan_pairings,
    "joint_branches": plan_joint_branches,
}
_PLAN = TypeAdapter(Plan)


def propose(reader: Reader, kind: str, params: dict) -> dict:
    """Run one planner over the view, store the proposal, and return it with its id."""
    plan = PLANNERS[kind](reader.scoped.g, **params)
    plan_id = f"{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    body = {"plan": to_jsonable(plan), "params": params, "applied": None, **_made_by(reader.principal)}
    reader.store.save_document(COLLECTION, plan_id, body)
    audit.record(reader.store, reader.principal, "plan_propose",
                 {"plan": plan_id, "kind": kind, "params": params, "totals": plan.totals})
    return reader.shown({"id": plan_id, "plan": body["plan"], "applied": None})


def apply(reader: Reader, plan_id: str) -> dict:
    """Write a stored proposal. 404 if unknown or outside the view, 409 if applied or stale."""
    store = reader.store
    body = _stored(store, plan_id)
    plan = _PLAN.validate_python(body["plan"])
    touched = {i.source for i in plan.items} | {i.target for i in plan.items} | {o.id for o in plan.new_orgs}
    new_ids = {o.id for o in plan.new_orgs}
    if any(n not in reader.scoped.g for n in touched - new_ids):
        raise NotFound(f"找不到方案 {plan_id}")
    if body.get("applied"):
        raise Conflict("plan_applied", f"方案 {plan_id} 已于 {body['applied']['at']} 执行过", body["applied"])
    applied: dict = {}

    def describe(summary) -> list[Document]:
        # The plan marked applied and the audit entry commit with the write, or not at all.
        applied.update({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "by": reader.principal.subject,
                        "version": summary.version, "added": summary.added, "updated": summary.updated,
                        "unchanged": summary.unchanged})
        return [Document(COLLECTION, plan_id, {**body, "applied": dict(applied)}),
                audit.plan_apply_entry(reader.principal, plan, summary, plan_id)]

    try:
        apply_plan(store, plan, check_version=True, describe=describe)
    except VersionConflict as stale:
        raise Conflict("plan_stale", f"方案 {plan_id} 生成后数据已有变化（版本 {plan.version} → {stale.current}），请重新生成方案",
                       {"plan_version": plan.version, "store_version": stale.current}) from None
    return {"id": plan_id, "applied": applied}


def _stored(store: GraphStore, plan_id: str) -> dict:
    for key, body in store.documents(COLLECTION):
        if key == plan_id:
            return body
    raise NotFound(f"找不到方案 {plan_id}")


def _made_by(principal: Principal) -> dict:
    return {"by": principal.subject, "chains": sorted(principal.chains) if principal.chains is not None else None}


def as_shown_to(reader: Reader, plan: Plan) -> Plan:
    """The stored plan as this reader may see it: a stored plan keeps the names of the
    people it proposes (leaders, instructors) from when it was made, so for a reader who
    may not see names they are replaced by ids; for one who may, the read is audited."""
    people = set(reader.scoped.people_in([[i.source, i.target] for i in plan.items]))
    if not people:
        return plan
    if reader.scoped.personal:
        reader.saw(sorted(people))
        return plan
    items = [dataclasses.replace(i, source_name=i.source if i.source in people else i.source_name,
                                 target_name=i.target if i.target in people else i.target_name) for i in plan.items]
    return dataclasses.replace(plan, items=items)
