"""What `token create` and `user add` both say: a role, an optional chain scope, and the
check that every chain named exists."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from graph.analysis.membership import require_chain
from graph.projection import load_projection
from graph.store import GraphStore


class RoleChoice(str, Enum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


RoleOption = Annotated[RoleChoice, typer.Option(
    "--role", help="viewer 查看；editor 还可导入数据、应用方案；admin 还可查看审计日志。", show_default=False)]
ChainOption = Annotated[list[str] | None, typer.Option(
    "--chain", help="限定到这条产业链（可重复给出多条）；不给则可看全部产业链。", show_default=False)]


def require_chains(store: GraphStore, chains: list[str] | None) -> None:
    """NotFound (listing the chains there are) for the first chain id that names no chain."""
    if chains:
        g = load_projection(store)
        for chain in chains:
            require_chain(g, chain)
