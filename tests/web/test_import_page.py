"""Importing from the browser: upload a ledger, see what it would change, confirm; a bad
file shows its problems and writes nothing; a preview made stale by another write is shown
again before anything is written; viewers never see the page. Real server, real Chromium."""

from __future__ import annotations

import re

import httpx

from api.core.security.principal import Role
from fixtures.ledger import HEADER, MONTH_1
from web.browsing import shot
from web.test_pages_http import bearer, browser_session


def ledger_xlsx(path, header=HEADER):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "花名册"
    book.active.append(header)
    for row in MONTH_1:
        book.active.append(row)
    book.save(path)
    return path


def base_of(server) -> int:
    with bearer(server, Role.ADMIN) as admin:
        return admin.get("/api/coverage").json()["totals"]["base"]


def test_an_editor_previews_then_confirms_a_ledger_in_the_browser(fresh_server, open_context, tmp_path):
    path = ledger_xlsx(tmp_path / "花名册.xlsx", ["纳税人名称" if h == "单位名称" else h for h in HEADER])
    before = base_of(fresh_server)
    context, watch = open_context()
    page = context.new_page()
    page.goto(fresh_server.login_url())
    page.click("nav >> text=导入")
    page.set_input_files("input[name=files]", str(path))
    page.click("text=检查并预览")
    refused = page.inner_text(".import-problems")
    # read as a ledger without its name column: the missing column, and the one not read
    # (纳税人名称, the column to map) beside it
    assert "缺少必填列 单位名称" in refused and "未写入任何数据" in refused
    assert "未知的列 '纳税人名称'" in refused
    shot(page, "import-problems")
    assert base_of(fresh_server) == before
    page.set_input_files("input[name=files]", str(path))
    page.fill("textarea[name=maps]", "纳税人名称=名称")
    page.click("text=检查并预览")
    preview = page.inner_text(".import-preview")
    assert "预览：花名册.xlsx（6 行）——尚未写入" in preview and "按名称新建" in preview
    shot(page, "import-preview")
    assert base_of(fresh_server) == before  # nothing written yet
    page.click("text=确认导入")
    page.wait_for_url(re.compile(r".*/views/import\?done=\d+$"))
    assert "导入完成" in page.inner_text(".notice")
    assert base_of(fresh_server) == before + 6
    # the problems page answers 422 on purpose, which Chromium logs; nothing else may be logged
    assert watch.errors == ["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]
    assert not watch.outside and not watch.dialogs


def test_a_stale_preview_is_made_again_before_anything_is_written(fresh_server, tmp_path):
    path = ledger_xlsx(tmp_path / "台账.xlsx")
    with browser_session(fresh_server) as browser:
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', browser.get("/views/import").text).group(1)
        shown = browser.post("/views/import", data={"csrf": csrf}, files={"files": ("台账.xlsx", path.read_bytes())})
        assert shown.status_code == 200, shown.text
        action = re.search(r'action="(/views/import/[^"]+)"', shown.text).group(1)
        with bearer(fresh_server, Role.EDITOR) as editor:  # someone else writes meanwhile
            assert editor.post("/api/imports", files={"files": ("chains.csv", "id,name\nC77,另一条链\n".encode())}).status_code == 200
        again = browser.post(action, data={"csrf": csrf})
        assert again.status_code == 422 and "数据在预览之后有变化" in again.text and "确认导入" in again.text
        done = browser.post(action, data={"csrf": csrf})
        assert done.status_code == 303 and done.headers["location"].startswith("/views/import?done=")
        spent = browser.post(action, data={"csrf": csrf})
        assert "这次上传已过期" in spent.text
        forged = browser.post("/views/import", data={"csrf": "0" * 40}, files={"files": ("台账.xlsx", path.read_bytes())})
        assert forged.status_code == 403


def test_viewers_and_scoped_editors_never_see_the_import_page(fresh_server):
    for role, chains in ((Role.VIEWER, None), (Role.EDITOR, ["C01"])):
        with bearer(fresh_server, role, chains) as client:
            assert 'href="/views/import"' not in client.get("/").text
            refused = client.get("/views/import")
            assert refused.status_code == 403 and "没有权限" in refused.text
    with httpx.Client(base_url=fresh_server.url, timeout=30) as anonymous:
        assert anonymous.get("/views/import").status_code == 401
