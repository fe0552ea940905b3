"""What changed (``redchain changes``) as the page and the dashboard show it: the totals
before and after, then one table per kind of change, each row naming its objects by name
and code and linking to them. Made from the API's JSON (``analyses.changes``), so a
viewer's page hides the same names the API hides."""

from __future__ import annotations

from graph.analysis.changes import CHANGE_LISTS, CHANGE_ZH, ENTERPRISE_LISTS, LINK_ENDS_ZH, TOTALS_ZH
from graph.analysis.uncovered import REMEDY_ZH
from graph.schema import rate_change_zh

from api.web.canvas import Links
from api.web.style import STATE_ZH


def changes_view(result: dict, links: Links) -> dict:
    """Everything changes.html shows; ``result`` as ``GET /api/changes`` answers."""
    before, after = result["from"], result["to"]
    totals = []
    for zh, name in TOTALS_ZH:
        was, now = result["before"][name], result["after"][name]
        if name.endswith("_rate"):
            totals.append((zh, f"{was:.2%}", f"{now:.2%}", rate_change_zh(now - was)))
        else:
            totals.append((zh, str(was), str(now), f"{now - was:+d}"))
    lists = [_list(name, result[name], links) for name in CHANGE_LISTS if result[name]]
    return {
        "from_date": before["date"], "to_date": after["date"] if after else None, "chain": result["chain"],
        "totals": totals, "lists": lists, "count": sum(len(x["rows"]) for x in lists),
    }


def summary(result: dict) -> dict:
    """The dashboard's few lines: the dates, the rates before and after, and how many of
    each kind of change (only kinds that happened)."""
    return {
        "from_date": result["from"]["date"], "to_date": result["to"]["date"] if result["to"] else None,
        "org_rate": (result["before"]["org_coverage_rate"], result["after"]["org_coverage_rate"]),
        "counts": [(CHANGE_ZH[name], len(result[name]), name) for name in CHANGE_LISTS if result[name]],
    }


def _named(name: str | None, node_id: str, links: Links) -> dict:
    return {"name": name or node_id, "id": node_id, "href": links.entity(node_id)}


def _state(state: str | None, remedy: str | None) -> str:
    if state is None:
        return "不在基数内"
    return STATE_ZH[state] + (f"；建议{REMEDY_ZH[remedy]}" if remedy else "")


def _list(name: str, items: list[dict], links: Links) -> dict:
    if name in ENTERPRISE_LISTS:
        headers = ("企业", "之前", "之后")
        rows = [(_named(e["name"], e["id"], links), _state(e["state_before"], e["remedy_before"]),
                 _state(e["state_after"], e["remedy_after"])) for e in items]
    elif name.startswith("orgs_"):
        headers = ("党组织",)
        rows = [(_named(o["name"], o["id"], links),) for o in items]
    else:
        headers = LINK_ENDS_ZH[name.rsplit("_", 1)[0]]
        rows = [(_named(x["source_name"], x["source"], links), _named(x["target_name"], x["target"], links)) for x in items]
    return {"key": name, "title": CHANGE_ZH[name], "headers": headers, "rows": rows}
