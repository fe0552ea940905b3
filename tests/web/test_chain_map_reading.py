"""Reading a chain map in the browser: one colour means one thing (the legend says which),
the drawing fills the graph area, and nothing is drawn over the lanes or the summaries.
Measured in headless Chromium on the served district."""

from __future__ import annotations

import math

from graph.builder import GraphBuilder

from api.web import page as pages
from api.web.canvas import NO_LINKS
from api.web.chain_map import chain_map
from api.web.style import NODE_STYLES, RATE_BANDS
from web.browsing import shot, wait_drawn

STATES = ("standalone", "joint", "other_org", "work", "none", "outside")


def _chain_page(server, open_context, chain: str = "C01"):
    context, watch = open_context()
    page = context.new_page()
    page.goto(server.login_url())
    page.goto(server.url + f"/views/chains/{chain}")
    wait_drawn(page)
    return page, watch


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_legend_says_what_every_colour_means(server, open_context):
    page, watch = _chain_page(server, open_context)
    styles = page.evaluate("() => window.redchainNetwork.data.nodes.map(n => n.style)")
    present = set(STATES) & set(styles)
    assert {"standalone", "joint", "work", "none", "outside"} <= present
    for state in present:  # each state drawn is in the legend, its swatch the colour the map draws it in
        swatch = page.locator(f'.legend li[data-style="{state}"] svg :first-child')
        assert swatch.get_attribute("fill") == NODE_STYLES[state].color
    drawn = page.evaluate("""() => { const r = window.redchainNetwork, out = {};
        r.data.nodes.forEach(n => { if (n.kind === '企业' && !n.shape) out[n.style] = r.network.body.nodes[n.id].options.color.background; });
        return out; }""")
    assert drawn["standalone"] == NODE_STYLES["standalone"].color == RATE_BANDS["green"].strong  # the best state is green
    assert drawn["none"] == RATE_BANDS["red"].strong
    bands = page.locator(".legend li[data-band]")
    assert [bands.nth(i).get_attribute("data-band") for i in range(bands.count())] == ["green", "amber", "red", "none"]
    assert "组织覆盖率 ≥ 90%" in bands.nth(0).inner_text() and "组织覆盖率 < 80%" in bands.nth(2).inner_text()
    # A segment's heading is filled with its band's colour, as the legend's swatch.
    lanes = page.evaluate("() => window.redchainNetwork.data.lanes.filter(l => l.rate).map(l => l.rate)")
    assert lanes and set(lanes) <= set(RATE_BANDS)
    assert page.evaluate("() => window.redchainNetwork.data.styles.rates.red.fill") == RATE_BANDS["red"].fill
    # The dashboard's cells read the same bands.
    page.goto(server.url + "/")
    cell = page.locator(".chains-table td.rate-red").first
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") == _rgb(RATE_BANDS["red"].fill)
    watch.assert_clean()


LONG_NAME = "长沙市高新区精密液压传动科技有限公司"  # 14 characters once the company suffix is dropped
LONG_SEGMENT = "集成电路芯片设计制造与先进封装测试及电子元器件配套"  # longer than its column is wide


def _small_chain_file(folder) -> str:
    """Three enterprises in two segments under a committee with a long name: the chain's row
    is wider than its lanes, as in a new park's first import."""
    b = GraphBuilder().chain("C", name="数字经济").segment("U", "C", "upstream", name=LONG_SEGMENT)
    b.segment("D", "C", "downstream", name="行业应用")
    b.enterprise("E1", name=LONG_NAME).rel("IN_SEGMENT", "E1", "U")
    b.enterprise("E2", name="甲").rel("IN_SEGMENT", "E2", "U").enterprise("E3", name="乙").rel("IN_SEGMENT", "E3", "D")
    b.rel("SUPPLIES", "E1", "E3")
    b.org("OC", name="数字经济产业链党委（园区综合党委牵头）", formation="industry", level="committee").rel("LEADS", "OC", "C")
    b.org("S", name="支部").rel("COVERS", "S", "E1")
    out = folder / "chain.html"
    out.write_text(pages.graph_page(chain_map(b.projection(), "C", links=NO_LINKS), standalone=True), encoding="utf-8")
    return out.as_uri()


def _used(page) -> list[float]:
    """The share of the graph area's width and height the drawing takes (lanes and nodes)."""
    return page.evaluate("""() => { const r = window.redchainNetwork, net = r.network, box = {l: 1e9, t: 1e9, r: -1e9, b: -1e9};
        const grow = (x1, y1, x2, y2) => { box.l = Math.min(box.l, x1); box.t = Math.min(box.t, y1); box.r = Math.max(box.r, x2); box.b = Math.max(box.b, y2); };
        r.data.lanes.forEach(l => grow(l.x, l.y, l.x + l.w, l.y + l.h));
        net.body.nodeIndices.forEach(id => { const b = net.getBoundingBox(id); grow(b.left, b.top, b.right, b.bottom); });
        const a = net.canvasToDOM({x: box.l, y: box.t}), c = net.canvasToDOM({x: box.r, y: box.b});
        const el = document.getElementById('graph');
        return [(c.x - a.x) / el.clientWidth, (c.y - a.y) / el.clientHeight]; }""")


def test_the_map_fills_the_graph_area(server, open_context):
    page, watch = _chain_page(server, open_context, "C05")
    used = _used(page)
    assert max(used) >= 0.8, used  # one side nearly filled: the drawing is not a small island
    assert min(used) > 0.3 and max(used) <= 1.0, used
    shot(page, "chain-C05-fitted")
    watch.assert_clean()


def test_a_small_chain_is_drawn_large_with_its_names_written_out(open_context, tmp_path):
    context, watch = open_context()
    page = context.new_page()
    page.goto(_small_chain_file(tmp_path))
    wait_drawn(page)
    used = _used(page)
    assert max(used) >= 0.8, used  # the old fit left it at 28%
    assert page.evaluate("() => window.redchainNetwork.network.getScale()") > 1.2  # zoomed in, not stopped at 1
    assert page.evaluate("() => window.redchainNetwork.written()")["E1"] == LONG_NAME.removesuffix("有限公司")
    shot(page, "chain-small-file")
    # The segment's heading is cut to its column; the pointer on it shows the whole name.
    lane = page.evaluate("""() => { const r = window.redchainNetwork, l = r.data.lanes.find(l => l.tone === 'segment');
        const p = r.network.canvasToDOM({x: l.x + 20, y: l.y + 8}), box = document.getElementById('graph').getBoundingClientRect();
        return {x: p.x + box.left, y: p.y + box.top, title: l.title}; }""")
    assert lane["title"] == LONG_SEGMENT
    page.mouse.move(lane["x"], lane["y"])
    page.wait_for_selector("#tooltip:not([hidden])")
    assert page.locator("#tooltip strong").inner_text() == LONG_SEGMENT
    assert "组织覆盖" in page.locator("#tooltip span").inner_text()
    watch.assert_clean()


def test_nothing_is_drawn_over_the_lanes_or_the_summaries(server, open_context):
    page, watch = _chain_page(server, open_context)
    for layer in ("contacts", "instructors", "pairing"):
        page.check(f"input[data-layer={layer}]")
    found = page.evaluate("""() => { const r = window.redchainNetwork, net = r.network;
        const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        const lanes = r.data.lanes.map(l => ({left: l.x, top: l.y, right: l.x + l.w, bottom: l.y + l.h, title: l.title}));
        const shown = net.body.nodeIndices.map(id => r.data.nodes.find(n => n.id === id));
        const summaries = shown.filter(n => n.kind === '汇总').map(n => Object.assign({id: n.id}, net.getBoundingBox(n.id)));
        const over = [];
        shown.filter(n => n.kind !== '企业').forEach(n => {
          const b = net.getBoundingBox(n.id);
          lanes.forEach(l => { if (hit(b, l)) over.push(n.id + ' over ' + l.title); });
          summaries.forEach(s => { if (s.id !== n.id && hit(b, s)) over.push(n.id + ' over ' + s.id); });
        });
        // A line crosses a box if it meets one of the box's sides.
        const cross = (p, q, s) => { const steps = 40; for (let k = 1; k < steps; k++) {
          const x = p.x + (q.x - p.x) * k / steps, y = p.y + (q.y - p.y) * k / steps;
          if (x > s.left && x < s.right && y > s.top && y < s.bottom) return true; } return false; };
        let people = 0;
        net.body.edgeIndices.forEach(id => { const e = net.body.edges[id];
          const from = r.data.nodes.find(n => n.id === e.fromId), to = r.data.nodes.find(n => n.id === e.toId);
          if (!['leader', 'instructor', 'unit'].includes(from.style) && !['leader', 'instructor', 'unit'].includes(to.style)) return;
          people += 1;
          summaries.forEach(s => { if (cross(e.from, e.to, s)) over.push(e.fromId + '-' + e.toId + ' across ' + s.id); });
        });
        return {over: over, people: people, shown: shown.filter(n => n.style === 'leader').length}; }""")
    assert found["shown"] > 0 and found["people"] > 0  # the layers really drew people and their lines
    assert found["over"] == []
    shot(page, "chain-C01-people")
    watch.assert_clean()


def _outside_the_view(page) -> list[str]:
    """The visible nodes whose drawn box is not wholly inside the graph area."""
    return page.evaluate("""() => { const r = window.redchainNetwork, net = r.network, el = document.getElementById('graph');
        return net.body.nodeIndices.filter(id => { const b = net.getBoundingBox(id);
          const a = net.canvasToDOM({x: b.left, y: b.top}), c = net.canvasToDOM({x: b.right, y: b.bottom});
          return a.x < 0 || a.y < 0 || c.x > el.clientWidth || c.y > el.clientHeight; }); }""")


def test_switching_a_layer_on_fits_the_drawing_again(server, open_context):
    page, watch = _chain_page(server, open_context)
    assert _outside_the_view(page) == []
    for layer in ("contacts", "instructors", "pairing"):  # the people, below the lanes
        page.check(f"input[data-layer={layer}]")
        assert _outside_the_view(page) == [], layer
    people = page.evaluate("() => window.redchainNetwork.network.body.nodeIndices.filter(id => "
                           "['leader', 'instructor', 'unit'].includes(window.redchainNetwork.nodes.get(id) && "
                           "window.redchainNetwork.data.nodes.find(n => n.id === id).style)).length")
    assert people > 0
    # the names under the bottom row (18 px) stay above the hint line at the graph's foot
    lowest = page.evaluate("""() => { const net = window.redchainNetwork.network;
        return Math.max(...net.body.nodeIndices.map(id => net.canvasToDOM({x: 0, y: net.getBoundingBox(id).bottom}).y)); }""")
    hint = page.locator(".graph-hint").bounding_box()["y"] - page.locator("#graph").bounding_box()["y"]
    assert lowest + 18 <= hint
    shot(page, "chain-C01-all-layers")
    watch.assert_clean()


def test_a_reader_who_zoomed_in_keeps_the_view_when_a_layer_is_switched(server, open_context):
    page, watch = _chain_page(server, open_context)
    graph = page.locator("#graph").bounding_box()
    page.mouse.move(graph["x"] + graph["width"] / 3, graph["y"] + graph["height"] / 3)
    page.mouse.wheel(0, -600)  # zoom in on the upper left
    page.wait_for_timeout(400)
    view = "() => { const n = window.redchainNetwork.network; return [n.getScale(), n.getViewPosition()]; }"
    zoomed = page.evaluate(view)
    drawn = "() => window.redchainNetwork.network.body.nodeIndices.length"
    before = page.evaluate(drawn)
    page.check("input[data-layer=contacts]")  # draws the leaders below the lanes
    assert page.evaluate(drawn) > before
    assert page.evaluate(view) == zoomed
    watch.assert_clean()


def _one_column_file(folder) -> str:
    """One segment, as in QA's 整机制造: a leading enterprise and an uncovered one listed by
    name, the rest dots; supply links inside the column, among them a dot far down the grid
    supplying the leading one (a straight arrow would land on the uncovered one under it)."""
    b = GraphBuilder().chain("C", name="工程机械").segment("M", "C", "midstream", name="整机制造")
    b.node("Enterprise", "E01", name="龙头整机", leading=True, employees=900).rel("IN_SEGMENT", "E01", "M")
    b.node("Enterprise", "E02", name="未覆盖配套", above_scale=True, employees=300).rel("IN_SEGMENT", "E02", "M")
    for i in range(3, 31):
        b.enterprise(f"E{i:02d}", name=f"企业{i:02d}").rel("IN_SEGMENT", f"E{i:02d}", "M")
        b.org(f"O{i:02d}").rel("COVERS", f"O{i:02d}", f"E{i:02d}")
    b.org("O01").rel("COVERS", "O01", "E01")
    for source, target in (("E25", "E01"), ("E02", "E01"), ("E03", "E04"), ("E29", "E02"), ("E01", "E27"), ("E12", "E07")):
        b.rel("SUPPLIES", source, target)
    out = folder / "column.html"
    out.write_text(pages.graph_page(chain_map(b.projection(), "C", links=NO_LINKS), standalone=True), encoding="utf-8")
    return out.as_uri()


def _off_the_path(p, q, centre, radius) -> bool:
    """Whether the segment p–q keeps out of a circle."""
    (px, py), (qx, qy), (cx, cy) = p, q, centre
    dx, dy = qx - px, qy - py
    t = max(0.0, min(1.0, ((cx - px) * dx + (cy - py) * dy) / max(dx * dx + dy * dy, 1e-9)))
    return math.hypot(px + t * dx - cx, py + t * dy - cy) >= radius


def test_an_arrow_inside_a_column_joins_its_own_two_enterprises(open_context, tmp_path):
    context, watch = open_context()
    page = context.new_page()
    page.goto(_one_column_file(tmp_path))
    wait_drawn(page)
    page.check("input[data-layer=supply]")
    paths = [p for p in page.evaluate("() => window.redchainNetwork.paths()") if p["style"] == "SUPPLIES"]
    dots = page.evaluate("""() => { const net = window.redchainNetwork.network, out = {};
        net.body.nodeIndices.forEach(id => { const b = net.body.nodes[id]; out[id] = [b.x, b.y, b.options.size]; });
        return out; }""")
    assert sorted((p["from"], p["to"]) for p in paths) == sorted(
        [("E25", "E01"), ("E02", "E01"), ("E03", "E04"), ("E29", "E02"), ("E01", "E27"), ("E12", "E07")])
    for path in paths:
        points = path["points"]
        for end, at in ((path["from"], points[0]), (path["to"], points[-1])):  # on the circle of its own end
            x, y, radius = dots[end]
            assert abs(math.hypot(at[0] - x, at[1] - y) - radius) < 1.0, (path["from"], path["to"], end, at)
        for other, (x, y, radius) in dots.items():  # and through no third enterprise
            if other in (path["from"], path["to"]) or not other.startswith("E"):
                continue
            assert all(_off_the_path(p, q, (x, y), radius) for p, q in zip(points, points[1:])), (path["from"], path["to"], other)
    page.evaluate("() => window.redchainNetwork.focus('E01')")
    page.wait_for_timeout(600)
    shot(page, "chain-column-arrows")
    watch.assert_clean()
