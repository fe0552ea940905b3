"""City scale on Neo4j beside SQLite: the same steps against both stores, in one run.

    python benchmarks/neo4j.py [--csv DIR] [--heap 2g] [--tx-memory 64m] [--requests 1000]
                               [--out benchmarks/RESULTS.md]

Starts its own Neo4j 5.26 (tools/neo4j/serve, heap ``--heap``, each transaction capped at
``--tx-memory``) in a temporary folder, and runs, on a fresh SQLite file and on that Neo4j:
the CLI import of the city CSVs (a process each: wall time and the client's peak RSS), the
re-import that changes nothing, ``report --json`` and ``gaps uncovered --json`` as new
processes without and with the projection kept on disk (graph/projection_cache.py), the projection load and the analyses in this process, the API's cold start (process start to the
first answer of /api/coverage) and p50/p95 of the endpoints ``benchmarks/run.py`` loads,
with the same number of requests. Neo4j's heap in use is sampled (jcmd GC.heap_info) while
each step runs; its peak RSS is the JVM's VmHWM. Then ``redchain migrate`` both ways
(SQLite → a second fresh Neo4j → a new SQLite file), checked equal: every node, every
relationship with their properties, and the documents.

The results replace the section "Neo4j beside SQLite" at the end of the output file (the
rest of the file, written by benchmarks/run.py, is kept). Numbers, not asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on the path, and this file would be
# imported as the neo4j driver package it shares a name with.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from graph.analysis.chain_structure import chain_summaries  # noqa: E402
from graph.analysis.coverage import coverage_report  # noqa: E402
from graph.analysis.uncovered import uncovered_enterprises  # noqa: E402
from graph.factory import open_store  # noqa: E402
from graph.projection import load_projection  # noqa: E402

SECTION = "## Neo4j beside SQLite"
ENDPOINTS = (
    ("API coverage by chain", "/api/coverage?by=chain"),
    ("API uncovered list (100 per page)", "/api/gaps/uncovered?limit=100"),
    ("API enterprises list (100 per page)", "/api/enterprises?limit=100&chain={chain}"),
    ("API neighbourhood depth 2", "/api/graph/neighbourhood/{enterprise}?depth=2&limit=200"),
)
PASSWORD = "redchain-bench-" + os.urandom(4).hex()


@dataclass
class Row:
    step: str
    sqlite: str = ""
    neo4j: str = ""
    note: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, step: str, sqlite: str = "", neo4j: str = "", note: str = "") -> None:
        self.rows.append(Row(step, sqlite, neo4j, note))
        print(f"  {step:46} sqlite {sqlite:>14}  neo4j {neo4j:>14}  {note}", flush=True)


# -- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env() -> dict:
    return {**os.environ, "REDCHAIN_NEO4J_PASSWORD": PASSWORD, "REDCHAIN_STORE": "", "PYTHONPATH": str(ROOT)}


def forget_kept_projections(work: Path) -> None:
    """Delete the projections kept on disk (beside the SQLite files; the Neo4j store's in
    the cache folder, which :func:`main` points at ``work``), so the next command reads the graph."""
    for kept in [*work.glob("*.projection"), *(work / "cache").glob("*.projection")]:
        kept.unlink()


def cli_rss(*args: str) -> tuple[float, float, str]:
    """As :func:`cli`, with the peak RSS of that one process (VmHWM read just before it exits
    is not possible from outside, so it is sampled every 50 ms)."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], vm(proc.pid, "VmHWM") or 0)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"redchain {' '.join(args)} failed: {err[-2000:]}")
    return seconds, peak[0], out


def vm(pid: int, name: str) -> float | None:
    """A /proc/PID/status memory field in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Neo4jServer:
    """tools/neo4j/serve in a folder of its own, with heap sampling."""

    def __init__(self, folder: Path, heap: str, tx_memory: str):
        self.port = free_port()
        self.uri = f"bolt://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = open(folder / "serve.log", "w+")
        self.process = subprocess.Popen(
            [str(ROOT / "tools" / "neo4j" / "serve"), "--port", str(self.port), "--data", str(folder / "db"),
             "--tx-memory", tx_memory],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "REDCHAIN_NEO4J_PASSWORD": PASSWORD, "REDCHAIN_NEO4J_HEAP": heap})
        deadline = time.monotonic() + 300
        while True:
            self.log.seek(0)
            if "ready bolt://" in self.log.read():
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise RuntimeError(f"Neo4j did not start: {self.log.read()[-2000:]}")
            time.sleep(0.3)
        self._peak_heap = 0.0
        self._sampling = threading.Event()

    def heap_used_mb(self) -> float | None:
        done = subprocess.run(["jcmd", str(self.process.pid), "GC.heap_info"], capture_output=True, text=True)
        found = re.search(r"heap\s+total\s+\d+K, used (\d+)K", done.stdout)
        return int(found.group(1)) / 1024 if found else None

    def sample_heap(self):
        """Context: the peak heap in use while the block runs (sampled about twice a second)."""
        server = self

        class Sampling:
            def __enter__(self):
                self.peak = 0.0
                self.stop = threading.Event()

                def run():
                    while not self.stop.is_set():
                        self.peak = max(self.peak, server.heap_used_mb() or 0)
                        self.stop.wait(0.3)

                self.thread = threading.Thread(target=run, daemon=True)
                self.thread.start()
                return self

            def __exit__(self, *exc):
                self.stop.set()
                self.thread.join()

        return Sampling()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# -- steps -------------------------------------------------------------------------------------


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, sorted(times)[len(times) // 2]


def api(uri: str, requests: int, chain: str, enterprise: str) -> dict:
    """Cold start and p50/p95 per endpoint of `redchain serve` over ``uri``."""
    import httpx

    from api.core.security.principal import Role
    from api.core.security.tokens import create_token

    os.environ["REDCHAIN_NEO4J_PASSWORD"] = PASSWORD
    store = open_store(uri)
    token, _ = create_token(store, Role.ADMIN, note="benchmark")
    store.close()
    port = free_port()
    t = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--store", uri],
                              cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    found = {}
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                              timeout=300)
        while True:
            try:
                if client.get("/api/coverage?by=chain").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.perf_counter() - t > 600:
                raise RuntimeError("the API did not start")
            time.sleep(0.05)
        found["cold start"] = time.perf_counter() - t
        for name, path in ENDPOINTS:
            path = path.format(chain=chain, enterprise=enterprise)
            client.get(path).raise_for_status()
            times = []
            for _ in range(requests):
                t1 = time.perf_counter()
                client.get(path).raise_for_status()
                times.append(time.perf_counter() - t1)
            times.sort()
            found[name] = (times[len(times) // 2], times[int(len(times) * 0.95)])
        found["rss"] = vm(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=60)
    return found


def content(store) -> tuple:
    data = store.read()
    return (
        sorted((n.label.value, n.id, json.dumps(n.props, sort_keys=True, ensure_ascii=False)) for n in data.nodes),
        sorted((r.type.value, r.source, r.target, json.dumps(r.props, sort_keys=True, ensure_ascii=False))
               for r in data.rels),
    )


def documents(store) -> dict:
    from api.cli.migrate import document_collections

    return {c: sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in store.documents(c))
            for c in document_collections()}


def bench(csv_dir: Path, work: Path, heap: str, tx_memory: str, requests: int, source_db: Path | None) -> Results:
    results = Results()
    sqlite_uri = f"sqlite:///{work / 'city.db'}"
    server = Neo4jServer(work / "neo4j", heap, tx_memory)
    os.environ["REDCHAIN_NEO4J_PASSWORD"] = PASSWORD
    uris = {"sqlite": sqlite_uri, "neo4j": server.uri}
    try:
        heap_peaks = {}
        for label, args in (("import CSV (CLI process)", ()), ("re-import, no change (CLI process)", ())):
            found = {}
            for kind, uri in uris.items():
                with server.sample_heap() as sampling:
                    seconds, peak, out = cli_rss("load", str(csv_dir), "--store", uri, "--json", *args)
                found[kind] = (seconds, peak)
                if kind == "neo4j":
                    heap_peaks[label] = sampling.peak
            results.add(label, f"{found['sqlite'][0]:.1f} s", f"{found['neo4j'][0]:.1f} s",
                        f"client peak RSS {found['sqlite'][1]:.0f} MB / {found['neo4j'][1]:.0f} MB; "
                        f"Neo4j heap in use up to {heap_peaks[label]:.0f} MB")
        for label, args in (("report --json", ("report", "--json")),
                            ("gaps uncovered --json", ("gaps", "uncovered", "--json"))):
            for kept in (False, True):  # a new process without, then with, the projection kept on disk
                if not kept:
                    forget_kept_projections(work)
                found = {kind: cli_rss(*args, "--store", uri) for kind, uri in uris.items()}
                same = json.loads(found["sqlite"][2]) == json.loads(found["neo4j"][2])
                results.add(f"{label} (new process, {'projection kept' if kept else 'nothing kept'})",
                            f"{found['sqlite'][0]:.1f} s", f"{found['neo4j'][0]:.1f} s",
                            f"client peak RSS {found['sqlite'][1]:.0f} MB / {found['neo4j'][1]:.0f} MB; "
                            f"same JSON: {'yes' if same else 'NO'}")
        forget_kept_projections(work)

        stores = {kind: open_store(uri) for kind, uri in uris.items()}
        projections, loads = {}, {}
        for kind, store in stores.items():
            projections[kind], loads[kind] = timed(lambda s=store: load_projection(s))
        results.add("projection load (cold, in process)", f"{loads['sqlite']:.2f} s", f"{loads['neo4j']:.2f} s",
                    "SQLite keeps a projection cache on disk beside the file (graph/projection_cache.py)")
        report = {kind: timed(lambda g=g: coverage_report(g), 3) for kind, g in projections.items()}
        results.add("coverage report, warm (projection)", f"{report['sqlite'][1]:.3f} s", f"{report['neo4j'][1]:.3f} s",
                    "same projection code on both; equal: " + ("yes" if report["sqlite"][0] == report["neo4j"][0] else "NO"))
        listing = {kind: timed(lambda g=g: uncovered_enterprises(g), 3) for kind, g in projections.items()}
        results.add("uncovered list, warm projection", f"{listing['sqlite'][1]:.3f} s", f"{listing['neo4j'][1]:.3f} s",
                    f"{len(listing['sqlite'][0])} enterprises")
        g = projections["sqlite"]
        chain = max(chain_summaries(g), key=lambda c: c.enterprises).id  # as benchmarks/run.py
        enterprise = next(e for e in g.graph["by_label"]["Enterprise"] if g.degree(e) > 2)
        for store in stores.values():
            store.close()
        del projections

        served = {}
        for kind, uri in uris.items():
            with server.sample_heap() as sampling:
                served[kind] = api(uri, requests, chain, enterprise)
            if kind == "neo4j":
                heap_peaks["api"] = sampling.peak
        results.add("API cold start (process start → first /api/coverage answer)",
                    f"{served['sqlite']['cold start']:.1f} s", f"{served['neo4j']['cold start']:.1f} s")
        for name, _ in ENDPOINTS:
            (p50s, p95s), (p50n, p95n) = served["sqlite"][name], served["neo4j"][name]
            results.add(f"{name}: p95", f"{p95s * 1000:.1f} ms", f"{p95n * 1000:.1f} ms",
                        f"p50 {p50s * 1000:.1f} / {p50n * 1000:.1f} ms over {requests} requests")
        results.add("API server process peak RSS", f"{served['sqlite']['rss']:.0f} MB", f"{served['neo4j']['rss']:.0f} MB",
                    f"Neo4j heap in use up to {heap_peaks['api']:.0f} MB while serving")
        results.add("Neo4j server process", "", f"{vm(server.process.pid, 'VmHWM'):.0f} MB",
                    f"peak RSS of the JVM (heap -Xmx{heap}, page cache 256 MB, each transaction ≤ {tx_memory})")
    finally:
        server.stop()

    # migrate both ways, checked equal
    source = work / "source.db"
    shutil.copy(source_db or work / "city.db", source)
    target = Neo4jServer(work / "neo4j-migrate", heap, tx_memory)
    try:
        back = work / "back.db"
        with target.sample_heap() as sampling:
            there, there_rss, _ = cli_rss("migrate", "--from", f"sqlite:///{source}", "--to", target.uri, "--json")
        back_s, back_rss, _ = cli_rss("migrate", "--from", target.uri, "--to", f"sqlite:///{back}", "--json")
        stores = [open_store(f"sqlite:///{source}"), open_store(target.uri), open_store(f"sqlite:///{back}")]
        contents = [content(s) for s in stores]
        docs = [documents(s) for s in stores]
        for s in stores:
            s.close()
        equal = contents[0] == contents[1] == contents[2] and docs[0] == docs[1] == docs[2]
        n_nodes, n_rels = len(contents[0][0]), len(contents[0][1])
        results.add("migrate SQLite → Neo4j (CLI process)", "", f"{there:.1f} s",
                    f"{n_nodes} nodes, {n_rels} relationships, {sum(map(len, docs[0].values()))} documents; "
                    f"client peak RSS {there_rss:.0f} MB; Neo4j heap in use up to {sampling.peak:.0f} MB")
        results.add("migrate Neo4j → SQLite (CLI process)", f"{back_s:.1f} s", "", f"client peak RSS {back_rss:.0f} MB")
        results.add("migrate parity: source = Neo4j = back", "", "",
                    "equal: every node, relationship and property, every document" if equal else "NOT EQUAL")
    finally:
        target.stop()
    return results


def section(results: Results, command: str) -> str:
    import platform

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    lines = [
        SECTION,
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}  ",
        f"Run: `{command}` on {time.strftime('%Y-%m-%d %H:%M')} (written by benchmarks/neo4j.py; keep this section "
        "when rewriting the file above it)",
        "",
        "| step | SQLite | Neo4j | note |",
        "|---|---:|---:|---|",
    ]
    lines += [f"| {r.step} | {r.sqlite} | {r.neo4j} | {r.note} |" for r in results.rows]
    lines += ["", *results.notes]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, help="city CSVs (default: generate `demo --scale city`, seed 2024)")
    parser.add_argument("--migrate-from", type=Path, help="SQLite file to migrate (default: the one this run imports)")
    parser.add_argument("--heap", default="2g", help="Neo4j's heap (-Xmx)")
    parser.add_argument("--tx-memory", default="64m", help="Neo4j's memory limit per transaction")
    parser.add_argument("--requests", type=int, default=1000, help="requests per API endpoint (benchmarks/run.py: 1000)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="redchain-neo4j-bench-") as tmp:
        work = Path(tmp)
        os.environ["REDCHAIN_CACHE_DIR"] = str(work / "cache")  # Neo4j's kept projections, for this run only
        csv_dir = args.csv
        if csv_dir is None:
            from loaders.demo import demo_tables, write_demo_csv

            csv_dir = work / "city-csv"
            write_demo_csv(demo_tables("city", 2024), csv_dir)
        results = bench(csv_dir, work, args.heap, args.tx_memory, args.requests, args.migrate_from)
    command = "python " + " ".join(["benchmarks/neo4j.py", *sys.argv[1:]])
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    if SECTION in text:
        text = text[: text.index(SECTION)]
    args.out.write_text(text.rstrip() + "\n\n" + section(results, command), encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
