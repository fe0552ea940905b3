"""redchain benchmarks: every step against a baseline measured in the same run.

    python benchmarks/run.py [--scales district city] [--out benchmarks/RESULTS.md]

Steps, per demo scale: pandas reading the CSVs (baseline) vs the importer; cold
projection load; warm coverage report; each gap listing and planner. Peak memory per step
is the process's peak RSS growth during the step (Linux: VmHWM, reset through
/proc/self/clear_refs before each step). Not part of the tests: numbers, not asserts.
"""

from __future__ import annotations

import argparse
import gc
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from graph.analysis.chain_structure import chain_structure, chain_summaries  # noqa: E402
from graph.analysis.contact_gaps import contact_gaps  # noqa: E402
from graph.analysis.coverage import coverage_report  # noqa: E402
from graph.analysis.org_checks import organisation_checks  # noqa: E402
from graph.analysis.pairing_gaps import pairing_gaps  # noqa: E402
from graph.analysis.planners import plan_contacts, plan_instructors, plan_joint_branches, plan_pairings  # noqa: E402
from graph.analysis.uncovered import uncovered_enterprises  # noqa: E402
from graph.projection import load_projection  # noqa: E402
from graph.sqlite_store import SQLiteStore  # noqa: E402
from loaders.demo import demo_tables, write_demo_csv  # noqa: E402
from loaders.importer import import_paths  # noqa: E402


@dataclass
class Row:
    scale: str
    step: str
    seconds: float
    baseline: str = ""
    ratio: float | None = None
    peak_mb: float | None = None
    note: str = ""


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _process_peak_mb(pid: int) -> float | None:
    """Another process's peak resident memory (Linux VmHWM), in MB."""
    try:
        return _rss_kb("VmHWM", f"/proc/{pid}/status") / 1024
    except OSError:
        return None


def _rss_kb(field: str, status: str = "/proc/self/status") -> int:
    for line in Path(status).read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(fn, *, repeat: int = 1):
    """(result, median seconds, peak RSS growth in MB) of calling fn ``repeat`` times."""
    gc.collect()
    _reset_peak()
    start_rss = _rss_kb("VmRSS")
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    peak = max(0, _rss_kb("VmHWM") - start_rss) / 1024
    return result, statistics.median(times), peak


def bench_scale(scale: str, workdir: Path, rows: list[Row]) -> None:
    def add(step, seconds, peak, **kw):
        rows.append(Row(scale, step, seconds, peak_mb=peak, **kw))
        print(f"  {scale:9} {step:38} {seconds:8.3f}s  {kw.get('note', '')}", flush=True)

    csv_dir = workdir / f"{scale}-csv"
    tables, seconds, peak = measure(lambda: demo_tables(scale, 2024))
    write_demo_csv(tables, csv_dir)
    counts = {name: len(rows_) for name, rows_ in tables.items()}
    add("generate demo", seconds, peak, note=f"{counts['enterprises']} enterprises, "
        f"{counts['supply_links']} links, {counts['party_orgs']} orgs")
    del tables

    files = sorted(csv_dir.glob("*.csv"))
    _, base_s, base_peak = measure(lambda: [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], repeat=3)
    add("baseline: pandas reads the CSVs", base_s, base_peak)
    store = SQLiteStore(workdir / f"{scale}.db")
    _, s, peak = measure(lambda: import_paths(store, [csv_dir]))
    add("import CSV into SQLite", s, peak, baseline="pandas read", ratio=s / base_s, note="target ≤ 4× pandas")
    write_rows = sqlite_floor(store, workdir / f"{scale}-floor.db")
    _, s, peak = measure(write_rows)
    add("SQLite alone: the import's rows written", s, peak, baseline="pandas read", ratio=s / base_s,
        note="the same rows, encoded already, into an empty file: statements, index builds, commit (no reading, no checks)")
    _, s, peak = measure(lambda: import_paths(store, [csv_dir]))
    add("re-import (no-op)", s, peak, baseline="pandas read", ratio=s / base_s,
        note="the same files: a repeat, files hashed, not read (target ≤ 1× pandas)")
    resaved = workdir / f"{scale}-csv-resaved"  # the same records in other bytes: read and compared
    shutil.copytree(csv_dir, resaved)
    for f in resaved.glob("*.csv"):
        with f.open("ab") as handle:
            handle.write(b"\n")
    _, s, peak = measure(lambda: import_paths(store, [resaved]))
    add("re-import (no-op, files saved again)", s, peak, baseline="pandas read", ratio=s / base_s,
        note="the same records in other bytes: read, not checked or written (target ≤ 1× pandas)")

    g, s, peak = measure(lambda: load_projection(store))
    add("cold projection load", s, peak)
    _, s, peak = measure(lambda: coverage_report(g), repeat=5)
    add("coverage report, warm (totals)", s, peak, note="target ≤ 0.5 s at 100k")
    _, s, peak = measure(lambda: coverage_report(g, by="chain"), repeat=3)
    add("coverage report, warm (by chain)", s, peak)
    for name, fn in (
        ("gaps uncovered", lambda: uncovered_enterprises(g)),
        ("gaps orgs", lambda: organisation_checks(g)),
        ("gaps pairing", lambda: pairing_gaps(g)),
        ("gaps contacts", lambda: contact_gaps(g)),
    ):
        _, s, peak = measure(fn, repeat=3)
        add(name, s, peak)
    biggest = max(chain_summaries(g), key=lambda c: c.enterprises)
    _, s, peak = measure(lambda: chain_structure(g, biggest.id))
    add(f"chain structure ({biggest.enterprises} enterprises)", s, peak)
    plan, s, peak = measure(lambda: plan_contacts(g))
    add("plan contacts (every leader)", s, peak, note=f"{plan.totals['leaders']} leaders over "
        f"{plan.totals['targets']} targets, {len(plan.items)} assignments")
    some = sorted(g.graph["by_label"]["Leader"])[:CONTACT_LEADERS]
    plan, s, peak = measure(lambda: plan_contacts(g, leaders=some))
    add(f"plan contacts ({len(some)} leaders)", s, peak, note=f"{plan.totals['leaders']} leaders over "
        f"{plan.totals['targets']} targets, {len(plan.items)} assignments")
    plan, s, peak = measure(lambda: plan_instructors(g))
    add("plan instructors", s, peak, note=f"{len(plan.items)} assignments, {len(plan.leftovers)} left over")
    plan, s, peak = measure(lambda: plan_pairings(g))
    add("plan pairings", s, peak, note=f"{len(plan.items)} pairings")
    plan, s, peak = measure(lambda: plan_pairings(g, max_hops=PAIRING_FAR_HOPS))
    add(f"plan pairings, {PAIRING_FAR_HOPS} hops", s, peak,
        note=f"{len(plan.items)} pairings; the API allows up to 5 hops, default 2")
    plan, s, peak = measure(lambda: plan_joint_branches(g))
    add("plan joint branches", s, peak, note=f"{len(plan.new_orgs)} new branches")
    sample = next(e for e in g.graph["by_label"]["Enterprise"] if g.degree(e) > 2)
    store.close()
    bench_api(scale, workdir / f"{scale}.db", biggest.id, sample, add)


def sqlite_floor(imported: SQLiteStore, path: Path):
    """A function writing the rows ``imported`` holds into a new store at ``path`` the way
    an import into an empty store does (the store's own statements, a chunk at a time, in
    key order; indexes built after the rows; one transaction) and nothing else: what the
    import spends in SQLite whatever the Python around it does. The rows are read before
    it is called (not timed)."""
    from graph import sqlite_store as sq

    nodes = imported._db.execute("SELECT id, label, props FROM nodes ORDER BY id").fetchall()
    rels = imported._db.execute("SELECT type, source, target, props FROM rels ORDER BY type, source, target").fetchall()

    def write() -> None:
        target = SQLiteStore(path)
        with target._transaction() as db, sq._indexes_after_rows(db):
            for sql, rows in ((SQLiteStore._UPSERT_NODE, nodes), (SQLiteStore._UPSERT_REL, rels)):
                for start in range(0, len(rows), sq._BATCH):
                    db.executemany(sql, rows[start:start + sq._BATCH])
        target.close()

    return write


API_REQUESTS = 1000  # per endpoint, after warm-up
PAIRING_FAR_HOPS = 4  # farther along supply links than the default: the search must stop early
CONTACT_LEADERS = 200  # the contact planner's target shape: 200 leaders over ~20k targets


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_api(scale: str, db: Path, chain: str, enterprise: str, add) -> None:
    """p50/p95 latency from this process against `redchain serve` running in another."""
    import subprocess

    import httpx

    from api.core.security.principal import Role
    from api.core.security.tokens import create_token

    store = SQLiteStore(db)
    token, _ = create_token(store, Role.ADMIN, note="benchmark")
    store.close()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--store", f"sqlite:///{db}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=120)
        deadline = time.monotonic() + 120
        while True:
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        for name, path in (
            ("API coverage by chain", "/api/coverage?by=chain"),
            ("API uncovered list (100 per page)", "/api/gaps/uncovered?limit=100"),
            ("API enterprises list (100 per page)", f"/api/enterprises?limit=100&chain={chain}"),
            ("API neighbourhood depth 2", f"/api/graph/neighbourhood/{enterprise}?depth=2&limit=200"),
        ):
            t = time.perf_counter()
            first = client.get(path)
            cold = time.perf_counter() - t
            first.raise_for_status()
            times = []
            for _ in range(API_REQUESTS):
                t = time.perf_counter()
                client.get(path).raise_for_status()
                times.append(time.perf_counter() - t)
            times.sort()
            p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
            add(f"{name}: p95", p95, None,
                note=f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms over {API_REQUESTS}; first {cold:.2f} s; target p95 ≤ 50 ms")
        add("API server process", 0.0, _process_peak_mb(server.pid), note="peak RSS of the whole server process (not a growth)")
    finally:
        server.terminate()
        server.wait(timeout=30)


VIEW_CHAIN_SIZE = 5000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def bench_view(workdir: Path, rows: list[Row]) -> None:
    """Chain map of a 5,000-enterprise chain: payload build time and page size on the
    server, then time to interactive (graph drawn, a click answered) in headless Chromium."""
    import subprocess

    from api.web.chain_map import chain_map
    from graph.analysis.chain_structure import chain_summaries as summaries

    def add(step, seconds, note=""):
        rows.append(Row("view", step, seconds, note=note))
        print(f"  view      {step:38} {seconds:8.3f}s  {note}", flush=True)

    csv_dir = workdir / "view-csv"
    write_demo_csv(demo_tables(VIEW_CHAIN_SIZE * 5, 2024), csv_dir)  # five chains of ~5,000
    db = workdir / "view.db"
    store = SQLiteStore(db)
    import_paths(store, [csv_dir])
    g = load_projection(store)
    chain = min(summaries(g), key=lambda c: abs(c.enterprises - VIEW_CHAIN_SIZE))
    payload, s, _ = measure(lambda: chain_map(g, chain.id, full=True), repeat=3)
    add(f"chain map payload ({chain.enterprises} enterprises)", s, note=f"{len(payload['nodes'])} nodes, {len(payload['edges'])} edges")
    store.close()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--store", f"sqlite:///{db}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        login = next(line.strip() for line in server.stdout if "?token=" in line)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(login)
            url = f"http://127.0.0.1:{port}/views/chains/{chain.id}?full=1"
            t = time.perf_counter()
            response = page.goto(url)
            page.wait_for_selector("body[data-graph-ready]", state="attached", timeout=120_000)
            ready = time.perf_counter() - t
            size = len(response.body())
            add("chain map: time to interactive (full)", ready,
                note=f"page {size / 1e6:.1f} MB; {chain.enterprises} enterprises drawn; target ≤ 5 s")
            t = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/views/chains/{chain.id}")
            page.wait_for_selector("body[data-graph-ready]", state="attached", timeout=120_000)
            add("chain map: time to interactive (overview)", time.perf_counter() - t, note="aggregated by segment")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import os

    mem_gb = _rss_kb("VmRSS") and int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return (f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def write_markdown(rows: list[Row], out: Path) -> None:
    lines = [
        "# redchain benchmark results",
        "",
        f"Machine: {machine()}  ",
        f"Run: `python benchmarks/run.py` on {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        "| scale | step | seconds | vs baseline | peak RSS growth (MB) | note |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = f"{r.ratio:.1f}× {r.baseline}" if r.ratio is not None else ""
        peak = f"{r.peak_mb:.0f}" if r.peak_mb is not None else ""
        lines.append(f"| {r.scale} | {r.step} | {r.seconds:.3f} | {ratio} | {peak} | {r.note} |")
    kept = ""  # the sections other benchmarks write below this table (benchmarks/neo4j.py)
    if out.exists() and (at := (text := out.read_text(encoding="utf-8")).find("\n## ")) >= 0:
        kept = "\n" + text[at:].lstrip("\n")
    out.write_text("\n".join(lines) + "\n" + kept, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", nargs="+", default=["district", "city"])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--skip-view", action="store_true", help="Skip the browser step (needs Debian chromium).")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="redchain-bench-") as tmp:
        for scale in args.scales:
            bench_scale(scale, Path(tmp), rows)
        if not args.skip_view:
            bench_view(Path(tmp), rows)
    write_markdown(rows, args.out)
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
