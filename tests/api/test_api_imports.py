"""Imports over HTTP: the same validation, atomicity and problem list as the CLI."""

from __future__ import annotations

import io

from fixtures_import import csv_bytes, snapshot, xlsx_workbook

import api_dataset as ds

NEW_CHAIN = [["编号", "名称"], ["C03", "新能源"]]
NEW_SEGMENTS = [["编号", "产业链", "名称", "位置"], ["S03-1", "C03", "电池", "上游"]]


def _xlsx(tables) -> bytes:
    out = io.BytesIO()
    xlsx_workbook(tables).save(out)
    return out.getvalue()


def _snapshot(server):
    store = server.store()
    try:
        return snapshot(store)
    finally:
        store.close()


def test_import_writes_and_reimport_changes_nothing(fresh):
    editor = fresh.client("editor")
    points = len(editor.get("/api/history").json())
    files = [("files", ("产业链.csv", csv_bytes(NEW_CHAIN))), ("files", ("环节.csv", csv_bytes(NEW_SEGMENTS, "gbk")))]
    first = editor.post("/api/imports", files=files)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["ok"] is True and body["dry_run"] is False and body["files"] == ["产业链.csv", "环节.csv"]
    assert body["added"] == {"Chain": 1, "Segment": 1, "PART_OF": 1} and body["rows"] == 2
    assert [s["id"] for s in editor.get("/api/chains/C03").json()["segments"]] == ["S03-1"]
    before = _snapshot(fresh)
    again = editor.post("/api/imports", files=files).json()
    assert again["added"] == {"Chain": 0, "Segment": 0, "PART_OF": 0} and _snapshot(fresh) == before
    actions = [e["action"] for e in fresh.client("admin").get("/api/audit", params={"limit": 500}).json()["items"]]
    assert actions.count("import") == 2
    # every import leaves a coverage snapshot (for `history` and `changes`)
    assert len(editor.get("/api/history").json()) == points + 2


def test_dry_run_writes_nothing(fresh):
    before = _snapshot(fresh)
    response = fresh.client("admin").post("/api/imports", files={"files": ("导入.xlsx", _xlsx({"产业链": NEW_CHAIN}))},
                                          data={"dry_run": "true"})
    assert response.status_code == 200 and response.json()["dry_run"] is True
    assert response.json()["added"] == {"Chain": 1}
    assert _snapshot(fresh) == before


def test_bad_files_give_every_problem_and_change_nothing(fresh):
    before = _snapshot(fresh)
    good = ("files", ("产业链.csv", csv_bytes(NEW_CHAIN)))
    bad_enterprise = ("files", ("enterprises.csv", csv_bytes([["id", "name", "party_members"], ["91430100MA4L00000X", "坏企业", "很多"]])))
    dangling = ("files", ("segments.csv", csv_bytes([["id", "chain", "name", "stage"], ["S9", "C99", "环节", "上游"]])))
    response = fresh.client("editor").post("/api/imports", files=[good, bad_enterprise, dangling])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_failed" and "未写入任何数据" in error["message"]
    problems = error["details"]["problems"]
    assert {p["file"] for p in problems} == {"enterprises.csv", "segments.csv"}
    assert {p["code"] for p in problems} >= {"dangling"}
    by_file = {p["file"]: p for p in problems}
    assert by_file["segments.csv"]["text"] == "segments.csv:2:chain: 产业链 C99 不存在（既不在本次导入中，也不在库中）"
    assert all(p["row"] == 2 for p in problems)
    assert "/tmp" not in response.text and "redchain-upload" not in response.text
    assert _snapshot(fresh) == before
    assert "import_rejected" in [e["action"] for e in fresh.client("admin").get("/api/audit").json()["items"]]


def test_unsupported_file_type_is_a_problem(fresh):
    response = fresh.client("editor").post("/api/imports", files={"files": ("notes.txt", b"hello")})
    assert response.status_code == 422
    [problem] = response.json()["error"]["details"]["problems"]
    assert problem["code"] == "bad_file_type" and problem["file"] == "notes.txt"


def test_folder_names_in_uploaded_names_are_ignored(fresh):
    response = fresh.client("editor").post("/api/imports", files={"files": ("../../etc/chains.csv", csv_bytes(NEW_CHAIN))},
                                           data={"dry_run": "true"})
    assert response.status_code == 200 and response.json()["files"] == ["chains.csv"]


def test_upload_over_the_limit_is_413_and_changes_nothing(fresh):
    before = _snapshot(fresh)
    rows = [["id", "name"]] + [[f"C{i:06d}", "链" * 20] for i in range(ds.UPLOAD_LIMIT // 40)]
    response = fresh.client("editor").post("/api/imports", files={"files": ("chains.csv", csv_bytes(rows))})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and error["details"]["limit_bytes"] == ds.UPLOAD_LIMIT
    assert "请拆分文件后分批导入" in error["message"]
    assert _snapshot(fresh) == before


def test_chunked_upload_over_the_limit_is_413(fresh):
    def chunks():
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"chains.csv\"\r\n\r\nid,name\r\n"
        for _ in range(ds.UPLOAD_LIMIT // 1000 + 10):
            yield b"C1," + b"x" * 1000 + b"\r\n"
        yield b"\r\n--b--\r\n"

    response = fresh.client("editor").post("/api/imports", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_no_files_is_422(fresh):
    response = fresh.client("editor").post("/api/imports", data={"dry_run": "true"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_imported_ids_are_then_in_scope_for_the_chain(fresh):
    rows = [["id", "name"], [ds.uscc(99), "新企业"]]
    links = [["enterprise", "segment"], [ds.uscc(99), "S01-1"]]
    files = [("files", ("enterprises.csv", csv_bytes(rows))), ("files", ("enterprise_segments.csv", csv_bytes(links)))]
    assert fresh.client("admin").post("/api/imports", files=files).status_code == 200
    assert fresh.client("viewer_c01").get(f"/api/enterprises/{ds.uscc(99)}").json()["chains"] == ["C01"]


def _ledger_bytes(rows, header) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "花名册"
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_ledger_with_a_mapped_header_over_http_answers_as_the_cli(fresh, tmp_path):
    """`map`, `as` and `full` are load's --map, --as and --full; the answer is load --json's."""
    import json

    from typer.testing import CliRunner

    from api.cli.main import app
    from fixtures.ledger import HEADER, MONTH_1

    header = ["纳税人名称" if h == "单位名称" else h for h in HEADER]
    data = _ledger_bytes(MONTH_1, header)
    editor = fresh.client("editor")
    refused = editor.post("/api/imports", files={"files": ("花名册.xlsx", data)}, data={"dry_run": "true"})
    assert refused.status_code == 422
    bad = editor.post("/api/imports", files={"files": ("花名册.xlsx", data)}, data={"map": "纳税人名称"})
    assert bad.status_code == 422 and bad.json()["error"]["message"] == "“纳税人名称”应写成 原列名=标准列名（如 纳税人名称=名称）"
    unknown = editor.post("/api/imports", files={"files": ("花名册.xlsx", data)}, data={"as": "花名"})
    assert unknown.status_code == 422 and unknown.json()["error"]["message"].startswith("没有叫“花名”的表")
    fields = {"map": ["纳税人名称=名称", "從業人數=职工人数"], "as": "台账", "dry_run": "true"}
    over_http = editor.post("/api/imports", files={"files": ("花名册.xlsx", data)}, data=fields)
    assert over_http.status_code == 200, over_http.text
    body = over_http.json()
    assert body["created"] and {c["column"] for c in body["columns"] if c["header"] == "纳税人名称"} == {"name"}
    assert all(c["file"] == "花名册.xlsx" for c in body["columns"])
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(data)
    cli = CliRunner().invoke(app, ["load", str(path), "--map", "纳税人名称=名称", "--map", "從業人數=职工人数", "--as", "台账",
                                   "--dry-run", "--json", "--store", f"sqlite:///{fresh.db}"], env={"COLUMNS": "200"})
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads(cli.stdout)
    for answer in (body, from_cli):
        answer.pop("files")
        for column in answer["columns"]:
            column.pop("file")
        for warning in answer["warnings"]:  # the district's enterprises this ledger leaves out, said of the file as named
            warning["file"], warning["text"] = (warning["file"].rpartition("/")[2],
                                                warning["text"].replace(str(path), "花名册.xlsx"))
    assert {w["code"] for w in body["warnings"]} >= {"unlisted_in_chain"}
    assert body == from_cli
    written = editor.post("/api/imports", files={"files": ("花名册.xlsx", data)}, data={**fields, "dry_run": "false", "full": "true"})
    assert written.status_code == 200 and written.json()["left_base"]  # the district's own enterprises are not in this ledger


def test_a_refused_import_says_which_columns_it_did_not_read(fresh):
    """A ledger whose chain column is headed 链条归属 is refused for segments without a chain;
    the answer's warnings say that 链条归属 was not read."""
    from fixtures.ledger import HEADER, MONTH_1

    header = ["链条归属" if h == "所属产业链" else h for h in HEADER]
    response = fresh.client("editor").post("/api/imports", files=[("files", ("台账.csv", csv_bytes([header, *MONTH_1[:2]])))])
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert {p["code"] for p in details["problems"]} == {"segment_without_chain"}
    assert [w["text"] for w in details["warnings"] if w["code"] == "unknown_column"] == ["台账.csv:1:链条归属: 未知的列 '链条归属'，已忽略"]
