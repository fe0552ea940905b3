"""The importer: files -> validated records -> one atomic write.

Every problem in every file is collected; if there is any, nothing is written and
``ImportFailed`` carries the list. Otherwise the whole import is one store transaction,
and importing the same files again changes nothing.

A link column (a segment's chain, an organisation's parent, an alliance's chain) names
one id: re-importing a row with another id replaces the stored link in that same
transaction, and the write summary counts the replaced links as deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Callable, Iterable

from graph.collector import collector_paused
from graph.columns import Runs
from graph.errors import ImportFailed, VersionConflict
from graph.records import Document, Node, WriteSummary
from graph.schema import LABEL_ZH, REL_SPECS, REL_ZH, Label, RelType
from graph.store import GraphStore
from loaders.problems import Problem, Problems
from loaders.csv_cells import ArrowCsv, parse_csv
from loaders.readers import MAX_COLUMNS, SUPPORTED_SUFFIXES, ReadResult, read_file
from loaders.ledger import (BASE_NOTE, LEFT_REGISTER, NameIndex, ambiguous_message, repeated_codes, resolve_ledgers,
                            unlisted_in_chains)
from loaders.tables import COMPLETE_END, SINGLE_LINKS, TABLES, Role, find_table, normalise_name
from loaders.validate import HeaderMapping, NodeBatch, Origin, PropRows, RelBatch, Records, validate_table
from loaders import unchanged

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Describe = Callable[[list[str], int, WriteSummary], Iterable[Document]]  # (files, rows, summary) -> documents


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    summary: WriteSummary = field(default_factory=WriteSummary)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    header_map: list[HeaderMapping] = field(default_factory=list)  # how every column was read
    removed: list[Removed] = field(default_factory=list)  # links the import removes (or would)
    left_base: list[tuple[str, str]] = field(default_factory=list)  # --full: (id, name) no longer listed
    created: dict[str, tuple[Label, str]] = field(default_factory=dict)  # entities made from a name
    repeated: str | None = None  # a repeat of the last import (``loaders.unchanged``): "bytes", the files
    # were not read; "cells", they were read, not checked or written

    def to_dict(self) -> dict:
        """The import as `redchain load --json` prints it and ``POST /api/imports`` answers."""
        return {
            "ok": True, "dry_run": self.dry_run, "files": self.files, "rows": self.rows,
            "added": self.summary.added, "updated": self.summary.updated, "unchanged": self.summary.unchanged,
            "removed": self.summary.deleted, "version": self.summary.version,
            "removed_links": [r.as_dict() for r in self.removed],
            "left_base": [{"id": i, "name": n} for i, n in self.left_base],
            "created": {i: {"label": label.value, "name": name} for i, (label, name) in self.created.items()},
            "columns": [{"file": m.file, "sheet": m.sheet, "table": m.table.name, "header": m.header,
                         "column": m.column.name if m.column else None} for m in self.header_map],
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass(frozen=True)
class Removed:
    """A stored link the import removes, with the names of its ends for people."""

    type: RelType
    source: str
    target: str
    source_name: str
    target_name: str

    def __str__(self) -> str:
        return f"{REL_ZH[self.type]}：{self.source_name}（{self.source}）→ {self.target_name}（{self.target}）"

    def as_dict(self) -> dict:
        return {"type": self.type.value, "source": self.source, "target": self.target,
                "source_name": self.source_name, "target_name": self.target_name}


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


class BadOption(ValueError):
    """An import option that cannot be used: ``option`` is ``"map"`` or ``"as"``, the
    message says why."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def import_options(maps: Iterable[str] = (), as_table: str | None = None) -> tuple[dict[str, str], str | None]:
    """``--map 原列名=标准列名`` pairs and ``--as 表`` as ``import_paths`` takes them (the
    same for the CLI, the API and the web import). Raises ``BadOption``."""
    mapping = {}
    for pair in maps:
        original, sep, standard = pair.partition("=")
        if not sep or not original.strip() or not standard.strip():
            raise BadOption("map", f"“{pair}”应写成 原列名=标准列名（如 纳税人名称=名称）")
        mapping[original.strip()] = standard.strip()
    table = None
    if as_table and as_table.strip():
        found = find_table(as_table.strip())
        if found is None:
            raise BadOption("as", f"没有叫“{as_table.strip()}”的表；可用 ledger（台账）或 {_TABLE_NAMES}")
        table = found.name
    return mapping, table


Kept = range | list[int]  # the positions of a batch's rows that pass every check


@dataclass
class Accepted:
    """What passes the cross-checks: each batch with its rows to write, and the nodes the
    import adds beyond the files (``--full``: enterprises leaving the base). Nodes and
    relationships are made from the batches while the store writes them, one at a time:
    a file of millions of rows is never held as millions of records at once."""

    nodes: list[tuple[NodeBatch, Kept]]
    rels: list[tuple[RelBatch, Kept]]
    extra: list[Node] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(kept) for _, kept in self.nodes) + len(self.extra) + sum(len(kept) for _, kept in self.rels)

    def node_records(self) -> Runs:
        # A generator: each batch's rows are put in id order only when the write reaches it.
        return Runs(chain((batch.nodes(kept) for batch, kept in self.nodes), [self.extra]))

    def rel_records(self) -> Runs:
        return Runs(batch.rels(kept) for batch, kept in self.rels)

    def ids(self, label: Label) -> set[str]:
        return {batch.ids[i] for batch, kept in self.nodes if batch.label is label for i in kept}

    def rel_keys(self) -> set[tuple[RelType, str, str]]:
        return {(batch.type, batch.sources[i], batch.targets[i]) for batch, kept in self.rels for i in kept}


def import_paths(
    store: GraphStore,
    paths: Iterable[str | Path],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    describe: Describe | None = None,
    mapping: dict[str, str] | None = None,
    as_table: str | None = None,
    full: bool = False,
    full_chains: Iterable[str] = (),
) -> ImportReport:
    """Import files into the store in one transaction.

    Raises ``ImportFailed`` (with ``.problems``) if anything is wrong; then nothing is
    written. With ``dry_run`` everything is checked and counted, nothing is written.
    ``describe(files, rows, summary)`` makes documents saved in the same transaction as
    the import (its audit entry), so a committed import always has them.
    ``mapping`` ({原列名: 标准列名}, see ``import_options``) names columns the synonyms do
    not know; ``as_table`` (a table's name, e.g. ``"ledger"``) reads every sheet as that
    table; with ``full`` the files are the complete register: stored enterprises they do
    not list leave the base; with ``full_chains`` too (chains' codes or names) the files are
    the register of those chains only (see ``_leave_base``).
    """
    with collector_paused():  # a third of the validation time otherwise, at 100k enterprises
        return _import(store, paths, dry_run, progress or (lambda stage, done, total: None),
                       {normalise_name(k): v for k, v in (mapping or {}).items()}, as_table, full, describe,
                       tuple(full_chains))


def _import(store: GraphStore, paths: Iterable[str | Path], dry_run: bool, tick: Progress,
            mapping: dict[str, str], as_table: str | None, full: bool,
            describe: Describe | None = None, full_chains: tuple[str, ...] = ()) -> ImportReport:
    files, problems = collect_files(paths)
    if full_chains and not full:
        problems.append(Problem("--chain", "只有完整台账（--full）才能限定产业链：说明文件是哪几条产业链的完整台账", "chain_without_full"))
    shown = [d for _, d in files]
    register = [*sorted(full_chains)] if full and full_chains else full  # --full, or the chains it is limited to
    inputs = unchanged.fingerprint(files, mapping, as_table, register) if files and not problems else None
    if inputs is not None and (again := _repeat(store, inputs, None, shown, dry_run, describe)) is not None:
        tick("读取校验", len(files), len(files))
        return again
    cells = unchanged.CellsDigest(shown, mapping, as_table, register) if inputs is not None else None
    # A CSV file Arrow parses is known by its cells' digest, and read into Python only if needed.
    read: list[tuple[str, ReadResult | tuple[Path, ArrowCsv]]] = []
    for index, (path, display) in enumerate(files):
        parsed = parse_csv(path, MAX_COLUMNS) if cells is not None and path.suffix.lower() == ".csv" else None
        if parsed is not None:
            cells.add_csv(index, parsed.digest)
            read.append((display, (path, parsed)))
            continue
        result = read_file(path, display)
        if cells is not None:
            for table in result.tables:
                cells.add(index, table)
        read.append((display, result))
    problems_read = any(isinstance(result, ReadResult) and result.problems for _, result in read)
    cells_digest = cells.hexdigest() if cells is not None and not problems_read else None
    if cells_digest is not None and (again := _repeat(store, inputs, cells_digest, shown, dry_run, describe)) is not None:
        tick("读取校验", len(files), len(files))
        return again
    records = Records(problems=Problems(problems))
    unknown: dict[str, list[str]] = {}  # file -> the names of its tables that are no import table
    recognised = False
    for done in range(1, len(read) + 1):
        display, result = read.pop(0)  # each file's raw cells let go once checked
        if not isinstance(result, ReadResult):
            path, parsed = result
            result = read_file(path, display, parsed)
        recognised = _checked(display, result, records, unknown, mapping, as_table) or recognised
        del result
        tick("读取校验", done, len(files))
    if not recognised:
        records.problems.extend(_nothing_recognised(unknown))
    created, stored = {}, None
    if records.ledger and not records.problems:
        stored = store.read(labels=_NAMED_LABELS)
        created = resolve_ledgers(records, stored)
    elif records.ledger:
        records.problems.extend(repeated_codes(records))
    accepted, replaced = _cross_check(store, records)
    if stored is not None and not records.problems and not full:
        records.warnings.extend(unlisted_in_chains(records, stored))
    del stored
    scope = _chains_named(store, records, accepted, full_chains) if full and full_chains else None
    if records.problems:
        unread = {p.file for p in records.problems if p.code == "no_known_table"}  # that problem says the rest
        raise ImportFailed(records.problems.summarised(), records.problems.total,
                           [w for w in records.warnings.summarised() if not (w.code == "unknown_table" and w.file in unread)])
    for batch in records.rels:
        if batch.in_full and (role := COMPLETE_END.get(batch.type)) is not None:
            records.complete.append((batch.type, role, set(batch.sources if role is Role.SOURCE else batch.targets), None))
    _clear_blanks(store, accepted)
    if full and not full_chains:  # the whole register states every chain of each enterprise it lists (QA round 11)
        records.complete = [(rtype, role, ids, None) for rtype, role, ids, _ in records.complete]
    removed = _removed_links(store, records, accepted) if records.complete else []
    left_base: list[tuple[str, str]] = []
    if full:
        left_base, left_chains = _leave_base(store, records, accepted, [d for _, d in files], scope)
        removed = sorted([*removed, *left_chains], key=lambda r: (r.type.value, r.target, r.source))
    replaced = list(dict.fromkeys([*replaced, *(r_key(r) for r in removed)]))
    total = len(accepted)
    written = 0

    def on_write(n: int) -> None:
        nonlocal written
        written += n
        tick("写入", written, total)

    warnings = records.warnings.summarised()

    def documents(summary: WriteSummary) -> Iterable[Document]:
        made = list(describe(shown, records.rows, summary)) if describe is not None else []
        if inputs is not None and not created:
            made.append(unchanged.remembered(inputs, cells_digest, shown, records.rows, summary, records.header_map, warnings))
        return made

    summary = store.write(accepted.node_records(), accepted.rel_records(), delete_rels=replaced, documents=documents,
                          progress=None if dry_run else on_write, dry_run=dry_run)
    return ImportReport(shown, records.rows, summary, warnings, dry_run, records.header_map,
                        removed, left_base, created)


def _repeat(store: GraphStore, inputs: str, cells: str | None, shown: list[str], dry_run: bool,
            describe: Describe | None) -> ImportReport | None:
    """The report of a repeat of the last import (``loaders.unchanged``): of the same
    bytes (``cells`` None: the files not read), or of files read with the same cells. Its
    audit entry is written; None when these are not the last import's inputs or the store
    has changed."""
    last = unchanged.last_import(store, None if cells else inputs, cells)
    if last is None:
        return None
    summary = last.summary()
    if not dry_run:
        made = list(describe(shown, last.rows, summary)) if describe is not None else []
        if cells is not None and inputs is not None:
            made.append(last.with_fingerprint(inputs))
        if made:
            try:
                store.write(documents=made, expected_version=last.version)
            except VersionConflict:
                return None  # a write came in between: check the files after all
    return ImportReport(shown, last.rows, summary, last.warnings_for(shown), dry_run, last.header_map(shown),
                        repeated="cells" if cells else "bytes")


def _checked(display: str, result: ReadResult, records: Records, unknown: dict[str, list[str]],
             mapping: dict[str, str], as_table: str | None) -> bool:
    """Check one file's tables into ``records``; True if one of them is an import table
    (the names of the others go into ``unknown``). The caller lets the file's raw cells
    go once checked, not held through the next file and the write: at 2·10⁶ rows they
    take as much memory as the records made from them."""
    records.problems.extend(result.problems)
    if not result.tables and not result.problems:
        unknown[display] = []
    recognised = False
    for raw in result.tables:
        if validate_table(raw, records, mapping=mapping, force=as_table):
            recognised = True
        else:
            unknown.setdefault(display, []).append(raw.name)
    return recognised


# Labels an entity may be named by (rather than by id) in a ledger or a relationship sheet.
_NAMED_LABELS = tuple(Label)


def r_key(removed: Removed) -> tuple[str, str, str]:
    return (removed.type.value, removed.source, removed.target)


def _removed_links(store: GraphStore, records: Records, accepted: Accepted) -> list[Removed]:
    """The stored links the import states in full and no longer holds: for each
    (type, owning end, owners, within) of ``records.complete``, the stored links of that
    type whose owning end is one of the owners, whose other end is in ``within`` (None:
    any), and that the import does not hold."""
    scope: dict[tuple[RelType, Role], dict[str, frozenset[str] | None]] = {}
    for rtype, role, ids, within in records.complete:
        owners = scope.setdefault((rtype, role), {})
        for owner in ids:
            if within is None or owners.get(owner, within) is None:
                owners[owner] = None  # stated in full somewhere: every stored link of it
            else:
                owners[owner] = owners.get(owner, frozenset()) | within
    everyone = set().union(*scope.values())
    if not store.labels_of(everyone):
        return []  # none of them is stored yet: nothing stored to replace
    kept = accepted.rel_keys()
    gone = []
    for rel in store.links({rtype for rtype, _ in scope}):  # only the types stated in full
        for role in (Role.SOURCE, Role.TARGET):
            owner, other = (rel.source, rel.target) if role is Role.SOURCE else (rel.target, rel.source)
            owners = scope.get((rel.type, role), {})
            if (owner in owners and ((within := owners[owner]) is None or other in within)
                    and (rel.type, rel.source, rel.target) not in kept):
                gone.append(rel)
                break
    if not gone:
        return []
    ends = {end for rel in gone for end in (rel.source, rel.target)}
    names = {node.id: node.props.get("name", node.id) for node in store.read(ids=ends).nodes}
    names.update({node_id: name for batch in records.nodes for node_id, props in zip(batch.ids, batch.props)
                  if node_id in ends and (name := props.get("name"))})
    removed = [Removed(rel.type, rel.source, rel.target, names.get(rel.source, rel.source), names.get(rel.target, rel.target))
               for rel in gone]
    return sorted(removed, key=lambda r: (r.type.value, r.target, r.source))


def _clear_blanks(store: GraphStore, accepted: Accepted) -> None:
    """A column a table has is the truth for the rows it lists: a blank cell there removes
    the stored value (the schema default then applies). A row holding a blank whose node
    the store holds gets a None for that column, which the store's write removes (and
    leaves uncounted where there was nothing to remove); a new node is never given a None.
    A table without blanks, or whose blank rows are all new, is written as it was read.
    (The ledger does the same for its rows: ``loaders.ledger.stated_props``.)"""
    written = []
    for batch, kept in accepted.nodes:
        written.append((batch, kept))
        props = batch.props
        if not isinstance(props, PropRows):
            continue
        blank_columns = [(name, column) for name, column in zip(props.names, props.columns) if None in column]
        if not blank_columns:
            continue
        rows = set()
        for _, column in blank_columns:
            rows.update(i for i, value in enumerate(column) if value is None)
        rows.intersection_update(kept)
        stored = store.labels_of({batch.ids[i] for i in rows})
        if not (rows := sorted(i for i in rows if batch.ids[i] in stored)):
            continue
        # Those rows are written apart, as records; the others stay a table's columns.
        apart = set(rows)
        written[-1] = (batch, [i for i in kept if i not in apart])
        clearing = [{**props[i], **{name: None for name, column in blank_columns if column[i] is None}} for i in rows]
        written.append((NodeBatch(batch.label, batch.file, batch.sheet, batch.header, [batch.ids[i] for i in rows],
                                  clearing, [batch.rows[i] for i in rows]), range(len(rows))))
    accepted.nodes = written


def _leave_base(store: GraphStore, records: Records, accepted: Accepted, files: list[str],
                scope: set[str] | None) -> tuple[list[tuple[str, str]], list[Removed]]:
    """``--full``: the stored base enterprises the import does not list leave the base
    (kept, with ``in_base`` false and a note why; their updates join ``accepted.extra``).

    With ``scope`` (``--full --chain``: the files are the register of those chains only) an
    unlisted enterprise of those chains leaves the base if it is in no other chain, else
    leaves only them (its links to their segments are returned, to be removed), and the
    rest of the base is not touched. Without it, a ledger placing every enterprise it lists
    in some chains is warned of the enterprises of other chains, or of none, that leave with
    them (QA round 10: the 工程机械 ledger with --full took 771 of 955 out of the base).
    Returns (id, name) of those leaving the base, and the links removed."""
    listed = accepted.ids(Label.ENTERPRISE)
    note = f"{LEFT_REGISTER} {'、'.join(Path(f).name for f in files)}"
    unlisted = [node for node in store.read(labels=[Label.ENTERPRISE]).nodes
                if node.id not in listed and node.props.get("in_base", True) is not False]
    links = store.links({RelType.IN_SEGMENT, RelType.PART_OF}) if unlisted else []
    chain_of = {rel.source: rel.target for rel in links if rel.type is RelType.PART_OF}
    segments: dict[str, set[str]] = {}
    for rel in links:
        if rel.type is RelType.IN_SEGMENT:
            segments.setdefault(rel.source, set()).add(rel.target)
    file_chains = _file_chains(records, accepted, chain_of) if scope is None else None
    leaving, left_chains, beyond = [], [], 0
    for node in unlisted:
        chains = {chain_of.get(segment) for segment in segments.get(node.id, ())}
        if scope is None or (chains and chains <= scope):
            leaving.append(node)
            beyond += file_chains is not None and not (chains and chains <= file_chains)
        elif chains & scope:
            left_chains += [(node, segment) for segment in sorted(segments[node.id]) if chain_of.get(segment) in scope]
    if beyond:
        records.warnings.append(_beyond_the_file(store, file_chains, beyond, files))
    leaving.sort(key=lambda node: node.id)
    accepted.extra += [Node(Label.ENTERPRISE, node.id, {"in_base": False, BASE_NOTE: note}) for node in leaving]
    segment_names = {n.id: n.props.get("name", n.id) for n in store.read(ids={s for _, s in left_chains}).nodes} if left_chains else {}
    return ([(node.id, node.props.get("name", "")) for node in leaving],
            [Removed(RelType.IN_SEGMENT, node.id, segment, node.props.get("name", node.id), segment_names.get(segment, segment))
             for node, segment in left_chains])


def _chains_named(store: GraphStore, records: Records, accepted: Accepted, named: Iterable[str]) -> set[str]:
    """The chains ``--chain`` names (a code, or a name as a ledger's cell names it: 工程机械,
    工程机械产业链), stored or in this import; a problem for each that is neither."""
    from loaders.ledger import chain_key

    chains = {node.id: node.props.get("name", node.id) for node in store.read(labels=[Label.CHAIN]).nodes}
    for batch, kept in accepted.nodes:
        if batch.label is Label.CHAIN:
            chains.update((batch.ids[i], batch.props[i].get("name", batch.ids[i])) for i in kept)
    by_name = {chain_key(name): chain for chain, name in chains.items()}
    placed = {chain for _, chain in _placed(accepted, {r.source: r.target for r in store.links({RelType.PART_OF})})}
    found = set()
    for text in named:
        if (chain := text if text in chains else by_name.get(chain_key(text))) is None:
            records.problems.append(Problem("--chain", f"没有产业链 {text}（可填产业链编号或名称：{'、'.join(sorted(chains.values())[:8])}）",
                                            "unknown_chain", value=text))
        elif chain not in placed:  # its register would take every enterprise of it out (QA round 11)
            records.problems.append(Problem("--chain", f"文件中没有产业链 {chains[chain]} 的企业，不能是它的完整台账：请检查 --chain",
                                            "chain_not_in_file", value=text))
        found.add(chain)
    return found - {None}


def _placed(accepted: Accepted, chain_of: dict[str, str]) -> set[tuple[str, str | None]]:
    """(enterprise, chain) for each enterprise the import places in a segment; ``chain_of``:
    the stored segments' chains (the import's own are added)."""
    chain_of = {**chain_of, **{batch.sources[i]: batch.targets[i] for batch, kept in accepted.rels
                               if batch.type is RelType.PART_OF for i in kept}}
    return {(batch.sources[i], chain_of.get(batch.targets[i])) for batch, kept in accepted.rels
            if batch.type is RelType.IN_SEGMENT for i in kept}


def _file_chains(records: Records, accepted: Accepted, chain_of: dict[str, str]) -> set[str] | None:
    """The chains a ledger places its enterprises in, when it places every one of them in a
    chain; None for normalised tables, or a ledger listing an enterprise in no chain."""
    if not records.ledger:
        return None
    placed = _placed(accepted, chain_of)
    if not placed or accepted.ids(Label.ENTERPRISE) - {enterprise for enterprise, _ in placed}:
        return None
    return {chain for _, chain in placed} - {None}


def _beyond_the_file(store: GraphStore, chains: set[str], count: int, files: list[str]) -> Problem:
    """The warning of a plain ``--full`` whose ledger sits in ``chains`` while ``count``
    enterprises of other chains, or of none, leave the base with it."""
    names = {node.id: node.props.get("name", node.id) for node in store.read(ids=chains).nodes}
    said = sorted(names.get(c, c) for c in chains)
    return Problem(files[0], f"本文件列出的企业都在产业链 {'、'.join(said)} 中，按 --full，其他产业链和未归入产业链的 {count} 家企业"
                             f"也移出基数；若本文件只是这些产业链的台账，请改用 --full --chain {' --chain '.join(said)}",
                   "full_beyond_chains")


_TABLE_NAMES = "、".join(table.display for table in TABLES)


def _nothing_recognised(unknown: dict[str, list[str]]) -> list[Problem]:
    """Files that hold tables, none of them an import table: an import that would write
    nothing and say it succeeded is an error."""
    problems = []
    for file, names in unknown.items():
        found = f"：{'、'.join(names)}" if names else ""
        hint = "（CSV 文件以文件名为表名）" if file.lower().endswith(".csv") else ""
        problems.append(Problem(file, f"没有可识别的表{found}；表名应为 {_TABLE_NAMES}{hint}；"
                                      "或是一张台账（表头有 单位名称 和 统一社会信用代码，所属产业链、党组织名称 等列可选；"
                                      "可用 --as ledger 指定）", "no_known_table"))
    return problems


# -- cross-checks: the import against itself and the store ------------------------------------


def _cross_check(store: GraphStore, records: Records) -> tuple[Accepted, list[tuple[str, str, str]]]:
    """Duplicate ids, ids whose label clashes with the store, relationship ends that exist
    nowhere or have the wrong kind, and cycles of parent organisations. Appends to
    ``records.problems``; returns the rows to write and the stored links the import
    replaces.

    Each check runs over whole columns with sets; only a batch that has a problem is
    walked row by row, in row order, to say where.
    """
    imported: dict[str, Label] = {}
    for batch in reversed(records.nodes):  # the first row of an id decides its label
        imported.update(zip(batch.ids, repeat(batch.label)))
    kept_nodes = _unique_nodes(records, len(imported))
    referenced = set().union(*(b.sources for b in records.rels), *(b.targets for b in records.rels))
    stored = _stored_labels(store, imported, referenced)
    if unresolved := referenced - imported.keys() - stored.keys() - records.rejected.keys():
        _resolve_names(store, records, unresolved)
        referenced = set().union(*(b.sources for b in records.rels), *(b.targets for b in records.rels))
        stored = _stored_labels(store, imported, referenced)
    clashes = {node_id for node_id, label in stored.items() if node_id in imported and imported[node_id] is not label}
    if clashes:
        for batch, kept in kept_nodes:
            for i in kept:
                if (node_id := batch.ids[i]) in clashes:
                    records.problems.append(batch.origin(i).problem(
                        f"编号 {node_id} 在库中已是{LABEL_ZH[stored[node_id]]}，不能再作为{LABEL_ZH[batch.label]}导入",
                        "label_clash", value=node_id))
    kept_rels = _valid_rels(records, _end_labels(referenced, imported, stored, records.rejected))
    replaced = _replaced_links(store, records, stored, kept_rels)
    return Accepted(kept_nodes, kept_rels), replaced


_LABEL_CHUNK = 50_000  # imported ids asked about at a time: what is held of their stored labels


def _stored_labels(store: GraphStore, imported: dict[str, Label], referenced: set[str]) -> dict[str, Label]:
    """The stored label of each referenced id the store holds, and of each imported id
    the store holds under another label (a clash): all that the cross-checks read. The
    imported ids are asked about a chunk at a time and only the clashes kept: re-importing
    2·10⁶ stored rows, a label for each took 0.25 GB (the cross-checks peaked at 1.2 GB,
    0.95 GB now)."""
    stored = store.labels_of(referenced)
    ids = iter(imported)
    while chunk := list(islice(ids, _LABEL_CHUNK)):
        stored.update((node_id, label) for node_id, label in store.labels_of(chunk).items()
                      if label is not imported[node_id])
    return stored


def _end_labels(referenced: set[str], imported: dict[str, Label], stored: dict[str, Label],
                rejected: dict[str, Label]) -> dict[str, Label]:
    """The label of each relationship end: as imported, else as stored, else as named by a
    node row that had a problem. Only the ends: a table of every id would be as large as
    the import."""
    labels = {}
    for node_id in referenced:
        label = imported.get(node_id) or stored.get(node_id) or rejected.get(node_id)
        if label is not None:
            labels[node_id] = label
    return labels


def _resolve_names(store: GraphStore, records: Records, unresolved: set[str]) -> None:
    """Relationship ends that are no id: a name unique among the entities the end may be
    (in the import or the store) stands for that entity's id. An ambiguous name is a
    problem listing the candidates; an unknown one gets the closest names as a hint."""
    index = NameIndex(records, store.read())
    for batch in records.rels:
        spec = REL_SPECS[batch.type]
        for ends, labels, origin in ((batch.sources, spec.sources, batch.source_origin),
                                     (batch.targets, spec.targets, batch.target_origin)):
            wanted = tuple(sorted(labels, key=lambda lb: lb.value))
            for i, value in enumerate(ends):
                if value not in unresolved:
                    continue
                found, candidates = index.find(wanted, value)
                if found is not None:
                    ends[i] = found
                elif candidates:
                    records.problems.append(origin(i).problem(ambiguous_message(index, wanted, value, candidates),
                                                              "ambiguous_name", value=value))
                    records.name_hints[value] = None
                elif close := index.closest(wanted, value):
                    records.name_hints[value] = f"；是否是：{'、'.join(close)}？"


def _unique_nodes(records: Records, distinct: int) -> list[tuple[NodeBatch, Kept]]:
    """Each batch with the positions of its ids' first rows; later rows of an id are
    problems. ``distinct``: how many different ids the batches hold."""
    if sum(len(b.ids) for b in records.nodes) == distinct:
        return [(batch, range(len(batch.ids))) for batch in records.nodes]
    first: dict[str, tuple[NodeBatch, int]] = {}
    kept_nodes = []
    for batch in records.nodes:
        kept = []
        for i, node_id in enumerate(batch.ids):
            if node_id in first:
                where = first[node_id][0].origin(first[node_id][1])
                records.problems.append(batch.origin(i).problem(
                    f"编号 {node_id} 重复：已在 {where.file}{':' + where.sheet if where.sheet else ''} 第{where.row}行出现",
                    "duplicate_id", value=node_id))
                continue
            first[node_id] = (batch, i)
            kept.append(i)
        kept_nodes.append((batch, kept))
    return kept_nodes


def _valid_rels(records: Records, labels: dict[str, Label]) -> list[tuple[RelBatch, Kept]]:
    """Each batch with the positions of its relationships whose ends exist with the right
    labels (``labels``: each end's), each relationship once (a second row with other
    properties is a problem)."""
    earlier: dict[RelType, list[tuple[RelBatch, Kept, set[tuple[str, str]]]]] = {}
    kept_rels = []
    for batch in records.rels:
        spec, before = REL_SPECS[batch.type], earlier.setdefault(batch.type, [])
        keys = list(zip(batch.sources, batch.targets))
        distinct = set(keys)
        if (spec.sources.issuperset(map(labels.get, batch.sources)) and spec.targets.issuperset(map(labels.get, batch.targets))
                and len(distinct) == len(keys) and all(distinct.isdisjoint(seen) for _, _, seen in before)):
            kept: Kept = range(len(keys))
        else:
            kept = _valid_rows(batch, keys, labels, before, records)
            distinct = {keys[i] for i in kept}
        before.append((batch, kept, distinct))
        kept_rels.append((batch, kept))
    return kept_rels


def _valid_rows(batch: RelBatch, keys: list[tuple[str, str]], labels: dict[str, Label],
                before: list[tuple[RelBatch, Kept, set]], records: Records) -> list[int]:
    """A batch with a problem, row by row: the positions to keep; problems in row order."""
    spec = REL_SPECS[batch.type]
    seen = {(other.sources[j], other.targets[j]): (other, j) for other, kept, _ in before for j in kept}
    kept = []
    for i, key in enumerate(keys):
        ok = _end_ok(labels, key[0], spec.sources, batch.source_origin(i), records)
        ok = _end_ok(labels, key[1], spec.targets, batch.target_origin(i), records) and ok
        if not ok:
            continue
        if key in seen:
            other, j = seen[key]
            if other.rel_props(j) != batch.rel_props(i):
                records.problems.append(batch.source_origin(i).problem(
                    f"同一关系 {key[0]} → {key[1]} 出现两次且内容不同（另一次在第{other.rows[j]}行）", "conflicting_rel"))
            continue  # the first row is kept
        seen[key] = (batch, i)
        kept.append(i)
    return kept


def _end_ok(labels: dict[str, Label], node_id: str, allowed: frozenset[Label], origin: Origin, records: Records) -> bool:
    label = labels.get(node_id)
    if label in allowed:
        return True
    wanted = "或".join(LABEL_ZH[label] for label in sorted(allowed, key=lambda lb: lb.value))
    if label is None:
        if node_id in records.name_hints and records.name_hints[node_id] is None:
            return False  # an ambiguous name, already reported with its candidates
        records.problems.append(origin.problem(
            f"{wanted} {node_id} 不存在（既不在本次导入中，也不在库中）{records.name_hints.get(node_id, '')}",
            "dangling", value=node_id))
        return False
    records.problems.append(origin.problem(f"{node_id} 是{LABEL_ZH[label]}，这里应为{wanted}", "wrong_kind", value=node_id))
    return False


# -- link columns: one link per node, replaced on re-import; no parent cycles -------------------


def _replaced_links(store: GraphStore, records: Records, stored: dict[str, Label],
                   kept_rels: list[tuple[RelBatch, Kept]]) -> list[tuple[str, str, str]]:
    """The stored links the import's link columns replace, as ``delete_rels`` keys; adds
    a problem for each cycle of parent organisations the import would make."""
    links: dict[tuple[RelType, str], tuple[str, RelBatch, int]] = {}
    for batch, kept in kept_rels:
        if batch.type in SINGLE_LINKS:
            for i in kept:
                links.setdefault((batch.type, batch.sources[i]), (batch.targets[i], batch, i))
    # Only nodes already in the store can have stored links to replace, or close a cycle
    # through the store: a stored link never points at a node the store does not hold.
    present = {rtype for rtype, source in links if source in stored}
    before: dict[tuple[RelType, str], list[str]] = {}
    if present:
        wanted = set().union(*(REL_SPECS[rtype].sources | REL_SPECS[rtype].targets for rtype in present))
        for rel in store.read(labels=wanted).rels:
            if rel.type in present:
                before.setdefault((rel.type, rel.source), []).append(rel.target)
    replaced = [(rtype.value, source, old) for (rtype, source), olds in before.items()
                if (rtype, source) in links for old in olds if old != links[rtype, source][0]]
    _report_parent_cycles(records, links, before)
    return replaced


def _report_parent_cycles(records: Records, links: dict[tuple[RelType, str], tuple[str, RelBatch, int]],
                          before: dict[tuple[RelType, str], list[str]]) -> None:
    under = {source: (target, batch, i) for (rtype, source), (target, batch, i) in links.items() if rtype is RelType.UNDER}
    if not under:
        return
    parents = {source: targets for (rtype, source), targets in before.items() if rtype is RelType.UNDER}
    parents.update((source, [target]) for source, (target, _, _) in under.items())
    order = {source: n for n, source in enumerate(under)}  # import order: where each cycle is reported
    for cycle in _cycles(parents, list(under)):
        if not any(org in under for org in cycle):
            continue  # a cycle the store already held: not this import's doing
        start = min((org for org in cycle if org in under), key=order.__getitem__)
        cycle = cycle[cycle.index(start):] + cycle[:cycle.index(start)]
        _, batch, i = under[start]
        here = batch.target_origin(i)
        rows, held = [], []
        for org, parent in zip(cycle, cycle[1:] + cycle[:1]):
            if org in under:
                _, other, j = under[org]
                where = "" if (other.file, other.sheet) == (here.file, here.sheet) else (
                    f"{other.file}{':' + other.sheet if other.sheet else ''} ")
                rows.append(f"{where}第{other.rows[j]}行")
            else:
                held.append(f"{org} → {parent}")
        stored_part = f"；{'、'.join(held)} 已在库中" if held else ""
        records.problems.append(here.problem(
            f"上级党组织形成循环：{' → '.join(cycle + cycle[:1])}（{'、'.join(rows)}{stored_part}）", "parent_cycle",
            value=start))


def _cycles(parents: dict[str, list[str]], starts: list[str]) -> list[list[str]]:
    """The cycles reachable from ``starts``, each as the list of its nodes in link order
    (a depth-first search; each back link closes one cycle)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []
    for start in starts:
        if start in state:
            continue
        path, pending = [start], [iter(parents.get(start, ()))]
        state[start] = 1
        while pending:
            node = next(pending[-1], None)
            if node is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(node) == 1:
                cycles.append(path[path.index(node):])
            elif node not in state:
                state[node] = 1
                path.append(node)
                pending.append(iter(parents.get(node, ())))
    return cycles
