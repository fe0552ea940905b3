"""Open a store from a URI (``--store`` / ``REDCHAIN_STORE``).

- ``sqlite:///./redchain.db`` (default) or a plain path such as ``./data/x.db``;
- ``neo4j://host:7687`` / ``bolt://host:7687`` with credentials from the environment.
"""

from __future__ import annotations

from graph.errors import StoreURIError
from graph.store import GraphStore

__all__ = ["DEFAULT_STORE_URI", "open_store", "store_uri"]
DEFAULT_STORE_URI = "sqlite:///./redchain.db"
_SERVER_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def store_uri(uri: str | None = None) -> str:
    """The URI to use: the given one, else ``REDCHAIN_STORE``, else the default."""
    if uri:
        return uri
    from graph.settings import StoreSettings  # pydantic-settings costs 0.1 s to import: only when asked

    return StoreSettings().store or DEFAULT_STORE_URI


def open_store(uri: str | None = None, *, create: bool = True) -> GraphStore:
    """Open the store a URI names.

    ``create`` decides what a missing SQLite file means: with it (the default) the file is
    created, empty; without it ``StoreMissing`` is raised. Commands that only make sense
    on existing data pass ``create=False``, so that a mistyped path is not read as an empty
    district. A Neo4j database always exists once the server answers.

    Raises ``StoreURIError`` for a URI of no known kind, ``StoreMissing`` as above and
    ``StoreError`` when the store cannot be opened.

    >>> open_store("sqlite:///./demo.db")  # doctest: +SKIP
    SQLiteStore('demo.db')
    """
    uri = store_uri(uri)
    if uri.startswith(_SERVER_SCHEMES):
        from graph.neo4j_store import Neo4jStore  # imported lazily: the driver is only needed here

        return Neo4jStore.from_environment(uri)
    if uri.startswith("sqlite://"):
        path = uri[len("sqlite://") :]
        if path.startswith("/"):
            path = path[1:]  # sqlite:///./x.db -> ./x.db ; sqlite:////abs/x.db -> /abs/x.db
        if not path:
            raise StoreURIError(f"store URI {uri!r} names no file")
    elif "://" in uri:
        raise StoreURIError(
            f"unknown store URI {uri!r}: use sqlite:///path/to/file.db, a plain path, neo4j://host:7687 or bolt://host:7687"
        )
    else:
        path = uri
    from graph.sqlite_store import SQLiteStore

    return SQLiteStore(path, create=create)
