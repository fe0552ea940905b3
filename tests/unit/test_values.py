"""loaders.values: each parser's accepted forms and the message a person reads otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.schema import NODE_PROPS, Label, Prop, PropType, STAGES
from loaders.values import (
    BadValue, ExcelError, is_blank, parse_bool, parse_code, parse_date, parse_enum, parse_int, parse_text, parse_value,
)

STAGE = Prop("stage", PropType.ENUM, STAGES)
STAR = NODE_PROPS[Label.PARTY_ORG]["star"]  # 1..5
COUNT = Prop("n", PropType.INT, minimum=0)


@pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "YES", "true", "True", "1", "√", " 是 ", True, 1, 1.0, "规上", "已成立", "链主"])
def test_true_words(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "n", "no", "No", "false", "FALSE", "0", "×", False, 0, 0.0, "规下", "未成立"])
def test_false_words(raw):
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["也许", "2", "有点", 2])
def test_bad_bool(raw):
    with pytest.raises(BadValue) as exc:
        parse_bool(raw)
    assert exc.value.code == "bad_bool"
    assert str(exc.value) == f"应为 是/否（或 有/无、Y/N、yes/no、true/false、1/0、√/×），实为 {str(raw)!r}"


@pytest.mark.parametrize("raw", [
    "2023-05-01", "2023-5-1", "2023/5/1", "2023/05/01", "2023年5月1日", "2023年05月01日", " 2023-05-01 ",
    dt.date(2023, 5, 1), dt.datetime(2023, 5, 1, 23, 59),
])
def test_dates(raw):
    assert parse_date(raw) == "2023-05-01"


def test_date_that_does_not_exist():
    with pytest.raises(BadValue) as exc:
        parse_date("2023/2/29")
    assert (exc.value.code, str(exc.value)) == ("bad_date", "日期 '2023/2/29' 不存在")


@pytest.mark.parametrize("raw", ["5/1/2023", "2023年13月", "20230501", "明年", "2023.5.1.2"])
def test_bad_dates(raw):
    with pytest.raises(BadValue) as exc:
        parse_date(raw)
    assert str(exc.value) == f"应为日期（如 2023-05-01、2023/5/1、2023.5.1、2023年5月1日 或 2023年5月），实为 {raw!r}"


@pytest.mark.parametrize("raw, stored", [
    ("上游", "upstream"), ("中游", "midstream"), ("下游", "downstream"),
    ("upstream", "upstream"), ("Midstream", "midstream"), (" DOWNSTREAM ", "downstream"), (" 下游 ", "downstream"),
])
def test_enum_words_in_either_language(raw, stored):
    assert parse_enum(raw, STAGE) == stored


def test_bad_enum_lists_the_chinese_choices():
    with pytest.raises(BadValue) as exc:
        parse_enum("上中游", STAGE)
    assert (exc.value.code, str(exc.value)) == ("bad_enum", "应为 上游、中游、下游 之一，实为 '上中游'")


@pytest.mark.parametrize("raw, code", [
    ("007", "007"), (" 0101 ", "0101"), ("91350100M000100Y43", "91350100M000100Y43"),
    (7, "7"), (12.0, "12"), (914403001922038216, "914403001922038216"),
])
def test_codes_are_text(raw, code):
    assert parse_code(raw) == code


@pytest.mark.parametrize("raw", ["9.1350100E+17", "9.13501E17", "1e5", "-2.5e-3"])
def test_code_in_scientific_notation_is_an_error(raw):
    with pytest.raises(BadValue) as exc:
        parse_code(raw)
    assert exc.value.code == "code_as_number"
    assert str(exc.value) == f"编号 {raw} 是科学计数法（后几位已丢失）；请把该列设为文本后重新填写"


def test_code_that_excel_stored_as_a_float_is_an_error():
    with pytest.raises(BadValue) as exc:
        parse_code(9.135010e17)
    assert str(exc.value) == "编号 9.13501e+17 被存成了数字（科学计数法，后几位已丢失）；请把该列设为文本后重新填写"


def test_code_cannot_be_a_boolean():
    with pytest.raises(BadValue, match="编号不能是布尔值 True"):
        parse_code(True)


@pytest.mark.parametrize("raw, value", [("12", 12), (" 1,200 ", 1200), ("3.0", 3), (3.0, 3), (0, 0)])
def test_integers(raw, value):
    assert parse_int(raw, COUNT) == value


@pytest.mark.parametrize("raw, message", [
    ("很多", "应为整数，实为 '很多'"),
    ("2.5", "应为整数，实为 '2.5'"),
    (2.5, "应为整数，实为 2.5"),
    (True, "应为整数，实为 True"),
    ("-1", "应不小于 0，实为 -1"),
])
def test_bad_integers(raw, message):
    with pytest.raises(BadValue) as exc:
        parse_int(raw, COUNT)
    assert str(exc.value) == message


def test_integer_bounds_from_the_schema():
    assert parse_int("5", STAR) == 5
    with pytest.raises(BadValue) as exc:
        parse_int("6", STAR)
    assert (exc.value.code, str(exc.value)) == ("out_of_range", "应不大于 5，实为 6")


@pytest.mark.parametrize("raw, text", [(" 甲公司 ", "甲公司"), (3.0, "3"), (dt.date(2023, 5, 1), "2023-05-01"), (12, "12")])
def test_text(raw, text):
    assert parse_text(raw) == text


@pytest.mark.parametrize("raw, blank", [(None, True), ("", True), ("  ", True), (float("nan"), True), (0, False), ("0", False), (False, False)])
def test_is_blank(raw, blank):
    assert is_blank(raw) is blank


def test_parse_value_dispatches_on_the_property_type():
    props = NODE_PROPS[Label.ENTERPRISE]
    assert parse_value("社会组织", props["kind"]) == "social_org"
    assert parse_value("√", props["leading"]) is True
    assert parse_value("35", props["party_members"]) == 35
    assert parse_value(" 高新园 ", props["park"]) == "高新园"
    assert parse_value("2023年5月1日", NODE_PROPS[Label.ALLIANCE]["founded"]) == "2023-05-01"


# -- Excel error cells ---------------------------------------------------------------------


@pytest.mark.parametrize("prop", ["kind", "leading", "party_members", "park", "name"])
@pytest.mark.parametrize("text", ["#N/A", "#DIV/0!", "#REF!"])
def test_an_excel_error_cell_is_an_error_in_any_column(prop, text):
    with pytest.raises(BadValue) as exc:
        parse_value(ExcelError(text), NODE_PROPS[Label.ENTERPRISE][prop])
    assert (exc.value.code, str(exc.value)) == ("excel_error", f"单元格是 Excel 错误值 {text}")


@pytest.mark.parametrize("raw", [ExcelError("#N/A"), "#N/A", " #N/A ", "#n/a", "#VALUE!"])
def test_an_error_value_is_no_code(raw):
    with pytest.raises(BadValue) as exc:
        parse_code(raw)
    assert (exc.value.code, str(exc.value)) == ("excel_error", f"单元格是 Excel 错误值 {str(raw).strip()}")


@pytest.mark.parametrize("prop", ["kind", "leading", "party_members"])
def test_error_text_is_an_error_where_a_number_yes_no_or_choice_is_wanted(prop):
    with pytest.raises(BadValue) as exc:
        parse_value("#N/A", NODE_PROPS[Label.ENTERPRISE][prop])
    assert str(exc.value) == "单元格是 Excel 错误值 #N/A"


def test_error_text_in_a_text_column_is_only_text():
    # typed text (a CSV holds nothing else): only an error *cell* is known to be an error
    assert parse_value("#N/A", NODE_PROPS[Label.ENTERPRISE]["park"]) == "#N/A"
    assert parse_code("1#楼") == "1#楼"


@pytest.mark.parametrize("raw, expected", [("有", True), ("已建", True), ("无", False), ("未建", False)])
def test_bool_as_planners_type_it(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw, expected", [("2023.5.1", "2023-05-01"), ("2023年5月", "2023-05-01"), ("2023.12", "2023-12-01")])
def test_date_as_planners_type_it(raw, expected):
    assert parse_date(raw) == expected


def test_enum_and_star_as_planners_type_them():
    from graph.schema import NODE_PROPS, Label
    from loaders.values import parse_enum, parse_int

    org = NODE_PROPS[Label.PARTY_ORG]
    assert [parse_enum(w, org["formation"]) for w in ("单建", "单独", "联建", "联合")] == ["standalone", "standalone", "joint", "joint"]
    assert [parse_enum(w, org["level"]) for w in ("支部", "总支", "党委")] == ["branch", "general_branch", "committee"]
    assert [parse_int(w, org["star"]) for w in ("四星", "4星", "★★★★", "五星级")] == [4, 4, 4, 5]
    with pytest.raises(BadValue, match="应不大于 5，实为 '★★★★★★'（即 6）"):
        parse_int("★★★★★★", org["star"])


def test_planners_words_for_status_category_kind_and_no_star():
    enterprise, org = NODE_PROPS[Label.ENTERPRISE], NODE_PROPS[Label.PARTY_ORG]
    assert [parse_enum(w, enterprise["status"]) for w in ("存续（在营、开业、在册）", "存续(在营、开业)", "在册", "存续/开业")] == [
        "active", "active", "active", "active"]
    assert [parse_enum(w, org["level"]) for w in ("党总支部", "联合党支部", "联合党总支", "联合党委")] == [
        "general_branch", "branch", "general_branch", "committee"]
    assert parse_enum("联合党支部", org["formation"]) == "joint"
    assert parse_enum("民办非企业单位", enterprise["kind"]) == "social_org"
    assert parse_enum("民非", enterprise["kind"]) == "social_org"  # as offices shorten it
    assert [parse_value(w, org["star"]) for w in ("无", "未评星", "未定级", " 未定级 ")] == [None, None, None, None]


def test_a_star_that_is_no_rating_says_how_stars_are_written():
    with pytest.raises(BadValue) as exc:
        parse_value("六星级", NODE_PROPS[Label.PARTY_ORG]["star"])
    assert str(exc.value) == "应为星级 1–5（如 四星、4星、四星级、★★★★），未评星可填 无 或留空，实为 '六星级'"


def test_words_of_different_choices_in_one_cell_are_refused():
    with pytest.raises(BadValue) as exc:
        parse_enum("存续（吊销）", NODE_PROPS[Label.ENTERPRISE]["status"])
    assert str(exc.value) == "应为 在营、注销、迁出 之一，实为 '存续（吊销）'"


MEMBERS = NODE_PROPS[Label.ENTERPRISE]["party_members"]


@pytest.mark.parametrize("raw, expected", [("12人", 12), ("30 名", 30), ("１２人", 12), ("0人", 0), ("120", 120),
                                           ("3（含预备1）", 3), ("30人（含预备党员2人）", 30), ("3(2正式)", 3),
                                           ("党员5人", 5), ("职工45人", 45), ("在职党员 3", 3), ("党员：12名", 12)])
def test_a_headcount_may_carry_its_unit(raw, expected):
    assert parse_int(raw, MEMBERS) == expected


@pytest.mark.parametrize("raw, prop", [("约30", MEMBERS), ("30余人", MEMBERS), ("人", MEMBERS), ("12人", COUNT),
                                      ("（3）", MEMBERS), ("3（含预备1）", COUNT)])
def test_only_a_headcount_and_only_a_plain_unit(raw, prop):
    with pytest.raises(BadValue) as exc:
        parse_int(raw, prop)
    assert exc.value.code == "bad_int"


@pytest.mark.parametrize("header, column", [
    ("1.企业名称", "name"), ("12、党组织名称", "org"), ("（三）所属产业链", "chain"), ("十、结对共建单位", "partner"),
    ("3.统一社会信用代码（18位）", "id"), ("(2) 党员总数（人）", "party_members"), ("企 业 全 称", "name"),
])
def test_a_ledger_header_in_other_words_or_numbered(header, column):
    from loaders.tables import LEDGER, find_column

    assert find_column(LEDGER, header).name == column


@pytest.mark.parametrize("header", ["1号线", "3D打印", "2023年产值"])
def test_a_number_that_is_part_of_the_header_is_not_an_ordinal(header):
    from loaders.headers import without_ordinal

    assert without_ordinal(header) is None


@pytest.mark.parametrize("raw, expected", [("五星级党组织", 5), ("四星级党支部", 4), ("暂未评定", None), ("不参评", None)])
def test_a_star_as_a_rating_is_written(raw, expected):
    assert parse_int(raw, STAR) == expected


@pytest.mark.parametrize("raw, expected", [("临时党支部", "branch"), ("功能型党支部", "branch"), ("基层党委", "committee"),
                                           ("基层党总支", "general_branch")])
def test_an_org_category_with_its_qualifier(raw, expected):
    assert parse_enum(raw, NODE_PROPS[Label.PARTY_ORG]["level"]) == expected


@pytest.mark.parametrize("header, column", [
    ("联系领导（职务）", "leader_title"), ("党建指导员（联系电话）", None), ("联系领导（手机号码）", None),
    ("联系领导（姓名）", "leader"), ("党员人数（单位：人）", "party_members"), ("联系领导（姓名、职务）", "leader"),
])
def test_a_remark_naming_another_fact_is_another_column(header, column):
    from loaders.tables import LEDGER, find_column

    found = find_column(LEDGER, header)
    assert (found and found.name) == column


@pytest.mark.parametrize("raw, prop, said", [
    ("约3人", MEMBERS, "应为整数（人数只填数字，如 30），实为 '约3人'"),
    ("50余人", NODE_PROPS[Label.ENTERPRISE]["employees"], "应为整数（人数只填数字，如 30），实为 '50余人'"),
    ("☆☆☆", STAR, "应不小于 1，实为 '☆☆☆'（即 0）"),
])
def test_a_refusal_quotes_the_cell_as_typed(raw, prop, said):
    with pytest.raises(BadValue) as exc:
        parse_int(raw, prop)
    assert str(exc.value) == said


@pytest.mark.parametrize("header, column", [
    ("选派党建指导员姓名", "instructor"), ("联系领导姓名", "leader"), ("结对单位名称", "partner"), ("所属重点产业链", "chain"),
    ("包联责任人", "leader"), ("企业名称", "name"), ("党组织名称", "org"),
])
def test_a_header_with_the_word_name_after_the_column(header, column):
    from loaders.tables import LEDGER, find_column

    assert find_column(LEDGER, header).name == column


@pytest.mark.parametrize("header, column", [
    ("市级挂联领导", "leader"), ("县级包保领导", "leader"), ("联系县领导", "leader"), ("驻企指导员", "instructor"),
    ("驻企第一书记", "instructor"), ("结对共建党组织", "partner"), ("联建单位名称", "partner"),
    ("是否已建立党组织", "has_org"), ("有无建立党支部", "has_org"), ("企业党组织名称", "org"), ("所属上级党组织", "parent"),
    ("所在产业链条", "chain"), ("所处产业链环节", "segment"), ("在岗职工人数", "employees"),
    ("社会统一信用代码", "id"), ("组织机构代码/统一社会信用代码", "id"), ("经营主体名称", "name"), ("非公有制企业名称", "name"),
    ("联建单位", "partner"), ("指导员所在单位", "instructor_unit"), ("联系领导电话", None),
    # what the rules must not take: other facts about the same people and organisations
    ("主要领导", None), ("联系领导职务", "leader_title"), ("是否单独建立党组织", None), ("党员职工人数", "party_members"), ("企业党员数", "party_members"),
    ("党组织党员数", None), ("发展党员数", None), ("预备党员数", None), ("党组织书记", None),
    ("工程机械产业链", None), ("党建指导员联系电话", None),
])
def test_a_ledger_header_no_list_holds_is_read_by_what_it_names(header, column):
    from loaders.tables import LEDGER, find_column

    found = find_column(LEDGER, header)
    assert (found and found.name) == column


@pytest.mark.parametrize("raw, expected", [
    ("单独建立", "standalone"), ("已单独组建", "standalone"), ("联合建立", "joint"), ("联合成立党支部", "joint"),
    ("区域联建", "joint"), ("楼宇联建", "joint"), ("行业联建", "joint"), ("行业党委", "industry"),
])
def test_a_formation_as_offices_write_it(raw, expected):
    assert parse_enum(raw, NODE_PROPS[Label.PARTY_ORG]["formation"]) == expected


@pytest.mark.parametrize("raw", ["挂靠", "是", "联建联建x"])
def test_a_formation_no_rule_knows_is_refused(raw):
    with pytest.raises(BadValue):
        parse_enum(raw, NODE_PROPS[Label.PARTY_ORG]["formation"])


@pytest.mark.parametrize("raw, expected", [("是（链主）", True), ("否（规下）", False), ("非链主", False), ("不是", False),
                                           ("是 (2023年认定)", True)])
def test_a_yes_or_no_with_a_remark_or_negated(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["非", "（是）", "不详"])
def test_a_yes_or_no_that_says_neither_is_refused(raw):
    with pytest.raises(BadValue):
        parse_bool(raw)


@pytest.mark.parametrize("raw, expected", [
    ("在营（开业）企业", "active"), ("在营(开业)企业", "active"), ("正常经营", "active"), ("吊销，未注销", "closed"),
    ("吊销, 未注销", "closed"), ("歇业", "closed"), ("已关停", "closed"), ("撤销", "closed"),
])
def test_a_status_as_the_credit_system_and_offices_write_it(raw, expected):
    assert parse_enum(raw, NODE_PROPS[Label.ENTERPRISE]["status"]) == expected


@pytest.mark.parametrize("raw, expected", [("无", 0), ("暂无", 0), ("三", 3), ("三人", 3), ("两名", 2), ("十二", 12),
                                           ("四十五", 45), ("三（含预备1）", 3)])
def test_a_headcount_in_words(raw, expected):
    assert parse_int(raw, MEMBERS) == expected


@pytest.mark.parametrize("raw", ["约三人", "十十", "一百", "名"])
def test_a_headcount_in_words_no_rule_reads_is_refused(raw):
    with pytest.raises(BadValue):
        parse_int(raw, MEMBERS)


@pytest.mark.parametrize("text, label, expected", [
    ("李明（副区长）", "Leader", ("李明", {"title": "副区长"})), ("副区长 李明", "Leader", ("李明", {"title": "副区长"})),
    ("赵六（区商务局）", "Instructor", ("赵六", {"unit": "区商务局"})), ("赵六（第一书记）", "Instructor", ("赵六", {})),
    ("张三 13800000000", "Leader", ("张三", {})), ("张三（13800000000）", "Leader", ("张三", {})),
    ("张三 李四", "Leader", ("张三 李四", {})), ("欧阳娜娜", "Leader", ("欧阳娜娜", {})),
    ("副区长张三", "Leader", ("张三", {"title": "副区长"})), ("区委书记欧阳娜娜", "Leader", ("欧阳娜娜", {"title": "区委书记"})),
    ("张局长", "Leader", ("张局长", {})), ("阿不都热合曼", "Leader", ("阿不都热合曼", {})),
    # a phone number anywhere, labelled or not, and an address (同志) are not the name
    ("张三（区委副书记、区长）13800000000", "Leader", ("张三", {"title": "区委副书记、区长"})),
    ("张三 副主任 139-1234-5678", "Leader", ("张三", {"title": "副主任"})), ("王五（电话：0731-88888888）", "Instructor", ("王五", {})),
    ("赵六同志", "Instructor", ("赵六", {})), ("13800000000", "Leader", ("13800000000", {})),
])
def test_a_person_written_with_what_they_are(text, label, expected):
    from graph.schema import Label
    from loaders.ledger import person_and_props

    assert person_and_props(text, Label(label)) == expected


@pytest.mark.parametrize("raw, expected", [("上", "upstream"), ("上游环节", "upstream"), ("产业链中游", "midstream"),
                                           ("下游企业", "downstream"), ("链下游", "downstream")])
def test_a_stage_as_a_position_cell_says_it(raw, expected):
    assert parse_enum(raw, NODE_PROPS[Label.SEGMENT]["stage"]) == expected
    with pytest.raises(BadValue):
        parse_enum("上中游", NODE_PROPS[Label.SEGMENT]["stage"])


@pytest.mark.parametrize("raw", ["无星", "0星", "0", 0, 0.0])
def test_no_star_written_as_zero(raw):
    assert parse_int(raw, STAR) is None


@pytest.mark.parametrize("raw, expected", [("外资企业", "enterprise"), ("有限责任公司", "enterprise"), ("个体工商户", "enterprise"),
                                           ("行业协会", "social_org"), ("商会", "social_org"), ("基金会", "social_org"),
                                           ("民办非企业", "social_org")])
def test_an_enterprise_kind_by_what_it_is(raw, expected):
    assert parse_enum(raw, NODE_PROPS[Label.ENTERPRISE]["kind"]) == expected
    with pytest.raises(BadValue):
        parse_enum("其他", NODE_PROPS[Label.ENTERPRISE]["kind"])


@pytest.mark.parametrize("written", ["电子信息", "电子信息产业链", "电子信息链", "电子信息产业", "电子信息产业集群", "电子 信息产业"])
def test_a_chain_by_the_names_offices_give_it(written):
    from loaders.ledger import _name_key

    assert _name_key(Label.CHAIN, written) == _name_key(Label.CHAIN, "电子信息")
    assert _name_key(Label.CHAIN, "区块链产业") == _name_key(Label.CHAIN, "区块链")


@pytest.mark.parametrize("name, level", [
    ("中共甲公司委员会", "committee"), ("甲公司党委", "committee"), ("中共乙公司总支部委员会", "general_branch"),
    ("乙公司党总支", "general_branch"), ("中共丙公司支部委员会", "branch"), ("丙公司党支部", "branch"), ("丁公司党小组", None),
])
def test_an_organisations_level_by_its_name(name, level):
    from loaders.ledger import level_by_name

    assert level_by_name(name) == level


@pytest.mark.parametrize("cell, said", [
    ("单独组建党支部", ("是", "standalone")), ("已建（联合）", ("是", "joint")), ("已建立（单独）", ("是", "standalone")),
    ("是（联建）", ("是", "joint")), ("已建立党支部", ("是", None)), ("已覆盖", ("是", None)),
    ("未建立党组织", ("否", None)), ("暂未建立", ("否", None)), ("尚未组建", ("否", None)), ("无党员", ("否", None)),
    ("工作覆盖（指导员）", ("否", None)), ("否，已派驻指导员", ("否", None)), ("—", (None, None)),
    ("是", ("是", None)), ("未来科技", ("未来科技", None)),
])
def test_a_has_org_cell_as_offices_write_it(cell, said):
    from loaders.ledger import _has_org_said

    assert _has_org_said(cell) == said


@pytest.mark.parametrize("cell, expected", [
    ("上游-液压件", ("液压件", "upstream")), ("上游 液压件", ("液压件", "upstream")), ("上游（原材料）", ("原材料", "upstream")),
    ("液压件(上游环节)", ("液压件", "upstream")), ("产业链上游-液压件", ("液压件", "upstream")), ("液压件-上游", ("液压件", "upstream")),
    ("整机（下游企业）", ("整机", "downstream")), ("上游原材料", ("上游原材料", None)), ("上游", ("上游", "upstream")), ("下游企业", ("下游", "downstream")),
])
def test_a_segment_cell_saying_its_stage_in_the_ways_offices_do(cell, expected):
    from loaders.ledger import _stage_in_name

    assert _stage_in_name(cell) == expected


@pytest.mark.parametrize("text, kind", [("律师事务所", "social_org"), ("长沙某律师事务所", "social_org"),
                                        ("某会计师事务所有限公司", "enterprise"), ("某商会", "social_org")])
def test_an_intermediary_body_counts_with_social_organisations(text, kind):
    from loaders.values import kind_by_ending

    assert kind_by_ending(text) == kind


@pytest.mark.parametrize("text, none", [("无（挂靠社区党委）", True), ("暂无（正在筹建）", True), ("—（无）", True), ("（无）", True),
                                        ("无锡（分公司）", False), ("（甲公司）", False), ("甲公司党支部（联建）", False)])
def test_a_placeholder_with_a_remark_is_still_a_placeholder(text, none):
    from loaders.ledger import is_placeholder

    assert is_placeholder(text) is none
