"""What a ledger (台账) re-import means for the graph, through the real `redchain load`
into a real SQLite store: placeholders and line breaks in name cells, blank cells that
clear, enterprises coming back into the base after --full, coverage, segments, formation
and pairings that follow the latest file whatever came before and whatever the row order."""

from __future__ import annotations

import json

from openpyxl import Workbook
from typer.testing import CliRunner

from api.cli.main import app
from graph.factory import open_store
from loaders.uscc import make_uscc

ENV = {"COLUMNS": "200", "REDCHAIN_STORE": None}
A, B, C, D = (make_uscc(f"91430100MA4LR{n:03d}X") for n in range(1, 5))


def redchain(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def ledger(path, header, *rows):
    book = Workbook()
    book.active.title = "台账"
    book.active.append(header)
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def load(db, path, *options, ok=True):
    """The --json report of an import; of a refused one, what it prints."""
    result = redchain("load", path, "--store", db, *options, *(["--json"] if ok else []))
    assert (result.exit_code == 0) is ok, result.output
    return json.loads(result.stdout) if ok else result.output


def graph(db) -> tuple[dict, set]:
    """({id: props}, {(type, source name, target name)})."""
    store = open_store(str(db))
    try:
        data = store.read()
    finally:
        store.close()
    names = {node.id: node.props.get("name", node.id) for node in data.nodes}
    return ({node.id: node.props for node in data.nodes},
            {(rel.type.value, names[rel.source], names[rel.target]) for rel in data.rels})


def labelled(db, label: str) -> set[str]:
    store = open_store(str(db))
    try:
        return {node.props["name"] for node in store.read().nodes if node.label.value == label}
    finally:
        store.close()


def test_placeholder_words_in_name_cells_are_blank_but_无_in_a_yes_no_column_stays_no(tmp_path):
    header = ["单位名称", "统一社会信用代码", "是否建立党组织", "党组织名称", "联系领导", "党建指导员", "结对单位"]
    path = ledger(tmp_path / "t.xlsx", header,
                  ["甲", A, "是", "甲党支部", "王五", "无", "暂无"],
                  ["乙", B, "无", "无", "——", "/", "-"],
                  ["丙", C, None, "—", "没有", "／", "无。"],
                  ["丁", D, None, "暂无", "李四、无", None, None])
    db = tmp_path / "x.db"
    load(db, path)
    assert labelled(db, "PartyOrg") == {"甲党支部"}
    assert labelled(db, "Leader") == {"王五", "李四"}
    assert labelled(db, "Instructor") == set() and labelled(db, "Unit") == set()


def test_a_line_break_separates_names_and_a_name_with_a_control_character_is_refused(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党组织名称", "联系领导"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "t.xlsx", header, ["甲", A, None, "王五\n赵六"], ["乙", B, None, "王五\r\n钱七"]))
    assert labelled(db, "Leader") == {"王五", "赵六", "钱七"}
    # (a line break inside one org's name is the cell wrapped: 甲⏎党支部 is 甲党支部, test_ledger_reading)
    refused = load(db, ledger(tmp_path / "bad.xlsx", header, ["甲", A, "甲\t党支部", "王五\t赵六"]), ok=False)
    assert "bad.xlsx:台账:2:党组织名称: 名称 '甲\\t党支部' 含换行或控制字符" in refused
    assert "bad.xlsx:台账:2:联系领导: 名称 '王五\\t赵六' 含换行或控制字符" in refused


def test_an_enterprise_a_full_import_moved_out_of_the_base_comes_back_when_a_row_lists_it(tmp_path):
    header = ["单位名称", "统一社会信用代码", "所属产业链"]
    december = ledger(tmp_path / "12月.xlsx", header, ["甲", A, "工程机械"], ["乙", B, "工程机械"], ["丙", C, "工程机械"])
    january = ledger(tmp_path / "1月.xlsx", header, ["甲", A, "工程机械"])
    db = tmp_path / "x.db"
    load(db, december)
    assert [e["id"] for e in load(db, january, "--full")["left_base"]] == [B, C]
    back = ledger(tmp_path / "2月.xlsx", header + ["纳入基数"], ["乙", B, "工程机械", None], ["丙", C, "工程机械", "否"])
    report = load(db, back)
    assert report["updated"]["Enterprise"] == 1
    nodes, _ = graph(db)
    assert "in_base" not in nodes[B] and "base_note" not in nodes[B]  # back in the base by default
    assert nodes[C]["in_base"] is False and nodes[C]["base_note"].startswith("未列入完整台账")


def test_a_blank_cell_in_a_column_the_file_has_removes_the_stored_value(tmp_path):
    header = ["单位名称", "统一社会信用代码", "所在园区", "党员人数", "党组织名称", "星级"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "麓谷园", 5, "甲党支部", "四星"], ["乙", B, "麓谷园", 3, None, None]))
    report = load(db, ledger(tmp_path / "2.xlsx", header, ["甲", A, "麓谷园", None, "甲党支部", None],
                             ["乙", B, None, 3, None, None]))
    assert {kind: n for kind, n in report["updated"].items() if n} == {"Enterprise": 2, "PartyOrg": 1}
    nodes, _ = graph(db)
    assert "party_members" not in nodes[A] and nodes[A]["park"] == "麓谷园"
    assert "park" not in nodes[B] and nodes[B]["party_members"] == 3
    (org,) = [props for props in nodes.values() if props.get("name") == "甲党支部"]
    assert "star" not in org
    # a column the file does not have says nothing
    load(db, ledger(tmp_path / "3.xlsx", ["单位名称", "统一社会信用代码"], ["乙", B]))
    assert graph(db)[0][B]["party_members"] == 3


def test_no_org_without_an_org_column_removes_the_coverage_and_a_chain_without_segments_keeps_them(tmp_path):
    header = ["单位名称", "统一社会信用代码", "所属产业链", "所属环节", "位置", "是否建立党组织", "党组织名称"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "工程机械", "液压件", "上游", "是", "甲党支部"],
                    ["乙", B, "工程机械", "整机", "下游", "是", "乙党支部"]))
    report = load(db, ledger(tmp_path / "2.xlsx", ["单位名称", "统一社会信用代码", "所属产业链", "是否建立党组织"],
                             ["甲", A, "工程机械", "否"], ["乙", B, "工程机械", "是"]))
    assert [(r["type"], r["source_name"], r["target"]) for r in report["removed_links"]] == [("COVERS", "甲党支部", A)]
    _, rels = graph(db)
    assert {r for r in rels if r[0] == "COVERS"} == {("COVERS", "乙党支部", "乙")}
    assert {r for r in rels if r[0] == "IN_SEGMENT"} == {("IN_SEGMENT", "甲", "液压件"), ("IN_SEGMENT", "乙", "整机")}


def test_the_formation_inferred_from_a_file_does_not_depend_on_earlier_files(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党组织名称"]
    one = ledger(tmp_path / "1.xlsx", header, ["甲", A, "联合党支部一"], ["乙", B, None])
    both = ledger(tmp_path / "2.xlsx", header, ["甲", A, "联合党支部一"], ["乙", B, "联合党支部一"])
    after, fresh = tmp_path / "after.db", tmp_path / "fresh.db"
    load(after, one)
    load(after, both)
    load(fresh, both)
    assert graph(after) == graph(fresh)
    assert [p["formation"] for p in graph(fresh)[0].values() if p.get("name") == "联合党支部一"] == ["joint"]
    stated = ledger(tmp_path / "3.xlsx", header + ["组建形式"], ["甲", A, "联合党支部一", "单建"], ["乙", B, None, None])
    load(fresh, stated)
    load(fresh, both)  # no formation cell: inferred again from this file
    assert [p["formation"] for p in graph(fresh)[0].values() if p.get("name") == "联合党支部一"] == ["joint"]
    committee = tmp_path / "party_orgs.csv"
    committee.write_text("id,name,level,formation\nPO9,工程机械产业链党委,党委,行业党委\n", encoding="utf-8")
    load(fresh, committee)
    load(fresh, ledger(tmp_path / "4.xlsx", header, ["甲", A, "工程机械产业链党委"]))
    assert graph(fresh)[0]["PO9"]["formation"] == "industry"  # inference only chooses standalone or joint


def test_a_category_saying_joint_states_the_formation_where_no_cell_does(tmp_path):
    # 组建形式 after 党组织类别, blank on 乙's row: the category's 联合 is the formation there
    header = ["单位名称", "统一社会信用代码", "党组织名称", "党组织类别", "组建形式"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "甲党支部", "党支部", None], ["乙", B, "麓谷支部", "联合党支部", None],
                    ["丙", C, "丙联合党委", "联合党委", None]))
    orgs = {p["name"]: (p["formation"], p["level"]) for p in graph(db)[0].values() if p.get("name", "").endswith(("支部", "党委"))}
    assert orgs == {"甲党支部": ("standalone", "branch"), "麓谷支部": ("joint", "branch"), "丙联合党委": ("joint", "committee")}
    refused = load(db, ledger(tmp_path / "2.xlsx", header, ["丙", C, "丙党支部", "联合党支部", "单建"]), ok=False)
    assert "2.xlsx:台账:2:组建形式: 党组织类别为“联合党支部”（联合组建），组建形式却不是联建" in refused


def test_a_blank_category_reads_as_the_default_again_so_a_second_import_changes_nothing(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党组织名称", "党组织类别"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "甲党支部", None], ["乙", B, "乙党委", "党委"]))
    before = graph(db)
    # the same rows with a 序号 column: read and checked again (not a repeat of the same cells)
    numbered = ledger(tmp_path / "2.xlsx", ["序号", *header], [1, "甲", A, "甲党支部", None], [2, "乙", B, "乙党委", "党委"])
    again = redchain("load", str(numbered), "--json", "--store", db)
    assert again.exit_code == 0, again.output
    assert not any(json.loads(again.stdout)["updated"].values()) and graph(db) == before


def test_phrases_saying_there_is_none_are_blank_but_names_starting_alike_stay(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党组织名称", "联系领导", "党建指导员", "结对单位"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "没有党组织", "暂无。", "未派", "暂无结对"],
                    ["乙", B, "无锡甲机械党支部", "无党员", "尚未安排", "未来科技有限公司"]))
    names = {p.get("name") for p in graph(db)[0].values()}
    assert {"无锡甲机械党支部", "未来科技有限公司"} <= names
    assert not names & {"没有党组织", "暂无。", "未派", "暂无结对", "无党员", "尚未安排"}


def test_a_partner_named_on_a_later_row_is_that_enterprise_whatever_the_row_order(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党组织名称", "结对单位"]
    ba = ledger(tmp_path / "ba.xlsx", header, ["乙配件", B, None, "甲重工"], ["甲重工", A, "甲重工党支部", None])
    ab = ledger(tmp_path / "ab.xlsx", header, ["甲重工", A, "甲重工党支部", None], ["乙配件", B, None, "甲重工"])
    first, second = tmp_path / "ba.db", tmp_path / "ab.db"
    load(first, ba)
    load(second, ab)
    assert graph(first) == graph(second)
    assert labelled(first, "Unit") == set()
    assert ("PAIRED_WITH", "甲重工", "乙配件") in graph(first)[1]
    load(first, ba)  # and the next import is not refused as ambiguous


def test_pairings_follow_the_enterprise_when_it_loses_its_org(tmp_path):
    header = ["单位名称", "统一社会信用代码", "是否建立党组织", "党组织名称", "结对单位"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "是", "甲党支部", "区财政局"]))
    report = load(db, ledger(tmp_path / "2.xlsx", header, ["甲", A, "否", None, "区财政局"]), "--dry-run")
    org = next(i for i, p in graph(db)[0].items() if p.get("name") == "甲党支部")
    assert sorted((r["type"], r["source_name"], r["target_name"], r["target"]) for r in report["removed_links"]) == [
        ("COVERS", "甲党支部", "甲", A), ("PAIRED_WITH", "区财政局", "甲党支部", org)]
    load(db, ledger(tmp_path / "2.xlsx", header, ["甲", A, "否", None, "区财政局"]))
    assert {r for r in graph(db)[1] if r[0] == "PAIRED_WITH"} == {("PAIRED_WITH", "区财政局", "甲")}

    # a file without an org column leaves the coverage, and so the org's pairings, alone
    kept = tmp_path / "kept.db"
    load(kept, ledger(tmp_path / "1.xlsx", header, ["甲", A, "是", "甲党支部", "区财政局"]))
    report = load(kept, ledger(tmp_path / "3.xlsx", ["单位名称", "统一社会信用代码", "结对单位"], ["甲", A, "区委办"]))
    assert report["removed_links"] == []
    assert {r for r in graph(kept)[1] if r[0] == "PAIRED_WITH"} == {("PAIRED_WITH", "区财政局", "甲党支部"),
                                                                     ("PAIRED_WITH", "区委办", "甲")}


def test_chains_and_segments_in_one_cell_are_paired_not_crossed(tmp_path):
    header = ["单位名称", "统一社会信用代码", "所属产业链", "所属环节", "位置"]
    db = tmp_path / "x.db"
    report = load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "工程机械", "液压件", "上游"],
                             ["乙", B, "工程机械、新能源", "液压件、电池", "上游"],
                             ["丙", C, "新能源、工程机械", "电池", "上游"]))
    _, rels = graph(db)
    assert {r for r in rels if r[0] in ("IN_SEGMENT", "PART_OF")} == {
        ("PART_OF", "液压件", "工程机械"), ("PART_OF", "电池", "新能源"), ("IN_SEGMENT", "甲", "液压件"),
        ("IN_SEGMENT", "乙", "液压件"), ("IN_SEGMENT", "乙", "电池"), ("IN_SEGMENT", "丙", "电池")}
    assert {c["name"] for c in report["created"].values() if c["label"] == "Segment"} == {"工程机械/液压件", "新能源/电池"}
    # a segment a later row makes is known to an earlier row naming several chains
    later = load(tmp_path / "z.db", ledger(tmp_path / "3.xlsx", header, ["乙", B, "工程机械、新能源", "电池", "上游"],
                                           ["丙", C, "新能源", "电池", "上游"]))
    assert {c["name"] for c in later["created"].values() if c["label"] == "Segment"} == {"新能源/电池"}
    refused = load(tmp_path / "y.db", ledger(tmp_path / "2.xlsx", header, ["乙", B, "工程机械、新能源", "液压件、电池、电机", "上游"]),
                   ok=False)
    assert "2.xlsx:台账:2:所属环节: 环节 液压件、电池、电机 不在所填的任何一条产业链中" in refused


def test_a_generic_org_name_stated_standalone_on_several_rows_is_refused(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党组织名称", "组建形式"]
    path = ledger(tmp_path / "t.xlsx", header, ["甲", A, "党支部", "单建"], ["乙", B, "乙党支部", "单建"],
                  ["丙", C, "党支部", "单建"])
    refused = load(tmp_path / "x.db", path, ok=False)
    assert "t.xlsx:台账:4:党组织名称: 单建 党组织 党支部 出现在多行（第2、4行）" in refused


def test_changes_shows_what_a_cleared_cell_changed(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党员人数", "经营状态"]
    db = tmp_path / "x.db"
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, 5, "在营"], ["乙", B, 1, "注销"]))
    load(db, ledger(tmp_path / "2.xlsx", header, ["甲", A, None, "在营"], ["乙", B, 1, None]))
    result = redchain("changes", "--json", "--store", db)
    assert result.exit_code == 0, result.output
    changed = json.loads(result.stdout)
    assert [e["id"] for e in changed["entered_base"]] == [B]  # 经营状态 cleared: active by default
    assert [(e["id"], e["remedy_before"], e["remedy_after"]) for e in changed["remedy_changed"]] == [
        (A, "standalone_needed", "instructor_needed")]  # 党员人数 cleared


def parents(tmp_path, *dbs):
    orgs = tmp_path / "party_orgs.csv"
    orgs.write_text("id,name,level,formation\nP1,园区党委,党委,单建\nP2,街道党委,党委,单建\n", encoding="utf-8")
    for db in dbs:
        load(db, orgs)


def test_rows_saying_two_things_of_one_org_are_refused_whatever_the_order(tmp_path):
    parents(tmp_path, tmp_path / "x.db", tmp_path / "y.db")
    header = ["单位名称", "统一社会信用代码", "党组织名称", "党组织类别", "星级", "上级党组织"]
    first, second = ["甲", A, "麓谷联合党支部", "党总支", "四星", "园区党委"], ["乙", B, "麓谷联合党支部", "党支部", "3星", "街道党委"]
    for rows in ((first, second), (second, first)):
        refused = load(tmp_path / "x.db", ledger(tmp_path / "t.xlsx", header, *rows), ok=False)
        for column in ("党组织类别", "星级", "上级党组织"):
            assert f"t.xlsx:台账:3:{column}: 党组织 麓谷联合党支部 的{column}与第2行不一致" in refused
    agreeing = ["乙", B, "麓谷联合党支部", None, "★★★★", "P1"]  # blank, or the same star and parent written otherwise
    load(tmp_path / "y.db", ledger(tmp_path / "u.xlsx", header, first, agreeing))


def test_a_blank_parent_cell_removes_the_stored_parent(tmp_path):
    header = ["单位名称", "统一社会信用代码", "党组织名称", "上级党组织"]
    db = tmp_path / "x.db"
    parents(tmp_path, db)
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "甲支部", "园区党委"]))
    assert [r[0] for r in graph(db)[1] if r[0] == "UNDER"] == ["UNDER"]
    load(db, ledger(tmp_path / "2.xlsx", header, ["甲", A, "甲支部", None]))
    assert [r for r in graph(db)[1] if r[0] == "UNDER"] == []


def test_a_blank_category_leaves_an_industry_committee_a_committee(tmp_path):
    db = tmp_path / "x.db"
    committee = tmp_path / "party_orgs.csv"
    committee.write_text("id,name,level,formation\nIC1,工程机械产业链党委,党委,行业党委\n", encoding="utf-8")
    load(db, committee)
    header = ["单位名称", "统一社会信用代码", "党组织名称", "党组织类别"]
    load(db, ledger(tmp_path / "1.xlsx", header, ["甲", A, "工程机械产业链党委", None], ["乙", B, "乙支部", None]))
    orgs = graph(db)[0]
    assert (orgs["IC1"]["level"], orgs["IC1"]["formation"]) == ("committee", "industry")


def test_rows_naming_several_chains_place_their_segments_whatever_their_order(tmp_path):
    header = ["单位名称", "统一社会信用代码", "所属产业链", "所属环节", "位置"]
    makes = ["甲", A, "工程机械、新能源", "液压件、电池", "上游"]  # new segments, paired by position
    finds = ["乙", B, "工程机械、新能源", "液压件", None]  # 液压件: only in 工程机械, once 甲's row made it
    links = []
    for n, rows in enumerate(((makes, finds), (finds, makes))):
        db = tmp_path / f"{n}.db"
        load(db, ledger(tmp_path / f"{n}.xlsx", header, *rows))
        links.append(sorted(r for r in graph(db)[1] if r[0] == "IN_SEGMENT"))
    assert links[0] == links[1] and len(links[0]) == 3

