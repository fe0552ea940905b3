"""`redchain view ...`: write the web UI's graph views as standalone HTML files.

Each file is UTF-8 and self-contained (vis-network, the page script and the styles are
inlined; the data is escaped JSON), so it opens from disk on a machine with no network
and no server. A file holds leaders' and instructors' names, so it is written for its
owner only (0600), as the store is. A chain too large to draw at once is written as an overview file plus one
file per segment next to it (``<name>.<segment>.html``), linked to each other; so is a gap
map above its cap: one file per chain (``<name>.<chain>.html``), and for a chain itself above
the cap one per segment (``<name>.<chain>.<segment>.html``).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import StoreOption, cli_store, console, writing
from api.web.canvas import NO_CHAIN_FILE, Links
from api.web.chain_map import DEFAULT_CAP, chain_map
from api.web.gap_map import chain_plans, gap_map
from api.web.overview import NO_CHAIN
from api.web.neighbourhood_map import DEFAULT_LIMIT, MAX_DEPTH, neighbourhood_map
from graph.analysis.membership import chain_segments, require_chain
from graph.projection import ids_with_label, load_projection
from graph.schema import Label

view_app = typer.Typer(help="导出图谱页面：产业链图、关系网络、缺口图，生成可直接打开的 HTML 文件。",
                       no_args_is_help=True)

OutOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="要写入的 HTML 文件（默认按编号命名）。",
                              dir_okay=False, show_default=False)
]
FullOption = Annotated[bool, typer.Option("--full", help="超过 --cap 也画出全部企业。")]


def safe_name(text: str) -> str:
    """``text`` as a piece of a file name: letters, digits, ``-``, ``_`` and ``.`` only.

    >>> safe_name("JB-麓谷/1")
    'JB-麓谷_1'
    """
    return re.sub(r"[^\w.-]", "_", text).strip(".") or "_"


def _write(path: Path, html: str, what: str, payload: dict) -> None:
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # 0600 from the first byte; fchmod too, since a file already there keeps its mode on open
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
    console.print(f"已写入{what}：{path}（{len(payload['nodes'])} 个节点，{len(payload['edges'])} 条关系）", highlight=False)


@view_app.command("chain")
def chain(
    chain_id: Annotated[str, typer.Argument(metavar="产业链编号", help="产业链编号，如 C01。", show_default=False)],
    out: OutOption = None,
    segment: Annotated[str | None, typer.Option(help="只画这条链的这个环节（环节编号）。", show_default=False)] = None,
    full: FullOption = False,
    cap: Annotated[int, typer.Option(min=10, help="企业数超过此值时，生成总览页并每个环节一个文件。")] = DEFAULT_CAP,
    store: StoreOption = None,
) -> None:
    """导出一条产业链的图：按上中下游和环节分道，按覆盖情况着色，标出党建工作关系。"""
    from api.web import page  # jinja2 and the templates: only for the commands that draw
    out = out or Path(f"chain-{safe_name(chain_id)}.html")
    rates = _rates()
    with cli_store(store) as s:
        g = load_projection(s)
        require_chain(g, chain_id)
        segment_files = {seg: f"{out.stem}.{safe_name(seg)}.html" for seg in chain_segments(g, chain_id)}
        links = Links(server=False, chain_files={chain_id: out.name}, segment_files=segment_files)
        payload = chain_map(g, chain_id, segment=segment, cap=cap, full=full, links=links, org_rate=rates)
        _write(out, page.graph_page(payload, standalone=True), "产业链图谱", payload)
        if payload["kind"] == "chain_overview":
            for seg, name in segment_files.items():
                part = chain_map(g, chain_id, segment=seg, cap=cap, links=links, org_rate=rates)
                _write(out.with_name(name), page.graph_page(part, standalone=True), "环节图谱", part)


@view_app.command("entity")
def entity(
    node_id: Annotated[str, typer.Argument(metavar="编号", help="任意编号：企业统一社会信用代码、党组织、产业链、领导……", show_default=False)],
    out: OutOption = None,
    depth: Annotated[int, typer.Option(min=1, max=MAX_DEPTH, help="向外展开几层关系。")] = 1,
    limit: Annotated[int, typer.Option(min=2, max=2000, help="最多画多少个节点。")] = DEFAULT_LIMIT,
    store: StoreOption = None,
) -> None:
    """导出一个对象的关系网络（向外若干层，数量有上限）。"""
    from api.web import page
    out = out or Path(f"entity-{safe_name(node_id)}.html")
    with cli_store(store) as s:
        payload = neighbourhood_map(load_projection(s), node_id, depth=depth, limit=limit, links=Links(server=False))
    _write(out, page.graph_page(payload, standalone=True), "关系网络", payload)


@view_app.command("gaps")
def gaps(
    out: OutOption = None,
    chain: Annotated[str | None, typer.Option("--chain", help="只看这条产业链（编号）。", show_default=False)] = None,
    full: FullOption = False,
    cap: Annotated[int, typer.Option(min=10, help="未建党组织的企业超过此值时，生成总览页并每条产业链（环节）一个文件。")] = DEFAULT_CAP,
    store: StoreOption = None,
) -> None:
    """导出缺口图：未建立党组织的企业，以及各方案的建议（虚线）。"""
    out = out or Path(f"gaps-{safe_name(chain)}.html" if chain else "gaps.html")
    with cli_store(store) as s:
        g = load_projection(s)
        if chain is not None:
            require_chain(g, chain)
        links = Links(server=False, gap_files=_gap_files(g, out, chain))
        # a chain's segment files draw that chain's proposals: planned once per chain
        plans = functools.cache(functools.partial(chain_plans, g))
        _write_gaps(g, out, links, chain=chain, full=full, cap=cap, org_rate=_rates(), plans=plans)


def _gap_files(g, out: Path, chain: str | None) -> dict[str, str]:
    """Chain (when all are asked for) and segment -> the file of its gap map, next to ``out``."""
    files = {}
    for c in [chain] if chain else sorted(ids_with_label(g, Label.CHAIN)):
        stem = out.stem if chain else f"{out.stem}.{safe_name(c)}"
        if not chain:
            files[c] = f"{stem}.html"
            files[NO_CHAIN_FILE] = f"{out.stem}.{safe_name(NO_CHAIN)}.html"
        files.update({s: f"{stem}.{safe_name(s)}.html" for s in chain_segments(g, c)})
    return files


def _write_gaps(g, path: Path, links: Links, *, chain: str | None = None, segment: str | None = None,
                full: bool = False, **knobs) -> None:
    """The gap map asked for, written to ``path``; an overview's boxes each to their own file
    (a chain's overview then writes its segments')."""
    from api.web import page  # jinja2 and the templates: only for the commands that draw
    found = gap_map(g, chain=chain, segment=segment, full=full, links=links, **knobs)
    html = page.graph_page(found.payload, standalone=True, template="gaps.html", gaps=found, chains=[], chain=chain)
    _write(path, html, "缺口地图", found.payload)
    for part in found.parts:
        if chain is not None:
            inner = {"chain": chain, "segment": part}
        else:
            inner = {"unchained": True} if part == NO_CHAIN_FILE else {"chain": part}
        _write_gaps(g, path.with_name(links.gap_files[part]), links, **inner, **knobs)


def _rates() -> tuple[float, float]:
    from api.core.settings import PageSettings

    settings = PageSettings()
    return settings.org_rate_green, settings.org_rate_amber


def register(app: typer.Typer) -> None:
    app.add_typer(view_app, name="view", help="导出图谱页面（产业链图、关系网络、缺口图）为独立 HTML 文件。")
