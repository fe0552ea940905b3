"""The graph schema: node labels, relationship types and their property specs.

This module is the single source of truth for what the graph may hold. Loaders map
import tables onto it, stores use its enums as the only labels and relationship types
they will ever write (never text from a user), and the analyses read property names
from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Label(str, Enum):
    """Node labels (see the glossary in DESIGN.md)."""

    ENTERPRISE = "Enterprise"
    CHAIN = "Chain"
    SEGMENT = "Segment"
    PARTY_ORG = "PartyOrg"
    UNIT = "Unit"
    LEADER = "Leader"
    INSTRUCTOR = "Instructor"
    ALLIANCE = "Alliance"


class RelType(str, Enum):
    """Relationship types (see the glossary in DESIGN.md)."""

    SUPPLIES = "SUPPLIES"  # Enterprise (supplier) -> Enterprise (customer)
    IN_SEGMENT = "IN_SEGMENT"  # Enterprise -> Segment
    PART_OF = "PART_OF"  # Segment -> Chain
    COVERS = "COVERS"  # PartyOrg -> Enterprise
    UNDER = "UNDER"  # PartyOrg -> parent PartyOrg
    LEADS = "LEADS"  # industry committee PartyOrg -> Chain
    PAIRED_WITH = "PAIRED_WITH"  # Unit/PartyOrg/Enterprise -> PartyOrg/Enterprise
    CONTACTS = "CONTACTS"  # Leader -> PartyOrg/Enterprise
    RESPONSIBLE_FOR = "RESPONSIBLE_FOR"  # Leader -> Chain
    ASSIGNED_TO = "ASSIGNED_TO"  # Instructor -> Enterprise/PartyOrg
    MEMBER_OF = "MEMBER_OF"  # Enterprise/PartyOrg/Unit -> Alliance
    ALLIANCE_OF = "ALLIANCE_OF"  # Alliance -> Chain


class PropType(str, Enum):
    TEXT = "text"
    CODE = "code"  # an identifier read as text, never as a number
    INT = "int"
    BOOL = "bool"
    DATE = "date"  # ISO yyyy-mm-dd text
    ENUM = "enum"


@dataclass(frozen=True)
class Prop:
    """One property: its type, its Chinese name and, for enums, the allowed values.

    ``zh`` is the word a person reads for the property everywhere (import headers, the
    template, tables, side panels, exports). ``choices`` maps each stored (English) value
    to its Chinese word; imports accept either. ``minimum``/``maximum`` bound integers.
    """

    name: str
    type: PropType = PropType.TEXT
    choices: dict[str, str] = field(default_factory=dict)
    default: object = None
    minimum: int | None = None
    maximum: int | None = None
    zh: str = ""


ENTERPRISE_KINDS = {"enterprise": "企业", "social_org": "社会组织"}
ENTERPRISE_STATUS = {"active": "在营", "closed": "注销", "moved": "迁出"}
STAGES = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
STAGE_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}
ORG_LEVELS = {"committee": "党委", "general_branch": "党总支", "branch": "党支部"}
FORMATIONS = {"standalone": "单独组建", "joint": "联合组建", "industry": "行业党委"}
UNIT_KINDS = {
    "department": "部门",
    "street": "街道",
    "community": "社区",
    "village": "村",
    "university": "高校",
    "other": "其他",
}
PAIRING_KINDS = {"co_building": "结对共建", "lead_brings": "龙头带动", "joint_building": "支部联建"}
INSTRUCTOR_KINDS = {"instructor": "党建指导员", "first_secretary": "第一书记"}
ALLIANCE_ROLES = {"director": "主任单位", "deputy": "副主任单位", "member": "成员单位"}


def _props(*props: Prop) -> dict[str, Prop]:
    return {p.name: p for p in props}


NODE_PROPS: dict[Label, dict[str, Prop]] = {
    Label.ENTERPRISE: _props(
        Prop("name", zh="名称"),
        Prop("kind", PropType.ENUM, ENTERPRISE_KINDS, default="enterprise", zh="类型"),
        Prop("park", zh="园区"),
        Prop("street", zh="街道"),
        Prop("employees", PropType.INT, minimum=0, zh="职工人数"),
        Prop("party_members", PropType.INT, minimum=0, zh="党员人数"),
        Prop("above_scale", PropType.BOOL, default=False, zh="规上企业"),
        Prop("leading", PropType.BOOL, default=False, zh="龙头企业"),
        Prop("in_base", PropType.BOOL, default=True, zh="纳入基数"),
        Prop("status", PropType.ENUM, ENTERPRISE_STATUS, default="active", zh="状态"),
        Prop("base_note", zh="不计入基数原因"),  # why it left the base (an import with --full that no longer lists it)
    ),
    Label.CHAIN: _props(Prop("name", zh="名称")),
    Label.SEGMENT: _props(
        Prop("name", zh="名称"),
        Prop("stage", PropType.ENUM, STAGES, zh="位置"),
        Prop("order", PropType.INT, minimum=0, zh="序号"),
    ),
    Label.PARTY_ORG: _props(
        Prop("name", zh="名称"),
        Prop("level", PropType.ENUM, ORG_LEVELS, zh="层级"),
        Prop("formation", PropType.ENUM, FORMATIONS, zh="组建方式"),
        Prop("members", PropType.INT, minimum=0, zh="党员数"),
        Prop("star", PropType.INT, minimum=1, maximum=5, zh="星级"),
        Prop("demonstration", PropType.BOOL, default=False, zh="示范点"),
    ),
    Label.UNIT: _props(Prop("name", zh="名称"), Prop("kind", PropType.ENUM, UNIT_KINDS, default="other", zh="类型")),
    Label.LEADER: _props(
        Prop("name", zh="姓名"),
        Prop("title", zh="职务"),
        Prop("unit", zh="单位"),
        Prop("capacity", PropType.INT, default=3, minimum=0, zh="联系上限"),
        Prop("min_contacts", PropType.INT, default=1, minimum=0, zh="最少联系数"),
    ),
    Label.INSTRUCTOR: _props(
        Prop("name", zh="姓名"),
        Prop("kind", PropType.ENUM, INSTRUCTOR_KINDS, default="instructor", zh="类型"),
        Prop("unit", zh="单位"),
    ),
    Label.ALLIANCE: _props(Prop("name", zh="名称"), Prop("founded", PropType.DATE, zh="成立日期")),
}

LABEL_ZH = {
    Label.ENTERPRISE: "企业",
    Label.CHAIN: "产业链",
    Label.SEGMENT: "环节",
    Label.PARTY_ORG: "党组织",
    Label.UNIT: "单位",
    Label.LEADER: "领导",
    Label.INSTRUCTOR: "指导员",
    Label.ALLIANCE: "联盟",
}

REL_ZH = {
    RelType.SUPPLIES: "上下游",
    RelType.IN_SEGMENT: "企业环节",
    RelType.PART_OF: "环节属于产业链",
    RelType.COVERS: "党组织覆盖",
    RelType.UNDER: "上级党组织",
    RelType.LEADS: "产业链党委",
    RelType.PAIRED_WITH: "结对共建",
    RelType.CONTACTS: "联系点",
    RelType.RESPONSIBLE_FOR: "领导分管产业链",
    RelType.ASSIGNED_TO: "指导员派驻",
    RelType.MEMBER_OF: "联盟成员",
    RelType.ALLIANCE_OF: "联盟所属产业链",
}

# Personal fields: names of people. The API only shows them to roles allowed to.
PERSONAL_PROPS: dict[Label, frozenset[str]] = {
    Label.LEADER: frozenset({"name"}),
    Label.INSTRUCTOR: frozenset({"name"}),
}


@dataclass(frozen=True)
class RelSpec:
    """Which labels a relationship type may join, its properties, and its words: ``zh``
    names the relationship; ``forward`` names its targets as seen from a source (覆盖企业),
    ``backward`` its sources as seen from a target (覆盖党组织)."""

    sources: frozenset[Label]
    targets: frozenset[Label]
    props: dict[str, Prop] = field(default_factory=dict)
    zh: str = ""
    forward: str = ""
    backward: str = ""


def _labels(*labels: Label) -> frozenset[Label]:
    return frozenset(labels)


_ORG_OR_ENTERPRISE = _labels(Label.PARTY_ORG, Label.ENTERPRISE)

REL_SPECS: dict[RelType, RelSpec] = {
    RelType.SUPPLIES: RelSpec(_labels(Label.ENTERPRISE), _labels(Label.ENTERPRISE), _props(Prop("product", zh="产品")),
                              "上下游供应（供方→需方）", "下游客户", "上游供应商"),
    RelType.IN_SEGMENT: RelSpec(_labels(Label.ENTERPRISE), _labels(Label.SEGMENT), {}, "企业所在环节", "所在环节", "环节内企业"),
    RelType.PART_OF: RelSpec(_labels(Label.SEGMENT), _labels(Label.CHAIN), {}, "环节所属产业链", "所属产业链", "环节"),
    RelType.COVERS: RelSpec(_labels(Label.PARTY_ORG), _labels(Label.ENTERPRISE), {}, "党组织覆盖", "覆盖企业", "覆盖党组织"),
    RelType.UNDER: RelSpec(_labels(Label.PARTY_ORG), _labels(Label.PARTY_ORG), {}, "组织隶属（下级→上级）", "上级党组织", "下级党组织"),
    RelType.LEADS: RelSpec(_labels(Label.PARTY_ORG), _labels(Label.CHAIN), {}, "产业链党委领导产业链", "领导产业链", "产业链党委"),
    RelType.PAIRED_WITH: RelSpec(
        _labels(Label.UNIT, Label.PARTY_ORG, Label.ENTERPRISE),
        _ORG_OR_ENTERPRISE,
        _props(
            Prop("kind", PropType.ENUM, PAIRING_KINDS, default="co_building", zh="类型"),
            Prop("since", PropType.DATE, zh="开始日期"),
        ),
        "结对共建", "结对对象", "结对方",
    ),
    RelType.CONTACTS: RelSpec(_labels(Label.LEADER), _ORG_OR_ENTERPRISE, _props(Prop("since", PropType.DATE, zh="开始日期")),
                              "领导联系点", "联系点", "联系领导"),
    RelType.RESPONSIBLE_FOR: RelSpec(_labels(Label.LEADER), _labels(Label.CHAIN), {}, "领导分管产业链", "分管产业链", "分管领导"),
    RelType.ASSIGNED_TO: RelSpec(_labels(Label.INSTRUCTOR), _ORG_OR_ENTERPRISE,
                                 _props(Prop("since", PropType.DATE, zh="开始日期")), "指导员派驻", "派驻对象", "党建指导员"),
    RelType.MEMBER_OF: RelSpec(
        _labels(Label.ENTERPRISE, Label.PARTY_ORG, Label.UNIT),
        _labels(Label.ALLIANCE),
        _props(Prop("role", PropType.ENUM, ALLIANCE_ROLES, default="member", zh="角色")),
        "联盟成员单位", "所在联盟", "成员单位",
    ),
    RelType.ALLIANCE_OF: RelSpec(_labels(Label.ALLIANCE), _labels(Label.CHAIN), {}, "联盟所属产业链", "所属产业链", "产业链党建联盟"),
}


# -- words of the analyses ----------------------------------------------------------------
# The JSON field names of the coverage report (DESIGN.md) and the Chinese a person reads for
# each: CLI tables, exports and pages take their column headers from here.
COVERAGE_FIELDS_ZH: dict[str, str] = {
    "base": "纳入基数",
    "org_covered": "组织覆盖",
    "covered_by_standalone": "单独组建覆盖",
    "covered_by_joint": "联合组建覆盖",
    "work_covered": "工作覆盖",
    "uncovered": "未覆盖",
    "org_coverage_rate": "组织覆盖率",
    "two_coverage_rate": "两个覆盖率",
    "party_orgs": "党组织数",
    "standalone_orgs": "单独组建党组织",
    "joint_orgs": "联合组建党组织",
    "industry_committees": "产业链党委",
    "standalone_eligible": "党员3人以上",
    "standalone_eligible_own_org": "其中单独组建",
    "standalone_formation_rate": "单独组建率",
    "with_members": "有党员",
    "with_members_covered": "有党员已覆盖",
    "with_members_coverage_rate": "有党员覆盖率",
    "instructor_covered": "指导员覆盖",
    "instructor_coverage_rate": "指导员覆盖率",
    "stars": "星级分布",
    "demonstration_sites": "示范点",
    "enterprises_per_joint_org_avg": "联合组建平均覆盖企业",
    "enterprises_per_joint_org_max": "联合组建最多覆盖企业",
}

# The keys of the ``stars`` field and their words; ``stars.5`` names one column of it.
STARS_ZH: dict[str, str] = {"5": "五星", "4": "四星", "3": "三星", "2": "二星", "1": "一星", "unrated": "未评星"}


def coverage_field_zh(field: str) -> str:
    """The words of a coverage field, or of one key of ``stars`` (``stars.5`` -> 五星党组织)."""
    if field.startswith("stars."):
        return STARS_ZH[field.removeprefix("stars.")] + "党组织"
    return COVERAGE_FIELDS_ZH[field]

POINTS_ZH = "个百分点"


def rate_change_zh(delta: float, *, unit: bool = True) -> str:
    """A change of a rate, in percentage points (百分点), not per cent: 83.98% -> 84.18% is
    +0.20个百分点 (``unit`` False: +0.20, under a header that says 百分点)."""
    return f"{delta * 100:+.2f}" + (POINTS_ZH if unit else "")


# The groupings of the coverage report and the word for one group's key.
GROUPINGS_ZH: dict[str, str] = {"chain": "产业链", "segment": "环节", "park": "园区", "street": "街道", "kind": "类型"}


def rel_type_named(text: str) -> RelType | None:
    """The relationship type a person names: its code (``COVERS``, any case) or its words
    (党组织覆盖, 联系点, 领导联系点 …); None when it names none."""
    wanted = text.strip()
    for rtype in RelType:
        if wanted.upper() == rtype.value or wanted in (REL_ZH[rtype], REL_SPECS[rtype].zh):
            return rtype
    return None
