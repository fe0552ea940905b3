"""What changed since the last import (一月一检查) over HTTP and on the pages: the same JSON
as `redchain changes --json`, scoped by chain, people's names hidden from viewers and
audited for the roles that see them; the dashboard sums it up and links to the page."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli.main import app
from api_dataset import E2, E5


def upload(server, files: dict[str, str]) -> dict:
    response = server.client("editor").post(
        "/api/imports", files=[("files", (name, text.encode(), "text/csv")) for name, text in files.items()])
    assert response.status_code == 200, response.text
    return response.json()


def test_changes_of_the_last_import_over_http_equal_the_cli(fresh):
    first = fresh.client("admin").get("/api/changes")
    assert first.status_code == 404 and "可比较的快照不足两个" in first.json()["error"]["message"]
    upload(fresh, {"chains.csv": "id,name\nC01,工程机械\nC02,电子信息\n"})  # changes nothing; leaves a snapshot
    upload(fresh, {"org_coverage.csv": f"org,enterprise\nO1,{E2}\n", "contacts.csv": f"leader,target\nL2,{E5}\n"})

    admin = fresh.client("admin").get("/api/changes").json()
    assert [e["id"] for e in admin["became_covered"]] == [E2]
    assert [(c["source"], c["source_name"], c["target"]) for c in admin["contacts_added"]] == [("L2", "李四", E5)]
    assert admin["after"]["org_covered"] == admin["before"]["org_covered"] + 1
    assert admin["from"]["at"] < admin["to"]["at"]  # the two latest snapshots: the last import's change
    cli = CliRunner().invoke(app, ["changes", "--json", "--store", f"sqlite:///{fresh.db}"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout) == admin

    viewer = fresh.client("viewer").get("/api/changes")
    assert viewer.status_code == 200 and "李四" not in viewer.text and viewer.json()["contacts_added"][0]["source"] == "L2"
    reads = [e for e in fresh.client("admin").get("/api/audit", params={"limit": 500}).json()["items"]
             if e["action"] == "read_personal" and e["details"]["path"] == "/api/changes"]
    assert [e["details"]["people"] for e in reads] == [["L2"]]  # the admin's read, not the viewer's

    c01 = fresh.client("viewer_c01").get("/api/changes").json()
    assert c01["chain"] == "C01" and [e["id"] for e in c01["became_covered"]] == [E2] and c01["contacts_added"] == []
    both = fresh.client("viewer_both").get("/api/changes")
    assert both.status_code == 422 and "请用 chain 参数指明" in both.json()["error"]["message"]
    outside = fresh.client("viewer_c01").get("/api/changes", params={"chain": "C02"})
    assert outside.status_code == 404


def test_the_dashboard_sums_up_the_last_change_and_the_page_lists_it(fresh):
    admin = fresh.client("admin")
    assert "还没有两次可比较的快照" in admin.get("/").text
    first = admin.get("/views/changes")  # said in place, with the form to pick a day
    assert first.status_code == 200 and "还没有两次可比较的快照" in first.text and 'name="since"' in first.text
    upload(fresh, {"chains.csv": "id,name\nC01,工程机械\nC02,电子信息\n"})
    upload(fresh, {"org_coverage.csv": f"org,enterprise\nO1,{E2}\n"})
    home = admin.get("/").text
    assert "最近一次变化" in home and '<a href="/views/changes#became_covered">新增组织覆盖 1</a>' in home
    page = admin.get("/views/changes")
    assert page.status_code == 200 and "新增组织覆盖（1）" in page.text and f"/views/entities/{E2}" in page.text
    bad = admin.get("/views/changes", params={"since": "2000-01-01"})
    assert bad.status_code == 200 and "2000-01-01 当天及之前没有可比较的快照" in bad.text and 'name="since"' in bad.text
    assert admin.get("/views/changes", params={"chain": "C09"}).status_code == 404  # an unknown chain is still not found
    assert "（产业链 工程机械 C01）" in admin.get("/views/changes", params={"chain": "C01"}).text  # named as the CLI names it


def test_a_full_register_of_one_chain_over_http(fresh):
    """POST /api/imports with full and full_chain: the ledger is the register of that chain
    only, as `load --full --chain`; full_chain without full is a problem of the import."""
    from loaders.uscc import make_uscc

    a, b, c = (make_uscc(f"91430100MA4L0026{n}") for n in range(1, 4))
    header = "企业名称,统一社会信用代码,所属产业链,所属环节,位置\n"
    upload(fresh, {"台账.csv": header + f"甲公司,{a},新型储能,电芯,中游\n乙公司,{b},新型储能,电芯,中游\n丙公司,{c},氢能,制氢,上游\n"})
    editor = fresh.client("editor")
    one = ("新型储能台账.csv", (header + f"甲公司,{a},新型储能,电芯,中游\n").encode(), "text/csv")
    refused = editor.post("/api/imports", files=[("files", one)], data={"full_chain": "新型储能"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "import_failed"
    done = editor.post("/api/imports", files=[("files", one)], data={"full": "true", "full_chain": "新型储能", "dry_run": "true"})
    assert done.status_code == 200, done.text
    assert [x["name"] for x in done.json()["left_base"]] == ["乙公司"]  # 丙 of 氢能, and the rest of the base, untouched
