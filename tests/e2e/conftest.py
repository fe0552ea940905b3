"""The `redchain` command line end to end: the real app in-process through typer's
CliRunner, or the real entry point in a subprocess where the process itself matters
(exit status, no traceback, a server that must not start).

``hostile_csv`` is the small demo district with rich markup (``[/x]``, ``[bold]``) and an
emoji code in ids, names and a column header, the way a planner's spreadsheet may hold it.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from loaders.demo import demo_tables, write_demo_csv

WIDE = {"COLUMNS": "400", "REDCHAIN_STORE": None}  # no table cell folds, so text is found whole

# Ids the demo generator uses, renamed; every name gets markup around it as well.
HOSTILE_IDS = {"C01": "[red]", "C02": "[bold]C02", "PO0001": "PO[red]", "L01": "L[bold]", "U01": "U[red]"}  # ids hold no "/" (refused)
HOSTILE_CHAIN = "[red]"
HOSTILE_CHAIN_NAME = "[bold]工程机械[/x]"
UNKNOWN_COLUMN = "[/red]"


def hostile_name(name: str) -> str:
    return f"[/x]{name}[bold]:smile:"


@pytest.fixture
def cli():
    """Run `redchain ARGS…` in-process; returns click's Result (stdout and stderr apart)."""
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], env=WIDE)


def run_redchain(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real entry point in a fresh process, as a person at a terminal would."""
    env = {k: v for k, v in os.environ.items() if k != "REDCHAIN_STORE"} | {"COLUMNS": "400"} | (env or {})
    return subprocess.run([sys.executable, "-m", "api.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="session")
def hostile_csv(tmp_path_factory) -> Path:
    tables = demo_tables("small", 2024)
    for rows in tables.values():
        for row in rows:
            for column, value in row.items():
                row[column] = HOSTILE_IDS.get(value, value)
            if "name" in row:
                row["name"] = hostile_name(row["name"])
    next(row for row in tables["chains"] if row["id"] == HOSTILE_CHAIN)["name"] = HOSTILE_CHAIN_NAME
    folder = tmp_path_factory.mktemp("hostile-csv")
    write_demo_csv(tables, folder)
    units = folder / "units.csv"  # one column nobody knows, to get a warning that names it
    rows = list(csv.reader(units.open(encoding="utf-8")))
    with units.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([rows[0] + [UNKNOWN_COLUMN]] + [row + [""] for row in rows[1:]])
    return folder


@pytest.fixture(scope="session")
def hostile_template(hostile_csv, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hostile-db") / "hostile.db"
    result = CliRunner().invoke(app, ["load", str(hostile_csv), "--store", str(db)], env=WIDE)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def hostile_db(hostile_template, tmp_path) -> Path:
    """A copy of the hostile district of one's own, for tests that write."""
    db = tmp_path / "hostile.db"
    shutil.copy(hostile_template, db)
    return db
