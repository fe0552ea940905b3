"""Cell values as the import format reads them: booleans, dates, enums, integers and
codes in the forms people type into Excel. Each parser returns the stored value or
raises ``BadValue`` with a Chinese message."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass

from graph.schema import ENTERPRISE_KINDS, FORMATIONS, Prop, PropType
from loaders.headers import simplified
from loaders.uscc import is_scientific_notation


class BadValue(ValueError):
    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ExcelError:
    """A cell Excel holds as an error (``#N/A``, ``#DIV/0!`` …), as the workbook readers
    hand it on: never a value, whatever the column."""

    text: str

    def __str__(self) -> str:
        return self.text


# What Excel shows for an error cell (and writes into a CSV it saves).
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!",
})


def excel_error(raw: object) -> str | None:
    """The error text if ``raw`` is an Excel error cell or reads like one, else None."""
    if type(raw) is ExcelError:
        return raw.text
    if isinstance(raw, str) and raw.strip().upper() in EXCEL_ERRORS:
        return raw.strip()
    return None


def _excel_error_value(text: str) -> BadValue:
    return BadValue("excel_error", f"单元格是 Excel 错误值 {text}")


# The words of a yes/no column, and the answers a column's own question takes (规上 in 是否规上,
# 未成立 in 是否成立党组织): no other column holds them.
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "t", "有", "已建", "已建立", "已组建", "已成立",
         "规上", "规模以上", "龙头", "链主",
         # a 示范点 column answers with the site's level
         *(f"{level}{site}" for level in ("国家级", "省级", "市级", "区级", "县级") for site in ("", "示范点", "示范"))}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "f", "无", "未建", "未建立", "未组建", "未成立", "没有",
          "规下", "规模以下"}
# A remark in brackets after a value (是（链主）, 否（规下）, 无（挂靠社区党委）, 甲公司党支部（联建）),
# its words in group 1.
TRAILING_REMARK = re.compile(r"\s*[（(]([^（()）]*)[）)]\s*$")
# What an org's name or a 是否建立党组织 cell may end with: the kind of org (联合成立党支部, 未建立党组织).
ORG_WORD = r"(?:党组织|党支部|党总支|党委)?"
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
# A month without a day ("2023年5月", "2023.5"): planners record when, to the month.
_MONTH_PATTERNS = (re.compile(r"^(\d{4})年(\d{1,2})月$"), re.compile(r"^(\d{4})[.-/](\d{1,2})$"))

# Words planners use for an enum value besides its Chinese and English name, by stored
# value (only consulted for a property that has that value).
ENUM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "standalone": ("单建", "单独", "独立组建"),
    "joint": ("联建", "联合", "联合党支部"),
    "industry": ("行业", "产业链党委", "行业(产业链)党委"),
    "branch": ("支部", "联合党支部", "基层党支部", "临时党支部", "功能型党支部"),  # 联合…: of several enterprises
    "general_branch": ("总支", "党总支部", "联合党总支", "联合党总支部", "基层党总支"),  # (the ledger reads the formation from it)
    "committee": ("党委会", "联合党委", "基层党委"),
    "social_org": ("社会团体", "民办非企业", "民办非企业单位", "民非", "民非单位", "社团"),
    "enterprise": ("非公企业", "民营企业"),
    # as the national enterprise credit system writes a status (在营（开业）企业, 吊销，未注销), and as offices do
    "active": ("存续", "在业", "开业", "在册", "正常", "营业", "在营（开业）企业", "在营企业", "开业企业", "正常经营",
               "正常营业", "经营中"),
    "closed": ("吊销", "已注销", "停业", "吊销，未注销", "吊销，已注销", "吊销未注销", "撤销", "已撤销", "歇业", "停产",
               "关停", "已关停", "关闭", "已关闭", "破产", "清算", "注吊销"),
    "moved": ("已迁出", "外迁"),
    # a segment's stage as a 位置 cell says it: 上 / 上游环节 / 产业链上游 / 上游企业 / 上游端
    **{stage: (zh[0], f"{zh}环节", f"{zh}企业", f"{zh}端", f"链{zh}", f"产业链{zh}", f"{zh}段")
       for stage, zh in (("upstream", "上游"), ("midstream", "中游"), ("downstream", "下游"))},
}
# Several words for one value in one cell, as the national credit system writes a status:
# "存续（在营、开业、在册）".
_WORD_LIST = re.compile(r"[（）()、，,/／\s]+")
# A star rating that says there is none: the organisation has no star (a blank cell).
NO_STAR = frozenset({"无", "未评星", "未定级", "未评定", "未评", "暂未评定", "暂未评星", "不参评", "未参评", "待评定",
                     "无星", "无星级", "0星", "零星", "0"})
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_STARS = re.compile(r"^([1-5一二两三四五])星级?(?:党组织|党支部|党委|党总支)?$")  # 四星级党组织 as the rating is written
_MAX_EXACT_FLOAT = 2**53


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, float) and math.isnan(raw))


def parse_code(raw: object) -> str:
    """An identifier, always as text. A number that lost digits is an error, not a guess,
    and so is an Excel error cell (an id "#N/A" is a failed lookup, never a code)."""
    if type(raw) is str and "e" not in raw and "E" not in raw and "#" not in raw:  # the common case, kept cheap
        return raw.strip()
    if (error := excel_error(raw)) is not None:
        raise _excel_error_value(error)
    if isinstance(raw, bool):
        raise BadValue("bad_code", f"编号不能是布尔值 {raw}")
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        raise BadValue("code_as_number", f"编号 {raw!r} 被存成了数字（科学计数法，后几位已丢失）；请把该列设为文本后重新填写")
    text = str(raw).strip()
    if is_scientific_notation(text):  # 18 characters of the code alphabet are a code, E or not
        raise BadValue("code_as_number", f"编号 {text} 是科学计数法（后几位已丢失）；请把该列设为文本后重新填写")
    return text


def parse_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.isoformat()[:10]
    return str(raw).strip()


# Counts of people: a planner may write the unit after the number ("12人") and what it
# includes in brackets ("3（含预备1）"); nothing else ("约30", "30余") is read as a number.
_HEADCOUNTS = frozenset({"employees", "party_members", "members"})
_PEOPLE_UNIT = re.compile(r"(?<=[\d一二两三四五六七八九十])\s*[人名]$")
# Who is counted, written before the count: 党员5人, 职工45人, 在职党员 3.
_COUNTED_WHO = re.compile(r"^(?:在职|在岗|正式)?(?:党员|职工|员工|从业人员|从业人数|职工人数|党员人数)\s*[:：]?\s*(?=[\d一二两三四五六七八九十])")
_COUNT_REMARK = re.compile(r"(?<=[\d人名一二两三四五六七八九十])\s*[（(][^（()）]*[）)]$")  # what the count includes: 3（含预备党员1名）


def parse_int(raw: object, prop: Prop) -> int | None:
    """An integer as typed; None for a star rating that says there is none (``NO_STAR``).
    A refusal quotes the cell as typed ("约3人", "☆☆☆"), not what was read of it."""
    if isinstance(raw, bool):
        raise BadValue("bad_int", f"应为整数，实为 {raw}")
    typed = str(raw).strip()
    if prop.name == "star" and ((type(raw) in (int, float) and raw == 0) or typed in NO_STAR):  # 0 stars: not rated
        return None
    if isinstance(raw, float):
        if not raw.is_integer() or abs(raw) > _MAX_EXACT_FLOAT:
            raise BadValue("bad_int", f"应为整数，实为 {raw}")
        value = int(raw)
    elif isinstance(raw, int):
        value = raw
    else:
        text = _star_count(typed) if prop.name == "star" else typed.replace(",", "")
        if text is not None and prop.name in _HEADCOUNTS:  # "12人", "30 名", "3（含预备1）" as typed beside the count
            text = _PEOPLE_UNIT.sub("", _COUNT_REMARK.sub("", _COUNTED_WHO.sub("", text)))
            text = "0" if text in _NO_ONE else _chinese_count(text) or text  # 无 党员: 0; 三人: 3
        if text is None:
            return None
        expected = (_STAR_EXPECTED if prop.name == "star"  # a headcount with words around its number: "约30人"
                    else "应为整数（人数只填数字，如 30）" if prop.name in _HEADCOUNTS and re.search(r"\d", text)
                    else "应为整数")
        try:
            value = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise BadValue("bad_int", f"{expected}，实为 {typed!r}") from None
            if not as_float.is_integer():
                raise BadValue("bad_int", f"{expected}，实为 {typed!r}") from None
            value = int(as_float)
    said = str(value) if typed == str(value) else f"{typed!r}（即 {value}）"
    if prop.minimum is not None and value < prop.minimum:
        raise BadValue("out_of_range", f"应不小于 {prop.minimum}，实为 {said}")
    if prop.maximum is not None and value > prop.maximum:
        raise BadValue("out_of_range", f"应不大于 {prop.maximum}，实为 {said}")
    return value


_NO_ONE = frozenset({"无", "无人", "没有", "暂无", "零"})  # a headcount of nobody, as typed
_CHINESE_UNITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_count(text: str) -> str | None:
    """A headcount of 1–99 in Chinese numerals (三, 十二, 二十, 四十五) as digits, else None."""
    tens, ten, units = text.partition("十")
    if not ten:
        return str(_CHINESE_UNITS[text]) if text in _CHINESE_UNITS else None
    if (tens and tens not in _CHINESE_UNITS) or (units and units not in _CHINESE_UNITS):
        return None
    return str(_CHINESE_UNITS.get(tens, 1) * 10 + _CHINESE_UNITS.get(units, 0))


_STAR_EXPECTED = "应为星级 1–5（如 四星、4星、四星级、★★★★），未评星可填 无 或留空"


def _star_count(text: str) -> str | None:
    """A star rating as planners write it (四星, 4星, 四星级, ★★★★) as digits; None for none (无)."""
    if text in NO_STAR:
        return None
    if text and set(text) <= {"★", "☆"}:
        return str(text.count("★"))
    if m := _STARS.match(text):
        return str(_CHINESE_DIGITS.get(m[1]) or m[1])
    return text


def parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    text = TRAILING_REMARK.sub("", str(raw).strip().lower()) or str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE or (text[:1] in "非不" and text[1:] in _TRUE):  # 非链主, 不是
        return False
    raise BadValue("bad_bool", f"应为 是/否（或 有/无、Y/N、yes/no、true/false、1/0、√/×），实为 {str(raw).strip()!r}")


def parse_date(raw: object) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(text):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                raise BadValue("bad_date", f"日期 {text!r} 不存在") from None
    for pattern in _MONTH_PATTERNS:
        if (m := pattern.match(text)) and 1 <= int(m[2]) <= 12:
            return dt.date(int(m[1]), int(m[2]), 1).isoformat()
    raise BadValue("bad_date", f"应为日期（如 2023-05-01、2023/5/1、2023.5.1、2023年5月1日 或 2023年5月），实为 {text!r}")


def parse_enum(raw: object, prop: Prop) -> str:
    """A choice by its Chinese or English name or a synonym, or several words in one cell
    that all name the same choice ("存续（在营、开业、在册）")."""
    text = str(raw).strip()
    if (value := _choice(text, prop)) is not None:
        return value
    words = {_choice(word, prop) for word in _WORD_LIST.split(text) if word}
    if len(words) == 1 and None not in words:
        return words.pop()
    if prop.choices is ENTERPRISE_KINDS and (kind := kind_by_ending(text)) is not None:
        return kind
    if prop.choices is FORMATIONS and (formation := formation_said(text)) is not None:
        return formation
    if prop.choices is FORMATIONS and ("挂靠" in text or "依托" in text):
        raise BadValue("bad_enum", f"{text!r} 说的是由哪个党组织覆盖，不是组建形式：请在 党组织名称 中填所挂靠的党组织（如 某社区党委），"
                                   "组建形式 填它的组建形式（覆盖多家单位的为 联合组建），或留空")
    allowed = "、".join(prop.choices.values())
    raise BadValue("bad_enum", f"应为 {allowed} 之一，实为 {text!r}")


# What an enterprise's 类型 cell may say beyond 企业 / 社会组织: the kind of company (外资企业,
# 有限责任公司) or of social organisation (行业协会, 商会, 基金会) it is.
_SOCIAL_ENDINGS = ("民办非企业", "民办非企业单位", "协会", "商会", "基金会", "学会", "研究会", "促进会", "联合会", "联谊会",
                   "社会团体", "社会服务机构", "民办学校", "民办医院",
                   # the intermediary bodies 两新 work counts with social organisations
                   "事务所", "中介组织", "中介机构")
_ENTERPRISE_ENDINGS = ("企业", "公司", "个体工商户", "合伙企业")


# How an org was formed, as offices write it in 组建形式 or in 是否建立党组织 (党组织覆盖方式):
# 单独建立, 已联合组建, 联合成立党支部, and the kinds of joint branch by what they join
# (区域联建, 楼宇联建, 园区联建, 行业联建, 村企联建).
_FORMED = re.compile(rf"^已?(单独|联合)(?:建立|组建|成立)?{ORG_WORD}$|^已?(单建|联建)$|^\w{{1,4}}(联建)$")
_FORMED_AS = {"单独": "standalone", "单建": "standalone", "联合": "joint", "联建": "joint"}


def formation_said(text: str) -> str | None:
    """The formation (standalone / joint) a cell's words say, or None."""
    match = _FORMED.match(text.strip())
    return _FORMED_AS[next(word for word in match.groups() if word)] if match else None


def kind_by_ending(text: str) -> str | None:
    """enterprise / social_org by what a 类型 cell, or a name, ends with; None if neither."""
    if text.endswith(_SOCIAL_ENDINGS):
        return "social_org"
    if text.endswith(_ENTERPRISE_ENDINGS):
        return "enterprise"
    return None


def _choice(text: str, prop: Prop) -> str | None:
    for value, zh in prop.choices.items():
        if text == zh or text.lower() == value or text in ENUM_SYNONYMS.get(value, ()):
            return value
    plain = _plain(text)  # 在营(开业)企业, 吊销, 未注销: half-width, spaced
    for value, zh in prop.choices.items():
        if plain == _plain(zh) or plain == value or any(plain == _plain(word) for word in ENUM_SYNONYMS.get(value, ())):
            return value
    return None


@functools.lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def parse_value(raw: object, prop: Prop):
    """The stored value of one non-blank cell for a property.

    An Excel error cell is an error in any column; text that reads like one ("#N/A") is
    an error wherever the column wants a number, a date, a yes/no, a choice or a code.
    A yes/no, a choice or a count in traditional characters (單獨組建, 存續, 黨委, 兩人) reads
    as in simplified ones.
    """
    if prop.type is PropType.TEXT and type(raw) is str:  # the common case, kept cheap
        return raw.strip()
    try:
        return _parse_value(raw, prop)
    except BadValue as exc:
        if type(raw) is not str or prop.type not in _WORDS or (plain := simplified(raw)) == raw:
            raise
        try:
            return _parse_value(plain, prop)
        except BadValue:
            raise exc from None  # the problem with the cell as written


_WORDS = frozenset({PropType.BOOL, PropType.ENUM, PropType.INT})  # types whose cells may be words


def _parse_value(raw: object, prop: Prop):
    if type(raw) is ExcelError:
        raise _excel_error_value(raw.text)
    if prop.type is not PropType.TEXT and (error := excel_error(raw)) is not None:
        raise _excel_error_value(error)
    match prop.type:
        case PropType.CODE:
            return parse_code(raw)
        case PropType.INT:
            return parse_int(raw, prop)
        case PropType.BOOL:
            return parse_bool(raw)
        case PropType.DATE:
            return parse_date(raw)
        case PropType.ENUM:
            return parse_enum(raw, prop)
        case _:
            return parse_text(raw)


_CODE_NOISE = re.compile(r"[\s\-‐‑–—－]+")


def normalise_uscc(text: str) -> tuple[str, str | None]:
    """A credit code as typed (lower case, full-width characters, spaces or hyphens inside)
    as the code it is, and a note saying what was changed (None if nothing was)."""
    import unicodedata

    normal = _CODE_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()
    if normal == text:
        return text, None
    return normal, f"统一社会信用代码 {text} 已规范为 {normal}（去掉空格、连字符，全角转半角，小写转大写）"
