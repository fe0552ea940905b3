"""Writing one import in each file format the importer reads, and reading a store back
in a form tests can compare.

An import is given as ``{table name: [header, row, row, ...]}``; cells are Python values
(str, int, bool, datetime.date, None, or ``ExcelError`` for an error cell such as #N/A).
Each writer puts them into the file the way a person's tool would: CSV as text in the
chosen encoding (an error cell as Excel writes it, "#N/A"), XLSX/XLS with typed cells
(strings as text cells, so codes keep their leading zeros; error cells as error cells),
JSON as one array per table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from graph.sqlite_store import SQLiteStore
from loaders.values import ExcelError

Tables = dict[str, list[list[object]]]

FORMATS = ("csv-utf8", "csv-utf8-bom", "csv-gbk", "csv-gb18030", "xlsx", "xls", "json")
_CSV_ENCODINGS = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-gbk": "gbk", "csv-gb18030": "gb18030"}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def csv_bytes(table: list[list[object]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[_text(c) for c in row] for row in table])
    return out.getvalue().encode(encoding)


def write_csv(folder: Path, tables: Tables, encoding: str = "utf-8") -> list[Path]:
    """One ``<table>.csv`` per table (the file stem names the table)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        path.write_bytes(csv_bytes(table, encoding))
        paths.append(path)
    return paths


def xlsx_workbook(tables: Tables):
    """An openpyxl workbook with one sheet per table (not yet saved)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, table in tables.items():
        sheet = book.create_sheet(name)
        for row in table:
            sheet.append([str(v) if isinstance(v, ExcelError) else v for v in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
                elif cell.data_type == "e" and not isinstance(value, ExcelError):
                    cell.data_type = "s"  # openpyxl takes any "#N/A" for an error; typed text stays text
    return book


def write_xlsx(path: Path, tables: Tables) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    xlsx_workbook(tables).save(path)
    return path


# BIFF error codes (xlwt's own table misspells #N/A and gives #VALUE! the code of #NUM!)
_XLS_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}


def write_xls(path: Path, tables: Tables) -> Path:
    """An Excel 97-2003 workbook (xlwt): strings as text cells, dates as date cells."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, table in tables.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (dt.date, dt.datetime)):
                    sheet.write(r, c, value, date_style)
                elif isinstance(value, ExcelError):
                    sheet.row(r).set_cell_error(c, _XLS_ERROR_CODES[value.text])
                else:
                    sheet.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def write_json(path: Path, tables: Tables) -> Path:
    document = {
        name: [
            {str(h): (_text(v) if isinstance(v, (dt.date, dt.datetime)) else v) for h, v in zip(table[0], row) if v is not None}
            for row in table[1:]
        ]
        for name, table in tables.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_import(folder: Path, tables: Tables, fmt: str) -> list[Path]:
    """Write ``tables`` as one import in format ``fmt`` (one of ``FORMATS``); the paths to load."""
    if fmt in _CSV_ENCODINGS:
        return write_csv(folder, tables, _CSV_ENCODINGS[fmt])
    if fmt == "xlsx":
        return [write_xlsx(folder / "导入.xlsx", tables)]
    if fmt == "xls":
        return [write_xls(folder / "导入.xls", tables)]
    if fmt == "json":
        return [write_json(folder / "导入.json", tables)]
    raise ValueError(f"unknown format {fmt}")


# -- reading a store back -------------------------------------------------------------


def graph_of(store: SQLiteStore) -> tuple[list, list]:
    """The store's nodes and relationships as sorted plain tuples."""
    data = store.read()
    nodes = sorted((n.label.value, n.id, json.dumps(n.props, ensure_ascii=False, sort_keys=True)) for n in data.nodes)
    rels = sorted((r.type.value, r.source, r.target, json.dumps(r.props, ensure_ascii=False, sort_keys=True)) for r in data.rels)
    return nodes, rels


def snapshot(store: SQLiteStore) -> tuple[int, list, list]:
    """Version, nodes and relationships: everything an import could change."""
    return (store.version(), *graph_of(store))


# -- a small import used by several tests ----------------------------------------------

E1, E2, E3, E4 = "91350100M000100Y43", "914403001922038216", "9144030071526726XG", "91330100716105852F"

SAMPLE: Tables = {
    # Chinese table and column names, Chinese names and enum words
    "企业": [
        ["统一社会信用代码", "名称", "类型", "园区", "职工人数", "党员人数", "规上企业", "龙头企业", "状态"],
        [E1, "福建闽工工程机械有限公司", "企业", "高新园", 1200, 35, "是", "是", "在营"],
        [E2, "深圳华芯电子股份有限公司", "企业", "高新园", 300, 2, "否", "否", "在营"],
        [E3, "深圳精密零部件有限公司", "企业", "软件园", 45, 0, "否", "否", "迁出"],
        [E4, "杭州市工程机械行业协会", "社会组织", None, 8, 1, None, None, None],
    ],
    # English names in odd case and with stray spaces; codes with leading zeros
    "Chains": [[" ID ", "Name  "], ["001", "工程机械"], ["002", "电子信息"]],
    "环节": [
        ["编号", "产业链", "名称", "位置", "序号"],
        ["0101", "001", "关键零部件", "上游", 1],
        ["0102", "001", "整机制造", "midstream", 2],
        ["0201", "002", "芯片", "Upstream", 1],
    ],
    "Enterprise_Segments": [["Enterprise", "SEGMENT"], [E1, "0102"], [E3, "0101"], [E2, "0201"]],
    "上下游": [["供方", "需方", "产品"], [E3, E1, "液压件"], [E2, E1, "控制器"]],
    "联盟": [["编号", "名称", "产业链", "成立日期"], ["A01", "工程机械产业链党建联盟", "001", "2023-05-01"]],
    "alliance_members": [["alliance", "member", "role"], ["A01", E1, "主任单位"], ["A01", E4, None]],
}

SAMPLE_NODES = [
    ("Alliance", "A01", {"founded": "2023-05-01", "name": "工程机械产业链党建联盟"}),
    ("Chain", "001", {"name": "工程机械"}),
    ("Chain", "002", {"name": "电子信息"}),
    ("Enterprise", E2, {"above_scale": False, "employees": 300, "kind": "enterprise", "leading": False,
                        "name": "深圳华芯电子股份有限公司", "park": "高新园", "party_members": 2, "status": "active"}),
    ("Enterprise", E4, {"employees": 8, "kind": "social_org", "name": "杭州市工程机械行业协会", "party_members": 1}),
    ("Enterprise", E1, {"above_scale": True, "employees": 1200, "kind": "enterprise", "leading": True,
                        "name": "福建闽工工程机械有限公司", "park": "高新园", "party_members": 35, "status": "active"}),
    ("Enterprise", E3, {"above_scale": False, "employees": 45, "kind": "enterprise", "leading": False,
                        "name": "深圳精密零部件有限公司", "park": "软件园", "party_members": 0, "status": "moved"}),
    ("Segment", "0101", {"name": "关键零部件", "order": 1, "stage": "upstream"}),
    ("Segment", "0102", {"name": "整机制造", "order": 2, "stage": "midstream"}),
    ("Segment", "0201", {"name": "芯片", "order": 1, "stage": "upstream"}),
]
SAMPLE_RELS = [
    ("ALLIANCE_OF", "A01", "001", {}),
    ("IN_SEGMENT", E1, "0102", {}),
    ("IN_SEGMENT", E2, "0201", {}),
    ("IN_SEGMENT", E3, "0101", {}),
    ("MEMBER_OF", E1, "A01", {"role": "director"}),
    ("MEMBER_OF", E4, "A01", {}),
    ("PART_OF", "0101", "001", {}),
    ("PART_OF", "0102", "001", {}),
    ("PART_OF", "0201", "002", {}),
    ("SUPPLIES", E2, E1, {"product": "控制器"}),
    ("SUPPLIES", E3, E1, {"product": "液压件"}),
]


def expected_graph(nodes=SAMPLE_NODES, rels=SAMPLE_RELS) -> tuple[list, list]:
    """Literal nodes/relationships in the shape ``graph_of`` returns."""
    return (
        sorted((label, i, json.dumps(p, ensure_ascii=False, sort_keys=True)) for label, i, p in nodes),
        sorted((t, s, d, json.dumps(p, ensure_ascii=False, sort_keys=True)) for t, s, d, p in rels),
    )


# -- hand-made workbooks: the parts of an xlsx written out one by one ---------------------

_MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


def sheet_xml(rows: dict[int, list[str]], *, dimension: str | None = None, prologue: str = "") -> str:
    """A worksheet whose cells refer to shared strings by index: ``{row: ["A:0", "B:1"]}``."""
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{ref.split(":")[0]}{r}" t="s"><v>{ref.split(":")[1]}</v></c>' for ref in refs) + "</row>"
        for r, refs in rows.items()
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet {_MAIN_NS}>{dim}<sheetData>{body}</sheetData></worksheet>'


def shared_strings_xml(strings: list[str], *, prologue: str = "") -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prologue}'
            f'<sst {_MAIN_NS} count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')


def handmade_xlsx(path: Path, sheet: str, sheet_part: str, shared_strings_part: str) -> Path:
    """An xlsx with one sheet named ``sheet`` whose XML parts are given verbatim."""
    import zipfile

    workbook = ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<workbook {_MAIN_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    parts = {**_PARTS, "xl/workbook.xml": workbook, "xl/worksheets/sheet1.xml": sheet_part,
             "xl/sharedStrings.xml": shared_strings_part}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)
