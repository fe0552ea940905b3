"""What one graph view draws, before it becomes a page: nodes with their positions, side
panel rows and links, edges, background lanes, and the styles they use.

Every view (chain map, neighbourhood, gap map, plan) fills a :class:`Canvas` from the
projection and hands ``canvas.payload()`` to ``api.web.page``, which embeds it as JSON.
Text from the data only ever travels as JSON string values; the page script shows it as
text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import quote, urlencode

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx

from graph.analysis.coverage import enterprise_states
from graph.analysis.membership import (
    chain_enterprises,
    enterprise_chains,
    enterprise_segments,
    is_base,
    is_industry_committee,
    segment_chains,
    segment_enterprises,
)
from graph.analysis.uncovered import REMEDY_ZH, remedy_for
from graph.projection import in_ids, out_ids
from graph.schema import (
    ALLIANCE_ROLES,
    FORMATIONS,
    INSTRUCTOR_KINDS,
    LABEL_ZH,
    NODE_PROPS,
    ORG_LEVELS,
    PAIRING_KINDS,
    STAGES,
    UNIT_KINDS,
    Label,
    PropType,
    RelType,
)

from api.web.style import NODE_STYLES, STATE_ZH, StyleSheet

OUTSIDE = "outside"  # not in the base: closed, moved, or kept out of it
LABEL_CHARS = 10  # longer names are cut on the canvas (the panel shows them whole)
_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")
_STYLE_OF_LABEL = {
    Label.PARTY_ORG.value: "org",
    Label.UNIT.value: "unit",
    Label.LEADER.value: "leader",
    Label.INSTRUCTOR.value: "instructor",
    Label.ALLIANCE.value: "alliance",
    Label.CHAIN.value: "chain",
    Label.SEGMENT.value: "segment",
}


@dataclass(frozen=True)
class Links:
    """Where a node's links point. ``server`` pages link to the app's own views; a file
    written by the CLI has no server behind it, so it only links to its sibling files:
    ``chain_files`` (chain id -> its map), ``segment_files`` (segment id -> its map) and
    ``gap_files`` (chain or segment id -> its gap map)."""

    server: bool = True
    chain_files: dict[str, str] | None = None
    segment_files: dict[str, str] | None = None
    gap_files: dict[str, str] | None = None

    def entity(self, node_id: str, **params) -> str | None:
        if not self.server:
            return None
        query = f"?{urlencode(params)}" if params else ""
        return f"/views/entities/{quote(node_id, safe='')}{query}"

    def chain(self, chain_id: str, *, segment: str | None = None, full: bool = False) -> str | None:
        if not self.server:
            files = self.chain_files if segment is None else self.segment_files
            key = chain_id if segment is None else segment
            return quote(files[key]) if files and key in files and not full else None
        params = {k: v for k, v in (("segment", segment), ("full", "1" if full else None)) if v}
        return f"/views/chains/{quote(chain_id, safe='')}" + (f"?{urlencode(params)}" if params else "")

    def gaps(self, chain_id: str | None = None, *, segment: str | None = None, unchained: bool = False,
             full: bool = False) -> str | None:
        """The gap map of everything, a chain, one of its segments, or (``unchained``) the
        enterprises in no chain."""
        if not self.server:
            key = segment or chain_id or (NO_CHAIN_FILE if unchained else None)
            return quote(self.gap_files[key]) if self.gap_files and key in self.gap_files and not full else None
        params = {k: v for k, v in (("chain", chain_id), ("segment", segment), ("unchained", "1" if unchained else None),
                                    ("full", "1" if full else None)) if v}
        return "/views/gaps" + (f"?{urlencode(params)}" if params else "")


NO_CHAIN_FILE = "-"  # the key of the file of the enterprises in no chain, in ``Links.gap_files``
SERVER_LINKS = Links()
NO_LINKS = Links(server=False)


@dataclass
class Lane:
    """A background band drawn behind the nodes (a stage, a segment, a chain). The page
    writes ``title`` (and ``subtitle``, the group's figures) at a fixed screen size, so
    they stay readable at any zoom; ``rate`` colours a group's heading."""

    title: str
    x: float
    y: float
    w: float
    h: float
    tone: str  # "upstream", "midstream", "downstream", "segment", "plain"
    subtitle: str = ""
    rate: str = ""  # "green", "amber", "red", "none" or "" (no heading colour)
    head: float = 0.0  # height of the heading band at the top (canvas units), 0 for none

    def as_dict(self) -> dict:
        lane = {"title": self.title, "x": self.x, "y": self.y, "w": self.w, "h": self.h, "tone": self.tone}
        for key in ("subtitle", "rate", "head"):
            if getattr(self, key):
                lane[key] = getattr(self, key)
        return lane


@dataclass
class Canvas:
    """Nodes, edges and lanes of one view, and the styles they use."""

    g: nx.MultiDiGraph
    links: Links = SERVER_LINKS
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    sheet: StyleSheet = field(default_factory=StyleSheet)
    states: dict[str, str] = field(default_factory=dict)  # enterprise -> coverage state
    _edge_keys: set = field(default_factory=set)

    # -- nodes -------------------------------------------------------------------------

    def add(self, node_id: str, x: float = 0.0, y: float = 0.0, *, style: str | None = None) -> dict:
        """Add a node of the graph (once; a second call only returns it)."""
        if node_id in self.nodes:
            return self.nodes[node_id]
        attrs = self.g.nodes[node_id]
        label = attrs["label"]
        if label == Label.ENTERPRISE.value:
            node = self._enterprise(node_id, attrs)
        else:
            node = _describe(self.g, node_id, attrs, self.links)
            node["style"] = style or _style_of(self.g, node_id, attrs)
        if style is not None:
            node["style"] = style
        node.update(x=round(x, 1), y=round(y, 1))
        node["layer"] = NODE_STYLES[self.sheet.use_node(node["style"])].layer
        if node.get("shape") == "star":
            self.sheet.use_node("leading")
        self.nodes[node_id] = node
        return node

    def add_synthetic(self, node_id: str, label: str, style: str, x: float, y: float, *, name: str = "",
                      kind: str = "", info: list | None = None, links: list | None = None, href: str | None = None) -> dict:
        """A node that is not in the graph: a segment summary, a proposed branch, "N more"."""
        node = {"id": node_id, "label": label, "name": name or label, "kind": kind, "style": style,
                "x": round(x, 1), "y": round(y, 1), "info": info or [], "links": links or []}
        if href:
            node["href"] = href
        node["layer"] = NODE_STYLES[self.sheet.use_node(style)].layer
        self.nodes[node_id] = node
        return node

    def add_states(self, enterprises: Iterable[str]) -> None:
        """Compute the coverage state of enterprises about to be added (in one pass)."""
        wanted = [e for e in enterprises if e not in self.states]
        self.states.update(coverage_states(self.g, wanted))

    def _enterprise(self, e: str, attrs: dict) -> dict:
        if e not in self.states:
            self.add_states([e])
        state = self.states[e]
        node = _describe(self.g, e, attrs, self.links, state=state)
        node["style"] = state
        if attrs.get("leading"):
            node["shape"] = "star"
            node["size"] = 18
        return node

    # -- edges -------------------------------------------------------------------------

    def link(self, source: str, target: str, kind: str, *, label: str | None = None, width: float | None = None,
             quiet: bool = False) -> None:
        """Add an edge of style ``kind`` between two nodes already added (once per kind and
        pair). A ``quiet`` edge is drawn only while one of its ends is selected."""
        key = (source, target, kind)
        if key in self._edge_keys or source not in self.nodes or target not in self.nodes:
            return
        self._edge_keys.add(key)
        edge = {"from": source, "to": target, "style": self.sheet.use_edge(kind)}
        if label:
            edge["label"] = label
        if width:
            edge["width"] = width
        if quiet:
            edge["quiet"] = True
        self.edges.append(edge)

    def link_graph_edges(self, types: Iterable[RelType], *, quiet: Iterable[RelType] = ()) -> None:
        """Add every relationship of ``types`` whose two ends are both on the canvas; those
        of the ``quiet`` types are drawn only while one of their ends is selected."""
        wanted = {t.value for t in types}
        hushed = {t.value for t in quiet}
        succ = self.g._succ  # raw adjacency: the views wrap each item and cost far more
        for u in list(self.nodes):
            if u not in succ:
                continue
            for v, keyed in succ[u].items():
                if v in self.nodes:
                    for rtype in wanted.intersection(keyed):
                        self.link(u, v, rtype, label=_edge_label(rtype, keyed[rtype]), quiet=rtype in hushed)

    def hush(self, ones: set[str], others: set[str]) -> None:
        """Draw the edges between ``ones`` and ``others`` only while an end is selected."""
        for edge in self.edges:
            if (edge["from"] in ones and edge["to"] in others) or (edge["to"] in ones and edge["from"] in others):
                edge["quiet"] = True

    # -- the payload ---------------------------------------------------------------------

    def payload(self, *, kind: str, title: str, subtitle: str = "", **extra) -> dict:
        """Everything the page script needs, as JSON-ready values."""
        return {
            "kind": kind,
            "title": title,
            "subtitle": subtitle,
            "nodes": list(self.nodes.values()),
            "edges": self.edges,
            "lanes": [lane.as_dict() for lane in self.lanes],
            "styles": self.sheet.as_dict(),
            **extra,
        }


# -- coverage state -----------------------------------------------------------------------


def coverage_states(g: nx.MultiDiGraph, enterprises: Iterable[str]) -> dict[str, str]:
    """Each enterprise's coverage state: ``graph.analysis.coverage.enterprise_states`` for
    the base, ``outside`` for one not in it (closed, moved, or ``in_base`` false).

    The view tests cross-check the counts against ``coverage_report``.
    """
    enterprises = list(enterprises)
    base = [e for e in enterprises if is_base(g, e)]
    return dict.fromkeys(enterprises, OUTSIDE) | enterprise_states(g, base)


# -- describing a node for the side panel --------------------------------------------------


def short_label(name: str, chars: int = LABEL_CHARS) -> str:
    """A name short enough for the canvas: company suffixes dropped, then cut with "…".

    >>> short_label("长沙奇华智能装备有限公司")
    '长沙奇华智能装备'
    """
    for suffix in _COMPANY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name if len(name) <= chars else name[: chars - 1] + "…"


def name_or_id(attrs: dict, node_id: str) -> str:
    """The node's name; for a person whose name this viewer may not see, "领导 L01"."""
    name = attrs.get("name")
    if name:
        return str(name)
    return f"{LABEL_ZH[Label(attrs['label'])]} {node_id}"


def _yes(value) -> str:
    return "是" if value else "否"


def _names(g: nx.MultiDiGraph, ids: Iterable[str]) -> str:
    return "、".join(name_or_id(g.nodes[i], i) for i in ids)


def _style_of(g: nx.MultiDiGraph, node_id: str, attrs: dict) -> str:
    if attrs["label"] == Label.PARTY_ORG.value:
        return "committee" if is_industry_committee(g, node_id) else "org"
    return _STYLE_OF_LABEL[attrs["label"]]


def type_text(g: nx.MultiDiGraph, node_id: str, attrs: dict, state: str | None = None) -> str:
    """What kind of thing a node is, in the schema's words, for the side panel and the
    tooltip: an enterprise's coverage state, an org's level and formation ("党委 · 联合组建"),
    a unit's or an instructor's kind."""
    label = attrs["label"]
    if label == Label.ENTERPRISE.value:
        return STATE_ZH.get(state or "", "")
    if label == Label.PARTY_ORG.value:
        words = [ORG_LEVELS.get(attrs.get("level"), ""), FORMATIONS.get(attrs.get("formation"), "")]
        if is_industry_committee(g, node_id) and attrs.get("formation") != "industry":
            words.append("产业链党委")
        return " · ".join(w for w in words if w) or LABEL_ZH[Label.PARTY_ORG]
    if label == Label.UNIT.value:
        return UNIT_KINDS.get(attrs.get("kind"), "")
    if label == Label.INSTRUCTOR.value:
        return INSTRUCTOR_KINDS.get(attrs.get("kind"), "")
    if label == Label.SEGMENT.value:
        return STAGES.get(attrs.get("stage"), "")
    return ""


def _describe(g: nx.MultiDiGraph, node_id: str, attrs: dict, links: Links, *, state: str | None = None) -> dict:
    label = attrs["label"]
    name = name_or_id(attrs, node_id)
    rows: list[list[str]] = []
    node_links: list[list[str]] = []

    def row(key: str, value) -> None:
        if value is not None and value != "":
            rows.append([key, str(value)])

    props = NODE_PROPS[Label(label)]

    def prop(*names: str) -> None:
        """Properties in their schema words, enum values and yes/no as a person reads them."""
        for name in names:
            spec, value = props[name], attrs.get(name)
            if spec.type is PropType.ENUM:
                value = spec.choices.get(value, value)
            elif spec.type is PropType.BOOL:
                value = _yes(value)
            row(spec.zh, value)

    shown = short_label(name)
    if label == Label.ENTERPRISE.value:
        row("统一社会信用代码", node_id)
        prop("kind")
        row("覆盖状态", STATE_ZH.get(state or "", ""))
        orgs = in_ids(g, node_id, RelType.COVERS)
        row("覆盖党组织", _names(g, orgs))
        if not orgs and state != OUTSIDE:
            row("补建方式", REMEDY_ZH[remedy_for(attrs.get("party_members"))])
        segments = enterprise_segments(g, node_id)
        row("所在环节", _names(g, segments))
        suppliers, customers = in_ids(g, node_id, RelType.SUPPLIES), out_ids(g, node_id, RelType.SUPPLIES)
        row("上下游企业", f"供应商 {len(suppliers)} 家，客户 {len(customers)} 家")
        prop("park", "street", "employees", "party_members", "above_scale", "leading", "status", "in_base", "base_note")
        for chain in enterprise_chains(g, node_id):
            href = links.chain(chain)
            if href:
                node_links.append([f"产业链图谱：{name_or_id(g.nodes[chain], chain)}", href])
    elif label == Label.PARTY_ORG.value:
        shown = short_label(name, 12)
        row("编号", node_id)
        prop("level", "formation", "members")
        row(props["star"].zh, f"{attrs['star']} 星" if attrs.get("star") else "未评星")
        prop("demonstration")
        row("覆盖企业", len(out_ids(g, node_id, RelType.COVERS)))
        row("上级党组织", _names(g, out_ids(g, node_id, RelType.UNDER)))
        row("领导产业链", _names(g, out_ids(g, node_id, RelType.LEADS)))
    elif label == Label.UNIT.value:
        row("编号", node_id)
        prop("kind")
        row("结对对象", len(out_ids(g, node_id, RelType.PAIRED_WITH)))
    elif label == Label.LEADER.value:
        shown = name
        row("编号", node_id)
        prop("title", "unit")
        row("联系点", f"{len(out_ids(g, node_id, RelType.CONTACTS))} 个（上限 {attrs.get('capacity')}，至少 {attrs.get('min_contacts')}）")
        row("分管产业链", _names(g, out_ids(g, node_id, RelType.RESPONSIBLE_FOR)))
    elif label == Label.INSTRUCTOR.value:
        shown = name
        row("编号", node_id)
        prop("kind", "unit")
        row("派驻对象", len(out_ids(g, node_id, RelType.ASSIGNED_TO)))
    elif label == Label.ALLIANCE.value:
        shown = short_label(name, 14)
        row("编号", node_id)
        prop("founded")
        row("所属产业链", _names(g, out_ids(g, node_id, RelType.ALLIANCE_OF)))
        row("成员单位", len(in_ids(g, node_id, RelType.MEMBER_OF)))
    elif label == Label.CHAIN.value:
        shown = name
        segments = in_ids(g, node_id, RelType.PART_OF)
        row("编号", node_id)
        row("环节数", len(segments))
        row("企业数", len(chain_enterprises(g, node_id)))
        for text, href in (("产业链图谱", links.chain(node_id)), ("缺口地图", links.gaps(node_id))):
            if href:
                node_links.append([text, href])
    elif label == Label.SEGMENT.value:
        row("编号", node_id)
        prop("stage", "order")
        row("所属产业链", _names(g, segment_chains(g, node_id)))
        row("企业数", len(segment_enterprises(g, node_id)))
    href = links.entity(node_id)
    if href:
        node_links.insert(0, ["关系网络（周边对象）", href])
    return {"id": node_id, "label": shown, "name": name, "kind": LABEL_ZH[Label(label)],
            "type": type_text(g, node_id, attrs, state), "info": rows, "links": node_links}


def _edge_label(rtype: str, props: dict) -> str | None:
    """A few relationships say more with a word on the line."""
    if rtype == RelType.PAIRED_WITH.value:
        kind = props.get("kind")
        return PAIRING_KINDS.get(kind) if kind and kind != "co_building" else None
    if rtype == RelType.MEMBER_OF.value:
        role = props.get("role")
        return ALLIANCE_ROLES.get(role) if role and role != "member" else None
    return None

