"""What every CLI command shares: the --store option, opening the store, JSON output,
and turning redchain errors into a clear message and exit code instead of a traceback."""

from __future__ import annotations

import dataclasses
import json
import sys
from contextlib import contextmanager
from enum import Enum
from typing import Annotated, Iterator

import typer
from rich.console import Console

from graph.errors import RedchainError
from graph.factory import open_store
from graph.store import GraphStore

console = Console()
err_console = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="REDCHAIN_STORE",
        help="Store URI: sqlite:///./redchain.db (default), a plain path, or neo4j://host:7687.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (field names as in DESIGN.md) instead of a table.")]


@contextmanager
def cli_store(uri: str | None) -> Iterator[GraphStore]:
    """Open the store for one command; any RedchainError becomes a message and exit 1."""
    try:
        store = open_store(uri)
    except RedchainError as exc:
        err_console.print(f"[red]错误:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    try:
        yield store
    except RedchainError as exc:
        err_console.print(f"[red]错误:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        store.close()


def to_jsonable(obj):
    """Dataclasses, enums, tuples and sets as plain JSON values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    return obj


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2) + "\n")
