"""The digest that keys kept answers changes with any rule's source, subfolders included."""

from __future__ import annotations

import graph.source_digest as sd


def test_a_rule_in_a_subfolder_changes_the_digest(tmp_path, monkeypatch):
    """A planner's source (graph/analysis/planners/…) is a rule: a kept plan made by older
    code must not answer for the new (QA round 9: a proposal named 等3家企业 after the rule said 单位)."""
    (tmp_path / "rules" / "planners").mkdir(parents=True)
    (tmp_path / "rules" / "coverage.py").write_text("A = 1\n")
    planner = tmp_path / "rules" / "planners" / "joint.py"
    planner.write_text("NAME = '企业'\n")
    monkeypatch.setattr(sd, "ROOT", tmp_path)
    before = sd.source_digest.__wrapped__("rules")
    planner.write_text("NAME = '单位'\n")
    assert sd.source_digest.__wrapped__("rules") != before
