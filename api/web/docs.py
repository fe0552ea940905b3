"""``/docs``: the API reference in Chinese, one page rendered on the server from the app's
OpenAPI document, in the pages' own look (top bar back to the dashboard, the same style
sheet and Content-Security-Policy: no script at all).

FastAPI's default pages load Swagger UI and ReDoc from a CDN, which an intranet without
internet access cannot reach. ``/openapi.json`` stays the machine-readable document for
tools, in the routes' own (English) words; this page says each operation in Chinese
(``OPERATIONS``, ``PARAMETERS``, ``TAGS``) and falls back to those words for any operation
not yet listed (the view tests require every operation to be listed). Text is Markdown,
rendered by markdown-it with raw HTML off, so nothing in it becomes markup of its own.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

from api.web import page

router = APIRouter(tags=["docs"])

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})

INTRODUCTION = """
redchain 把产业链党建工作（企业、产业链与环节、党组织、结对共建、联系点、指导员、联盟）建成一张图，
本页列出它的全部 HTTP 接口。返回和提交的数据都是 JSON（导入接口上传文件，导出接口返回 Excel 文件）。

**身份认证**：请求头 `Authorization: Bearer <令牌>`，令牌用 `redchain token create --role viewer|editor|admin [--chain C01 …]`
生成；浏览器登录后的会话也可以直接调用。

**角色**：

- `viewer`（查看）：只读，看不到领导干部和指导员的姓名，可以请求生成规划提议；
- `editor`（编辑）：还能看到姓名（每次查看都记入审计日志）、导入文件、执行规划；
- `admin`（管理）：还能查看审计日志。

限定产业链的令牌只能看到这些产业链：其余对象在所有列表、分析、关系网络和导出中都不存在（返回 404）。

**出错时**一律返回 `{"error": {"code", "message", "details"}}`，`message` 为中文说明。

机器可读的 OpenAPI 文档：[/openapi.json](/openapi.json)。
"""

TAGS = {
    "health": "运行状态", "enterprises": "企业", "party orgs": "党组织", "chains": "产业链", "units": "共建单位",
    "leaders": "领导干部", "instructors": "党建指导员", "alliances": "产业链党建联盟", "graph": "关系网络",
    "coverage": "覆盖情况", "gaps": "缺口", "plans": "规划", "imports": "导入", "exports": "导出", "audit": "审计日志",
}

# (method, path) -> (summary, description in Markdown)
OPERATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("get", "/api/health"): ("存储类型、版本和各类对象数量", "数量只计本令牌可见的部分（限定产业链的令牌只计这些产业链）。"),
    ("get", "/api/enterprises"): ("企业列表", "可按名称或代码的任意一段、产业链、环节、园区、街道等筛选，分页返回。"),
    ("get", "/api/enterprises/{enterprise_id}"): ("一家企业", "含所在环节、产业链、覆盖它的党组织和上下游。"),
    ("get", "/api/party-orgs"): ("党组织列表", "可按层级、组建方式、星级、示范点和产业链筛选。"),
    ("get", "/api/party-orgs/{org_id}"): ("一个党组织", "含上级党组织、覆盖的企业和结对对象。"),
    ("get", "/api/chains"): ("产业链列表", ""),
    ("get", "/api/chains/{chain_id}"): ("一条产业链及其环节", ""),
    ("get", "/api/chains/{chain_id}/structure"): (
        "产业链结构：各环节覆盖、缺链、断链风险和关键企业", "与 `redchain chain structure --json` 相同。"),
    ("get", "/api/units"): ("共建单位列表（部门、街道、社区等）", ""),
    ("get", "/api/units/{unit_id}"): ("一个共建单位", ""),
    ("get", "/api/leaders"): ("领导干部列表", "查看角色的令牌看不到姓名（为 `null`）；编辑和管理角色看到的每个姓名都记入审计日志。"),
    ("get", "/api/leaders/{leader_id}"): ("一名领导干部", "姓名的显示规则同上。"),
    ("get", "/api/instructors"): ("党建指导员和第一书记列表", "查看角色的令牌看不到姓名；其他角色看到的姓名记入审计日志。"),
    ("get", "/api/instructors/{instructor_id}"): ("一名党建指导员", "姓名的显示规则同上。"),
    ("get", "/api/alliances"): ("产业链党建联盟列表", ""),
    ("get", "/api/alliances/{alliance_id}"): ("一个联盟及其成员单位", ""),
    ("get", "/api/graph/neighbourhood/{node_id}"): (
        "一个对象周边的节点和关系", "由近及远；`capped` 和 `omitted` 说明受上限所限未返回的部分。"),
    ("get", "/api/coverage"): ("“两个覆盖”情况", "与 `redchain report --json` 相同：`totals` 为合计，`groups` 为各分组；页面上的数字也来自这里。"),
    ("get", "/api/gaps/uncovered"): (
        "未建党组织的纳入基数企业", "按优先级从高到低分页返回，与 `redchain gaps uncovered --json` 相同。"),
    ("get", "/api/gaps/pairing"): ("结对共建缺口", "没有结对的党组织、闲置的共建单位、缺联盟或缺产业链党委的产业链、龙头企业“1+X”带动缺口。"),
    ("get", "/api/gaps/contacts"): ("领导联系点缺口", "领导干部的姓名只对编辑和管理角色显示，并记入审计日志。"),
    ("get", "/api/gaps/orgs"): ("党组织提示性检查", ""),
    ("get", "/api/changes"): ("两次快照之间（或某日以来）的变化", "与 `redchain changes --json` 相同：不带参数时是最近一次导入或保存带来的变化；`since` 某日以来，`from`/`to` 指定快照。限定一条产业链的令牌只看该产业链；查看者看不到人员姓名。"),
    ("get", "/api/history"): ("覆盖率历史快照（从早到晚）", "与 `redchain history --json` 相同；限定一条产业链的令牌得到该产业链的序列。"),
    ("post", "/api/plans/contacts"): ("生成领导联系点规划提议", "只提议，不写入；用“执行规划”接口写入。"),
    ("post", "/api/plans/instructors"): ("生成党建指导员派驻规划提议", "只提议，不写入。"),
    ("post", "/api/plans/pairings"): ("生成结对共建规划提议", "只提议，不写入。"),
    ("post", "/api/plans/joint-branches"): ("生成联合党支部组建规划提议", "只提议，不写入。"),
    ("post", "/api/plans/{plan_id}/apply"): ("执行规划（编辑角色）", "整个规划在一个事务中写入，要么全部写入，要么都不写。"),
    ("post", "/api/imports"): (
        "导入 CSV、XLSX、XLS、JSON 文件（全部成功或全部不写）",
        "校验、原子性和问题清单与 `redchain load --json` 相同；有任何错误时不写入任何数据。"),
    ("delete", "/api/entities/{node_id}"): ("删除一个对象（不限产业链的编辑）", "与 `redchain delete entity` 相同：它还有关系时拒绝（409）并列出这些关系，除非 `cascade=true` 一并删除；`dry_run=true` 只列出将删除什么。"),
    ("delete", "/api/links/{rel_type}/{source}/{target}"): ("删除一条关系（不限产业链的编辑）", "与 `redchain delete link` 相同：关系用代码（COVERS）或名称（党组织覆盖）指明。"),
    ("get", "/api/reports/coverage.xlsx"): ("覆盖情况工作簿：合计及各分组各一张表", ""),
    ("get", "/api/gaps/uncovered.xlsx"): ("未建党组织企业工作簿：全部及按补建方式分表", ""),
    ("get", "/api/audit"): ("审计日志（从早到晚；不限产业链的管理角色）", ""),
}

PARAMETERS = {
    "q": "名称或代码的任意一段（不分大小写和全角半角）", "chain": "只看这条产业链（编号）", "segment": "只看这个环节（编号）",
    "park": "园区", "street": "街道", "kind": "类型", "status": "经营状态", "in_base": "是否纳入党建工作基数",
    "leading": "是否龙头企业", "above_scale": "是否规上企业", "covered": "是否已有党组织覆盖", "limit": "每页条数（最多 500）",
    "offset": "跳过的条数（使用 cursor 时忽略）", "cursor": "上一页返回的 `next_cursor`", "level": "层级（党委、党总支、党支部）",
    "formation": "组建方式", "star": "星级（1–5）", "demonstration": "是否示范点", "top": "列出的关键企业数",
    "centrality": "中心度算法：pagerank 或 betweenness", "depth": "从该对象起的跳数", "by": "分组：chain、segment、park 或 street",
    "enterprise_id": "企业的统一社会信用代码", "org_id": "党组织编号", "chain_id": "产业链编号", "unit_id": "单位编号",
    "leader_id": "领导编号", "instructor_id": "指导员编号", "alliance_id": "联盟编号", "node_id": "任意对象的编号",
    "plan_id": "规划提议编号", "cascade": "连同它的所有关系一并删除", "dry_run": "只列出将删除什么，不写入",
    "rel_type": "关系的代码或名称，如 COVERS、党组织覆盖", "source": "关系起点的编号", "target": "关系终点的编号", "since": "这一天（含）之前最近的快照与现在比较，如 2026-05-01",
    "from": "快照的 at 时间（见 /api/history），与现在或 to 比较", "to": "与 from 一起：与这个快照比较而不是现在",
}
_TYPES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否", "object": "对象", "null": "空"}
_BOUNDS = {"minimum": "最小", "maximum": "最大", "maxLength": "最长"}
_WHERE = {"query": "查询参数", "path": "路径", "header": "请求头", "cookie": "Cookie"}
_RESPONSES = {"200": "成功", "201": "已创建", "204": "无内容", "303": "跳转", "400": "请求有误", "401": "未登录或令牌无效",
              "403": "没有权限", "404": "找不到", "409": "冲突", "413": "内容过大", "415": "格式不支持", "422": "参数有误",
              "429": "请求过于频繁", "500": "服务器错误", "503": "暂时不可用"}


def markdown(text: str, *, inline: bool = False) -> Markup:
    """Markdown as HTML; raw HTML in ``text`` is shown as text, never passed through."""
    return Markup(_MARKDOWN.renderInline(text or "") if inline else _MARKDOWN.render(text or ""))


def _schema_text(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(t for t in (_schema_text(s) for s in schema["anyOf"]) if t != "null") or "null"
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    if schema.get("type") == "array":
        return f"[{_schema_text(schema.get('items'))}]"
    bounds = [f"{word} {schema[k]}" for k, word in _BOUNDS.items() if k in schema]
    kind = schema.get("type", "")
    return _TYPES.get(kind, str(kind)) + (f"（{'，'.join(bounds)}）" if bounds else "")


def operations(openapi: dict) -> list[dict]:
    """Sections of the page: one per tag, in the document's order, each with its operations."""
    sections: dict[str, list[dict]] = {}
    for path, item in openapi.get("paths", {}).items():
        for method, op in item.items():
            summary, description = OPERATIONS.get((method, path), (op.get("summary", ""), op.get("description", "")))
            params = [{"name": p["name"], "where": _WHERE.get(p["in"], p["in"]), "required": bool(p.get("required")),
                       "type": _schema_text(p.get("schema")),
                       "text": markdown(PARAMETERS.get(p["name"], p.get("description", "")), inline=True)}
                      for p in op.get("parameters", [])]
            bodies = [(media, _schema_text(spec.get("schema"))) for media, spec in op.get("requestBody", {}).get("content", {}).items()]
            responses = [(code, _RESPONSES.get(code, r.get("description", ""))) for code, r in op.get("responses", {}).items()]
            tag = (op.get("tags") or ["other"])[0]
            sections.setdefault(tag, []).append({
                "method": method.upper(), "path": path, "summary": summary, "description": markdown(description),
                "params": params, "bodies": bodies, "responses": responses, "translated": (method, path) in OPERATIONS,
            })
    return [{"tag": tag, "title": TAGS.get(tag, tag), "operations": ops} for tag, ops in sections.items()]


def render(openapi: dict) -> str:
    """The whole reference page."""
    info = openapi.get("info", {})
    return page.render("docs.html", title="接口文档", nav="docs", version=info.get("version", ""),
                       introduction=markdown(INTRODUCTION), sections=operations(openapi))


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(render(request.app.openapi()), headers=page.SECURITY_HEADERS)
