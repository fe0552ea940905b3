"""The projection kept on disk, so that a command that only reads does not rebuild it:
``<store>.projection`` beside an embedded store, and for a server's store (Neo4j) a file
named by the store's id in the user's cache folder (``REDCHAIN_CACHE_DIR``, else
``$XDG_CACHE_HOME/redchain``, else ``~/.cache/redchain``; made readable by its owner only).
It holds the networkx graph of one version of one store and is used only when both still
match (a write bumps the version, a new store has a new id). A missing, stale or damaged
file is simply rebuilt and replaced, atomically. For Neo4j this is the difference between
reading the whole graph over Bolt for every command (47 s for the city demo) and reading
one file (under 1 s) after one round trip for the version.

The graph is kept as its plain dicts (``graph``, ``_node``, ``_succ``, ``_pred``) in
``marshal``'s format: it keeps the edge dicts ``_succ`` and ``_pred`` share as one object,
and reads back in about 60 % of pickle's time (0.79 s against 1.33 s for the city demo's
100,000 enterprises and 550,000 relationships), since it builds dicts directly instead of
running a graph's ``__setstate__``. ``FORMAT`` is part of the key, with the Python version
(marshal's format may change between versions).

The file is as trusted as the store beside it (it is written only by redchain, and whoever
can replace it can replace the store itself); the cache folder of a server's store is the
user's own, and holds what that user may read from the server (names included), so it is
made private (0700) and each file 0600.
"""

from __future__ import annotations

import marshal
import os
import sys
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

# Bump the first when the projection's shape changes, or its sharing (3: pairs of nodes share
# their dict of edges, so files kept before are read again once to get that memory back).
FORMAT = (3, sys.version_info[:2])
_MARSHAL_VERSION = 4


def cache_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".projection")


def anchor(store: object, store_id: str) -> Path | None:
    """What the store's cache file is named after: an embedded store's own file, else
    ``neo4j-<id>`` in the user's cache folder (None if that folder cannot be made). A key's
    id is the store's own id, then a dot and the token of its last write (``projection_key``):
    only the store's own id names the file, so each write replaces the files, not adds to them."""
    own = getattr(store, "path", None)
    if own is not None:
        return Path(own)
    folder = Path(os.environ.get("REDCHAIN_CACHE_DIR")
                  or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "redchain")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"neo4j-{store_id.partition('.')[0]}"


def load(store_path: Path, store_id: str, version: int) -> nx.MultiDiGraph | None:
    """The cached projection of this store at this version, or None."""
    try:
        with cache_path(store_path).open("rb") as handle:
            header = marshal.load(handle)
            if header != (FORMAT, store_id, version):
                return None
            # From bytes: marshal.load on a file reads object by object (four times slower).
            graph, node, succ, pred = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None  # missing or damaged: the caller rebuilds it
    import networkx as nx

    g = nx.MultiDiGraph()
    g.graph = graph
    g._node = node
    g._adj = g._succ = succ
    g._pred = pred
    return g


def save(store_path: Path, store_id: str, g: nx.MultiDiGraph) -> None:
    """Keep ``g`` for the next process; a failure to write only costs that process a rebuild."""
    write_kept(cache_path(store_path), (FORMAT, store_id, g.graph["version"]), (g.graph, g._node, g._succ, g._pred))


def write_kept(target: Path, header: tuple, body: object) -> None:
    """Write ``header`` then ``body`` in marshal's format to ``target``, atomically (a reader
    sees the old file or the new one) and readable by its owner only. A failure to write,
    or a value marshal cannot keep (ValueError), leaves the old file: the next process
    computes what it would have read."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                marshal.dump(header, handle, _MARSHAL_VERSION)
                marshal.dump(body, handle, _MARSHAL_VERSION)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        pass
