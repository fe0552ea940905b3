"""The ledger (台账): one row per enterprise or social organisation, with its chain, its
party organisation and its people by name, turned into the records of the normalised
tables.

Two steps. ``LedgerCheck`` reads the sheet like any table (every cell parsed, every
problem with its row and column) and keeps the rows as ``LedgerRows``. ``resolve_ledgers``
then, knowing the other tables of the import and the store, turns names into ids: an id
or a unique name finds an existing entity; a name found nowhere makes a new one with a
deterministic id (``PO-`` and the first 8 hex digits of the SHA-1 of the folded name), so
re-importing a ledger gives the same ids.

A ledger row is the whole truth about its enterprise: for each relationship a ledger
column states, the row's links of that kind replace the stored ones (``Records.complete``),
but for its chains, which it states among the chains the file names only (a ledger of one
chain says nothing of the enterprise's other chains); for each property column the file
has, a blank cell removes the stored value (the schema default then applies); a column
the file does not have says nothing.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterator

from graph.records import GraphData
from graph.schema import ENTERPRISE_STATUS, FORMATIONS, LABEL_ZH, NODE_PROPS, STAGE_ORDER, STAGES, Label, RelType
from loaders.headers import fold, simplified, without_ordinal, without_remark
from loaders.problems import Problem
from loaders.tables import COMPLETE_END, LEDGER, Role
from loaders.values import ORG_WORD, TRAILING_REMARK, BadValue, formation_said, kind_by_ending, parse_bool, parse_enum
from loaders.validate import HeaderMapping, NodeBatch, Origin, RelBatch, Records, _TableCheck

# Where a chain is named without a segment, the enterprise joins this segment of the
# chain: chain membership runs through segments.
UNSEGMENTED = "未分环节"
UNSEGMENTED_STAGE = "midstream"

ID_PREFIX = {Label.CHAIN: "CH", Label.SEGMENT: "SG", Label.PARTY_ORG: "PO", Label.LEADER: "LD",
             Label.INSTRUCTOR: "IN", Label.UNIT: "UN"}
# A cell may list several values: these separate them, and so does a line break (Alt+Enter);
# not inside brackets (张三（区委常委、副区长）is one person).
_SEPARATORS = re.compile(r"[、，,；;/／\r\n]")
_OPENING, _CLOSING = "（(【[〔", "）)】]〕"
_ANY_OPENING = re.compile("[（(【\\[〔]")
# What planners type in an empty name cell: a name cell holding one of these is blank.
# (In a 是否 / 有无 column 无 is "no": ``loaders.values`` reads those.)
PLACEHOLDERS = frozenset({"无", "暂无", "没有", "—", "——", "-", "/", "／", "无。", "否", "×", "✗", "✘", "0"})
# A yes (是, √, 已建) or a number in a name cell names nobody: the name is what is wanted.
_WANTED_NAME = {"chain": "产业链名称", "segment": "环节名称", "org": "党组织的名称", "parent": "上级党组织的名称",
                "leader": "领导的姓名", "instructor": "指导员的姓名", "partner": "结对单位的名称"}
_NOT_NAMES = frozenset({"是", "有", "√", "✓", "✔", "已建", "已建立", "已组建", "已成立", "已派", "已结对", "已联系",
                        "y", "yes"})
# A phrase saying there is none, with what there is none of (没有党组织, 暂无结对, 无党员, 未派,
# 尚未建立): a placeholder too. Only these words after the negation: 无锡…, 无名…, 未来科技 are names.
_NONE_PHRASE = re.compile(
    r"(?:无|暂无|没有|尚无|未|尚未|暂未)"
    r"(?:党组织|组织|党支部|支部|党员|结对|结对单位|共建单位|单位|联系领导|领导|联系点|指导员|党建指导员|派驻|派|"
    r"建|建立|组建|填写|确定|联系|安排|明确)?[。.．,，;；]?")
# The columns that name entities, one name or (``MULTI_NAME_COLUMNS``) several.
NAME_COLUMNS = ("chain", "segment", "org", "parent", "leader", "instructor", "partner")
MULTI_NAME_COLUMNS = frozenset({"chain", "segment", "leader", "instructor", "partner"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# ``--full``: why an enterprise left the base (``base_note``), the start of the note.
BASE_NOTE = "base_note"
LEFT_REGISTER = "未列入完整台账"
_ENTERPRISE_PROPS = ("name", "kind", "park", "street", "employees", "party_members", "above_scale", "leading",
                     "in_base", "status")
_ORG_PROPS = ("formation", "level", "star", "demonstration")
_ORG_COLUMNS = (*_ORG_PROPS, "parent")  # what a ledger row says of its org
DEFAULT_LEVEL = "branch"  # 党组织类别 left blank, the name saying none: a branch, the usual organisation of one enterprise
# The level an organisation's name ends with (中共甲公司委员会, 乙公司党总支, 丙公司党支部), longest first.
_LEVEL_ENDINGS = (("总支部委员会", "general_branch"), ("支部委员会", "branch"), ("党总支部", "general_branch"),
                  ("党总支", "general_branch"), ("党支部", "branch"), ("党工委", "committee"), ("委员会", "committee"),
                  ("党委", "committee"))


def level_by_name(name: str) -> str | None:
    """The level an organisation's name says (…党委 a committee, …党总支 a general branch,
    …党支部 a branch), or None."""
    bare = "".join(str(name).split())
    return next((level for ending, level in _LEVEL_ENDINGS if bare.endswith(ending)), None)


def readable_id(label: Label, name: str) -> str:
    """The id of an entity known only by its name: the same name gives the same id.

    >>> readable_id(Label.PARTY_ORG, "甲公司党支部")
    'PO-...'
    """
    return f"{ID_PREFIX[label]}-{hashlib.sha1(fold(name).encode()).hexdigest()[:8]}"


def split_cell(value: str | None) -> list[str]:
    """The values of a cell that may list several (``甲、乙；丙``), placeholders left out."""
    if value is None:
        return []
    return list(_split_cell(str(value)))


@functools.lru_cache(maxsize=65536)  # a ledger's cells repeat (its chains, its people): each text split once
def _split_cell(text: str) -> tuple[str, ...]:
    return tuple(part for part in map(str.strip, _split_outside_brackets(text)) if part and not is_placeholder(part))


def _split_outside_brackets(text: str) -> list[str]:
    if _ANY_OPENING.search(text) is None:
        return _SEPARATORS.split(text)
    parts, start, depth = [], 0, 0
    for k, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(depth - 1, 0)
        elif depth == 0 and _SEPARATORS.match(char):
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    return parts


_TRADITIONAL_NONE = re.compile("[無沒暫]")


def is_placeholder(text: str) -> bool:
    """Whether a name cell's text (stripped) says there is none: ``PLACEHOLDERS`` or a
    phrase such as 没有党组织 or 暂无结对 (``_NONE_PHRASE``), with or without a remark after it
    (无（挂靠社区党委）, 暂无（正在筹建）)."""
    if text in PLACEHOLDERS or _NONE_PHRASE.fullmatch(text) is not None:
        return True
    if _TRADITIONAL_NONE.search(text) is not None:  # 無, 暫無, 沒有黨組織: only then converted, a name cell at a time
        return is_placeholder(simplified(text))
    remark = TRAILING_REMARK.search(text)
    if remark is not None and remark.start() == 0:  # （无）: the whole cell in brackets
        return is_placeholder(remark[1].strip())
    return remark is not None and is_placeholder(text[:remark.start()].strip())


def blank_placeholder(value):
    """A name cell's value: None where it holds only a placeholder (``无``, ``没有党组织``)."""
    return None if isinstance(value, str) and is_placeholder(value.strip()) else value


@dataclass
class LedgerRows:
    """The valid rows of one ledger sheet: each row's values and where to report."""

    file: str
    sheet: str | None
    headers: dict[str, str]  # column name -> header as written
    rows: list[int] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    headings: dict[int, str] = field(default_factory=dict)  # row number -> a heading over the rows below it

    def origin(self, i: int, column: str) -> Origin:
        return Origin(self.file, self.sheet, self.rows[i], self.header(column))

    def header(self, column: str) -> str:
        """The column's header as written, or its Chinese name where the sheet has no such
        column (a formation said in 是否建立党组织, a chain given by the sheet's name)."""
        return self.headers.get(column) or (found.zh if (found := LEDGER.column(column)) is not None else column)


def _formation_from_category(cells: list, values: dict[str, list]) -> list[int]:
    """A 党组织类别 that says 联合 (联合党支部, 联合党委) states the org's formation, joint,
    where its row's 组建形式 is blank or the file has none: the category is read as the
    level it names (a 党支部), and the 联合 in it must not be lost with it. Returns the rows
    whose 组建形式 says otherwise (a contradiction)."""
    formations = values.setdefault("formation", [None] * len(cells))
    contradicted = []
    for row, cell in enumerate(cells):
        if isinstance(cell, str) and _JOINT_CATEGORY_WORD in cell:
            if formations[row] is None:
                formations[row] = "joint"
            elif isinstance(formations[row], str) and formations[row] != "joint":
                contradicted.append(row)
    return contradicted


_JOINT_CATEGORY_WORD = "联合"
# A Chinese character in a regular expression: the unified ideographs with their extensions
# (䶮 in 刘䶮, 𬌗 in 李𬌗: GB18030 encodes them, and people's names use them) and the
# compatibility ideographs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A person's name padded to line up in a table (张　三, 李  四): one character, spaces, one
# character… is one name; 张三 李四 (names of two characters) is left as written.
_PEOPLE_COLUMNS = frozenset({"leader", "instructor"})
_PADDED_NAME = re.compile(rf"(?<![{HAN}])[{HAN}](?:[ \t\u3000\xa0]+[{HAN}]){{1,3}}(?![{HAN}])")
# Columns of one name a row: a line break typed in the cell (Alt+Enter, to fit a long name
# in a narrow column) is not a second name. Between Chinese characters it goes; elsewhere
# it is a space (QA round 10: 某某智能⏎装备制造有限公司 stored with the break).
_ONE_NAME_COLUMNS = frozenset({"name", "org", "parent"})
_WRAPPED = re.compile(rf"(?<=[{HAN}（）()])\s*[\r\n]+\s*(?=[{HAN}（）()])")
_BREAK = re.compile(r"\s*[\r\n]+\s*")


def _one_line(name: str) -> str:
    """``name`` on one line; two org names on two lines (…第一党支部⏎…第二党支部) are kept apart,
    with 、 between them, for the one-org-a-row check to refuse."""
    if "\n" not in name and "\r" not in name:
        return name
    lines = [line for line in _BREAK.split(name.strip()) if line]
    if len(lines) > 1 and all(_ORG_NAME_END.search(line) for line in lines):
        return "、".join(lines)
    return _BREAK.sub(" ", _WRAPPED.sub("", name))


def _unpadded(found: re.Match) -> str:
    return re.sub(r"[ \t\u3000\xa0]+", "", found[0])


# A person written with what they are (张三（副区长）, 张三 副区长, 副区长 张三, 李四（区商务局）):
# the name is the person; a title goes to a leader's 职务, a place of work to 单位.
# A name of two to five characters, or names joined by a middle dot, as minority names are
# written (阿不都热合曼·买买提, 古丽米拉·艾买提: ten characters and more).
_PERSON = rf"(?:[{HAN}]{{2,5}}|[{HAN}]{{1,12}}(?:[·•‧・][{HAN}]{{1,12}}){{1,3}})"
_BRACKETED_PERSON = re.compile(rf"(?P<name>{_PERSON})\s*[（(【\[](?P<remark>[^）)】\]]+)[）)】\]]")
_TITLE_THEN_NAME = re.compile(rf"(?P<title>[{HAN}]*?(?:区长|县长|市长|镇长|乡长|书记|主任|常委|部长|局长|主席|秘书长))"
                              rf"(?P<name>[{HAN}]{{2,4}})")
# A title alone among a cell's people (区委常委、副区长张三): it describes the person after it.
TITLE_ONLY = re.compile(rf"(?:[区县市镇乡副党常][{HAN}]{{0,6}})?(?:区长|县长|市长|镇长|乡长|书记|主任|常委|部长|局长|主席|秘书长)")
# A phone number anywhere in a person's cell (张三 13800000000, 张三（副区长）138-0000-0000,
# 王五（电话：0731-88888888）): not kept, and not part of the name.
_PHONE = re.compile(r"(?:(?:联系)?(?:电话|手机|tel)\s*[:：]?\s*)?(?:\+?86[-\s]?)?(?:1[3-9]\d(?:[-－—\s]?\d{4}){2}|0\d{2,3}[-－—]?\d{7,8})(?!\d)",
                    re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"[（(【\[]\s*[）)】\]]")
_ADDRESSED = re.compile(rf"(?<=[{HAN}]{{2}})同志$")  # 赵六同志: 赵六
_TITLE_WORD = re.compile(r"(?:长|书记|主任|常委|委员|主席|调研员|巡视员|干部|科员|专员|经理|政委|指导员|组员)$")
_WORKPLACE_WORD = re.compile(r"(?:局|委|部|办|院|所|中心|公司|街道|镇|乡|区|县|市|园区|站|队|会)$")


# A column of facts about a people column's persons (联系领导职务 beside 联系领导, 党建指导员单位
# beside 党建指导员): its cell's parts go to the persons in the same order, as if written
# after each name in brackets (李明、王芳 | 副区长、区委常委 is 李明（副区长）、王芳（区委常委）).
_FACTS_OF = {"leader": "leader_title", "instructor": "instructor_unit"}


def _with_facts(row: dict, column: str, ledger: LedgerRows, i: int, records: Records) -> list[str]:
    """The people of a row's cell, each with its fact from the column beside (``_FACTS_OF``)
    in brackets; as written when that cell is blank, and with a warning when it does not
    give one fact per person."""
    people = split_cell(row.get(column))
    facts = split_cell(row.get(_FACTS_OF[column]))
    if not facts or not people:
        return people
    if len(facts) != len(people):
        origin = ledger.origin(i, _FACTS_OF[column])
        records.warnings.append(origin.problem(
            f"{origin.column}有 {len(facts)} 项，{ledger.header(column)}有 {len(people)} 人，对不上，未读入"
            "（请按人员顺序逐一填写，用、分隔）", "facts_not_paired", value=row.get(_FACTS_OF[column])))
        return people
    written = []
    for person, fact in zip(people, facts):
        if (bracketed := _BRACKETED_PERSON.fullmatch(person)) is None:
            written.append(f"{person}（{fact}）")
            continue
        written.append(person)  # 赵六（副区长） beside 职务 区委常委: the name's own bracket is kept, and said
        if fact not in bracketed["remark"]:
            origin = ledger.origin(i, _FACTS_OF[column])
            records.warnings.append(origin.problem(
                f"{ledger.header(column)}写作 {person}，{origin.column}为 {fact}：按姓名后括号中的导入", "person_fact_differs",
                value=fact))
    return written


_BRACKET_ONLY = re.compile(r"[（(【\[][^）)】\]]+[）)】\]]")


def _attached(texts: list[str]) -> list[str]:
    """A person's remark on a part of its own after the name, as a cell wrapped with
    Alt+Enter puts it (赵六⏎（区商务局）, 赵六⏎区商务局, 李明⏎副区长 at the end): joined to the
    person before it, as if written 赵六（区商务局）, not taken for a person (QA round 11)."""
    joined: list[str] = []
    for k, text in enumerate(texts):
        bare = bool(joined) and re.fullmatch(_PERSON, joined[-1]) is not None
        if bare and _BRACKET_ONLY.fullmatch(text):
            joined[-1] += text
        elif bare and len(text) >= 3 and _WORKPLACE_WORD.search(text) and not TITLE_ONLY.fullmatch(text):
            joined[-1] = f"{joined[-1]}（{text}）"
        elif bare and k == len(texts) - 1 and TITLE_ONLY.fullmatch(text):
            joined[-1] = f"{joined[-1]}（{text}）"  # a title before a person describes the next; at the end, the last
        else:
            joined.append(text)
    return joined


def person_and_props(text: str, label: Label) -> tuple[str, dict]:
    """(the person's name, the properties the rest of ``text`` gives) for a name in a
    leader's or instructor's cell; (``text``, {}) when it is a name alone."""
    name, props = _person(text, label)
    return name, dict(props)


@functools.lru_cache(maxsize=4096)  # a ledger names the same few people on many rows
def _person(text: str, label: Label) -> tuple[str, tuple]:
    name, props = _person_and_props(text, label)
    return name, tuple(props.items())


def _person_and_props(text: str, label: Label) -> tuple[str, dict]:
    bare = _ADDRESSED.sub("", _EMPTY_BRACKETS.sub("", _PHONE.sub(" ", text)).strip())
    if not bare:
        return text, {}  # only a number: the name check says what the cell wants
    text = " ".join(bare.split())
    found = _BRACKETED_PERSON.fullmatch(text)
    glued = _TITLE_THEN_NAME.fullmatch(text) if len(text) >= 5 else None  # 副区长张三; not 张局长, a way to address 张
    if found is not None:
        name, remark = found["name"], found["remark"].strip()
    elif glued is not None:
        name, remark = glued["name"], glued["title"]
    else:
        parts = text.split()
        if len(parts) != 2:
            return text, {}
        name, remark = parts if re.fullmatch(_PERSON, parts[0]) and _described(parts[1]) else parts[::-1]
        if not (re.fullmatch(_PERSON, name) and _described(remark)):
            return text, {}
    if label is Label.LEADER and _TITLE_WORD.search(remark):
        return name, {"title": remark}
    if _WORKPLACE_WORD.search(remark):
        return name, {"unit": remark}
    return name, {}


def _described(remark: str) -> bool:
    return bool(_TITLE_WORD.search(remark) or _WORKPLACE_WORD.search(remark))


_YES, _NO = "是", "否"
# A 是否建立党组织 (党组织组建情况, 党组织覆盖方式) cell that says how the org was formed
# (``formation_said``) says yes, too; one that says there is no org yet, or only work coverage, says no.
_HAS_ORG_NOT_YET = frozenset({"拟建", "筹建", "筹建中", "正在筹建", "待建", "未覆盖", "工作覆盖", "选派党建指导员",
                              "派驻党建指导员", "选派指导员", "派驻指导员", "选派党建工作指导员"})
# The sentences offices write there: 未建立党组织, 暂未建立, 尚未组建, 无党员 (no); 已建立党支部,
# 已覆盖 (yes); 否，已派驻指导员 (the answer, then a remark); a dash says nothing.
# A plan is a no (拟于2025年6月前组建, 计划成立, 正在筹建), and so is no party member (暂无党员).
_HAS_ORG_NO = re.compile(rf"^(?:暂|尚|还)?(?:未|没有)(?:建立|成立|组建|建|覆盖)?{ORG_WORD}$|^(?:暂|尚|还)?(?:无|没有)党员\w*$"
                         r"|^(?:拟|计划|准备|筹|正在筹|正在组建|待)")
# Attached to another's org (挂靠社区党组织, 挂靠园区党委): covered, by the org the row names.
_HAS_ORG_YES = re.compile(rf"^已(?:建立|成立|组建|建|覆盖){ORG_WORD}$|^(?:已)?(?:挂靠|依托)")
_ANSWER_THEN_REMARK = re.compile(r"^([^，,；;、]+?)\s*[，,；;、]")  # 否，已派驻指导员; 暂无党员，已派党建指导员
_DASHES = frozenset({"—", "——", "-", "--", "/", "／", "－"})


def _org_said(value) -> tuple[object, str | None]:
    """An org's name cell with how it was formed in a remark after the name (甲公司党支部（联建）,
    乙园区联合党支部（联合组建）): (the name, the formation); else (the value, None)."""
    if not isinstance(value, str) or (remark := TRAILING_REMARK.search(value)) is None or remark.start() == 0:
        return value, None
    formation = formation_said(remark[1])
    return (value[:remark.start()].strip(), formation) if formation is not None else (value, None)


@functools.lru_cache(maxsize=4096)  # a column of a few answers, row after row
def _has_org_said(cell: str) -> tuple[object, str | None]:
    """A 是否建立党组织 cell as the yes/no it says (是 / 否, None for a dash; other cells as
    they are, for the yes/no reader) and the formation it names, if any: 联合建立, or in a
    remark after the answer (已建（联合）)."""
    text = simplified(cell.strip())  # 單獨組建, 已建立黨支部
    remark = TRAILING_REMARK.search(text)
    bare = text[:remark.start()] if remark else text
    if (formation := formation_said(bare)) is not None:
        return _YES, formation
    formation = formation_said(remark[1]) if remark else None
    if text in _DASHES:
        return None, None
    if bare in _HAS_ORG_NOT_YET or _HAS_ORG_NO.match(bare):
        return _NO, None
    if bare == _YES or _HAS_ORG_YES.match(bare):
        return _YES, formation
    if (answer := _ANSWER_THEN_REMARK.match(text)) is not None:
        said, formed = _has_org_said(answer[1])
        if (said := _answer(said)) is not None:  # how, after the answer: 是，单独组建
            return said, (formed or formation_said(text[answer.end():]) or formation) if said == _YES else None
    return cell, formation


def _has_org_bad(cells: list, parsed: list) -> list:
    """A 是否建立党组织 cell read as neither yes nor no is told the ways the column is filled
    in, not only 是/否 (one problem per distinct cell, as ``parse_column`` shares them)."""
    told: dict[int, BadValue] = {}
    for cell, value in zip(cells, parsed):
        if type(value) is BadValue and value.code == "bad_bool" and id(value) not in told:
            told[id(value)] = BadValue("bad_bool", f"应为 是/否，或党组织的组建情况（单独组建、联合组建、已建立党支部、挂靠社区党委；"
                                                   f"未建立、拟建、无党员），实为 {str(cell).strip()!r}")
    return [told.get(id(value), value) for value in parsed] if told else parsed


def _said_otherwise(made: _Made, label: Label, person: str, name: str, described: dict, ledger: LedgerRows, i: int,
                    column: str, records: Records) -> None:
    """A warning where a row gives a person another 职务 / 单位 than an earlier row did
    (赵六（副区长） here, 职务 区委常委 there): the later is kept, and the planner is told."""
    if person not in made.nodes:
        return
    _, held, first, j, _ = made.nodes[person]
    for key, value in described.items():
        if value is not None and held.get(key) not in (None, value):
            records.warnings.append(ledger.origin(i, column).problem(
                f"{LABEL_ZH[label]} {name} 的{NODE_PROPS[label][key].zh}在此为 {value}，第{first.rows[j]}行为 {held[key]}：按此行导入",
                "person_fact_differs", value=name))


def _answer(said: object) -> str | None:
    """是 or 否 for a yes/no word (有, √, 未建 …), else None."""
    try:
        return (_YES if parse_bool(said) else _NO) if isinstance(said, str) else None
    except BadValue:
        return None


# An org's name ends with what it is (甲公司第一党支部, 乙公司党委): a cell of several such names
# lists several orgs, where 甲公司、乙公司联合党支部 is one.
_ORG_NAME_END = re.compile(r"(?:党组织|党支部|党总支|党委|支部|总支|党小组|委员会)(?:[（(][^（()）]*[）)])?$")


class LedgerCheck(_TableCheck):
    """Checks a ledger sheet cell by cell, then its rows against themselves."""

    def _one_org_a_row(self, position: int, header: str, names: list) -> list:
        """A 党组织名称 cell listing several orgs (第一党支部、第二党支部) is refused: a row names
        the one org that covers its unit, and read as one name it would make one org of two."""
        for row, name in enumerate(names):
            if isinstance(name, str) and len(parts := split_cell(name)) > 1 and all(map(_ORG_NAME_END.search, parts)):
                self._problem(row, position, header, f"一格填了 {len(parts)} 个党组织（{'、'.join(parts)}）：一行只填覆盖本单位的一个党组织；"
                              "单位内有几个党支部的，请填覆盖全单位的党组织（如 某公司党委、党总支）",
                              "several_orgs", name)
        return names

    def run(self) -> None:
        values: dict[str, list] = {}
        level_cells = None
        formations_said: dict[str, list] = {}  # column -> the formation each row's cell names in passing
        for position, (index, column, header) in enumerate(self.columns):
            cells = self.raw.column(index)
            from loaders.validate import parse_column

            if column.name == "has_org":  # 单独组建 / 联合建立 / 区域联建 there: yes, and how it was formed
                said = [_has_org_said(c) if isinstance(c, str) else (c, None) for c in cells]
                cells, formations_said["has_org"] = [cell for cell, _ in said], [formation for _, formation in said]
            parsed = parse_column(cells, column)
            if column.name == "has_org":
                parsed = _has_org_bad(cells, parsed)
            if column.name in _ONE_NAME_COLUMNS:
                parsed = [_one_line(value) if isinstance(value, str) else value for value in parsed]
            if column.name in NAME_COLUMNS:
                parsed = [blank_placeholder(value) for value in parsed]
                if column.name == "org":  # 甲公司党支部（联建）: the org, and how it was formed
                    said = [_org_said(value) for value in parsed]
                    parsed, formations_said["org"] = [name for name, _ in said], [formation for _, formation in said]
                    parsed = self._one_org_a_row(position, header, parsed)
                if column.name in _PEOPLE_COLUMNS:
                    parsed = [_PADDED_NAME.sub(_unpadded, v) if isinstance(v, str) else v for v in parsed]
                self._check_names(position, column.name, header, parsed)
            self._report_cells(position, column, header, cells, parsed)
            if column.role is Role.ID:
                parsed = self._normalise_usccs(position, header, parsed)
                self._check_usccs(position, header, parsed)
            values[column.name] = parsed
            if column.name == "level":
                level_cells = cells
        positions = {column.name: position for position, (_, column, _) in enumerate(self.columns)}
        headers = {column.name: header for _, column, header in self.columns}
        said_by: dict[int, str] = {}  # row -> the column whose cell gave its formation
        for said_in, formations in formations_said.items():
            stated = values.setdefault("formation", [None] * len(formations))
            for row, formation in enumerate(formations):
                if formation is None:
                    continue
                if stated[row] is None:
                    stated[row], said_by[row] = formation, said_in
                elif isinstance(stated[row], str) and stated[row] != formation:
                    first = said_by.get(row, "formation")
                    at = "formation" if first == "formation" else said_in  # at the 组建形式 cell when it says otherwise
                    self._problem(row, positions[at], headers[at],
                                  f"{headers[said_in]}说是{FORMATIONS[formation]}，{headers[first]}却是{FORMATIONS[stated[row]]}",
                                  "formation_conflict", stated[row])
        if level_cells is not None:  # once every column is parsed: 组建形式 may come after it
            for row in _formation_from_category(level_cells, values):
                self._problem(row, positions["formation"], headers["formation"],
                              f"{headers['level']}为“{str(level_cells[row]).strip()}”（联合组建），{headers['formation']}却不是联建",
                              "formation_conflict", level_cells[row])
        if "has_org" in values and "org" in values:
            for row, (has, org) in enumerate(zip(values["has_org"], values["org"])):
                if has is False and org:
                    self._problem(row, positions["org"], headers["org"],
                                  f"{headers['has_org']}为“否”，却填写了党组织名称 {org}", "org_contradiction", org)
                elif has is True and not org:
                    self._problem(row, positions["has_org"], headers["has_org"],
                                  f"{headers['has_org']}为“是”，却没有填写{headers['org']}", "org_missing")
        kept = self._rows_ok()
        ledger = LedgerRows(self.raw.file, self.raw.sheet, headers, headings=self.raw.headings)
        for row in kept:
            ledger.rows.append(self.raw.numbers[row])
            ledger.values.append({name: column[row] for name, column in values.items() if column[row] is not None})
        ids = values["id"]
        for row in range(self.size):
            if self.bad[row] and type(ids[row]) is str:
                self.records.rejected.setdefault(ids[row], Label.ENTERPRISE)
        self.records.ledger.append(ledger)
        self._report()

    def _check_names(self, position: int, column: str, header: str, parsed: list) -> None:
        """A name that still holds a control character (a tab, a line break in a one-name
        column) is refused: it would make an entity no one can type."""
        for row, value in enumerate(parsed):
            if not isinstance(value, str):
                continue
            for name in split_cell(value) if column in MULTI_NAME_COLUMNS else [value.strip()]:
                if _CONTROL.search(name):
                    self._problem(row, position, header, f"名称 {name!r} 含换行或控制字符；请删去，或在一格中用“、”分隔多个名称",
                                  "control_character", name)
                    break
                if name.lower() in _NOT_NAMES or name.isdigit():
                    aside = "（是/否 请填在“是否建立党组织”列）" if column == "org" else ""
                    self._problem(row, position, header, f"应填写{_WANTED_NAME[column]}，实为 {name!r}{aside}",
                                  "not_a_name", name)
                    break


# -- names to ids, against the import and the store -----------------------------------------


_CHAIN_SUFFIXES = ("产业集群", "产业链", "产业", "链")
# An organisation's formal name and its short one: 中共甲公司支部委员会 is 甲公司党支部.
_PARTY_PREFIXES = ("中国共产党", "中共")
_FORMAL_SUFFIXES = (("总支部委员会", "党总支"), ("党总支部", "党总支"), ("支部委员会", "党支部"), ("委员会", "党委"))


def chain_key(name: str) -> str:
    """A chain's name as it is looked up (``_name_key``): 工程机械产业链 and 工程机械 alike."""
    return _name_key(Label.CHAIN, name)


def _name_key(label: Label, name: str) -> str:
    """How a name is looked up: full- and half-width forms alike (湖南甲机械（长沙）有限公司 and
    湖南甲机械(长沙)有限公司), spaces and letter case aside; a chain with or without 产业链,
    链, 产业 or 产业集群 after it (工程机械产业链, 新能源链 or 电子信息产业 in the ledger, 工程机械,
    新能源 or 电子信息 in the chains table) is the same chain; an organisation by its formal name or its short one
    (中共甲公司支部委员会, 甲公司党支部)."""
    name = "".join(unicodedata.normalize("NFKC", name).split()).lower()
    if label is Label.PARTY_ORG:
        formal = name.startswith(_PARTY_PREFIXES)
        for prefix in _PARTY_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix) + 2:
                name = name[len(prefix):]
                break
        for suffix, short in _FORMAL_SUFFIXES:
            if name.endswith(suffix) and (formal or suffix == "党总支部"):
                name = name[: -len(suffix)] + short
                break
    if label is Label.CHAIN:
        for suffix in _CHAIN_SUFFIXES:  # in turn: 区块链产业链 and 区块链 are one chain
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)]
    return name


class NameIndex:
    """Entities of the import and the store by id and by name, per label."""

    def __init__(self, records: Records, stored: GraphData):
        self.label: dict[str, Label] = {}
        self.names: dict[Label, dict[str, set[str]]] = {}
        self.name_of: dict[str, str] = {}
        self.imported: set[str] = set()
        self.chain_of: dict[str, str] = {}  # segment -> chain
        self.stages_said: dict[tuple[str, str], set[str]] = {}  # see _stages_said
        for node in stored.nodes:
            self._add(node.label, node.id, node.props.get("name"))
        for rel in stored.rels:
            if rel.type is RelType.PART_OF:
                self.chain_of[rel.source] = rel.target
        for batch in records.nodes:
            for node_id, props in zip(batch.ids, batch.props):
                self.imported.add(node_id)
                self._add(batch.label, node_id, props.get("name"))
        for batch in records.rels:
            if batch.type is RelType.PART_OF:
                self.chain_of.update(zip(batch.sources, batch.targets))

    def _add(self, label: Label, node_id: str, name: str | None) -> None:
        self.label[node_id] = label
        if name:
            self.names.setdefault(label, {}).setdefault(_name_key(label, name), set()).add(node_id)
            self.name_of[node_id] = name

    def add(self, label: Label, node_id: str, name: str) -> None:
        self._add(label, node_id, name)

    def find(self, labels: tuple[Label, ...], text: str) -> tuple[str | None, list[str]]:
        """(the id ``text`` names, []) or (None, the candidate ids when it is ambiguous)."""
        if self.label.get(text) in labels:
            return text, []
        found = sorted(set().union(*(self.names.get(label, {}).get(_name_key(label, text), set()) for label in labels)))
        if len(found) == 1:
            return found[0], []
        return None, found

    def closest(self, labels: tuple[Label, ...], text: str) -> list[str]:
        shown = {key: self.name_of[min(ids)] for label in labels for key, ids in self.names.get(label, {}).items()}
        close = difflib.get_close_matches(_name_key(labels[0], text), list(shown), n=3, cutoff=0.5)
        return [shown[key] for key in close]

    def describe(self, ids: list[str]) -> str:
        return "、".join(f"{self.name_of.get(i, i)}（{i}）" for i in ids)


def _one_edit_apart(a: str, b: str) -> bool:
    """One character changed, added or left out (工程机槭 / 工程机械); not a longer name that
    merely starts the same (新能源汽车 / 新能源汽车零部件: two chains)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:k] + long_[k + 1:] == short for k in range(len(long_)))


def unknown_message(index: NameIndex, labels: tuple[Label, ...], text: str) -> str:
    wanted = "或".join(LABEL_ZH[label] for label in labels)
    close = index.closest(labels, text)
    hint = f"；是否是：{'、'.join(close)}？" if close else ""
    return f"{wanted} {text} 不存在（既不是编号，也不是本次导入或库中的名称）{hint}"


def ambiguous_message(index: NameIndex, labels: tuple[Label, ...], text: str, candidates: list[str]) -> str:
    wanted = "或".join(LABEL_ZH[label] for label in labels)
    return f"名称 {text} 对应多个{wanted}：{index.describe(candidates)}；请改填编号"


@dataclass
class _Made:
    """Nodes and relationships a ledger makes, de-duplicated, with the first row of each.
    A property None removes the stored value (a blank cell in a column the file has)."""

    nodes: dict[str, tuple[Label, dict, LedgerRows, int, str]] = field(default_factory=dict)
    rels: dict[tuple[RelType, str, str], tuple[LedgerRows, int, str, str]] = field(default_factory=dict)
    created: dict[str, tuple[Label, str]] = field(default_factory=dict)

    def node(self, label: Label, node_id: str, props: dict, ledger: LedgerRows, i: int, column: str) -> None:
        if node_id in self.nodes:
            held = self.nodes[node_id][1]
            for key, value in props.items():
                if value is not None or key not in held:
                    held[key] = value
        else:
            self.nodes[node_id] = (label, dict(props), ledger, i, column)

    def rel(self, rtype: RelType, source: str, target: str, ledger: LedgerRows, i: int, source_col: str,
            target_col: str) -> None:
        self.rels.setdefault((rtype, source, target), (ledger, i, source_col, target_col))


@dataclass
class _Stored:
    """What the resolution reads of the store: properties, and the coverage and segments of
    each enterprise."""

    props: dict[str, dict] = field(default_factory=dict)
    covered_by: dict[str, set[str]] = field(default_factory=dict)  # enterprise -> orgs
    covers: dict[str, set[str]] = field(default_factory=dict)  # org -> enterprises
    segments: dict[str, set[str]] = field(default_factory=dict)  # enterprise -> segments

    @classmethod
    def of(cls, stored: GraphData) -> _Stored:
        held = cls({node.id: node.props for node in stored.nodes})
        for rel in stored.rels:
            if rel.type is RelType.COVERS:
                held.covered_by.setdefault(rel.target, set()).add(rel.source)
                held.covers.setdefault(rel.source, set()).add(rel.target)
            elif rel.type is RelType.IN_SEGMENT:
                held.segments.setdefault(rel.source, set()).add(rel.target)
        return held


def stated_props(row: dict, names: tuple[str, ...], columns: set[str], before: dict) -> dict:
    """The properties ``names`` a row states: its values, and None (remove) for a blank
    cell in a column the file has where the store holds a value. A new node is never
    given a None."""
    return {name: row.get(name) for name in names if name in row or (name in columns and name in before)}


def resolve_ledgers(records: Records, stored: GraphData) -> dict[str, tuple[Label, str]]:
    """Turn the ledger rows of ``records`` into node and relationship batches (appended to
    ``records``), with problems for names that are ambiguous or unknown and for joint
    organisations whose rows disagree. Returns the entities made from a name:
    {id: (label, name)}."""
    index = NameIndex(records, stored)
    held = _Stored.of(stored)
    made = _Made()
    org_rows: dict[str, list[tuple[LedgerRows, int]]] = {}
    complete: dict[tuple[RelType, Role], set[str]] = {}
    # (ledger, row, enterprise, its org, whether the row replaces the enterprise's coverage)
    listed: list[tuple[LedgerRows, int, str, str | None, bool]] = []
    several_chains: list[tuple[dict, set[str], LedgerRows, int, str]] = []  # rows naming several chains

    def entity(labels: tuple[Label, ...], text: str, ledger: LedgerRows, i: int, column: str,
               create: Label | None, props: dict | None = None) -> str | None:
        found, candidates = index.find(labels, text)
        if found is not None:
            return found
        if candidates:
            records.problems.append(ledger.origin(i, column).problem(
                ambiguous_message(index, labels, text, candidates), "ambiguous_name", value=text))
            return None
        if create is None:
            records.problems.append(ledger.origin(i, column).problem(
                unknown_message(index, labels, text), "unknown_name", value=text))
            return None
        node_id = readable_id(create, text)
        if create is Label.CHAIN and (close := [n for n in index.closest((Label.CHAIN,), text) if _one_edit_apart(n, text)]):
            records.warnings.append(ledger.origin(i, column).problem(  # once: later rows find the new chain
                f"按名称新建产业链 {text}，与已有的 {'、'.join(close)} 只差一个字：若是同一条，请改正名称后重新导入",
                "new_chain_close", value=text))
        if index.label.get(node_id) not in (None, create):
            records.problems.append(ledger.origin(i, column).problem(
                f"名称 {text} 生成的编号 {node_id} 已被{LABEL_ZH[index.label[node_id]]}占用；请改填编号", "id_taken", value=text))
            return None
        index.add(create, node_id, text)
        made.created[node_id] = (create, text)
        made.node(create, node_id, {"name": text, **(props or {})}, ledger, i, column)
        return node_id

    _chains_from_titles(records, index)
    _places_from_titles(records)
    index.stages_said = _stages_said(records)
    merged = _merge_repeats(records)
    for ledger in records.ledger:
        columns = set(ledger.headers)
        for i, row in enumerate(ledger.values):
            enterprise = row["id"]
            if (id(ledger), i) in merged:
                continue
            if enterprise in made.nodes:
                _, _, other, j, _ = made.nodes[enterprise]
                records.problems.append(_repeated_code(ledger, i, other, j))
                continue
            before = held.props.get(enterprise, {})
            props = _enterprise_props(row, columns, before)
            _say_leaving_the_base(props, before, row, ledger, i, records)
            made.node(Label.ENTERPRISE, enterprise, props, ledger, i, "id")
            index.add(Label.ENTERPRISE, enterprise, row["name"])
            org = None
            coverage = "org" in columns or row.get("has_org") is False  # 是否建立党组织 否: no org covers it
            if "org" not in columns and row.get("has_org") is True and not held.covered_by.get(enterprise):
                records.problems.append(ledger.origin(i, "has_org").problem(  # a stored org's coverage stays; none is stored
                    f"{ledger.header('has_org')}说已建党组织，但表中没有 党组织名称 列，库中也没有覆盖它的党组织，不知是哪个，"
                    "组织覆盖无法导入；请加一列 党组织名称（联合组建的几家填同一名称）", "org_missing"))
            if coverage:
                complete.setdefault((RelType.COVERS, Role.TARGET), set()).add(enterprise)
            if row.get("org"):
                org = entity((Label.PARTY_ORG,), row["org"], ledger, i, "org", Label.PARTY_ORG)
                if org is not None:
                    org_rows.setdefault(org, []).append((ledger, i))
                    made.rel(RelType.COVERS, org, enterprise, ledger, i, "org", "id")
            if "chain" in columns or "segment" in columns:
                complete.setdefault((RelType.IN_SEGMENT, Role.SOURCE), set()).add(enterprise)
            if len(split_cell(row.get("chain"))) > 1:
                several_chains.append((row, columns, ledger, i, enterprise))  # once every row's segments are made
            else:
                _segments(row, columns, ledger, i, enterprise, entity, index, held, made, records)
            for column, label, rtype in (("leader", Label.LEADER, RelType.CONTACTS),
                                         ("instructor", Label.INSTRUCTOR, RelType.ASSIGNED_TO)):
                if column in columns:
                    complete.setdefault((rtype, Role.TARGET), set()).add(enterprise)
                titles: list[str] = []
                for text in _attached(_with_facts(row, column, ledger, i, records)):
                    if TITLE_ONLY.fullmatch(text):  # 区委常委、副区长张三: not a person, a title of the next
                        titles.append(text)
                        continue
                    name, described = person_and_props(text, label)
                    if titles and label is Label.LEADER:
                        described["title"] = "、".join([*titles, *filter(None, [described.get("title")])])
                    titles = []
                    if (person := entity((label,), name, ledger, i, column, label)) is not None:
                        if described:
                            _said_otherwise(made, label, person, name, described, ledger, i, column, records)
                            made.node(label, person, described, ledger, i, column)
                        made.rel(rtype, person, enterprise, ledger, i, column, "id")
            listed.append((ledger, i, enterprise, org, coverage))
    # Rows naming several chains, over again while one of them places a segment another
    # needs (a new segment made by one row, found by the next): the file's order does not matter.
    while several_chains:
        unclear = [item for item in several_chains
                   if not _segments(*item, entity, index, held, made, records, unclear_later=True)]
        if len(unclear) == len(several_chains):
            for item in unclear:
                _segments(*item, entity, index, held, made, records)
            break
        several_chains = unclear
    # Partners last: a 结对单位 may name an enterprise or organisation of a later row.
    for ledger, i, enterprise, org, coverage in listed:
        if "partner" in ledger.headers:
            # The row's pairings go to its org, else to the enterprise; those of an org that
            # covered it, whose coverage the row replaces, and that no row names go with it.
            lost = [o for o in held.covered_by.get(enterprise, ()) if o not in org_rows] if coverage else []
            owners = {enterprise, *lost}
            complete.setdefault((RelType.PAIRED_WITH, Role.TARGET), set()).update(owners | {org} - {None})
        for name in split_cell(ledger.values[i].get("partner")):
            partner = entity((Label.UNIT, Label.PARTY_ORG, Label.ENTERPRISE), name, ledger, i, "partner", Label.UNIT)
            if partner is not None and partner != (org or enterprise):
                made.rel(RelType.PAIRED_WITH, partner, org or enterprise, ledger, i, "partner", "org" if org else "id")
    listed_ids = {enterprise for _, _, enterprise, _, _ in listed}
    for org, rows in org_rows.items():
        _org_record(org, rows, listed_ids, held, index, made, records, entity)
        if org not in index.imported and any("parent" in ledger.headers for ledger, _ in rows):
            complete.setdefault((RelType.UNDER, Role.SOURCE), set()).add(org)  # a blank 上级党组织: no parent now
    for rtype, source, target in made.rels:  # every link the ledger makes replaces its end's stored ones
        if (role := COMPLETE_END.get(rtype)) is not None:
            complete.setdefault((rtype, role), set()).add(source if role is Role.SOURCE else target)
    for (rtype, role), owners in complete.items():
        records.complete.append((rtype, role, owners, _named_chains_segments(made, index) if rtype is RelType.IN_SEGMENT else None))
    _batches(made, index, records)
    return made.created


def _named_chains_segments(made: _Made, index: NameIndex) -> frozenset[str]:
    """The segments, stored or new, of the chains the ledger places its enterprises in. A
    row's 所属产业链 is the whole truth within those chains only: a ledger of one chain
    says nothing of the other chains an enterprise of it is also in (QA round 10: the 工程机械
    ledger took 12 enterprises out of the other four chains)."""
    chains = {index.chain_of.get(target) for rtype, _, target in made.rels if rtype is RelType.IN_SEGMENT}
    return frozenset(segment for segment, chain in index.chain_of.items() if chain in chains)


_SHEET_CHAIN_ENDINGS = ("产业链", "产业集群")  # a sheet's name ending so names a chain, if a new one
_SHEET_WORDS = re.compile(r"(?:企业)?(?:党建)?(?:工作)?台账$|名单$|企业$")


def _chains_from_titles(records: Records, index: NameIndex) -> None:
    """A ledger kept one sheet per chain, or in groups under headings (一、工程机械产业链（15家）),
    often has no 所属产业链 column: the sheet's name or the heading says it. In a sheet
    without that column, a row under a heading that names a chain gets that chain, and the
    others that of the sheet's name, as if the column said it.

    A sheet's name (without 台账, 名单, 企业 after it) names a chain stored, of this import's
    tables, or written in a 所属产业链 cell of another sheet, or a new chain when it ends with
    产业链 or 产业集群 (新能源汽车产业链, 新能源汽车产业链企业党建台账); a heading (its number and
    a bracketed remark aside) names one of those, or a new chain when it ends with any of
    ``_CHAIN_SUFFIXES`` (a sheet's name ending in 链 or 产业 alone is too often no chain:
    东城片区产业, 供应链)."""
    written = {_name_key(Label.CHAIN, n): n for other in records.ledger for row in other.values
               for n in split_cell(row.get("chain"))}

    def named(text: str, *, new: tuple[str, ...]) -> str | None:
        found, _ = index.find((Label.CHAIN,), text)
        chain = index.name_of.get(found) if found is not None else written.get(_name_key(Label.CHAIN, text))
        ending = next((end for end in _CHAIN_SUFFIXES if text.endswith(end)), None)  # the longest
        return chain or (text if ending in new and len(text) - len(ending) >= 2 else None)

    for ledger in records.ledger:
        if "chain" in ledger.headers:
            continue
        sheet = ledger.sheet.strip() if ledger.sheet else ""
        of_sheet = named(_SHEET_WORDS.sub("", sheet) or sheet, new=_SHEET_CHAIN_ENDINGS) if sheet else None
        starts = sorted(ledger.headings)
        of_heading = [named(_heading_text(ledger.headings[row]), new=_CHAIN_SUFFIXES) for row in starts]
        if of_sheet is None and not any(of_heading):
            continue
        _give_rows(records, ledger, "chain", of_sheet, starts, of_heading)


def _give_rows(records: Records, ledger: LedgerRows, column: str, of_sheet: str | None, starts: list[int],
               of_heading: list[str | None], *, as_column: bool = True) -> None:
    """Each row of ``ledger`` gets, in ``column``, what the nearest heading above it names
    (``of_heading``, for the headings' rows ``starts``), else what the sheet's name does;
    the header map says where it came from. ``as_column``: the sheet then has that column,
    whose blank cells (rows no title covers) say there is none, as a blank cell does."""
    if as_column:
        ledger.headers[column] = "分组标题" if any(of_heading) else f"表名“{ledger.sheet}”"
    said = "、".join(f"“{ledger.headings[row]}”" for row, value in zip(starts, of_heading) if value)
    records.header_map.append(HeaderMapping(ledger.file, ledger.sheet, LEDGER, (
        f"（分组标题 {said}{'；其余行按表名' if of_sheet else ''}）" if said else f"（表名“{ledger.sheet}”）"),
        LEDGER.column(column)))
    for number, row in zip(ledger.rows, ledger.values):
        above = bisect.bisect_left(starts, number) - 1
        value = (of_heading[above] if above >= 0 else None) or of_sheet
        if value is not None:
            row[column] = value


# A sheet or a heading naming a street or a park (a ledger kept one sheet per 街道, or grouped
# under 一、东城街道（12家）): the place of its rows, where no column says it.
_PLACES = {"street": re.compile(rf"^[{HAN}]{{1,10}}(?:街道|街道办事处|街办|镇|乡)$"),
           "park": re.compile(rf"^[{HAN}]{{1,10}}(?:园区|产业园|工业园|科技园|创业园|工业集中区)$")}


def _places_from_titles(records: Records) -> None:
    """A ledger sheet without a 所在街道 (所在园区) column whose name, or a heading over a
    group of its rows, names a street (a park) gives its rows that place, as chains are
    given by ``_chains_from_titles``."""
    for ledger in records.ledger:
        sheet = ledger.sheet.strip() if ledger.sheet else ""
        starts = sorted(ledger.headings)
        for column, place in _PLACES.items():
            if column in ledger.headers:
                continue
            bare = _SHEET_WORDS.sub("", sheet) or sheet
            of_sheet = bare if place.fullmatch(bare) else None
            of_heading = [text if place.fullmatch(text := _heading_text(ledger.headings[row])) else None for row in starts]
            if of_sheet is not None or any(of_heading):  # rows no title covers keep their stored place
                _give_rows(records, ledger, column, of_sheet, starts, of_heading, as_column=False)


def _heading_text(text: str) -> str:
    """A heading without its number and a remark after it: 一、工程机械产业链（15家） -> 工程机械产业链."""
    text = without_ordinal(text) or text
    return (without_remark(text) or text).strip()


def _stages_said(records: Records) -> dict[tuple[str, str], set[str]]:
    """(chain, segment name) -> the stages the file's rows give it (their 位置, or the stage
    written in the cell): a row naming a new segment without a stage takes the one the other
    rows say, whichever comes first."""
    said: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ledger in records.ledger:
        for row in ledger.values:
            chains, cells = split_cell(row.get("chain")), segment_cells(row.get("segment"), row.get("chain"))
            if len(chains) == 1:
                chains = chains * len(cells)
            if len(chains) != len(cells):
                continue
            for chain, cell in zip(chains, cells):
                name, stage = _stage_in_name(cell)
                stage = stage or (row.get("stage") if len(cells) == 1 else None)  # one 位置 for several segments says little
                if stage is not None:
                    said[(_name_key(Label.CHAIN, chain), name)].add(stage)
    return said


def _merge_repeats(records: Records) -> set[tuple[int, int]]:
    """An enterprise on several rows (a ledger kept one sheet per chain, or rows grouped by
    chain) is one enterprise: where the sheets have the same columns and the rows agree on
    every other cell (a blank says nothing), the later rows' chains and segments (each
    segment with its row's 位置), leaders, instructors and partners join the first row's,
    with a warning naming both rows. Returns the rows merged away, as (id(ledger), row);
    rows that disagree stay, to be refused as a repeated code."""
    merged: set[tuple[int, int]] = set()
    for ledger, i, other, j in _repeats(records):
        row, kept = ledger.values[i], other.values[j]
        if not _mergeable(ledger, i, other, j):
            continue
        pairs = list(dict.fromkeys(_chain_segment_pairs(kept) + _chain_segment_pairs(row)))
        chains = list(dict.fromkeys(c for c, _ in pairs))
        placed = [(c, s) for c, s in pairs if s is not None or not any(d == c and t for d, t in pairs)]
        if any(s for _, s in placed):
            kept["chain"], kept["segment"] = "、".join(c for c, _ in placed), "、".join(s or "" for _, s in placed)
        elif chains:
            kept["chain"] = "、".join(chains)
        for column in ("leader", "instructor", "partner"):
            names = list(dict.fromkeys(split_cell(kept.get(column)) + split_cell(row.get(column))))
            if names:
                kept[column] = "、".join(names)
        stages = {r["stage"] for r in (kept, row) if r.get("stage")}
        for column, value in row.items():
            kept.setdefault(column, value)
        if any(s for _, s in placed) or len(stages) > 1:
            kept.pop("stage", None)  # said in each segment now (not the later row's 位置 for all of them)
        if len(stages) > 1 and not any(s for _, s in placed):  # chains without segments: one 位置 for all
            records.warnings.append(ledger.origin(i, "stage").problem(
                f"同一企业在第{other.rows[j]}行与此行的 位置 不同，又没有填写 所属环节：合并后在各产业链的 未分环节 导入，"
                "请填写 所属环节 以区分", "merged_stages_differ", value=row.get("stage")))
        merged.add((id(ledger), i))
        records.warnings.append(ledger.origin(i, "id").problem(
            f"统一社会信用代码 {row['id']} 也在 {_elsewhere(ledger, other)}第{other.rows[j]}行：两行是同一家企业，其产业链、环节、"
            "联系领导、指导员和结对单位合在一起导入", "merged_rows", value=row["id"]))
    return merged


def _repeated_code(ledger: LedgerRows, i: int, other: LedgerRows, j: int) -> Problem:
    """Row ``i`` of ``ledger`` repeats the code of row ``j`` of ``other`` and cannot be
    merged with it."""
    code = ledger.values[i]["id"]
    differ = [ledger.headers.get(c, c) for c in _disagreeing(other.values[j], ledger.values[i])]
    return ledger.origin(i, "id").problem(
        f"统一社会信用代码 {code} 重复：已在 {_elsewhere(ledger, other)}第{other.rows[j]}行出现" +
        (f"（两行的 {'、'.join(differ)} 不同；同一企业的几行只能在产业链、环节等可列多项的列上不同）" if differ
         else "（两张表的列不同，不能合为一家企业）"), "duplicate_id", value=code)


def repeated_codes(records: Records) -> list[Problem]:
    """The ledger rows ``resolve_ledgers`` would refuse as a repeated code, found without
    resolving: a ledger with other problems is not resolved, and the person reads of these
    in the same list rather than after fixing the others."""
    return [_repeated_code(ledger, i, other, j) for ledger, i, other, j in _repeats(records)
            if not _mergeable(ledger, i, other, j)]


def _repeats(records: Records) -> Iterator[tuple[LedgerRows, int, LedgerRows, int]]:
    """(ledger, row, other, its row) for each ledger row whose code an earlier row (row
    ``j`` of ``other``, the code's first) has."""
    first: dict[str, tuple[LedgerRows, int]] = {}
    for ledger in records.ledger:
        for i, row in enumerate(ledger.values):
            other, j = first.setdefault(row["id"], (ledger, i))
            if other is not ledger or j != i:
                yield ledger, i, other, j


def _elsewhere(ledger: LedgerRows, other: LedgerRows) -> str:
    """Where ``other`` is, said from ``ledger``: nothing if the same sheet, else its file and sheet."""
    return "" if other is ledger else f"{other.file}{':' + other.sheet if other.sheet else ''} "


def _mergeable(ledger: LedgerRows, i: int, other: LedgerRows, j: int) -> bool:
    """Whether row ``i`` of ``ledger`` is the same enterprise as row ``j`` of ``other``:
    the sheets have the same columns and the rows agree but for ``_disagreeing``'s exceptions."""
    return set(other.headers) == set(ledger.headers) and not _disagreeing(other.values[j], ledger.values[i])


def _disagreeing(one: dict, other: dict) -> list[str]:
    """The columns two rows of one enterprise fill differently, but for those that may list
    several values (and 位置, 序号)."""
    return sorted(c for c in set(one) & set(other)
                  if c not in MULTI_NAME_COLUMNS | {"stage", "seq"} and one[c] is not None and other[c] is not None
                  and one[c] != other[c] and not _same_org_named(c, one[c], other[c]))


def _same_org_named(column: str, one: object, other: object) -> bool:
    """Two cells of an org column naming one org, as the name lookup takes them
    (中共甲公司支部委员会 and 甲公司党支部: QA round 10)."""
    return (column in ("org", "parent") and isinstance(one, str) and isinstance(other, str)
            and _name_key(Label.PARTY_ORG, one) == _name_key(Label.PARTY_ORG, other))


def _chain_segment_pairs(row: dict) -> list[tuple[str, str | None]]:
    """A row's (chain, segment) pairs, each segment written with its row's 位置 (上游-液压件)
    unless it says its own; a chain without segments pairs with None."""
    chains = split_cell(row.get("chain"))
    segments = [cell if _stage_in_name(cell)[1] or not row.get("stage") else f"{STAGES[row['stage']]}-{cell}"
                for cell in segment_cells(row.get("segment"), row.get("chain"))]
    if not segments:
        return [(c, None) for c in chains]
    if len(chains) == 1:
        chains = chains * len(segments)
    return list(zip(chains, segments)) if len(chains) == len(segments) else [("、".join(chains), "、".join(segments))]


def _social_org_by_itself(row: dict) -> bool:
    """Whether a row whose 类型 is not said is a social organisation by its code (registered
    by civil affairs: 5 first, GB 32100) or by its name (…行业协会, …商会, …基金会)."""
    return row["id"].startswith("5") or kind_by_ending(str(row.get("name") or "")) == "social_org"


def _say_leaving_the_base(props: dict, before: dict, row: dict, ledger: LedgerRows, i: int, records: Records) -> None:
    """A notice where a stored base enterprise leaves the base by what its row now says
    (经营状态 注销 or 迁出, 纳入基数 否): a dry run counted it only as one enterprise updated
    (QA round 10: which one, and that the rates change, was not said)."""
    if not before or before.get("in_base", True) is False or before.get("status", "active") != "active":
        return
    status = props.get("status") or "active"
    if status == "active" and props.get("in_base", True) is not False:
        return
    why, column = (f"经营状态为{ENTERPRISE_STATUS[status]}", "status") if status != "active" else ("纳入基数 为 否", "in_base")
    records.warnings.append(ledger.origin(i, column).problem(
        f"{row.get('name') or before.get('name', '')} {why}，此次移出基数（不再计入覆盖率）", "leaves_base", value=row.get("id")))


def _enterprise_props(row: dict, columns: set[str], before: dict) -> dict:
    """An enterprise's properties as its row states them. An enterprise a ``--full``
    import moved out of the base comes back when a row lists it again, unless the row
    itself says 纳入基数 否."""
    props = stated_props(row, _ENTERPRISE_PROPS, columns, before)
    if props.get("kind") is None and not before.get("kind") and _social_org_by_itself(row):
        props["kind"] = "social_org"
    if (row.get("in_base") is None and before.get("in_base") is False
            and str(before.get(BASE_NOTE, "")).startswith(LEFT_REGISTER)):
        props.update({"in_base": None, BASE_NOTE: None})
    return props


def _segments(row: dict, columns: set[str], ledger: LedgerRows, i: int, enterprise: str, entity, index: NameIndex,
              held: _Stored, made: _Made, records: Records, *, unclear_later: bool = False) -> bool:
    """The row's segments. Each named segment goes to the named chain it exists in (stored
    or made by this file: rows naming several chains come after the others); new segments need a single chain, or as many chains as segments
    (paired by position). A chain named without a segment column keeps the enterprise's
    stored segments in that chain; a chain without a segment joins its 未分环节. False, with
    nothing done, when ``unclear_later`` and the row's new segments cannot be placed yet
    (another row may make them); else True."""
    chains = [c for name in split_cell(row.get("chain"))
              if (c := entity((Label.CHAIN,), name, ledger, i, "chain", Label.CHAIN)) is not None]
    stage_of = dict(_stage_in_name(cell) for cell in segment_cells(row.get("segment"), row.get("chain")))  # name -> its stage, if said
    segments = list(stage_of)
    if segments and not chains:
        records.problems.append(ledger.origin(i, "segment").problem(
            f"填写了环节 {row['segment']}，却没有填写所属产业链" +
            ("" if "chain" in columns else f"（表中没有 所属产业链 列，表名“{ledger.sheet or ledger.file}”也不是已有产业链的名称："
                                           "请加一列 所属产业链，或先导入产业链表）"),
            "segment_without_chain", value=row["segment"]))
        return True
    if not segments:
        for chain in chains:
            kept = [] if "segment" in columns else sorted(
                s for s in held.segments.get(enterprise, ()) if index.chain_of.get(s) == chain)
            for segment in kept or [_unsegmented(chain, row.get("stage"), ledger, i, index, made)]:
                made.rel(RelType.IN_SEGMENT, enterprise, segment, ledger, i, "id", "chain")
        return True
    found = {name: [(c, s) for c in chains
                    for s in sorted(index.names.get(Label.SEGMENT, {}).get(_name_key(Label.SEGMENT, name), set())) if index.chain_of.get(s) == c]
             for name in segments}
    new = [name for name in segments if not found[name]]
    if new and len(chains) > 1 and len(chains) != len(segments):
        if unclear_later:
            return False
        records.problems.append(ledger.origin(i, "segment").problem(
            f"环节 {'、'.join(new)} 不在所填的任何一条产业链中，无法确定属于 {row['chain']} 中的哪一条；"
            "请按位置一一对应填写产业链与环节（产业链与环节个数相同），或分行填写每个 产业链/环节", "segment_chain_unclear",
            value=row["segment"]))
        return True
    for position, name in enumerate(segments):
        pairs = found[name]
        if pairs:
            stage = stage_of[name] or (row.get("stage") if len(segments) == 1 else None)
            if stage is not None:
                for chain, segment in pairs:
                    _restage(segment, chain, name, stage, ledger, i, index, held, made, records)
        else:
            chain = chains[0] if len(chains) == 1 else chains[position]
            said = index.stages_said.get((_name_key(Label.CHAIN, index.name_of.get(chain, chain)), name), set())
            stage = row.get("stage") or stage_of[name] or (next(iter(said)) if len(said) == 1 else None)
            if len(said) > 1:  # rows of the file disagree: whichever came first must not win
                records.problems.append(ledger.origin(i, "segment").problem(
                    f"新环节 {name} 的位置在文件各行不一致（{'、'.join(STAGES[st] for st in sorted(said, key=STAGE_ORDER.get))}）；"
                    "同一环节只能有一个位置", "new_segment_stage", value=name))
                continue
            if row.get("stage") and stage_of[name] and stage_of[name] != row["stage"]:
                records.problems.append(ledger.origin(i, "segment").problem(
                    f"环节 {name} 写明是{STAGES[stage_of[name]]}，位置 列却是{STAGES[row['stage']]}", "new_segment_stage", value=name))
                continue
            if stage is None:
                records.problems.append(ledger.origin(i, "segment").problem(
                    f"环节 {name} 在产业链 {index.name_of.get(chain, chain)} 中不存在；新环节需要填写 位置（上游、中游、下游），"
                    f"或在环节中写明位置，如 上游-{name}、{name}（下游）",
                    "new_segment_stage", value=name))
                continue
            pairs = [(chain, _new_segment(chain, name, stage, ledger, i, index, made))]
        seen = set()
        for chain, segment in pairs:
            if chain not in seen:  # one segment of that name per chain
                seen.add(chain)
                made.rel(RelType.IN_SEGMENT, enterprise, segment, ledger, i, "id", "segment")
    return True


# A stage as a cell may say it beside the segment's name: 上游, 上游环节, 产业链上游, 上游企业, also in
# traditional characters (上遊, 產業鏈上遊): the stage is known by its first character.
_STAGE_BY_START = {zh[0]: stage for stage, zh in STAGES.items()}
_STAGE_WORDS = frozenset(STAGES.values()) | {zh[0] + "遊" for zh in STAGES.values()}
_STAGE_WORD = "|".join(sorted(_STAGE_WORDS))
_STAGE_SAID = rf"(?:产业链|產業鏈|链|鏈)?({_STAGE_WORD})(?:环节|環節|企业|企業|端|段)?"
_STAGE_ALONE = re.compile(rf"\s*{_STAGE_SAID}\s*")
_STAGED_NAMES = (  # (the pattern, the group of the name): 上游-液压件, 上游 液压件, 液压件-上游, 液压件（上游环节）, 上游（液压件）
    (re.compile(rf"^\s*{_STAGE_SAID}\s*(?:[-－—–:：·•]+|\s)\s*(.+?)\s*$"), 2),
    (re.compile(rf"^\s*(.+?)\s*[（(]{_STAGE_SAID}[）)]\s*$"), 1),
    (re.compile(rf"^\s*{_STAGE_SAID}\s*[（(](.+?)[）)]\s*$"), 2),
    (re.compile(rf"^\s*(.+?)\s*[-－—–:：·•]+\s*{_STAGE_SAID}\s*$"), 1),
)


def segment_cells(value: str | None, chains: str | None = None) -> list[str]:
    """The segments a cell lists; a stage word alone before a name is that name's stage
    (上游/液压件 is one segment, 液压件, upstream — the slash also separates names), and so is
    the row's chain (``chains``, its cell) before a name: 工程机械/液压件, 工程机械-液压件 and
    工程机械-上游-液压件 are segment 液压件 of 工程机械."""
    named = {_name_key(Label.CHAIN, c) for c in split_cell(chains)}
    parts, out = split_cell(value), []
    if named and len(parts) > 1:
        parts = [part for part in parts if _name_key(Label.CHAIN, part) not in named] or parts
    for k, part in enumerate(parts):
        if (prefixed := _CHAIN_PREFIXED.match(part)) and _name_key(Label.CHAIN, prefixed["chain"]) in named:
            part = prefixed["rest"]
        if part in _STAGE_WORDS and k + 1 < len(parts) and parts[k + 1] not in _STAGE_WORDS:
            parts[k + 1] = f"{part}-{parts[k + 1]}"
        elif part not in _STAGE_WORDS or k + 1 == len(parts):
            out.append(part)
    return out


_CHAIN_PREFIXED = re.compile(r"^(?P<chain>.+?)\s*[-－—–:：·•]\s*(?P<rest>.+)$")


def _stage_in_name(cell: str) -> tuple[str, str | None]:
    """A segment cell that says its stage too ("上游-液压件", "上游：液压件", "上游 液压件", "液压件（上游）",
    "液压件-上游环节", "上游（液压件）"): (the segment's name, the stage); else (the cell, None)."""
    if (alone := _STAGE_ALONE.fullmatch(cell)) is not None:  # 下游, 下游企业, 产业链下游: the chain's 下游 segment
        stage = _STAGE_BY_START[alone[1][0]]
        return STAGES[stage], stage
    for pattern, name_group in _STAGED_NAMES:
        if (found := pattern.match(cell)) is not None:
            return found[name_group].strip(), _STAGE_BY_START[found[3 - name_group][0]]
    return cell, None


def _restage(segment: str, chain: str, name: str, stage: str, ledger: LedgerRows, i: int, index: NameIndex,
             held: _Stored, made: _Made, records: Records) -> None:
    """A stored segment whose row says its stage: moved there if it was elsewhere (the latest
    file says where it is), with a warning; rows of the file that disagree are an error.
    A segment the import's own 环节 table gives, or this file makes, is left as it is."""
    if segment in index.imported or segment in made.created:
        return
    said = index.stages_said.get((_name_key(Label.CHAIN, index.name_of.get(chain, chain)), name), set())
    if len(said) > 1:
        records.problems.append(ledger.origin(i, "segment").problem(
            f"环节 {name} 的位置在文件各行不一致（{'、'.join(STAGES[st] for st in sorted(said, key=STAGE_ORDER.get))}）；"
            "同一环节只能有一个位置", "segment_stage", value=name))
        return
    before = held.props.get(segment, {}).get("stage")
    if before == stage or segment in made.nodes:
        return
    made.node(Label.SEGMENT, segment, {"stage": stage}, ledger, i, "segment")
    records.warnings.append(ledger.origin(i, "segment").problem(
        f"环节 {index.name_of.get(chain, chain)}/{name} 原在{STAGES.get(before, '未定位置')}，按本文件改为{STAGES[stage]}",
        "segment_restaged", value=name))


def _unsegmented(chain: str, stage: str | None, ledger: LedgerRows, i: int, index: NameIndex, made: _Made) -> str:
    """The segment of a chain's enterprises no segment is given for: 未分环节, in the middle
    of the chain; where the row's 位置 says where (链上位置 上游 beside 所属产业链, no 所属环节),
    one per stage, 上游未分环节, so the chain is drawn upstream to downstream as the file says."""
    if stage is None:
        return _new_segment(chain, UNSEGMENTED, UNSEGMENTED_STAGE, ledger, i, index, made)
    return _new_segment(chain, f"{STAGES[stage]}{UNSEGMENTED}", stage, ledger, i, index, made)


def _new_segment(chain: str, name: str, stage: str, ledger: LedgerRows, i: int, index: NameIndex, made: _Made) -> str:
    segment = readable_id(Label.SEGMENT, f"{chain}/{name}")
    if segment not in index.label:
        index.add(Label.SEGMENT, segment, name)
        index.chain_of[segment] = chain
        made.created[segment] = (Label.SEGMENT, f"{index.name_of.get(chain, chain)}/{name}")
        made.node(Label.SEGMENT, segment, {"name": name, "stage": stage}, ledger, i, "segment")
        made.rel(RelType.PART_OF, segment, chain, ledger, i, "segment", "chain")
    return segment


def generic_org_name(name: str) -> bool:
    """A name that only says what kind of organisation it is (党支部, 党委, 联合党支部): it
    names no particular one, so several rows naming it need not mean one org."""
    for prop in (NODE_PROPS[Label.PARTY_ORG]["level"], NODE_PROPS[Label.PARTY_ORG]["formation"]):
        try:
            parse_enum(name, prop)
            return True
        except BadValue:
            pass
    return False


# A name saying the org is formed jointly (麓谷园第一联合党支部, 楼宇联合党委, 区域联建党支部):
# joint even where the file lists one of its enterprises.
_JOINT_NAME = re.compile(r"联[合建](?:党支部|支部|党总支|总支|党委)")  # not 联建 in a company's name (湖南联建建设集团)


def _org_record(org: str, rows: list[tuple[LedgerRows, int]], listed: set[str], held: _Stored, index: NameIndex,
                made: _Made, records: Records, entity) -> None:
    """An organisation named on one or more rows: its formation, level, star and parent.
    Rows that disagree on its formation are an error, and so is a generic name
    (``generic_org_name``) stated 单建 on several rows.
    Where no cell of the file states the formation, the file decides it: joint when
    the org then covers several enterprises (its rows, and stored ones the file does not
    list) or its name says so (``_JOINT_NAME``), else standalone (a stored 行业党委 stays one); the same file gives the same graph
    whatever came before."""
    name = index.name_of.get(org, org)
    disagree = False
    for column in _ORG_COLUMNS:  # one org, one truth: its rows must not say two things of it
        stated = {}
        for ledger, i in rows:
            if (value := ledger.values[i].get(column)) is not None:
                if column == "parent":  # one parent, by its code or its name
                    value = index.find((Label.PARTY_ORG,), value)[0] or value
                stated.setdefault(value, (ledger, i))
        if len(stated) > 1:
            disagree = True
            (_, (ledger0, i0)), *others = stated.items()
            for value, (ledger, i) in others:
                records.problems.append(ledger.origin(i, column).problem(
                    f"党组织 {name} 的{ledger.header(column)}与第{ledger0.rows[i0]}行不一致", f"{column}_conflict",
                    value=value))
    if disagree:
        return
    formations = {ledger.values[i]["formation"] for ledger, i in rows if ledger.values[i].get("formation") is not None}
    if formations == {"standalone"} and len(rows) > 1 and generic_org_name(name):
        (ledger, i), *_ = rows[1:]
        at = "、".join(str(lg.rows[j]) for lg, j in rows)
        records.problems.append(ledger.origin(i, "org").problem(
            f"单建 党组织 {name} 出现在多行（第{at}行）；单建党组织只覆盖一个单位：请填写各自党组织的全称"
            "（如 甲公司党支部），若确是一个党组织覆盖多个单位，组建形式请填 联建", "standalone_on_rows", value=name))
        return
    if org in index.imported:
        return  # the import's own 党组织 table says what the organisation is
    before = held.props.get(org, {})
    new_org = org in made.created
    props: dict = {}
    for ledger, i in rows:
        made_props = stated_props(ledger.values[i], _ORG_PROPS, set(ledger.headers), before)
        props.update({k: v for k, v in made_props.items() if v is not None or k not in props})
    if props.get("formation") is None and before.get("formation") != "industry":  # inferred: its name, or one or several
        covered = len(rows) + len(held.covers.get(org, set()) - listed)
        props["formation"] = "joint" if covered > 1 or _JOINT_NAME.search(name) else "standalone"
    if props.get("level") is None and (new_org or "level" in props):  # a blank 类别 is the default, never "no level"
        if before.get("formation") == "industry":
            props.pop("level", None)  # a 行业党委 keeps its level: the default is a branch's
        else:
            props["level"] = level_by_name(name) or DEFAULT_LEVEL
    ledger, i = rows[0]
    made.node(Label.PARTY_ORG, org, props, ledger, i, "org")
    for ledger, i in rows:
        if (parent_name := ledger.values[i].get("parent")) is not None:
            # a 上级党组织 the file does not list (园区党工委, 两新工委) is made from its name, at the
            # level its name says; it covers no enterprise, so it counts in no org total
            level = level_by_name(parent_name)
            parent = entity((Label.PARTY_ORG,), parent_name, ledger, i, "parent", Label.PARTY_ORG,
                            {"level": level} if level else None)
            if parent is not None and parent != org:
                made.rel(RelType.UNDER, org, parent, ledger, i, "org", "parent")
            break


def _batches(made: _Made, index: NameIndex, records: Records) -> None:
    """The made nodes and relationships as batches, one per label / type, so that the
    importer's cross-checks and write treat them like any table's."""
    by_label: dict[Label, list] = {}
    for node_id, (label, props, ledger, i, column) in made.nodes.items():
        by_label.setdefault(label, []).append((node_id, props, ledger, i, column))
    for label, items in by_label.items():
        ledger = items[0][2]
        records.nodes.append(NodeBatch(label, ledger.file, ledger.sheet, ledger.headers.get(items[0][4], items[0][4]),
                                       [item[0] for item in items], [item[1] for item in items],
                                       [item[2].rows[item[3]] for item in items]))
    by_type: dict[RelType, list] = {}
    for (rtype, source, target), (ledger, i, source_col, target_col) in made.rels.items():
        by_type.setdefault(rtype, []).append((source, target, ledger, i, source_col, target_col))
    for rtype, items in by_type.items():
        ledger, _, source_col, target_col = items[0][2], None, items[0][4], items[0][5]
        records.rels.append(RelBatch(rtype, ledger.file, ledger.sheet, ledger.headers.get(source_col, source_col),
                                     ledger.headers.get(target_col, target_col), [item[0] for item in items],
                                     [item[1] for item in items], None, [item[2].rows[item[3]] for item in items], in_full=False))


def unlisted_in_chains(records: Records, stored: GraphData) -> list[Problem]:
    """A warning for each chain the ledger lists enterprises of while the store holds other
    base enterprises of it that the ledger does not list: a monthly ledger loaded without
    ``--full`` leaves them in the base, and the rates then count enterprises that may have
    gone. Names the first few and says how to take them out."""
    chain_of = {rel.source: rel.target for rel in stored.rels if rel.type is RelType.PART_OF}
    for batch in records.rels:
        if batch.type is RelType.PART_OF:
            chain_of.update(zip(batch.sources, batch.targets))
    listed = {node_id for batch in records.nodes if batch.label is Label.ENTERPRISE for node_id in batch.ids}
    chains = {chain_of.get(segment) for batch in records.rels if batch.type is RelType.IN_SEGMENT for segment in batch.targets}
    chains.discard(None)
    if not chains:
        return []
    in_base = {node.id: node.props.get("name", node.id) for node in stored.nodes if node.label is Label.ENTERPRISE
               and node.props.get("in_base", True) is not False and node.props.get("status", "active") == "active"}
    unlisted: dict[str, dict[str, str]] = {}
    for rel in stored.rels:
        if (rel.type is RelType.IN_SEGMENT and rel.source in in_base and rel.source not in listed
                and (chain := chain_of.get(rel.target)) in chains):
            unlisted.setdefault(chain, {})[rel.source] = in_base[rel.source]
    chain_names = {node.id: node.props.get("name", node.id) for node in stored.nodes if node.label is Label.CHAIN}
    file = records.ledger[0].file if records.ledger else ""
    return [Problem(file, f"库中产业链 {chain_names.get(chain, chain)} 还有 {len(names)} 家企业本文件没有列出"
                          f"（{'、'.join(list(names.values())[:3])}{'等' if len(names) > 3 else ''}），它们仍计入基数；"
                          f"若本文件是这条产业链的完整台账，请加 --full --chain {chain_names.get(chain, chain)} 导入：未列出的企业移出该链，"
                          "不在其他产业链的移出基数", "unlisted_in_chain")
            for chain, names in sorted(unlisted.items())]
