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


def _cells(text: str) -> int:
    from api.core.exports import display_width
    return display_width(text)


def test_uncovered_list_keeps_every_code_whole_and_names_who_reaches_it(district):
    import json

    found = json.loads(run("gaps", "uncovered", "--json", "--store", district))
    shown = run("gaps", "uncovered", "--store", district)
    lines = shown.splitlines()
    assert max(map(_cells, lines)) <= 80
    assert all(any(u["id"] in line for line in lines) for u in found)  # an 18-character code never split
    reached = next(u for u in found if u["work_covered_by"])
    source = reached["work_covered_by"][0]
    assert any(f"（{source}）" in line for line in lines)  # a name with its code, not a bare id


def test_gap_sections_state_each_rule_once(district):
    from graph.analysis.pairing_gaps import RULE_CO_BUILDING

    shown = run("gaps", "pairing", "--store", district)
    assert max(map(_cells, shown.splitlines())) <= 80
    assert "".join(shown.split()).count("".join(RULE_CO_BUILDING.split())) == 1
