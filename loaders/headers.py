"""The headers planners really write, as data: synonyms of the import format's column
names, and how any header or table name is compared.

A header is compared after folding: traditional characters to simplified (zhconv, a
maintained conversion table, not ours), full-width forms to half-width (NFKC), lower
case, and no whitespace, brackets, required-marks or trailing colons ("单位名称：" as a
form labels its fields). If the folded header is unknown,
the same header without a bracketed remark ("党员人数（人）"; not one naming another fact,
"联系领导（职务）"), then without a leading number ("1.企业名称", "（二）党组织名称"), then
without 姓名 / 名称 after it ("党建指导员姓名"), is tried; for a ledger, then the rules of
``LEDGER_PATTERNS`` (what a header ending in 领导, 指导员, 党组织 … names).

``SYNONYMS`` maps a table name to {column name: other headers meaning that column}; the
key ``"*"`` holds synonyms that mean the same in every table that has such a column.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ENTERPRISE_NAMES = ("企业全称", "单位全称", "企业名", "公司名称", "企业（单位）名称", "单位（企业）名称", "非公企业名称",
                     "社会组织名称", "两新组织名称", "企业/社会组织名称")
_CODES = ("统一社会信用代码", "信用代码", "社会信用代码", "统一代码", "统一社会信用代码证号", "信用代码证号",
          "统一社会信用代码（注册号）")

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "*": {
        "name": ("单位名称", "企业名称", "组织名称", "名称", "姓名"),
        "park": ("所在园区", "园区", "所属园区", "园区名称"),
        "street": ("所在街道", "街道", "乡镇（街道）", "乡镇街道", "所属街道", "所在乡镇（街道）", "所属乡镇（街道）"),
        "employees": ("从业人数", "职工人数", "员工人数", "职工数", "从业人员数", "从业人员", "职工总数", "员工总数"),
        "party_members": ("党员数", "党员人数", "正式党员人数", "党员数量", "党员总数", "现有党员", "党员"),
        "members": ("党员数", "党员人数", "正式党员人数", "党员总数"),
        "status": ("经营状态", "状态", "登记状态", "企业状态"),
        "formation": ("组建形式", "组建方式", "建立方式", "党组织组建方式", "党组织组建形式"),
        "level": ("党组织类别", "党组织层级", "层级", "类别", "党组织级别", "党组织类型"),
        "star": ("星级", "星级评定", "党组织星级", "评星定级", "星级评定结果"),
        "above_scale": ("规上企业", "是否规上", "规模以上", "是否规上企业", "是否规模以上企业"),
        "leading": ("龙头企业", "是否龙头", "是否龙头企业", "链主企业", "是否链主企业", "是否链主"),
        "in_base": ("纳入基数", "是否纳入基数"),
    },
    "enterprises": {
        "name": _ENTERPRISE_NAMES,
        "id": _CODES,
        "kind": ("类型", "单位类型", "组织类型"),
    },
}

# The ledger's own columns (its chain, its party organisation, its people), with the
# headers they go by. The ledger shares the enterprise synonyms above.
LEDGER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号序号"),
    "name": _ENTERPRISE_NAMES,
    "id": _CODES,
    "kind": ("类型", "单位类型", "组织类型"),
    "chain": ("所属产业链", "产业链", "产业链名称", "所属产业链条", "产业链条", "所在产业链", "所属链条", "重点产业链",
              "所属重点产业链", "所在重点产业链"),
    "segment": ("所属环节", "环节", "产业链环节", "所在环节", "所处环节", "环节名称", "产业链细分环节", "细分环节"),
    "stage": ("位置", "上中下游", "环节位置", "上中下游位置", "链上位置", "产业链位置"),
    "has_org": ("是否建立党组织", "是否建立", "已建党组织", "是否建有党组织", "是否成立党组织", "是否组建党组织",
                "是否建党组织", "有无党组织", "党组织组建情况", "党组织建立情况", "建立党组织情况", "组建情况",
                "党组织覆盖方式", "覆盖方式", "党组织覆盖形式", "组织覆盖方式", "党的组织覆盖方式", "党组织有无", "党组织有/无",
                "是否有党组织"),
    "org": ("党组织名称", "党组织", "所属党组织", "党组织全称", "所在党组织", "党组织名称（全称）"),
    "parent": ("上级党组织", "上级党组织名称", "隶属上级党组织", "上级党委"),
    "leader": ("联系领导", "联点领导", "联系领导干部", "包联领导", "挂点领导", "联系点领导", "联系县级领导", "包联领导干部",
               "联系人领导", "包联责任人", "联系责任领导", "挂点联系领导"),
    "instructor": ("党建指导员", "指导员", "第一书记", "党建工作指导员", "选派党建指导员", "派驻党建指导员"),
    "partner": ("结对单位", "共建单位", "帮扶单位", "结对共建单位", "结对共建对象", "共建对象", "结对对象"),
    "demonstration": ("是否示范点", "党建示范点", "是否党建示范点", "示范党组织", "是否示范党组织", "党建工作示范点",
                      "是否为示范点", "示范点级别"),
    # facts about the row's people in columns of their own, beside their names
    "leader_title": ("领导职务", "联系领导职务", "联系领导职务职级"),
    "instructor_unit": ("指导员单位", "党建指导员单位", "指导员所在单位", "党建指导员所在单位", "指导员派出单位"),
}

# Headers a ledger's columns also go by, as rules over the folded header, tried when no
# synonym above names it: offices word their people's and organisations' columns each their
# own way (挂联领导, 市级包保领导, 驻企指导员, 企业党组织名称, 是否已建立党支部), and a list
# would only know the ones seen. Each rule says what the column holds (a leader who
# contacts, 联/包/挂…, the enterprise: a header ending in 领导), not one spelling.
LEDGER_PATTERNS: dict[str, re.Pattern[str]] = {
    "leader": re.compile(r"^\w{0,8}[联包挂抓保帮]\w{0,6}领导(?:干部)?$"),
    "instructor": re.compile(r"^\w{0,8}(?:指导员|第一书记)$"),
    "partner": re.compile(r"^\w{0,6}(?:结对|共建|联建|帮扶)\w{0,4}(?:单位|对象|党组织)$"),
    "has_org": re.compile(r"^(?:是否|有无)(?!\w*(?:单独|联合))\w{0,4}(?:建立|成立|组建|建有|建)\w{0,2}(?:党组织|党支部|党委)$"),
    "org": re.compile(r"^(?:企业|单位|本单位|公司|所建|已建|联合|隶属|建立的|组建的)党组织(?:全称)?$"),
    "parent": re.compile(r"^\w{0,4}上级(?:党组织|党委|党总支)$"),
    "demonstration": re.compile(r"^(?:是否)?(?:为)?\w{0,6}示范(?:点|党组织|党支部|基地)(?:级别)?$"),
    "leader_title": re.compile(r"^\w{0,8}领导(?:干部)?(?:的)?(?:职务|职位|职级)$"),
    "instructor_unit": re.compile(r"^\w{0,8}(?:指导员|第一书记)(?:的)?(?:所在|工作|派出|原)?(?:单位|部门)$"),
    "chain": re.compile(r"^(?:所属|所在|所处|归属|涉及)\w{0,6}(?:产业链|行业链|链条)$"),
    "segment": re.compile(r"^(?:所属|所在|所处|归属)\w{0,8}环节$"),
    "employees": re.compile(r"^(?!\w*党员)\w{0,4}(?:职工|员工|从业人员|从业)\w{0,2}(?:人数|数|总数)$"),
    # the enterprise's own party members: not an organisation's (a joint one counts several
    # enterprises'), nor those it recruits (发展党员数) or has on probation (预备党员数)
    "party_members": re.compile(r"^(?:企业|单位|公司|在职|在岗)?党员(?:职工)?(?:人数|数|总数|数量)$|^正式党员(?:人数|数|数量)?$"),
    # the enterprise itself, last: a partner's or a leader's 单位 is theirs, not the row's
    "id": re.compile(r"^[\w/、]{0,12}信用代码(?:证号|号码|号)?(?:[/、][\w/、]{0,8})?$"),
    "name": re.compile(r"^(?:非公有制|非公|两新|新经济|民营|规上|规模以上)?(?:企业|单位|公司|经营主体|市场主体|社会组织|两新组织)"
                       r"(?:单位)?(?:全称|名称)?$"),
}

_BRACKETS = re.compile(r"[\s*＊()\[\]（）【】〔〕<>《》]+")
_REMARK = re.compile(r"[（(【\[][^）)】\]]*[）)】\]][\s:：]*$")


@lru_cache(maxsize=4096)
def fold(text: object) -> str:
    """How header and table names are compared: simplified, half-width, lower case, no
    whitespace, brackets, required-marks or trailing colons.
    ``fold("統一社會信用代碼 *") == "统一社会信用代码"``, ``fold("单位名称 ：") == "单位名称"``."""
    return _BRACKETS.sub("", simplified(unicodedata.normalize("NFKC", str(text)))).rstrip(":").lower()  # NFKC made "：" ":"


def simplified(text: str) -> str:
    """``text`` in simplified characters (組建 -> 组建)."""
    from zhconv import convert

    return convert(text, "zh-cn")


_ORDINAL = re.compile(r"^\s*(?:[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．,，:：)）])\s*")


def without_ordinal(text: object) -> str | None:
    """The header without a leading number ("1.企业名称", "（二）党组织名称", "十、结对单位"),
    or None if it has none."""
    stripped = _ORDINAL.sub("", str(text), count=1).strip()
    return stripped if stripped and stripped != str(text).strip() else None


# A remark naming one of these makes the header another fact about the thing it names
# ("联系领导（职务）", "党建指导员（联系电话）" beside "联系领导（姓名）"): not that column.
# Not 单位 alone: "党员人数（单位：人）" gives the unit of the count.
OTHER_FACTS = ("职务", "职位", "职级", "电话", "手机", "联系方式", "身份证", "性别", "年龄", "出生", "民族", "学历",
               "部门", "工作单位", "所在单位", "地址", "邮箱", "日期", "时间")


# A sub-header naming a part of what the heading above it names (联系领导 over 姓名 | 职务 |
# 电话, 党建指导员 over 姓名 | 单位): the heading's name, or another fact about it.
_PARTS = frozenset({"姓名", "名称", "全称", "名字", "单位", *OTHER_FACTS})


def is_part_of(text: str) -> bool:
    """Whether a header under a heading names a part of what the heading names."""
    return fold(text) in _PARTS


def without_remark(text: object) -> str | None:
    """The header without a trailing bracketed remark, or None if it has none or the
    remark names another fact (``OTHER_FACTS``) and no name."""
    remark = _REMARK.search(str(text).strip())
    if remark is None:
        return None
    said = fold(remark.group())
    if any(fact in said for fact in OTHER_FACTS) and not any(word in said for word in ("姓名", "名称")):
        return None
    stripped = str(text).strip()[:remark.start()].strip()
    return stripped or None


_NAMED = re.compile(r"(?:的)?(?:姓名|名称|名字)$")


def without_name_word(text: object) -> str | None:
    """The header without 姓名 / 名称 after it ("党建指导员姓名", "结对单位名称"), or None."""
    stripped = _NAMED.sub("", str(text).strip())
    return stripped if stripped and stripped != str(text).strip() else None


def synonyms(table: str, column: str) -> tuple[str, ...]:
    """The other headers that mean ``column`` in ``table``."""
    if table == "ledger":
        return LEDGER_SYNONYMS.get(column, ()) + SYNONYMS["*"].get(column, ())
    return SYNONYMS.get(table, {}).get(column, ()) + SYNONYMS["*"].get(column, ())
