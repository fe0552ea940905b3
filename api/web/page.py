"""Whole HTML pages from the Jinja2 templates in ``templates/``.

Two ways to ship the same page:

- served by the app: scripts and styles are files under ``/views/static/`` and the response
  carries :data:`CSP` (no inline script at all, nothing from another origin);
- written to a file by the CLI (``standalone``): vis-network, the page script and the
  styles are inlined, so the file works from disk with no server and no network; a
  ``<meta>`` CSP allows exactly those inline blocks, by hash.

Either way the data travels as one JSON block (``<script type="application/json">``) that
the page script reads with ``JSON.parse``; :func:`json_for_html` escapes ``<``, ``>`` and
``&`` so no string in the data can end that block.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from api.core.exports import COVERAGE_COLUMNS
from graph.settings import DEFAULT_TIMEZONE
from api.web.style import coverage_css

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_URL = "/views/static"
VIS_DIR = "vendor/vis-network-9.1.2"
SCRIPTS = (f"{VIS_DIR}/vis-network.min.js", "graph.js")
STYLES = (f"{VIS_DIR}/vis-network.css", "redchain.css", "coverage.css")
GENERATED = {"coverage.css": coverage_css}  # static files made from the code, not kept on disk

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # our own pages tell the server where a form came from; other sites learn nothing
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_PAGE_DEFAULTS = {"nav": None, "nav_chains": (), "nav_inline": 0, "who": None, "csrf": None, "tz": DEFAULT_TIMEZONE, "bare": False, "can_import": False}
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_for_html(obj) -> Markup:
    """``obj`` as JSON that is safe inside ``<script type="application/json">``: no ``<``,
    ``>`` or ``&`` survives (they become ``\\u003c`` …, which JSON.parse reads back).

    >>> str(json_for_html({"name": "</script><img src=x>"}))
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return Markup(text)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = lambda rate, digits=1: "—" if rate is None else f"{rate:.{digits}%}"
    env.filters["local_time"] = local_time
    env.globals.update(static=lambda name: f"{STATIC_URL}/{name}", node_icon=node_icon, edge_icon=edge_icon, rate_icon=rate_icon,
                       coverage_words=dict(COVERAGE_COLUMNS))
    return env


def local_time(value: str | None, tz: str = DEFAULT_TIMEZONE) -> str:
    """A stored time (ISO 8601, UTC when it names no zone) as a person there reads it.

    >>> local_time("2026-12-03T23:03:17+00:00")
    '2026-12-04 07:03'
    >>> local_time("not a time")
    'not a time'
    """
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


_SHAPES = {  # vis-network shape -> an SVG element drawing it in a 16×16 box
    "dot": '<circle cx="8" cy="8" r="6"{a}/>',
    "star": '<polygon points="8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6"{a}/>',
    "triangle": '<polygon points="8,2 14.5,14 1.5,14"{a}/>',
    "triangleDown": '<polygon points="1.5,2 14.5,2 8,14"{a}/>',
    "square": '<rect x="2" y="2" width="12" height="12"{a}/>',
    "diamond": '<polygon points="8,1 15,8 8,15 1,8"{a}/>',
    "hexagon": '<polygon points="4.5,2 11.5,2 15,8 11.5,14 4.5,14 1,8"{a}/>',
    "box": '<rect x="1" y="3" width="14" height="10" rx="2"{a}/>',
}


def node_icon(style: dict) -> Markup:
    """A legend swatch for a node style (an inline SVG: presentation attributes, no CSS)."""
    dashes = " ".join(map(str, style.get("dashes") or ()))
    attrs = f' fill="{escape(style["color"])}" stroke="{escape(style["border"])}" stroke-width="1.5"'
    if dashes:
        attrs += f' stroke-dasharray="{escape(dashes)}"'
    shape = _SHAPES.get(style["shape"], _SHAPES["dot"]).format(a=attrs)
    return Markup(f'<svg class="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">{shape}</svg>')


def rate_icon(band: dict) -> Markup:
    """A legend swatch for a rate band: a heading's background with its ink as the border."""
    return Markup(f'<svg class="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
                  f'<rect x="1" y="2" width="14" height="12" rx="2" fill="{escape(band["fill"])}" '
                  f'stroke="{escape(band["ink"])}" stroke-width="1.5"/></svg>')


def edge_icon(style: dict) -> Markup:
    """A legend swatch for an edge style: a short line, dashed like the edge, with its arrow."""
    dashes = " ".join(str(max(1, d // 2)) for d in style.get("dashes") or ())
    attrs = f' stroke="{escape(style["color"])}" stroke-width="{max(1.5, float(style["width"]))}"'
    if dashes:
        attrs += f' stroke-dasharray="{escape(dashes)}"'
    arrow = f'<polygon points="28,7 22,3.5 22,10.5" fill="{escape(style["color"])}"/>' if style.get("arrow") else ""
    return Markup(f'<svg class="icon" width="30" height="14" viewBox="0 0 30 14" aria-hidden="true">'
                  f'<line x1="1" y1="7" x2="{24 if arrow else 29}" y2="7"{attrs}/>{arrow}</svg>')


@lru_cache(maxsize=8)
def _asset(name: str) -> str:
    return GENERATED[name]() if name in GENERATED else (STATIC / name).read_text(encoding="utf-8")


def _inline(names: tuple[str, ...], closing: str) -> str:
    """The assets joined for inlining; none may contain the tag that would end the block."""
    text = "\n".join(_asset(n) for n in names)
    if closing in text.lower():
        raise ValueError(f"an inlined asset contains {closing!r}")
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render(template: str, *, standalone: bool = False, **context) -> str:
    """Render a page. ``standalone`` inlines scripts and styles (a file for the disk)."""
    env = environment()
    if standalone:
        script = _inline(SCRIPTS, "</script")
        style = _inline(STYLES, "</style")
        csp = (f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        assets = {"inline_script": Markup(script), "inline_style": Markup(style), "meta_csp": csp}
    else:
        assets = {"inline_script": None, "inline_style": None, "meta_csp": None}
    context = {**_PAGE_DEFAULTS, **context}
    context.setdefault("generated", local_time(datetime.now(timezone.utc).isoformat(), context["tz"]))
    return env.get_template(template).render(standalone=standalone, scripts=SCRIPTS, styles=STYLES, **assets, **context)


def graph_page(payload: dict, *, standalone: bool = False, data: Markup | None = None, template: str = "graph.html",
               **context) -> str:
    """A page around one graph payload (chain map, neighbourhood, gap map, plan).
    ``data`` is ``json_for_html(payload)`` if the caller already has it."""
    context.setdefault("title", payload["title"])
    data = json_for_html(payload) if data is None else data
    return render(template, standalone=standalone, payload=payload, data=data, **context)


def static_file(name: str) -> Path | None:
    """The static file ``name`` if it is one of ours (no path tricks), else None."""
    if not name or name.startswith("/") or "\\" in name:
        return None
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file():
        return None
    return path
