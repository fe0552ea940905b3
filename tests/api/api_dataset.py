"""A small district written by hand for the API tests: two chains, what belongs to each,
and a few enterprises whose text is a spreadsheet-formula payload.

Chain C01 (工程机械): enterprises E1 (leading, covered by O1), E2 (2 members, uncovered),
E3 (0 members, contacted by leader L1); org O1 paired with unit U1 and guided by I1;
committee OC1; alliance A1; leader L1 (张三).
Chain C02 (电子信息): E4 (covered by O2), E5, E6 (instructor I2 assigned); committee OC2;
alliance A2; leader L2 (李四); unit U2 paired with O2.
E1 supplies E4 across the chains: the scoped view must not follow that link.
"""

from __future__ import annotations

from pathlib import Path

from fixtures_import import write_csv
from graph.records import Node, Rel
from graph.schema import Label, RelType
from loaders.importer import import_paths
from loaders.uscc import make_uscc

from api.core.security import tokens
from api.core.security.principal import Role


UPLOAD_LIMIT = 256 * 1024  # the test servers' upload limit: small, so the 413 test sends little


def uscc(n: int) -> str:
    return make_uscc(f"9143010000000{n:04d}")


E1, E2, E3, E4, E5, E6 = (uscc(n) for n in range(1, 7))
PAYLOADS = {  # enterprise id -> name: each begins with a character a spreadsheet would evaluate
    uscc(11): '=HYPERLINK("http://evil.example","点我")',
    uscc(12): "+1+1",
    uscc(13): "-2+3",
    uscc(14): "@SUM(A1:A2)",
    uscc(15): "\t=1+1",
    uscc(16): "\r=1+1",
}
PAYLOAD_PARK = "=cmd|' /C calc'!A0"

C01_IDS = {"C01", "S01-1", "S01-2", E1, E2, E3, "O1", "OC1", "A1", "L1", "U1", "I1"}
C02_IDS = {"C02", "S02-1", "S02-2", E4, E5, E6, "O2", "OC2", "A2", "L2", "U2", "I2"}
C02_NAMES = {"电子信息", "芯片设计公司", "封装测试公司", "显示面板公司", "电子党支部", "李四", "赵六", "街道办", "电子信息产业链党委", "电子联盟"}
PEOPLE_NAMES = {"张三", "李四", "王五", "赵六"}

TABLES = {
    "chains": [["id", "name"], ["C01", "工程机械"], ["C02", "电子信息"]],
    "segments": [
        ["id", "chain", "name", "stage", "order"],
        ["S01-1", "C01", "液压件", "上游", 1],
        ["S01-2", "C01", "整机", "下游", 2],
        ["S02-1", "C02", "芯片", "上游", 1],
        ["S02-2", "C02", "终端", "中游", 2],
    ],
    "enterprises": [
        ["id", "name", "park", "street", "employees", "party_members", "leading", "above_scale"],
        [E1, "重工集团", "麓谷", "麓谷街道", 5000, 50, True, True],
        [E2, "液压配件厂", "麓谷", "麓谷街道", 40, 2, False, False],
        [E3, "整机销售公司", "麓谷", "东方红街道", 12, 0, False, False],
        [E4, "芯片设计公司", "岳麓", "岳麓街道", 300, 5, False, True],
        [E5, "封装测试公司", "岳麓", "岳麓街道", 80, 1, False, False],
        [E6, "显示面板公司", "岳麓", "岳麓街道", 20, 0, False, False],
    ],
    "enterprise_segments": [
        ["enterprise", "segment"],
        [E1, "S01-2"], [E2, "S01-1"], [E3, "S01-2"], [E4, "S02-1"], [E5, "S02-2"], [E6, "S02-2"],
    ],
    "supply_links": [["supplier", "customer", "product"], [E2, E1, "液压缸"], [E4, E5, "芯片"], [E1, E4, "工程车"]],
    "party_orgs": [
        ["id", "name", "level", "formation", "members", "star"],
        ["O1", "重工党支部", "党支部", "单独组建", 50, 5],
        ["O2", "电子党支部", "党支部", "单独组建", 5, 2],
        ["OC1", "工程机械产业链党委", "党委", "行业党委", None, None],
        ["OC2", "电子信息产业链党委", "党委", "行业党委", None, None],
    ],
    "org_coverage": [["org", "enterprise"], ["O1", E1], ["O2", E4]],
    "chain_committees": [["org", "chain"], ["OC1", "C01"], ["OC2", "C02"]],
    "units": [["id", "name", "kind"], ["U1", "工信局", "部门"], ["U2", "街道办", "街道"]],
    "pairings": [["from", "to"], ["U1", "O1"], ["U2", "O2"]],
    "leaders": [["id", "name", "title", "capacity"], ["L1", "张三", "书记", 3], ["L2", "李四", "主任", 3]],
    "leader_chains": [["leader", "chain"], ["L1", "C01"], ["L2", "C02"]],
    "contacts": [["leader", "target"], ["L1", E3], ["L2", "O2"]],
    "instructors": [["id", "name", "kind"], ["I1", "王五", "党建指导员"], ["I2", "赵六", "第一书记"]],
    "instructor_assignments": [["instructor", "target"], ["I1", "O1"], ["I2", E6]],
    "alliances": [["id", "name", "chain"], ["A1", "工程机械联盟", "C01"], ["A2", "电子联盟", "C02"]],
    "alliance_members": [["alliance", "member", "role"], ["A1", E1, "主任单位"], ["A1", "U1", "成员单位"], ["A2", E4, "主任单位"]],
}

TOKEN_SPECS = {
    "admin": (Role.ADMIN, None),
    "editor": (Role.EDITOR, None),
    "viewer": (Role.VIEWER, None),
    "viewer_c01": (Role.VIEWER, ["C01"]),
    "editor_c01": (Role.EDITOR, ["C01"]),
    "admin_c01": (Role.ADMIN, ["C01"]),
    "viewer_both": (Role.VIEWER, ["C01", "C02"]),
    "revoked": (Role.ADMIN, None),
}


def build(store, folder: Path) -> dict[str, str]:
    """Import the district into ``store`` and create one token per spec; returns the tokens."""
    import_paths(store, write_csv(folder, TABLES))
    # Written directly: the importer trims the tab and CR these names begin with.
    store.write(
        [Node(Label.ENTERPRISE, e, {"name": name, "park": PAYLOAD_PARK, "party_members": 0}) for e, name in PAYLOADS.items()],
        [Rel(RelType.IN_SEGMENT, e, "S01-1") for e in PAYLOADS],
    )
    made = {name: tokens.create_token(store, role, chains, note=name) for name, (role, chains) in TOKEN_SPECS.items()}
    tokens.revoke_token(store, made["revoked"][1].id)
    return {name: text for name, (text, _) in made.items()}
