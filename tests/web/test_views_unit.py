"""The view builders on hand-built graphs with literal answers, plus the safety of what
they hand to a page. No server, no browser."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from collections import Counter

import pytest
from dataclasses import asdict

from graph.builder import GraphBuilder
from graph.analysis.coverage import coverage_report
from graph.analysis.membership import base_enterprises
from graph.errors import NotFound
from graph.factory import open_store
from graph.projection import project

from api.web import page
from api.web.canvas import NO_CHAIN_FILE, NO_LINKS, SERVER_LINKS, Links, coverage_states, short_label
from api.web.chain_map import chain_map
from api.web.dashboard import trend_svg
from api.web.gap_map import gap_map
from api.web.layout import CELL_H, CELL_W, Column, LaneSpec, grid_rows, swimlanes
from api.web.neighbourhood_map import neighbourhood_map
from api.web.style import RATE_BANDS, rate_percent
from graph.analysis.history import HistoryPoint

XSS = "</script><img src=x onerror=alert(1)>"


def small_chain() -> GraphBuilder:
    """Chain C with an upstream segment U (E1 standalone, E2 joint, E3 by the committee)
    and a downstream segment D (E4 instructor, E5 nothing, E6 closed)."""
    b = GraphBuilder().chain("C").segment("U", "C", "upstream").segment("D", "C", "downstream")
    for e, seg in (("E1", "U"), ("E2", "U"), ("E3", "U"), ("E4", "D"), ("E5", "D"), ("E6", "D")):
        b.enterprise(e).rel("IN_SEGMENT", e, seg)
    b.node("Enterprise", "E6", name="E6", status="closed")
    b.org("S").rel("COVERS", "S", "E1")
    b.org("J", formation="joint").rel("COVERS", "J", "E2")
    # An industry committee: E3's state follows OC's own formation, not OC leading C.
    b.org("OC", formation="industry", level="committee").rel("LEADS", "OC", "C").rel("COVERS", "OC", "E3")
    b.node("Instructor", "I1", name="王五").rel("ASSIGNED_TO", "I1", "E4")
    b.rel("SUPPLIES", "E1", "E4").rel("SUPPLIES", "E2", "E5")
    return b


def test_coverage_states_literal():
    g = small_chain().projection()
    assert coverage_states(g, ["E1", "E2", "E3", "E4", "E5", "E6"]) == {
        "E1": "standalone", "E2": "joint", "E3": "other_org", "E4": "work", "E5": "none", "E6": "outside",
    }


def test_coverage_states_agree_with_the_coverage_report(district_db):
    store = open_store(f"sqlite:///{district_db[0]}")
    try:
        g = project(store.read())
    finally:
        store.close()
    for chain in (None, "C01", "C04"):
        base = base_enterprises(g, chain=chain)
        states = Counter(coverage_states(g, base).values())
        totals = coverage_report(g, chain=chain).totals
        assert states["standalone"] == totals.covered_by_standalone
        assert states["joint"] == totals.covered_by_joint
        assert states["standalone"] + states["joint"] + states["other_org"] == totals.org_covered
        assert states["work"] == totals.work_covered and states["none"] == totals.uncovered


def test_json_for_html_cannot_end_its_script_block():
    payload = {"name": XSS, "park": "a&b", "line": "\u2028"}
    text = str(page.json_for_html(payload))
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text) == payload


def test_chain_map_lanes_run_upstream_to_downstream():
    g = small_chain().projection()
    payload = chain_map(g, "C")
    nodes = {n["id"]: n for n in payload["nodes"]}
    # Branches of one enterprise are its colour, not nodes; the instructor is summarised
    # (and drawn on a layer that is off at first).
    assert set(nodes) == {"E1", "E2", "E3", "E4", "E5", "E6", "OC", "I1", "C", "summary:instructor"}
    assert max(nodes[e]["x"] for e in ("E1", "E2", "E3")) < min(nodes[e]["x"] for e in ("E4", "E5", "E6"))
    assert {n["id"]: n["style"] for n in payload["nodes"] if n["kind"] == "企业"} == {
        "E1": "standalone", "E2": "joint", "E3": "other_org", "E4": "work", "E5": "none", "E6": "outside"}
    assert nodes["OC"]["style"] == "committee" and nodes["OC"]["y"] < nodes["E1"]["y"]  # above the lanes
    # The summaries above the chain's row, the people below the lanes: their lines reach up
    # into the columns without crossing a summary.
    assert nodes["summary:instructor"]["y"] < nodes["OC"]["y"] and nodes["I1"]["y"] > nodes["E4"]["y"]
    assert nodes["summary:instructor"]["label"] == "党建指导员 1 人\n派驻 1 处"
    assert {i["id"]: i["at"] for i in payload["index"]} == {"S": "E1", "J": "E2"}  # found by the search
    edges = {(e["from"], e["to"], e["style"]): e for e in payload["edges"]}
    assert {("E1", "E4", "SUPPLIES"), ("I1", "E4", "ASSIGNED_TO"), ("OC", "C", "LEADS")} <= set(edges)
    assert edges[("OC", "E3", "COVERS")]["quiet"]  # drawn when one end is selected
    assert [lane["title"] for lane in payload["lanes"]] == ["上游", "下游", "U", "D"]
    assert [lane.get("subtitle") for lane in payload["lanes"][2:]] == ["3 家\n组织覆盖 100.00%", "2 家\n组织覆盖 0.00%"]
    layers = {k: v["on"] for k, v in payload["styles"]["layers"].items()}
    assert layers["supply"] is False and layers["instructors"] is False and layers["people"] is True
    assert layers["enterprises"] is True and layers["orgs"] is True


def test_lanes_are_neutral_greys_that_no_coverage_band_uses():
    """Green, amber and red mean coverage only: a stage lane and its title are grey."""
    payload = chain_map(small_chain().projection(), "C")
    band_colours = {c for band in RATE_BANDS.values() for c in (band.fill, band.ink, band.strong)}
    stages = [lane for lane in payload["lanes"] if lane["tone"] != "segment"]
    assert [lane["tone"] for lane in stages] == ["upstream", "downstream"]
    for lane in stages:
        for colour in payload["styles"]["lanes"][lane["tone"]].values():
            rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
            assert colour not in band_colours and max(rgb) - min(rgb) <= 6, (lane["tone"], colour)  # no hue


def test_chain_map_figures_are_the_coverage_report():
    g = small_chain().projection()
    assert chain_map(g, "C")["figures"] == asdict(coverage_report(g, chain="C").totals)
    segment = chain_map(g, "C", segment="D")["figures"]
    assert segment == asdict(next(grp for grp in coverage_report(g, by="segment", chain="C").groups if grp.key == "D"))
    assert segment["base"] == 2 and segment["uncovered"] == 1  # E6 is closed: drawn, not counted
    assert chain_map(g, "C", cap=3)["figures"] == asdict(coverage_report(g, chain="C").totals)  # the overview too


def test_chain_map_names_the_enterprises_that_matter():
    b = GraphBuilder().chain("C").segment("U", "C", "upstream")
    for i in range(30):
        b.enterprise(f"E{i:02d}", employees=10).rel("IN_SEGMENT", f"E{i:02d}", "U")
        b.org(f"O{i:02d}").rel("COVERS", f"O{i:02d}", f"E{i:02d}")
    b.node("Enterprise", "BIG", name="龙头企业甲有限公司", leading=True, employees=900).rel("IN_SEGMENT", "BIG", "U")
    b.node("Enterprise", "GAP", name="未覆盖乙", above_scale=True, employees=300).rel("IN_SEGMENT", "GAP", "U")
    payload = chain_map(b.projection(), "C")
    named = [n["id"] for n in payload["nodes"] if n.get("side") == "right"]
    assert named[:2] == ["BIG", "GAP"]  # leading first, then the uncovered of highest priority
    dots = [n for n in payload["nodes"] if n["kind"] == "企业" and n["id"] not in named]
    assert dots and all(n["rank"] >= 1000 for n in dots)  # their names on hover (or zoomed in)
    assert {n["id"]: n["label"] for n in payload["nodes"]}["BIG"] == "龙头企业甲"


def test_chain_map_above_the_cap_is_an_overview_with_a_search_index():
    g = small_chain().projection()
    payload = chain_map(g, "C", cap=3)
    assert payload["kind"] == "chain_overview"
    segments = {n["id"]: n for n in payload["nodes"] if n["style"] == "segment"}
    assert set(segments) == {"U", "D"}
    assert segments["U"]["href"] == "/views/chains/C?segment=U"
    assert segments["U"]["label"] == "U\n3 家 · 组织覆盖 100.00%\n未覆盖 0"
    assert segments["U"]["color"] == "#d5f5e3" and segments["D"]["color"] == "#fadbd8"  # green, red
    assert {(e["from"], e["to"], e.get("label")) for e in payload["edges"] if e["style"] == "FLOW"} == {("U", "D", "2")}
    index = payload["index"]
    assert index["hrefs"] == ["/views/chains/C?segment=U", "/views/chains/C?segment=D"]
    assert {item[0] for item in index["items"]} == {"E1", "E2", "E3", "E4", "E5", "E6"}
    drilled = chain_map(g, "C", cap=3, segment="D")
    assert {n["id"] for n in drilled["nodes"] if n["kind"] == "企业"} == {"E4", "E5", "E6"}
    assert drilled["actions"] == [["返回全链", "/views/chains/C"]]
    assert chain_map(g, "C", cap=3, full=True)["kind"] == "chain"
    with pytest.raises(NotFound, match="找不到环节 X"):
        chain_map(g, "C", segment="X")


def test_a_heading_reads_the_exact_rate_its_colour_is_chosen_from():
    """39 of 49 covered is 79.59%: red under an amber threshold of 80%, and it must not read 80%."""
    b = GraphBuilder().chain("C").segment("M", "C", "midstream", name="整机制造")
    for i in range(49):
        b.enterprise(f"E{i:02d}").rel("IN_SEGMENT", f"E{i:02d}", "M")
        if i < 39:
            b.org(f"O{i:02d}").rel("COVERS", f"O{i:02d}", f"E{i:02d}")
    g = b.projection()
    heading = next(lane for lane in chain_map(g, "C")["lanes"] if lane["tone"] == "segment")
    assert (heading["subtitle"], heading["rate"]) == ("49 家\n组织覆盖 79.59%", "red")
    box = next(n for n in chain_map(g, "C", cap=10)["nodes"] if n["id"] == "M")  # the overview's box
    assert box["label"].split("\n")[1] == "49 家 · 组织覆盖 79.59%" and box["color"] == RATE_BANDS["red"].fill
    assert ["组织覆盖率", "79.59%"] in box["info"]
    # Two decimals as the report writes them, never rounded up onto a threshold the rate is below.
    assert rate_percent(0.846153, green=0.9, amber=0.8) == "84.62%"
    assert rate_percent(0.799996, green=0.9, amber=0.8) == "79.99%"
    assert rate_percent(0.899999, green=0.9, amber=0.8) == "89.99%"
    assert rate_percent(0.9, green=0.9, amber=0.8) == "90.00%"


def test_a_drilled_segment_is_one_block_per_park():
    b = GraphBuilder().chain("C").segment("S", "C", "midstream")
    for i in range(12):
        park = "甲园" if i < 8 else "乙园"
        b.enterprise(f"E{i:02d}", park=park).rel("IN_SEGMENT", f"E{i:02d}", "S")
    b.enterprise("NOPARK").rel("IN_SEGMENT", "NOPARK", "S")
    b.org("J", formation="joint").rel("COVERS", "J", "E00").rel("COVERS", "J", "E01")
    payload = chain_map(b.projection(), "C", segment="S")
    blocks = [lane for lane in payload["lanes"] if lane["tone"] == "segment"]
    assert [(lane["title"], lane["subtitle"]) for lane in blocks] == [
        ("甲园", "8 家\n组织覆盖 25.00%"), ("乙园", "4 家\n组织覆盖 0.00%"), ("未填写园区", "1 家\n组织覆盖 0.00%")]
    nodes = {n["id"]: n for n in payload["nodes"]}
    for lane in blocks:  # every enterprise inside its park's block
        members = [e for e in nodes if nodes[e]["kind"] == "企业" and lane["x"] <= nodes[e]["x"] <= lane["x"] + lane["w"]
                   and lane["y"] <= nodes[e]["y"] <= lane["y"] + lane["h"]]
        assert len(members) == int(lane["subtitle"].split(" ")[0])


def test_the_gap_map_of_all_chains_draws_an_enterprise_under_each_of_its_chains():
    """E1 is in chains A and B, uncovered: a planner reading either chain's lane sees it."""
    b = GraphBuilder().chain("A", name="甲链").segment("SA", "A", "midstream").chain("B", name="乙链")
    b.segment("SB", "B", "downstream").enterprise("E1", name="两链企业").enterprise("E2", name="乙链企业")
    b.rel("IN_SEGMENT", "E1", "SA").rel("IN_SEGMENT", "E1", "SB").rel("IN_SEGMENT", "E2", "SB")
    payload = gap_map(b.projection(), links=NO_LINKS).payload
    drawn = [n for n in payload["nodes"] if n["kind"] == "企业"]
    lanes = {lane["title"]: lane for lane in payload["lanes"] if lane["tone"] == "plain"}
    assert set(lanes) == {"甲链", "乙链"}

    def lane_of(node):
        return next(t for t, lane in lanes.items() if lane["x"] <= node["x"] <= lane["x"] + lane["w"])

    assert sorted((n.get("copyOf", n["id"]), lane_of(n)) for n in drawn) == [
        ("E1", "乙链"), ("E1", "甲链"), ("E2", "乙链")]
    e1 = [n for n in drawn if n.get("copyOf", n["id"]) == "E1"]
    assert {n["style"] for n in e1} == {"none"} and {n["label"] for n in e1} == {"两链企业"}
    assert all(["所属产业链", "甲链、乙链（每条链下各画一次）"] in n["info"] for n in e1)


def test_side_panel_type_says_what_the_node_is():
    g = (GraphBuilder().org("P", name="某园区联合党委", level="committee", formation="joint")
         .org("B", level="branch").rel("UNDER", "B", "P").projection())
    payload = neighbourhood_map(g, "P")
    types = {n["id"]: n["type"] for n in payload["nodes"]}
    assert types == {"P": "党委 · 联合组建", "B": "党支部 · 单独组建"}


def test_an_orgs_neighbourhood_shows_its_hierarchy():
    g = (GraphBuilder().org("TOP", level="committee", formation="industry").org("MID", level="committee", formation="joint")
         .org("B1").org("B2").enterprise("E1")
         .rel("UNDER", "MID", "TOP").rel("UNDER", "B1", "MID").rel("UNDER", "B2", "MID").rel("COVERS", "B1", "E1")
         .projection())
    payload = neighbourhood_map(g, "MID", depth=2)
    nodes = {n["id"]: n for n in payload["nodes"]}
    assert nodes["TOP"]["y"] < nodes["MID"]["y"]  # the superior above
    assert payload["styles"]["layers"]["hierarchy"]["on"] is True
    labels = {(e["from"], e["to"]): e.get("label") for e in payload["edges"] if e["style"] == "UNDER"}
    assert labels == {("MID", "TOP"): "隶属于", ("B1", "MID"): "隶属于", ("B2", "MID"): "隶属于"}
    blocks = [lane["title"] for lane in payload["lanes"]]
    assert blocks == ["下级党组织（2）"]
    assert nodes["E1"]["x"] > nodes["B1"]["x"] and nodes["E1"]["y"] > nodes["B1"]["y"]  # under its branch, a step in


def test_file_links_point_only_at_sibling_files():
    links = Links(server=False, chain_files={"C": "c.html"}, segment_files={"U": "c.U.html"})
    assert links.chain("C") == "c.html" and links.chain("C", segment="U") == "c.U.html"
    assert links.chain("C", full=True) is None and links.chain("OTHER") is None and links.entity("E1") is None
    assert NO_LINKS.gaps("C") is None
    assert SERVER_LINKS.entity("a/b?c") == "/views/entities/a%2Fb%3Fc"


def test_neighbourhood_is_capped_with_n_more():
    b = GraphBuilder().enterprise("HUB")
    for i in range(10):
        b.enterprise(f"E{i}").rel("SUPPLIES", "HUB", f"E{i}")
    b.enterprise("FAR").rel("SUPPLIES", "E0", "FAR")
    g = b.projection()
    payload = neighbourhood_map(g, "HUB", depth=1, limit=5)
    ids = [n["id"] for n in payload["nodes"]]
    assert sorted(ids) == ["E0", "E1", "E2", "E3", "HUB", "more:HUB"]
    more = {n["id"]: n for n in payload["nodes"]}["more:HUB"]
    assert more["label"] == "另有 6 个" and more["href"] == "/views/entities/HUB"
    assert [lane["title"] for lane in payload["lanes"]] == ["下游客户（4）", "受显示上限所限未画出"]
    assert payload["actions"][0] == ["显示更多（还有 6 个未显示）", "/views/entities/HUB?depth=1&limit=10"]
    two = neighbourhood_map(g, "HUB", depth=2, limit=50)
    assert {n["id"] for n in two["nodes"]} == {"HUB", "FAR", *(f"E{i}" for i in range(10))}
    with pytest.raises(NotFound):
        neighbourhood_map(g, "NOPE")
    with pytest.raises(ValueError):
        neighbourhood_map(g, "HUB", depth=4)


def test_swimlanes_never_put_two_nodes_in_one_cell():
    lanes = [LaneSpec("上游", "upstream", [Column("a", [f"a{i}" for i in range(40)]), Column("b", ["b1", "a1"])]),
             LaneSpec("下游", "downstream", [Column("c", [f"c{i}" for i in range(7)])])]
    placed = swimlanes(lanes)
    points = list(placed.positions.values())
    assert len(points) == len(set(points)) == 48  # "a1" keeps its first place
    for (x1, y1) in points:
        assert sum(1 for (x2, y2) in points if abs(x1 - x2) < CELL_W / 2 and abs(y1 - y2) < CELL_H / 2) == 1
    assert 3 <= grid_rows(1, 1) and grid_rows(5000, 10_000) < 200


def test_short_labels():
    assert short_label("长沙奇华智能装备有限公司") == "长沙奇华智能装备"
    assert short_label("一二三四五六七八九十十一") == "一二三四五六七八九…"
    assert short_label("有限公司") == "有限公司"


def _point(day: int, org: float, two: float) -> HistoryPoint:
    return HistoryPoint(f"2025-0{day}-01", "", 100, 0, 0, 0, org, two, None, None, None)


def test_trend_chart_is_plain_svg():
    assert trend_svg([]) is None
    svg = str(trend_svg([_point(1, 0.8, 0.85), _point(2, 0.82, 0.88), _point(3, 0.84, 0.9)]))
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 6
    assert "http" not in svg and "style=" not in svg and "<script" not in svg
    assert "组织覆盖率 84.0%" in svg and "两个覆盖率 90.0%" in svg and "2025-03-01" in svg


def test_a_standalone_page_inlines_everything_and_allows_exactly_that():
    payload = chain_map(small_chain().projection(), "C", links=NO_LINKS)
    html = page.graph_page(payload, standalone=True)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and "vis-network" in scripts[0][:300]
    digest = "sha256-" + base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src '{digest}'" in unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)[1])
    assert not re.search(r"""(src|href)=["']?https?:""", html) and "url(http" not in html
    assert '<meta charset="utf-8">' in html and "/views/" not in html


def test_static_files_cannot_escape_their_folder():
    assert page.static_file("graph.js") is not None
    assert page.static_file("vendor/vis-network-9.1.2/vis-network.min.js") is not None
    for bad in ("../page.py", "/etc/passwd", "vendor/../../page.py", "", "vendor", "..\\page.py"):
        assert page.static_file(bad) is None, bad


def _gap_district() -> GraphBuilder:
    """Chains A (甲链: segments SA upstream, SB downstream) and B (乙链): E1 uncovered in
    both chains and both of A's segments, E2 uncovered in SB only and reached by an
    instructor, E3 uncovered in no chain, E4 in SA covered by its own branch."""
    b = GraphBuilder().chain("A", name="甲链").segment("SA", "A", "upstream", name="上游段")
    b.segment("SB", "A", "downstream", name="下游段").chain("B", name="乙链").segment("SC", "B", "midstream")
    for e in ("E1", "E2", "E3", "E4"):
        b.enterprise(e, name=f"企业{e}")
    b.rel("IN_SEGMENT", "E1", "SA").rel("IN_SEGMENT", "E1", "SB").rel("IN_SEGMENT", "E1", "SC")
    b.rel("IN_SEGMENT", "E2", "SB").rel("IN_SEGMENT", "E4", "SA")
    b.org("O4").rel("COVERS", "O4", "E4")
    b.node("Instructor", "I1", name="王五").rel("ASSIGNED_TO", "I1", "E2")
    return b


def _boxes(payload: dict) -> dict[str, list[str]]:
    return {n["id"]: n["label"].split("\n") for n in payload["nodes"]}


def test_a_gap_map_above_its_cap_opens_as_one_box_per_chain():
    g = _gap_district().projection()
    whole = gap_map(g, cap=2)
    assert whole.payload["kind"] == "gaps_overview" and whole.payload["title"] == "缺口地图：全部产业链（按产业链汇总）"
    boxes = _boxes(whole.payload)
    assert set(boxes) == {"gaps:A", "gaps:B", "gaps:-"}
    assert boxes["gaps:A"][:3] == ["甲链", "未建党组织 2 家", "其中工作覆盖 1 家"]  # E1 and E2
    assert boxes["gaps:B"][:3] == ["乙链", "未建党组织 1 家", "其中工作覆盖 0 家"]  # E1 again: it is in both
    assert boxes["gaps:-"][:3] == ["未归入产业链", "未建党组织 1 家", "其中工作覆盖 0 家"]  # E3
    hrefs = {n["id"]: n.get("href") for n in whole.payload["nodes"]}
    assert hrefs == {"gaps:A": "/views/gaps?chain=A", "gaps:B": "/views/gaps?chain=B", "gaps:-": "/views/gaps?unchained=1"}
    assert whole.payload["actions"] == [["显示全部企业（较慢）", "/views/gaps?full=1"]]
    # the tables and totals are the same whichever is drawn
    drawn = gap_map(g, cap=3)
    assert drawn.payload["kind"] == "gaps" and [r["id"] for r in whole.uncovered] == [r["id"] for r in drawn.uncovered]
    assert whole.totals == drawn.totals and whole.totals["uncovered"] == 3
    assert gap_map(g, cap=2, full=True).payload["kind"] == "gaps"
    assert all("href" not in n for n in gap_map(g, cap=2, links=NO_LINKS).payload["nodes"])  # a file has no server
    # the 未归入产业链 box opens the map of the enterprises in no chain, drawn whatever the cap
    unchained = gap_map(g, unchained=True, cap=0)
    assert unchained.payload["kind"] == "gaps" and unchained.payload["title"] == "缺口地图：未归入产业链"
    assert {n["id"] for n in unchained.payload["nodes"] if n["kind"] == "企业"} == {"E3"}
    assert [r["id"] for r in unchained.uncovered] == ["E3"] and unchained.totals["uncovered"] == 1


def test_a_chains_gap_map_above_its_cap_opens_as_one_box_per_segment_each_opening_its_own_map():
    g = _gap_district().projection()
    chain = gap_map(g, chain="A", cap=1).payload
    assert chain["kind"] == "gaps_overview"
    boxes = _boxes(chain)
    assert boxes == {"gaps:SA": ["上游段", "未建党组织 1 家", "其中工作覆盖 0 家", boxes["gaps:SA"][3], boxes["gaps:SA"][4]],
                     "gaps:SB": ["下游段", "未建党组织 2 家", "其中工作覆盖 1 家", boxes["gaps:SB"][3], boxes["gaps:SB"][4]]}
    assert [lane["title"] for lane in chain["lanes"]] == ["上游", "下游"]
    assert {n["id"]: n["href"] for n in chain["nodes"]} == {"gaps:SA": "/views/gaps?chain=A&segment=SA",
                                                             "gaps:SB": "/views/gaps?chain=A&segment=SB"}
    one = gap_map(g, chain="A", segment="SB", cap=1)  # a segment is drawn whole, whatever the cap
    assert one.payload["kind"] == "gaps" and one.payload["title"] == "缺口地图：甲链 · 下游段"
    assert {n["id"] for n in one.payload["nodes"] if n["kind"] == "企业"} == {"E1", "E2"}
    assert [lane["title"] for lane in one.payload["lanes"] if lane["tone"] == "segment"] == ["下游段（2）"]
    assert {r["id"] for r in one.uncovered} == {"E1", "E2"}
    assert one.totals["uncovered"] == 2 and one.totals["work_covered"] == 1
    with pytest.raises(NotFound, match="产业链 A 中找不到环节 SC"):
        gap_map(g, chain="A", segment="SC")


def test_a_gap_overview_written_to_a_file_links_its_boxes_to_sibling_files_and_nothing_else():
    g = _gap_district().projection()
    links = Links(server=False, gap_files={"A": "g.A.html", "B": "g.B.html", "SA": "g.A.SA.html", "SB": "g.A.SB.html",
                                           NO_CHAIN_FILE: "g.未归入产业链.html"})
    whole = gap_map(g, cap=2, links=links)
    assert whole.parts == ["A", "B", NO_CHAIN_FILE]
    # "every enterprise" has no file: no dead link
    assert {n["id"]: n.get("href") for n in whole.payload["nodes"]} == {
        "gaps:A": "g.A.html", "gaps:B": "g.B.html", "gaps:-": "g.%E6%9C%AA%E5%BD%92%E5%85%A5%E4%BA%A7%E4%B8%9A%E9%93%BE.html"}
    assert whole.payload["actions"] == []
    chain = gap_map(g, chain="A", cap=1, links=links)
    assert chain.parts == ["SA", "SB"]
    assert {n["id"]: n["href"] for n in chain.payload["nodes"]} == {"gaps:SA": "g.A.SA.html", "gaps:SB": "g.A.SB.html"}
    assert gap_map(g, chain="A", cap=3, links=links).parts == []  # drawn: nothing further to write


def test_the_gap_overviews_count_the_proposals_reaching_each_box():
    from graph.analysis.planners import plan_joint_branches, plan_pairings

    g = _gap_district().projection()
    pairings, joint = plan_pairings(g), plan_joint_branches(g)
    new_orgs = {o.id for o in joint.new_orgs}
    boxes = _boxes(gap_map(g, cap=2).payload)
    for box, members in (("gaps:A", {"E1", "E2"}), ("gaps:B", {"E1"}), ("gaps:-", {"E3"})):
        paired = sum(1 for i in pairings.items if i.target in members and i.source not in new_orgs)
        branches = len({i.source for i in joint.items if i.target in members and i.source in new_orgs})
        assert boxes[box][3:] == [f"拟结对 {paired} 对", f"拟建联合党支部 {branches} 个"], box


def test_a_plan_above_its_cap_is_summed_by_the_chain_of_what_it_reaches():
    """X and Y propose for E1 (chain A); X for the org O, which covers E2 (chain B) and E3
    (in no chain), and Y for E3: A has 2 proposals from 2 proposers, B 1 from X (O reaches a
    chain, so it is not also counted as reaching none), the no-chain box 1 from Y."""
    from api.web.plan_map import plan_map
    from graph.analysis.planners.plan import Plan, PlanItem
    from graph.schema import RelType

    b = GraphBuilder().chain("A", name="甲链").segment("SA", "A", "upstream", name="上游段").chain("B", name="乙链")
    b.segment("SB", "B", "downstream").enterprise("E1").enterprise("E2").enterprise("E3").org("O").org("X").org("Y")
    b.rel("IN_SEGMENT", "E1", "SA").rel("IN_SEGMENT", "E2", "SB").rel("COVERS", "O", "E2").rel("COVERS", "O", "E3")
    g = b.projection()
    items = [PlanItem("X", "E1", RelType.PAIRED_WITH, ()), PlanItem("Y", "E1", RelType.PAIRED_WITH, ()),
             PlanItem("X", "O", RelType.PAIRED_WITH, ()), PlanItem("Y", "E3", RelType.PAIRED_WITH, ())]
    plan = Plan("pairings", "2026-12-05T00:00:00+00:00", 1, items)
    assert plan_map(g, plan, cap=4)["kind"] == "plan"
    summed = plan_map(g, plan, cap=2)
    assert summed["kind"] == "plan_overview" and summed["title"] == "结对共建规划（按产业链汇总）"
    assert _boxes(summed) == {"plan:A": ["甲链", "提议 2 项", "提议方 2 个"], "plan:B": ["乙链", "提议 1 项", "提议方 1 个"],
                              "plan:-": ["未归入产业链", "提议 1 项", "提议方 1 个"]}
    by_segment = plan_map(g, plan, chain="A", cap=2)  # a chain's plan: by that chain's segments
    assert _boxes(by_segment) == {"plan:SA": ["上游段", "提议 2 项", "提议方 2 个"], "plan:-": ["其他环节", "提议 2 项", "提议方 2 个"]}


def _frame_of(payload: dict, node: dict) -> dict:
    """The group (segment or park) frame a node is drawn in."""
    return next(lane for lane in payload["lanes"] if lane["tone"] == "segment"
                and lane["x"] <= node["x"] <= lane["x"] + lane["w"] and lane["y"] <= node["y"] <= lane["y"] + lane["h"])


def test_a_listed_name_has_room_only_up_to_its_columns_edge():
    """QA round 8: long names ran past their segment's column into the next one, and the
    last column's past the drawing's edge. The page cuts a name to its ``room``."""
    b = GraphBuilder().chain("C")
    for s, stage in (("S1", "upstream"), ("S2", "upstream"), ("S3", "downstream")):
        b.segment(s, "C", stage)
        for i in range(14):
            e = f"{s}E{i:02d}"
            b.node("Enterprise", e, name=f"湖南{s}超长名称生物制药科技发展{i:02d}有限公司", leading=i < 3,
                   employees=100 + i).rel("IN_SEGMENT", e, s)
    for payload in (chain_map(b.projection(), "C"), chain_map(b.projection(), "C", segment="S1")):
        named = [n for n in payload["nodes"] if n.get("side") == "right"]
        assert len(named) >= 2
        for n in named:
            frame = _frame_of(payload, n)
            assert 0 < n["room"] and n["x"] + n["room"] <= frame["x"] + frame["w"], (n["id"], n["room"], frame)


def test_each_proposed_branch_is_named_by_its_members_and_every_target_has_a_cells_room(district_db):
    """QA round 8: on a plan's map every new branch read "拟建联合党支部", and of two
    targets side by side one went unnamed. Now each branch says whom it joins, and a
    target's name is no wider than its cell (so its neighbour's fits beside it)."""
    from graph.analysis.planners import plan_joint_branches
    from api.web.layout import CELL_W
    from api.web.plan_map import plan_map

    store = open_store(f"sqlite:///{district_db[0]}")
    try:
        g = project(store.read())
    finally:
        store.close()
    plan = plan_joint_branches(g)
    assert len(plan.new_orgs) >= 2
    payload = plan_map(g, plan)
    nodes = {n["id"]: n for n in payload["nodes"]}
    labels = [nodes[o.id]["label"] for o in plan.new_orgs]
    assert len(set(labels)) == len(labels) and all(label.startswith("拟建：") for label in labels)
    first = plan.new_orgs[0]
    assert short_label(g.nodes[first.enterprises[0]]["name"], 8).removesuffix("…") in labels[0]
    targets = {i.target for i in plan.items}
    assert all(nodes[t]["room"] <= CELL_W for t in targets)
