"""The projection kept beside an embedded store: used only for the same store at the same
version, rebuilt after a write, ignored when damaged or copied from another store."""

from __future__ import annotations

import shutil

import networkx as nx

from graph import projection_cache
from graph.factory import open_store
from graph.projection import load_projection, project
from graph.records import Node
from graph.schema import Label

E1, E2 = "91350100M000100Y43", "914403001922038216"


def _store(path, *names):
    store = open_store(str(path))
    store.write([Node(Label.ENTERPRISE, E1, {"name": names[0]})])
    return store


def _same(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and sorted(a.edges(keys=True)) == sorted(b.edges(keys=True)) \
        and a.graph == b.graph


def test_a_fresh_process_reads_the_kept_projection_and_a_write_replaces_it(tmp_path):
    path = tmp_path / "x.db"
    store = _store(path, "甲")
    g = load_projection(store)
    store.close()
    assert projection_cache.cache_path(path).exists()

    again = open_store(str(path))  # as a new process would: no in-memory cache for this object
    key = again.projection_key()
    assert _same(projection_cache.load(path, *key), g)
    assert _same(load_projection(again), project(again.read()))

    again.write([Node(Label.ENTERPRISE, E2, {"name": "乙"})])
    assert projection_cache.load(path, *again.projection_key()) is None  # stale: another version
    assert E2 in load_projection(again) and projection_cache.load(path, *again.projection_key()) is not None
    again.close()


def test_a_damaged_file_is_rebuilt_and_another_stores_file_is_ignored(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    a, b = _store(first, "甲"), _store(second, "乙")
    load_projection(a)
    assert a.projection_key()[1] == b.projection_key()[1] == 1  # the same version number
    shutil.copy(projection_cache.cache_path(first), projection_cache.cache_path(second))
    assert load_projection(b)._node[E1]["name"] == "乙"  # not 甲's graph: the store ids differ

    projection_cache.cache_path(first).write_bytes(b"\x80\x05not a pickle")
    fresh = open_store(str(first))
    assert load_projection(fresh)._node[E1]["name"] == "甲"
    for s in (a, b, fresh):
        s.close()
