"""Who belongs where: the one definition of each membership rule the analyses share.

- The base (纳入党建工作基数): an Enterprise with ``in_base`` true and ``status`` active.
- An enterprise is in the segments it sits in (``IN_SEGMENT``) and in those segments'
  chains (``PART_OF``).
- A party organisation is in the chains of the enterprises it covers (``COVERS``) and in
  the chains it leads (``LEADS``). An industry committee (产业链党委) is an org formed as
  ``industry`` or one that leads a chain.
- A weak organisation (薄弱党组织) is rated 2 stars or less, or not rated, and is neither a
  demonstration site, nor an industry committee, nor the org of a leading enterprise:
  those carry weak ones, they are not carried.
- Segments are ordered upstream, midstream, downstream (no stage last), then by ``order``
  (none last), then by id.
- A coverage rate is a fraction rounded to ``RATE_DIGITS`` places.

Per-node helpers read networkx's raw adjacency (``g._succ``, ``g._pred``, ``g._node``), as
``graph.projection`` does: the public views wrap every item and cost several times more.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import compress, repeat
from operator import and_, eq

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.errors import NotFound
from graph.projection import ids_with_label, in_ids
from graph.schema import STAGE_ORDER, Label, RelType

RATE_DIGITS = 4
WEAK_MAX_STAR = 2  # rated at most this many stars (or unrated): a weak organisation

_COVERS = RelType.COVERS.value
_IN_SEGMENT = RelType.IN_SEGMENT.value
_LEADS = RelType.LEADS.value
_PART_OF = RelType.PART_OF.value
_PAIRED_WITH = RelType.PAIRED_WITH.value


# -- nodes -------------------------------------------------------------------------------


def name_of(g: nx.MultiDiGraph, node: str) -> str:
    """The node's ``name``, or its id when it has none."""
    return g._node[node].get("name") or node


MAX_LISTED = 12  # valid ids named in a "not found" message


def require_chain(g: nx.MultiDiGraph, chain: str) -> None:
    """Raise ``NotFound`` unless ``chain`` names a Chain; the message lists the chains there are.

    >>> from graph.builder import GraphBuilder
    >>> require_chain(GraphBuilder().chain("C01", name="工程机械").projection(), "C9")
    Traceback (most recent call last):
    graph.errors.NotFound: 找不到产业链 C9；现有产业链：C01 工程机械
    """
    if chain not in g._node or g._node[chain].get("label") != Label.CHAIN.value:
        raise chain_not_found(chain, {n: name_of(g, n) for n, a in g._node.items() if a.get("label") == Label.CHAIN.value})


def require_segment(g: nx.MultiDiGraph, chain: str | None, segment: str) -> None:
    """Raise ``NotFound`` unless ``segment`` is a segment of ``chain`` (a segment is only
    ever asked for within its chain)."""
    if chain is None or segment not in chain_segments(g, chain):
        raise NotFound(f"产业链 {chain or '（未指定）'} 中找不到环节 {segment}")


def chain_not_found(chain: str, names: dict[str, str]) -> NotFound:
    """The ``NotFound`` for ``chain``, listing the chains there are (``names``: id -> name)."""
    named = [c for c, name in names.items() if name == chain.strip()]
    if len(named) == 1:  # the chain's name given where its code is asked for (a chain a ledger made: CH-5da7b1bd)
        return NotFound(f"找不到编号为 {chain} 的产业链：产业链 {chain} 的编号是 {named[0]}，请填编号，如 --chain {named[0]}")
    chains = sorted(names)
    known = "、".join(f"{c} {names[c]}" for c in chains[:MAX_LISTED])
    more = f" 等 {len(chains)} 条" if len(chains) > MAX_LISTED else ""
    return NotFound(f"找不到产业链 {chain}；" + (f"现有产业链：{known}{more}" if chains else "还没有导入任何产业链"))


# -- the base ------------------------------------------------------------------------------


def is_active(g: nx.MultiDiGraph, enterprise: str) -> bool:
    """``status`` active (not closed, not moved)."""
    return g._node[enterprise].get("status") == "active"


def is_base(g: nx.MultiDiGraph, enterprise: str) -> bool:
    """In the work base: ``in_base`` and ``status`` active."""
    attrs = g._node[enterprise]
    return bool(attrs.get("in_base")) and attrs.get("status") == "active"


def base_enterprises(g: nx.MultiDiGraph, *, chain: str | None = None) -> list[str]:
    """Ids of the base, in store order; only ``chain``'s if given.

    Raises ``NotFound`` if ``chain`` names no Chain.

    >>> from graph.builder import GraphBuilder
    >>> g = GraphBuilder().enterprise("E1").enterprise("E2", status="closed").projection()
    >>> base_enterprises(g)
    ['E1']
    """
    wanted = chain_enterprises(g, chain) if chain is not None else None
    ids = ids_with_label(g, Label.ENTERPRISE)
    # is_base over whole lists with map (a call per enterprise cost a fifth of a coverage report at 100k)
    attrs = list(map(g._node.__getitem__, ids))
    in_base = map(bool, map(dict.get, attrs, repeat("in_base")))
    active = map(eq, map(dict.get, attrs, repeat("status")), repeat("active"))
    base = compress(ids, map(and_, in_base, active))
    return list(base) if wanted is None else [e for e in base if e in wanted]


# -- enterprises, segments, chains -----------------------------------------------------------


def enterprise_segments(g: nx.MultiDiGraph, enterprise: str) -> list[str]:
    """The segments an enterprise sits in (``IN_SEGMENT``), each once, in store order."""
    return [s for s, keyed in g._succ[enterprise].items() if _IN_SEGMENT in keyed]


def enterprise_chains(g: nx.MultiDiGraph, enterprise: str) -> list[str]:
    """The chains of an enterprise's segments, each once, in the order of its segments."""
    return list(dict.fromkeys(c for s in enterprise_segments(g, enterprise) for c in segment_chains(g, s)))


def chains_by_enterprise(g: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Enterprise id -> the chains it is in; only enterprises in some chain appear.

    One pass over the segments, for callers that ask about many enterprises.
    """
    chains: dict[str, set[str]] = defaultdict(set)
    for segment in ids_with_label(g, Label.SEGMENT):
        segment_chain_ids = segment_chains(g, segment)
        if segment_chain_ids:
            for enterprise in segment_enterprises(g, segment):
                chains[enterprise].update(segment_chain_ids)
    return dict(chains)


def segment_enterprises(g: nx.MultiDiGraph, segment: str) -> list[str]:
    """The enterprises (in the base or not) in a segment (``IN_SEGMENT``)."""
    return [e for e, keyed in g._pred[segment].items() if _IN_SEGMENT in keyed]


def segment_chains(g: nx.MultiDiGraph, segment: str) -> list[str]:
    """The chain(s) a segment is part of (``PART_OF``); normally exactly one."""
    return [c for c, keyed in g._succ[segment].items() if _PART_OF in keyed]


def chains_by_segment(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Segment id -> its chain(s), for every segment."""
    return {s: segment_chains(g, s) for s in ids_with_label(g, Label.SEGMENT)}


def chain_segments(g: nx.MultiDiGraph, chain: str) -> list[str]:
    """The chain's segment ids in segment order (see :func:`segment_key`)."""
    return sorted(in_ids(g, chain, RelType.PART_OF), key=lambda s: segment_key(g, s))


def chain_enterprises(g: nx.MultiDiGraph, chain: str) -> set[str]:
    """Every enterprise (in the base or not) in one of ``chain``'s segments.

    Raises ``NotFound`` if ``chain`` names no Chain.
    """
    require_chain(g, chain)
    return {e for s in in_ids(g, chain, RelType.PART_OF) for e in segment_enterprises(g, s)}


def segment_order(stage: str | None, order: int | None, segment: str) -> tuple:
    """The sort key of a segment from its values: stage (none last), ``order`` (none
    last), id. For rows that come from elsewhere than the projection (Neo4j)."""
    return (STAGE_ORDER.get(stage, len(STAGE_ORDER)), order is None, order or 0, segment)


def segment_key(g: nx.MultiDiGraph, segment: str) -> tuple:
    """The sort key of a segment of the projection (see :func:`segment_order`)."""
    attrs = g._node[segment]
    return segment_order(attrs.get("stage"), attrs.get("order"), segment)


# -- party organisations ------------------------------------------------------------------


def chains_by_org(
    g: nx.MultiDiGraph, *, by_enterprise: dict[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """Party org id -> the chains it is in: those of the enterprises it covers, and those
    it leads. Orgs in no chain do not appear.

    ``by_enterprise`` is ``chains_by_enterprise(g)`` if the caller already has it.
    """
    by_enterprise = chains_by_enterprise(g) if by_enterprise is None else by_enterprise
    chains: dict[str, set[str]] = {}
    succ = g._succ
    for org in ids_with_label(g, Label.PARTY_ORG):
        found: set[str] = set()
        for target, keyed in succ[org].items():  # one scan: orgs are many
            if _LEADS in keyed:
                found.add(target)
            if _COVERS in keyed:
                found |= by_enterprise.get(target, set())
        if found:
            chains[org] = found
    return chains


def is_industry_committee(g: nx.MultiDiGraph, org: str) -> bool:
    """An industry (chain) committee: formed as ``industry``, or leading some chain."""
    if g._node[org].get("formation") == "industry":
        return True
    return any(_LEADS in keyed for keyed in g._succ[org].values())


def industry_committees(g: nx.MultiDiGraph) -> set[str]:
    """Every org :func:`is_industry_committee` accepts, from the chains' side (orgs are
    many, chains and their committees few)."""
    committees = {o for o in ids_with_label(g, Label.PARTY_ORG) if g._node[o].get("formation") == "industry"}
    committees.update(o for c in ids_with_label(g, Label.CHAIN) for o in in_ids(g, c, RelType.LEADS))
    return committees


def is_working_org(g: nx.MultiDiGraph, org: str) -> bool:
    """An organisation at work in the base: it covers a base enterprise (``is_base``), or
    leads a chain, as the report counts orgs. One covering only closed enterprises or ones
    out of the base, or nobody (a joint branch split up, a working committee above the
    branches), neither needs a partner nor can help one: the planners and the pairing gaps
    leave it out. ``graph.analysis.org_checks`` reports those covering closed enterprises or
    nobody (not a committee with orgs under it); one covering only enterprises out of the
    base is in none of the lists."""
    for target, keyed in g._succ[org].items():
        if _LEADS in keyed or (_COVERS in keyed and is_base(g, target)):
            return True
    return False


def is_weak_org(g: nx.MultiDiGraph, org: str) -> bool:
    """A weak organisation (薄弱党组织), the kind to pair and help first.

    Rated ``WEAK_MAX_STAR`` stars or less, or not rated; and not a demonstration site
    (示范点), not an industry committee, not covering a leading enterprise (龙头): those
    are the ones that carry weak organisations; and at work (``is_working_org``).
    """
    if not is_working_org(g, org):
        return False
    attrs = g._node[org]
    star = attrs.get("star")
    if star is not None and star > WEAK_MAX_STAR:
        return False
    if attrs.get("demonstration") or is_industry_committee(g, org):
        return False
    nodes = g._node
    return not any(_COVERS in keyed and nodes[e].get("leading") for e, keyed in g._succ[org].items())


def pairing_partners(g: nx.MultiDiGraph, node: str) -> set[str]:
    """Everyone ``node`` is paired with (``PAIRED_WITH`` either way). A node is paired
    when this is not empty."""
    partners = {v for v, keyed in g._succ[node].items() if _PAIRED_WITH in keyed}
    partners.update(u for u, keyed in g._pred[node].items() if _PAIRED_WITH in keyed)
    return partners


# -- rates ---------------------------------------------------------------------------------


def coverage_rate(covered: int, base: int) -> float:
    """``covered / base`` rounded to ``RATE_DIGITS`` places; 0.0 for an empty base.

    >>> coverage_rate(55, 65)
    0.8462
    """
    return round(covered / base, RATE_DIGITS) if base else 0.0

