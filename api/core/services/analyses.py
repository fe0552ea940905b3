"""The analyses over the principal's view, as the same JSON the CLI's ``--json`` prints.

Each function only picks the analysis and shapes its result; the analyses themselves live
in ``graph.analysis`` and are never copied here. A view never changes, so each result is
computed and encoded once per view (``ScopedGraph.memo``): between two writes a repeated
request costs only sending the bytes, however large the district.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable

from graph.analysis.chain_structure import chain_structure
from graph.analysis.contact_gaps import contact_gaps
from graph.analysis.coverage import coverage_report
from graph.analysis.history import compare, coverage_history
from graph.analysis.jsonable import to_jsonable
from graph.analysis.org_checks import organisation_checks
from graph.analysis.pairing_gaps import pairing_gaps
from graph.analysis.uncovered import uncovered_enterprises
from graph.kept_answers import answer_kept_now, coverage_inputs, coverage_question
from graph.schema import Label

from api.core.reader import Reader
from api.core.scope import ScopedGraph
from api.core.errors import InvalidRequest


def _dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def scoped_analysis(view: ScopedGraph, analyse: Callable[..., Any], chain: str | None, *,
                    totals: bool = False) -> Any:
    """``analyse(g, chain)`` as JSON for ``view``: for a view restricted to chains, run on
    the whole district and shown without what lies outside the view (``ScopedGraph.visible``),
    so that a leader's contact in another chain still counts: the answer is the one
    ``?chain=`` gives an unscoped principal, less what this one may not see.

    With no ``chain`` asked, a view of one chain asks for that chain. An analysis whose
    answer has ``totals`` (not a list of findings, so not something ``visible`` can filter)
    runs on the view itself when no one chain is asked (a view of several chains), as it
    does for a chain that is not in the view (which then says it is not found)."""
    on_district, chain = view.district_chain(chain)
    if not on_district or (totals and chain is None):
        return to_jsonable(analyse(view.g, chain))
    return view.visible(to_jsonable(analyse(view.district.g, chain)))


def _encoded(reader: Reader, key: tuple, make: Callable[[ScopedGraph], Any]) -> bytes:
    """The JSON of ``make(view)`` (JSON-like), computed once per view; the people it names
    are audited on every request that shows their names."""
    def build(view) -> tuple[bytes, list[str]]:
        obj = make(view)
        people = view.people_in(obj) if view.personal else []
        return _dumps(obj), people

    body, people = reader.scoped.memo(key, build)
    reader.saw(people)
    return body


def coverage(reader: Reader, *, by: str | None, chain: str | None) -> tuple[bytes, int]:
    """The coverage report as JSON, and the version it was read at.

    Right after a write made in another process (``redchain load``) the view is of the
    previous version until the new projection is built; the report at the store's version
    is then the one that write kept (``graph.kept_answers``: every import keeps its coverage
    base), so a planner who loads and reloads the page sees the new figures at once. Only
    for a view of the whole district: a scoped view's answer is filtered by the view."""
    view = reader.scoped
    if view.chains is None and reader.store.version() != view.version:
        kept = answer_kept_now(reader.store, coverage_question(by, chain), coverage_inputs(by, chain))
        if kept is not None:
            answer, version = kept
            return _dumps(answer), version
    return _encoded(reader, ("coverage", by, chain), lambda view: scoped_analysis(
        view, lambda g, c: coverage_report(g, by=by, chain=c).to_dict(), chain, totals=True)), view.version


def uncovered(reader: Reader, *, chain: str | None, limit: int, offset: int) -> tuple[bytes, int]:
    """One page of the uncovered enterprises (most important first), as JSON, and how many
    there are. The list is computed and each entry encoded once per view; a page is the
    entries' JSON joined (encoding a page of 100 each time was most of a request's time)."""
    encoded = reader.scoped.memo(("uncovered", chain), lambda view: [
        _dumps(item) for item in scoped_analysis(view, lambda g, c: uncovered_enterprises(g, chain=c), chain)])
    return b"[" + b",".join(encoded[offset : offset + limit]) + b"]", len(encoded)


def pairing(reader: Reader, *, chain: str | None) -> bytes:
    return _encoded(reader, ("pairing", chain), lambda view: scoped_analysis(
        view, lambda g, c: pairing_gaps(g, chain=c), chain))


def contacts(reader: Reader, *, chain: str | None) -> bytes:
    return _encoded(reader, ("contacts", chain), lambda view: scoped_analysis(
        view, lambda g, c: contact_gaps(g, chain=c), chain))


def org_checks(reader: Reader, *, chain: str | None) -> bytes:
    return _encoded(reader, ("org_checks", chain), lambda view: scoped_analysis(
        view, lambda g, c: organisation_checks(g, chain=c), chain))


def structure(reader: Reader, chain_id: str, *, top: int, centrality: str) -> bytes:
    key = ("structure", chain_id, top, centrality)
    return _encoded(reader, key, lambda view: scoped_analysis(
        view, lambda g, c: chain_structure(g, c, top=top, centrality=centrality), chain_id, totals=True))


def _series_chain(reader: Reader, chain: str | None) -> str | None:
    """The chain whose saved series to read. Snapshots are stored documents, not part of
    the graph, so scope is checked here: a scoped principal reads only its own chains."""
    principal = reader.principal
    if chain is not None:
        reader.scoped.node(chain, Label.CHAIN)
    elif principal.scoped:
        if len(principal.chains) != 1:
            raise InvalidRequest("chain_required", "此令牌限定了多条产业链：请用 chain 参数指明要查看哪一条",
                           {"chains": sorted(principal.chains)})
        (chain,) = principal.chains
        reader.scoped.node(chain, Label.CHAIN)
    return chain


def history(reader: Reader, *, chain: str | None) -> list[dict]:
    """Saved coverage snapshots, oldest first."""
    return to_jsonable(coverage_history(reader.store, chain=_series_chain(reader, chain)))


def changes(reader: Reader, *, since: date | None = None, snapshot: str | None = None, to: str | None = None,
            chain: str | None = None) -> dict:
    """What changed, as `redchain changes --json` (names from the principal's view: a
    viewer sees no person's name; a role that does is audited)."""
    return reader.shown(comparison(reader, since=since, snapshot=snapshot, to=to, chain=chain))


def comparison(reader: Reader, *, since: date | None = None, snapshot: str | None = None, to: str | None = None,
               chain: str | None = None) -> dict:
    """``changes`` before anyone is shown its names (the dashboard shows only counts)."""
    if since is not None and snapshot is not None:
        raise InvalidRequest("bad_request", "since 与 from 都是比较的起点，只能给一个")
    found = compare(reader.store, reader.scoped.g, since=since, snapshot=snapshot, to=to,
                    chain=_series_chain(reader, chain))
    return found.to_dict()
