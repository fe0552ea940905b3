"""Every page at 1400×900, as a planner first sees it, saved as a screenshot
(artifacts/screenshots/, not committed) and checked for what must be readable at 100 %
zoom: names written, headings on screen, boxes big enough to read.

The district tour covers every kind of page; the city tour opens the demo city's largest
chain (C02, about 20,000 enterprises) as its overview, then drills into one segment.
"""

from __future__ import annotations

import re
import time

from graph.analysis.membership import chain_enterprises
from graph.analysis.membership import chain_segments, segment_enterprises
from graph.projection import ids_with_label, in_ids
from graph.schema import Label, RelType

from web.browsing import click_node, propose, shot, wait_drawn

WINDOW = {"width": 1400, "height": 900}
BOX_FONT = 19  # api.web.chain_map: the overview's segment boxes write their text at this size


def _tour_page(context, server):
    page = context.new_page()
    page.goto(server.login_url())
    return page


def _opened_in(page, url: str) -> float:
    """Seconds from asking for ``url`` to its map drawn."""
    started = time.monotonic()
    page.goto(url)
    wait_drawn(page)
    return time.monotonic() - started


def labelled(page) -> list[str]:
    """Ids whose names the page wrote on the canvas in its last drawing."""
    return page.evaluate("() => window.redchainNetwork.labelled()")


def on_screen(page, node_id: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a node as drawn, in the graph area's pixels."""
    return tuple(page.evaluate(
        """id => {
            const net = window.redchainNetwork.network, box = net.getBoundingBox(id);
            const a = net.canvasToDOM({x: box.left, y: box.top}), b = net.canvasToDOM({x: box.right, y: box.bottom});
            return [a.x, a.y, b.x, b.y];
        }""", node_id))


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of boxes ({title, x, y, w, h} on screen) that overlap."""
    return [(a["title"], b["title"]) for k, a in enumerate(boxes) for b in boxes[k + 1:]
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]


def test_every_page_of_the_demo_district(fresh_server, open_context):
    g = fresh_server.projection()
    context, watch = open_context()
    page = _tour_page(context, fresh_server)
    page.goto(fresh_server.url + "/")
    shot(page, "tour-01-dashboard")

    for k, chain in enumerate(("C01", "C02", "C03", "C04", "C05")):
        page.goto(f"{fresh_server.url}/views/chains/{chain}")
        wait_drawn(page)
        named = set(labelled(page))
        leading = {e for e in chain_enterprises(g, chain) if g.nodes[e].get("leading")}
        assert leading <= named, chain  # the leading enterprises are named at first sight
        assert len(named & chain_enterprises(g, chain)) >= 2 * len(chain_segments(g, chain)), chain
        shot(page, f"tour-02-chain-{chain}")
    page.goto(f"{fresh_server.url}/views/chains/C01?segment=S01-4")
    wait_drawn(page)
    shot(page, "tour-03-chain-C01-segment")

    page.goto(f"{fresh_server.url}/views/entities/PO0006")  # a 联合党委: its branches, 隶属 lines on
    wait_drawn(page)
    children = in_ids(g, "PO0006", RelType.UNDER)
    assert page.is_checked("input[data-layer=hierarchy]")
    drawn_lines = page.evaluate("() => window.redchainNetwork.drawnEdges()")
    assert drawn_lines >= len(children) and set(children) <= set(labelled(page))
    shot(page, "tour-04-entity-joint-committee")
    click_node(page, "PO0006")
    page.wait_for_selector("#panel-body:not([hidden])")
    assert page.text_content("#panel-kind") == "党组织 · 党委 · 联合组建"
    page.goto(f"{fresh_server.url}/views/entities/PO0056?depth=2")  # an enterprise's 党委 under its chain's
    wait_drawn(page)
    shot(page, "tour-05-entity-committee-depth2")
    leading = sorted(e for e in chain_enterprises(g, "C01") if g.nodes[e].get("leading"))[0]
    page.goto(f"{fresh_server.url}/views/entities/{leading}")
    wait_drawn(page)
    shot(page, "tour-06-entity-enterprise")

    page.goto(fresh_server.url + "/views/gaps")
    wait_drawn(page)
    assert labelled(page)
    headings = page.evaluate("() => window.redchainNetwork.headings()")
    # every chain's title is written, and no column's title over it (zoomed out to fit,
    # a column's top is a few pixels under its chain's title)
    assert {"工程机械", "新一代信息技术", "新能源汽车零部件", "生物医药", "新材料"} <= {h["title"] for h in headings}
    assert not overlapping(headings)
    shot(page, "tour-07-gaps")
    page.goto(fresh_server.url + "/views/gaps?chain=C01")
    wait_drawn(page)
    shot(page, "tour-08-gaps-C01")

    page.goto(fresh_server.url + "/views/plans")
    shot(page, "tour-09-plans")
    propose(page, fresh_server.url, "pairings", chain="C01")
    assert labelled(page)
    shot(page, "tour-10-plan-review")

    page.goto(fresh_server.url + "/views/search?q=MA4PP3")
    assert page.locator(".search-results-table tbody tr").count() == 2
    shot(page, "tour-11-search")
    page.goto(fresh_server.url + "/docs")
    assert page.locator("h1").first.text_content().startswith("redchain 接口文档")
    shot(page, "tour-12-docs")
    page.click("text=← 返回总览")
    page.wait_for_url(fresh_server.url + "/")
    page.locator(".last-change").scroll_into_view_if_needed()
    shot(page, "tour-13-dashboard-last-change")
    page.click("text=查看变化明细 →")
    page.wait_for_url(fresh_server.url + "/views/changes")
    assert page.locator("h1").text_content().startswith("变化：")
    shot(page, "tour-14-changes")
    watch.assert_clean()


def test_the_city_chain_opens_as_an_overview_and_a_segment_as_park_blocks(city_server, open_context):
    g = city_server.projection()
    segments = chain_segments(g, "C02")
    assert len(chain_enterprises(g, "C02")) > 15_000  # the city's largest chain
    context, watch = open_context()
    page = _tour_page(context, city_server)
    overview_s = _opened_in(page, f"{city_server.url}/views/chains/C02")
    scale = page.evaluate("() => window.redchainNetwork.network.getScale()")
    assert BOX_FONT * scale >= 12  # the boxes' text is readable without zooming
    graph = page.locator("#graph").bounding_box()
    for s in segments:  # every segment box whole on the first screen
        left, top, right, bottom = on_screen(page, s)
        assert 0 <= left and right <= graph["width"] and 0 <= top and bottom <= graph["height"], s
    shot(page, "city-C02-overview")

    biggest = max(segments, key=lambda s: len(segment_enterprises(g, s)))
    started = time.monotonic()
    click_node(page, biggest, double=True)
    page.wait_for_url(re.compile(r"segment="))
    wait_drawn(page, timeout=30_000)
    segment_s = time.monotonic() - started
    parks = {g.nodes[e].get("park") or "" for e in segment_enterprises(g, biggest)}
    blocks = page.evaluate("() => window.redchainNetwork.data.lanes.filter(l => l.tone === 'segment').length")
    assert blocks == len(parks) > 1  # one block per park, not one field of dots
    assert len(labelled(page)) >= blocks  # each block names what matters in it
    shot(page, "city-C02-segment")
    # eight chains: the top bar keeps them in one menu, so 导入 and 接口文档 stay on screen
    menu = page.locator(".topbar .nav-menu summary")
    assert menu.text_content() == "产业链：" + g.nodes["C02"]["name"]
    for word in ("缺口地图", "规划", "导入", "接口文档"):
        box = page.locator(".topbar nav > a", has_text=word).bounding_box()
        assert box and box["x"] + box["width"] <= page.locator(".top-search").bounding_box()["x"], word
    menu.click()
    listed = page.locator(".nav-menu-list a")
    assert listed.count() == len(ids_with_label(g, Label.CHAIN))
    listed.filter(has_text=g.nodes["C01"]["name"]).click()
    page.wait_for_url(f"{city_server.url}/views/chains/C01")
    shot(page, "city-C01-from-the-menu")
    print(f"city C02: overview ready in {overview_s:.2f} s, segment of "
          f"{len(segment_enterprises(g, biggest))} enterprises in {segment_s:.2f} s")
    watch.assert_clean()


def test_the_city_gap_map_opens_by_chain_then_by_segment_then_one_segment(city_server, open_context):
    from api.web.gap_map import gap_map
    from api.web.pages import GAP_ROWS

    g = city_server.projection()
    context, watch = open_context()
    page = _tour_page(context, city_server)
    whole_s = _opened_in(page, f"{city_server.url}/views/gaps")
    data = page.evaluate("() => window.redchainNetwork.data")
    assert data["kind"] == "gaps_overview"
    chains = sorted(ids_with_label(g, Label.CHAIN))
    assert {n["id"] for n in data["nodes"]} >= {f"gaps:{c}" for c in chains}  # one box per chain
    scale = page.evaluate("() => window.redchainNetwork.network.getScale()")
    assert BOX_FONT * scale >= 12  # every box readable at first sight
    total = gap_map(g).totals["uncovered"]
    assert f"（{total} 家，按优先级）" in page.locator(".below h2").first.text_content()
    assert page.locator(".gaps-table tbody tr").count() == GAP_ROWS < total  # the rest in the workbook
    assert page.locator(".table-note a").get_attribute("href") == "/api/gaps/uncovered.xlsx"
    shot(page, "city-gaps-overview")

    click_node(page, "gaps:C02", double=True)
    page.wait_for_url(re.compile(r"/views/gaps\?chain=C02$"))
    wait_drawn(page, timeout=30_000)
    data = page.evaluate("() => window.redchainNetwork.data")
    assert data["kind"] == "gaps_overview"
    assert {n["id"] for n in data["nodes"]} == {f"gaps:{s}" for s in chain_segments(g, "C02")}
    shot(page, "city-gaps-C02")

    segment = chain_segments(g, "C02")[0]
    click_node(page, f"gaps:{segment}", double=True)
    page.wait_for_url(re.compile(rf"segment={segment}"))
    wait_drawn(page, timeout=30_000)
    drawn = {n for n in page.evaluate("() => window.redchainNetwork.nodes.getIds()") if n in g and g.nodes[n]["label"] == "Enterprise"}
    uncovered = {u["id"] for u in gap_map(g, chain="C02", segment=segment).uncovered}
    assert drawn == uncovered and uncovered <= set(segment_enterprises(g, segment))
    shot(page, "city-gaps-C02-segment")
    print(f"city gaps: overview ready in {whole_s:.2f} s")
    watch.assert_clean()


def test_a_city_plan_opens_summed_by_chain_with_its_proposals_a_page_at_a_time(city_server, open_context):
    from api.web.pages import PLAN_ROWS

    g = city_server.projection()
    context, watch = open_context()
    page = _tour_page(context, city_server)
    propose(page, city_server.url, "pairings", timeout=60_000)
    data = page.evaluate("() => window.redchainNetwork.data")
    assert data["kind"] == "plan_overview"
    assert {n["id"] for n in data["nodes"]} >= {f"plan:{c}" for c in ids_with_label(g, Label.CHAIN)}
    assert BOX_FONT * page.evaluate("() => window.redchainNetwork.network.getScale()") >= 12  # readable at first sight
    total = int(re.search(r"提议（(\d+) 项）", page.locator(".plan-review").inner_text()).group(1))
    assert total > 2 * PLAN_ROWS
    assert page.locator(".plan-items tbody tr").count() == PLAN_ROWS
    shot(page, "city-plan-pairings")
    page.click("text=下一页 →")
    page.wait_for_url(re.compile(r"\?page=2$"))
    assert page.locator(".plan-items tbody tr").count() == PLAN_ROWS
    assert f"第 {PLAN_ROWS + 1}–{2 * PLAN_ROWS} 项" in page.locator(".pager").inner_text()
    watch.assert_clean()
