"""Coverage over time: save a report as a dated snapshot, read the series back.

Snapshots are documents in the store's ``coverage_snapshots`` collection. Each key starts
with the UTC timestamp (fixed width, so keys sort in time order), followed by the chain
when the report was restricted to one; the body holds the ISO date, the chain, and the
report's ``totals`` and ``groups`` exactly as ``--json`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from graph.analysis.coverage import CoverageReport
from graph.analysis.membership import RATE_DIGITS
from graph.store import GraphStore

COLLECTION = "coverage_snapshots"


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
) -> str:
    """Store ``report`` (made with ``chain=chain``) as taken at ``when`` (default: now).

    A naive datetime is local time; a plain date is taken as midnight UTC that day.
    Returns the document key. Saving twice at the same instant for the same chain keeps
    the later report.
    """
    moment = _moment(when)
    key = f"{moment.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S.%fZ}" + (f" {chain}" if chain else "")
    body = {
        "date": moment.date().isoformat(),
        "at": moment.astimezone(timezone.utc).isoformat(),
        "chain": chain,
        **report.to_dict(),
    }
    store.save_document(COLLECTION, key, body)
    return key


def coverage_history(store: GraphStore, *, chain: str | None = None) -> list[HistoryPoint]:
    """The snapshots of ``chain`` (or of the whole base when None), oldest first."""
    points: list[HistoryPoint] = []
    for _, body in store.documents(COLLECTION):
        if body.get("chain") == chain:
            points.append(_point(body, points[-1] if points else None))
    return points


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


def _moment(when: datetime | date | None) -> datetime:
    if when is None:
        return datetime.now(timezone.utc).astimezone()
    if isinstance(when, datetime):
        return when if when.tzinfo else when.astimezone()
    return datetime.combine(when, time(), tzinfo=timezone.utc)

