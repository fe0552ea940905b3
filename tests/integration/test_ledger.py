"""The planners' 台账 through the real `redchain load`: recognised whatever its sheet is
called, below its title row; the same ledger as XLSX, GBK CSV or with a mapped header
gives the same graph; a re-import changes nothing; a month-2 ledger leaves the figures
equal to what it says, with and without --full."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from api.cli.main import app
from fixtures.ledger import A, B, C, D, F, HEADER, MONTH_1, TITLE, month_2, write_xls, write_xlsx
from graph.factory import open_store
from loaders.uscc import make_uscc

FIGURES = ("base", "org_covered", "covered_by_standalone", "covered_by_joint", "work_covered", "uncovered",
           "org_coverage_rate", "two_coverage_rate")
ENV = {"COLUMNS": "200", "REDCHAIN_STORE": None}


def redchain(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def figures(db) -> tuple:
    result = redchain("report", "--json", "--store", db)
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)["totals"]
    return tuple(totals[f] for f in FIGURES)


def graph_of(db) -> tuple[set, set]:
    store = open_store(str(db))
    try:
        data = store.read()
        return ({(n.label, n.id, tuple(sorted(n.props.items()))) for n in data.nodes},
                {(r.type, r.source, r.target) for r in data.rels})
    finally:
        store.close()


def load(db, *paths, ok=True):
    result = redchain("load", *paths, "--store", db)
    assert (result.exit_code == 0) is ok, result.output
    return result


@pytest.fixture
def month_1_xlsx(tmp_path):
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, MONTH_1)
    return path


def test_a_ledger_gets_in_with_the_expected_figures_and_reimport_is_a_no_op(tmp_path, month_1_xlsx):
    db = tmp_path / "x.db"
    load(db, month_1_xlsx)
    # 甲 and 乙 have their own orgs, 丙 and 丁 share the joint branch, the association is
    # reached by an instructor, 戊 by nobody
    assert figures(db) == (6, 4, 2, 2, 1, 1, 0.6667, 0.8333)
    before = graph_of(db)
    again = json.loads(redchain("load", month_1_xlsx, "--store", db, "--json").stdout)
    assert not any(again["added"].values()) and not any(again["updated"].values()) and not any(again["removed"].values())
    assert graph_of(db) == before


def test_the_same_ledger_as_gbk_csv_xls_and_with_a_mapped_header_gives_the_same_graph(tmp_path, month_1_xlsx):
    xlsx_db, csv_db, mapped_db, xls_db = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db", tmp_path / "d.db"
    load(xlsx_db, month_1_xlsx)
    gbk = tmp_path / "台账.csv"
    with gbk.open("w", encoding="gbk", newline="") as out:
        writer = csv.writer(out)
        writer.writerows([[TITLE], [], HEADER, *MONTH_1])
    load(csv_db, gbk)
    assert graph_of(csv_db) == graph_of(xlsx_db)
    old_excel = tmp_path / "台账.xls"
    write_xls(old_excel, MONTH_1)
    load(xls_db, old_excel)
    assert graph_of(xls_db) == graph_of(xlsx_db)

    renamed = tmp_path / "改名.xlsx"
    header = ["纳税人名称" if h == "单位名称" else h for h in HEADER]
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(header)
    for row in MONTH_1:
        book.active.append(row)
    book.save(renamed)
    refused = load(mapped_db, renamed, ok=False)
    assert "未写入任何数据" in refused.output
    result = redchain("load", renamed, "--map", "纳税人名称=名称", "--store", mapped_db)
    assert result.exit_code == 0, result.output
    assert graph_of(mapped_db) == graph_of(xlsx_db)


def test_month_two_keeps_the_graph_equal_to_the_ledger(tmp_path, month_1_xlsx):
    plain, full = tmp_path / "plain.db", tmp_path / "full.db"
    month_2_xlsx = tmp_path / "台账-2月.xlsx"
    write_xlsx(month_2_xlsx, month_2(), with_status=True)
    for db in (plain, full):
        load(db, month_1_xlsx)

    result = redchain("load", month_2_xlsx, "--store", plain)
    assert result.exit_code == 0, result.output
    # 丙 moved from the joint branch to 甲's committee (covered once, by a standalone org);
    # 丁 closed and left the base; 己 is new, reached by its contact leader; 戊 still unlisted
    assert figures(plain) == (6, 3, 3, 0, 2, 1, 0.5, 0.8333)
    assert "已删除 2 条文件中不再有的关系" in result.stdout
    assert C in result.stdout and D in result.stdout

    result = redchain("load", month_2_xlsx, "--full", "--store", full)
    assert result.exit_code == 0, result.output
    assert figures(full) == (5, 3, 3, 0, 2, 0, 0.6, 1.0)
    assert f"长沙戊电子有限公司（{F}）" in result.stdout
    store = open_store(str(full))
    try:
        (gone,) = store.read(ids=[F]).nodes
        assert gone.props["in_base"] is False and "未列入完整台账" in gone.props["base_note"]
    finally:
        store.close()


def test_a_dry_run_creates_no_store_and_shows_how_each_column_was_read(tmp_path, month_1_xlsx):
    db = tmp_path / "none.db"
    result = redchain("load", month_1_xlsx, "--dry-run", "--store", db)
    assert result.exit_code == 0, result.output
    assert not db.exists()
    assert "從業人數 → 职工人数（employees）" in result.stdout
    assert "试导入（未写入）" in result.stdout and "写入" not in result.stderr


def test_contradicting_rows_are_refused_with_their_excel_row_and_column(tmp_path):
    rows = [list(r) for r in MONTH_1]
    rows[5][10], rows[5][11] = "否", "戊电子党支部"  # says no org, names one
    rows[1][11] = ""  # says 已建, names none
    path = tmp_path / "矛盾.xlsx"
    write_xlsx(path, rows)
    result = redchain("load", path, "--store", tmp_path / "x.db")
    assert result.exit_code == 1
    lines = result.stderr.splitlines() if result.stderr else result.output.splitlines()
    # the title and a blank row sit above the header: data row 2 is Excel row 5
    assert f"{path}:Sheet1:5:是否建立党组织: 是否建立党组织为“是”，却没有填写党组织名称" in lines
    assert any(line.startswith(f"{path}:Sheet1:9:") and "为“否”，却填写了党组织名称 戊电子党支部" in line for line in lines)
    assert not (tmp_path / "x.db").exists() or figures(tmp_path / "x.db")[0] == 0


def test_a_name_in_a_relationship_sheet_is_resolved_or_answered_with_the_closest(tmp_path, month_1_xlsx):
    db = tmp_path / "x.db"
    load(db, month_1_xlsx)
    sheet = tmp_path / "党组织覆盖.csv"
    sheet.write_text("党组织,企业\n甲机械党委,长沙戊电子有限公司\n甲机械党委,长沙戊电子公司\n", encoding="utf-8")
    result = redchain("load", sheet, "--store", db)
    assert result.exit_code == 1
    assert "长沙戊电子公司" in result.output and "长沙戊电子有限公司" in result.output  # the closest name is suggested
    sheet.write_text("党组织,企业\n甲机械党委,长沙戊电子有限公司\n", encoding="utf-8")
    load(db, sheet)
    assert figures(db)[1] == 5  # 戊 is now covered, named by its name


def test_a_ledger_in_other_words_gives_the_same_graph(tmp_path, month_1_xlsx):
    """Another office's ledger of the same month: a 填表说明 sheet before it, numbered headers
    in other words, the stage written into the segment (上游-液压件, 整机（下游）) instead of a
    位置 column, the chain as 工程机械产业链 on later rows, members counted as 12人."""
    from openpyxl import Workbook

    standard = tmp_path / "a.db"
    load(standard, month_1_xlsx)
    header = ["1.序号", "2.企业全称", "3.统一社会信用代码（18位）", "4.类型", "5.所属产业链条", "6.所处环节", "7.所属园区",
              "8.从业人员数（人）", "9.党员总数", "10.是否成立党组织", "11.党组织全称", "12.党组织组建方式", "13.党组织级别",
              "14.党组织星级", "15.包联领导", "16.党建工作指导员", "17.结对共建单位"]
    book = Workbook()
    book.active.title = "填表说明"
    book.active.append(["每月5日前报送；一行一家企业。"])
    sheet = book.create_sheet("11月")
    sheet.append([TITLE])
    sheet.append(header)
    for k, row in enumerate(MONTH_1):
        seq, name, code, kind, chain, segment, stage, park, staff, members, *rest = row
        if segment:
            segment = f"{stage}-{segment}" if k % 2 else f"{segment}（{stage}）"
        sheet.append([seq, name, code, kind, chain if k == 0 or chain != "工程机械" else "工程机械产业链", segment, park,
                      staff, f"{members}人", *rest])
    other = tmp_path / "另一种台账.xlsx"
    book.save(other)
    words = tmp_path / "b.db"
    load(words, other)
    assert graph_of(words) == graph_of(standard)


def test_headers_no_synonym_lists_are_read_by_what_they_name(tmp_path, month_1_xlsx):
    """A third office words its people's and organisation's columns its own way (市级挂联领导,
    驻企指导员, 企业党组织名称, 是否已建立党组织, 结对共建党组织): the rules for what such a
    header names read them, and the graph is the standard ledger's."""
    from openpyxl import Workbook

    standard = tmp_path / "a.db"
    load(standard, month_1_xlsx)
    header = ["序号", "单位名称", "统一社会信用代码", "类型", "所在产业链条", "所处产业链环节", "位置", "所在园区",
              "在岗职工人数", "党员人数", "是否已建立党组织", "企业党组织名称", "组建形式", "党组织类别", "星级",
              "市级挂联领导", "驻企指导员", "结对共建党组织"]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in MONTH_1:
        sheet.append(row)
    other = tmp_path / "第三种台账.xlsx"
    book.save(other)
    result = redchain("load", other, "--dry-run", "--json", "--store", tmp_path / "c.db")
    read = {m["header"]: m["column"] for m in json.loads(result.stdout)["columns"]}
    assert {read[h] for h in header[4:6] + header[8:9] + header[10:12] + header[15:]} == {
        "chain", "segment", "employees", "has_org", "org", "leader", "instructor", "partner"}
    words = tmp_path / "b.db"
    load(words, other)
    assert graph_of(words) == graph_of(standard)


def test_a_segment_saying_one_stage_beside_a_position_saying_another_is_refused(tmp_path):
    rows = [list(MONTH_1[1])]
    rows[0][5] = "上游-液压件"
    rows[0][6] = "下游"
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, rows)
    result = load(tmp_path / "x.db", path, ok=False)
    assert "环节 液压件 写明是上游，位置 列却是下游" in result.output


def test_a_ledger_kept_one_sheet_per_chain_gives_the_graph_of_one_flat_sheet(tmp_path):
    """甲机械 is in 工程机械 (its sheet) and in 电子信息 (the other sheet, its row repeated
    there): one enterprise in both chains, as a flat ledger listing both on one row says."""
    from openpyxl import Workbook

    flat_rows = [list(r) for r in MONTH_1]
    flat_rows[0][4:6] = ["工程机械、电子信息", "整机、芯片"]
    flat = tmp_path / "一张表.xlsx"
    write_xlsx(flat, flat_rows)
    book = Workbook()
    book.remove(book.active)
    for chain in ("工程机械", "电子信息"):
        sheet = book.create_sheet(chain)
        sheet.append(HEADER)
        for row in MONTH_1:
            if row[4] == chain:
                sheet.append(row)
        if chain == "电子信息":  # 甲 again, as this chain's sheet lists it: its org and people the same
            sheet.append([*MONTH_1[0][:4], "电子信息", "芯片", "上游", *MONTH_1[0][7:]])
    per_chain = tmp_path / "分链.xlsx"
    book.save(per_chain)
    one, two = tmp_path / "a.db", tmp_path / "b.db"
    load(one, flat)
    loaded = load(two, per_chain)
    assert "两行是同一家企业" in loaded.output
    assert graph_of(two) == graph_of(one)
    again = json.loads(redchain("load", per_chain, "--store", two, "--json").stdout)
    assert not any(again["added"].values()) and not any(again["removed"].values()) and not any(again["updated"].values())


def test_rows_of_one_enterprise_that_disagree_are_refused(tmp_path):
    rows = [list(MONTH_1[0]), [*MONTH_1[0][:4], "电子信息", "芯片", "上游", "麓谷园", 320, 13, *MONTH_1[0][10:]]]
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, rows)
    result = load(tmp_path / "x.db", path, ok=False)
    assert f"统一社会信用代码 {MONTH_1[0][2]} 重复：已在 第4行出现（两行的 党员人数（人） 不同" in result.output


def test_a_repeated_code_is_listed_with_the_other_problems_at_once(tmp_path):
    """A bad cell elsewhere keeps the ledger from being resolved; its repeated code is still
    in the same list, worded as when it is the only problem."""
    rows = [list(MONTH_1[0]), [*MONTH_1[0][:4], "电子信息", "芯片", "上游", "麓谷园", 320, 13, *MONTH_1[0][10:]],
            list(MONTH_1[1])]
    rows[2][8] = "很多"  # 從業人數
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, rows)
    report = json.loads(redchain("load", path, "--dry-run", "--json", "--store", tmp_path / "x.db").stdout)
    assert [(p["code"], p["row"]) for p in report["problems"]] == [("duplicate_id", 5), ("bad_int", 6)]
    assert f"统一社会信用代码 {MONTH_1[0][2]} 重复：已在 第4行出现（两行的 党员人数（人） 不同" in report["problems"][0]["text"]


def test_a_stage_word_before_a_slash_is_the_segments_stage(tmp_path, month_1_xlsx):
    rows = [list(r) for r in MONTH_1]
    for row in rows:
        if row[5]:
            row[5], row[6] = f"{row[6]}/{row[5]}", ""  # 上游/液压件, no 位置
    path = tmp_path / "斜杠.xlsx"
    write_xlsx(path, rows)
    standard, slashed = tmp_path / "a.db", tmp_path / "b.db"
    load(standard, month_1_xlsx)
    load(slashed, path)
    assert graph_of(slashed) == graph_of(standard)


def sheet_per_chain(sheets: dict[str, str]):
    """MONTH_1 as a workbook of one sheet per chain ({chain: sheet name}), without the
    所属产业链 column."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for chain, sheet_name in sheets.items():
        sheet = book.create_sheet(sheet_name)
        sheet.append([h for h in HEADER if h != "所属产业链"])
        for row in MONTH_1:
            if row[4] == chain:
                sheet.append(row[:4] + row[5:])
    return book


def test_a_sheet_named_after_a_chain_gives_its_rows_that_chain(tmp_path, month_1_xlsx):
    """The next month's ledger, one sheet per chain without a 所属产业链 column: 工程机械台账
    and 电子信息 name the stored chains, so the graph stays as the one-sheet ledger made it."""
    db = tmp_path / "x.db"
    load(db, month_1_xlsx)
    before = graph_of(db)
    book = sheet_per_chain({"工程机械": "工程机械台账", "电子信息": "电子信息"})
    per_chain = tmp_path / "分链无链列.xlsx"
    book.save(per_chain)
    again = json.loads(redchain("load", per_chain, "--store", db, "--json").stdout)
    assert not any(again["added"].values()) and not any(again["removed"].values()) and not any(again["updated"].values())
    assert graph_of(db) == before
    alone = tmp_path / "只有一张.xlsx"
    book.remove(book["工程机械台账"])
    book["电子信息"].title = "11月"  # names no chain
    book.save(alone)
    refused = load(tmp_path / "new.db", alone, ok=False)
    assert "表中没有 所属产业链 列，表名“11月”也不是已有产业链的名称" in refused.output


def test_sheets_named_as_new_chains_make_those_chains_in_an_empty_store(tmp_path):
    """One sheet per chain, named 工程机械产业链 and 电子信息产业链企业党建台账, into an empty
    store: each sheet's rows are in a chain of that name, as under a heading; a sheet
    named 供应链 names no chain."""
    book = sheet_per_chain({"工程机械": "工程机械产业链", "电子信息": "电子信息产业链企业党建台账"})
    path = tmp_path / "一链一表.xlsx"
    book.save(path)
    db = tmp_path / "x.db"
    load(db, path)
    nodes, rels = graph_of(db)
    chains = {node_id: dict(props)["name"] for label, node_id, props in nodes if label.value == "Chain"}
    assert sorted(chains.values()) == ["工程机械产业链", "电子信息产业链"]
    segment_chain = {source: chains[target] for rtype, source, target in rels if rtype.value == "PART_OF"}
    members = {}
    for rtype, source, target in rels:
        if rtype.value == "IN_SEGMENT":
            members.setdefault(segment_chain[target], set()).add(source)
    for chain_name, short in (("工程机械产业链", "工程机械"), ("电子信息产业链", "电子信息")):
        assert members[chain_name] == {row[2] for row in MONTH_1 if row[4] == short}
    book["工程机械产业链"].title = "供应链"
    book.save(path)
    refused = load(tmp_path / "new.db", path, ok=False)
    assert "表名“供应链”也不是已有产业链的名称" in refused.output


@pytest.mark.parametrize("column, not_yet", [("党组织组建情况", ["未建立", "未建立"]),
                                             ("党组织覆盖方式", ["选派党建指导员", "拟建"])])
def test_a_has_org_column_saying_how_the_org_was_formed(tmp_path, month_1_xlsx, column, not_yet):
    """党组织组建情况 / 党组织覆盖方式: 单独组建 / 联合建立 / 未建立 / 选派党建指导员 / 拟建 —
    yes or no, and the 组建形式 of its org."""
    header = [column if h == "是否建立党组织" else h for h in HEADER if h != "组建形式"]
    said = {"单建": "单独组建", "单独组建": "已单独建立", "联建": "联合建立", "联合组建": "联合组建", "": ""}
    rows = []
    for row in MONTH_1:
        has, formation = row[10], row[12]
        cell = said[formation] if has in ("是", "已建") else not_yet.pop()
        rows.append(row[:10] + [cell] + row[11:12] + row[13:])
    path = tmp_path / "组建情况.xlsx"
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    standard, other = tmp_path / "a.db", tmp_path / "b.db"
    load(standard, month_1_xlsx)
    load(other, path)
    assert graph_of(other) == graph_of(standard)
    clash = tmp_path / "矛盾.xlsx"  # 联合建立 beside 组建形式 单建
    write_xlsx(clash, [MONTH_1[0][:10] + ["联合建立"] + MONTH_1[0][11:]])
    refused = load(tmp_path / "c.db", clash, ok=False)
    assert "是否建立党组织说是联合组建，组建形式却是单独组建" in refused.output


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_new_segments_stage_said_on_any_row_serves_every_row(tmp_path, order):
    """甲 names 液压件 with no 位置, 乙 says 上游-液压件: whichever row comes first, both join
    the one new segment, upstream."""
    rows = [list(MONTH_1[0]), list(MONTH_1[1])]
    rows[0][5:7] = ["液压件", ""]
    rows[1][5:7] = ["上游-液压件", ""]
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, [rows[k] for k in order])
    db = tmp_path / "x.db"
    load(db, path)
    nodes, rels = graph_of(db)
    segments = [dict(props) for label, _, props in nodes if label.value == "Segment"]
    assert [(s["name"], s["stage"]) for s in segments] == [("液压件", "upstream")]
    assert sum(1 for t, _, _ in rels if t.value == "IN_SEGMENT") == 2


def test_rows_giving_one_new_segment_two_stages_are_refused_whatever_their_order(tmp_path):
    rows = [list(MONTH_1[0]), list(MONTH_1[1])]
    rows[0][5:7] = ["液压件", "上游"]
    rows[1][5:7] = ["液压件", "中游"]
    for k, order in enumerate(((0, 1), (1, 0))):
        path = tmp_path / f"台账{k}.xlsx"
        write_xlsx(path, [rows[j] for j in order])
        refused = load(tmp_path / f"x{k}.db", path, ok=False)
        assert "新环节 液压件 的位置在文件各行不一致（上游、中游）" in refused.output


def test_a_chain_written_with_or_without_chain_after_it_is_one_chain(tmp_path):
    rows = [list(r) for r in MONTH_1[:3]]
    rows[1][4], rows[2][4] = "工程机械链", "工程机械产业链"
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, rows)
    db = tmp_path / "x.db"
    load(db, path)
    nodes, _ = graph_of(db)
    assert [dict(p)["name"] for label, _, p in nodes if label.value == "Chain"] == ["工程机械"]


def test_a_name_padded_to_line_up_is_the_same_person(tmp_path):
    """李　明 (a full-width space to line up two-character names) on one row, 李明 on the
    other: one leader, named 李明, and a re-import in either order changes nothing."""
    rows = [list(MONTH_1[0]), list(MONTH_1[1])]
    rows[0][15], rows[1][15] = "李　明", "李明、王  芳"
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_xlsx(first, rows)
    write_xlsx(second, rows[::-1])
    db = tmp_path / "x.db"
    load(db, first)
    nodes, _ = graph_of(db)
    assert sorted(dict(p)["name"] for label, _, p in nodes if label.value == "Leader") == ["李明", "王芳"]
    again = json.loads(redchain("load", second, "--store", db, "--json").stdout)
    assert not any(again["updated"].values()) and not any(again["added"].values()) and not again["created"]


def test_a_later_ledger_moving_a_stored_segment_to_another_stage_moves_it(tmp_path):
    """液压件 is upstream in month 1; month 2 writes 中游 beside it: the segment is midstream,
    the load says so, and loading month 2 again changes nothing. Two rows of month 2 saying
    two stages for it are refused."""
    first = [list(MONTH_1[0]), list(MONTH_1[1])]
    first[0][5:7] = first[1][5:7] = ["液压件", "上游"]
    second = [list(r) for r in first]
    second[0][6] = second[1][6] = "中游"
    paths = {}
    for name, rows in (("一月", first), ("二月", second)):
        write_xlsx(paths.setdefault(name, tmp_path / f"{name}.xlsx"), rows)
    db = tmp_path / "x.db"
    load(db, paths["一月"])
    moved = json.loads(redchain("load", paths["二月"], "--store", db, "--json").stdout)
    assert {k: v for k, v in moved["updated"].items() if v} == {"Segment": 1}
    assert [w["message"] for w in moved["warnings"] if w["code"] == "segment_restaged"] == ["环节 工程机械/液压件 原在上游，按本文件改为中游"]
    nodes, _ = graph_of(db)
    assert [(dict(p)["name"], dict(p)["stage"]) for label, _, p in nodes if label.value == "Segment"] == [("液压件", "midstream")]
    again = json.loads(redchain("load", paths["二月"], "--store", db, "--json", "--full").stdout)
    assert not any(again["updated"].values()) and not any(again["added"].values())
    split = [list(r) for r in second]
    split[1][6] = "下游"
    write_xlsx(paths.setdefault("矛盾", tmp_path / "矛盾.xlsx"), split)
    refused = load(db, paths["矛盾"], ok=False)
    assert "环节 液压件 的位置在文件各行不一致（中游、下游）" in refused.output


def test_people_written_with_their_titles_and_a_partner_in_other_brackets(tmp_path):
    """李明（副区长） and 李明 副区长 are one leader, 李明, 职务 副区长; 王芳（区委常委、副区长）
    is one person, not two; 赵六 区商务局 is instructor 赵六 of 区商务局; a 结对单位 written
    with half-width brackets and a space is the org of the other row."""
    rows = [list(r) for r in MONTH_1[:3]]
    rows[0][15], rows[1][15] = "李明（副区长）", "李明 副区长、王芳（区委常委、副区长）"
    rows[2][16] = "赵六 区商务局"
    rows[0][11], rows[2][17] = "湖南甲机械（长沙）党委", "湖南甲机械 (长沙) 党委"
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, rows)
    db = tmp_path / "x.db"
    load(db, path)
    nodes, rels = graph_of(db)
    people = {dict(p)["name"]: dict(p) for label, _, p in nodes if label.value in ("Leader", "Instructor")}
    assert people == {"李明": {"name": "李明", "title": "副区长"}, "王芳": {"name": "王芳", "title": "区委常委、副区长"},
                      "赵六": {"name": "赵六", "unit": "区商务局"}}
    assert [dict(p)["name"] for label, _, p in nodes if label.value == "Unit"] == ["区财政局"]  # 甲's own partner
    org = next(node_id for label, node_id, p in nodes if label.value == "PartyOrg" and dict(p)["name"] == "湖南甲机械（长沙）党委")
    joint = next(node_id for label, node_id, p in nodes if dict(p).get("name") == "麓谷园第一联合党支部")
    assert [{s, d} for t, s, d in rels if t.value == "PAIRED_WITH" and joint in (s, d)] == [{org, joint}]
    again = json.loads(redchain("load", path, "--store", db, "--json", "--full").stdout)
    assert not any(again["updated"].values()) and not any(again["added"].values())


def test_rows_grouped_under_headings_naming_chains_get_those_chains(tmp_path):
    """No 所属产业链 column; the rows sit under 一、工程机械产业链（4家） and 二、电子信息链（1家）,
    then 三、其他 (naming no chain): the same graph as the flat ledger whose column says it,
    but for the chains' names as the headings write them; 三、其他's row joins no chain."""
    from openpyxl import Workbook

    def without_chain(row):
        return row[:4] + row[5:]

    book = Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.append(without_chain(HEADER))
    sheet.append(["一、工程机械产业链（4家）"])
    for row in MONTH_1[:4]:
        sheet.append(without_chain(row))
    sheet.append(["二、电子信息链（1家）"])
    sheet.append(without_chain(MONTH_1[5]))
    sheet.append(["三、其他"])
    other = list(MONTH_1[4])
    other[5:7] = ["", ""]
    sheet.append(without_chain(other))
    path = tmp_path / "分组.xlsx"
    book.save(path)
    db = tmp_path / "x.db"
    report = json.loads(redchain("load", path, "--store", db, "--json").stdout)
    assert [w["message"] for w in report["warnings"] if w["code"] == "heading_rows"] == [
        "第3、8、10行是分组标题（“一、工程机械产业链（4家）”、“二、电子信息链（1家）”、“三、其他”），不是单位，已跳过"]
    nodes, rels = graph_of(db)
    chains = {node_id: dict(p)["name"] for label, node_id, p in nodes if label.value == "Chain"}
    assert sorted(chains.values()) == ["工程机械产业链", "电子信息链"]
    segment_chain = {s: d for t, s, d in rels if t.value == "PART_OF"}
    in_chain = {s: chains[segment_chain[d]] for t, s, d in rels if t.value == "IN_SEGMENT"}
    assert in_chain == {A: "工程机械产业链", B: "工程机械产业链", C: "工程机械产业链", D: "工程机械产业链", F: "电子信息链"}
    again = json.loads(redchain("load", path, "--store", db, "--json", "--full").stdout)
    assert not any(again["updated"].values()) and not any(again["added"].values())


def test_two_columns_of_leaders_are_read_as_one(tmp_path):
    """联点领导 and 包联责任人 side by side: both columns' people contact the row's enterprise,
    said once; a name in both is one contact."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER + ["包联责任人"])
    rows = [list(r) + [extra] for r, extra in zip(MONTH_1[:3], ["王芳", "李明", ""])]
    for row in rows:
        book.active.append(row)
    path = tmp_path / "两列.xlsx"
    book.save(path)
    db = tmp_path / "x.db"
    report = json.loads(redchain("load", path, "--store", db, "--json").stdout)
    assert [w["message"] for w in report["warnings"] if w["code"] == "joined_columns"] == [
        "列 '包联责任人' 与列 '联点领导' 都表示 联系领导（leader）：两列所填的合在一起读取"]
    nodes, rels = graph_of(db)
    names = {node_id: dict(p)["name"] for label, node_id, p in nodes if label.value == "Leader"}
    contacts = sorted((names[s], d) for t, s, d in rels if t.value == "CONTACTS")
    assert contacts == [("李明", A), ("李明", B), ("王芳", A), ("王芳", B)]


def test_yes_and_no_in_name_cells(tmp_path):
    """否, ×, 0 in a name cell mean none, as 无 does; 是, √, 已建 or a number name nobody and are
    refused, saying what the cell wants."""
    rows = [list(r) for r in MONTH_1[:3]]
    rows[0][15], rows[0][16], rows[0][17] = "否", "0", "×"
    path = tmp_path / "无.xlsx"
    write_xlsx(path, rows)
    db = tmp_path / "x.db"
    load(db, path)
    nodes, _ = graph_of(db)
    names = {dict(p).get("name") for _, _, p in nodes}
    assert not names & {"否", "0", "×"}
    rows[0][11], rows[1][17], rows[2][16] = "是", "√", "2"
    write_xlsx(path, rows)
    refused = load(tmp_path / "y.db", path, ok=False)
    assert "党组织名称: 应填写党组织的名称，实为 '是'（是/否 请填在“是否建立党组织”列）" in refused.output
    assert "结对单位: 应填写结对单位的名称，实为 '√'" in refused.output
    assert "党建指导员: 应填写指导员的姓名，实为 '2'" in refused.output


def test_an_org_by_its_formal_name_then_its_short_one_is_one_org(tmp_path):
    """Month 1 writes 中共湖南乙液压有限公司支部委员会 and 中共甲机械委员会, month 2 湖南乙液压有限公司党支部
    and 甲机械党委: the same two orgs, their coverage as it was, nothing added or removed."""
    first = [list(r) for r in MONTH_1[:2]]
    first[0][11], first[1][11] = "中共甲机械委员会", "中共湖南乙液压有限公司支部委员会"
    second = [list(r) for r in MONTH_1[:2]]
    second[0][11], second[1][11] = "甲机械党委", "湖南乙液压有限公司党支部"
    paths = [tmp_path / "一月.xlsx", tmp_path / "二月.xlsx"]
    for path, rows in zip(paths, (first, second)):
        write_xlsx(path, rows)
    db = tmp_path / "x.db"
    load(db, paths[0])
    before = graph_of(db)
    again = json.loads(redchain("load", paths[1], "--store", db, "--json").stdout)
    assert not any(again["added"].values()) and not any(again["removed"].values()) and not again["created"]
    assert graph_of(db) == before


def test_a_segment_written_after_its_chain_is_that_segment(tmp_path, month_1_xlsx):
    """工程机械/整机, 工程机械-液压件 and 工程机械：液压件 in the 所属环节 column give the graph of the
    ledger writing 整机 and 液压件."""
    rows = [list(r) for r in MONTH_1]
    rows[0][5], rows[1][5], rows[2][5] = "工程机械/整机", "工程机械-液压件", "工程机械：液压件"
    path = tmp_path / "链-环节.xlsx"
    write_xlsx(path, rows)
    standard, other = tmp_path / "a.db", tmp_path / "b.db"
    load(standard, month_1_xlsx)
    load(other, path)
    assert graph_of(other) == graph_of(standard)


def test_a_title_before_its_person_in_a_list_of_people(tmp_path):
    """区委常委、副区长李明 lists one person, 李明, 职务 区委常委、副区长; 李明、王芳 two."""
    rows = [list(r) for r in MONTH_1[:2]]
    rows[0][15], rows[1][15] = "区委常委、副区长李明", "李明、王芳"
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, rows)
    db = tmp_path / "x.db"
    load(db, path)
    nodes, _ = graph_of(db)
    assert sorted(tuple(sorted(dict(p).items())) for label, _, p in nodes if label.value == "Leader") == [
        (("name", "李明"), ("title", "区委常委、副区长")), (("name", "王芳"),)]


def _chains_of(db) -> dict[str, set[str]]:
    """{enterprise name: the names of its chains} in the store at ``db``."""
    nodes, rels = graph_of(db)
    name = {node_id: dict(props).get("name") for _, node_id, props in nodes}
    chain_of = {source: target for rtype, source, target in rels if rtype.value == "PART_OF"}
    found: dict[str, set[str]] = {}
    for rtype, source, target in rels:
        if rtype.value == "IN_SEGMENT":
            found.setdefault(name[source], set()).add(name[chain_of[target]])
    return found


CHAIN_HEADER = ["企业名称", "统一社会信用代码", "所属产业链", "所属环节", "位置"]


def plain_sheet(path, rows) -> None:
    """``rows`` as the one sheet of a workbook at ``path``, no title above them."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_a_ledger_of_one_chain_leaves_its_enterprises_in_the_other_chains(tmp_path):
    """An enterprise in 工程机械 and 新材料; the 工程机械 ledger lists it with 所属产业链
    工程机械 only: it stays in 新材料 (QA round 10: a one-chain ledger took 12 enterprises out
    of the other four chains). A ledger naming both chains moves one between them."""
    a, b = make_uscc("91430100MA4L00191"), make_uscc("91430100MA4L00192")
    district = tmp_path / "全区.xlsx"
    plain_sheet(district, [CHAIN_HEADER, ["甲公司", a, "工程机械、新材料", "整机制造、复合材料", "中游、中游"],
                     ["乙公司", b, "新材料", "复合材料", "中游"]])
    db = tmp_path / "x.db"
    load(db, district)
    assert _chains_of(db) == {"甲公司": {"工程机械", "新材料"}, "乙公司": {"新材料"}}
    one_chain = tmp_path / "工程机械台账.xlsx"
    plain_sheet(one_chain, [CHAIN_HEADER, ["甲公司", a, "工程机械", "整机制造", "中游"]])
    load(db, one_chain)
    assert _chains_of(db) == {"甲公司": {"工程机械", "新材料"}, "乙公司": {"新材料"}}
    moved = tmp_path / "调整.xlsx"  # both chains named: 甲 now only in 新材料, 乙 moved to 工程机械
    plain_sheet(moved, [CHAIN_HEADER, ["甲公司", a, "新材料", "复合材料", "中游"], ["乙公司", b, "工程机械", "整机制造", "中游"]])
    load(db, moved)
    assert _chains_of(db) == {"甲公司": {"新材料"}, "乙公司": {"工程机械"}}


def test_full_with_a_ledger_of_one_chain_is_the_register_of_that_chain(tmp_path):
    """--full --chain 工程机械 with the 工程机械 ledger: 丙, only in 工程机械 and no longer
    listed, leaves the base; 乙, also in 新材料, leaves 工程机械 only; 丁 of 新材料 is not
    touched. Plain --full keeps its meaning (the whole register) and says how many of the
    other chains left with it (QA round 10: 771 of 955, nothing said)."""
    a, b, c, d = (make_uscc(f"91430100MA4L0020{n}") for n in range(1, 5))
    district = tmp_path / "全区.xlsx"
    plain_sheet(district, [CHAIN_HEADER, ["甲公司", a, "工程机械", "整机制造", "中游"],
                     ["乙公司", b, "工程机械、新材料", "整机制造、复合材料", "中游、中游"],
                     ["丙公司", c, "工程机械", "整机制造", "中游"], ["丁公司", d, "新材料", "复合材料", "中游"]])
    db = tmp_path / "x.db"
    load(db, district)
    one_chain = tmp_path / "工程机械台账.xlsx"
    plain_sheet(one_chain, [CHAIN_HEADER, ["甲公司", a, "工程机械", "整机制造", "中游"]])
    whole = json.loads(redchain("load", one_chain, "--full", "--dry-run", "--json", "--store", db).stdout)
    assert sorted(x["name"] for x in whole["left_base"]) == ["丁公司", "丙公司", "乙公司"]
    [said] = [w["text"] for w in whole["warnings"] if "--full --chain" in w["text"]]
    assert "其他产业链和未归入产业链的 2 家企业" in said and "--full --chain 工程机械" in said  # 乙 (also 新材料), 丁; not 丙
    unknown = redchain("load", one_chain, "--full", "--chain", "工程机", "--store", db)
    assert unknown.exit_code == 1 and "没有产业链 工程机" in unknown.output
    result = redchain("load", one_chain, "--full", "--chain", "工程机械产业链", "--json", "--store", db)  # as a cell names it
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [x["name"] for x in report["left_base"]] == ["丙公司"]
    assert not [w for w in report["warnings"] if "--full --chain" in w["text"]]
    assert _chains_of(db) == {"甲公司": {"工程机械"}, "乙公司": {"新材料"}, "丙公司": {"工程机械"}, "丁公司": {"新材料"}}
    nodes, _ = graph_of(db)
    in_base = {dict(props)["name"]: dict(props).get("in_base", True) for label, _, props in nodes if label.value == "Enterprise"}
    assert in_base == {"甲公司": True, "乙公司": True, "丙公司": False, "丁公司": True}


def test_a_complete_register_states_every_chain_and_a_chain_register_needs_its_chain_in_the_file(tmp_path):
    """Plain --full: the ledger's 所属产业链 is the whole truth, also of a chain the file no
    longer names (甲 leaves 电子信息); --full --chain of a chain the file lists nobody of is
    refused (QA round 11: it emptied the chain without a word)."""
    a, b = (make_uscc(f"91430100MA4L0029{n}") for n in range(1, 3))
    district = tmp_path / "全区.xlsx"
    plain_sheet(district, [CHAIN_HEADER, ["甲公司", a, "工程机械、电子信息", "中游-整机、上游-芯片", None], ["乙公司", b, "工程机械", "整机", "中游"]])
    db = tmp_path / "x.db"
    load(db, district)
    later = tmp_path / "全区-12月.xlsx"
    plain_sheet(later, [CHAIN_HEADER, ["甲公司", a, "工程机械", "整机", "中游"], ["乙公司", b, "工程机械", "整机", "中游"]])
    refused = redchain("load", later, "--full", "--chain", "电子信息", "--store", db)
    assert refused.exit_code == 1 and "文件中没有产业链 电子信息 的企业" in refused.output
    load(db, later, "--full")
    assert _chains_of(db) == {"甲公司": {"工程机械"}, "乙公司": {"工程机械"}}
