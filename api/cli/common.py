"""What every CLI command shares: the --store option, opening the store, JSON output,
and turning redchain errors into a clear message and exit code instead of a traceback.

Both consoles have rich markup and emoji codes switched off: names, ids, notes, file
names and arguments are printed as given, so ``[/x]`` or ``:smile:`` in the data is text,
never a tag. Styled pieces are built as ``rich.text.Text`` (see ``fail`` and ``heading``).
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path
from typing import Annotated, Iterable, Iterator, NoReturn, Sequence

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from graph.analysis.jsonable import to_jsonable
from graph.errors import RedchainError, StoreMissing
from graph.factory import DEFAULT_STORE_URI, open_store
from graph.store import GraphStore

console = Console(markup=False, emoji=False)
err_console = Console(stderr=True, markup=False, emoji=False)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="REDCHAIN_STORE",
        help="数据存储：sqlite:///./redchain.db（默认）、文件路径，或 neo4j://host:7687。",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON（字段名见 DESIGN.md），不输出表格。")]

_MISSING_HINT = "；先用 redchain demo 或 redchain load 导入数据"


def fail(message: str) -> NoReturn:
    """Print ``错误: message`` on stderr (the message as plain text) and exit 1."""
    err_console.print(Text.assemble(("错误:", "red"), " ", str(message)), highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def heading(title: str, rest: str = "") -> Text:
    """A bold title followed by plain text, e.g. ``heading("缺链环节", "：无")``."""
    return Text.assemble((title, "bold"), rest)


# Words a header is not broken inside (单独组建 | 覆盖, not 单独组 | 建覆盖): the words of
# the schema's field names (``graph.schema.coverage_field_zh``) a column header is made of;
# the phrases first, their words where a phrase kept whole would widen the column.
_HEADER_WORDS = ("单独", "联合", "组建", "覆盖", "党组织", "党员", "指导员", "示范点", "纳入", "基数", "组织",
                 "工作", "两个", "产业链", "党委", "其中", "以上", "企业", "平均", "最多", "星级", "3人")
_HEADER_PHRASES = ("单独组建", "联合组建")


def two_lines(header: str, lines: int = 2) -> str:
    """Long Chinese headers break so that columns stay narrow: into at most ``lines``
    parts (three for a table that does not fit otherwise) about as wide as equal parts
    would be (at most one character more), between words (单独组建\n覆盖, 组织\n覆盖率);
    into equal parts where no break between words is that narrow."""
    if len(header) <= 3:
        return header
    parts = min(lines, len(header) // 2)
    short, longer = divmod(len(header), parts)  # the shorter parts first: 组织\n覆盖率
    sizes = [short] * (parts - longer) + [short + 1] * longer
    cuts = [sum(sizes[:k]) for k in range(1, parts)]
    for words in (_HEADER_PHRASES + _HEADER_WORDS, _HEADER_WORDS):
        if (between := _cuts_between(header, words, parts, max(sizes) + 1)) is not None:
            cuts = between
            break
    starts = [0, *cuts, len(header)]
    return "\n".join(header[a:b] for a, b in zip(starts, starts[1:]))


def _cuts_between(header: str, words: Sequence[str], parts: int, widest: int) -> list[int] | None:
    """Where to break ``header`` into at most ``parts`` parts, none wider than ``widest``,
    never inside one of ``words``: the narrowest, then the fewest parts, then the shortest
    last part; None if there is no such break."""
    inside = {p for word in words for s in _occurrences(header, word) for p in range(s + 1, s + len(word))}
    allowed = [p for p in range(1, len(header)) if p not in inside]
    found = [(_widest_part(len(header), cut), k, [-c for c in cut], list(cut))
             for k in range(1, parts) for cut in combinations(allowed, k)]
    best = min(found, default=None)
    return best[3] if best is not None and best[0] <= widest else None


def _occurrences(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)


def _widest_part(length: int, cuts: Sequence[int]) -> int:
    bounds = [0, *cuts, length]
    return max(b - a for a, b in zip(bounds, bounds[1:]))


def planners_time(moment: str) -> str:
    """A stored moment (ISO 8601 with its offset) as date over time, to the second, in the
    planners' time zone (``REDCHAIN_VIEW_TIMEZONE``), as the pages show it."""
    from datetime import datetime

    return f"{datetime.fromisoformat(moment).astimezone(zone_or_fail()):%Y-%m-%d\n%H:%M:%S}"


def zone_or_fail():
    """The planners' time zone; a bad ``REDCHAIN_VIEW_TIMEZONE`` ends the command with its
    message. A command that writes asks first: its snapshot, dated in the zone, must not
    fail after the write is committed (pydantic's settings are imported only then)."""
    from graph.settings import planners_zone

    try:
        return planners_zone()
    except RedchainError as exc:
        fail(str(exc))


def chain_words(store: GraphStore, chain: str | None) -> str | None:
    """A chain as a title names it, 工程机械 C01; its code alone where it has no name; None
    for no chain."""
    if chain is None:
        return None
    found = store.read(ids=[chain]).nodes
    name = found[0].props.get("name") if found else None
    return f"{name} {chain}" if name and name != chain else chain


def code_width(codes: Iterable[str]) -> int:
    """The width a column needs to show the longest of ``codes`` whole, in terminal cells
    (a Chinese character takes two), 0 for none."""
    return max((cell_len(c) for c in codes), default=0)


def named(name: str, code: str) -> Text:
    """A name, and its code on a line of its own (so a table never splits the code)."""
    return Text(f"{name}\n{code}") if name != code else Text(code)


@contextmanager
def cli_store(uri: str | None, *, create: bool = False) -> Iterator[GraphStore]:
    """Open the store for one command; any RedchainError becomes a message and exit 1.

    Without ``create`` (commands that read) a missing SQLite file is refused with a hint;
    ``load``, ``demo`` and ``migrate --to`` pass ``create=True``.
    """
    try:
        store = open_store(uri or DEFAULT_STORE_URI, create=create)  # typer has read REDCHAIN_STORE already
    except StoreMissing as exc:
        fail(f"{exc}{_MISSING_HINT}")
    except RedchainError as exc:
        fail(str(exc))
    try:
        try:
            yield store
        finally:
            store.close()
            # Kept until the process ends (``main._leave``): the store's projection goes
            # with it, and freeing a city's projection object by object costs ~0.5 s.
            _KEPT_TILL_EXIT.append(store)
    except RedchainError as exc:
        fail(str(exc))


_KEPT_TILL_EXIT: list[GraphStore] = []


@contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into ``无法写入 path: reason`` and exit 1."""
    try:
        yield
    except OSError as exc:
        fail(f"无法写入 {exc.filename or path}: {exc.strerror or exc}")


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2) + "\n")
