"""Removing by hand, over HTTP and from the CLI: refused with the links it would leave
dangling, removed with them when asked, one relationship by its words or code, audited in
the same transaction, and gone from the figures at once."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli.main import app
from api_dataset import E1, E4


def coverage(server) -> dict:
    return server.client("admin").get("/api/coverage").json()["totals"]


def test_an_org_with_links_is_refused_then_removed_with_them(fresh):
    editor = fresh.client("editor")
    refused = editor.delete("/api/entities/O1")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "has_links"
    message = refused.json()["error"]["message"]
    assert message.startswith("党组织“重工党支部”（O1）还有 3 条关系，只删它会让这些关系悬空：党组织覆盖：重工党支部（O1）→ 重工集团")
    assert "命令行 --cascade，接口 cascade=true" in message
    before = coverage(fresh)
    trial = editor.delete("/api/entities/O1", params={"cascade": "true", "dry_run": "true"}).json()
    assert trial["dry_run"] and coverage(fresh) == before
    done = editor.delete("/api/entities/O1", params={"cascade": "true"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["deleted"] == {"id": "O1", "name": "重工党支部", "label": "PartyOrg"}
    assert ("COVERS", "O1", E1) in {(x["type"], x["source"], x["target"]) for x in body["removed_links"]}
    assert coverage(fresh)["org_covered"] == before["org_covered"] - 1  # the writer reads it next
    assert editor.get("/api/party-orgs/O1").status_code == 404
    entries = fresh.client("admin").get("/api/audit", params={"limit": 500}).json()["items"]
    entry = [e for e in entries if e["action"] == "delete"][-1]
    assert entry["details"]["entity"] == "O1" and entry["details"]["version"] == body["version"]
    # the instructor's name (王五, I1) was shown to the editor three times: each read is audited
    assert [e["details"]["people"] for e in entries if e["action"] == "read_personal"][-3:] == [["I1"]] * 3


def test_one_relationship_by_its_words_or_code(fresh):
    editor = fresh.client("editor")
    bad = editor.delete(f"/api/links/覆盖/O2/{E4}")
    assert bad.status_code == 422 and bad.json()["error"]["message"].startswith("没有叫“覆盖”的关系；可用：上下游供应（供方→需方）（SUPPLIES）")
    missing = editor.delete(f"/api/links/COVERS/O2/{E1}")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == f"没有这条党组织覆盖关系：电子党支部（O2）→ 重工集团（{E1}）"
    removed = editor.delete(f"/api/links/党组织覆盖/O2/{E4}")
    assert removed.status_code == 200 and removed.json()["removed_links"][0]["target_name"] == "芯片设计公司"
    assert fresh.client("editor_c01").delete("/api/entities/E9").status_code == 403  # scoped tokens remove nothing


def test_the_cli_says_the_same(fresh):
    db = f"sqlite:///{fresh.db}"
    runner = CliRunner()
    refused = runner.invoke(app, ["delete", "entity", "O2", "--store", db], env={"COLUMNS": "200"})
    assert refused.exit_code == 1 and "党组织“电子党支部”（O2）还有" in refused.output
    trial = runner.invoke(app, ["delete", "entity", "O2", "--cascade", "--dry-run", "--json", "--store", db])
    assert trial.exit_code == 0 and json.loads(trial.stdout)["dry_run"] is True
    done = runner.invoke(app, ["delete", "link", "COVERS", "O2", E4, "--store", db], env={"COLUMNS": "200"})
    assert done.exit_code == 0 and f"已删除 1 条关系：\n  党组织覆盖：电子党支部（O2）→ 芯片设计公司（{E4}）" in done.output
    audit = json.loads(runner.invoke(app, ["audit", "--json", "--store", db]).stdout)
    assert [e["details"].get("link") for e in audit if e["action"] == "delete"] == [["COVERS", "O2", E4]]
