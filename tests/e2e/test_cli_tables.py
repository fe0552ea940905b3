"""Human tables at the width of a plain terminal (80 columns): wrapped, never cut with "…"."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from loaders.demo import demo_tables, write_demo_csv

NARROW = {"COLUMNS": "80", "REDCHAIN_STORE": None}


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrow")
    write_demo_csv(demo_tables("district", 2024), folder / "csv")
    db = folder / "district.db"
    assert CliRunner().invoke(app, ["load", str(folder / "csv"), "--store", str(db)], env=NARROW).exit_code == 0
    return db


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args], env=NARROW)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_organisation_checks_show_the_whole_rule_they_cite(district):
    shown = run("gaps", "orgs", "--store", district)
    assert "…" not in shown
    assert max(map(len, shown.splitlines())) <= 80
    folded = "".join(line.strip() for line in shown.splitlines())
    assert "党员人数超过50人的" in folded.replace(" ", "")  # the rule's text, wrapped across lines


def test_history_fits_the_terminal_with_whole_dates(district):
    run("report", "--save", "--store", district)
    shown = run("history", "--store", district)
    assert "…" not in shown and max(map(len, shown.splitlines())) <= 80
    assert any(line.strip().startswith("20") and line.split()[0].count("-") == 2 for line in shown.splitlines())


def _cells(text: str) -> int:
    from api.core.exports import display_width
    return display_width(text)


def test_uncovered_list_keeps_every_code_whole_and_names_who_reaches_it(district):
    import json

    found = json.loads(run("gaps", "uncovered", "--json", "--store", district))
    shown = run("gaps", "uncovered", "--store", district)
    lines = shown.splitlines()
    assert max(map(_cells, lines)) <= 80
    assert all(any(u["id"] in line for line in lines) for u in found)  # an 18-character code never split
    reached = next(u for u in found if u["work_covered_by"])
    source = reached["work_covered_by"][0]
    assert any(f"（{source}）" in line for line in lines)  # a name with its code, not a bare id


def test_gap_sections_state_each_rule_once(district):
    from graph.analysis.pairing_gaps import RULE_CO_BUILDING

    shown = run("gaps", "pairing", "--store", district)
    assert max(map(_cells, shown.splitlines())) <= 80
    assert "".join(shown.split()).count("".join(RULE_CO_BUILDING.split())) == 1


@pytest.fixture(scope="module")
def small_chain(tmp_path_factory):
    """One chain: 上游 a (with a branch) → 中游 hub → 下游 b, c; 回收 has nobody (a base of 0)."""
    from loaders.uscc import make_uscc

    folder = tmp_path_factory.mktemp("chain")
    a, hub, b, c = (make_uscc(f"91430100MA4L0000{n}") for n in range(1, 5))
    (folder / "enterprises.csv").write_text(
        f"统一社会信用代码,名称,党员人数\n{a},甲材料有限公司,3\n{hub},枢纽装备有限公司,0\n"
        f"{b},乙整机有限公司,0\n{c},丙服务有限公司,1\n", encoding="utf-8")
    (folder / "chains.csv").write_text("编号,名称\nC1,工程机械\n", encoding="utf-8")
    (folder / "segments.csv").write_text(
        "编号,产业链,名称,位置\nC1 上游,C1,钢材,上游\nC1 中游,C1,部件,中游\nC1 下游,C1,整机,下游\n"
        "C1 回收,C1,回收,下游\n", encoding="utf-8")
    (folder / "enterprise_segments.csv").write_text(
        f"企业,环节\n{a},C1 上游\n{hub},C1 中游\n{b},C1 下游\n{c},C1 下游\n", encoding="utf-8")
    (folder / "party_orgs.csv").write_text("编号,名称,层级,组建方式\nP1,甲材料党支部,党支部,单独组建\n", encoding="utf-8")
    (folder / "org_coverage.csv").write_text(f"党组织,企业\nP1,{a}\n", encoding="utf-8")
    (folder / "supply_links.csv").write_text(f"供方,需方\n{a},{hub}\n{hub},{b}\n{hub},{c}\n", encoding="utf-8")
    db = folder / "chain.db"
    result = CliRunner().invoke(app, ["load", str(folder), "--store", str(db)], env=NARROW)
    assert result.exit_code == 0, result.output
    return db, hub


def test_chain_structure_reads_whole_at_80_columns(small_chain):
    """Rates, codes and segment ids stay whole, headers break between words, the
    ranking is named in Chinese, and a single point of failure shows where it sits."""
    import json

    db, hub = small_chain
    shown = run("chains", "structure", "C1", "--store", db)
    lines = shown.splitlines()
    assert "…" not in shown and max(map(_cells, lines)) <= 80
    assert all(any(code in line for line in lines) for code in ("C1 上游", "C1 中游", "C1 下游", "C1 回收", hub))
    rows = {}
    for line in lines:
        if line.strip():
            rows.setdefault(line.split()[0], line.split())  # the segments table comes first
    assert rows["钢材"][-1] == "100.00%" and rows["部件"][-1] == "0.00%"
    assert rows["回收"][2:] == ["0", "0", "0", "0", "0", "0.00%"]  # a base of 0 reads as report shows it
    assert json.loads(run("chains", "structure", "C1", "--json", "--store", db))["segments"][3]["org_coverage_rate"] == 0.0
    assert any(line.split()[:2] == ["纳入", "组织"] for line in lines)  # 纳入基数 over two whole lines
    assert "关键企业（按上下游供应网络中的重要度（PageRank）排序）" in lines and "pagerank" not in shown
    risk = next(line for line in lines if line.lstrip().startswith("唯一连接点"))
    assert risk.split()[1:3] == ["枢纽装备有限公司", "部件"]  # the segment it sits in


@pytest.mark.parametrize("kind", ["instructors", "contacts"])
def test_plans_keep_every_code_whole_with_one_reason_a_line(district, kind):
    import json

    plan = json.loads(run("plan", kind, "--json", "--store", district))
    shown = run("plan", kind, "--store", district)
    lines = shown.splitlines()
    assert max(map(_cells, lines)) <= 80  # ("…… 另有 N 个未列出" says the list goes on)
    assert plan["items"] and all(any(i["target"] in line for line in lines) for i in plan["items"])
    assert all(any(i["source"] in line for line in lines) for i in plan["items"])
    first = plan["items"][0]["reasons"]
    assert all(any(reason in line for line in lines) for reason in first if len(reason) <= 20)


def test_the_report_by_chain_keeps_every_chain_name_on_one_line(district):
    import json

    names = [g["name"] for g in json.loads(run("report", "--by", "chain", "--json", "--store", district))["groups"]]
    assert max(map(len, names)) == 8  # 新能源汽车零部件: eight characters, sixteen cells
    shown = run("report", "--by", "chain", "--store", district)
    assert max(map(_cells, shown.splitlines())) <= 80
    first = shown.split("党组织数量")[0].splitlines()  # the coverage table: eight figures a row
    for name in names:  # every name whole in its first column, on the line of its figures
        assert any(line.split()[:1] == [name] and len(line.split()) == 9 for line in first), name


def test_the_report_by_segment_keeps_nine_character_segment_names_on_one_line(district):
    import json

    names = [g["name"] for g in json.loads(run("report", "--by", "segment", "--json", "--store", district))["groups"]]
    assert max(map(len, names)) == 9  # 材料检测与应用服务, 矿产资源与基础原料: eighteen cells
    shown = run("report", "--by", "segment", "--store", district)
    assert max(map(_cells, shown.splitlines())) <= 80
    first = shown.split("党组织数量")[0].splitlines()
    for name in names:  # wrapped at 16 cells before: 数据中心与云服 / 务
        assert any(line.split()[:1] == [name] and len(line.split()) == 9 for line in first), name


def test_column_headers_break_between_words():
    from api.cli.common import two_lines

    assert two_lines("单独组建覆盖") == "单独组建\n覆盖"  # not 单独组 / 建覆盖
    assert two_lines("单独组建覆盖", 3) == "单独\n组建\n覆盖"
    assert two_lines("组织覆盖率") == "组织\n覆盖率"
    assert two_lines("其中单独组建") == "其中\n单独组建"
    assert two_lines("党组织数") == "党组织\n数"
    assert two_lines("有党员已覆盖", 3) == "有党员\n已覆盖"  # two lines where three are no narrower
    assert two_lines("未覆盖") == "未覆盖"
    assert two_lines("甲乙丙丁戊己") == "甲乙丙\n丁戊己"  # no known word: equal halves
