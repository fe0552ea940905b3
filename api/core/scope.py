"""Chain scoping and personal-field masking, enforced where the data is read.

Every read of the API goes through a :class:`ScopedGraph`: the store's projection as one
principal may see it. For a principal scoped to some chains the view is a copy of the
projection restricted to the nodes that belong to those chains; for a principal who may
not see people's names (viewers) those properties are removed from the copy. Lists,
get-by-id, analyses, neighbourhoods and exports all read the view, never the store's
projection, so nothing outside it can leak through any of them, and anything outside it
is simply not found (404).

A node belongs to a set of chains when it is:

- one of the chains, or a segment of one of them (``PART_OF``);
- an enterprise in one of those segments (``IN_SEGMENT``);
- a party org covering such an enterprise (``COVERS``) or leading one of the chains (``LEADS``);
- an alliance of one of the chains (``ALLIANCE_OF``);
- a leader responsible for one of the chains (``RESPONSIBLE_FOR``);
- a leader, instructor or unit reaching one of those enterprises or orgs (contacts,
  assignments, pairings), or a unit member of one of those alliances.

Relationships are kept when both ends are in the view. So a scoped principal sees its
chains' part of the district: a leader's contacts in other chains, or a pairing with an
enterprise of another chain, are not in it. They still count, though: a scoped principal
must see less, never something untrue (a leader whose only contact is in another chain is
not "without contacts"). So analyses and counts are computed on the whole district
(``ScopedGraph.district``, with the same names hidden) and what they find is then shown
without what names anything outside the view (``ScopedGraph.visible``).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.membership import chains_by_enterprise, chains_by_org
from graph.errors import NotFound
from graph.projection import in_ids
from graph.schema import LABEL_ZH, PERSONAL_PROPS, Label, RelType

from api.core.recent_answers import RecentAnswers
from api.core.security.principal import Principal

log = logging.getLogger("redchain")
_PEOPLE = frozenset(label.value for label in PERSONAL_PROPS)
_REACHING = frozenset({Label.LEADER.value, Label.INSTRUCTOR.value, Label.UNIT.value})


@dataclass
class ScopedGraph:
    """The projection as one principal sees it (read-only; never mutate ``g``).

    ``chains`` is None for an unscoped view; ``personal`` tells whether people's names
    are in it.
    """

    g: nx.MultiDiGraph
    chains: frozenset[str] | None
    personal: bool
    _memo: dict = field(default_factory=dict, repr=False)
    _makers: dict = field(default_factory=dict, repr=False)
    recent: RecentAnswers = field(default_factory=RecentAnswers, repr=False)
    """Answers of which only the recently asked are kept (neighbourhoods): see ``memo`` for the rest."""
    whole: "ScopedGraph | None" = field(default=None, repr=False)
    """For a view restricted to chains: the unrestricted view of the same projection, with
    the same names hidden (see ``district``)."""

    @property
    def version(self) -> int:
        return self.g.graph.get("version", 0)

    @property
    def district(self) -> "ScopedGraph":
        """The whole district as this principal may see its names: what analyses and counts
        run on, so that what lies outside the view still counts (never shown: ``visible``)."""
        return self.whole if self.whole is not None else self

    def district_chain(self, chain: str | None) -> tuple[bool, str | None]:
        """(whether an analysis of ``chain`` for this view runs on ``district``, the chain it
        is asked for). With no ``chain``, a view of one chain asks for that chain. Only a
        view restricted to chains runs on the district, and only for a chain in the view or
        none: one outside it is analysed on the view, which says it is not found."""
        if self.whole is None:
            return False, chain
        if chain is None and len(self.chains) == 1:
            (chain,) = self.chains
        return chain is None or (self.attrs.get(chain) or {}).get("label") == Label.CHAIN.value, chain

    def hides(self, node_id: str) -> bool:
        """Whether ``node_id`` is a node of the district that this view does not show."""
        return self.whole is not None and node_id in self.whole.attrs and node_id not in self.attrs

    def visible(self, obj: Any) -> Any:
        """``obj`` (JSON-like, computed on ``district``) as this view may show it: a list
        item that is a hidden node's id, or a record or pair whose own fields name one (a
        contact with a hidden target), is left out; so is a record that names a hidden node
        anywhere inside it and carries text with that node's name in it (a finding's
        message is written from what it names: a leader's chains outside the view). A
        record kept loses only the hidden ids of its lists (an enterprise of two chains
        keeps the chain in view, its work coverage by an org of another chain stays
        counted, the org unnamed). ``obj`` itself is not modified."""
        if self.whole is None:
            return obj

        def about_hidden(item: Any) -> bool:
            if isinstance(item, str):
                return self.hides(item)
            fields = item.values() if isinstance(item, dict) else item if isinstance(item, (list, tuple)) else ()
            return any(isinstance(value, str) and self.hides(value) for value in fields) or self._tells_hidden(item)

        def shown(value: Any) -> Any:
            if isinstance(value, dict):
                return {key: shown(item) for key, item in value.items()}
            if isinstance(value, (list, tuple)):
                return [shown(item) for item in value if not about_hidden(item)]
            return value

        return shown(obj)

    def hidden_group_names(self) -> frozenset[str]:
        """The names of the district's chains and segments this view hides: what a
        planner's reasons quote (分管产业链内（工程机械、电子信息）) without naming the node."""
        if self.whole is None:
            return frozenset()

        def names(view: "ScopedGraph") -> frozenset[str]:
            whole, kept = view.whole, view.attrs
            groups = [node for label in (Label.CHAIN, Label.SEGMENT) for node in whole.g.graph["by_label"][label.value]]
            shown = {kept[node].get("name") for node in groups if node in kept}  # 未分环节 of a chain in view stays
            return frozenset(name for node in groups
                             if node not in kept and (name := whole.attrs[node].get("name")) and name not in shown)

        return self.memo("hidden_group_names", names, carried=False)

    def _tells_hidden(self, record: Any) -> bool:
        """Whether some text inside ``record`` holds the name of a hidden node it names."""
        texts: list[str] = []
        _strings(record, texts)
        hidden = [text for text in texts if self.hides(text)]
        if not hidden:
            return False
        whole = self.whole.attrs
        names = {whole[node].get("name") for node in hidden} - {None, ""}
        return any(name in text for text in texts if text not in hidden for name in names)

    @property
    def attrs(self) -> dict[str, dict]:
        """Node id -> attributes, as a plain dict (much faster to index than ``g.nodes``)."""
        return self.memo("attrs", lambda v: dict(v.g.nodes.items()))

    def node(self, node_id: str, label: Label | None = None) -> dict:
        """The node's attributes; NotFound if it is not in the view (or has another label)."""
        attrs = self.attrs.get(node_id) if isinstance(node_id, str) else None
        if attrs is None or (label is not None and attrs["label"] != label.value):
            what = LABEL_ZH[label] if label is not None else "对象"
            raise NotFound(f"找不到{what} {node_id}")
        return attrs

    def label_of(self, node_id: str) -> str | None:
        attrs = self.g.nodes.get(node_id)
        return attrs["label"] if attrs is not None else None

    def ids(self, label: Label) -> list[str]:
        """The ids of one label, sorted (the order of every list and cursor)."""
        return self.memo(("ids", label), lambda v: sorted(v.g.graph["by_label"][label.value]))

    def count(self, label: Label) -> int:
        return len(self.g.graph["by_label"][label.value])

    def enterprise_chains(self) -> dict[str, set[str]]:
        return self.memo("enterprise_chains", lambda v: chains_by_enterprise(v.g))

    def org_chains(self) -> dict[str, set[str]]:
        return self.memo("org_chains", lambda v: chains_by_org(v.g, by_enterprise=v.enterprise_chains()))

    def people_in(self, obj: Any) -> list[str]:
        """Ids of people (leaders, instructors) whose names ``obj`` (JSON-like) may show.

        Any string in ``obj`` that is the id of a person in the view counts: analyses
        name the people they mention by id next to their names.
        """
        found: dict[str, None] = {}
        nodes = self.attrs

        def walk(value: Any) -> None:
            if isinstance(value, str):
                attrs = nodes.get(value)
                if attrs is not None and attrs["label"] in _PEOPLE:
                    found[value] = None
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    walk(item)

        walk(obj)
        return list(found)

    def memo(self, key, make: Callable[["ScopedGraph"], Any], *, carried: bool = True):
        """``make(self)``, computed once per view: the view never changes, so neither does
        anything computed from it. Callers must not mutate what they get. ``make`` reads
        the view it is given (never a view it closes over), so that the next version's view
        of the same scope can compute it again before it is served (``carry_over``);
        ``carried=False`` for what is only worth computing when asked (plans)."""
        if key not in self._memo:
            self._memo[key] = make(self)  # a race computes it twice, harmlessly
            if carried:
                self._makers[key] = make
        return self._memo[key]

    def carry_over(self, newer: "ScopedGraph") -> None:
        """Compute on ``newer`` (the same scope, a later version) what was asked of this
        view, so that its first readers do not wait for it. What no longer applies (a
        chain that is gone) is left to be asked, and reported, again."""
        for key, make in list(self._makers.items()):
            try:
                newer.memo(key, make)
            except Exception:  # noqa: BLE001 - the request that asks again gets the error
                log.debug("not carried over: %r", key, exc_info=True)


def _strings(value: Any, found: list[str]) -> None:
    """Every string inside ``value`` (JSON-like), appended to ``found``."""
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, found)


def scope_nodes(g: nx.MultiDiGraph, chains: frozenset[str]) -> set[str]:
    """The ids of every node that belongs to ``chains`` (see the module docstring)."""
    chain_ids = {c for c in chains if c in g and g.nodes[c]["label"] == Label.CHAIN.value}
    segments = {s for c in chain_ids for s in in_ids(g, c, RelType.PART_OF)}
    enterprises = {e for s in segments for e in in_ids(g, s, RelType.IN_SEGMENT)}
    orgs = {o for e in enterprises for o in in_ids(g, e, RelType.COVERS)}
    orgs |= {o for c in chain_ids for o in in_ids(g, c, RelType.LEADS)}
    alliances = {a for c in chain_ids for a in in_ids(g, c, RelType.ALLIANCE_OF)}
    leaders = {p for c in chain_ids for p in in_ids(g, c, RelType.RESPONSIBLE_FOR)}
    keep = chain_ids | segments | enterprises | orgs | alliances | leaders
    labels = g.nodes
    for target in enterprises | orgs:
        keep.update(u for u in g.pred[target] if labels[u]["label"] in _REACHING)
    for alliance in alliances:
        keep.update(u for u in in_ids(g, alliance, RelType.MEMBER_OF) if labels[u]["label"] == Label.UNIT.value)
    return keep


def make_view(g: nx.MultiDiGraph, *, chains: frozenset[str] | None, personal: bool,
              whole: ScopedGraph | None = None) -> ScopedGraph:
    """The view of projection ``g`` restricted to ``chains`` (None: all) and, unless
    ``personal``, without people's names. ``g`` itself is never modified. A restricted
    view keeps ``whole``, the unrestricted view of ``g`` with the same ``personal`` (made
    here when not given)."""
    if chains is None and personal:
        return ScopedGraph(g, None, True)
    if chains is None:
        return ScopedGraph(_without_names(g), None, False)
    keep = scope_nodes(g, chains)
    h = g.subgraph(keep).copy()
    h.graph = {**g.graph, "by_label": {label: [i for i in ids if i in keep] for label, ids in g.graph["by_label"].items()}}
    if not personal:
        _drop_names(h._node, h.graph["by_label"])
    return ScopedGraph(h, chains, personal, whole=whole or make_view(g, chains=None, personal=personal))


def _without_names(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The whole projection without people's names: the people's attribute dicts are
    copies without them, everything else is ``g``'s own (both are read-only), so a viewer's
    view of a city costs a few thousand dicts, not a second copy of 550k edges."""
    import networkx as nx

    h = nx.MultiDiGraph()
    h.graph = dict(g.graph)
    h._adj = h._succ = g._succ
    h._pred = g._pred
    h._node = dict(g._node)
    _drop_names(h._node, g.graph["by_label"])
    return nx.freeze(h)


def _drop_names(node: dict[str, dict], by_label: dict[str, list[str]]) -> None:
    """The people's attribute dicts of ``node`` replaced by copies without their names."""
    for label, props in PERSONAL_PROPS.items():
        for node_id in by_label[label.value]:
            node[node_id] = {k: v for k, v in node[node_id].items() if k not in props}


class ScopedGraphCache:
    """Views by (store version, chains, personal), so a restricted copy is made once per
    version and scope, not once per request. One cache per app, and an app has one store.

    Each view holds its version's projection, so views of at most two versions are kept:
    the one being served and the one before it, which requests still under way may read.
    (Without that bound, sixteen views could hold sixteen city projections, 300 MB each.)
    """

    def __init__(self, size: int = 16):
        self.size = size
        self._views: OrderedDict[tuple, ScopedGraph] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, g: nx.MultiDiGraph, principal: Principal) -> ScopedGraph:
        """The view of projection ``g`` for ``principal`` (made here if need be: a copy of
        the chains' part of the graph, up to a second at city scale)."""
        return self._view(g, principal.chains, principal.sees_personal)

    def _view(self, g: nx.MultiDiGraph, chains: frozenset[str] | None, personal: bool) -> ScopedGraph:
        key = (g.graph.get("version"), chains, personal)
        found = self._made(key)
        if found is not None:
            return found
        whole = self._view(g, None, personal) if chains is not None else None  # shared by every scope
        return self._keep(key, make_view(g, chains=chains, personal=personal, whole=whole))

    def made(self, g: nx.MultiDiGraph, principal: Principal) -> ScopedGraph | None:
        """The view of ``g`` for ``principal`` if it is already made, else None (a dict
        look-up: never waits for a view to be made)."""
        return self._made((g.graph.get("version"), principal.chains, principal.sees_personal))

    def _made(self, key: tuple) -> ScopedGraph | None:
        with self._lock:
            found = self._views.get(key)
            if found is not None:
                self._views.move_to_end(key)
            return found

    def _keep(self, key: tuple, view: ScopedGraph) -> ScopedGraph:
        with self._lock:
            self._views[key] = view
            while len(self._views) > self.size:
                self._views.popitem(last=False)
        return view

    def carry_over(self, g: nx.MultiDiGraph) -> None:
        """Make the views of a new projection ``g`` for the scopes the newest version
        served, each with what its readers asked of it (``ScopedGraph.carry_over``): run
        before ``g`` is served, off the request path, so reads never wait for it."""
        with self._lock:
            newest = max((key[0] for key in self._views), default=None)
            served = [(key, view) for key, view in self._views.items() if key[0] == newest]
        for (_, chains, personal), old in sorted(served, key=lambda item: item[0][1] is not None):  # whole views first
            new = self._view(g, chains, personal)
            old.carry_over(new)
        with self._lock:  # the versions before the one served until now are read by no one new
            for key in [key for key in self._views if key[0] not in (newest, g.graph.get("version"))]:
                del self._views[key]
