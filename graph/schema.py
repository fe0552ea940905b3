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
    """One property: its type and, for enums, the allowed values.

    ``choices`` maps each stored (English) value to its Chinese word; imports accept
    either. ``minimum``/``maximum`` bound integers.
    """

    name: str
    type: PropType = PropType.TEXT
    choices: dict[str, str] = field(default_factory=dict)
    default: object = None
    minimum: int | None = None
    maximum: int | None = None


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
        Prop("name"),
        Prop("kind", PropType.ENUM, ENTERPRISE_KINDS, default="enterprise"),
        Prop("park"),
        Prop("street"),
        Prop("employees", PropType.INT, minimum=0),
        Prop("party_members", PropType.INT, minimum=0),
        Prop("above_scale", PropType.BOOL, default=False),
        Prop("leading", PropType.BOOL, default=False),
        Prop("in_base", PropType.BOOL, default=True),
        Prop("status", PropType.ENUM, ENTERPRISE_STATUS, default="active"),
        Prop("base_note"),  # why it left the base (an import with --full that no longer lists it)
    ),
    Label.CHAIN: _props(Prop("name")),
    Label.SEGMENT: _props(
        Prop("name"),
        Prop("stage", PropType.ENUM, STAGES),
        Prop("order", PropType.INT, minimum=0),
    ),
    Label.PARTY_ORG: _props(
        Prop("name"),
        Prop("level", PropType.ENUM, ORG_LEVELS),
        Prop("formation", PropType.ENUM, FORMATIONS),
        Prop("members", PropType.INT, minimum=0),
        Prop("star", PropType.INT, minimum=1, maximum=5),
        Prop("demonstration", PropType.BOOL, default=False),
    ),
    Label.UNIT: _props(Prop("name"), Prop("kind", PropType.ENUM, UNIT_KINDS, default="other")),
    Label.LEADER: _props(
        Prop("name"),
        Prop("title"),
        Prop("unit"),
        Prop("capacity", PropType.INT, default=3, minimum=0),
        Prop("min_contacts", PropType.INT, default=1, minimum=0),
    ),
    Label.INSTRUCTOR: _props(
        Prop("name"),
        Prop("kind", PropType.ENUM, INSTRUCTOR_KINDS, default="instructor"),
        Prop("unit"),
    ),
    Label.ALLIANCE: _props(Prop("name"), Prop("founded", PropType.DATE)),
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
    """Which labels a relationship type may join, and its properties."""

    sources: frozenset[Label]
    targets: frozenset[Label]
    props: dict[str, Prop] = field(default_factory=dict)


def _labels(*labels: Label) -> frozenset[Label]:
    return frozenset(labels)


_ORG_OR_ENTERPRISE = _labels(Label.PARTY_ORG, Label.ENTERPRISE)

REL_SPECS: dict[RelType, RelSpec] = {
    RelType.SUPPLIES: RelSpec(_labels(Label.ENTERPRISE), _labels(Label.ENTERPRISE), _props(Prop("product"))),
    RelType.IN_SEGMENT: RelSpec(_labels(Label.ENTERPRISE), _labels(Label.SEGMENT)),
    RelType.PART_OF: RelSpec(_labels(Label.SEGMENT), _labels(Label.CHAIN)),
    RelType.COVERS: RelSpec(_labels(Label.PARTY_ORG), _labels(Label.ENTERPRISE)),
    RelType.UNDER: RelSpec(_labels(Label.PARTY_ORG), _labels(Label.PARTY_ORG)),
    RelType.LEADS: RelSpec(_labels(Label.PARTY_ORG), _labels(Label.CHAIN)),
    RelType.PAIRED_WITH: RelSpec(
        _labels(Label.UNIT, Label.PARTY_ORG, Label.ENTERPRISE),
        _ORG_OR_ENTERPRISE,
        _props(
            Prop("kind", PropType.ENUM, PAIRING_KINDS, default="co_building"),
            Prop("since", PropType.DATE),
        ),
    ),
    RelType.CONTACTS: RelSpec(_labels(Label.LEADER), _ORG_OR_ENTERPRISE, _props(Prop("since", PropType.DATE))),
    RelType.RESPONSIBLE_FOR: RelSpec(_labels(Label.LEADER), _labels(Label.CHAIN)),
    RelType.ASSIGNED_TO: RelSpec(_labels(Label.INSTRUCTOR), _ORG_OR_ENTERPRISE, _props(Prop("since", PropType.DATE))),
    RelType.MEMBER_OF: RelSpec(
        _labels(Label.ENTERPRISE, Label.PARTY_ORG, Label.UNIT),
        _labels(Label.ALLIANCE),
        _props(Prop("role", PropType.ENUM, ALLIANCE_ROLES, default="member")),
    ),
    RelType.ALLIANCE_OF: RelSpec(_labels(Label.ALLIANCE), _labels(Label.CHAIN)),
}
