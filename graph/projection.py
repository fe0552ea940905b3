"""The in-memory projection every analysis reads: a networkx MultiDiGraph.

Nodes carry ``label`` plus their properties with schema defaults filled in; edges are
keyed by relationship type and carry their properties. The projection is cached per
store and rebuilt only when the store's version changes.

The projection is read-only (frozen), so what is equal is shared: edges with the same
properties share one attribute dict (550k edges of the city demo hold 6.8k distinct ones),
pairs of nodes linked the same way share one dict of edges, and equal text values are one
string. That is most of its memory, and of the time to
load it from the cache file (marshal keeps shared objects shared). A store that can
stream its graph (``scan``) is projected as it streams, so its records are never all
held beside the graph.

An analysis that reads only a few properties and relationship types can have just that
part (``Part``, ``load_part``): the same shape, built as the store streams, not cached.
"""

from __future__ import annotations

import gc
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph import projection_cache
from graph.collector import collector_paused
from graph.records import GraphData, GraphScan, Rel
from graph.schema import NODE_PROPS, REL_SPECS, Label, RelType
from graph.store import GraphStore

_DEFAULTS = {
    label: {name: p.default for name, p in props.items() if p.default is not None}
    for label, props in NODE_PROPS.items()
}
_REL_DEFAULTS = {
    rtype: {name: p.default for name, p in spec.props.items() if p.default is not None}
    for rtype, spec in REL_SPECS.items()
}


def project(data: GraphData | GraphScan) -> nx.MultiDiGraph:
    """Build the projection of a graph read from a store, or as it streams from one (the
    nodes are read once, then the relationships once).

    ``g.graph`` holds ``version`` and ``by_label`` (label value -> list of node ids).
    A relationship whose source or target is not among ``data.nodes`` is left out: networkx
    would add its missing end as a node with no attributes, not even a ``label``.
    """
    import networkx as nx

    g = nx.MultiDiGraph(version=data.version)
    fill = _Filler(g)
    text = fill.shared
    for n in data.nodes:
        fill.node(n.id, n.label.value, text.values({**_DEFAULTS[n.label], **n.props, "label": n.label.value}))
    fill.rels(data.rels)
    g.graph["by_label"] = fill.by_label
    return g


@dataclass(frozen=True)
class Part:
    """What a partial projection keeps: every node, with its ``label`` and only the
    properties named here (schema defaults filled in as usual) and, for the nodes of a
    label in ``label_props`` ((label, properties) pairs), those too; and only the
    relationships of the types named here (with all their properties)."""

    node_props: frozenset[str]
    rel_types: frozenset[RelType]
    label_props: tuple[tuple[Label, frozenset[str]], ...] = ()

    def props_of(self, label: Label) -> frozenset[str]:
        """The properties kept of a node with ``label``."""
        return self.node_props.union(*(props for of, props in self.label_props if of is label))


def project_part(scan: GraphScan, part: Part) -> nx.MultiDiGraph:
    """The projection of ``scan`` cut down to ``part``: the shape ``project`` gives
    (``version``, ``by_label`` in store order, node and edge attributes), for analyses
    that read only those properties and relationship types.

    Built as the records stream in, so the records are never listed beside the graph.
    Nodes whose kept properties are equal share one attribute dict, and the outgoing or
    incoming side of a node with no relationship of the kept types is one read-only empty
    mapping (``NO_LINKS``) until its first relationship gives it a dict of its own.
    2·10⁶ enterprises cut down to a few flags then hold a handful of dicts instead of
    6·10⁶: their projection takes 0.41 GB, 0.65 GB with a dict for each side of each
    node. One pass over the records: O(V + E) time, and memory for the graph and one
    chunk of records.
    """
    import networkx as nx

    g = nx.MultiDiGraph(version=scan.version)
    fill = _Filler(g, no_links=NO_LINKS)
    keep = {label: part.props_of(label) for label in Label}
    defaults = {label: {k: v for k, v in found.items() if k in keep[label]} for label, found in _DEFAULTS.items()}
    shared = fill.shared
    for n in scan.nodes:
        label, kept = n.label.value, keep[n.label]
        fill.node(n.id, label, shared.node_attrs({**defaults[n.label], **{k: v for k, v in n.props.items() if k in kept},
                                                   "label": label}))
    fill.rels(r for r in scan.rels if r.type in part.rel_types)
    g.graph["by_label"] = fill.by_label
    return g


NO_LINKS: Mapping = MappingProxyType({})  # read-only: a write into it raises instead of linking every node


class _Filler:
    """Fills a new graph's own dicts (``_node``, ``_succ``, ``_pred``) as networkx's
    ``add_nodes_from`` / ``add_edges_from`` would, in the same order, in about half their
    time (those check and copy every item; the city demo's 550k edges took 5.5 s of a
    6 s build under a profiler). Edges of one type with the same properties share one
    attribute dict (550k edges of the city demo hold 6.8k distinct ones); ``succ[u][v]``
    and ``pred[v][u]`` are one dict of edges keyed by type, as networkx keeps them.

    ``no_links`` given, a node starts with that read-only mapping on both sides and gets
    a dict of its own at its first relationship on that side."""

    def __init__(self, g: nx.MultiDiGraph, *, no_links: Mapping | None = None):
        self.g, self.no_links, self.shared = g, no_links, _Shared()
        self.by_label: dict[str, list[str]] = {label.value: [] for label in Label}

    def node(self, node_id: str, label: str, attrs: dict) -> None:
        g = self.g
        g._node[node_id] = attrs
        g._succ[node_id] = {} if self.no_links is None else self.no_links
        g._pred[node_id] = {} if self.no_links is None else self.no_links
        self.by_label[label].append(node_id)

    def rels(self, rels: Iterable[Rel]) -> None:
        """Link the relationships whose two ends are nodes already there; leave out the others.

        The dict of edges between two nodes (type -> attributes) is shared too, by every pair
        of nodes linked by the same types with the same properties: the city demo's 550k
        pairs hold a few thousand distinct ones. A pair that gets a second type is given
        the shared dict of both, never a changed copy of one another pair reads."""
        nodes, succ, pred, no_links = self.g._node, self.g._succ, self.g._pred, self.no_links
        ends = {node_id: node_id for node_id in nodes}  # each end as its node's own id string
        edge_attrs = self.shared.edge_attrs
        keyed_dicts: dict[tuple, dict] = {}  # ((type, id(attributes)), ...) -> the one dict of those edges
        for r in rels:
            source, target = ends.get(r.source), ends.get(r.target)
            if source is None or target is None:
                continue
            rtype = r.type
            key = _TYPE_VALUE[rtype]
            attrs = edge_attrs(rtype, key, r.props)
            out = succ[source]
            if out is no_links:
                out = succ[source] = {}
            keyed = out.get(target)
            if keyed is None:
                keyed = keyed_dicts.get((key, id(attrs)))
                if keyed is None:
                    keyed = keyed_dicts[key, id(attrs)] = {key: attrs}
                into = pred[target]
                if into is no_links:
                    into = pred[target] = {}
            else:
                both = {**keyed, key: attrs}
                keyed = keyed_dicts.setdefault(tuple(x for k, a in both.items() for x in (k, id(a))), both)
                into = pred[target]
            out[target] = keyed
            into[source] = keyed


_TYPE_VALUE = {rtype: rtype.value for rtype in RelType}  # the enum's .value costs a descriptor call per edge


class _Shared:
    """One object for each distinct text value, and one dict for each distinct set of node
    or edge properties, while a projection is built. Values are told apart by type too
    (1 and True are equal keys, but not the same property value)."""

    def __init__(self):
        self._texts: dict[str, str] = {}
        self._dicts: dict[tuple, dict] = {}
        self._node_dicts: dict[tuple, dict] = {}

    def values(self, attrs: dict) -> dict:
        texts = self._texts
        for key, value in attrs.items():
            if type(value) is str:
                attrs[key] = texts.setdefault(value, value)
        return attrs

    def edge_attrs(self, rtype: RelType, key: str, props: dict) -> dict:
        """The attribute dict of an edge of ``rtype`` with ``props``: the schema's defaults,
        the properties, and ``type``; shared with every edge of that type and properties."""
        try:
            seen = (key, *props.items(), *map(type, props.values()))
            found = self._dicts.get(seen)
        except TypeError:  # a list or a dict among the values: an own dict
            return self.values({**_REL_DEFAULTS[rtype], **props, "type": key})
        if found is None:
            found = self._dicts[seen] = self.values({**_REL_DEFAULTS[rtype], **props, "type": key})
        return found

    def node_attrs(self, attrs: dict) -> dict:
        """One dict for each distinct set of node properties."""
        try:
            key = (*attrs.items(), *map(type, attrs.values()))
            found = self._node_dicts.get(key)
            if found is None:
                found = self._node_dicts[key] = self.values(attrs)
            return found
        except TypeError:
            return attrs


def ids_with_label(g: nx.MultiDiGraph, label: Label) -> list[str]:
    """The ids of all nodes with a label, in store order."""
    return g.graph["by_label"][label.value]


def out_ids(g: nx.MultiDiGraph, node: str, rtype: RelType) -> list[str]:
    """Targets of ``node``'s outgoing relationships of one type."""
    key = rtype.value
    return [v for v, keys in g._succ[node].items() if key in keys]  # raw adjacency: views cost several times more


def in_ids(g: nx.MultiDiGraph, node: str, rtype: RelType) -> list[str]:
    """Sources of ``node``'s incoming relationships of one type."""
    key = rtype.value
    return [u for u, keys in g._pred[node].items() if key in keys]


def load_part(store: GraphStore, part: Part) -> nx.MultiDiGraph:
    """``part`` of the store's projection, built from the store now, frozen.

    Not cached, in memory or on disk: it serves one analysis that needs only part of
    the graph, once (the coverage snapshot every import takes). A store that can stream
    its graph (``scan``) is read as a stream; another is read whole first. The few nodes
    of ``part.label_props``' labels are read apart, whole, at the same version (reading a
    name of every node in the stream would cost a decode per node): a write that lands
    between the two reads means reading both again, and after ``_APART_TRIES`` such
    writes the stream carries those properties of every node, in one read.
    """
    import networkx as nx

    for _ in range(_APART_TRIES if part.label_props else 1):
        with collector_paused(), _scanned(store, part.rel_types, part.node_props) as scan:  # all it allocates is kept: collections would free nothing
            g = project_part(scan, part)
        if not part.label_props or _with_label_props(g, store, part):
            return nx.freeze(g)
    every = part.node_props.union(*(props for _, props in part.label_props))
    with collector_paused(), _scanned(store, part.rel_types, every) as scan:
        g = project_part(scan, part)
    return nx.freeze(g)


_APART_TRIES = 3


def _with_label_props(g: nx.MultiDiGraph, store: GraphStore, part: Part) -> bool:
    """Give the nodes of ``part.label_props``' labels those properties, read from the store;
    False (``g`` unchanged) if the store is no longer at ``g``'s version."""
    found = store.read(labels=[label for label, _ in part.label_props])
    if found.version != g.graph["version"]:
        return False
    nodes = g._node
    for n in found.nodes:
        if n.id in nodes:
            extra = {k: v for k, v in {**_DEFAULTS[n.label], **n.props}.items() if k in part.props_of(n.label)}
            nodes[n.id] = {**nodes[n.id], **extra}  # its own dict: the one it had may be shared
    return True


@contextmanager
def _scanned(store: GraphStore, rel_types: frozenset[RelType] | None = None,
             node_props: frozenset[str] | None = None) -> Iterator[GraphScan]:
    """The store's graph as it streams (only ``rel_types``' relationships when given; a
    store may also leave out node properties not in ``node_props``), or, from a store that
    cannot stream it, as read whole."""
    if hasattr(store, "scan"):
        with store.scan(rel_types=rel_types, node_props=node_props) as scan:
            yield scan
    else:
        data = store.read()
        yield GraphScan(data.version, iter(data.nodes), iter(r for r in data.rels if rel_types is None or r.type in rel_types))


_cache: "weakref.WeakKeyDictionary[object, nx.MultiDiGraph]" = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def _from_disk_or_built(store: GraphStore, from_file: bool) -> nx.MultiDiGraph:
    """The store's projection from the file kept for it when that matches the store's id
    and version (``graph.projection_cache``); otherwise built and kept there.
    Without ``from_file`` it is built and not kept."""
    key = store.projection_key() if from_file and hasattr(store, "projection_key") else None
    path = projection_cache.anchor(store, key[0]) if key is not None else None
    if key is not None and path is not None:
        cached = projection_cache.load(path, *key)
        if cached is not None:
            return cached
    with _scanned(store) as scan:
        g = project(scan)
    if key is not None and path is not None:
        projection_cache.save(path, key[0], g)
    return g


def load_projection(store: GraphStore, *, from_file: bool = True) -> nx.MultiDiGraph:
    """The store's projection, read again only if the store's version changed.

    The graph is frozen (``nx.freeze``): a caller that must change it copies it first.
    ``from_file=False`` builds it from the store without the cache file: slower, but in small
    steps, where loading or saving the file holds the interpreter for one long call (0.6 s
    at city scale) that a server's other threads would wait out.
    """
    version = store.version()
    with _cache_lock:
        cached = _cache.get(store)
        if cached is not None and cached.graph["version"] == version:
            return cached
    # The projection lives until the next version: freeze it out of the collector's sight,
    # or every collection sweeps hundreds of thousands of edge dicts (pauses of ~1 s).
    # Unfreeze first so the previous projection's cycles can be collected later. The
    # collector stays off while reading and building (everything allocated is kept, so its
    # runs would free nothing: 100k enterprises load in ~40% less time) and until the
    # graph is frozen, or switching it back on sets off a full collection (~0.3 s there).
    gc.unfreeze()
    with collector_paused():
        import networkx as nx

        g = nx.freeze(_from_disk_or_built(store, from_file))  # shared by every reader: mutating it raises
        gc.freeze()
    with _cache_lock:
        _cache[store] = g
    return g
