"""Imports over HTTP: the uploaded files go through the same importer as ``redchain load``.

Uploads are written to a private temporary folder, each under its original file name
(the importer reads the table name of a CSV from its stem and the format from its
suffix), one sub-folder per file so two uploads with the same name cannot collide.
Problems and file names are reported with the names the person uploaded, never the
server's temporary paths.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from graph.analysis.history import snapshot_now
from graph.errors import ImportFailed
from graph.store import GraphStore
from loaders.importer import BadOption, import_options, import_paths
from loaders.problems import Problem

from api.core import audit
from api.core.errors import InvalidRequest, TooLarge
from api.core.security.principal import Principal

_CHUNK = 1024 * 1024


@dataclasses.dataclass
class Upload:
    filename: str
    file: BinaryIO


def safe_name(filename: str | None, index: int) -> str:
    """The upload's own file name without any folder part (browsers may send a path)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    if name in ("", ".", "..") or "\x00" in name:
        return f"upload-{index}"
    return name[:200]


def import_uploads(store: GraphStore, principal: Principal, uploads: list[Upload], *, dry_run: bool, max_bytes: int,
                   maps: list[str] = (), as_table: str | None = None, full: bool = False,
                   full_chains: list[str] = ()) -> dict:
    """Import uploaded files in one all-or-nothing transaction; the result as ``load --json`` prints it.

    ``maps``, ``as_table``, ``full`` and ``full_chains`` are ``load``'s ``--map``, ``--as``,
    ``--full`` and ``--chain``.
    Raises ``ImportFailed`` (problems named by the uploaded names) when anything is wrong,
    ``InvalidRequest`` for an option that cannot be used.
    """
    try:
        mapping, table = import_options(maps, as_table)
    except BadOption as exc:
        raise InvalidRequest(f"bad_{exc.option}", str(exc)) from None
    folder = Path(tempfile.mkdtemp(prefix="redchain-upload-"))
    try:
        shown: dict[str, str] = {}
        paths = []
        total = 0
        for index, upload in enumerate(uploads):
            name = safe_name(upload.filename, index)
            path = folder / str(index) / name
            path.parent.mkdir()
            with path.open("wb") as out:
                while chunk := upload.file.read(_CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise TooLarge("payload_too_large", f"上传文件合计超过上限 {max_bytes // (1024 * 1024)} MB",
                                       {"limit_bytes": max_bytes})
                    out.write(chunk)
            shown[str(path)] = name
            paths.append(path)
        try:
            report = import_paths(store, paths, dry_run=dry_run, mapping=mapping, as_table=table, full=full,
                                  full_chains=full_chains,
                                  describe=lambda files, rows, summary: [
                                      audit.import_entry(principal, [shown.get(f, f) for f in files], rows, summary)])
        except ImportFailed as failed:
            problems = [_rename(p, shown) for p in failed.problems]
            audit.record(store, principal, "import_rejected",
                         {"files": list(shown.values()), "dry_run": dry_run, "problems": len(problems)})
            raise ImportFailed(problems, failed.total, [_rename(w, shown) for w in failed.warnings]) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = report.to_dict()
    result["files"] = [shown.get(f, f) for f in report.files]
    result["warnings"] = [_rename(w, shown).as_dict() for w in report.warnings]
    for column in result["columns"]:
        column["file"] = shown.get(column["file"], column["file"])
    if not dry_run:
        snapshot_now(store)  # every import leaves a snapshot for `history` and `changes`
    return result


def _rename(problem: Problem, shown: dict[str, str]) -> Problem:
    """The problem as the person sees it: their file names, not the server's paths."""
    message = problem.message
    for path, name in shown.items():
        message = message.replace(path, name)
    return dataclasses.replace(problem, file=shown.get(problem.file, problem.file), message=message)
