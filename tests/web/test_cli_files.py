"""`redchain view …` writes standalone UTF-8 HTML files that draw when opened from disk
(file://) with no server and no network, and keep the data escaped."""

from __future__ import annotations

import re
import stat
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from graph.analysis.membership import chain_segments
from graph.analysis.membership import chain_enterprises
from graph.factory import open_store
from graph.projection import in_ids, project
from graph.schema import RelType

from web.browsing import click_node, drawn, node_ids, search, selected, shot, shown_at_first, wait_drawn
from web.views_dataset import BIG_CHAIN, XSS_NAME


@pytest.fixture(scope="module")
def district(district_db):
    db = district_db[0]
    store = open_store(f"sqlite:///{db}")
    try:
        return f"sqlite:///{db}", project(store.read()), district_db[1]["xss_enterprise"]
    finally:
        store.close()


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


def test_view_chain_writes_a_file_that_draws_from_disk(district, tmp_path, open_context):
    uri, g, xss = district
    out = tmp_path / "chain.html"
    result = run("view", "chain", "C01", "-o", str(out), "--store", uri)
    assert result.exit_code == 0, result.output
    assert "已写入产业链图谱" in result.output
    html = out.read_bytes().decode("utf-8")
    assert '<meta charset="utf-8">' in html and XSS_NAME not in html
    assert not re.search(r"""(src|href)=["']?https?:""", html) and 'rel="stylesheet"' not in html
    context, watch = open_context()
    page = context.new_page()
    page.goto(out.as_uri())
    wait_drawn(page)
    ids = set(node_ids(page))
    assert chain_enterprises(g, "C01") <= ids and drawn(page)[0] == len(ids) and drawn(page)[1] == shown_at_first(page)
    search(page, xss)
    page.wait_for_selector("#panel-body:not([hidden])")
    assert page.text_content("#panel-title") == XSS_NAME
    assert page.locator("img[src=x]").count() == 0
    hrefs = page.eval_on_selector_all("#panel-links a", "links => links.map(a => a.getAttribute('href'))")
    assert all((tmp_path / h).is_file() for h in hrefs), hrefs  # no server behind a file: only sibling files
    shot(page, "file-chain-C01")
    watch.assert_clean()


def test_a_large_chain_becomes_an_overview_and_linked_segment_files(big_db, tmp_path, open_context):
    uri = f"sqlite:///{big_db}"
    store = open_store(uri)
    try:
        g = project(store.read())
    finally:
        store.close()
    out = tmp_path / "big.html"
    result = run("view", "chain", BIG_CHAIN, "-o", str(out), "--store", uri)
    assert result.exit_code == 0, result.output
    segments = chain_segments(g, BIG_CHAIN)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name] + [f"big.{s}.html" for s in segments])
    context, watch = open_context()
    page = context.new_page()
    page.goto(out.as_uri())
    wait_drawn(page)
    assert set(segments) <= set(node_ids(page))
    click_node(page, segments[0], double=True)  # a segment box opens its sibling file
    page.wait_for_url(re.compile(r"big\.C99-S1\.html$"))
    wait_drawn(page)
    assert len(node_ids(page)) > len(in_ids(g, segments[0], RelType.IN_SEGMENT))
    page.click("text=返回全链")
    page.wait_for_url(re.compile(r"big\.html$"))
    wait_drawn(page)
    target = sorted(in_ids(g, segments[4], RelType.IN_SEGMENT))[0]
    search(page, target)  # found in the overview's index, opened in its segment's file
    page.wait_for_url(re.compile(r"big\.C99-S5\.html#focus="))
    wait_drawn(page)
    page.wait_for_selector("#panel-body:not([hidden])")
    assert selected(page) == [target]
    shot(page, "file-big-segment")
    watch.assert_clean()


def test_view_entity_and_gaps(district, tmp_path, open_context):
    uri, g, xss = district
    context, watch = open_context()
    page = context.new_page()
    for args, name in ((("view", "entity", xss, "--depth", "2", "--limit", "80"), "entity.html"),
                       (("view", "gaps", "--chain", "C01"), "gaps.html")):
        out = tmp_path / name
        result = run(*args, "-o", str(out), "--store", uri)
        assert result.exit_code == 0, result.output
        page.goto(out.as_uri())
        wait_drawn(page)
        assert 1 < len(node_ids(page)) <= 81 + 10
        assert page.locator("img[src=x]").count() == 0
        shot(page, f"file-{out.stem}")
    assert page.locator(".gaps-table tbody tr").count() > 0
    watch.assert_clean()


def test_a_gap_map_above_its_cap_is_written_as_an_overview_and_linked_files_down_to_segments(district, tmp_path,
                                                                                             open_context):
    from api.web.canvas import NO_CHAIN_FILE
    from api.web.gap_map import gap_map

    uri, g, _ = district
    out = tmp_path / "gaps.html"
    result = run("view", "gaps", "--cap", "30", "-o", str(out), "--store", uri)
    assert result.exit_code == 0, result.output
    parts = gap_map(g, cap=30).parts
    chains = [c for c in parts if c != NO_CHAIN_FILE]
    assert "C01" in chains and gap_map(g, cap=30, chain="C01").parts == chain_segments(g, "C01")
    written = {p.name for p in tmp_path.iterdir()}
    assert {"gaps.html", "gaps.C01.html", "gaps.C01.S01-1.html"} <= written
    assert (NO_CHAIN_FILE in parts) == ("gaps.未归入产业链.html" in written)  # the enterprises in no chain, if any
    assert {f"gaps.{c}.html" for c in chains} <= written
    context, watch = open_context()
    page = context.new_page()
    page.goto(out.as_uri())
    wait_drawn(page)
    data = page.evaluate("() => window.redchainNetwork.data")
    assert data["kind"] == "gaps_overview" and data["actions"] == []
    hrefs = [n["href"] for n in data["nodes"] if n.get("href")]
    assert hrefs and all((tmp_path / unquote(h)).is_file() for h in hrefs), hrefs  # no server behind a file: sibling files only
    click_node(page, "gaps:C01", double=True)
    page.wait_for_url(re.compile(r"gaps\.C01\.html$"))
    wait_drawn(page)
    click_node(page, "gaps:S01-1", double=True)
    page.wait_for_url(re.compile(r"gaps\.C01\.S01-1\.html$"))
    wait_drawn(page)
    drawn_enterprises = {n for n in node_ids(page) if n in g and g.nodes[n]["label"] == "Enterprise"}
    assert drawn_enterprises == {u["id"] for u in gap_map(g, chain="C01", segment="S01-1").uncovered} != set()
    shot(page, "file-gaps-segment")
    watch.assert_clean()


def test_view_files_are_for_their_owner_only(district, tmp_path):
    """A drawing names leaders and instructors: like the store, only its owner may read it,
    also when it replaces a file anyone could read."""
    uri, g, xss = district
    old = tmp_path / "chain.html"
    old.write_text("旧文件", encoding="utf-8")
    old.chmod(0o644)
    for args, name in ((("view", "chain", "C01"), "chain.html"), (("view", "entity", xss), "entity.html"),
                       (("view", "gaps"), "gaps.html")):
        result = run(*args, "-o", str(tmp_path / name), "--store", uri)
        assert result.exit_code == 0, result.output
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes == {"chain.html": 0o600, "entity.html": 0o600, "gaps.html": 0o600}
    assert "旧文件" not in old.read_text(encoding="utf-8")


def test_view_unknown_ids_say_so(district, tmp_path):
    uri = district[0]
    result = run("view", "chain", "NOPE", "-o", str(tmp_path / "x.html"), "--store", uri)
    assert result.exit_code == 1 and "找不到产业链 NOPE" in result.output
    result = run("view", "entity", "NOPE", "--store", uri, "-o", str(tmp_path / "y.html"))
    assert result.exit_code == 1 and "找不到对象 NOPE" in result.output
    assert not list(tmp_path.iterdir())
