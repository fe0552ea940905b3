"""The rules a stored result was computed by, as the hash of their source.

A result kept to be reused (an import's fingerprint, a coverage snapshot's report) is
reused only while the code that made it is unchanged: a new rule, limit or field in
that code gives another digest, and the result is computed again. Hashing the source
costs a few milliseconds, once per process and set of files.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the folder that holds graph/, loaders/, api/
# The source an analysis's answer follows from: a coverage snapshot's report and state, a
# kept answer (``graph.kept_answers``).
ANALYSIS_RULES = ("graph/analysis", "graph/projection.py", "graph/schema.py")


@lru_cache(maxsize=None)
def source_digest(*sources: str) -> str:
    """The digest of the Python source under ``sources`` (paths from the project's root:
    a folder's ``*.py`` files, those of its subfolders too (``graph/analysis/planners``), or
    one file)."""
    digest = hashlib.blake2b(digest_size=16)
    for source in sources:
        path = ROOT / source
        for found in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(found.relative_to(ROOT).as_posix().encode() + b"\0" + found.read_bytes())
    return digest.hexdigest()
