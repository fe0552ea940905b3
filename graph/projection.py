"""The in-memory projection every analysis reads: a networkx MultiDiGraph.

Nodes carry ``label`` plus their properties with schema defaults filled in; edges are
keyed by relationship type and carry their properties. The projection is cached per
store and rebuilt only when the store's version changes.

The projection is read-only (frozen), so what is equal is shared: edges with the same
properties share one attribute dict (550k edges of the city demo hold 6.8k distinct ones)
and equal text values are one string. That is most of its memory, and of the time to
load it from the cache file (marshal keeps shared objects shared).
"""

from __future__ import annotations

import gc
import threading
import weakref

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph import projection_cache
from graph.records import GraphData
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


class _Shared:
    """One object for each distinct text value, and one dict for each distinct set of edge
    properties, while a projection is built."""

    def __init__(self):
        self._texts: dict[str, str] = {}
        self._dicts: dict[tuple, dict] = {}

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
    collecting = gc.isenabled()
    gc.disable()
    try:
        import networkx as nx

        g = nx.freeze(_from_disk_or_built(store, from_file))  # shared by every reader: mutating it raises
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    with _cache_lock:
        _cache[store] = g
    return g
