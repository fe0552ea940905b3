"""The demo generator: deterministic, well-formed, shaped like the seeds, and with gaps."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from graph.schema import (
    ALLIANCE_ROLES,
    ENTERPRISE_KINDS,
    ENTERPRISE_STATUS,
    FORMATIONS,
    INSTRUCTOR_KINDS,
    ORG_LEVELS,
    PAIRING_KINDS,
    STAGES,
    UNIT_KINDS,
)
from loaders.demo import SCALES, TABLES, demo_tables, write_demo_csv
from loaders.uscc import is_valid_uscc

ROOT = Path(__file__).resolve().parents[2]

# (table, column) -> the tables its id may name. Blank cells are allowed only in
# party_orgs.parent (a top-level org has no parent).
ENDS = {
    ("segments", "chain"): {"chains"},
    ("enterprise_segments", "enterprise"): {"enterprises"},
    ("enterprise_segments", "segment"): {"segments"},
    ("supply_links", "supplier"): {"enterprises"},
    ("supply_links", "customer"): {"enterprises"},
    ("party_orgs", "parent"): {"party_orgs"},
    ("org_coverage", "org"): {"party_orgs"},
    ("org_coverage", "enterprise"): {"enterprises"},
    ("chain_committees", "org"): {"party_orgs"},
    ("chain_committees", "chain"): {"chains"},
    ("pairings", "from"): {"units", "party_orgs", "enterprises"},
    ("pairings", "to"): {"party_orgs", "enterprises"},
    ("leader_chains", "leader"): {"leaders"},
    ("leader_chains", "chain"): {"chains"},
    ("contacts", "leader"): {"leaders"},
    ("contacts", "target"): {"party_orgs", "enterprises"},
    ("instructor_assignments", "instructor"): {"instructors"},
    ("instructor_assignments", "target"): {"party_orgs", "enterprises"},
    ("alliances", "chain"): {"chains"},
    ("alliance_members", "alliance"): {"alliances"},
    ("alliance_members", "member"): {"enterprises", "party_orgs", "units"},
}
RELATIONSHIP_TABLES = {
    "enterprise_segments": ("enterprise", "segment"),
    "supply_links": ("supplier", "customer"),
    "org_coverage": ("org", "enterprise"),
    "chain_committees": ("org", "chain"),
    "pairings": ("from", "to"),
    "leader_chains": ("leader", "chain"),
    "contacts": ("leader", "target"),
    "instructor_assignments": ("instructor", "target"),
    "alliance_members": ("alliance", "member"),
}
ENTITY_TABLES = ("enterprises", "chains", "segments", "party_orgs", "units", "leaders", "instructors", "alliances")
ENUMS = {
    ("enterprises", "kind"): ENTERPRISE_KINDS,
    ("enterprises", "status"): ENTERPRISE_STATUS,
    ("segments", "stage"): STAGES,
    ("party_orgs", "level"): ORG_LEVELS,
    ("party_orgs", "formation"): FORMATIONS,
    ("units", "kind"): UNIT_KINDS,
    ("pairings", "kind"): PAIRING_KINDS,
    ("instructors", "kind"): INSTRUCTOR_KINDS,
    ("alliance_members", "role"): ALLIANCE_ROLES,
}
BOOLEANS = [("enterprises", c) for c in ("above_scale", "leading", "in_base")] + [("party_orgs", "demonstration")]
INTEGERS = {  # (table, column) -> (minimum, maximum, blank allowed)
    ("enterprises", "employees"): (0, None, False),
    ("enterprises", "party_members"): (0, None, False),
    ("segments", "order"): (1, None, False),
    ("party_orgs", "members"): (0, None, True),
    ("party_orgs", "star"): (1, 5, True),
    ("leaders", "capacity"): (0, None, False),
    ("leaders", "min_contacts"): (0, None, False),
}
STAGES_RANK = {"上游": 0, "中游": 1, "下游": 2}
DATES = [("pairings", "since"), ("contacts", "since"), ("instructor_assignments", "since"), ("alliances", "founded")]


@pytest.fixture(scope="module")
def small():
    return demo_tables("small", seed=2024)


@pytest.fixture(scope="module")
def district():
    return demo_tables("district", seed=2024)


@pytest.fixture(scope="module", params=["small", "district"])
def tables(request, small, district):
    return {"small": small, "district": district}[request.param]


def ids(tables, table):
    return {row["id"] for row in tables[table]}


def eligible(tables):
    return [e for e in tables["enterprises"] if e["in_base"] == "是" and e["status"] == "在营"]


def covered(tables):
    return {r["enterprise"] for r in tables["org_coverage"]}


# -- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_tables(small, district):
    assert demo_tables("small", seed=2024) == small
    assert demo_tables("district", seed=2024) == district


def test_different_seed_gives_different_tables(small):
    other = demo_tables("small", seed=2025)
    assert other != small
    assert ids(other, "enterprises") != ids(small, "enterprises")


def test_output_does_not_depend_on_the_hash_seed():
    script = (
        "import hashlib, json; from loaders.demo import demo_tables; "
        "print(hashlib.sha256(json.dumps(demo_tables('small', 7), ensure_ascii=False).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        digests.add(done.stdout.strip())
    expected = hashlib.sha256(json.dumps(demo_tables("small", 7), ensure_ascii=False).encode()).hexdigest()
    assert digests == {expected}


def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="small, district, city"):
        demo_tables("huge")
    with pytest.raises(ValueError):
        demo_tables(0)


def test_a_number_of_enterprises_is_a_scale():
    assert len(demo_tables(200, seed=1)["enterprises"]) == 200


# -- shape ---------------------------------------------------------------------------------


def test_tables_and_columns_follow_the_import_format(tables):
    assert list(tables) == list(TABLES)
    for table, rows in tables.items():
        for row in rows:
            assert tuple(row) == TABLES[table], table
            assert all(isinstance(v, str) for v in row.values()), table


def test_sizes_per_scale(small, district):
    assert len(small["enterprises"]) == SCALES["small"] == 60
    assert len(district["enterprises"]) == SCALES["district"] == 1_000
    assert len(small["leaders"]) == 8  # at least 8
    assert len(district["leaders"]) == 20  # one per 50 enterprises
    assert 2.5 <= len(district["supply_links"]) / 1_000 <= 3.6
    assert 250 <= len(district["party_orgs"]) <= 450
    assert len(district["instructors"]) == 33


def test_chains_have_two_to_four_segments_per_stage(tables):
    names = {c["name"] for c in tables["chains"]}
    assert {"工程机械", "新一代信息技术", "新能源汽车零部件", "生物医药", "新材料"} <= names
    per_stage = Counter((s["chain"], s["stage"]) for s in tables["segments"])
    assert set(per_stage) == {(c, st) for c in ids(tables, "chains") for st in ("上游", "中游", "下游")}
    assert all(2 <= n <= 4 for n in per_stage.values())
    orders = [(s["chain"], STAGES_RANK[s["stage"]], int(s["order"])) for s in tables["segments"]]
    assert sorted(orders) == sorted(orders, key=lambda o: (o[0], o[2]))  # order follows the stage


def test_every_uscc_is_valid_and_unique(tables):
    codes = [e["id"] for e in tables["enterprises"]]
    assert all(is_valid_uscc(c) for c in codes)
    assert len(set(codes)) == len(codes)
    for e in tables["enterprises"]:
        assert e["id"][:2] in (("91",) if e["kind"] == "企业" else ("51", "52"))  # 工商 enterprise / 民政 social org
        assert e["id"][2:4] == "43"  # 湖南


def test_enterprise_names_are_unique_and_plausible(tables):
    names = [e["name"] for e in tables["enterprises"]]
    assert len(set(names)) == len(names)
    companies = [e["name"] for e in tables["enterprises"] if e["kind"] == "企业"]
    assert all(n.endswith("有限公司") for n in companies)
    assert all("长沙" in n or "湖南" in n for n in companies)  # 长沙X有限公司, 湖南X有限公司, X（长沙）有限公司


def test_ids_are_unique_across_the_dataset(tables):
    seen = Counter(row["id"] for table in ENTITY_TABLES for row in tables[table])
    assert [i for i, n in seen.items() if n > 1] == []


def test_every_relationship_end_exists(tables):
    table_of = {row["id"]: table for table in ENTITY_TABLES for row in tables[table]}
    for (table, column), allowed in ENDS.items():
        for row in tables[table]:
            value = row[column]
            if table == "party_orgs" and value == "":
                continue
            assert table_of.get(value) in allowed, (table, column, value)


def test_relationship_rows_are_not_repeated(tables):
    for table, (a, b) in RELATIONSHIP_TABLES.items():
        pairs = [(row[a], row[b]) for row in tables[table]]
        assert len(set(pairs)) == len(pairs), table
        assert all(x != y for x, y in pairs), table


def test_values_are_legal_chinese_words(tables):
    for (table, column), choices in ENUMS.items():
        used = {row[column] for row in tables[table]}
        assert used <= set(choices.values()), (table, column, used)
    for table, column in BOOLEANS:
        assert {row[column] for row in tables[table]} <= {"是", "否"}
    for (table, column), (low, high, blank) in INTEGERS.items():
        for row in tables[table]:
            value = row[column]
            if value == "" and blank:
                continue
            assert re.fullmatch(r"\d+", value), (table, column, value)
            assert int(value) >= low and (high is None or int(value) <= high), (table, column, value)
    for table, column in DATES:
        for row in tables[table]:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[column])
            assert date(2019, 1, 1) <= date.fromisoformat(row[column]) <= date(2024, 12, 31)


# -- realism -------------------------------------------------------------------------------


def test_enterprises_look_like_a_zone(district):
    rows = district["enterprises"]
    employees = sorted(int(e["employees"]) for e in rows)
    assert employees[len(employees) // 2] < sum(employees) / len(employees)  # skewed: many small, few large
    assert employees[-1] >= 1_000
    members = Counter(min(int(e["party_members"]), 3) for e in rows)
    assert members[0] >= 300 and members[3] >= 100 and members[1] + members[2] >= 150
    assert 20 <= sum(e["kind"] == "社会组织" for e in rows) <= 60
    assert 5 <= sum(e["leading"] == "是" for e in rows) <= 25
    assert 80 <= sum(e["above_scale"] == "是" for e in rows) <= 300
    statuses = Counter(e["status"] for e in rows)
    assert statuses["注销"] >= 1 and statuses["迁出"] >= 1 and statuses["在营"] >= 950
    assert 1 <= sum(e["in_base"] == "否" for e in rows) <= 50
    leading = [e for e in rows if e["leading"] == "是"]
    assert all(e["above_scale"] == "是" and int(e["employees"]) >= 1_000 for e in leading)


def test_supply_links_mostly_follow_the_chain(district):
    segment = {s["id"]: s for s in district["segments"]}
    first_segment = {}
    for row in district["enterprise_segments"]:
        first_segment.setdefault(row["enterprise"], segment[row["segment"]])
    forward = 0
    for link in district["supply_links"]:
        a, b = first_segment[link["supplier"]], first_segment[link["customer"]]
        forward += a["chain"] == b["chain"] and int(a["order"]) < int(b["order"])
        assert link["product"]
    assert forward >= 0.85 * len(district["supply_links"])
    assert forward < len(district["supply_links"])  # and some noise


def test_standalone_orgs_cover_one_enterprise_with_three_members(tables):
    by_org = {}
    for row in tables["org_coverage"]:
        by_org.setdefault(row["org"], []).append(row["enterprise"])
    enterprise = {e["id"]: e for e in tables["enterprises"]}
    stale, grown = [], []
    for org in tables["party_orgs"]:
        covers = by_org.get(org["id"], [])
        if org["formation"] == "单独组建":
            active = [e for e in covers if enterprise[e]["status"] == "在营"]
            stale.extend(e for e in covers if e not in active)
            assert len(active) == 1
            assert int(enterprise[active[0]]["party_members"]) >= 3
            if org["members"] != enterprise[active[0]]["party_members"]:
                grown.append(org["id"])
                assert org["level"] == "党支部" and int(org["members"]) > 50
        elif org["formation"] == "联合组建" and covers:
            assert 2 <= len(covers) <= 5
            assert len({enterprise[e]["park"] for e in covers}) == 1
            assert all(int(enterprise[e]["party_members"]) <= 2 for e in covers)
            assert org["level"] == "党支部"
    # register drift left in on purpose, for the organisation checks to find
    assert len(stale) == 1 and len(grown) == 1


def test_one_industry_committee_per_chain_and_parents(tables):
    committees = {r["chain"]: r["org"] for r in tables["chain_committees"]}
    assert set(committees) == ids(tables, "chains")
    org = {o["id"]: o for o in tables["party_orgs"]}
    assert all(org[c]["formation"] == "行业党委" and org[c]["level"] == "党委" for c in committees.values())
    enterprise_orgs = [o for o in tables["party_orgs"] if o["formation"] != "行业党委" and o["parent"]]
    parents = {org[o["parent"]]["level"] for o in enterprise_orgs}
    assert parents == {"党委"}
    assert len(enterprise_orgs) >= 0.9 * sum(o["level"] != "党委" for o in tables["party_orgs"])


def test_leaders_mostly_contact_their_chains(district):
    chains_of_leader = {}
    for row in district["leader_chains"]:
        chains_of_leader.setdefault(row["leader"], set()).add(row["chain"])
    assert set(chains_of_leader) == ids(district, "leaders")
    assert {c for cs in chains_of_leader.values() for c in cs} == ids(district, "chains")
    segment_chain = {s["id"]: s["chain"] for s in district["segments"]}
    chains_of = {}
    for row in district["enterprise_segments"]:
        chains_of.setdefault(row["enterprise"], set()).add(segment_chain[row["segment"]])
    for row in district["org_coverage"]:
        chains_of.setdefault(row["org"], set()).update(chains_of.get(row["enterprise"], ()))
    inside = sum(bool(chains_of.get(c["target"], set()) & chains_of_leader[c["leader"]]) for c in district["contacts"])
    assert inside >= 0.7 * len(district["contacts"])
    capacities = [int(leader["capacity"]) for leader in district["leaders"]]
    assert min(capacities) >= 2 and max(capacities) <= 5


def test_instructors_go_to_uncovered_enterprises_or_weak_orgs(district):
    uncovered = {e["id"] for e in eligible(district)} - covered(district)
    weak = {o["id"] for o in district["party_orgs"] if o["star"] in ("", "1", "2") and o["formation"] != "行业党委"}
    targets = [a["target"] for a in district["instructor_assignments"]]
    assert set(targets) <= uncovered | weak
    assert uncovered & set(targets) and weak & set(targets)
    assert uncovered - set(targets)  # not every uncovered enterprise has one
    assert {i["kind"] for i in district["instructors"]} == {"党建指导员", "第一书记"}


def test_leading_orgs_bring_some_partners_but_not_all(district):
    kinds = Counter(p["kind"] for p in district["pairings"])
    assert kinds["结对共建"] and kinds["支部联建"] and kinds["龙头带动"]
    unit_ids = ids(district, "units")
    by_unit = Counter(p["from"] for p in district["pairings"] if p["from"] in unit_ids)
    assert all(1 <= n <= 3 for n in by_unit.values())


# -- gaps ----------------------------------------------------------------------------------


def test_coverage_leaves_realistic_gaps(tables):
    base = eligible(tables)
    done = covered(tables)
    rate = sum(e["id"] in done for e in base) / len(base)
    assert 0.75 <= rate <= 0.92
    uncovered = [e for e in base if e["id"] not in done]
    members = Counter(min(int(e["party_members"]), 3) for e in uncovered)
    assert members[0] and members[3] and members[1] + members[2]  # each remedy is needed
    assert any(e["above_scale"] == "是" and int(e["party_members"]) >= 3 for e in uncovered)  # a key one


def test_pairing_gaps_exist(tables):
    ends = {p["from"] for p in tables["pairings"]} | {p["to"] for p in tables["pairings"]}
    enterprise_orgs = {r["org"] for r in tables["org_coverage"]}
    assert enterprise_orgs - ends  # orgs nobody pairs with
    idle = [u for u in tables["units"] if u["id"] not in ends]
    assert {u["kind"] for u in idle} >= {"部门", "街道"}
    assert len(idle) <= 3


def test_contact_gaps_exist(tables):
    per_leader = Counter(c["leader"] for c in tables["contacts"])
    leaders = tables["leaders"]
    assert any(per_leader[leader["id"]] == 0 for leader in leaders)
    assert sum(per_leader[leader["id"]] > int(leader["capacity"]) for leader in leaders) == 1


def test_alliance_gaps_exist(tables):
    with_alliance = {a["chain"] for a in tables["alliances"]}
    assert len(ids(tables, "chains") - with_alliance) == 1
    members = {m["member"] for m in tables["alliance_members"]}
    org_of = {r["enterprise"]: r["org"] for r in tables["org_coverage"]}
    leading = [e["id"] for e in tables["enterprises"] if e["leading"] == "是"]
    assert any(e not in members and org_of.get(e) not in members for e in leading)
    for alliance in tables["alliances"]:
        roles = Counter(m["role"] for m in tables["alliance_members"] if m["alliance"] == alliance["id"])
        assert roles["主任单位"] == 1 and roles["副主任单位"] >= 1 and roles["成员单位"] >= 1


# -- CSV -----------------------------------------------------------------------------------


def test_write_demo_csv_round_trips(small, tmp_path):
    paths = write_demo_csv(small, tmp_path / "out")
    assert [p.name for p in paths] == [f"{t}.csv" for t in TABLES]
    for path in paths:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            assert tuple(reader.fieldnames) == TABLES[path.stem]
            assert list(reader) == small[path.stem]


def test_write_demo_csv_writes_headers_of_empty_tables_and_a_bom_on_request(tmp_path):
    [path] = write_demo_csv({"chains": []}, tmp_path, encoding="utf-8-sig")
    assert path.read_bytes() == "\ufeffid,name\r\n".encode("utf-8")
