"""The import format of DESIGN.md as data: tables, their columns, and where each column
goes in the graph schema. Table and column names are accepted in English or Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cache

from graph.schema import LABEL_ZH, NODE_PROPS, REL_SPECS, REL_ZH, Label, Prop, PropType, RelType
from loaders.headers import LEDGER_PATTERNS, fold, synonyms, without_name_word, without_ordinal, without_remark


class Role(str, Enum):
    ID = "id"  # the node's id
    PROP = "prop"  # a property of the node / relationship
    SOURCE = "source"  # relationship tables: the source id
    TARGET = "target"  # relationship tables: the target id
    LINK = "link"  # node tables: an id this node points at with ``Column.link``


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    role: Role = Role.PROP
    required: bool = False
    prop: Prop = field(default_factory=lambda: Prop("_", PropType.CODE))
    link: RelType | None = None

    @property
    def display(self) -> str:
        return f"{self.zh}（{self.name}）"


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    columns: tuple[Column, ...]
    label: Label | None = None  # node tables
    rel: RelType | None = None  # relationship tables

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> Column | None:
        """The column of that (English) name, or None."""
        return next((c for c in self.columns if c.name == name), None)

    @property
    def display(self) -> str:
        return f"{self.zh}（{self.name}）"


def _table(name: str, columns: tuple[Column, ...], *, label: Label | None = None, rel: RelType | None = None) -> Table:
    """An import table named in Chinese by what it holds: its label's or relationship's
    words in the schema (``LABEL_ZH`` / ``REL_ZH``)."""
    return Table(name, LABEL_ZH[label] if label is not None else REL_ZH[rel], columns, label, rel)


def _id(zh: str = "编号") -> Column:
    return Column("id", zh, Role.ID, required=True)


def _p(label_or_rel, name: str, zh: str | None = None, required: bool = False) -> Column:
    """A property column, headed by the property's own words (``Prop.zh``) unless a table
    (the ledger) heads it as planners do."""
    props = NODE_PROPS[label_or_rel] if isinstance(label_or_rel, Label) else REL_SPECS[label_or_rel].props
    return Column(name, zh or props[name].zh, Role.PROP, required, props[name])


def _link(name: str, zh: str, rel: RelType, required: bool = False) -> Column:
    return Column(name, zh, Role.LINK, required, link=rel)


def _ends(source: tuple[str, str], target: tuple[str, str]) -> tuple[Column, Column]:
    return (
        Column(source[0], source[1], Role.SOURCE, required=True),
        Column(target[0], target[1], Role.TARGET, required=True),
    )


E, C, S, O, U, L, I, A = (
    Label.ENTERPRISE,
    Label.CHAIN,
    Label.SEGMENT,
    Label.PARTY_ORG,
    Label.UNIT,
    Label.LEADER,
    Label.INSTRUCTOR,
    Label.ALLIANCE,
)
R = RelType

TABLES: tuple[Table, ...] = (
    _table("enterprises", (
        _id("统一社会信用代码"), _p(E, "name", required=True), _p(E, "kind"), _p(E, "park"),
        _p(E, "street"), _p(E, "employees"), _p(E, "party_members"),
        _p(E, "above_scale"), _p(E, "leading"), _p(E, "in_base"),
        _p(E, "status"),
    ), label=E),
    _table("chains", (_id(), _p(C, "name", required=True)), label=C),
    _table("segments", (
        _id(), _link("chain", "产业链", R.PART_OF, True), _p(S, "name", required=True),
        Column("stage", "位置", Role.PROP, True, NODE_PROPS[S]["stage"]), _p(S, "order"),
    ), label=S),
    _table("enterprise_segments", _ends(("enterprise", "企业"), ("segment", "环节")), rel=R.IN_SEGMENT),
    _table("supply_links", (*_ends(("supplier", "供方"), ("customer", "需方")), _p(R.SUPPLIES, "product")),
          rel=R.SUPPLIES),
    _table("party_orgs", (
        _id(), _p(O, "name", required=True), _p(O, "level", required=True), _p(O, "formation", required=True),
        _p(O, "members"), _p(O, "star"), _link("parent", "上级党组织", R.UNDER),
        _p(O, "demonstration"),
    ), label=O),
    _table("org_coverage", _ends(("org", "党组织"), ("enterprise", "企业")), rel=R.COVERS),
    _table("chain_committees", _ends(("org", "党组织"), ("chain", "产业链")), rel=R.LEADS),
    _table("units", (_id(), _p(U, "name", required=True), _p(U, "kind")), label=U),
    _table("pairings", (
        *_ends(("from", "结对方"), ("to", "被结对方")), _p(R.PAIRED_WITH, "kind"),
        _p(R.PAIRED_WITH, "since"),
    ), rel=R.PAIRED_WITH),
    _table("leaders", (
        _id(), _p(L, "name", required=True), _p(L, "title"), _p(L, "unit"),
        _p(L, "capacity"), _p(L, "min_contacts"),
    ), label=L),
    _table("leader_chains", _ends(("leader", "领导"), ("chain", "产业链")), rel=R.RESPONSIBLE_FOR),
    _table("contacts", (*_ends(("leader", "领导"), ("target", "联系对象")), _p(R.CONTACTS, "since")),
          rel=R.CONTACTS),
    _table("instructors", (_id(), _p(I, "name", required=True), _p(I, "kind"), _p(I, "unit")),
          label=I),
    _table("instructor_assignments", (
        *_ends(("instructor", "指导员"), ("target", "派驻对象")), _p(R.ASSIGNED_TO, "since"),
    ), rel=R.ASSIGNED_TO),
    _table("alliances", (
        _id(), _p(A, "name", required=True), _link("chain", "产业链", R.ALLIANCE_OF), _p(A, "founded"),
    ), label=A),
    _table("alliance_members", (
        *_ends(("alliance", "联盟"), ("member", "成员")), _p(R.MEMBER_OF, "role"),
    ), rel=R.MEMBER_OF),
)

# A link column holds one id per row, so a node has at most one link of each of these
# types: re-importing a row with another id replaces the link instead of adding one.
SINGLE_LINKS = frozenset(c.link for t in TABLES for c in t.columns if c.role is Role.LINK)

# A relationship table's rows are the complete set of that relationship for the entities
# on this end (an enterprise's coverage, its segments, who contacts / guides / pairs with
# it, a leader's chains, a committee's chains): re-importing replaces their stored links.
# Supply links and alliance members only add: a partial list of them is the usual file.
COMPLETE_END: dict[RelType, Role] = {
    RelType.COVERS: Role.TARGET,
    RelType.IN_SEGMENT: Role.SOURCE,
    RelType.CONTACTS: Role.TARGET,
    RelType.ASSIGNED_TO: Role.TARGET,
    RelType.PAIRED_WITH: Role.TARGET,
    RelType.RESPONSIBLE_FOR: Role.SOURCE,
    RelType.LEADS: Role.SOURCE,
}

# alliance_members names the alliance first, but the relationship runs member -> alliance.
REVERSED_TABLES = frozenset({"alliance_members"})

# Sheets a workbook may carry besides data, passed over without a word: the template's
# instruction sheet, and an office's own (填表说明, 填报说明（附示例）).
_IGNORED_SHEETS = frozenset({"说明", "填写说明", "instructions", "readme"})
_INSTRUCTION_WORDS = ("填表说明", "填报说明", "填写说明")
# Words naming a sheet of filled-in examples (填报示例, 样表): its rows look like data, with
# valid codes, but are not the office's enterprises; passed over with a warning.
_EXAMPLE_WORDS = ("示例", "样例", "范例", "样表", "example", "sample")


def instruction_sheet(name: str) -> bool:
    folded = normalise_name(name)
    return folded in _IGNORED_SHEETS or any(word in folded for word in _INSTRUCTION_WORDS)


def example_sheet(name: str) -> bool:
    folded = normalise_name(name)
    return any(word in folded for word in _EXAMPLE_WORDS) and not instruction_sheet(name)


# The flat sheet planners keep (台账): one row per enterprise or social organisation with
# its chain, party organisation and people by name. ``loaders.ledger`` turns its rows into
# the records of the tables above; here it is only its columns, as for any table.
def _t(name: str, zh: str, prop: Prop | None = None) -> Column:
    return Column(name, zh, Role.PROP, prop=prop or Prop(name, PropType.TEXT))


LEDGER = Table("ledger", "台账", (
    _t("seq", "序号"), _p(E, "name", "单位名称", True), _id("统一社会信用代码"), _p(E, "kind", "类型"),
    _t("chain", "所属产业链"), _t("segment", "所属环节"), _t("stage", "位置", NODE_PROPS[S]["stage"]),
    _p(E, "park", "所在园区"), _p(E, "street", "所在街道"), _p(E, "employees", "职工人数"),
    _p(E, "party_members", "党员人数"), _p(E, "above_scale", "规上企业"), _p(E, "leading", "龙头企业"),
    _p(E, "in_base", "纳入基数"), _p(E, "status", "经营状态"),
    _t("has_org", "是否建立党组织", Prop("has_org", PropType.BOOL)), _t("org", "党组织名称"),
    _t("formation", "组建形式", NODE_PROPS[O]["formation"]), _t("level", "党组织类别", NODE_PROPS[O]["level"]),
    _t("parent", "上级党组织"), _t("star", "星级", NODE_PROPS[O]["star"]),
    _t("demonstration", "示范点", NODE_PROPS[O]["demonstration"]),
    _t("leader", "联系领导"), _t("instructor", "党建指导员"), _t("partner", "结对单位"),
    _t("leader_title", "联系领导职务"), _t("instructor_unit", "党建指导员单位"),
))
# Columns only a ledger has: with a name and a code column, one of them makes a sheet a
# ledger whatever it is called.
LEDGER_ONLY = frozenset({"chain", "segment", "has_org", "org", "formation", "level", "parent", "leader",
                         "instructor", "partner", "demonstration"})


def normalise_name(text: object) -> str:
    """How table and column names are compared (see ``loaders.headers.fold``)."""
    return fold(text)


@cache
def _by_name() -> dict[str, Table]:
    """Tables by their folded names, made on first use (folding loads the character tables
    of traditional Chinese, which a command that reads no file does not need)."""
    return {normalise_name(n): t for t in (*TABLES, LEDGER) for n in (t.name, t.zh)}


def find_table(name: str) -> Table | None:
    """The table a sheet / file / JSON key names (English or Chinese), or None."""
    return _by_name().get(normalise_name(name))


def _headers_of(table: Table) -> tuple[dict[str, Column], dict[str, Column]]:
    return _folded_headers()[table.name]


@cache
def _folded_headers() -> dict[str, tuple[dict[str, Column], dict[str, Column]]]:
    """Every table's folded headers, made on first use (as ``_by_name``)."""
    return {t.name: _fold_headers(t) for t in (*TABLES, LEDGER)}


def _fold_headers(table: Table) -> tuple[dict[str, Column], dict[str, Column]]:
    """(own names, synonyms) of a table's columns, folded; own names win over synonyms."""
    own = {normalise_name(n): c for c in table.columns for n in (c.name, c.zh)}
    other: dict[str, Column] = {}
    for column in table.columns:
        for synonym in synonyms(table.name, column.name):
            other.setdefault(normalise_name(synonym), column)
    return own, other


def find_column(table: Table, header: object) -> Column | None:
    """The column a header names: its English or Chinese name, a synonym, or either of
    them followed by a bracketed remark ("党员人数（人）"), after a number ("1.企业名称") or
    with 姓名 / 名称 after it ("党建指导员姓名"); in the ledger, else the column the header
    says it is about (``LEDGER_PATTERNS``: 市级挂联领导, 企业党员数)."""
    return named_column(table, header) or (guessed_column(header) if table is LEDGER else None)


def named_column(table: Table, header: object) -> Column | None:
    """The column a header names by a name or a synonym (``find_column`` without the
    ledger's patterns)."""
    own, other = _headers_of(table)
    for text in _header_forms(header):
        wanted = normalise_name(text)
        if (column := own.get(wanted) or other.get(wanted)) is not None:
            return column
    return None


def guessed_column(header: object) -> Column | None:
    """The ledger column a header no list holds says it is about (``LEDGER_PATTERNS``)."""
    for text in _header_forms(header):
        wanted = normalise_name(text)
        for name, rule in LEDGER_PATTERNS.items():
            if rule.match(wanted):
                return LEDGER.column(name)
    return None


def _header_forms(header: object) -> list[str]:
    """The header as written, without a bracketed remark, without a number before it, and
    each of those without 姓名 / 名称 after it."""
    bare = without_ordinal(header)
    tried = [text for text in (header, without_remark(header), bare, bare and without_remark(bare)) if text]
    return [text for text in (*tried, *map(without_name_word, tried)) if text is not None]


# The right side of ``--map 原列名=忽略``: the column is not read (as the header map shows it).
IGNORED = frozenset({"忽略", "ignore", "不读取", "不导入"})


def ignored(standard: str) -> bool:
    """Whether a ``--map`` standard name says the column is not to be read."""
    return normalise_name(standard) in IGNORED


def unknown_standard_column(name: str) -> str | None:
    """Why ``name`` (the right side of ``--map 原列名=标准列名``) names no column of any
    table, with the closest standard names or else the ledger's; None if a table has it
    or it says the column is not read (``IGNORED``)."""
    import difflib

    tables = (*TABLES, LEDGER)
    if ignored(name) or any(find_column(table, name) is not None for table in tables):
        return None
    names = list(dict.fromkeys(c.zh for t in tables for c in t.columns) | dict.fromkeys(c.name for t in tables for c in t.columns))
    closest = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    offered = f"最接近的是 {'、'.join(closest)}" if closest else f"台账的列有 {'、'.join(c.zh for c in LEDGER.columns)}"
    return (f"--map 的标准列名“{name}”不是任何表的列：{offered}（各表的列见 redchain template 生成的模板表头；"
            "不读取某列请写 原列名=忽略）")
