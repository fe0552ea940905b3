"""A synthetic high-tech zone: enterprises along industry chains and the party work around them.

The demo is shaped like the zones in the seed articles: industry chains split into
upstream / midstream / downstream segments (长沙高新区 "把党委建在产业链上"), one industry
committee per chain, standalone branches in enterprises with three or more members and
joint branches for small neighbours in the same park (鹿寨: 34 orgs, 26 standalone and 8
joint, covering 55 of 65 enterprises), star ratings and demonstration sites, units that
pair with organisations (南湖: every department and street helps an org), leaders with
contact points in the chains they are responsible for, instructors and first secretaries
sent to uncovered enterprises and weak organisations, leading enterprises bringing their
suppliers along ("1+X"), and chain alliances with director and deputy units.

It also leaves the gaps the analyses are there to find: enterprises without an org (some
with three or more members, one of them above designated size), organisations nobody
pairs with, idle units, a leader without contact points and one over capacity, a chain
without an alliance and a leading enterprise outside its chain's alliance.

Everything is drawn from one ``random.Random(seed)`` and no set is ever iterated, so the
same seed gives the same tables in every process.

>>> tables = demo_tables("small", seed=1)
>>> sorted(tables) == sorted(TABLES)
True
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from pathlib import Path

from loaders.uscc import make_uscc

SCALES: dict[str, int] = {"small": 60, "district": 1_000, "city": 100_000}

# Table name -> columns, in the order of the import format (DESIGN.md).
TABLES: dict[str, tuple[str, ...]] = {
    "enterprises": (
        "id", "name", "kind", "park", "street", "employees", "party_members",
        "above_scale", "leading", "in_base", "status",
    ),
    "chains": ("id", "name"),
    "segments": ("id", "chain", "name", "stage", "order"),
    "enterprise_segments": ("enterprise", "segment"),
    "supply_links": ("supplier", "customer", "product"),
    "party_orgs": ("id", "name", "level", "formation", "members", "star", "parent", "demonstration"),
    "org_coverage": ("org", "enterprise"),
    "chain_committees": ("org", "chain"),
    "units": ("id", "name", "kind"),
    "pairings": ("from", "to", "kind", "since"),
    "leaders": ("id", "name", "title", "unit", "capacity", "min_contacts"),
    "leader_chains": ("leader", "chain"),
    "contacts": ("leader", "target", "since"),
    "instructors": ("id", "name", "kind", "unit"),
    "instructor_assignments": ("instructor", "target", "since"),
    "alliances": ("id", "name", "chain", "founded"),
    "alliance_members": ("alliance", "member", "role"),
}

_YES, _NO = "是", "否"
UPSTREAM, MIDSTREAM, DOWNSTREAM = "上游", "中游", "下游"
_STAGE_RANK = {UPSTREAM: 0, MIDSTREAM: 1, DOWNSTREAM: 2}

# ---------------------------------------------------------------------------------------
# Vocabulary. A segment is (stage, name, industry words for firm names, products).

_CHAIN_CATALOGUE: tuple[tuple[str, float, tuple[str, ...], tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]], ...] = (
    ("工程机械", 1.0, ("智能制造产业园", "麓谷产业园"), (
        (UPSTREAM, "钢材与铸锻件", ("精密铸造", "锻造", "特钢材料", "金属制品"), ("特种钢板", "铸件", "锻件", "焊接结构件")),
        (UPSTREAM, "液压件", ("液压科技", "液压机械", "流体传动"), ("液压油缸", "液压泵", "多路阀")),
        (UPSTREAM, "发动机与传动", ("动力科技", "传动机械", "齿轮"), ("柴油发动机", "变速箱", "驱动桥")),
        (MIDSTREAM, "整机制造", ("重工", "机械制造", "工程机械"), ("挖掘机", "起重机", "混凝土泵车")),
        (MIDSTREAM, "关键部件总成", ("机械部件", "智能装备", "电控科技"), ("回转支承", "驾驶室总成", "电控系统")),
        (DOWNSTREAM, "租赁与再制造", ("设备租赁", "再制造", "机械服务"), ("设备租赁服务", "再制造整机")),
        (DOWNSTREAM, "销售与售后服务", ("机械销售", "工程设备", "设备服务"), ("整机销售", "维修服务", "配件供应")),
    )),
    ("新一代信息技术", 1.4, ("信息港园区", "中电软件园"), (
        (UPSTREAM, "集成电路设计", ("微电子", "芯片科技", "半导体"), ("MCU芯片", "功率器件", "存储芯片")),
        (UPSTREAM, "电子元器件", ("电子科技", "电子元件", "光电科技"), ("PCB板", "传感器", "连接器")),
        (UPSTREAM, "基础软件", ("软件技术", "信息技术", "数据科技"), ("操作系统", "数据库", "中间件")),
        (MIDSTREAM, "智能终端制造", ("智能科技", "通信设备", "电子设备"), ("工业平板", "通信模组", "智能终端")),
        (MIDSTREAM, "软件与信息服务", ("软件", "信息科技", "网络科技"), ("应用软件", "系统集成服务", "定制开发")),
        (DOWNSTREAM, "数据中心与云服务", ("云计算", "数据服务", "网络技术"), ("云主机服务", "数据存储服务")),
        (DOWNSTREAM, "行业应用集成", ("智慧科技", "数字技术", "信息系统"), ("智慧园区方案", "工业互联网平台", "政务信息系统")),
    )),
    ("新能源汽车零部件", 1.0, ("汽车零部件产业园", "尖山湖科创园"), (
        (UPSTREAM, "动力电池材料", ("锂电材料", "新能源材料", "电池材料"), ("正极材料", "负极材料", "电解液", "隔膜")),
        (UPSTREAM, "电机电控", ("电机", "电驱科技", "电气"), ("驱动电机", "电机控制器")),
        (UPSTREAM, "汽车电子", ("汽车电子", "车联科技", "电子技术"), ("车载控制器", "线束", "车载传感器")),
        (MIDSTREAM, "动力电池", ("电池科技", "储能科技", "新能源科技"), ("动力电池包", "电芯", "电池管理系统")),
        (MIDSTREAM, "车身与底盘部件", ("汽车部件", "汽车零部件", "精密制造"), ("底盘结构件", "车身冲压件", "制动系统")),
        (DOWNSTREAM, "整车配套", ("汽车科技", "新能源汽车", "汽车工业"), ("整车", "专用车")),
        (DOWNSTREAM, "充换电服务", ("充电科技", "能源服务", "新能源服务"), ("充电桩", "换电服务", "充电运营")),
    )),
    ("生物医药", 0.8, ("生物医药产业园",), (
        (UPSTREAM, "原料药与中间体", ("医药化工", "生物化工", "药业原料"), ("原料药", "医药中间体")),
        (UPSTREAM, "医药研发外包", ("医药研发", "生物技术", "医药科技"), ("临床前研究服务", "临床试验服务")),
        (UPSTREAM, "医用材料", ("医用材料", "生物材料", "医疗用品"), ("医用高分子材料", "药用包材")),
        (MIDSTREAM, "化学制药", ("制药", "药业", "医药"), ("化学制剂", "仿制药")),
        (MIDSTREAM, "生物制品", ("生物制药", "生物科技", "基因技术"), ("疫苗", "诊断试剂", "抗体药物")),
        (MIDSTREAM, "医疗器械", ("医疗器械", "医疗科技", "医疗设备"), ("影像设备", "体外诊断设备", "手术器械")),
        (DOWNSTREAM, "医药流通", ("医药贸易", "医药物流", "医药连锁"), ("药品配送", "医药零售")),
        (DOWNSTREAM, "医疗健康服务", ("健康管理", "医学检验", "健康科技"), ("第三方检验服务", "健康管理服务")),
    )),
    ("新材料", 0.8, ("新材料产业园", "麓谷产业园"), (
        (UPSTREAM, "矿产资源与基础原料", ("矿业", "稀土材料", "有色金属"), ("有色金属原料", "稀土氧化物", "合金粉末")),
        (UPSTREAM, "化工原料", ("化工", "化学", "精细化工"), ("基础化工原料", "树脂", "助剂")),
        (MIDSTREAM, "先进金属材料", ("金属材料", "合金材料", "粉末冶金"), ("硬质合金", "高温合金", "铝合金型材")),
        (MIDSTREAM, "先进陶瓷与碳材料", ("陶瓷科技", "碳材料", "新材料"), ("碳纤维", "先进陶瓷", "石墨烯材料")),
        (MIDSTREAM, "高分子材料", ("高分子材料", "塑胶科技", "新材料科技"), ("工程塑料", "功能薄膜", "特种涂料")),
        (DOWNSTREAM, "复合材料制品", ("复合材料", "材料制品", "新材料应用"), ("复合材料构件", "功能涂层制品")),
        (DOWNSTREAM, "材料检测与应用服务", ("检测技术", "材料技术服务", "检验认证"), ("材料检测服务", "应用技术服务")),
    )),
    # Only at city scale.
    ("智能制造装备", 0.7, ("智能制造产业园", "湘江智谷"), (
        (UPSTREAM, "工业传感器", ("传感技术", "测控技术", "仪器仪表"), ("压力传感器", "视觉传感器")),
        (UPSTREAM, "数控系统与伺服", ("数控技术", "伺服科技", "自动化"), ("数控系统", "伺服电机", "减速器")),
        (MIDSTREAM, "工业机器人", ("机器人", "智能装备", "自动化设备"), ("工业机器人", "协作机器人")),
        (MIDSTREAM, "智能产线", ("智能制造", "自动化技术", "装备制造"), ("自动化产线", "智能仓储设备")),
        (DOWNSTREAM, "系统集成服务", ("系统集成", "智能技术", "工程技术"), ("产线集成服务", "技改服务")),
        (DOWNSTREAM, "工业互联网服务", ("工业互联网", "数字科技", "云科技"), ("设备上云服务", "工业APP")),
    )),
    ("航空航天", 0.5, ("通航产业园",), (
        (UPSTREAM, "航空材料", ("航空材料", "钛合金", "航空复材"), ("钛合金板材", "航空铝材", "碳纤维预浸料")),
        (UPSTREAM, "航电与导航", ("导航科技", "航电技术", "北斗科技"), ("北斗导航模块", "机载电子设备")),
        (MIDSTREAM, "无人机与通用飞机", ("无人机", "航空科技", "飞行器"), ("工业无人机", "通用飞机")),
        (MIDSTREAM, "航空发动机部件", ("航空动力", "航空部件", "精密机械"), ("涡轮叶片", "燃烧室部件")),
        (DOWNSTREAM, "通用航空运营", ("通用航空", "航空服务", "飞行服务"), ("航拍服务", "飞行培训")),
        (DOWNSTREAM, "航空维修保障", ("航空维修", "航空技术服务", "保障技术"), ("机体维修", "部件修理")),
    )),
    ("新能源与节能环保", 0.6, ("金洲工业园", "白马科技城"), (
        (UPSTREAM, "光伏与储能材料", ("光伏材料", "硅材料", "储能材料"), ("硅片", "光伏玻璃")),
        (UPSTREAM, "电力电子器件", ("电力电子", "电气设备", "能源科技"), ("逆变器", "变流器")),
        (MIDSTREAM, "储能系统", ("储能", "能源装备", "电力科技"), ("储能柜", "储能系统集成")),
        (MIDSTREAM, "节能环保装备", ("环保科技", "节能设备", "环境工程"), ("除尘设备", "污水处理设备")),
        (DOWNSTREAM, "综合能源服务", ("能源服务", "电力工程", "节能服务"), ("合同能源管理", "光伏电站运维")),
        (DOWNSTREAM, "环境治理服务", ("环境服务", "环保工程", "生态科技"), ("环境监测服务", "固废处置服务")),
    )),
)

# Park -> the streets it lies in. The first parks are used at small scales.
_PARKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("麓谷产业园", ("麓谷街道",)),
    ("信息港园区", ("麓谷街道", "东方红街道")),
    ("中电软件园", ("东方红街道",)),
    ("智能制造产业园", ("雷锋街道",)),
    ("生物医药产业园", ("含浦街道",)),
    ("汽车零部件产业园", ("学士街道",)),
    ("新材料产业园", ("雷锋街道",)),
    ("尖山湖科创园", ("学士街道",)),
    ("通航产业园", ("坪塘街道",)),
    ("金洲工业园", ("金洲街道",)),
    ("梅溪湖创新园", ("梅溪湖街道",)),
    ("岳麓科技园", ("望岳街道",)),
    ("湘江智谷", ("观沙岭街道",)),
    ("白马科技城", ("白马街道",)),
)
_COMMUNITY_WORDS = ("桐梓坡", "麓松", "枫林", "岳华", "咸嘉", "银杉", "白鹤", "金桥", "湘麓", "茶子山",
                    "谷山", "望城坡", "含光", "学府", "书香", "星沙", "莲湖", "汇金")
_VILLAGE_WORDS = ("黄金", "白泉", "石门", "龙洞", "新塘", "桃花")
_DEPARTMENTS = ("区委组织部", "科技局", "工信局", "发改局", "市场监管局", "人社局", "财政局", "商务局",
                "税务局", "应急管理局", "生态环境局", "自然资源局", "住建局", "教育局", "卫健局",
                "统计局", "司法局", "城管局", "审计局", "投资促进局")
_UNIVERSITIES = ("麓山科技大学", "湘江职业技术学院", "长沙工程学院")
_OTHER_UNITS = ("高新区工商联", "高新区总工会")

_BRAND_CHARS = ("中联华恒泰瑞博创达信宏盛新源力通远天宇鑫隆海兴润丰凯威智航星诚德卓越峰云湘楚麓岳"
                "江金鼎正和安顺泽汇聚立腾飞翔晟昊辰睿思维拓邦佳嘉禾谷川晶光明亿方圆松楠蓝青长久"
                "永福祥利元铭锐捷朗迪普骏驰启奥赛益康奇凌宁融弘景坤乾浩钧驭特优尚")
_SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董曹袁邓许傅沈曾彭吕苏"
             "卢蒋蔡贾丁魏薛叶余潘杜戴夏汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯"
             "邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
_GIVEN_CHARS = ("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文辉玲斌波宇浩凯鹏飞"
                "婷雪琳晨阳俊峰亮海燕丹萍欣怡子涵博宏彬颖佳慧湘湛卫东")
_SOCIAL_FIELDS = ("软件", "人工智能", "工程机械", "生物医药", "新材料", "新能源汽车", "集成电路", "检验检测",
                  "知识产权", "人力资源", "科技金融", "青年企业家", "女企业家", "跨境电商", "创新创业",
                  "数字经济", "智能制造", "物流", "安全生产", "质量管理")
_SOCIAL_TYPES = ("行业协会", "产业促进会", "商会", "联合会", "企业家协会", "服务中心")
_SOCIAL_PREFIXES = ("长沙高新区", "麓谷", "长沙市", "湖南省")

_ADMIN_CODES_SMALL = ("430100", "430104")
_ADMIN_CODES_CITY = ("430100", "430102", "430103", "430104", "430105", "430111", "430112", "430121")

_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_GB11714_VALUE = {c: (int(c) if c.isdigit() else ord(c) - ord("A") + 10)
                  for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}
_ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

_FIRST_DAY = date(2019, 1, 1).toordinal()
_LAST_DAY = date(2024, 6, 30).toordinal()


# ---------------------------------------------------------------------------------------
# Public functions.


def demo_tables(scale: str | int = "district", seed: int = 2024) -> dict[str, list[dict[str, str]]]:
    """Generate a synthetic high-tech zone as import tables.

    Parameters: ``scale`` is a key of ``SCALES`` ("small" ≈ 60 enterprises, "district"
    ≈ 1,000, "city" ≈ 100,000) or a number of enterprises; ``seed`` seeds the only
    random generator used, so equal arguments give equal tables.

    Returns a dict from the English table names of the import format to rows; each row
    maps every column of ``TABLES[table]`` to a string (enums as Chinese words, booleans
    是/否, dates yyyy-mm-dd, "" for a blank cell).

    Raises ``ValueError`` for an unknown scale.
    """
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ValueError(f"unknown demo scale {scale!r}; choose one of {', '.join(SCALES)}")
        size = SCALES[scale]
    elif isinstance(scale, int) and not isinstance(scale, bool) and scale >= 10:
        size = scale
    else:
        raise ValueError(f"demo scale must be one of {', '.join(SCALES)} or a number ≥ 10, not {scale!r}")
    return _Zone(size, random.Random(seed)).build()


def write_demo_csv(tables: dict[str, list[dict[str, str]]], directory: str | Path, *,
                   encoding: str = "utf-8") -> list[Path]:
    """Write one CSV per table, ``<directory>/<table>.csv``, English headers first.

    Columns follow ``TABLES`` for the known tables (a table with no rows still gets its
    header) and the first row's keys otherwise. ``encoding="utf-8-sig"`` writes a BOM so
    that Excel shows the Chinese text. Returns the paths written, in table order.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, rows in tables.items():
        columns = TABLES.get(table) or (tuple(rows[0]) if rows else ())
        path = directory / f"{table}.csv"
        with path.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            if len(columns) == 1:
                writer.writerows([row[columns[0]]] for row in rows)
            elif columns:
                writer.writerows(map(itemgetter(*columns), rows))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------
# The model the tables are drawn from.


@dataclass(slots=True, eq=False)
class _Segment:
    id: str
    chain: int
    name: str
    stage: str
    order: int
    words: tuple[str, ...]
    products: tuple[str, ...]
    weight: float
    members: list = field(default_factory=list)  # active firms, for supply links
    suppliers: tuple = ()  # (segments, cumulative weights) this segment buys from


@dataclass(slots=True, eq=False)
class _Chain:
    index: int
    id: str
    name: str
    weight: float
    home_parks: tuple[str, ...]
    segments: list[_Segment]
    seg_cum: list[float] = field(default_factory=list)
    committee: "_Org | None" = None
    firms: list = field(default_factory=list)  # eligible firms of the chain
    orgs: list = field(default_factory=list)  # enterprise orgs of the chain


@dataclass(slots=True, eq=False)
class _Firm:
    id: str
    name: str
    brand: str
    social: bool
    park: str
    street: str
    employees: int
    members: int
    above_scale: bool
    leading: bool
    in_base: bool
    status: str
    chain: int  # index into the chains, -1 for a social organisation
    segments: list[_Segment]
    org: "_Org | None" = None

    @property
    def eligible(self) -> bool:
        """In the coverage base: in_base and active."""
        return self.in_base and self.status == "在营"


@dataclass(slots=True, eq=False)
class _Org:
    id: str
    name: str
    level: str
    formation: str
    members: int | None = None
    star: int | None = None
    parent: str = ""
    demonstration: bool = False
    chain: int = -1
    street: str = ""
    covers: list[_Firm] = field(default_factory=list)


class _Zone:
    """Builds one zone step by step; ``build`` returns the tables."""

    def __init__(self, size: int, rng: random.Random):
        self.size = size
        self.rng = rng
        self.city = size >= 20_000
        self.names: set[str] = set()  # firm names, for uniqueness only (never iterated)
        self.codes: set[str] = set()
        self.tables: dict[str, list[dict[str, str]]] = {table: [] for table in TABLES}

    def build(self) -> dict[str, list[dict[str, str]]]:
        self._geography()
        self._firms()
        self._supply_links()
        self._orgs()
        self._units_and_pairings()
        self._leaders()
        self._instructors()
        self._alliances()
        self._entity_rows()
        return self.tables

    # -- helpers -------------------------------------------------------------------------

    def _date(self, first: int = _FIRST_DAY) -> str:
        return date.fromordinal(first + self.rng.randrange(_LAST_DAY - first)).isoformat()

    def _person(self, taken: set[str]) -> str:
        rng = self.rng
        for _ in range(20):
            given = rng.choice(_GIVEN_CHARS) + (rng.choice(_GIVEN_CHARS) if rng.random() < 0.7 else "")
            name = rng.choice(_SURNAMES) + given
            if name not in taken:
                break
        taken.add(name)
        return name

    def _uscc(self, social: bool) -> str:
        rng = self.rng
        while True:
            if social:
                head = rng.choice(("51", "52"))
                body = "MJ" + "".join(rng.choices(_ORG_CODE_CHARS, k=6))
            elif rng.random() < 0.6:
                head = "91"
                body = "MA4" + rng.choice("LMNPQRT") + "".join(rng.choices(_ORG_CODE_CHARS, k=4))
            else:
                head = "91"
                body = str(rng.randrange(10_000_000, 99_999_999))
            code = make_uscc(head + rng.choice(self.admin_codes) + body + _gb11714_check(body))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _brand(self) -> str:
        length = 3 if self.rng.random() < 0.25 else 2
        return "".join(self.rng.sample(_BRAND_CHARS, length))

    def _firm_name(self, segment: _Segment, above_scale: bool) -> tuple[str, str]:
        rng = self.rng
        while True:
            brand = self._brand()
            word = rng.choice(segment.words)
            suffix = "股份有限公司" if above_scale and rng.random() < 0.35 else "有限公司"
            roll = rng.random()
            if roll < 0.1:
                name = f"{brand}{word}（长沙）{suffix}"
            else:
                name = f"{'长沙' if roll < 0.6 else '湖南'}{brand}{word}{suffix}"
            if name not in self.names:
                self.names.add(name)
                return name, brand + word

    def _social_name(self) -> tuple[str, str]:
        rng = self.rng
        while True:
            field_ = rng.choice(_SOCIAL_FIELDS)
            if rng.random() < 0.5:
                name = f"{rng.choice(_SOCIAL_PREFIXES)}{field_}{rng.choice(_SOCIAL_TYPES)}"
            else:
                name = f"长沙市{self._brand()}{field_}服务中心"
            if name not in self.names:
                self.names.add(name)
                return name, name.removeprefix("长沙市").removeprefix("长沙高新区")[:8]

    def _weighted_sample(self, pool: list, cum: list[float], k: int) -> list:
        """Up to ``k`` distinct items of ``pool`` drawn by cumulative weights."""
        if not pool:
            return []
        picked: list = []
        for item in self.rng.choices(pool, cum_weights=cum, k=3 * k):
            if item not in picked:
                picked.append(item)
                if len(picked) == k:
                    break
        return picked

    # -- chains, parks, streets ----------------------------------------------------------

    def _geography(self) -> None:
        rng = self.rng
        catalogue = _CHAIN_CATALOGUE if self.city else _CHAIN_CATALOGUE[:5]
        park_count = 2 if self.size < 200 else 6 if self.size < 20_000 else len(_PARKS)
        self.parks = dict(_PARKS[:park_count])
        self.park_names = list(self.parks)
        self.streets = list(dict.fromkeys(s for streets in self.parks.values() for s in streets))
        self.admin_codes = _ADMIN_CODES_CITY if self.city else _ADMIN_CODES_SMALL
        self.chains: list[_Chain] = []
        for i, (name, weight, home, segments) in enumerate(catalogue):
            chain = _Chain(i, f"C{i + 1:02d}", name, weight, tuple(p for p in home if p in self.parks), [])
            for order, (stage, seg_name, words, products) in enumerate(segments, start=1):
                base = {UPSTREAM: 0.9, MIDSTREAM: 1.3, DOWNSTREAM: 0.8}[stage]
                chain.segments.append(_Segment(f"S{i + 1:02d}-{order}", i, seg_name, stage, order, words,
                                               products, base * rng.uniform(0.6, 1.4)))
            self.chains.append(chain)
            self.tables["chains"].append({"id": chain.id, "name": name})
            self.tables["segments"].extend(
                {"id": s.id, "chain": chain.id, "name": s.name, "stage": s.stage, "order": str(s.order)}
                for s in chain.segments)
        self.chain_cum = _cumulative(c.weight for c in self.chains)
        for chain in self.chains:
            chain.seg_cum = _cumulative(s.weight for s in chain.segments)

    # -- enterprises ---------------------------------------------------------------------

    def _firms(self) -> None:
        rng = self.rng
        self.firms: list[_Firm] = []
        leading_per_chain = max(1, round(math.sqrt(self.size) / 10))
        for chain in self.chains:
            core = [s for s in chain.segments if s.stage == MIDSTREAM]
            for _ in range(leading_per_chain):
                self._add_firm(chain, rng.choice(core), leading=True)
        social_share = 0.04
        while len(self.firms) < self.size:
            last = len(self.firms) == self.size - 1
            if rng.random() < social_share or last and not any(f.social for f in self.firms):
                self._add_social()
            else:
                chain = rng.choices(self.chains, cum_weights=self.chain_cum)[0]
                segment = rng.choices(chain.segments, cum_weights=chain.seg_cum)[0]
                self._add_firm(chain, segment)
        rng.shuffle(self.firms)  # leading enterprises should not all sit at the top of the sheet
        self._force_statuses()
        for firm in self.firms:
            if firm.status == "在营":
                for segment in firm.segments:
                    segment.members.append(firm)
            if firm.eligible and firm.chain >= 0:
                self.chains[firm.chain].firms.append(firm)
            self.tables["enterprise_segments"].extend(
                {"enterprise": firm.id, "segment": s.id} for s in firm.segments)

    def _add_firm(self, chain: _Chain, segment: _Segment, leading: bool = False) -> None:
        rng = self.rng
        if leading:
            employees = rng.randint(1_500, 12_000)
            members = int(employees * rng.uniform(0.04, 0.1))
            above_scale = True
        else:
            # Log-normal: median ≈ 35 people, a long tail of large firms.
            employees = min(20_000, 3 + int(rng.lognormvariate(3.45, 1.1)))
            members = _party_members(rng, employees)
            above_scale = rng.random() < _above_scale_chance(employees)
        if chain.home_parks and rng.random() < 0.6:
            park = rng.choice(chain.home_parks)
        else:
            park = rng.choice(self.park_names)
        segments = [segment]
        roll = rng.random()
        if roll < 0.12:  # a second segment of the same chain, next to the first
            neighbour = [s for s in chain.segments if abs(s.order - segment.order) == 1]
            segments.append(rng.choice(neighbour))
        elif roll < 0.15:  # a foothold in another chain
            other = self.chains[rng.randrange(len(self.chains))]
            if other is not chain:
                segments.append(rng.choice(other.segments))
        name, brand = self._firm_name(segment, above_scale)
        self.firms.append(_Firm(
            self._uscc(False), name, brand, False, park, rng.choice(self.parks[park]), employees, members,
            above_scale, leading, rng.random() >= 0.02 or leading, _status(rng, leading), chain.index, segments))

    def _add_social(self) -> None:
        rng = self.rng
        park = rng.choice(self.park_names)
        employees = rng.randint(3, 40)
        members = rng.choice((0, 0, 0, 1, 1, 2, 3, 4, 5))
        name, short = self._social_name()
        self.firms.append(_Firm(self._uscc(True), name, short, True, park, rng.choice(self.parks[park]), employees,
                                members, False, False, rng.random() >= 0.02, _status(rng, False), -1, []))

    def _force_statuses(self) -> None:
        """Make sure even the small demo has a closed, a moved and a not-in-base firm."""
        plain = [f for f in self.firms if not f.leading and f.eligible]
        if not any(f.status == "注销" for f in self.firms):
            plain.pop().status = "注销"
        if not any(f.status == "迁出" for f in self.firms):
            plain.pop().status = "迁出"
        if not any(not f.in_base for f in self.firms):
            plain.pop().in_base = False

    # -- supply links --------------------------------------------------------------------

    def _supply_links(self) -> None:
        rng = self.rng
        for chain in self.chains:
            for segment in chain.segments:
                preds, weights = [], []
                for other in chain.segments:
                    if other.order < segment.order and other.members:
                        gap = _STAGE_RANK[segment.stage] - _STAGE_RANK[other.stage]
                        preds.append(other)
                        weights.append((1.0, 3.0, 0.4)[gap])
                segment.suppliers = (preds, _cumulative(weights)) if preds else ()
        linked = [f for f in self.firms if f.status == "在营" and f.segments]
        seen: set[tuple[str, str]] = set()
        rows = self.tables["supply_links"]
        self.partners: dict[str, list[_Firm]] = {}  # leading firm id -> its suppliers and customers
        most = min(40, max(6, self.size // 25))  # suppliers of a leading firm
        for customer in linked:
            segment = customer.segments[0]
            if customer.leading:
                wanted = rng.randint(most // 3, most)
            elif segment.suppliers:
                scale = 0.6 if customer.employees < 20 else 1.0 if customer.employees < 100 else 1.6
                wanted = min(12, 1 + int(rng.expovariate(1 / (3.2 * scale))))
            else:
                wanted = 1 if rng.random() < 0.3 else 0  # first segment: only the odd noise link
            for _ in range(wanted):
                for _attempt in range(3):
                    if segment.suppliers and rng.random() >= 0.08:
                        preds, cum = segment.suppliers
                        source = rng.choices(preds, cum_weights=cum)[0]
                        supplier = source.members[rng.randrange(len(source.members))]
                    else:  # noise: anyone, any chain, any direction
                        supplier = linked[rng.randrange(len(linked))]
                    key = (supplier.id, customer.id)
                    if supplier is not customer and key not in seen:
                        seen.add(key)
                        rows.append({"supplier": supplier.id, "customer": customer.id,
                                     "product": rng.choice(supplier.segments[0].products)})
                        for a, b in ((supplier, customer), (customer, supplier)):
                            if a.leading:
                                self.partners.setdefault(a.id, []).append(b)
                        break

    # -- party organisations -------------------------------------------------------------

    def _orgs(self) -> None:
        rng = self.rng
        width = max(4, len(str(self.size // 2)))
        self.orgs: list[_Org] = []

        def new_org(name: str, level: str, formation: str, **kw) -> _Org:
            org = _Org(f"PO{len(self.orgs) + 1:0{width}d}", name, level, formation, **kw)
            self.orgs.append(org)
            return org

        for chain in self.chains:
            chain.committee = new_org(f"{chain.name}产业链党委", "党委", "行业党委", chain=chain.index)
            self.tables["chain_committees"].append({"org": chain.committee.id, "chain": chain.id})
        park_committee = {park: new_org(f"{park}非公企业联合党委", "党委", "联合组建", street=streets[0])
                          for park, streets in self.parks.items()}

        standalone, pooled, zeros = self._coverage_plan()
        for firm in standalone:
            level = "党委" if firm.members >= 100 else "党总支" if firm.members >= 50 else "党支部"
            parent = park_committee[firm.park] if firm.social else self.chains[firm.chain].committee
            star = 5 if firm.leading and rng.random() < 0.7 else _star(rng, joint=False)
            org = new_org(f"{firm.name}{level}", level, "单独组建", members=firm.members, star=star,
                          parent=parent.id, demonstration=_demonstration(rng, star, firm.leading),
                          chain=firm.chain, street=firm.street, covers=[firm])
            firm.org = org
        groups_by_park = {park: self._joint_groups([f for f in pooled if f.park == park]) for park in self.park_names}
        # Firms without members fill the joint branches until org coverage reaches the
        # target (the seeds report 84.6%–96.5%; a zone being mapped sits a little lower).
        base = sum(f.eligible for f in self.firms)
        covered = len(standalone) + sum(len(g) for groups in groups_by_park.values() for g in groups)
        self._fill(groups_by_park, zeros, round(base * rng.uniform(0.82, 0.88)) - covered)
        for park, groups in groups_by_park.items():
            for group in groups:
                star = _star(rng, joint=True)
                chain = next((f.chain for f in group if f.chain >= 0), -1)
                what = "单位" if any(f.social for f in group) else "企业"
                org = new_org(f"{group[0].brand}等{len(group)}家{what}联合党支部", "党支部", "联合组建",
                              members=sum(f.members for f in group), star=star,
                              parent=park_committee[park].id, demonstration=_demonstration(rng, star, False),
                              chain=chain, street=group[0].street, covers=group)
                for firm in group:
                    firm.org = org
        self.firm_orgs = [o for o in self.orgs if o.covers]
        self._leave_register_drift()
        for org in self.firm_orgs:
            if org.chain >= 0:
                self.chains[org.chain].orgs.append(org)
        self.tables["org_coverage"].extend(
            {"org": org.id, "enterprise": firm.id} for org in self.firm_orgs for firm in org.covers)

    def _leave_register_drift(self) -> None:
        """Real registers drift: a closed firm still on a branch's books, and a branch that
        grew past 50 members without becoming a general branch. The organisation checks
        (`redchain gaps orgs`) should find both."""
        branches = [o for o in self.firm_orgs if o.formation == "单独组建" and o.level == "党支部"]
        gone = [f for f in self.firms if f.status != "在营"]
        if not branches:
            return
        if gone:
            branches[self.rng.randrange(len(branches))].covers.append(gone[0])
        grown = branches[self.rng.randrange(len(branches))]
        grown.members = 50 + self.rng.randint(2, 30)

    def _coverage_plan(self) -> tuple[list[_Firm], list[_Firm], list[_Firm]]:
        """Split eligible firms into standalone candidates (≥3 members), joint-pool
        candidates (1–2 members) and firms with no members; the standalone and pool
        candidates left out stay uncovered, on purpose."""
        rng = self.rng
        standalone, pooled, zeros, left_out = [], [], [], []
        for firm in self.firms:
            if not firm.eligible:
                continue
            roll = rng.random()
            if firm.leading or firm.members >= 3 and roll < (0.94 if firm.above_scale else 0.88):
                standalone.append(firm)
            elif firm.members == 0:
                zeros.append(firm)
            elif firm.members < 3 and roll < 0.9:
                pooled.append(firm)
            else:
                left_out.append(firm)
        # Gaps the analyses must find even in the small demo: an uncovered key firm
        # (above designated size with ≥3 members: it needs its own branch) and one that
        # needs a joint branch. (One that needs an instructor is left by _fill.)
        if not any(f.above_scale and f.members >= 3 for f in left_out):
            key = next((f for f in standalone if f.above_scale and not f.leading), None)
            if key is not None:
                standalone.remove(key)
        if not any(f.members < 3 for f in left_out) and len(pooled) > 2:
            pooled.pop()
        return standalone, pooled, zeros

    def _joint_groups(self, pooled: list[_Firm]) -> list[list[_Firm]]:
        """Joint branches in one park: firms with 1–2 members until the branch has three
        members (two or three firms); a remainder joins the last branch if it fits."""
        self.rng.shuffle(pooled)
        groups: list[list[_Firm]] = []
        current: list[_Firm] = []
        for firm in pooled:
            current.append(firm)
            if sum(f.members for f in current) >= 3 or len(current) == 3:
                groups.append(current)
                current = []
        if current:
            if groups and len(groups[-1]) + len(current) <= 5:
                groups[-1].extend(current)
            elif len(current) >= 2:
                groups.append(current)
        return groups

    def _fill(self, groups_by_park: dict[str, list[list[_Firm]]], zeros: list[_Firm], wanted: int) -> None:
        """Add up to ``wanted`` firms without members to joint branches of their park,
        at most five firms a branch; the last firm is always left for an instructor."""
        rng = self.rng
        open_groups = {park: [g for g in groups if len(g) < 5] for park, groups in groups_by_park.items()}
        for firm in zeros[:-1]:
            if wanted <= 0:
                break
            groups = open_groups[firm.park]
            if not groups:
                continue
            i = rng.randrange(len(groups))
            groups[i].append(firm)
            wanted -= 1
            if len(groups[i]) == 5:
                groups[i] = groups[-1]
                groups.pop()

    # -- units and pairings --------------------------------------------------------------

    def _units_and_pairings(self) -> None:
        rng = self.rng
        if self.size < 200:
            departments, communities_per_street, universities, others, villages = 3, 1, 1, 0, 0
        elif not self.city:
            departments, communities_per_street, universities, others, villages = 10, 2, 1, 1, 0
        else:
            departments, communities_per_street, universities, others, villages = 20, 3, 3, 2, 4
        units: list[tuple[str, str, str]] = []  # (name, kind, street)
        units += [(d, "部门", "") for d in _DEPARTMENTS[:departments]]
        units += [(s, "街道", s) for s in self.streets]
        words = iter(_COMMUNITY_WORDS * 3)
        units += [(f"{next(words)}社区", "社区", s) for s in self.streets for _ in range(communities_per_street)]
        units += [(f"{w}村", "村", self.streets[i % len(self.streets)]) for i, w in enumerate(_VILLAGE_WORDS[:villages])]
        units += [(u, "高校", "") for u in _UNIVERSITIES[:universities]]
        units += [(u, "其他", "") for u in _OTHER_UNITS[:others]]
        width = max(2, len(str(len(units))))
        self.units = [(f"U{i + 1:0{width}d}", name, kind, street) for i, (name, kind, street) in enumerate(units)]
        self.tables["units"].extend({"id": uid, "name": name, "kind": kind} for uid, name, kind, _ in self.units)

        self.pairs: set[tuple[str, str]] = set()
        pool = self.firm_orgs
        cum = _cumulative(_pairing_appeal(o) for o in pool)
        by_street: dict[str, tuple[list[_Org], list[float]]] = {}
        for street in self.streets:
            local = [o for o in pool if o.street == street]
            by_street[street] = (local, _cumulative(_pairing_appeal(o) for o in local))
        uncovered_by_street: dict[str, list[_Firm]] = {}
        for firm in self.firms:
            if firm.eligible and firm.org is None:
                uncovered_by_street.setdefault(firm.street, []).append(firm)

        # A couple of units pair with nobody: a department and a street (南湖's rule is
        # that every department and street helps at least one org).
        idle = {self.units[rng.randrange(departments)][0],
                rng.choice([u[0] for u in self.units if u[2] == "街道"])}
        for uid, _name, kind, street in self.units:
            if uid in idle:
                continue
            wanted = rng.randint(1, 3)
            local, local_cum = by_street.get(street, ([], []))
            if local and rng.random() < 0.8:
                targets = [o.id for o in self._weighted_sample(local, local_cum, wanted)]
            else:
                targets = [o.id for o in self._weighted_sample(pool, cum, wanted)]
            if kind in ("社区", "村") and uncovered_by_street.get(street) and rng.random() < 0.5:
                targets[-1:] = [rng.choice(uncovered_by_street[street]).id]  # reaches an enterprise with no org
            for target in targets:
                self._pair(uid, target, "结对共建")

        # 支部联建: strong branches build with another branch of their chain.
        for org in pool:
            if org.formation == "单独组建" and (org.star or 0) >= 4 and org.chain >= 0 and rng.random() < 0.35:
                peers = self.chains[org.chain].orgs
                for _ in range(rng.randint(1, 2)):
                    peer = peers[rng.randrange(len(peers))]
                    if peer is not org:
                        self._pair(org.id, peer.id, "支部联建")

        # 龙头带动 (1+X): a leading firm's org brings some of its partners, not all.
        for firm in self.firms:
            partners = list(dict.fromkeys(self.partners.get(firm.id, ())))
            partners = [p for p in partners if p.eligible and p.org is not firm.org]
            if firm.org is None or len(partners) < 2:
                continue
            brought = rng.sample(partners, min(len(partners) - 1, rng.randint(2, 4 if self.size < 200 else 8)))
            for partner in brought:
                target = partner.org.id if partner.org and partner.org.formation == "单独组建" else partner.id
                self._pair(firm.org.id, target, "龙头带动")

    def _pair(self, source: str, target: str, kind: str) -> None:
        if source != target and (source, target) not in self.pairs:
            self.pairs.add((source, target))
            self.tables["pairings"].append({"from": source, "to": target, "kind": kind, "since": self._date()})

    # -- leaders and contact points ------------------------------------------------------

    def _leaders(self) -> None:
        rng = self.rng
        count = max(8, self.size // 50)
        width = max(2, len(str(count)))
        top = (("党工委书记", "高新区党工委"), ("管委会主任", "高新区管委会"), ("党工委副书记", "高新区党工委"),
               ("管委会副主任", "高新区管委会"), ("党工委委员、组织部部长", "区委组织部"),
               ("党工委委员", "高新区党工委"), ("管委会副主任", "高新区管委会"), ("纪工委书记", "高新区纪工委"))
        unit_roles = [(name, kind) for _, name, kind, _ in self.units if kind in ("部门", "街道")]
        names: set[str] = set()
        leaders = []
        for i in range(count):
            if i < len(top):
                title, unit = top[i]
            else:
                unit, kind = unit_roles[(i - len(top)) % len(unit_roles)]
                title = rng.choice(_unit_titles(unit, kind))
            leader_id = f"L{i + 1:0{width}d}"
            capacity = rng.randint(2, 5)
            self.tables["leaders"].append({"id": leader_id, "name": self._person(names), "title": title,
                                           "unit": unit, "capacity": str(capacity), "min_contacts": "1"})
            chains = [self.chains[i % len(self.chains)]]
            if rng.random() < 0.3:
                extra = self.chains[rng.randrange(len(self.chains))]
                if extra is not chains[0]:
                    chains.append(extra)
            self.tables["leader_chains"].extend({"leader": leader_id, "chain": c.id} for c in chains)
            leaders.append((leader_id, capacity, chains))

        idle = set(rng.sample(range(1, count), max(1, round(count * 0.03))))
        over = next(i for i in range(1, count) if i not in idle)
        for i, (leader_id, capacity, chains) in enumerate(leaders):
            if i in idle:
                continue
            wanted = capacity + 1 if i == over else rng.randint(1, capacity)
            targets: list[str] = []
            for _ in range(10 * wanted):  # small chains may have few orgs to choose from
                if len(targets) == wanted:
                    break
                chain = chains[rng.randrange(len(chains))]
                if not targets or rng.random() < 0.88:
                    if targets and rng.random() < 0.25 and chain.firms:  # sometimes the enterprise itself
                        target = chain.firms[rng.randrange(len(chain.firms))].id
                    elif chain.orgs:
                        target = chain.orgs[rng.randrange(len(chain.orgs))].id
                    else:
                        target = self.firm_orgs[rng.randrange(len(self.firm_orgs))].id
                else:  # outside the chains the leader is responsible for
                    target = self.firm_orgs[rng.randrange(len(self.firm_orgs))].id
                if target not in targets:
                    targets.append(target)
            self.tables["contacts"].extend({"leader": leader_id, "target": t, "since": self._date()}
                                           for t in targets)

    # -- instructors ---------------------------------------------------------------------

    def _instructors(self) -> None:
        rng = self.rng
        count = max(4, self.size // 30)
        width = max(2, len(str(count)))
        senders = [name for _, name, kind, _ in self.units if kind in ("部门", "街道")]
        uncovered = [f.id for f in self.firms if f.eligible and f.org is None]
        weak = [o.id for o in self.firm_orgs if o.star is None or o.star <= 2]
        targets = uncovered + weak
        rng.shuffle(targets)
        targets = targets[: max(1, round(len(targets) * 0.6))]  # the rest are the gap
        names: set[str] = set()
        position = 0
        for i in range(count):
            instructor_id = f"I{i + 1:0{width}d}"
            first_secretary = rng.random() < 0.25
            self.tables["instructors"].append({
                "id": instructor_id, "name": self._person(names),
                "kind": "第一书记" if first_secretary else "党建指导员", "unit": rng.choice(senders)})
            wanted = rng.randint(1, 3)
            mine = targets[position: position + wanted]
            position += wanted
            if not mine:  # more instructors than targets: double up on a weak org
                mine = [rng.choice(weak or targets)]
            self.tables["instructor_assignments"].extend(
                {"instructor": instructor_id, "target": t, "since": self._date()} for t in mine)

    # -- alliances -----------------------------------------------------------------------

    def _alliances(self) -> None:
        rng = self.rng
        departments = [u for u in self.units if u[2] == "部门"]
        universities = [u for u in self.units if u[2] == "高校"]
        outsider: _Org | None = None
        for chain in self.chains[:-1]:  # the last chain has no alliance yet
            alliance_id = f"A{chain.index + 1:02d}"
            self.tables["alliances"].append({"id": alliance_id, "name": f"{chain.name}产业链党建联盟",
                                             "chain": chain.id, "founded": self._date(date(2020, 1, 1).toordinal())})
            members: dict[str, str] = {chain.committee.id: "主任单位"}
            leading = [f for f in chain.firms if f.leading and f.org is not None]
            if leading and outsider is None:
                outsider = leading.pop().org  # one leading enterprise stays outside its chain's alliance
            for firm in leading[:4]:
                members[firm.org.id] = "副主任单位"
            if departments:
                members.setdefault(rng.choice(departments[1:] or departments)[0], "副主任单位")
            others = [o for o in chain.orgs if o.id not in members and o is not outsider and (o.star or 0) >= 3]
            rng.shuffle(others)
            for org in others[: min(120, max(3, len(others) // 4))]:
                members[org.id] = "成员单位"
            for firm in leading[4:]:
                members.setdefault(firm.org.id, "成员单位")
            if universities:
                members.setdefault(rng.choice(universities)[0], "成员单位")
            no_org = [f for f in chain.firms if f.org is None and f.above_scale]
            for firm in no_org[: rng.randint(0, 2)]:
                members.setdefault(firm.id, "成员单位")  # a firm can join before it has a branch
            self.tables["alliance_members"].extend(
                {"alliance": alliance_id, "member": m, "role": role} for m, role in members.items())

    # -- entity rows ---------------------------------------------------------------------

    def _entity_rows(self) -> None:
        self.tables["enterprises"].extend({
            "id": f.id, "name": f.name, "kind": "社会组织" if f.social else "企业", "park": f.park,
            "street": f.street, "employees": str(f.employees), "party_members": str(f.members),
            "above_scale": _yes_no(f.above_scale), "leading": _yes_no(f.leading),
            "in_base": _yes_no(f.in_base), "status": f.status,
        } for f in self.firms)
        self.tables["party_orgs"].extend({
            "id": o.id, "name": o.name, "level": o.level, "formation": o.formation,
            "members": "" if o.members is None else str(o.members),
            "star": "" if o.star is None else str(o.star), "parent": o.parent,
            "demonstration": _yes_no(o.demonstration),
        } for o in self.orgs)


# ---------------------------------------------------------------------------------------
# Small pure helpers.


def _cumulative(weights) -> list[float]:
    total, cum = 0.0, []
    for w in weights:
        total += w
        cum.append(total)
    return cum


def _gb11714_check(body8: str) -> str:
    """Check character of an organisation code (GB 11714): 0–9 or X."""
    c = 11 - sum(_GB11714_VALUE[ch] * w for ch, w in zip(body8, _GB11714_WEIGHTS)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def _party_members(rng: random.Random, employees: int) -> int:
    """Members grow with size; many small firms have none at all."""
    if employees < 200 and rng.random() < 0.2:
        return 0
    return int(employees * rng.uniform(0.015, 0.07) + rng.random())


def _above_scale_chance(employees: int) -> float:
    return 0.95 if employees >= 300 else 0.6 if employees >= 100 else 0.15 if employees >= 50 else 0.02


def _status(rng: random.Random, leading: bool) -> str:
    roll = rng.random()
    return "在营" if leading or roll >= 0.025 else "注销" if roll < 0.015 else "迁出"


def _star(rng: random.Random, *, joint: bool) -> int | None:
    """A star rating, or None for an org not yet rated (鹿寨: 7 five-, 8 four-, 6 three-star of 34)."""
    weights = (13, 10, 23, 26, 16, 12) if joint else (5, 10, 22, 24, 22, 17)
    return rng.choices((1, 2, 3, 4, 5, None), weights=weights)[0]


def _demonstration(rng: random.Random, star: int | None, leading: bool) -> bool:
    if star == 5:
        return leading or rng.random() < 0.45
    return star == 4 and rng.random() < 0.08


def _pairing_appeal(org: _Org) -> float:
    """Units prefer strong orgs; weak and unrated ones are often left out."""
    return (0.25, 0.3, 0.5, 1.0, 1.6, 2.2)[org.star or 0]


def _unit_titles(unit: str, kind: str) -> tuple[str, ...]:
    if kind == "街道":
        return ("党工委书记", "办事处主任", "党工委副书记")
    if unit.endswith("部"):
        return ("部长", "副部长")
    return ("局长", "党组书记", "副局长")


def _yes_no(value: bool) -> str:
    return _YES if value else _NO
