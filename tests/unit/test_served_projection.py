"""The projection a server answers from: one build for the first load however many ask at
once; after a write, answers from the previous version while one rebuild runs; a write
through the server waits for its own version. The builder here is a plain function the
test can hold, over a real SQLite store."""

from __future__ import annotations

import threading

from graph.projection import project
from graph.records import Node
from graph.schema import Label
from graph.sqlite_store import SQLiteStore

from api.core.served_projection import ServedProjection


class HeldBuilder:
    """Builds the real projection, but only when the test lets it; counts its builds."""

    def __init__(self):
        self.calls = 0
        self.go = threading.Event()
        self.started = threading.Event()

    def __call__(self, store):
        self.calls += 1
        self.started.set()
        assert self.go.wait(10)
        g = project(store.read())
        g.graph["version"] = store.version()
        return g


def test_the_first_load_is_built_once_for_everyone_asking(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    builder = HeldBuilder()
    served = ServedProjection(store, builder)
    got = []
    askers = [threading.Thread(target=lambda: got.append(served.get())) for _ in range(4)]
    for t in askers:
        t.start()
    assert builder.started.wait(5)
    builder.go.set()
    for t in askers:
        t.join(5)
    assert builder.calls == 1 and len({id(g) for g in got}) == 1 and "C1" in got[0]


def test_after_a_write_readers_get_the_previous_version_until_the_new_one_is_built(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    builder = HeldBuilder()
    builder.go.set()
    served = ServedProjection(store, builder, reload=builder)
    old = served.get()
    builder.go.clear()
    builder.started.clear()
    store.write([Node(Label.CHAIN, "C2", {"name": "新链"})])
    assert served.get() is old and served.get() is old  # no wait, and only one rebuild started
    assert builder.started.wait(5)
    builder.go.set()
    new = served.refresh_now()  # waits for the rebuild under way, does not start another
    assert "C2" in new and new.graph["version"] == store.version() and served.get() is new
    assert builder.calls == 2


def test_a_rebuilt_projection_is_served_with_what_readers_asked_of_the_previous_one(tmp_path):
    """After a write, the rebuild computes on the new version what each scope's readers
    asked of the old one before it is swapped in: the first reader of the new version
    finds it computed, from the new data."""
    from api.core.scope import ScopedGraphCache
    from api.core.security.principal import Principal, Role

    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    views = ScopedGraphCache()
    builder = HeldBuilder()
    builder.go.set()
    served = ServedProjection(store, builder, prepare=views.carry_over, reload=builder)
    viewer = Principal("token:v", Role.VIEWER)
    computed = []

    def chain_names(view):
        computed.append(view.version)
        return sorted(a["name"] for a in view.attrs.values() if a["label"] == "Chain")

    assert views.get(served.get(), viewer).memo("names", chain_names) == ["链"]
    plan_calls = []
    views.get(served.get(), viewer).memo("plan", lambda view: plan_calls.append(view.version), carried=False)
    store.write([Node(Label.CHAIN, "C2", {"name": "新链"})])
    new = served.refresh_now()
    assert computed == [1, 2]  # computed again during the rebuild, on the new version
    assert views.get(new, viewer).memo("names", chain_names) == ["新链", "链"] and computed == [1, 2]
    assert len(plan_calls) == 1  # what is only worth computing when asked is not carried over


def test_a_rebuild_after_a_write_is_built_from_the_store_not_loaded_from_the_cache_file(tmp_path):
    """Loading (or saving) the cache file is one long call that holds the interpreter;
    the first load may use it, a rebuild while others are answered does not."""
    from graph.projection_cache import cache_path

    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    served = ServedProjection(store)
    served.get()
    made = cache_path(store.path).stat().st_mtime_ns
    store.write([Node(Label.CHAIN, "C2", {"name": "新链"})])
    assert "C2" in served.refresh_now()
    assert cache_path(store.path).stat().st_mtime_ns == made  # built in memory, the file left to the next command


def test_ready_never_waits_not_even_for_the_first_load(tmp_path):
    """What the event loop may ask: None before the first projection (the caller then waits
    for it in a worker thread), the previous one while a rebuild runs."""
    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    builder = HeldBuilder()
    served = ServedProjection(store, builder, reload=builder)
    assert served.ready() is None and builder.calls == 0
    builder.go.set()
    old = served.get()
    builder.go.clear()
    store.write([Node(Label.CHAIN, "C2", {"name": "新链"})])
    assert served.ready() is old  # the rebuild it started is held, and not waited for
    assert builder.started.wait(5)
    builder.go.set()
    assert "C2" in served.refresh_now() and served.ready() is served.get()


def test_a_view_is_found_made_only_once_it_was_made(tmp_path):
    from api.core.scope import ScopedGraphCache
    from api.core.security.principal import Principal, Role

    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    g = ServedProjection(store).get()
    views = ScopedGraphCache()
    viewer, scoped = Principal("token:v", Role.VIEWER), Principal("token:s", Role.VIEWER, frozenset({"C1"}))
    assert views.made(g, viewer) is None
    made = views.get(g, viewer)
    assert views.made(g, viewer) is made and views.made(g, scoped) is None


def test_views_of_at_most_two_versions_are_kept_so_old_projections_are_let_go(tmp_path):
    """Each view holds its version's projection: after three writes, only the served
    version's views and the one before it are kept, and the oldest projection is freed."""
    import gc
    import weakref

    from api.core.scope import ScopedGraphCache
    from api.core.security.principal import Principal, Role

    store = SQLiteStore(tmp_path / "s.db")
    store.write([Node(Label.CHAIN, "C1", {"name": "链"})])
    views = ScopedGraphCache()
    served = ServedProjection(store, prepare=views.carry_over)
    viewer, editor = Principal("token:v", Role.VIEWER), Principal("token:e", Role.EDITOR)
    first = served.get()
    views.get(first, viewer), views.get(first, editor)
    first_alive = weakref.ref(first)
    del first
    for n in range(2, 5):
        store.write([Node(Label.CHAIN, f"C{n}", {"name": f"链{n}"})])
        g = served.refresh_now()
        views.get(g, viewer), views.get(g, editor)

    kept = {key[0] for key in views._views}
    assert kept == {store.version() - 1, store.version()}
    gc.collect()
    assert first_alive() is None
