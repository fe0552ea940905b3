"""`redchain migrate`: copy a whole graph and its documents from one store to another
(SQLite -> Neo4j, Neo4j -> SQLite, or between two of a kind), through the store port.

The graph is one write: into Neo4j, a graph larger than one transaction is staged and
published whole (graph/neo4j_store.py), so readers of the target see all of it or nothing;
at city scale (142k nodes, 551k relationships) see benchmarks/RESULTS.md, "Neo4j beside
SQLite"."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Annotated, Iterable, Iterator

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.common import JsonOption, cli_store, console, err_console, fail, print_json
from api.cli.imports import summary_table
from graph.records import WriteSummary
from graph.store import GraphStore


def document_collections() -> tuple[str, ...]:
    """Every document collection redchain keeps (the port has no way to list them), but the
    last import's fingerprint (``loaders.unchanged``): it speaks of the source store's
    versions, which the target's do not follow."""
    from api.core import audit
    from api.core.security import accounts, tokens
    from api.core.services import plans
    from graph.analysis import history

    return (history.COLLECTION, history.STATE_COLLECTION, plans.COLLECTION, plans.INDEX, audit.COLLECTION,
            tokens.COLLECTION, accounts.COLLECTION)


def migrate(
    source: Annotated[str, typer.Option("--from", help="从哪个数据存储复制（sqlite:///a.db、neo4j://host:7687 等）。", show_default=False)],
    target: Annotated[str, typer.Option("--to", help="复制到哪个数据存储。", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="目标已有数据时也写入：按编号更新，目标中独有的记录保留。")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=0, help="分几次写入，每次的记录数；0（默认）为一次写入。写入 Neo4j 的大图已自动分批暂存、整体发布，一般不必设置；设置后每一批各自生效（失败后加 --force 重跑即可，写入可重复）。")] = 0,
    as_json: JsonOption = False,
) -> None:
    """把整个图谱及其文档（历史快照、方案、审计日志、令牌）复制到另一个数据存储。"""
    with cli_store(source) as src, cli_store(target, create=True) as dst:
        if _same_store(src, dst):
            fail("源库和目标库是同一个库。")
        held = _held(dst)
        if held and not force:
            fail(f"目标库不是空的（{held}）。确需写入请加 --force：按编号合并，目标库中多出的记录保留。")
        data = src.read()
        summary = _copy_graph(dst, data.nodes, data.rels, batch_size)
        copied = {c: _copy_documents(src, dst, c) for c in document_collections()}
        version = dst.version()
    if as_json:
        print_json({"ok": True, "from": source, "to": target, "added": summary.added, "updated": summary.updated,
                    "unchanged": summary.unchanged, "documents": copied, "version": version})
        return
    console.print(summary_table(summary, f"迁移完成：{len(data.nodes)} 个节点，{len(data.rels)} 条关系"))
    docs = "，".join(f"{c} {n}" for c, n in copied.items() if n) or "无"
    console.print(f"文档：{docs}。目标库版本：{version}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(migrate)


# -- internals ----------------------------------------------------------------------------------


def _same_store(a: GraphStore, b: GraphStore) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "sqlite":
        return Path(a.path).resolve() == Path(b.path).resolve()
    return (getattr(a, "uri", None), getattr(a, "database", None)) == (getattr(b, "uri", None), getattr(b, "database", None))


def _held(store: GraphStore) -> str:
    """What makes a store non-empty, in words; "" if it is empty."""
    parts = []
    if store.version():
        parts.append(f"版本 {store.version()}")
    documents = sum(len(store.documents(c)) for c in document_collections())
    if documents:
        parts.append(f"{documents} 份文档")
    return "，".join(parts)


def _copy_graph(store: GraphStore, nodes: list, rels: list, batch_size: int) -> WriteSummary:
    """Write the graph with a progress bar on a terminal, or plain progress lines in a log."""
    total = len(nodes) + len(rels)
    if not err_console.is_terminal:
        return _write(store, nodes, rels, batch_size, _log_progress(total))
    with Progress(
        TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True,
    ) as bar:
        task = bar.add_task("复制", total=total)
        return _write(store, nodes, rels, batch_size, lambda n: bar.advance(task, n))


def _write(store: GraphStore, nodes: list, rels: list, batch_size: int, progress) -> WriteSummary:
    if not batch_size:
        return store.write(nodes, rels, progress=progress)
    # Nodes first, so that every relationship's ends exist when it is written.
    combined = WriteSummary()
    for batch in _batches(nodes, batch_size):
        _add(combined, store.write(batch, progress=progress))
    for batch in _batches(rels, batch_size):
        _add(combined, store.write(rels=batch, progress=progress))
    return combined


def _log_progress(total: int):
    """One line every tenth of the way (a retried Neo4j transaction may count twice)."""
    done = shown = 0

    def progress(n: int) -> None:
        nonlocal done, shown
        done += n
        if 10 * done // max(total, 1) > shown:
            shown = 10 * done // max(total, 1)
            err_console.print(f"复制 {min(done, total)}/{total}", highlight=False, soft_wrap=True)

    return progress


def _copy_documents(source: GraphStore, target: GraphStore, collection: str) -> int:
    documents = source.documents(collection)
    for key, body in documents:
        target.save_document(collection, key, body)
    return len(documents)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _add(total: WriteSummary, part: WriteSummary) -> None:
    for bucket in ("added", "updated", "unchanged", "deleted"):
        for kind, n in getattr(part, bucket).items():
            total.count(bucket, kind, n)
    total.version = part.version
