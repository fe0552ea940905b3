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


def test_the_kept_projection_of_a_district_is_its_projection_edge_for_edge(tmp_path):
    from loaders.demo import demo_tables, write_demo_csv
    from loaders.importer import import_paths

    path = tmp_path / "d.db"
    store = open_store(str(path))
    import_paths(store, write_demo_csv(demo_tables("small"), tmp_path / "csv"))
    built = project(store.read())
    load_projection(store)
    kept = projection_cache.load(path, *store.projection_key())
    store.close()
    assert dict(kept.nodes(data=True)) == dict(built.nodes(data=True)) and kept.graph == built.graph
    assert sorted((u, v, k, sorted(d.items())) for u, v, k, d in kept.edges(keys=True, data=True)) == \
        sorted((u, v, k, sorted(d.items())) for u, v, k, d in built.edges(keys=True, data=True))
    assert all(kept._succ[u][v] is kept._pred[v][u] for u, v in kept.edges())  # one edge dict, seen from both ends
    assert kept.in_degree(next(iter(kept))) == built.in_degree(next(iter(kept)))


def test_an_older_copy_put_back_and_written_to_the_same_version_is_not_answered_from_the_kept_files(tmp_path):
    """A backup put back over the store, then written as often as the file it replaced:
    the same id and version, other content. Each write's token tells them apart, for the
    projection and for the answers kept beside the file."""
    from graph.analysis.coverage import coverage_report
    from graph.kept_answers import coverage_question, kept_answer

    path, backup = tmp_path / "x.db", tmp_path / "backup.db"
    store = _store(path, "甲")
    store.close()
    shutil.copy(path, backup)

    store = open_store(str(path))
    store.write([Node(Label.ENTERPRISE, E2, {"name": "乙"})])
    load_projection(store)
    kept_answer(store, coverage_question(None, None), lambda g: coverage_report(g).to_dict())
    version = store.version()
    store.close()

    shutil.copy(backup, path)  # the older copy put back: version 1
    restored = open_store(str(path))
    restored.write([Node(Label.ENTERPRISE, E1, {"name": "丙"})])  # version 2 again, other content
    assert restored.version() == version
    assert load_projection(restored)._node[E1]["name"] == "丙" and E2 not in load_projection(restored)

    def computed(g):
        return {"names": sorted(d["name"] for _, d in g.nodes(data=True))}

    assert kept_answer(restored, coverage_question(None, None), computed) == {"names": ["丙"]}
    restored.close()
