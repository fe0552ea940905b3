"""A load test of the HTTP server: concurrent viewers, then the same viewers while another
process imports 20,000 rows. Loopback only, bounded in time; numbers, not asserts.

    python benchmarks/load.py [--scale district] [--viewers 16] [--seconds 20] [--centres 200] [--out benchmarks/LOAD.md]

The server is `redchain serve` in its own process over a demo store; each viewer is a
thread with its own keep-alive connection and bearer token, asking in turn (at random,
each equally often) for the dashboard's data (coverage by chain), a page of uncovered
enterprises, a page of enterprises and the neighbourhood (depth 2) of an enterprise: one
of a fixed seeded sample of ``--centres`` enterprises (1: always the same one, as the
first version of this test did; the server keeps recently asked neighbourhoods, so that
figure is the cheapest case). Latency is per request, measured at the client. The
clients share the machine's two cores with the server (and the importer): the figures
are an upper bound of what a server on its own machine would show.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from api.core.security import tokens  # noqa: E402
from api.core.security.principal import Role  # noqa: E402
from graph.factory import open_store  # noqa: E402
from loaders.demo import demo_tables, write_demo_csv  # noqa: E402
from loaders.importer import import_paths  # noqa: E402
from loaders.uscc import make_uscc  # noqa: E402

IMPORT_ROWS = 20_000
CLIENT_PROCESSES = 4
SAMPLE_SEED = 2024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--store", str(db)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 401:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def viewer(base: str, token: str, mix: list[list[str]], until: float, latencies: list[tuple[float, float]], seed: int) -> None:
    """Requests one after another until ``until``, each of a kind of ``mix`` chosen at
    random and then one of its paths; each as (when it started, how long it took).
    CLOCK_MONOTONIC is the machine's, so the times compare across processes."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        while time.monotonic() < until:
            path = rng.choice(rng.choice(mix))
            started, t = time.monotonic(), time.perf_counter()
            response = client.get(path)
            latencies.append((started, time.perf_counter() - t))
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")


def _viewer_threads(base: str, token: str, mix: list[list[str]], seeds: list[int], until: float) -> list[tuple[float, float]]:
    latencies: list[tuple[float, float]] = []
    threads = [threading.Thread(target=viewer, args=(base, token, mix, until, latencies, seed)) for seed in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def run_viewers(base: str, token: str, mix: list[list[str]], viewers: int, seconds: float,
                meanwhile=None) -> list[tuple[float, float]]:
    """``viewers`` clients spread over CLIENT_PROCESSES processes (so that the clients' own
    interpreter lock is not what the test measures), started once for the whole
    ``seconds``; ``meanwhile()`` runs in this process while they do."""
    groups = [list(range(i, viewers, CLIENT_PROCESSES)) for i in range(min(CLIENT_PROCESSES, viewers))]
    with ProcessPoolExecutor(len(groups)) as pool:
        list(pool.map(time.sleep, [0] * len(groups)))  # the client processes started before the clock runs
        until = time.monotonic() + seconds
        done = [pool.submit(_viewer_threads, base, token, mix, seeds, until) for seeds in groups]
        if meanwhile is not None:
            meanwhile()
        return [x for future in done for x in future.result()]


def centres(tables: dict[str, list[dict]], count: int) -> list[str]:
    """The enterprises whose neighbourhoods the viewers ask for: the first one alone, or a
    fixed seeded sample of ``count`` (the same in every run at a scale)."""
    ids = [row["id"] for row in tables["enterprises"]]
    return ids[:1] if count <= 1 else random.Random(SAMPLE_SEED).sample(ids, min(count, len(ids)))


def describe(latencies: list[tuple[float, float]]) -> str:
    ms = sorted(x * 1000 for _, x in latencies)
    q = statistics.quantiles(ms, n=100)
    return f"{len(ms)} requests; p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, max {ms[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="district")
    parser.add_argument("--viewers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--centres", type=int, default=200,
                        help="how many enterprises (a fixed seeded sample) the viewers ask the neighbourhood of")
    parser.add_argument("--import-window", type=float, default=30,
                        help="seconds the viewers read while (and after) another process imports")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "LOAD.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="redchain-load-") as folder:
        work = Path(folder)
        tables = demo_tables(args.scale, 2024)
        db = work / "load.db"
        store = open_store(f"sqlite:///{db}")
        try:
            import_paths(store, write_demo_csv(tables, work / "csv"))
            token = tokens.create_token(store, Role.VIEWER)[0]
        finally:
            store.close()
        # 20,000 rows another process imports while the viewers read: new enterprises of
        # a neighbouring district, as a merged ledger would bring them.
        rows = [{**tables["enterprises"][0], "id": make_uscc(f"914399009{i:08d}"), "name": f"负载测试企业{i}"}
                for i in range(IMPORT_ROWS)]
        update = work / "update"
        write_demo_csv({"enterprises": rows}, update)
        mix = [["/api/coverage?by=chain"], ["/api/gaps/uncovered?limit=100"], ["/api/enterprises?limit=100"],
               [f"/api/graph/neighbourhood/{e}?depth=2" for e in centres(tables, args.centres)]]
        port = free_port()
        server = start_server(db, port)
        base = f"http://127.0.0.1:{port}"
        try:
            run_viewers(base, token, mix, args.viewers, 2)  # warm: every view computed once
            quiet = run_viewers(base, token, mix, args.viewers, args.seconds)
            span: dict[str, float] = {}

            def import_meanwhile() -> None:  # 1 s of reading first, then the import, then reading on
                time.sleep(1)
                span["start"] = time.monotonic()
                done = subprocess.run([sys.executable, "-m", "api.cli", "load", str(update), "--store", str(db)],
                                      cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                span["end"] = time.monotonic()
                if done.returncode != 0:
                    raise RuntimeError(done.stderr.decode()[-2000:])

            window = run_viewers(base, token, mix, args.viewers, args.import_window, meanwhile=import_meanwhile)
            if "end" not in span or span["end"] + 3 > max(t for t, _ in window):
                raise RuntimeError(f"the import did not end 3 s before the viewers stopped: raise --import-window ({args.import_window:g} s)")
            during = [x for x in window if span["start"] <= x[0] <= span["end"]]
            after = [x for x in window if span["end"] < x[0] <= span["end"] + 3]  # the rebuild after the import
            import_seconds = span["end"] - span["start"]
        finally:
            server.terminate()
            server.wait(10)
    lines = [
        "# redchain load test",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}  ",
        f"Run: `python benchmarks/load.py --scale {args.scale} --viewers {args.viewers} --seconds {args.seconds:g} "
        f"--centres {args.centres} --import-window {args.import_window:g}` "
        f"on {datetime.now():%Y-%m-%d %H:%M}",
        "",
        "| phase | latency per request (client side) |",
        "|---|---|",
        f"| {args.viewers} viewers, {args.seconds:g} s | {describe(quiet)} |",
        f"| same, while another process imports {len(rows):,} rows ({import_seconds:.1f} s) | {describe(during)} |",
        f"| same, 3 s after the import (the new version built in the background) | {describe(after)} |",
        "",
        "Targets (issue 17): p95 ≤ 50 ms at district scale, ≤ 100 ms at city; no read over 250 ms during an import.",
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
