"""The projection a server answers from, so that reads never wait on writes.

After a write the store's version moves on; the projection of the new version takes a
while to build (seconds at city scale). Readers do not wait for it: the first request
that sees the new version starts one rebuild in the background and every request is
answered from the previous projection until the new one is swapped in (each answer says
which version it read: ``api.http.answer_version``; coverage and exports read the store's
version at once instead, see ``api.core.services.analyses.coverage`` and
``api.http.deps.current_reader``). Only the very first load, when there is nothing to
answer from, is waited for, and then by everyone on one build, never two. Before a
rebuilt projection is swapped in, ``prepare(g)`` computes on it what readers asked of the
previous one (the app passes ``ScopedGraphCache.carry_over``), so its first readers do
not wait for those either.

While a projection is built, the interpreter changes threads every millisecond instead of
every five (``api.core.switching``), so that the requests answered meanwhile are not held
up by the build.

A write made through this server is different: its request waits for the rebuild
(``refresh_now``) before it answers, so whoever wrote reads their own write next.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.projection import load_projection
from graph.store import GraphStore

from api.core import switching

log = logging.getLogger("redchain")


def _built(store: GraphStore) -> nx.MultiDiGraph:
    return load_projection(store, from_file=False)


class ServedProjection:
    """``load`` makes the first projection (from the cache file when it is current: nothing
    is being answered yet); ``reload`` the later ones, built from the store in small steps
    so that the threads answering meanwhile are never held up for long."""

    def __init__(self, store: GraphStore, load: Callable[[GraphStore], nx.MultiDiGraph] = load_projection,
                 prepare: Callable[[nx.MultiDiGraph], None] = lambda g: None,
                 reload: Callable[[GraphStore], nx.MultiDiGraph] = _built):
        self._store, self._load, self._reload, self._prepare = store, load, reload, prepare
        self._current: nx.MultiDiGraph | None = None
        self._build_lock = threading.Lock()  # one build at a time
        self._rebuilding = False
        self._state_lock = threading.Lock()

    def get(self) -> nx.MultiDiGraph:
        """The newest projection there is, without waiting for one being built (but for
        the very first)."""
        current = self.ready()
        return current if current is not None else self.refresh_now()

    def ready(self) -> nx.MultiDiGraph | None:
        """The newest projection there is, or None before the first one is loaded. Never
        waits: it costs a look at the store's version (a rebuild it starts runs in the
        background), so it may be called from the event loop."""
        current = self._current
        if current is not None and current.graph.get("version") != self._store.version():
            self._start_rebuild()
        return current

    def refresh_now(self) -> nx.MultiDiGraph:
        """The projection of the store's version now, built here if need be (a build under
        way is waited for, not repeated)."""
        with self._build_lock:
            current = self._current
            if current is None or current.graph.get("version") != self._store.version():
                with switching.often():  # the threads answering meanwhile get the interpreter sooner
                    current = (self._load if current is None else self._reload)(self._store)
                    self._prepare(current)
                self._current = current
            return current

    def _start_rebuild(self) -> None:
        with self._state_lock:
            if self._rebuilding:
                return
            self._rebuilding = True
        threading.Thread(target=self._rebuild, name="redchain-rebuild", daemon=True).start()

    def _rebuild(self) -> None:
        try:
            self.refresh_now()
        except Exception:  # the next request tries again; until then the previous version answers
            log.exception("rebuilding the projection failed")
        finally:
            with self._state_lock:
                self._rebuilding = False
