"""How things look on a graph view: one table of node styles, one of edge styles, and the
layers a person can switch on and off.

The tables are the single source of truth: the page script draws nodes and edges from
the styles a payload carries, and the legend is rendered from the same entries, so the
legend can never disagree with the picture.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from graph.schema import ORG_LEVELS, REL_SPECS, RelType

# -- layers ------------------------------------------------------------------------------

ENTERPRISES = "enterprises"
SUPPLY = "supply"
ORGS = "orgs"
HIERARCHY = "hierarchy"
PAIRING = "pairing"
CONTACTS = "contacts"
INSTRUCTORS = "instructors"
ALLIANCES = "alliances"
PROPOSALS = "proposals"
STRUCTURE = "structure"
PEOPLE = "people"

LAYERS: dict[str, tuple[str, bool]] = {  # key -> (Chinese name, on at first)
    ENTERPRISES: ("企业", True),
    SUPPLY: ("上下游关系", True),
    ORGS: ("党组织覆盖", True),
    HIERARCHY: ("组织隶属", False),  # every branch hangs under its committee: a starburst
    PAIRING: ("结对共建", True),
    CONTACTS: ("领导联系点", True),
    INSTRUCTORS: ("党建指导员", True),
    ALLIANCES: ("产业链党建联盟", True),
    PROPOSALS: ("规划提议", True),
    STRUCTURE: ("产业链与环节", True),
    PEOPLE: ("人员与共建单位汇总", True),
}


@dataclass(frozen=True)
class NodeStyle:
    """A kind of node as vis-network draws it (``shape`` is a vis-network shape)."""

    text: str  # the legend's words
    shape: str
    color: str  # fill
    border: str
    size: int = 12
    dashes: tuple[int, ...] = ()  # border dashes: a proposal, not (yet) a fact
    font_color: str = "#1c2833"
    layer: str = ENTERPRISES


@dataclass(frozen=True)
class EdgeStyle:
    """A kind of edge. ``forward`` is what the target is to the source ("下游客户"),
    ``backward`` what the source is to the target ("上游供应商"): the side panel lists a
    node's neighbours with these words."""

    text: str
    color: str
    width: float = 1.0
    dashes: tuple[int, ...] = ()
    arrow: str = ""  # "", "to"
    layer: str = SUPPLY
    forward: str = ""
    backward: str = ""


@dataclass(frozen=True)
class RateBand:
    """One colour of coverage, and what it means: the same green, amber and red say how well
    covered an enterprise is (its dot), a segment or a chain is (its heading, its box, its
    dashboard cell), so a colour never means one thing on one page and another elsewhere."""

    text: str  # the legend's words for a rate in this band
    fill: str  # a heading's, a box's, a table cell's background
    ink: str  # text on ``fill``; the border of a box
    strong: str  # an enterprise's dot in this band


RATE_BANDS: dict[str, RateBand] = {
    "green": RateBand("绿：达标", "#d5f5e3", "#196f3d", "#1e8449"),
    "amber": RateBand("黄：接近", "#fdebd0", "#7e5109", "#f39c12"),
    "red": RateBand("红：偏低", "#fadbd8", "#922b21", "#c0392b"),
    "none": RateBand("灰：无纳入基数企业", "#eaecee", "#424949", "#aab7b8"),
}
_GREEN, _AMBER, _RED = (RATE_BANDS[k] for k in ("green", "amber", "red"))


@dataclass(frozen=True)
class LaneTone:
    """The tint behind a lane (a stage, a chain) or a group (a segment, a park) and the ink of its title."""

    fill: str
    ink: str


# Lanes are neutral greys, none of them a band's colour: a tinted lane would say "covered"
# (green) or "nearly" (amber) about a stage. The stages are told apart by their titles and
# their order, upstream to downstream.
_STAGE_LANE = LaneTone("#f2f2f2", "#3a3a3a")
LANE_TONES: dict[str, LaneTone] = {
    "upstream": _STAGE_LANE,
    "midstream": _STAGE_LANE,
    "downstream": _STAGE_LANE,
    "plain": _STAGE_LANE,
    "segment": LaneTone("rgba(255,255,255,0.78)", "#34495e"),
}
# Party work that is not a coverage state is drawn in hues of its own (violet, blue, slate,
# teal), never in green, amber or red.
_PARTY, _PARTY_DARK = "#6c3483", "#4a235a"
_LEADER, _INSTRUCTOR, _UNIT, _ALLIANCE = "#34495e", "#117a8b", "#2471a3", "#7d6e9b"

# Enterprise coverage states (graph.analysis.coverage) in the bands' colours: organisation
# coverage green (darkest for a standalone org), work coverage alone amber, none red.
NODE_STYLES: dict[str, NodeStyle] = {
    "standalone": NodeStyle("单独组建党组织覆盖", "dot", _GREEN.strong, _GREEN.ink),
    "joint": NodeStyle("联合组建党组织覆盖", "dot", "#7dcea0", _GREEN.ink),
    "other_org": NodeStyle("仅由行业党委等覆盖", "dot", "#d4efdf", _GREEN.ink),
    "work": NodeStyle("工作覆盖（无党组织）", "dot", _AMBER.strong, _AMBER.ink),
    "none": NodeStyle("未覆盖", "dot", _RED.strong, _RED.ink, size=13),
    "outside": NodeStyle("不在基数内（注销、迁出或不纳入）", "dot", "#f4f6f6", "#aab7b8", size=8, font_color="#7f8c8d"),
    "leading": NodeStyle("龙头企业（星形，颜色同覆盖状态）", "star", "#ffffff", "#1c2833", size=18),
    "org": NodeStyle(f"党组织（{'、'.join(ORG_LEVELS.values())}）", "triangle", "#a569bd", _PARTY, size=9, layer=ORGS),
    "committee": NodeStyle("产业链党委", "diamond", _PARTY, _PARTY_DARK, size=20, layer=ORGS),
    "new_org": NodeStyle("拟组建的联合党支部", "triangle", "#f4ecf7", _PARTY, size=12, dashes=(4, 3), layer=PROPOSALS),
    "unit": NodeStyle("共建单位（部门、街道、社区等）", "square", _UNIT, "#1a5276", size=10, layer=PAIRING),
    "leader": NodeStyle("领导干部", "hexagon", _LEADER, "#17202a", size=13, layer=CONTACTS),
    "instructor": NodeStyle("党建指导员 / 第一书记", "triangleDown", _INSTRUCTOR, "#0b5563", size=11, layer=INSTRUCTORS),
    "alliance": NodeStyle("产业链党建联盟", "box", "#ebe7f2", _ALLIANCE, layer=ALLIANCES),
    "chain": NodeStyle("产业链", "box", "#eaf2f8", "#1b4f72", layer=STRUCTURE),
    "segment": NodeStyle("环节（汇总）", "box", RATE_BANDS["none"].fill, RATE_BANDS["none"].ink, layer=STRUCTURE),
    "summary": NodeStyle("人员与共建单位（汇总，点击查看名单）", "box", "#eef6fb", "#5d8aa8", layer=PEOPLE),
    "more": NodeStyle("未展开的关联对象", "dot", "#ffffff", "#7f8c8d", size=7, dashes=(2, 2), font_color="#566573", layer=STRUCTURE),
}

def _rel(rtype: RelType, color: str, width: float = 1.0, dashes: tuple[int, ...] = (), arrow: str = "",
         layer: str = SUPPLY) -> EdgeStyle:
    """A relationship's look; its words are the schema's (``RelSpec.zh``, ``forward``, ``backward``)."""
    spec = REL_SPECS[rtype]
    return EdgeStyle(spec.zh, color, width, dashes, arrow, layer, spec.forward, spec.backward)


EDGE_STYLES: dict[str, EdgeStyle] = {
    RelType.SUPPLIES.value: _rel(RelType.SUPPLIES, "#c4c8c9", 1, arrow="to", layer=SUPPLY),
    RelType.COVERS.value: _rel(RelType.COVERS, _PARTY, 1.5, layer=ORGS),
    RelType.UNDER.value: _rel(RelType.UNDER, "#a569bd", 1.2, (6, 3), "to", HIERARCHY),
    RelType.LEADS.value: _rel(RelType.LEADS, _PARTY_DARK, 2, layer=ORGS),
    RelType.PAIRED_WITH.value: _rel(RelType.PAIRED_WITH, "#2471a3", 2, arrow="to", layer=PAIRING),
    RelType.CONTACTS.value: _rel(RelType.CONTACTS, _LEADER, 2, (2, 3), layer=CONTACTS),
    RelType.RESPONSIBLE_FOR.value: _rel(RelType.RESPONSIBLE_FOR, "#85929e", 1, (10, 4), layer=CONTACTS),
    RelType.ASSIGNED_TO.value: _rel(RelType.ASSIGNED_TO, _INSTRUCTOR, 1.5, (8, 3, 2, 3), layer=INSTRUCTORS),
    RelType.MEMBER_OF.value: _rel(RelType.MEMBER_OF, "#a29bb8", 1, layer=ALLIANCES),
    RelType.ALLIANCE_OF.value: _rel(RelType.ALLIANCE_OF, _ALLIANCE, 2, layer=ALLIANCES),
    RelType.IN_SEGMENT.value: _rel(RelType.IN_SEGMENT, "#d5d8dc", 1, layer=STRUCTURE),
    RelType.PART_OF.value: _rel(RelType.PART_OF, "#d5d8dc", 1, layer=STRUCTURE),
    # Edges of the drawings only (no relationship type of the schema):
    "FLOW": EdgeStyle("环节之间的上下游供应（条数）", "#99a3a4", 2, arrow="to", layer=SUPPLY, forward="下游环节", backward="上游环节"),
    "MORE": EdgeStyle("未展开", "#bfc9ca", 1, (2, 2), layer=STRUCTURE, forward="未展开", backward="所属对象"),
    "PROPOSED_PAIRED_WITH": EdgeStyle("拟结对共建", "#2471a3", 2.5, (8, 5), "to", PROPOSALS, forward="拟结对对象", backward="拟结对方"),
    "PROPOSED_COVERS": EdgeStyle("拟由党组织覆盖（联合组建）", _PARTY, 2.5, (8, 5), layer=PROPOSALS, forward="拟覆盖企业", backward="拟编入党组织"),
    "PROPOSED_CONTACTS": EdgeStyle("拟设联系点", _LEADER, 2.5, (8, 5), "to", PROPOSALS, forward="拟设联系点", backward="拟联系领导"),
    "PROPOSED_ASSIGNED_TO": EdgeStyle("拟派驻指导员", _INSTRUCTOR, 2.5, (8, 5), "to", PROPOSALS, forward="拟派驻对象", backward="拟派驻指导员"),
}

# An enterprise's state -> a short Chinese phrase for the side panel.
STATE_ZH = {key: NODE_STYLES[key].text for key in ("standalone", "joint", "other_org", "work", "none", "outside")}



@dataclass
class StyleSheet:
    """The styles and layers one payload uses (only those, so the legend stays short)."""

    nodes: dict[str, dict] = field(default_factory=dict)
    edges: dict[str, dict] = field(default_factory=dict)
    layers: dict[str, dict] = field(default_factory=dict)

    def use_node(self, key: str) -> str:
        if key not in self.nodes:
            self.nodes[key] = asdict(NODE_STYLES[key])
            self.use_layer(NODE_STYLES[key].layer)
        return key

    def use_edge(self, key: str) -> str:
        if key not in self.edges:
            self.edges[key] = asdict(EDGE_STYLES[key])
            self.use_layer(EDGE_STYLES[key].layer)
        return key

    def use_layer(self, key: str) -> None:
        if key not in self.layers:
            text, on = LAYERS[key]
            self.layers[key] = {"text": text, "on": on}

    def set_layer(self, key: str, *, on: bool) -> None:
        """Whether a layer this payload uses is on when the page opens (a map may differ
        from ``LAYERS``: a chain map starts with its people summarised)."""
        if key in self.layers:
            self.layers[key]["on"] = on

    @staticmethod
    def layer_text(key: str) -> str:
        return LAYERS[key][0]

    def as_dict(self) -> dict:
        order = list(LAYERS)
        return {
            "nodes": {k: self.nodes[k] for k in NODE_STYLES if k in self.nodes},
            "edges": {k: self.edges[k] for k in EDGE_STYLES if k in self.edges},
            "layers": {k: self.layers[k] for k in order if k in self.layers},
            "rates": {k: asdict(band) for k, band in RATE_BANDS.items()},
            "lanes": {k: asdict(tone) for k, tone in LANE_TONES.items()},
        }


def rate_class(rate: float | None, *, green: float, amber: float) -> str:
    """``green`` at or above ``green``, ``amber`` at or above ``amber``, else ``red``
    (and ``none`` when there is no rate: an empty base)."""
    if rate is None:
        return "none"
    if rate >= green:
        return "green"
    return "amber" if rate >= amber else "red"


def rate_percent(rate: float, *, green: float, amber: float) -> str:
    """``rate`` as ``redchain report`` writes it (a percentage with two decimals), except that
    it is never rounded up onto a threshold it is below, so the number a person reads lies in
    the band its colour says (``rate_class``).

    >>> rate_percent(0.7959, green=0.9, amber=0.8), rate_percent(0.799996, green=0.9, amber=0.8)
    ('79.59%', '79.99%')
    """
    shown = f"{rate * 100:.2f}%"
    if any(rate < threshold <= float(shown[:-1]) / 100 for threshold in (green, amber)):
        return f"{math.floor(rate * 10000) / 100:.2f}%"
    return shown


def rate_legend(*, green: float, amber: float) -> list[dict]:
    """Each band with the rates it stands for, for a legend: ``key``, ``text``, ``fill``, ``ink``.

    >>> [band["text"] for band in rate_legend(green=0.9, amber=0.8)][:2]
    ['绿：达标，组织覆盖率 ≥ 90%', '黄：接近，80% ≤ 组织覆盖率 < 90%']
    """
    ranges = {"green": f"组织覆盖率 ≥ {green:.0%}", "amber": f"{amber:.0%} ≤ 组织覆盖率 < {green:.0%}",
              "red": f"组织覆盖率 < {amber:.0%}"}
    return [{"key": key, **asdict(band), "text": band.text + (f"，{ranges[key]}" if key in ranges else "")}
            for key, band in RATE_BANDS.items()]


def coverage_css() -> str:
    """The bands as the stylesheet ``coverage.css``: the dashboard's cells and cards and the
    tags of a state read the same colours the maps draw (``rate-green`` … ``rate-none``)."""
    rules = []
    for key, band in RATE_BANDS.items():
        rules.append(f"table.data td.rate-{key}, .tag.rate-{key}, .swatch.rate-{key} "
                     f"{{ background: {band.fill}; color: {band.ink}; }}")
        rules.append(f".card.rate-{key} {{ border-top-color: {band.strong}; }}")
    return "/* generated from api/web/style.py RATE_BANDS: edit the colours there */\n" + "\n".join(rules) + "\n"
