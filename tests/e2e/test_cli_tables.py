"""Human tables at the width of a plain terminal (80 columns): wrapped, never cut with "…"."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from loaders.demo import demo_tables, write_demo_csv

NARROW = {"COLUMNS": "80", "REDCHAIN_STORE": None}


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrow")
    write_demo_csv(demo_tables("district", 2024), folder / "csv")
    db = folder / "district.db"
    assert CliRunner().invoke(app, ["load", str(folder / "csv"), "--store", str(db)], env=NARROW).exit_code == 0
    return db


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args], env=NARROW)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_organisation_checks_show_the_whole_rule_they_cite(district):
    shown = run("gaps", "orgs", "--store", district)
    assert "…" not in shown
    assert max(map(len, shown.splitlines())) <= 80
    folded = "".join(line.strip() for line in shown.splitlines())
    assert "党员人数超过50人的" in folded.replace(" ", "")  # the rule's text, wrapped across lines


def test_history_fits_the_terminal_with_whole_dates(district):
    run("report", "--save", "--store", district)
    shown = run("history", "--store", district)
    assert "…" not in shown and max(map(len, shown.splitlines())) <= 80
    assert any(line.strip().startswith("20") and line.split()[0].count("-") == 2 for line in shown.splitlines())
