import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))


# -- a real Neo4j for the Neo4j suites -------------------------------------------------------
# The Neo4j suites read NEO4J_URI when they are collected, so the server is started here,
# before collection: tools/neo4j/serve (Neo4j 5.26 from Maven Central, Bolt on a free local
# port, a throw-away data folder), unless NEO4J_URI is set already or there is no Java/Maven
# (then those suites skip and say why). It is stopped when the run ends.
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

# Projections of Neo4j stores kept during the run go to a folder of the run's own, not the user's cache.
os.environ.setdefault("REDCHAIN_CACHE_DIR", tempfile.mkdtemp(prefix="redchain-test-cache-"))
NEO4J_READY_TIMEOUT = 900  # the first start downloads Neo4j through Maven
NEO4J_TEST_PASSWORD = "redchain-tests-" + os.urandom(6).hex()  # authentication on, as in production
_neo4j: dict = {}


def _wants_neo4j(config) -> bool:
    args = [str(a) for a in config.args]
    return not args or any("integration" in a or a.rstrip("/") in ("tests", ".") for a in args)


def pytest_configure(config):
    if os.environ.get("NEO4J_URI") or not _wants_neo4j(config):
        return
    if not all(shutil.which(tool) for tool in ("java", "javac", "mvn")):
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tempfile.mkdtemp(prefix="redchain-neo4j-")
    log = open(os.path.join(data, "serve.log"), "w+")
    process = subprocess.Popen([str(ROOT / "tools" / "neo4j" / "serve"), "--port", str(port), "--data", os.path.join(data, "db")],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                               env={**os.environ, "REDCHAIN_NEO4J_PASSWORD": NEO4J_TEST_PASSWORD})
    _neo4j.update(process=process, data=data, log=log)
    deadline = time.monotonic() + NEO4J_READY_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        log.seek(0)
        if "ready bolt://" in log.read():
            os.environ["NEO4J_URI"] = f"bolt://127.0.0.1:{port}"
            os.environ["REDCHAIN_NEO4J_PASSWORD"] = NEO4J_TEST_PASSWORD  # how every store of the run logs in
            return
        time.sleep(0.5)
    log.seek(0)
    print(f"\nNeo4j did not start (the Neo4j suites will skip): {log.read()[-2000:]}", file=sys.stderr)


def pytest_unconfigure(config):
    process = _neo4j.get("process")
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
    _neo4j["log"].close()
    shutil.rmtree(_neo4j["data"], ignore_errors=True)
