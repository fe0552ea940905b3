"""The data the view tests browse.

- ``build_district``: the demo district (``loaders.demo``, scale "district") loaded through
  the importer, with one uncovered enterprise of chain C01 renamed to a script-injection
  payload and its park to an attribute-breaking one, and saved coverage snapshots so the
  dashboard has a trend to draw and a last change to sum up (four enterprises got an org).
- ``build_city``: the demo at city scale, where chain C02 has about 20,000 enterprises.
- ``build_big_chain``: one chain of ``size`` enterprises over seven segments, written
  through the store port (far quicker than a CSV import of the same size), with supply
  links between neighbouring segments and the usual mix of coverage.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timezone
from pathlib import Path

from graph.analysis.coverage import coverage_report
from graph.analysis.history import save_snapshot, snapshot_now
from graph.projection import load_projection
from graph.records import Node, Rel
from graph.schema import Label, RelType
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths
from loaders.uscc import make_uscc

XSS_NAME = "</script><img src=x onerror=alert(1)>"
XSS_PARK = '"><svg onload=alert(2)>'
BIG_CHAIN = "C99"
BIG_SEGMENTS = 7


def xss_enterprise(tables: dict) -> str:
    """The id of the first (by id) enterprise of C01 no org covers: the payload's carrier."""
    covered = {row["enterprise"] for row in tables["org_coverage"]}
    in_c01 = sorted(row["enterprise"] for row in tables["enterprise_segments"] if row["segment"].startswith("S01-"))
    return next(e for e in in_c01 if e not in covered)


def build_district(store, folder: Path) -> dict:
    """Import the district; returns facts the tests check against."""
    tables = demo_tables("district")
    target = xss_enterprise(tables)
    for row in tables["enterprises"]:
        if row["id"] == target:
            row.update(name=XSS_NAME, park=XSS_PARK, status="在营", in_base="是")
    # A month before, four of the enterprises now covered had no org yet: the dashboard's
    # last change and the changes page have something to show.
    earlier = {**tables, "org_coverage": tables["org_coverage"][:-4]}
    import_paths(store, write_demo_csv(earlier, folder / "earlier"))
    snapshot_now(store, when=datetime(2025, 5, 2, 9, 0, tzinfo=timezone.utc))
    import_paths(store, write_demo_csv(tables, folder))
    snapshot_now(store, when=datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc))
    report = coverage_report(load_projection(store))
    for days_ago, lower in ((60, 0.06), (30, 0.03), (0, 0.0)):
        totals = dataclasses.replace(
            report.totals,
            org_coverage_rate=round(report.totals.org_coverage_rate - lower, 4),
            two_coverage_rate=round(report.totals.two_coverage_rate - lower / 2, 4),
        )
        when = date.fromordinal(date(2025, 6, 1).toordinal() - days_ago)
        save_snapshot(store, dataclasses.replace(report, totals=totals), when=when)
    return {"xss_enterprise": target}


def build_city(store, folder: Path) -> None:
    """The demo at city scale, through the importer (about ten seconds)."""
    import_paths(store, write_demo_csv(demo_tables("city"), folder))


def build_big_chain(store, size: int = 5000, seed: int = 7) -> None:
    """One chain of ``size`` enterprises (see the module docstring)."""
    rng = random.Random(seed)
    nodes = [Node(Label.CHAIN, BIG_CHAIN, {"name": "大型测试产业链"})]
    rels = []
    stages = ["upstream", "upstream", "midstream", "midstream", "midstream", "downstream", "downstream"]
    segments = [f"{BIG_CHAIN}-S{i + 1}" for i in range(BIG_SEGMENTS)]
    for i, (s, stage) in enumerate(zip(segments, stages)):
        nodes.append(Node(Label.SEGMENT, s, {"name": f"测试环节{i + 1}", "stage": stage, "order": i + 1}))
        rels.append(Rel(RelType.PART_OF, s, BIG_CHAIN))
    by_segment: list[list[str]] = [[] for _ in segments]
    committee = "BIG-OC"
    nodes.append(Node(Label.PARTY_ORG, committee, {"name": "大型测试产业链党委", "level": "committee", "formation": "industry"}))
    rels.append(Rel(RelType.LEADS, committee, BIG_CHAIN))
    for n in range(size):
        e = make_uscc(f"91430199{n:09d}")
        k = n % BIG_SEGMENTS
        by_segment[k].append(e)
        members = rng.choice([0, 1, 2, 3, 5])
        nodes.append(Node(Label.ENTERPRISE, e, {"name": f"测试企业{n:05d}有限公司", "party_members": members,
                                                 "employees": rng.randint(5, 800), "park": f"园区{n % 4}"}))
        rels.append(Rel(RelType.IN_SEGMENT, e, segments[k]))
        if members >= 3 and rng.random() < 0.85:
            org = f"BIG-O{n:05d}"
            nodes.append(Node(Label.PARTY_ORG, org, {"name": f"测试企业{n:05d}党支部", "level": "branch",
                                                      "formation": "standalone", "star": rng.randint(1, 5)}))
            rels += [Rel(RelType.COVERS, org, e), Rel(RelType.UNDER, org, committee)]
    for k in range(BIG_SEGMENTS - 1):
        for e in by_segment[k]:
            for customer in rng.sample(by_segment[k + 1], 2):
                rels.append(Rel(RelType.SUPPLIES, e, customer))
    store.write(nodes, rels)
