"""The walkthroughs run top to bottom on a fresh demo store, as a planner would run them."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    monkeypatch.setenv("REDCHAIN_STORE", f"sqlite:///{tmp_path}/nb.db")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert not errors
    images = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
              if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert images, "the charts should render"
    if path.stem.startswith("01_"):
        frames = [o["data"]["text/html"] for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs
                  if o.output_type in ("display_data", "execute_result") and "<iframe srcdoc=" in o.get("data", {}).get("text/html", "")]
        assert len(frames) == 1, "the chain should be drawn inline"
        page = html.unescape(frames[0].split('srcdoc="', 1)[1].split('"', 1)[0])
        assert "vis.Network" in page or "vis-network" in page
        assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?https?:""", page), "the inline view loads nothing remote"


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), path.name
