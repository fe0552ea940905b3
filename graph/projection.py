"""The in-memory projection every analysis reads: a networkx MultiDiGraph.

Nodes carry ``label`` plus their properties with schema defaults filled in; edges are
keyed by relationship type and carry their properties. The projection is cached per
store and rebuilt only when the store's version changes.

The projection is read-only (frozen), so what is equal is shared: edges with the same
properties share one attribute dict (550k edges of the city demo hold 6.8k distinct ones)
and equal text values are one string. That is most of its memory, and of the time to
load it from the cache file (marshal keeps shared objects shared).

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
from typing import Iterator, Mapping

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph import projection_cache
from graph.collector import collector_paused
from graph.records import GraphData, GraphScan
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


def project(data: GraphData) -> nx.MultiDiGraph:
    """Build the projection of a graph read from a store.

    ``g.graph`` holds ``version`` and ``by_label`` (label value -> list of node ids).
    A relationship whose source or target is not among ``data.nodes`` is left out: networkx
    would add its missing end as a node with no attributes, not even a ``label``.
    """
    import networkx as nx

    g = nx.MultiDiGraph(version=data.version)
    by_label: dict[str, list[str]] = {label.value: [] for label in Label}
    text = _Shared()
    g.add_nodes_from((n.id, text.values({**_DEFAULTS[n.label], **n.props, "label": n.label.value})) for n in data.nodes)
    for n in data.nodes:
        by_label[n.label.value].append(n.id)
    ids = {node_id: node_id for node_id in g._node}  # each end as its node's own id string
    g.add_edges_from(
        (source, target, r.type.value, text.attrs({**_REL_DEFAULTS[r.type], **r.props, "type": r.type.value}))
        for r in data.rels
        if (source := ids.get(r.source)) is not None and (target := ids.get(r.target)) is not None
    )
    g.graph["by_label"] = by_label
    return g


@dataclass(frozen=True)
class Part:
    """What a partial projection keeps: every node, with its ``label`` and only the
    properties named here (schema defaults filled in as usual), and only the
    relationships of the types named here (with all their properties)."""

    node_props: frozenset[str]
    rel_types: frozenset[RelType]


def project_part(scan: GraphScan, part: Part) -> nx.MultiDiGraph:
    """The projection of ``scan`` cut down to ``part``: the shape ``project`` gives
    (``version``, ``by_label`` in store order, node and edge attributes), for analyses
    that read only those properties and relationship types.

    Built as the records stream in, so the records are never listed beside the graph.
    The graph is frozen, so what is equal is shared: nodes whose kept properties are
    equal share one attribute dict, and the outgoing or incoming side of a node with no
    relationship of the kept types is one read-only empty mapping (``NO_LINKS``) until its
    first relationship gives it a dict of its own. 2·10⁶ enterprises cut down to a few
    flags then hold a handful of dicts instead of 6·10⁶: their projection takes 0.41 GB,
    0.65 GB with a dict for each side of each node. One pass over the records: O(V + E)
    time, and memory for the graph and one chunk of records.
    """
    import networkx as nx

    g = nx.MultiDiGraph(version=scan.version)
    by_label: dict[str, list[str]] = {label.value: [] for label in Label}
    keep, types = part.node_props, part.rel_types
    defaults = {label: {k: v for k, v in found.items() if k in keep} for label, found in _DEFAULTS.items()}
    shared = _Shared()
    nodes, succ, pred = g._node, g._succ, g._pred
    for n in scan.nodes:  # what add_nodes_from does, without fresh dicts for each node
        node_id, label = n.id, n.label.value
        nodes[node_id] = shared.node_attrs({**defaults[n.label], **{k: v for k, v in n.props.items() if k in keep},
                                            "label": label})
        succ[node_id] = NO_LINKS
        pred[node_id] = NO_LINKS
        by_label[label].append(node_id)

    def edges() -> Iterator[tuple]:
        for r in scan.rels:
            source, target = r.source, r.target
            if r.type in types and source in nodes and target in nodes:
                if succ[source] is NO_LINKS:
                    succ[source] = {}
                if pred[target] is NO_LINKS:
                    pred[target] = {}
                yield source, target, r.type.value, shared.attrs({**_REL_DEFAULTS[r.type], **r.props, "type": r.type.value})

    g.add_edges_from(edges())
    g.graph["by_label"] = by_label
    return g


NO_LINKS: Mapping = MappingProxyType({})  # read-only: a write into it raises instead of linking every node


class _Shared:
    """One object for each distinct text value, and one dict for each distinct set of edge
    properties, while a projection is built."""

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

    def attrs(self, attrs: dict) -> dict:
        try:
            key = tuple(attrs.items())
            found = self._dicts.get(key)
            if found is None:
                found = self._dicts[key] = self.values(attrs)
            return found
        except TypeError:  # a list or a dict among the values: kept as it is
            return attrs

    def node_attrs(self, attrs: dict) -> dict:
        """One dict for each distinct set of node properties, told apart by the values'
        types too (1 and True are equal keys, but not the same property value)."""
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
    its graph (``scan``) is read as a stream; another is read whole first.
    """
    import networkx as nx

    with collector_paused(), _scanned(store, part) as scan:  # all it allocates is kept: collections would free nothing
        g = project_part(scan, part)
    return nx.freeze(g)


@contextmanager
def _scanned(store: GraphStore, part: Part) -> Iterator[GraphScan]:
    if hasattr(store, "scan"):
        with store.scan(rel_types=part.rel_types) as scan:
            yield scan
    else:
        data = store.read()
        yield GraphScan(data.version, iter(data.nodes), iter(data.rels))


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
    g = project(store.read())
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
