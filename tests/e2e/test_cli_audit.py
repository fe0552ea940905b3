"""Writes made from the command line land in the same audit log as writes over HTTP."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli.main import app
from loaders.demo import demo_tables, write_demo_csv

ENV = {"COLUMNS": "200", "REDCHAIN_STORE": None}


def run(*args) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_load_and_applied_plans_are_audited_dry_runs_and_proposals_are_not(tmp_path):
    write_demo_csv(demo_tables("small", 2024), tmp_path / "csv")
    db = tmp_path / "audit.db"
    run("load", tmp_path / "csv", "--dry-run", "--store", db)
    assert not db.exists()  # a dry run creates nothing, audit entry included

    run("load", tmp_path / "csv", "--store", db)
    run("load", tmp_path / "csv", "--dry-run", "--store", db)  # against the store now: still nothing written
    run("plan", "joint-branches", "--store", db)  # a proposal writes nothing
    run("plan", "joint-branches", "--apply", "--store", db)
    entries = json.loads(run("audit", "--json", "--store", db))
    assert [(e["principal"], e["role"], e["action"]) for e in entries] == [("cli", "admin", "import"), ("cli", "admin", "plan_apply")]
    imported, applied = (e["details"] for e in entries)
    assert "enterprises.csv" in imported["files"] and imported["added"]["Enterprise"] == 60 and imported["version"] == 1
    assert applied["kind"] == "joint_branches" and applied["version"] == 2
    table = run("audit", "--store", db)
    assert "导入" in table and "执行规划" in table  # each action in Chinese, its code under it


def test_every_action_written_to_the_log_has_its_chinese_words():
    """The actions the code records (a literal after the principal in audit.record/entry)."""
    import re
    from pathlib import Path

    from api.core.audit import ACTION_ZH

    root = Path(__file__).resolve().parents[2] / "api"
    found = {m for path in root.rglob("*.py")
             for m in re.findall(r"(?:record|entry)\(\s*\w+,\s*(?:\w+,\s*)?\"([a-z_]+)\"", path.read_text(encoding="utf-8"))}
    assert found and found <= ACTION_ZH.keys(), found - ACTION_ZH.keys()
