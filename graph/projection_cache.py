"""The projection kept on disk beside an embedded store, so that a command that only reads
does not rebuild it: ``<store>.projection`` holds the networkx graph of one version of one
store, and is used only when both still match (a write bumps the version, a new store has
a new id). A missing, stale or damaged file is simply rebuilt and replaced, atomically.

The file is as trusted as the store beside it (it is written only by redchain, and whoever
can replace it can replace the store itself).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import networkx as nx

FORMAT = 1  # bump when the projection's shape changes


def cache_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".projection")


def load(store_path: Path, store_id: str, version: int) -> nx.MultiDiGraph | None:
    """The cached projection of this store at this version, or None."""
    try:
        with cache_path(store_path).open("rb") as handle:
            header = pickle.load(handle)
            if header != (FORMAT, store_id, version):
                return None
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError, ImportError):
        return None  # missing or damaged: the caller rebuilds it


def save(store_path: Path, store_id: str, g: nx.MultiDiGraph) -> None:
    """Keep ``g`` for the next process; a failure to write only costs that process a rebuild."""
    target = cache_path(store_path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((FORMAT, store_id, g.graph["version"]), handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(g, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
