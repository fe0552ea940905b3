"""The dashboard: the district's coverage as cards, a row per chain coloured against the
thresholds, the enterprises and pairing gaps to act on first, and the trend of the saved
snapshots as an inline SVG chart (drawn here, so the page needs no chart script).
"""

from __future__ import annotations

from dataclasses import asdict

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx
from markupsafe import Markup, escape

from graph.analysis.coverage import coverage_report
from graph.analysis.history import HistoryPoint
from graph.analysis.pairing_gaps import pairing_gaps
from graph.analysis.uncovered import REMEDY_ZH, uncovered_enterprises

from api.web.canvas import SERVER_LINKS, Links, name_or_id
from api.core.settings import PageSettings
from api.web.style import rate_class

TOP_GAPS = 8


def dashboard(g: nx.MultiDiGraph, *, settings: PageSettings, history: list[HistoryPoint] | None = None,
              links: Links = SERVER_LINKS) -> dict:
    """Everything the dashboard template shows, computed over ``g`` (a principal's view)."""
    report = coverage_report(g, by="chain")
    totals = asdict(report.totals)
    org_class = _classes(settings.org_rate_green, settings.org_rate_amber)
    two_class = _classes(settings.two_rate_green, settings.two_rate_amber)
    chains = [
        {**asdict(group), "href": links.chain(group.key) if group.key else None,  # "": the enterprises in no chain
         "gaps_href": links.gaps(group.key) if group.key else links.gaps(unchained=True),
         "org_class": org_class(group.org_coverage_rate if group.base else None),
         "two_class": two_class(group.two_coverage_rate if group.base else None)}
        for group in report.groups
    ]
    uncovered = uncovered_enterprises(g)
    top = [
        {"id": u.id, "name": u.name, "href": links.entity(u.id), "remedy": REMEDY_ZH[u.remedy],
         "chains": "、".join(name_or_id(g.nodes[c], c) for c in u.chains), "priority": u.priority,
         "reasons": "；".join(u.reasons), "work_covered": u.work_covered}
        for u in uncovered[: settings.top_uncovered]
    ]
    gaps = pairing_gaps(g)
    return {
        "totals": totals,
        "org_class": org_class(totals["org_coverage_rate"] if totals["base"] else None),
        "two_class": two_class(totals["two_coverage_rate"] if totals["base"] else None),
        "chains": chains,
        "uncovered": top,
        "uncovered_total": len(uncovered),
        "weak_unpaired": [
            {"id": o.id, "name": o.name, "href": links.entity(o.id), "star": o.star, "message": o.message}
            for o in gaps.unpaired_orgs if o.weak
        ][:TOP_GAPS],
        "unpaired_total": len(gaps.unpaired_orgs),
        "weak_unpaired_total": sum(1 for o in gaps.unpaired_orgs if o.weak),
        "idle_units": [{"id": u.id, "name": u.name, "href": links.entity(u.id), "message": u.message} for u in gaps.idle_units],
        "chain_gaps": [{"id": c.id, "href": links.chain(c.id), "message": c.message}
                       for c in gaps.chains_without_alliance + gaps.chains_without_committee],
        "alliance_gaps": [{"id": a.id, "href": links.entity(a.id), "message": a.message} for a in gaps.alliances_missing_leaders],
        # The partner without an org is what to act on: it is the link; its leader is named beside it.
        "one_plus_x": [{"partner": x.partner, "partner_name": x.partner_name, "href": links.entity(x.partner),
                        "leader_name": x.leader_name, "leader_href": links.entity(x.leader), "message": x.message}
                       for x in gaps.one_plus_x_gaps[:TOP_GAPS]],
        "one_plus_x_total": len(gaps.one_plus_x_gaps),
        "trend": trend_svg(history or []),
        "history_points": len(history or []),
        "settings": settings,
    }


def _classes(green: float, amber: float):
    return lambda rate: rate_class(rate, green=green, amber=amber)


# -- the trend chart ---------------------------------------------------------------------

_W, _H = 760, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 110, 16, 40
MAX_X_LABELS = 8


def trend_svg(points: list[HistoryPoint]) -> Markup | None:
    """Organisation and two-coverage rates over the snapshots, as an SVG line chart
    (None with fewer than one point). Only presentation attributes, no inline style."""
    if not points:
        return None
    rates = [p.org_coverage_rate for p in points] + [p.two_coverage_rate for p in points]
    low = max(0.0, (int(min(rates) * 10) / 10) - 0.1) if min(rates) > 0.1 else 0.0
    high = 1.0
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x_of(i: int) -> float:
        return _LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y_of(rate: float) -> float:
        return _TOP + plot_h * (1 - (rate - low) / (high - low))

    parts = [f'<svg viewBox="0 0 {_W} {_H}" role="img" aria-label="覆盖率变化趋势">']
    steps = round((high - low) / 0.1)
    for k in range(steps + 1):
        rate = low + k * 0.1
        y = y_of(rate)
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_W - _RIGHT}" y2="{y:.1f}" stroke="#eaecee" stroke-width="1"/>')
        parts.append(f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{rate:.0%}</text>')
    every = max(1, -(-len(points) // MAX_X_LABELS))
    for i, p in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            parts.append(f'<text x="{x_of(i):.1f}" y="{_H - _BOTTOM + 20}" text-anchor="middle">{escape(p.date)}</text>')
    series = (("org_coverage_rate", "series-org", "组织覆盖率"), ("two_coverage_rate", "series-two", "两个覆盖率"))
    label_y = [y_of(getattr(points[-1], field)) for field, _, _ in series]
    if abs(label_y[0] - label_y[1]) < 15:  # keep the two end labels apart (org is never above two)
        middle = (label_y[0] + label_y[1]) / 2
        label_y = [middle + 8, middle - 8]
    for (field, css, label), end_y in zip(series, label_y):
        values = [getattr(p, field) for p in points]
        line = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline class="{css}" points="{line}" fill="none" stroke-width="2.5"/>')
        for i, v in enumerate(values):
            parts.append(f'<circle class="{css}" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3.5" fill="#ffffff" stroke-width="2"/>')
        parts.append(f'<text x="{x_of(len(values) - 1) + 10:.1f}" y="{end_y + 4:.1f}">{label} {values[-1]:.1%}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
