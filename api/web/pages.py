"""The web UI: server-rendered pages over the same auth, roles and chain scoping as the API.

``/`` is the dashboard once logged in; a page asked for without a session shows the login
form (``api.web.login``), which comes back to that page. Graph pages read the principal's
view, so an account or token scoped to some chains sees only those chains here too.

Forms (plans, logout) are POSTs carrying a form token derived from the session cookie;
the cookie is SameSite=Strict, so another site can neither send it nor read the token.
Requests with a bearer token carry no ambient credential and need no form token.

Every page answers with a Content-Security-Policy that allows scripts and styles from
this app only (``api.web.page.CSP``). Failures become Chinese HTML pages, not JSON.
"""

from __future__ import annotations

import hmac
import mimetypes
from datetime import date
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import APIKeyCookie, HTTPBearer
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.analysis.history import HistoryPoint
from graph.analysis.planners import Plan
from graph.analysis.planners.instructors import ORDER_ZH as INSTRUCTOR_ORDER_ZH
from graph.errors import NoComparison, NotFound, RedchainError, StoreError
from graph.schema import LABEL_ZH, Label

from api.http.deps import EditorDep, Reader, ReaderDep, StoreDep, get_reader, principal_of
from api.core.errors import Conflict, InvalidRequest
from api.http.errors import ApiError, redchain_status
from api.web import login
from api.http.routers.plans import ContactsRequest, InstructorsRequest, JointBranchesRequest, PairingsRequest, limits
from api.core.security.principal import ROLE_ZH, Principal, Role
from api.core.security import sessions
from api.core.security.sessions import COOKIE
from api.core.services import analyses, entities, plans
from api.core.settings import MAX_DEPTH, MAX_NEIGHBOURHOOD
from api.web import page
from api.web.canvas import SERVER_LINKS, name_or_id
from api.web.chain_map import chain_map
from api.web.changes_view import changes_view, summary
from api.web.dashboard import dashboard
from api.web.gap_map import gap_map
from api.web.plan_map import PLAN_TITLES, plan_map
from api.web.neighbourhood_map import neighbourhood_map
from api.core.settings import PageSettings

NAV_CHAINS = 30  # chains named in the top bar; the dashboard lists them all
NAV_INLINE = 5  # up to this many chains stand in the top bar as links; more go into one menu
RECENT_PLANS = 15
NO_COMPARISON_YET = "还没有两次可比较的快照：每次导入或 redchain report --save 都会保存一次"  # the dashboard and the changes page
PLAN_ROWS = 500  # proposals listed on one page under a plan's map (the city's 22,740 pairings made a 36 MB page)
GAP_ROWS = 500  # uncovered enterprises listed under the gap map (12,444 at city made a 6 MB page); the workbook has all
SEARCH_RESULTS = 100
_PLAN = TypeAdapter(Plan)


class PageRoute(APIRoute):
    """A route whose failures (auth, not found, bad parameters) are shown as HTML pages."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return error_page(request, exc.status, exc.message)
            except RedchainError as exc:
                return error_page(request, redchain_status(exc)[0], str(exc) if not isinstance(exc, StoreError) else "数据存储暂时不可用，请稍后重试")
            except RequestValidationError as exc:
                where = "；".join(f"{'.'.join(map(str, e.get('loc', ())))}：{e.get('msg', '')}" for e in exc.errors()[:3])
                return error_page(request, 422, f"请求参数有误：{where}")
            except StarletteHTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail))

        return guarded


router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)
_bearer = HTTPBearer(auto_error=False)
_cookie = APIKeyCookie(name=COOKIE, auto_error=False)


# -- helpers -----------------------------------------------------------------------------


def html(body: str, status: int = 200, headers: dict | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={**page.SECURITY_HEADERS, **(headers or {})})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    if status == 401:  # the login form, back to this page once logged in
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return login.login_page(request, 401, message if request.cookies.get(COOKIE) else "请先登录后查看此页。",
                                next_path=here if request.method == "GET" else "/", headers={"WWW-Authenticate": "Bearer"})
    heading = {403: "没有权限", 404: "找不到", 409: "无法执行", 422: "请求有误"}.get(status, "出错了")
    return html(page.render("error.html", title=heading, heading=heading, message=message, hint=None), status)


def page_settings(request: Request) -> PageSettings:
    """The pages' settings: part of the app's one ``Settings``."""
    return request.app.state.settings.view


PageSettingsDep = Annotated[PageSettings, Depends(page_settings)]


def form_token(request: Request) -> str | None:
    """The form token of this browser session (None without a session cookie)."""
    session = request.cookies.get(COOKIE)
    return sessions.form_token(session) if session else None


async def read_form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (first value of each field),
    after checking the form token when the request rides on the session cookie."""
    body = await request.body()
    if body and not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise ApiError(415, "unsupported_media_type", "表单格式不正确")
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    if not request.headers.get("authorization"):
        expected = form_token(request)
        if expected is None or not hmac.compare_digest(fields.get("csrf", ""), expected):
            raise ApiError(403, "forbidden", "表单已失效或来源不明：请刷新页面后重试")
    return fields


FormDep = Annotated[dict[str, str], Depends(read_form)]


def _who(principal: Principal) -> str:
    text = f"{ROLE_ZH[principal.role]}权限"
    if principal.chains is not None:
        text += f" · 限产业链 {'、'.join(sorted(principal.chains))}"
    return text


def _chains(reader: Reader) -> list[dict]:
    view = reader.scoped
    return [{"id": c, "name": name_or_id(view.attrs[c], c)} for c in view.ids(Label.CHAIN)]


def page_context(request: Request, reader: Reader, nav: str) -> dict:
    """What the frame of every page needs: the top bar's links, who is logged in, the form token."""
    principal = reader.principal
    return {"nav": nav, "nav_chains": _chains(reader)[:NAV_CHAINS], "nav_inline": NAV_INLINE, "who": _who(principal), "csrf": form_token(request),
            "tz": page_settings(request).timezone, "can_import": principal.allows(Role.EDITOR) and not principal.scoped}


def _graph(reader: Reader, key: tuple, make) -> tuple[dict, object]:
    """A payload and its escaped JSON, computed once per view; the people whose names it
    shows are audited on every request, as the API does."""
    def build(view):
        payload = make(view.g)
        return payload, page.json_for_html(payload), view.people_in(payload) if view.personal else []

    payload, data, people = reader.scoped.memo(("pages",) + key, build)
    reader.saw(people)
    return payload, data


# -- the dashboard and login -------------------------------------------------------------------


@router.get("/")
def home(
    request: Request,
    store: StoreDep,
    vs: PageSettingsDep,
    token: Annotated[str | None, Query(max_length=200)] = None,
    credentials=Depends(_bearer),
    session: Annotated[str | None, Depends(_cookie)] = None,
) -> Response:
    """``/?token=`` spends a one-time login URL (``api.web.login``); otherwise the
    dashboard, or the login form."""
    if token is not None:
        return login.login(request, store, token)
    try:
        principal = principal_of(request, store, credentials, session)
    except ApiError as exc:
        return error_page(request, exc.status, exc.message)
    reader = get_reader(request, store, principal)
    try:
        history = analyses.history(reader, chain=None)
    except InvalidRequest:  # a token scoped to several chains has no single series to show
        history = []
    points = [HistoryPoint(**p) for p in history]
    d = reader.scoped.memo(("pages", "dashboard", vs.model_dump_json(), len(points), points[-1].at if points else None),
                         lambda view: dashboard(view.g, settings=vs, history=points))
    try:
        last_change = summary(analyses.comparison(reader))  # counts only: no names shown
    except (InvalidRequest, NotFound):  # fewer than two snapshots, or no single series to compare
        last_change = None
    return html(page.render("dashboard.html", title="总览", d=d, last_change=last_change, no_comparison_yet=NO_COMPARISON_YET,
                            **page_context(request, reader, "home")))


@router.post("/views/logout")
def logout(request: Request, form: FormDep) -> Response:
    session = request.cookies.get(COOKIE)
    if session:
        request.app.state.sessions.end(session)
    response = RedirectResponse("/login?out=1", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# -- graph pages -----------------------------------------------------------------------------


@router.get("/views/chains/{chain_id}")
def chain_page(
    request: Request,
    reader: ReaderDep,
    vs: PageSettingsDep,
    chain_id: Annotated[str, Path(max_length=200)],
    segment: Annotated[str | None, Query(max_length=200)] = None,
    full: bool = False,
    focus: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    rates = (vs.org_rate_green, vs.org_rate_amber)
    payload, data = _graph(reader, ("chain", chain_id, segment, full, vs.map_cap, rates),
                           lambda g: chain_map(g, chain_id, segment=segment, cap=vs.map_cap, full=full, org_rate=rates))
    if focus:
        payload = {**payload, "focus": focus}
        data = page.json_for_html(payload)
    body = page.graph_page(payload, data=data, **page_context(request, reader, f"chain:{chain_id}"))
    return html(body)


@router.get("/views/entities/{node_id}")
def entity_page(
    request: Request,
    reader: ReaderDep,
    vs: PageSettingsDep,
    node_id: Annotated[str, Path(max_length=200)],
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
    limit: Annotated[int | None, Query(ge=2, le=MAX_NEIGHBOURHOOD)] = None,
) -> Response:
    limit = limit or vs.neighbourhood_limit
    reader.scoped.node(node_id)  # 404 outside the view
    payload, data = _graph(reader, ("entity", node_id, depth, limit),
                           lambda g: neighbourhood_map(g, node_id, depth=depth, limit=limit, max_limit=MAX_NEIGHBOURHOOD))
    return html(page.graph_page(payload, data=data, **page_context(request, reader, "entity")))


@router.get("/views/gaps")
def gaps_page(
    request: Request,
    reader: ReaderDep,
    vs: PageSettingsDep,
    chain: Annotated[str | None, Query(max_length=200)] = None,
    segment: Annotated[str | None, Query(max_length=200)] = None,
    unchained: bool = False,
    full: bool = False,
) -> Response:
    chain, segment = chain or None, segment or None
    if chain is not None:
        reader.scoped.node(chain, Label.CHAIN)
    unchained = unchained and chain is None  # the enterprises in no chain: with a chain, that chain's
    rates = (vs.org_rate_green, vs.org_rate_amber)
    key = ("gaps", chain, segment, unchained, full, vs.map_cap, rates)
    gaps = reader.scoped.memo(("pages", *key), lambda view: gap_map(
        view.g, chain=chain, segment=segment, unchained=unchained, cap=vs.map_cap, full=full, within=view.chains or (),
        org_rate=rates), carried=segment is None and not unchained and not full)  # made again after an import: the maps the top bar opens
    payload, data = _graph(reader, ("gaps-json", *key), lambda g: gaps.payload)
    body = page.render("gaps.html", title=payload["title"], payload=payload, data=data, gaps=gaps, table_rows=GAP_ROWS,
                       chains=_chains(reader), chain=chain, **page_context(request, reader, "gaps"))
    return html(body)


@router.get("/views/search")
def search_page(request: Request, reader: ReaderDep, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    """Everything in the principal's view whose name or code contains ``q``, any part of it."""
    found = entities.search(reader, q, limit=SEARCH_RESULTS)
    view = reader.scoped
    rows = [{**item, "name": name_or_id(view.attrs[item["id"]], item["id"]), "kind": LABEL_ZH[Label(item["label"])],
             "href": SERVER_LINKS.entity(item["id"]),
             "maps": [(name_or_id(view.attrs[c], c), SERVER_LINKS.chain(c, segment=None) + f"#focus={quote(item['id'])}")
                      for c in item["chains"]]}
            for item in found["items"]]
    body = page.render("search.html", title=f"查找：{q}" if q else "查找", q=q, rows=rows, total=found["total"],
                       **page_context(request, reader, "search"))
    return html(body)


@router.get("/views/changes")
def changes_page(request: Request, reader: ReaderDep, since: date | None = None,
                 chain: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """What changed: by default what the last import or save changed; ``since`` a day."""
    try:
        view, none_yet = changes_view(analyses.changes(reader, since=since, chain=chain), SERVER_LINKS), None
    except NoComparison as exc:  # said on the page, with the form to pick another day
        view, none_yet = None, str(exc) if since else f"{NO_COMPARISON_YET}。也可以在上面选一个日期，与现在比较。"
    shown = view["chain"] if view else chain
    names = {c["id"]: c["name"] for c in _chains(reader)}
    chain_words = f"{names[shown]} {shown}" if shown in names and names[shown] != shown else shown  # 工程机械 C01, as the CLI says it
    body = page.render("changes.html", title="变化", c=view, none_yet=none_yet, since=since, chain=chain,
                       chain_words=chain_words, **page_context(request, reader, "changes"))
    return html(body)


# -- plans -------------------------------------------------------------------------------------

_REQUESTS: dict[str, type[BaseModel]] = {
    "contacts": ContactsRequest,
    "instructors": InstructorsRequest,
    "pairings": PairingsRequest,
    "joint_branches": JointBranchesRequest,
}
_FIELD_LABELS = {
    "capacity": "每个结对方最多承担",
    "minimum": "每名指导员至少派驻",
    "max_hops": "沿上下游最多查找几步",
    "nearest": "每个对象保留的候选数",
    "min_members": "一个支部至少需要党员",
    "include_out_of_chain": "联系点不足时可联系分管链以外的对象",
}
# The same parameter reads differently where the plan is about other people.
_KIND_FIELD_LABELS = {
    ("instructors", "capacity"): "每名指导员最多派驻",
    ("pairings", "capacity"): "每个强党组织最多结对",
}


def _param_shown(value: object) -> str:
    """A plan's parameter as the page says it: a yes/no as 是/否, not True/False."""
    return ("是" if value else "否") if isinstance(value, bool) else str(value)


def _field_label(kind: str | None, name: str) -> str:
    return _KIND_FIELD_LABELS.get((kind, name)) or _FIELD_LABELS.get(name, name)

_PLAN_HELP = {
    "contacts": "为领导干部安排联系点：每人至少达到最少联系数、不超过上限，优先在分管产业链内。",
    "instructors": "为无党员企业和薄弱党组织派驻党建指导员：" + INSTRUCTOR_ORDER_ZH,
    "pairings": "为薄弱党组织和未建党组织的企业就近找强党组织结对共建。",
    "joint_branches": "把党员 1–2 人的企业按园区、产业链编组为联合党支部。",
}
_PLAN_HEADERS = {
    "contacts": ("领导", "联系对象"),
    "instructors": ("指导员", "派驻对象"),
    "pairings": ("结对方", "被结对方"),
    "joint_branches": ("党组织", "企业"),
}


def _forms() -> list[dict]:
    forms = []
    for kind, model in _REQUESTS.items():
        fields = []
        for name, info in model.model_fields.items():
            if name == "chain":
                continue
            bounds = {m.__class__.__name__: m for m in info.metadata}
            fields.append({
                "name": name, "label": _field_label(kind, name), "default": info.default,
                "type": "bool" if isinstance(info.default, bool) else "int",
                "min": getattr(bounds.get("Ge"), "ge", 0), "max": getattr(bounds.get("Le"), "le", 100),
            })
        forms.append({"key": kind, "title": PLAN_TITLES[kind], "help": _PLAN_HELP[kind], "fields": fields})
    return forms


def _plans_page(request: Request, reader: Reader, *, error: str | None = None, status: int = 200) -> Response:
    recent = []
    for key, stored in reversed(plans.index(reader.store)):
        if len(recent) >= RECENT_PLANS:
            break
        if stored.get("expired") or not plans.visible(reader, stored):
            continue
        chains = plans.planned_for(stored)
        recent.append({
            "id": key, "href": f"/views/plans/{quote(key, safe='')}", "title": PLAN_TITLES.get(stored.get("kind"), stored.get("kind")),
            "chain": "、".join(name_or_id(reader.scoped.attrs[c], c) if c in reader.scoped.attrs else c for c in chains)
                     if chains else "全部",
            "created": stored.get("created", ""), "proposed": stored.get("items", 0), "applied": stored.get("applied"),
        })
    body = page.render("plans.html", title="规划", forms=_forms(), chains=_chains(reader), recent=recent, error=error,
                       can_apply=reader.principal.allows(Role.EDITOR), **page_context(request, reader, "plans"))
    return html(body, status)


@router.get("/views/plans")
def plans_page(request: Request, reader: ReaderDep) -> Response:
    return _plans_page(request, reader)


@router.post("/views/plans")
def propose(request: Request, reader: ReaderDep, form: FormDep) -> Response:
    kind = form.get("kind", "")
    model = _REQUESTS.get(kind)
    if model is None:
        return _plans_page(request, reader, error="未知的规划类型", status=422)
    values: dict = {"chain": form.get("chain") or None}
    for name, info in model.model_fields.items():
        if name == "chain":
            continue
        if isinstance(info.default, bool):
            values[name] = form.get(name) == "1"
        elif form.get(name, "") != "":
            values[name] = form[name]
    try:
        params = model.model_validate(values).model_dump()
    except ValidationError as exc:
        problems = "；".join(f"{_field_label(kind, str(e['loc'][0]))}：{e['msg']}" for e in exc.errors())
        return _plans_page(request, reader, error=f"参数有误：{problems}", status=422)
    if params["chain"] is not None:
        reader.scoped.node(params["chain"], Label.CHAIN)
    made = plans.propose(reader, kind, params, limits(request.app.state.settings))
    return RedirectResponse(f"/views/plans/{quote(made['id'], safe='')}", status_code=303)


_HIDDEN = (("hidden_items", "项提议"), ("hidden_new_orgs", "个拟新建党组织"), ("hidden_leftovers", "个未安排对象"))


def _hidden_note(totals: dict) -> str | None:
    """What a plan for a view of chains leaves out (``plans._shown``), said in a sentence."""
    parts = [f"{totals[key]} {what}" for key, what in _HIDDEN if totals.get(key)]
    if not parts:
        return None
    return f"此规划按全区计算（本产业链以外的负担、名额也计入）；另有 {'、'.join(parts)} 涉及本账号范围以外的对象，未显示，也不会执行。"


def _plan_page(request: Request, reader: Reader, plan_id: str, *, message: str | None = None,
               error: str | None = None, status: int = 200, table_page: int = 1) -> Response:
    body = plans.stored(reader, plan_id)
    plan = plans.as_shown_to(reader, _PLAN.validate_python(body["plan"]))
    chain = (body.get("params") or {}).get("chain")
    payload, data = _graph(reader, ("plan", plan_id, bool(body.get("applied"))), lambda g: plan_map(g, plan, chain=chain))
    params = "，".join(f"{_field_label(plan.kind, k)} {_param_shown(v)}" for k, v in (body.get("params") or {}).items()
                      if v is not None and k != "chain")
    html_body = page.render(
        "plan.html", title=payload["title"], payload=payload, data=data, plan=plan, plan_id=plan_id,
        params=params, hidden=_hidden_note(plan.totals), applied=body.get("applied"), can_apply=reader.principal.allows(Role.EDITOR),
        apply_href=f"/views/plans/{quote(plan_id, safe='')}/apply", headers=_PLAN_HEADERS.get(plan.kind, ("对象", "目标")),
        table_rows=PLAN_ROWS, table_page=table_page,
        message=message, error=error, **page_context(request, reader, "plans"),
    )
    return html(html_body, status)


@router.get("/views/plans/{plan_id}")
def plan_page(request: Request, reader: ReaderDep, plan_id: Annotated[str, Path(max_length=100)], applied: bool = False,
              page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    return _plan_page(request, reader, plan_id, message="规划已执行，数据已写入。" if applied else None, table_page=page)


@router.post("/views/plans/{plan_id}/apply")
def apply(request: Request, reader: ReaderDep, editor: EditorDep, form: FormDep,
          plan_id: Annotated[str, Path(max_length=100)]) -> Response:
    try:
        plans.apply(reader, plan_id)
    except Conflict as exc:
        return _plan_page(request, reader, plan_id, error=exc.message, status=409)
    return RedirectResponse(f"/views/plans/{quote(plan_id, safe='')}?applied=1", status_code=303)


# -- static files ----------------------------------------------------------------------------


@router.get("/views/static/{name:path}")
def static(name: str) -> Response:
    """The pages' scripts and styles (vis-network included): served by the app itself."""
    if name in page.GENERATED:
        return Response(page.GENERATED[name](), media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})
    path = page.static_file(name)
    if path is None:
        raise NotFound(f"找不到文件 {name}")
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media in ("text/javascript", "application/javascript", "text/css"):
        media += "; charset=utf-8"
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=3600",
                                                         "X-Content-Type-Options": "nosniff"})
