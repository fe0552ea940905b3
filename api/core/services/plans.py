"""Plan proposals and applying them.

A proposal is made by a planner over the principal's view (for a view of chains: over the
whole district for the chain asked, less what the view does not show; see ``_planned``)
and stored (collection ``plans``) under a new id. Applying writes it in one transaction, once, and only if the
graph has not changed since the proposal was made (otherwise it may no longer fit:
a leader may be full, a new branch's id taken) and every id it touches is in the
applying principal's view.

Stored proposals are bounded: each principal keeps at most ``PlanLimits.per_principal``
unapplied ones (a new one past that removes that principal's oldest), and an unapplied
proposal older than ``PlanLimits.days`` expires (removed at the next proposal; reading it
says it expired). Applied plans are the record of a write and are kept. Lists read a small
index (collection ``plan_index``: kind, chain, time, size, state, and the chains it was
made for and the ids it touches, for the scope check), never the plans themselves; a plan is read by its key.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from datetime import datetime, timedelta, timezone

from pydantic import TypeAdapter

from graph.analysis.jsonable import to_jsonable
from graph.analysis.planners import Plan, apply_plan, plan_contacts, plan_instructors, plan_joint_branches, plan_pairings
from graph.analysis.history import snapshot_now
from graph.errors import NotFound, PlanInfeasible, VersionConflict
from graph.records import Document
from graph.store import GraphStore

from api.core import audit
from api.core.reader import Reader
from api.core.scope import ScopedGraph
from api.core.errors import Conflict
from api.core.security.principal import Principal

COLLECTION = "plans"
INDEX = "plan_index"
PLANNERS = {
    "contacts": plan_contacts,
    "instructors": plan_instructors,
    "pairings": plan_pairings,
    "joint_branches": plan_joint_branches,
}
_PLAN = TypeAdapter(Plan)


@dataclasses.dataclass(frozen=True)
class PlanLimits:
    per_principal: int = 20  # unapplied proposals one principal keeps
    days: int = 30  # an unapplied proposal expires after this many days


def propose(reader: Reader, kind: str, params: dict, limits: PlanLimits = PlanLimits()) -> dict:
    """Run one planner over the view, store the proposal, and return it with its id
    (and the ids of proposals it pushed out: ``removed``). A view of one chain plans for
    that chain when none is asked, and the plan says so (its ``chain``)."""
    params = {**params, "chain": reader.scoped.district_chain(params.get("chain"))[1]}
    # A planner over the same view with the same parameters proposes the same plan: it is
    # computed once per view (seconds at city scale), each proposal stamped with its own time.
    key = ("plan", kind, json.dumps(params, sort_keys=True, ensure_ascii=False))
    now = datetime.now(timezone.utc)
    plan = dataclasses.replace(reader.scoped.memo(key, lambda view: _planned(view, kind, params), carried=False),
                               created=now.isoformat(timespec="seconds"))
    plan_id = f"{now:%Y%m%d%H%M%S%f}-{secrets.token_hex(4)}"  # keys sort in the order plans were made
    body = {"plan": to_jsonable(plan), "params": params, "applied": None, **_made_by(reader.principal)}
    store = reader.store
    removed = _make_room(store, reader.principal.subject, limits, now)
    store.save_document(COLLECTION, plan_id, body)
    store.save_document(INDEX, plan_id, _summary(body))
    audit.record(store, reader.principal, "plan_propose",
                 {"plan": plan_id, "kind": kind, "params": params, "totals": plan.totals,
                  **({"removed": removed} if removed else {})})
    return reader.shown({"id": plan_id, "plan": body["plan"], "applied": None, "removed": removed})


def _planned(view: ScopedGraph, kind: str, params: dict) -> Plan:
    """The planner's proposal for ``view``.

    For a view of chains every plan is the one an unscoped principal gets for the chain
    asked (``ScopedGraph.district_chain``): planned on the whole district, so that loads,
    capacities and units in other chains count (a leader's contacts there, a joint
    branch's units, a strong org's pairings), less what names anything outside the view
    (``_shown``). A plan for a chain outside the view is planned on the view, which says
    the chain is not found."""
    on_district, chain = view.district_chain(params.get("chain"))
    if not on_district:
        return PLANNERS[kind](view.g, **params)
    try:
        plan = PLANNERS[kind](view.district.g, **{**params, "chain": chain})
    except PlanInfeasible as infeasible:
        if any(hidden in str(infeasible) for hidden in view.district.attrs.keys() - view.attrs.keys()):
            raise PlanInfeasible("此规划按全区计算（本产业链以外的负担、名额也计入）无法满足，"
                                 "原因涉及本账号范围以外的对象：请联系全区管理员") from None
        raise
    return _shown(view, plan)


OUTSIDE_REASON = "（理由涉及本账号范围以外的产业链或环节，未显示）"


def _shown(view: ScopedGraph, plan: Plan) -> Plan:
    """``plan`` (made on the district) less what names a node ``view`` hides: an item with
    a hidden end, a new branch that would cover a hidden enterprise (with its items: part
    of a branch is not the branch planned), a leftover that is hidden. What is left out is
    counted in ``totals`` (``hidden_items``, ``hidden_new_orgs``, ``hidden_leftovers``), so
    the plan says it shows less; the counts of what is shown are the shown lists'. A
    reason quoting a hidden chain's or segment's name reads ``OUTSIDE_REASON`` instead."""
    new_orgs = [o for o in plan.new_orgs if not any(view.hides(e) for e in o.enterprises)]
    dropped_orgs = {o.id for o in plan.new_orgs} - {o.id for o in new_orgs}
    items = [i for i in plan.items
             if not (view.hides(i.source) or view.hides(i.target) or i.source in dropped_orgs)]
    leftovers = [o for o in plan.leftovers if not view.hides(o.id)]
    if words := view.hidden_group_names():  # a reason quoting a hidden chain or segment is not shown
        def told(reasons: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(OUTSIDE_REASON if any(w in r for w in words) else r for r in reasons))

        items = [dataclasses.replace(i, reasons=told(i.reasons)) for i in items]
        new_orgs = [dataclasses.replace(o, reasons=told(o.reasons)) for o in new_orgs]
        leftovers = [dataclasses.replace(o, reason=told((o.reason,))[0]) for o in leftovers]
    totals = {**plan.totals, "items": len(items), "new_orgs": len(new_orgs), "leftovers": len(leftovers),
              "hidden_items": len(plan.items) - len(items), "hidden_new_orgs": len(dropped_orgs),
              "hidden_leftovers": len(plan.leftovers) - len(leftovers)}
    return dataclasses.replace(plan, items=items, new_orgs=new_orgs, leftovers=leftovers, totals=totals)


def _summary(body: dict) -> dict:
    """What lists and the scope check need of a stored plan."""
    plan = body["plan"]
    new_ids = {o["id"] for o in plan.get("new_orgs", [])}
    touched = sorted(({i["source"] for i in plan.get("items", [])} | {i["target"] for i in plan.get("items", [])}) - new_ids)
    chain = (body.get("params") or {}).get("chain")
    return {"kind": plan.get("kind"), "chain": chain, "chains": [chain] if chain else body.get("chains"),
            "created": plan.get("created", ""), "items": len(plan.get("items", [])), "by": body.get("by"),
            "touched": touched, "applied": (body.get("applied") or {}).get("at"), "expired": None}


def planned_for(summary: dict) -> list[str] | None:
    """The chains a plan was made for: the chain asked, else the chains of the scoped
    principal who made it (planned for all of them); None for the whole district."""
    if "chains" in summary:
        return summary["chains"]
    return [summary["chain"]] if summary.get("chain") else None  # an index entry kept before "chains"


def index(store: GraphStore) -> list[tuple[str, dict]]:
    """Every stored plan's summary, oldest first (made once from the plans of a store kept
    before the index existed)."""
    found = store.documents(INDEX)
    if not found:
        found = [(key, _summary(body)) for key, body in store.documents(COLLECTION)]
        for key, summary in found:
            store.save_document(INDEX, key, summary)
    return found


def _expired(summary: dict, limits: PlanLimits, now: datetime) -> bool:
    if summary.get("applied") or summary.get("expired"):
        return False
    try:
        created = datetime.fromisoformat(summary["created"])
    except (KeyError, TypeError, ValueError):
        return False
    return now - created > timedelta(days=limits.days)


def _make_room(store: GraphStore, subject: str, limits: PlanLimits, now: datetime) -> list[str]:
    """Expire old proposals, and remove this principal's oldest unapplied ones so that the
    new one makes ``per_principal``. The ids removed for room (expired ones are not news)."""
    open_ones = []
    for key, summary in index(store):
        if _expired(summary, limits, now):
            store.delete_document(COLLECTION, key)
            store.save_document(INDEX, key, {**summary, "expired": now.isoformat(timespec="seconds"), "days": limits.days,
                                             "touched": []})
        elif summary.get("by") == subject and not summary.get("applied") and not summary.get("expired"):
            open_ones.append(key)
    removed = open_ones[: max(0, len(open_ones) - limits.per_principal + 1)]
    for key in removed:
        store.delete_document(COLLECTION, key)
        store.delete_document(INDEX, key)
    return removed


def visible(reader: Reader, summary: dict) -> bool:
    """Whether the reader may see the plan: for a principal scoped to chains, one made for
    chains all within its scope (never one for the whole district or another chain,
    whose reasons, counts and leftovers are about what it may not see); and every id the
    plan touches (but its new branches) is in the reader's view."""
    scope, chains = reader.principal.chains, planned_for(summary)
    if scope is not None and (chains is None or not set(chains) <= scope):
        return False
    g = reader.scoped.g
    return all(n in g for n in summary.get("touched", ()))


def stored(reader: Reader, plan_id: str) -> dict:
    """A stored plan the reader may see, read by its key. NotFound when there is none, it
    is outside the reader's view, or it expired (saying so)."""
    summary = reader.store.document(INDEX, plan_id)
    body = reader.store.document(COLLECTION, plan_id)
    if summary is not None and summary.get("expired"):
        raise NotFound(f"方案 {plan_id} 已过期：未执行的方案保留 {summary.get('days')} 天，请重新生成")
    if body is None:
        raise NotFound(f"找不到方案 {plan_id}")
    if not visible(reader, summary or _summary(body)):
        raise NotFound(f"找不到方案 {plan_id}")
    return body


def apply(reader: Reader, plan_id: str) -> dict:
    """Write a stored proposal. 404 if unknown or outside the view, 409 if applied or stale."""
    store = reader.store
    body = stored(reader, plan_id)
    plan = _PLAN.validate_python(body["plan"])
    if body.get("applied"):
        raise Conflict("plan_applied", f"方案 {plan_id} 已于 {body['applied']['at']} 执行过", body["applied"])
    applied: dict = {}

    def describe(summary) -> list[Document]:
        # The plan marked applied and the audit entry commit with the write, or not at all.
        applied.update({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "by": reader.principal.subject,
                        "version": summary.version, "added": summary.added, "updated": summary.updated,
                        "unchanged": summary.unchanged})
        done = {**body, "applied": dict(applied)}
        return [Document(COLLECTION, plan_id, done), Document(INDEX, plan_id, _summary(done)),
                audit.plan_apply_entry(reader.principal, plan, summary, plan_id)]

    try:
        apply_plan(store, plan, check_version=True, describe=describe)
    except VersionConflict as stale:
        raise Conflict("plan_stale", f"方案 {plan_id} 生成后数据已有变化（版本 {plan.version} → {stale.current}），请重新生成方案",
                       {"plan_version": plan.version, "store_version": stale.current}) from None
    snapshot_now(store)  # as after an import: `history`, `changes` and the dashboard see the write
    return {"id": plan_id, "applied": applied}


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
