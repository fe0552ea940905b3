"""Importing from the browser: upload, see what it would do, then confirm.

An editor (unscoped, as for ``POST /api/imports``) uploads one or more files with
``load``'s options. The files are kept on the server for ``STAGED_MINUTES`` under a random
id bound to that editor, and checked by a dry run: the page shows every problem (nothing
can be written then) or the difference it would make — counts per table, the links it
removes, the enterprises that leave the base, the objects made from names, how each column
was read. Confirming imports the same files with the same options, as one transaction with
its audit entry; if the store changed since the preview, the preview is made again and
shown instead, so what is confirmed is always what was seen.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Path as PathParam, Request
from fastapi.responses import RedirectResponse, Response

from graph.errors import ImportFailed
from graph.schema import LABEL_ZH, REL_SPECS, Label, RelType

from api.core.errors import InvalidRequest
from api.core.security.principal import Principal
from api.core.services.imports import Upload, import_uploads, safe_name
from api.http.deps import StoreDep, UnscopedEditorDep, get_reader
from api.http.errors import ApiError
from api.web import page
from api.web.pages import PageRoute, form_token, html, page_context

router = APIRouter(tags=["pages"], include_in_schema=False, route_class=PageRoute)

STAGED_MINUTES = 30  # how long uploaded files wait for their confirmation
MAX_STAGED = 20  # previews kept at once (the oldest go first)
MAX_FILES = 20


@dataclass
class Staged:
    subject: str
    folder: Path
    names: list[str]
    options: dict
    version: int
    created: float = field(default_factory=time.monotonic)


class StagedImports:
    """Uploaded files waiting for their confirmation, each in a private folder."""

    def __init__(self):
        self._staged: dict[str, Staged] = {}
        self._lock = threading.Lock()

    def add(self, staged: Staged) -> str:
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._expire()
            while len(self._staged) >= MAX_STAGED:
                self._drop(next(iter(self._staged)))
            self._staged[key] = staged
        return key

    def get(self, key: str, principal: Principal) -> Staged | None:
        with self._lock:
            self._expire()
            found = self._staged.get(key)
        return found if found is not None and found.subject == principal.subject else None

    def discard(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def _expire(self) -> None:
        limit = time.monotonic() - STAGED_MINUTES * 60
        for key in [k for k, s in self._staged.items() if s.created < limit]:
            self._drop(key)

    def _drop(self, key: str) -> None:
        staged = self._staged.pop(key, None)
        if staged is not None:
            shutil.rmtree(staged.folder, ignore_errors=True)


def _staged_imports(request: Request) -> StagedImports:
    found = getattr(request.app.state, "staged_imports", None)
    if found is None:
        found = request.app.state.staged_imports = StagedImports()
    return found


def _dry_run(store, principal: Principal, staged: Staged, max_bytes: int) -> tuple[dict | None, dict]:
    """(the would-be result, or None; what to show when refused: the problems, their total,
    the warnings) of importing ``staged``."""
    handles = [(staged.folder / str(i) / name).open("rb") for i, name in enumerate(staged.names)]
    try:
        uploads = [Upload(name, handle) for name, handle in zip(staged.names, handles)]
        return import_uploads(store, principal, uploads, dry_run=True, max_bytes=max_bytes, **staged.options), {}
    except ImportFailed as failed:
        return None, {"problems": [p.as_dict() for p in failed.problems], "total": failed.total,
                      "refusal_warnings": [w.as_dict() for w in failed.warnings]}
    finally:
        for handle in handles:
            handle.close()


def _page(request: Request, store, principal: Principal, **shown) -> Response:
    reader = get_reader(request, store, principal)
    body = page.render("import.html", title="导入数据", label_zh={label.value: LABEL_ZH[label] for label in Label},
                       rel_zh={rtype.value: REL_SPECS[rtype].zh for rtype in RelType},
                       **{"result": None, "problems": [], "total": 0, "refusal_warnings": [], "staged": None,
                          "message": None, "error": None,
                          "options": {}, **shown},
                       **page_context(request, reader, "import"))
    return html(body, 422 if shown.get("problems") or shown.get("error") else 200)


@router.get("/views/import")
def import_form(request: Request, store: StoreDep, principal: UnscopedEditorDep) -> Response:
    done = request.query_params.get("done")
    return _page(request, store, principal, message=f"导入完成，数据版本 {done}。" if done else None)


@router.post("/views/import")
async def preview(request: Request, store: StoreDep, principal: UnscopedEditorDep) -> Response:
    settings = request.app.state.settings
    form = await request.form(max_files=MAX_FILES, max_fields=50)
    _check_token(request, form.get("csrf"))
    files = [f for f in form.getlist("files") if hasattr(f, "read") and f.filename]
    maps = [line.strip() for line in str(form.get("maps") or "").splitlines() if line.strip()]
    options = {"maps": maps, "as_table": str(form.get("as") or "") or None, "full": form.get("full") == "1",
               "full_chains": [str(c) for c in form.getlist("full_chain") if str(c)]}
    if not files:
        return _page(request, store, principal, error="请选择至少一个文件（CSV、XLSX、XLS 或 JSON）。", options=options)
    folder = Path(tempfile.mkdtemp(prefix="redchain-staged-"))
    names = []
    for i, upload in enumerate(files):
        name = safe_name(upload.filename, i)
        (folder / str(i)).mkdir()
        (folder / str(i) / name).write_bytes(await upload.read())
        names.append(name)
    staged = Staged(principal.subject, folder, names, options, store.version())
    try:
        result, refused = _dry_run(store, principal, staged, settings.max_upload_bytes)
    except InvalidRequest as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _page(request, store, principal, error=exc.message, options=options)
    if result is None:
        shutil.rmtree(folder, ignore_errors=True)
        return _page(request, store, principal, **refused, options=options)
    key = _staged_imports(request).add(staged)
    return _page(request, store, principal, result=result, staged=key, options=options)


@router.post("/views/import/{key}")
async def confirm(request: Request, store: StoreDep, principal: UnscopedEditorDep,
                  key: Annotated[str, PathParam(max_length=64)]) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    _check_token(request, form.get("csrf"))
    staging = _staged_imports(request)
    staged = staging.get(key, principal)
    if staged is None:
        return _page(request, store, principal, error=f"这次上传已过期（预览保留 {STAGED_MINUTES} 分钟）或不属于您，请重新上传。")
    max_bytes = request.app.state.settings.max_upload_bytes
    if store.version() != staged.version:  # changed since the preview: show the new difference first
        staged.version = store.version()
        result, refused = _dry_run(store, principal, staged, max_bytes)
        if result is None:
            staging.discard(key)
        return _page(request, store, principal, result=result, **refused,
                     staged=key if result else None, options=staged.options,
                     error="数据在预览之后有变化，以下是按现在的数据重新比对的结果，请再次确认。")
    handles = [(staged.folder / str(i) / name).open("rb") for i, name in enumerate(staged.names)]
    try:
        done = import_uploads(store, principal, [Upload(n, h) for n, h in zip(staged.names, handles)],
                              dry_run=False, max_bytes=max_bytes, **staged.options)
    finally:
        for handle in handles:
            handle.close()
    staging.discard(key)
    return RedirectResponse(f"/views/import?done={done['version']}", status_code=303)


def _check_token(request: Request, sent) -> None:
    if request.headers.get("authorization"):
        return  # a bearer token is no ambient credential
    expected = form_token(request)
    if expected is None or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise ApiError(403, "forbidden", "表单已失效或来源不明：请刷新页面后重试")
