"""Neo4j's own Cypher front end checks every statement redchain can send.

``graph.cypher.STATEMENTS`` is the only place Cypher text lives; each statement (each
expansion over the schema's labels / relationship types) goes through
``@neo4j-cypher/language-support``'s ``lintCypherQuery`` (parser and semantic analysis,
Cypher 5) with its parameters declared and the schema's labels, relationship types and
property keys as the database's. Any diagnostic, error or warning, fails the test.

Runs offline under Node; needs ``npm ci --prefix tools/cypher-lint`` (``.ci/run`` does it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import graph.cypher as cypher
import graph.neo4j_store as neo4j_store
from graph.cypher import INTERNAL_LABELS, NODE_LABEL, STAGED_LABEL, STAGED_TYPE, STATEMENTS, Statement, all_statements
from graph.schema import NODE_PROPS, REL_SPECS, Label, RelType

ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = ROOT / "tools" / "cypher-lint"
FRONT_END = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not FRONT_END.is_dir(),
    reason="the Cypher front end is not installed: needs node and `npm ci --prefix tools/cypher-lint`",
)

# Property keys of the database: the schema's, plus what the adapter itself stores.
PROPERTY_KEYS = sorted(
    {"id", "key", "value", "collection", "body"}
    | {"source", "target", "props"}  # keys of the row maps in $rows / $keys
    | {"staging", "publishing", "pending_documents", "pending_bump", "holder"}  # a staged write's marks
    | {"store_id", "written"}  # the store's id and the token of its last write: the key of a kept projection
    | {"_rc_op", "_rc_label", "_rc_type", "op", "label"}  # staged records and their rows
    | {name for props in NODE_PROPS.values() for name in props}
    | {name for spec in REL_SPECS.values() for name in spec.props}
)

# Which labels each relationship type joins, so that a pattern with a wrong direction or a
# wrong end label is reported. Every node also carries RedchainNode, so either end may be
# named by that label instead.
GRAPH_SCHEMA = [
    {"from": source, "to": target, "relType": rtype.value}
    for rtype, spec in REL_SPECS.items()
    for source in sorted({lb.value for lb in spec.sources} | {NODE_LABEL})
    for target in sorted({lb.value for lb in spec.targets} | {NODE_LABEL})
] + [  # a staged relationship joins any two nodes, visible or staged
    {"from": source, "to": target, "relType": STAGED_TYPE}
    for source in (NODE_LABEL, STAGED_LABEL)
    for target in (NODE_LABEL, STAGED_LABEL)
]


def _lint(statements: list[dict]) -> dict:
    schema = {
        "labels": [label.value for label in Label] + list(INTERNAL_LABELS),
        "relationshipTypes": [rtype.value for rtype in RelType] + [STAGED_TYPE],
        "propertyKeys": PROPERTY_KEYS,
        "graphSchema": GRAPH_SCHEMA,
    }
    done = subprocess.run(
        ["node", str(LINT_DIR / "lint.mjs")],
        input=json.dumps({"schema": schema, "statements": statements}, ensure_ascii=False),
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, f"lint.mjs failed:\n{done.stderr}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def linted() -> dict:
    statements = [{"name": name, "text": text, "params": params} for name, text, params in all_statements()]
    return _lint(statements)


def test_the_front_end_rejects_known_bad_queries(linted):
    assert linted["selfCheck"] == [], f"the linter did not flag: {linted['selfCheck']}"


def test_every_statement_passes_the_front_end(linted):
    problems = [
        f"{r['name']}: {d['severity']} at {d['line']}:{d['column']} ({d['excerpt']!r}): {d['message']}"
        for r in linted["results"]
        for d in r["diagnostics"]
    ]
    assert not problems, "\n".join(problems)


def test_every_label_and_type_is_expanded(linted):
    names = {r["name"] for r in linted["results"]}
    assert {f"upsert_nodes[{label.value}]" for label in Label} <= names
    assert {f"upsert_rels[{rtype.value}]" for rtype in RelType} <= names
    assert len(names) == len(linted["results"]), "statement names must be unique"


def test_a_broken_statement_is_reported():
    """The test would catch a mistake: a misspelt variable, an undeclared parameter, a
    relationship the wrong way round."""
    result = _lint([{"name": "broken", "text": "MATCH (n:RedchainNode {id: $id}) RETURN m", "params": {}}])
    messages = [d["message"] for d in result["results"][0]["diagnostics"]]
    assert any("Variable `m` not defined" in m for m in messages)
    assert any("Parameter $id is not defined" in m for m in messages)
    backwards = _lint([{"name": "backwards", "text": "MATCH (c:Chain)-[:PART_OF]->(s:Segment) RETURN s.id", "params": {}}])
    assert "[:PART_OF] has no incoming (:Chain)" in [d["message"] for d in backwards["results"][0]["diagnostics"]]


def test_statement_parameters_are_exactly_the_declared_ones():
    """Each declared parameter is used by its statement and each used one is declared."""
    for name, text, params in all_statements():
        used = set(re.findall(r"\$(\w+)", text))
        assert used == set(params), f"{name}: uses {sorted(used)}, declares {sorted(params)}"


def test_only_registry_statements_are_sent():
    """The adapter and the listings pass Statement objects, never Cypher text of their own."""
    for module in (neo4j_store, cypher):
        source = Path(module.__file__).read_text(encoding="utf-8")
        calls = re.findall(r"\.run\(([^,)]+)", source)
        for argument in calls:
            assert not argument.strip().startswith(("'", '"', "f'", 'f"')), f"{module.__name__}: {argument}"
    assert all(isinstance(s, Statement) for s in STATEMENTS)


def test_templates_only_take_enum_members():
    with pytest.raises(ValueError):
        cypher.UPSERT_NODES.text("Enterprise) DETACH DELETE (x")
    with pytest.raises(ValueError):
        cypher.UPSERT_RELS.text(Label.ENTERPRISE)
    assert ":Enterprise {id: row.id}" in cypher.UPSERT_NODES.text(Label.ENTERPRISE)
