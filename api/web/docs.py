"""``/docs``: the API reference as one self-contained HTML page rendered from the app's
OpenAPI document.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, which an intranet without
internet access cannot reach (and redchain's pages never load remote resources). This
page has no script and no remote resource; ``/openapi.json`` stays the machine-readable
document for tools.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["docs"])

_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
_STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h2{border-bottom:2px solid #b22;padding-bottom:.2rem;margin-top:2.5rem}
.op{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4rem;font-weight:bold;color:#fff;background:#357;border-radius:4px;text-align:center;margin-right:.5rem}
.POST{background:#373} code{background:#f4f4f4;padding:0 .2rem} table{border-collapse:collapse;margin:.4rem 0}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top} pre{white-space:pre-wrap}
"""


def _schema_text(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_schema_text(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    if schema.get("type") == "array":
        return f"[{_schema_text(schema.get('items'))}]"
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "maxLength") if k in schema]
    return str(schema.get("type", "")) + (f" ({', '.join(bounds)})" if bounds else "")


def _operation(path: str, method: str, op: dict) -> str:
    parts = [f'<div class="op"><p><span class="m {method.upper()}">{method.upper()}</span><code>{escape(path)}</code> '
             f"— {escape(op.get('summary', ''))}</p>"]
    if op.get("description"):
        parts.append(f"<pre>{escape(op['description'])}</pre>")
    params = op.get("parameters", [])
    if params:
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td><td>{'是' if p.get('required') else ''}</td>"
            f"<td>{escape(_schema_text(p.get('schema')))}</td><td>{escape(p.get('description', ''))}</td></tr>"
            for p in params
        )
        parts.append(f"<table><tr><th>参数</th><th>位置</th><th>必填</th><th>类型</th><th>说明</th></tr>{rows}</table>")
    body = op.get("requestBody", {}).get("content", {})
    for media, spec in body.items():
        parts.append(f"<p>请求体 <code>{escape(media)}</code>: {escape(_schema_text(spec.get('schema')))}</p>")
    responses = ", ".join(f"<code>{escape(code)}</code> {escape(r.get('description', ''))}" for code, r in op.get("responses", {}).items())
    parts.append(f"<p>响应：{responses}</p></div>")
    return "".join(parts)


def render(openapi: dict) -> str:
    """The whole reference page."""
    by_tag: dict[str, list[str]] = {}
    for path, item in openapi.get("paths", {}).items():
        for method, op in item.items():
            by_tag.setdefault((op.get("tags") or ["other"])[0], []).append(_operation(path, method, op))
    info = openapi.get("info", {})
    sections = "".join(f"<h2>{escape(tag)}</h2>{''.join(ops)}" for tag, ops in by_tag.items())
    return (
        f"<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{escape(info.get('title', ''))} API</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(info.get('title', ''))} API {escape(info.get('version', ''))}</h1>"
        f"<pre>{escape(info.get('description', ''))}</pre><p>机器可读的 OpenAPI 文档：<a href=\"/openapi.json\">/openapi.json</a></p>"
        f"{sections}</body></html>"
    )


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(render(request.app.openapi()), headers={"Content-Security-Policy": _CSP})
