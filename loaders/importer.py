"""The importer: files -> validated records -> one atomic write.

Every problem in every file is collected; if there is any, nothing is written and
``ImportFailed`` carries the list. Otherwise the whole import is one store transaction,
and importing the same files again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from graph.errors import ImportFailed
from graph.records import Node, Rel, WriteSummary
from graph.schema import LABEL_ZH, REL_SPECS, Label
from graph.store import GraphStore
from loaders.problems import Problem
from loaders.readers import SUPPORTED_SUFFIXES, read_file
from loaders.validate import Origin, Records, validate_table

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    summary: WriteSummary = field(default_factory=WriteSummary)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False


def collect_files(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """The files to read (a directory contributes its supported files, sorted)."""
    files, problems = [], []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith((".", "~$")))
            if not found:
                problems.append(Problem(str(path), "目录中没有可导入的文件（.csv、.xlsx、.xls、.json）", "empty_dir"))
            files.extend((p, str(p)) for p in found)
        elif path.exists():
            files.append((path, str(given)))
        else:
            problems.append(Problem(str(given), "文件不存在", "not_found"))
    return files, problems


def import_paths(
    store: GraphStore,
    paths: Iterable[str | Path],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import files into the store in one transaction.

    Raises ``ImportFailed`` (with ``.problems``) if anything is wrong; then nothing is
    written. With ``dry_run`` everything is checked and counted, nothing is written.
    """
    tick = progress or (lambda stage, done, total: None)
    files, problems = collect_files(paths)
    records = Records(problems=problems)
    for done, (path, display) in enumerate(files, start=1):
        result = read_file(path, display)
        records.problems.extend(result.problems)
        for raw in result.tables:
            validate_table(raw, records)
        tick("读取校验", done, len(files))
    nodes, rels = _cross_check(store, records)
    if records.problems:
        raise ImportFailed(records.problems)
    total = len(nodes) + len(rels)
    written = 0

    def on_write(n: int) -> None:
        nonlocal written
        written += n
        tick("写入", written, total)

    summary = store.write(nodes, rels, progress=on_write, dry_run=dry_run)
    return ImportReport([d for _, d in files], records.rows, summary, records.warnings, dry_run)


def _cross_check(store: GraphStore, records: Records) -> tuple[list[Node], list[Rel]]:
    """Duplicate ids, ids whose label clashes with the store, and relationship ends that
    exist nowhere or have the wrong kind. Appends to ``records.problems``."""
    nodes: dict[str, tuple[Node, Origin]] = {}
    for node, origin in records.nodes:
        if node.id in nodes:
            first = nodes[node.id][1]
            records.problems.append(origin.problem(
                f"编号 {node.id} 重复：已在 {first.file}{':' + first.sheet if first.sheet else ''} 第{first.row}行出现",
                "duplicate_id", value=node.id))
            continue
        nodes[node.id] = (node, origin)
    referenced = {r.source for r, _, _ in records.rels} | {r.target for r, _, _ in records.rels}
    stored = store.labels_of(set(nodes) | referenced)
    for node_id, (node, origin) in nodes.items():
        if node_id in stored and stored[node_id] is not node.label:
            records.problems.append(origin.problem(
                f"编号 {node_id} 在库中已是{LABEL_ZH[stored[node_id]]}，不能再作为{LABEL_ZH[node.label]}导入",
                "label_clash", value=node_id))
    labels = {**records.rejected, **stored, **{node_id: node.label for node_id, (node, _) in nodes.items()}}
    rels: dict[tuple, tuple[Rel, Origin]] = {}
    for rel, source_origin, target_origin in records.rels:
        spec = REL_SPECS[rel.type]
        ok = _end_ok(labels, rel.source, spec.sources, source_origin, records)
        ok = _end_ok(labels, rel.target, spec.targets, target_origin, records) and ok
        if not ok:
            continue
        if rel.key in rels and rels[rel.key][0].props != rel.props:
            first = rels[rel.key][1]
            records.problems.append(source_origin.problem(
                f"同一关系 {rel.source} → {rel.target} 出现两次且内容不同（另一次在第{first.row}行）", "conflicting_rel"))
            continue
        rels.setdefault(rel.key, (rel, source_origin))  # keep the first row for messages
    return [n for n, _ in nodes.values()], [r for r, _ in rels.values()]


def _end_ok(labels: dict[str, Label], node_id: str, allowed: frozenset[Label], origin: Origin, records: Records) -> bool:
    label = labels.get(node_id)
    if label in allowed:
        return True
    wanted = "或".join(LABEL_ZH[label] for label in sorted(allowed, key=lambda lb: lb.value))
    if label is None:
        records.problems.append(origin.problem(
            f"{wanted} {node_id} 不存在（既不在本次导入中，也不在库中）", "dangling", value=node_id))
        return False
    records.problems.append(origin.problem(f"{node_id} 是{LABEL_ZH[label]}，这里应为{wanted}", "wrong_kind", value=node_id))
    return False
