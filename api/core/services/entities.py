"""Entities as the API lists and shows them: filters, pages and response fields, all
read from the principal's view (so anything outside its chains is simply not there)."""

from __future__ import annotations

import unicodedata
from typing import Callable, Iterable

from pydantic import BaseModel, Field

from graph.analysis.chain_structure import chain_summaries
from graph.analysis.membership import chain_segments, enterprise_segments, pairing_partners, segment_enterprises
from graph.projection import in_ids, out_ids
from graph.schema import Label, RelType

from api.core.reader import Reader
from api.core.scope import ScopedGraph
from api.core.services.models import EnterpriseKind, EnterpriseStatus, Formation, InstructorKind, OrgLevel, UnitKind
from api.core.pagination import PageParams, paginate

_TEXT = {"max_length": 200}


class EnterpriseFilters(BaseModel):
    q: str | None = Field(None, description="Part of the id or the name.", **_TEXT)
    chain: str | None = Field(None, description="Only enterprises in this chain.", **_TEXT)
    segment: str | None = Field(None, description="Only enterprises in this segment.", **_TEXT)
    park: str | None = Field(None, **_TEXT)
    street: str | None = Field(None, **_TEXT)
    kind: EnterpriseKind | None = None
    status: EnterpriseStatus | None = None
    in_base: bool | None = None
    leading: bool | None = None
    above_scale: bool | None = None
    covered: bool | None = Field(None, description="Covered by at least one party org (or not).")


class PartyOrgFilters(BaseModel):
    q: str | None = Field(None, description="Part of the id or the name.", **_TEXT)
    chain: str | None = Field(None, **_TEXT)
    level: OrgLevel | None = None
    formation: Formation | None = None
    star: int | None = Field(None, ge=1, le=5)
    demonstration: bool | None = None


class NameFilters(BaseModel):
    q: str | None = Field(None, description="Part of the id or the name.", **_TEXT)


class UnitFilters(NameFilters):
    kind: UnitKind | None = None


class ChainFilter(NameFilters):
    chain: str | None = Field(None, **_TEXT)


class InstructorFilters(NameFilters):
    kind: InstructorKind | None = None


Predicate = Callable[[str], bool]


def _page(reader: Reader, label: Label, predicates: Iterable[Predicate], page: PageParams, item) -> dict:
    ids = reader.scoped.ids(label)
    for keep in predicates:
        ids = [i for i in ids if keep(i)]
    chosen, meta = paginate(ids, page)
    return reader.shown({"items": [item(reader.scoped, i) for i in chosen], **meta})


def searchable(text: str) -> str:
    """``text`` as search compares it: full-width letters and digits as their ASCII forms
    (ＭＡ４ → ma4), any case, no spaces. A code is found by any part of it (MA4PP3)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _search_text(view: ScopedGraph) -> dict[str, tuple[str, str]]:
    """Node -> (its id, its name) as ``searchable`` makes them, once per view."""
    return view.memo("search_text", lambda v: {i: (searchable(i), searchable(str(a.get("name") or "")))
                                               for i, a in v.attrs.items()})


def _matches(view: ScopedGraph, q: str | None) -> list[Predicate]:
    """Keep the nodes whose id or name contains ``q`` (see ``searchable``)."""
    needle = searchable(q or "")
    if not needle:
        return []
    text = _search_text(view)
    return [lambda i: needle in text[i][0] or needle in text[i][1]]


SEARCHED = (Label.ENTERPRISE, Label.PARTY_ORG, Label.CHAIN, Label.SEGMENT, Label.UNIT, Label.LEADER,
            Label.INSTRUCTOR, Label.ALLIANCE)


def search(reader: Reader, q: str, *, limit: int = 50) -> dict:
    """Everything in the principal's view whose id or name contains ``q``, any part of it
    (see ``searchable``): exact matches first, then those starting with ``q``, then the
    rest, each by id. Returns ``{"items": [{"id", "name", "label", "chains"}], "total"}``
    with at most ``limit`` items; names of people shown are audited."""
    view = reader.scoped
    needle = searchable(q)
    if not needle:
        return {"items": [], "total": 0}
    text = _search_text(view)
    ranked = []
    for label in SEARCHED:
        for i in view.ids(label):
            ident, name = text[i]
            if needle == ident or needle == name:
                ranked.append((0, i, label))
            elif ident.startswith(needle) or name.startswith(needle):
                ranked.append((1, i, label))
            elif needle in ident or needle in name:
                ranked.append((2, i, label))
    ranked.sort(key=lambda hit: (hit[0], hit[1]))
    chains_of = view.enterprise_chains()
    items = [{"id": i, "name": view.attrs[i].get("name"), "label": label.value,
              "chains": sorted(chains_of.get(i, ())) if label is Label.ENTERPRISE else []}
             for _, i, label in ranked[:limit]]
    return reader.shown({"items": items, "total": len(ranked)})


def _equal(view: ScopedGraph, **wanted) -> list[Predicate]:
    nodes = view.attrs
    return [
        (lambda i, prop=prop, value=value: nodes[i].get(prop) == value)
        for prop, value in wanted.items()
        if value is not None
    ]


def _in_chain(view: ScopedGraph, chain: str | None, label: Label) -> list[Predicate]:
    """Keep the enterprises (or orgs) in ``chain``: a set built once per view and chain."""
    if chain is None:
        return []
    view.node(chain, Label.CHAIN)  # 404 for a chain outside the view
    def members_of(v: ScopedGraph) -> frozenset[str]:
        chains_of = v.enterprise_chains() if label is Label.ENTERPRISE else v.org_chains()
        return frozenset(i for i, cs in chains_of.items() if chain in cs)

    members = view.memo(("in_chain", label, chain), members_of)
    return [members.__contains__]


def _rel_props(view: ScopedGraph, source: str, target: str, rtype: RelType) -> dict:
    return view.g.edges[source, target, rtype.value]


# -- enterprises -----------------------------------------------------------------------------


def _enterprise(view: ScopedGraph, e: str) -> dict:
    a, g = view.attrs[e], view.g
    return {
        "id": e, "name": a.get("name"), "kind": a.get("kind"), "park": a.get("park"), "street": a.get("street"),
        "employees": a.get("employees"), "party_members": a.get("party_members"),
        "above_scale": bool(a.get("above_scale")), "leading": bool(a.get("leading")), "in_base": bool(a.get("in_base")),
        "status": a.get("status"), "segments": enterprise_segments(g, e),
        "chains": sorted(view.enterprise_chains().get(e, ())), "orgs": in_ids(g, e, RelType.COVERS),
    }


def list_enterprises(reader: Reader, page: PageParams, f: EnterpriseFilters) -> dict:
    view, g = reader.scoped, reader.scoped.g
    predicates = _matches(view, f.q) + _in_chain(view, f.chain, Label.ENTERPRISE)
    if f.segment is not None:
        view.node(f.segment, Label.SEGMENT)
        members = set(segment_enterprises(g, f.segment))
        predicates.append(members.__contains__)
    predicates += _equal(view, park=f.park, street=f.street, kind=f.kind, status=f.status,
                         in_base=f.in_base, leading=f.leading, above_scale=f.above_scale)
    if f.covered is not None:
        predicates.append(lambda e: bool(in_ids(g, e, RelType.COVERS)) == f.covered)
    return _page(reader, Label.ENTERPRISE, predicates, page, _enterprise)


def get_enterprise(reader: Reader, e: str) -> dict:
    view, g = reader.scoped, reader.scoped.g
    view.node(e, Label.ENTERPRISE)

    def sources(rtype: RelType, label: Label | None = None) -> list[str]:
        return [u for u in in_ids(g, e, rtype) if label is None or g.nodes[u]["label"] == label.value]

    return reader.shown({
        **_enterprise(view, e),
        "suppliers": in_ids(g, e, RelType.SUPPLIES),
        "customers": out_ids(g, e, RelType.SUPPLIES),
        "instructors": sources(RelType.ASSIGNED_TO),
        "contacted_by": sources(RelType.CONTACTS),
        "paired_with": sorted(pairing_partners(g, e)),
        "alliances": out_ids(g, e, RelType.MEMBER_OF),
    })


# -- party orgs ------------------------------------------------------------------------------


def _org(view: ScopedGraph, o: str) -> dict:
    a, g = view.g.nodes[o], view.g
    parents = out_ids(g, o, RelType.UNDER)
    return {
        "id": o, "name": a.get("name"), "level": a.get("level"), "formation": a.get("formation"),
        "members": a.get("members"), "star": a.get("star"), "demonstration": bool(a.get("demonstration")),
        "parent": parents[0] if parents else None, "chains": sorted(view.org_chains().get(o, ())),
        "covers": len(out_ids(view.district.g, o, RelType.COVERS)),  # all of them, as a leader's ``contacts``
    }


def list_party_orgs(reader: Reader, page: PageParams, f: PartyOrgFilters) -> dict:
    view = reader.scoped
    predicates = _matches(view, f.q) + _in_chain(view, f.chain, Label.PARTY_ORG)
    predicates += _equal(view, level=f.level, formation=f.formation, star=f.star, demonstration=f.demonstration)
    return _page(reader, Label.PARTY_ORG, predicates, page, _org)


def get_party_org(reader: Reader, o: str) -> dict:
    view, g = reader.scoped, reader.scoped.g
    view.node(o, Label.PARTY_ORG)
    return reader.shown({
        **_org(view, o),
        "enterprises": out_ids(g, o, RelType.COVERS),
        "children": in_ids(g, o, RelType.UNDER),
        "leads": out_ids(g, o, RelType.LEADS),
        "paired_with": sorted(pairing_partners(g, o)),
        "alliances": out_ids(g, o, RelType.MEMBER_OF),
        "instructors": in_ids(g, o, RelType.ASSIGNED_TO),
        "contacted_by": in_ids(g, o, RelType.CONTACTS),
    })


# -- chains ------------------------------------------------------------------------------------


def list_chains(reader: Reader, page: PageParams, f: NameFilters) -> dict:
    summaries = {c.id: c for c in chain_summaries(reader.scoped.g)}

    def item(view: ScopedGraph, c: str) -> dict:
        s = summaries[c]
        return {"id": s.id, "name": view.g.nodes[c].get("name"), "segments": s.segments, "enterprises": s.enterprises}

    return _page(reader, Label.CHAIN, _matches(reader.scoped, f.q), page, item)


def get_chain(reader: Reader, c: str) -> dict:
    view, g = reader.scoped, reader.scoped.g
    view.node(c, Label.CHAIN)
    segments = chain_segments(g, c)
    members = {s: set(segment_enterprises(g, s)) for s in segments}
    return {
        "id": c,
        "name": g.nodes[c].get("name"),
        "segments": [
            {"id": s, "name": g.nodes[s].get("name"), "stage": g.nodes[s].get("stage"),
             "order": g.nodes[s].get("order"), "enterprises": len(members[s])}
            for s in segments
        ],
        "enterprises": len(set().union(*members.values())) if members else 0,
        "committees": in_ids(g, c, RelType.LEADS),
        "alliances": in_ids(g, c, RelType.ALLIANCE_OF),
        "leaders": in_ids(g, c, RelType.RESPONSIBLE_FOR),
    }


# -- units, leaders, instructors, alliances -------------------------------------------------------


def _unit(view: ScopedGraph, u: str) -> dict:
    a = view.g.nodes[u]
    return {"id": u, "name": a.get("name"), "kind": a.get("kind")}


def list_units(reader: Reader, page: PageParams, f: UnitFilters) -> dict:
    return _page(reader, Label.UNIT, _matches(reader.scoped, f.q) + _equal(reader.scoped, kind=f.kind), page, _unit)


def get_unit(reader: Reader, u: str) -> dict:
    view, g = reader.scoped, reader.scoped.g
    view.node(u, Label.UNIT)
    return {**_unit(view, u), "paired_with": out_ids(g, u, RelType.PAIRED_WITH), "alliances": out_ids(g, u, RelType.MEMBER_OF)}


def _leader(view: ScopedGraph, p: str) -> dict:
    a, g = view.g.nodes[p], view.g
    # ``contacts`` counts them all, those in chains outside the view too (a count hides no
    # one); ``contact_points`` lists only those in the view.
    return {
        "id": p, "name": a.get("name"), "title": a.get("title"), "unit": a.get("unit"),
        "capacity": a.get("capacity"), "min_contacts": a.get("min_contacts"),
        "chains": out_ids(g, p, RelType.RESPONSIBLE_FOR), "contacts": len(out_ids(view.district.g, p, RelType.CONTACTS)),
    }


def list_leaders(reader: Reader, page: PageParams, f: ChainFilter) -> dict:
    view, g = reader.scoped, reader.scoped.g
    predicates = _matches(view, f.q)
    if f.chain is not None:
        view.node(f.chain, Label.CHAIN)
        predicates.append(lambda p: f.chain in out_ids(g, p, RelType.RESPONSIBLE_FOR))
    return _page(reader, Label.LEADER, predicates, page, _leader)


def get_leader(reader: Reader, p: str) -> dict:
    view = reader.scoped
    view.node(p, Label.LEADER)
    return reader.shown({**_leader(view, p), "contact_points": out_ids(view.g, p, RelType.CONTACTS)})


def _instructor(view: ScopedGraph, i: str) -> dict:
    a = view.g.nodes[i]
    return {"id": i, "name": a.get("name"), "kind": a.get("kind"), "unit": a.get("unit"),
            "assigned_to": out_ids(view.g, i, RelType.ASSIGNED_TO)}


def list_instructors(reader: Reader, page: PageParams, f: InstructorFilters) -> dict:
    predicates = _matches(reader.scoped, f.q) + _equal(reader.scoped, kind=f.kind)
    return _page(reader, Label.INSTRUCTOR, predicates, page, _instructor)


def get_instructor(reader: Reader, i: str) -> dict:
    reader.scoped.node(i, Label.INSTRUCTOR)
    return reader.shown(_instructor(reader.scoped, i))


def _alliance(view: ScopedGraph, a_id: str) -> dict:
    a, g = view.g.nodes[a_id], view.g
    return {"id": a_id, "name": a.get("name"), "founded": a.get("founded"),
            "chains": out_ids(g, a_id, RelType.ALLIANCE_OF), "members": len(in_ids(view.district.g, a_id, RelType.MEMBER_OF))}


def list_alliances(reader: Reader, page: PageParams, f: ChainFilter) -> dict:
    view, g = reader.scoped, reader.scoped.g
    predicates = _matches(view, f.q)
    if f.chain is not None:
        view.node(f.chain, Label.CHAIN)
        predicates.append(lambda a: f.chain in out_ids(g, a, RelType.ALLIANCE_OF))
    return _page(reader, Label.ALLIANCE, predicates, page, _alliance)


def get_alliance(reader: Reader, a_id: str) -> dict:
    view, g = reader.scoped, reader.scoped.g
    view.node(a_id, Label.ALLIANCE)
    members = [
        {"id": m, "label": g.nodes[m]["label"], "role": _rel_props(view, m, a_id, RelType.MEMBER_OF).get("role", "member")}
        for m in in_ids(g, a_id, RelType.MEMBER_OF)
    ]
    return {**_alliance(view, a_id), "member_list": members}


def health_counts(view: ScopedGraph) -> dict[str, int]:
    return {label.value: view.count(label) for label in Label}
