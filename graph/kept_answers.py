"""Answers kept beside the projection, so that a question asked again of a store that has
not changed is answered without reading the graph at all.

An answer (an analysis's JSON-able result) depends only on the store's content, which its
id and version name, and on the rules that computed it (``graph.source_digest`` of
``ANALYSIS_RULES``). It is kept in ``<anchor>.answers``, next to the projection's file
(``graph.projection_cache.anchor``: beside an embedded store, in the user's private cache
folder for a server's store), under those three and the question. A write gives the store
a new version and a changed rule a new digest: the file then no longer matches, and the
first answer computed after it starts a new one. For the city demo's ``report --by chain``
as a whole process this is 1.0 s (the projection read from its file, then the report
computed) against 0.3 s (a few kilobytes read).

Every import computes the whole base's coverage for its snapshot (``graph.analysis.history``)
and keeps it here too, with its coverage base (below), so the first ``report`` after
``redchain load``, of any grouping or chain, is answered without building the new version's
projection (about 5 s as a whole process at city scale).

A question not asked yet of an unchanged store can still be spared the projection: what a
family of answers is computed from (``KeptInputs``) is kept in a file of its own, under the
same key, and the answer computed from that. Coverage keeps its numbered base there
(``<anchor>.coverage-base``, ``coverage_inputs``): every grouping's and chain's sums, a few
megabytes for the city demo, read in milliseconds; ``report --by park`` after
``report --by chain`` then takes 0.3 s as a whole process instead of 1.2 s.

The answers file holds at most ``KEPT_ANSWERS_BYTES`` of answers; past that it starts again
from the newest. Like the projection's file, both files are written atomically and read only
when they match; their content is sealed with its digest, so a file damaged below a matching
header is refused, never read as other answers. A failure to read or write them only costs
the answer's computation, and the file is written again then.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Hashable

from graph import projection_cache
from graph.source_digest import ANALYSIS_RULES, source_digest

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

    from graph.analysis.coverage import CoverageBase
    from graph.store import GraphStore

FORMAT = (2, projection_cache.FORMAT)  # 2: the content sealed with its digest
KEPT_ANSWERS_BYTES = 4 * 2**20  # a grouped coverage report of the city demo is ~10 kB
_MARSHAL_VERSION = 4


ANSWERS = "answers"  # the answers' file: <anchor>.answers
COVERAGE_BASE = "coverage-base"  # the coverage inputs' file: <anchor>.coverage-base


def answers_path(anchor: Path) -> Path:
    return _kept_path(anchor, ANSWERS)


def _kept_path(anchor: Path, kind: str) -> Path:
    return anchor.with_name(f"{anchor.name}.{kind}")


@dataclass(frozen=True)
class KeptInputs:
    """What a family of answers is computed from, kept in ``<anchor>.<name>`` for the
    questions of that family not asked yet."""

    name: str
    of: Callable[[nx.MultiDiGraph], object]  # read from the projection, as plain values marshal keeps
    read: Callable[[object], object]  # back from those values; raises KeyError, TypeError or ValueError for others
    answer: Callable[[object], object]  # this question's answer from what ``read`` gave (may raise like compute)


def coverage_question(by: str | None, chain: str | None) -> tuple:
    """What ``coverage_report(g, by=by, chain=chain).to_dict()`` is kept as."""
    return ("coverage", by, chain)


def coverage_inputs(by: str | None, chain: str | None) -> KeptInputs:
    """The numbered base every coverage report sums (``graph.analysis.coverage.CoverageBase``),
    and how this report is summed from it."""
    from graph.analysis.coverage import CoverageBase, base_report, coverage_base

    return KeptInputs(COVERAGE_BASE, of=lambda g: coverage_base(g).complete(g).kept(), read=CoverageBase.from_kept,
                      answer=lambda base: base_report(base, by=by, chain=chain).to_dict())


def kept_answer(store: GraphStore, question: Hashable, compute: Callable[[nx.MultiDiGraph], object],
                inputs: KeptInputs | None = None) -> object:
    """The answer to ``question`` (a tuple of plain values naming the analysis and its
    parameters) at the store's current version: kept from an earlier process; else, given
    ``inputs``, computed from the inputs kept at this version; else ``compute(projection)``.
    What was computed is kept, with the inputs read from the projection when they were not
    kept. ``compute`` must return what ``marshal`` keeps (dicts, lists, strings, numbers,
    None) and may raise; nothing is kept then.

    The answer is kept under the version of the projection it was computed from. A write
    between reading the store's key and loading the projection pairs that version with the
    older key's write token (SQLite), which no later question matches: the answer is then
    computed again, never given for content it was not computed from.
    """
    from graph.projection import load_projection  # networkx with it: only when computing

    kept = _kept_for(store)
    found = _kept_at(kept, question, inputs) if kept is not None else None
    if found is not None:
        return found[0]
    g = load_projection(store)
    answer = compute(g)
    if kept is not None:
        anchor, store_id, _ = kept
        header = _header(store_id, g.graph["version"])
        if inputs is not None:  # none could be read under this header
            _keep_sealed(anchor, header, inputs.name, lambda: inputs.of(g))
        _write(anchor, header, question, answer)
    return answer


def answer_kept_now(store: GraphStore, question: Hashable, inputs: KeptInputs | None = None) -> tuple[object, int] | None:
    """(the answer to ``question`` at the store's current version, that version) when it
    was kept, or can be summed from ``inputs`` kept at that version; else None. Never
    reads the graph: a server whose projection is still being rebuilt after another
    process's write answers this way at the new version."""
    kept = _kept_for(store)
    return _kept_at(kept, question, inputs) if kept is not None else None


def _kept_at(kept: tuple[Path, str, int], question: Hashable, inputs: KeptInputs | None) -> tuple[object, int] | None:
    """``answer_kept_now`` for the store ``kept`` names (``_kept_for``)."""
    anchor, store_id, version = kept
    header = _header(store_id, version)
    answers = _read(anchor, header)
    if question in answers:
        return answers[question], version
    found = _read_inputs(anchor, header, inputs) if inputs is not None else None
    if found is None:
        return None
    answer = inputs.answer(found)
    _write(anchor, header, question, answer)
    return answer, version


def keep_answer(store: GraphStore, question: Hashable, version: int, answer: object) -> None:
    """Keep ``answer``, computed elsewhere from the store at ``version`` by the current
    rules: the coverage every import computes for its snapshot is then the next
    ``report``'s answer, without the projection being built."""
    kept = _kept_for(store)
    if kept is not None:
        anchor, store_id, _ = kept
        _write(anchor, _header(store_id, version), question, answer)


def keep_coverage_base(store: GraphStore, version: int, base: CoverageBase) -> None:
    """Keep ``base`` (complete: ``CoverageBase.complete``), numbered elsewhere from the store
    at ``version`` by the current rules: the snapshot every import takes numbers the base
    anyway, and the first ``report`` of any grouping after the import is then summed from it."""
    kept = _kept_for(store)
    if kept is not None:
        anchor, store_id, _ = kept
        _keep_sealed(anchor, _header(store_id, version), COVERAGE_BASE, base.kept)


def _kept_for(store: GraphStore) -> tuple[Path, str, int] | None:
    """(the file's anchor, the store's id, its version), or None for a store whose answers
    are not kept (no id before its first write, or no cache folder)."""
    key = store.projection_key() if hasattr(store, "projection_key") else None
    anchor = projection_cache.anchor(store, key[0]) if key is not None else None
    return (anchor, *key) if anchor is not None else None


def _header(store_id: str, version: int) -> tuple:
    """The key of what is kept for the store at ``version``; each file adds its own kind
    (``ANSWERS``, or its inputs' name), so that one file copied over another is not read."""
    return (FORMAT, store_id, version, source_digest(*ANALYSIS_RULES))


def _read(anchor: Path, header: tuple) -> dict:
    try:
        with answers_path(anchor).open("rb") as handle:
            if marshal.load(handle) != (*header, ANSWERS):
                return {}
            answers = _unsealed(marshal.loads(handle.read()))
    except (OSError, EOFError, ValueError, TypeError):
        return {}  # missing, stale or damaged: answered by computing
    return answers if isinstance(answers, dict) else {}


def _read_inputs(anchor: Path, header: tuple, inputs: KeptInputs) -> object | None:
    """What ``inputs.read`` makes of the file kept under ``header``, or None."""
    try:
        with _kept_path(anchor, inputs.name).open("rb") as handle:
            if marshal.load(handle) != (*header, inputs.name):
                return None
            return inputs.read(_unsealed(marshal.loads(handle.read())))
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None  # missing, stale or damaged: computed from the projection


def _keep_sealed(anchor: Path, header: tuple, kind: str, value: Callable[[], object]) -> None:
    """Keep ``value()`` sealed in ``<anchor>.<kind>`` under ``header`` and the kind."""
    try:
        sealed = _sealed(value())
    except ValueError:  # a value marshal cannot keep (or a base not complete): the next process computes it
        return
    projection_cache.write_kept(_kept_path(anchor, kind), (*header, kind), sealed)


def _sealed(value: object) -> tuple[bytes, bytes]:
    """``value`` in marshal's format, after its digest."""
    body = marshal.dumps(value, _MARSHAL_VERSION)
    return hashlib.blake2b(body, digest_size=16).digest(), body


def _unsealed(sealed: object) -> object:
    """What ``_sealed`` sealed; ValueError if the content is not what was sealed."""
    if not (isinstance(sealed, tuple) and len(sealed) == 2 and isinstance(sealed[1], bytes)):
        raise ValueError("not a sealed value")
    digest, body = sealed
    if hashlib.blake2b(body, digest_size=16).digest() != digest:
        raise ValueError("the content does not match its digest")
    return marshal.loads(body)


def _write(anchor: Path, header: tuple, question: Hashable, answer: object) -> None:
    """Add the answer to the file's answers of the same header (a file of another version
    or rules is replaced), all of them dropped first when they would pass the budget."""
    try:
        encoded = marshal.dumps(answer, _MARSHAL_VERSION)
    except ValueError:  # a value marshal cannot keep: the next process computes it
        return
    if len(encoded) > KEPT_ANSWERS_BYTES:
        return
    answers = _read(anchor, header)
    if len(marshal.dumps(answers, _MARSHAL_VERSION)) + len(encoded) > KEPT_ANSWERS_BYTES:
        answers = {}
    answers[question] = answer
    _keep_sealed(anchor, header, ANSWERS, lambda: answers)
