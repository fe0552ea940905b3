"""Coverage over time: save a report as a dated snapshot, read the series back.

Snapshots are documents in the store's ``coverage_snapshots`` collection. Each key starts
with the UTC timestamp (fixed width, so keys sort in time order), followed by the chain
when the report was restricted to one; the body holds the ISO date, the chain, and the
report's ``totals`` and ``groups`` exactly as ``--json`` prints them.

A snapshot taken with a :class:`~graph.analysis.changes.CoverageState` (``report --save``
and every import) also keeps that state, for ``redchain changes``, stored compactly in its
own collection (``graph.analysis.snapshot_states``). The body's ``state`` is
``{"digest", "key"}``: a state equal to the latest one of the same series is not stored
again, the body names the key that holds it.

The snapshot every import takes also names the store ``version`` it was computed at and
the ``rules`` it was computed by (``graph.source_digest`` of ``graph/analysis``): an
import that changed nothing (a repeat, ``loaders.unchanged``) finds the latest snapshot of
the whole base at the same version and rules, and saves its report and state again at the
new moment instead of reading the graph (city demo: the graph read and the report cost
about 4 s per import that changed nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.jsonable import to_jsonable
from graph.analysis.changes import Changes, CoverageState, changes, coverage_state, graph_names, in_chain, in_chain_both, totals
from graph.analysis.coverage import CoverageReport, coverage_base, coverage_report
from graph.analysis.membership import RATE_DIGITS
from graph.analysis.snapshot_states import digest, encode_state, load_state, save_state
from graph.analysis.snapshot_states import STATE_COLLECTION  # noqa: F401  (migrate copies history's collections)
from graph.analysis.snapshot_projection import snapshot_projection
from graph.collector import collector_paused
from graph.errors import NoComparison, NotFound
from graph.kept_answers import coverage_question, keep_answer, keep_coverage_base
from graph.source_digest import ANALYSIS_RULES, source_digest
from graph.store import GraphStore

COLLECTION = "coverage_snapshots"
RULES = ANALYSIS_RULES  # the source a report and a state follow from


@dataclass(frozen=True)
class HistoryPoint:
    """One snapshot's totals, with the change since the previous snapshot (None for the first)."""

    date: str  # ISO yyyy-mm-dd, in the time zone the snapshot was taken in
    at: str  # ISO UTC timestamp
    base: int
    org_covered: int
    work_covered: int
    uncovered: int
    org_coverage_rate: float
    two_coverage_rate: float
    base_delta: int | None
    org_coverage_rate_delta: float | None
    two_coverage_rate_delta: float | None


def save_snapshot(
    store: GraphStore,
    report: CoverageReport,
    *,
    when: datetime | date | None = None,
    chain: str | None = None,
    state: CoverageState | None = None,
    computed_at: tuple[int, str] | None = None,
) -> str:
    """Store ``report`` (made with ``chain=chain``) as taken at ``when`` (default: now),
    with ``state`` (``coverage_state(g, chain=chain)``) when given.

    A naive datetime is local time; a plain date is taken as midnight UTC that day.
    Returns the document key. Saving twice at the same instant for the same chain keeps
    the later report.
    """
    moment = _moment(when)
    key = _key(moment, chain)
    body = {**_when(moment), "chain": chain, **report.to_dict()}
    if state is not None:
        body["state"] = _save_state(store, key, chain, state)
    if computed_at is not None:
        body["version"], body["rules"] = computed_at
    store.save_document(COLLECTION, key, body)
    return key


def snapshot_now(store: GraphStore, *, when: datetime | date | None = None) -> str:
    """Save the whole base's totals and state as they are now (after every import).

    Taken from the slim projection that holds only what the two read
    (``snapshot_projection``), which is let go before the state is encoded: at 2·10⁶
    enterprises the graph and the encoded state together would be the peak. When the
    latest whole-base snapshot was computed at the store's current version by the same
    rules, its report and state are saved again at the new moment, without reading.
    """
    version, rules = store.version(), source_digest(*RULES)
    latest = next((body for _, body in reversed(store.documents(COLLECTION)) if body.get("chain") is None), None)
    if latest is not None and version and latest.get("version") == version and latest.get("rules") == rules:
        moment = _moment(when)
        key = _key(moment, None)
        store.save_document(COLLECTION, key, {**latest, **_when(moment)})
        return key
    with collector_paused():  # what the two allocate is kept: collections would only sweep the graph (0.4 s at city)
        g = snapshot_projection(store)
        report, state = coverage_report(g), coverage_state(g)
        base = coverage_base(g).complete(g)  # the report's numbers, for every grouping
        version = g.graph["version"]
        del g
    keep_answer(store, coverage_question(None, None), version, report.to_dict())  # the next `report`, as computed
    keep_coverage_base(store, version, base)  # and any other grouping, summed from it
    del base
    return save_snapshot(store, report, when=when, state=state, computed_at=(version, rules))


@dataclass(frozen=True)
class Snapshot:
    """One saved snapshot, without its report: what ``changes`` chooses from."""

    key: str
    date: str
    at: str
    chain: str | None
    state_key: str | None  # where its state is stored; None: saved without one


def snapshots(store: GraphStore) -> list[Snapshot]:
    """Every snapshot, oldest first."""
    return [
        Snapshot(key, body["date"], body["at"], body.get("chain"), (body.get("state") or {}).get("key"))
        for key, body in store.documents(COLLECTION)
    ]


def comparable(found: list[Snapshot], *, chain: str | None = None) -> list[Snapshot]:
    """The snapshots with a state that can speak about ``chain`` (the whole base's, and
    ``chain``'s own series), oldest first."""
    return sorted((s for s in found if s.state_key and s.chain in (None, chain)), key=lambda s: s.at)


def snapshot_on_or_before(found: list[Snapshot], day: date, *, chain: str | None = None) -> Snapshot:
    """The latest comparable snapshot taken on ``day`` or before (by its own date)."""
    earlier = [s for s in comparable(found, chain=chain) if s.date <= day.isoformat()]
    if not earlier:
        raise NoComparison(f"{day.isoformat()} 当天及之前没有可比较的快照{_first_hint(found, chain)}")
    return earlier[-1]


def snapshot_named(found: list[Snapshot], name: str) -> Snapshot:
    """The snapshot whose key or ``at`` time is ``name`` (as ``history --json`` shows it)."""
    for s in found:
        if name in (s.key, s.at):
            return s
    raise NotFound(f"找不到快照 {name}（用 redchain history --json 查看各快照的 at 时间）")


def snapshot_before(found: list[Snapshot], after: Snapshot) -> Snapshot:
    """The comparable snapshot of ``after``'s series saved just before it."""
    earlier = [s for s in comparable(found, chain=after.chain) if s.at < after.at]
    if not earlier:
        raise NoComparison(f"快照 {after.at} 之前没有可比较的快照：请用 --from 或 --since 指定比较的起点")
    return earlier[-1]


def latest_two(found: list[Snapshot], *, chain: str | None = None) -> tuple[Snapshot, Snapshot]:
    """The two latest comparable snapshots: what the last import or save changed."""
    series = comparable(found, chain=chain)
    if len(series) < 2:
        raise NoComparison("可比较的快照不足两个：每次导入、执行规划、删除或 report --save 会保存一个；也可用 --since 日期 与现在比较")
    return series[-2], series[-1]


@dataclass(frozen=True)
class Comparison:
    """What changed from one snapshot to another (or to the graph now), and over what."""

    before: Snapshot
    after: Snapshot | None  # None: the graph now
    chain: str | None  # the chain compared, None for the whole base
    changes: Changes

    def to_dict(self) -> dict:
        """As `redchain changes --json` prints it (and ``GET /api/changes`` answers)."""
        return {"from": _described(self.before), "to": _described(self.after), "chain": self.chain,
                **to_jsonable(self.changes)}


def _described(snapshot: Snapshot | None) -> dict | None:
    """A chosen snapshot as JSON; None stands for the graph now."""
    if snapshot is None:
        return None
    return {"key": snapshot.key, "date": snapshot.date, "at": snapshot.at, "chain": snapshot.chain}


def compare(
    store: GraphStore,
    g: nx.MultiDiGraph,
    *,
    since: date | None = None,
    snapshot: str | None = None,
    to: str | None = None,
    chain: str | None = None,
) -> Comparison:
    """What ``redchain changes`` shows (``g`` is the store's projection now).

    ``since``: the latest snapshot of that day or before, ``snapshot`` (a key or ``at``):
    that one; either against now, or against the snapshot ``to``. ``to`` alone: the
    snapshot saved before it against it. None of them: the two latest snapshots (what the
    last import or save changed). ``since`` and ``snapshot`` both name the starting point:
    give one. ``chain`` restricts both sides to
    what was in that chain at each moment; a snapshot saved for one chain compares that
    chain. Raises ``NotFound`` (in Chinese) when no snapshot fits.
    """
    found = snapshots(store)
    after = snapshot_named(found, to) if to else None
    if since is not None:
        before = snapshot_on_or_before(found, since, chain=chain)
    elif snapshot is not None:
        before = snapshot_named(found, snapshot)
    elif after is not None:
        before = snapshot_before(found, after)
    else:
        before, after = latest_two(found, chain=chain)
    for chosen in (before, after):
        if chosen is not None and chosen.chain is not None:
            if chain is not None and chosen.chain != chain:
                raise NotFound(f"快照 {chosen.at} 只含产业链 {chosen.chain}，不能与产业链 {chain} 比较")
            chain = chosen.chain
    old = snapshot_state(store, before)
    new = snapshot_state(store, after) if after else coverage_state(g)
    whole = None
    if chain is not None:
        whole = (old, new) if before.chain is None and (after is None or after.chain is None) else None
        old, new = in_chain_both(old, new, chain)
    return Comparison(before, after, chain, changes(old, new, names=graph_names(g), whole=whole))


def _first_hint(found: list[Snapshot], chain: str | None) -> str:
    series = comparable(found, chain=chain)
    return f"（最早的快照在 {series[0].date}）" if series else "（还没有保存逐家覆盖状态的快照：导入一次或 report --save）"


def snapshot_state(store: GraphStore, snapshot: Snapshot) -> CoverageState:
    """The state kept with ``snapshot``. Raises ``NotFound`` (in Chinese) if it has none."""
    state = load_state(store, snapshot.state_key) if snapshot.state_key is not None else None
    if state is None:
        raise NotFound(f"快照 {snapshot.at} 没有保存逐家覆盖状态（较早版本保存的快照），无法比较")
    return state


def _save_state(store: GraphStore, key: str, chain: str | None, state: CoverageState) -> dict:
    body = encode_state(state)
    fingerprint = digest(body)
    earlier = [b.get("state") for k, b in store.documents(COLLECTION) if k < key and b.get("chain") == chain]
    latest = earlier[-1] if earlier else None
    if latest and latest["digest"] == fingerprint:
        return latest  # unchanged since the latest snapshot of the series: stored once
    save_state(store, key, state, full=body, base_key=latest["key"] if latest else None)
    return {"digest": fingerprint, "key": key}


def coverage_history(store: GraphStore, *, chain: str | None = None) -> list[HistoryPoint]:
    """The snapshots of ``chain`` (or of the whole base when None), oldest first.

    A chain's series is the snapshots saved for it and, at every other moment, the whole
    base's snapshots that kept a state: the chain's totals then are that state restricted
    to what was in the chain (``in_chain``), summed as coverage sums them (``totals``). A
    whole-base snapshot in which the chain held nothing is no point of its series."""
    points: list[HistoryPoint] = []
    bodies = [body for _, body in store.documents(COLLECTION) if body.get("chain") == chain]
    if chain is not None:
        own = {body["at"] for body in bodies}
        bodies += [derived for derived in _chain_bodies(store, chain) if derived["at"] not in own]
        bodies.sort(key=lambda body: body["at"])
    for body in bodies:
        points.append(_point(body, points[-1] if points else None))
    return points


def _chain_bodies(store: GraphStore, chain: str) -> list[dict]:
    """``chain``'s totals at each whole-base snapshot with a state, as a snapshot's body."""
    found = []
    for snapshot in comparable(snapshots(store)):
        if snapshot.chain is not None:
            continue
        state = in_chain(snapshot_state(store, snapshot), chain)
        if state.enterprises or state.orgs:
            found.append({"date": snapshot.date, "at": snapshot.at, "chain": chain,
                          "totals": to_jsonable(totals(state))})
    return found


def _point(body: dict, previous: HistoryPoint | None) -> HistoryPoint:
    totals = body["totals"]
    org_rate, two_rate = totals["org_coverage_rate"], totals["two_coverage_rate"]
    return HistoryPoint(
        date=body["date"],
        at=body["at"],
        base=totals["base"],
        org_covered=totals["org_covered"],
        work_covered=totals["work_covered"],
        uncovered=totals["uncovered"],
        org_coverage_rate=org_rate,
        two_coverage_rate=two_rate,
        base_delta=None if previous is None else totals["base"] - previous.base,
        org_coverage_rate_delta=None if previous is None else round(org_rate - previous.org_coverage_rate, RATE_DIGITS),
        two_coverage_rate_delta=None if previous is None else round(two_rate - previous.two_coverage_rate, RATE_DIGITS),
    )


def _key(moment: datetime, chain: str | None) -> str:
    return f"{moment.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S.%fZ}" + (f" {chain}" if chain else "")


def _when(moment: datetime) -> dict:
    return {"date": moment.date().isoformat(), "at": moment.astimezone(timezone.utc).isoformat()}


def _moment(when: datetime | date | None) -> datetime:
    if when is None:
        from graph.settings import planners_now

        return planners_now()  # dated by the planners' day, not the server's
    if isinstance(when, datetime):
        return when if when.tzinfo else when.astimezone()
    return datetime.combine(when, time(), tzinfo=timezone.utc)

