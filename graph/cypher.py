"""Every Cypher statement redchain sends to Neo4j.

Each statement is a named :class:`Statement` with the parameters it takes (with example
values, which is what the offline lint declares to Neo4j's Cypher front end). Labels and
relationship types cannot be parameters in Cypher 5, so a statement that needs one is a
template over :class:`~graph.schema.Label` or :class:`~graph.schema.RelType` and is only
ever filled from those enums, never from text a user typed. ``STATEMENTS`` lists them all;
``tests/integration/test_cypher_lint.py`` feeds every expansion to
``@neo4j-cypher/language-support`` and fails on any diagnostic.

Graph layout in Neo4j: every node carries its schema label and the common label
``RedchainNode`` (both with a uniqueness constraint on ``id``); relationships carry their
properties; the version counter is ``(:RedchainMeta {key: 'version', value})``; documents
are ``(:RedchainDocument {collection, key, body})`` with ``body`` a JSON string.

Decision (issue 13, item 6): no analysis runs in Cypher; every rule is written once, in
``graph.analysis``, over the projection (networkx), and production reads the projection on
both stores. The coverage report's Cypher copy was deleted first (it fell behind as soon as
the report gained fields); the uncovered and neighbourhood listings that were left, checked
for parity but called by nothing in production, were deleted after measuring them at city
scale (benchmarks/RESULTS.md, "Neo4j beside SQLite"): the Cypher uncovered listing took
4.8 s where the projection's takes 2.2–3.0 s (0.6 s in benchmarks/run.py's quieter run) once loaded, and the API, which serves from its
loaded projection, answers either store's listings in milliseconds. What is slow on Neo4j
is loading the projection (47 s against 0.9 s for SQLite, which keeps it cached on
disk beside its file), and that cost falls on every analysis, not on two listings; the
remedy is the projection cache keyed by the store's id and version, which Neo4j stores now
have too (``graph.projection_cache``, in the user's cache folder), not a second copy of
the rules. Reinstating a listing in
Cypher means wiring it into the API and CLI and keeping a parity test against the
projection (git history has both, before "Cypher listings deleted").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterator

from graph.schema import Label, RelType

NODE_LABEL = "RedchainNode"  # on every graph node: one id index across all labels
META_LABEL = "RedchainMeta"
DOCUMENT_LABEL = "RedchainDocument"
STAGED_LABEL = "RedchainStaged"  # a staged write's records, invisible to every read
STAGED_TYPE = "REDCHAIN_STAGED"  # a staged relationship (its real type in _rc_type)
INTERNAL_LABELS = (NODE_LABEL, META_LABEL, DOCUMENT_LABEL, STAGED_LABEL)

_LABEL = "__LABEL__"  # placeholders, replaced only by enum values
_TYPE = "__TYPE__"


@dataclass(frozen=True)
class Statement:
    """One Cypher statement: its name, its text and its parameters (name -> example value).

    ``per`` is ``Label`` or ``RelType`` when the text is a template over that enum.
    """

    name: str
    template: str
    params: dict = field(default_factory=dict)
    per: type[Enum] | None = None

    def text(self, kind: Label | RelType | None = None) -> str:
        """The statement for one label / relationship type (only enum members accepted)."""
        if self.per is None:
            if kind is not None:
                raise ValueError(f"{self.name} takes no label or relationship type")
            return self.template
        if not isinstance(kind, self.per):
            raise ValueError(f"{self.name} needs a {self.per.__name__}, not {kind!r}")
        return self.template.replace(_LABEL if self.per is Label else _TYPE, kind.value)

    def expansions(self) -> Iterator[tuple[str, str]]:
        """(name, text) of every statement this can produce: one per enum member."""
        if self.per is None:
            yield self.name, self.template
        else:
            for kind in self.per:
                yield f"{self.name}[{kind.value}]", self.text(kind)


STATEMENTS: list[Statement] = []


def _statement(name: str, template: str, params: dict | None = None, per: type[Enum] | None = None) -> Statement:
    statement = Statement(name, template.strip(), dict(params or {}), per)
    STATEMENTS.append(statement)
    return statement


_IDS = {"ids": ["91350100M000100Y43", "O1"]}
_NODE_ROWS = {"rows": [{"id": "91350100M000100Y43", "props": {"name": "甲"}}]}
_REL_KEYS = {"keys": [{"source": "O1", "target": "91350100M000100Y43"}]}
_REL_ROWS = {"rows": [{"source": "O1", "target": "91350100M000100Y43", "props": {}}]}

# -- schema: constraints created on first use -----------------------------------------------

CREATE_LABEL_ID_CONSTRAINT = _statement(
    "create_label_id_constraint",
    f"CREATE CONSTRAINT redchain_{_LABEL}_id IF NOT EXISTS FOR (n:{_LABEL}) REQUIRE n.id IS UNIQUE",
    per=Label,
)
CREATE_NODE_ID_CONSTRAINT = _statement(
    "create_node_id_constraint",
    f"CREATE CONSTRAINT redchain_node_id IF NOT EXISTS FOR (n:{NODE_LABEL}) REQUIRE n.id IS UNIQUE",
)
CREATE_META_CONSTRAINT = _statement(
    "create_meta_constraint",
    f"CREATE CONSTRAINT redchain_meta_key IF NOT EXISTS FOR (m:{META_LABEL}) REQUIRE m.key IS UNIQUE",
)
CREATE_DOCUMENT_CONSTRAINT = _statement(
    "create_document_constraint",
    f"CREATE CONSTRAINT redchain_document_key IF NOT EXISTS "
    f"FOR (d:{DOCUMENT_LABEL}) REQUIRE (d.collection, d.key) IS UNIQUE",
)
CREATE_DOCUMENT_COLLECTION_INDEX = _statement(
    "create_document_collection_index",
    f"CREATE INDEX redchain_document_collection IF NOT EXISTS FOR (d:{DOCUMENT_LABEL}) ON (d.collection)",
)

CREATE_STAGED_CONSTRAINT = _statement(
    "create_staged_constraint",
    f"CREATE CONSTRAINT redchain_staged_id IF NOT EXISTS FOR (n:{STAGED_LABEL}) REQUIRE n.id IS UNIQUE",
)
CREATE_STAGED_OP_INDEX = _statement(
    "create_staged_op_index",
    f"CREATE INDEX redchain_staged_op IF NOT EXISTS FOR (n:{STAGED_LABEL}) ON (n._rc_op, n._rc_label)",
)
CREATE_STAGED_TYPE_INDEX = _statement(
    "create_staged_type_index",
    f"CREATE INDEX redchain_staged_type IF NOT EXISTS FOR ()-[s:{STAGED_TYPE}]-() ON (s._rc_type)",
)

# -- version ---------------------------------------------------------------------------------

READ_VERSION = _statement(
    "read_version",
    f"MATCH (m:{META_LABEL} {{key: 'version'}}) RETURN m.value AS version",
)
# The version node also says whether a staged write is under way (``staging``: its id)
# and whether it is being published (``publishing``), see graph/neo4j_store.py.
READ_META = _statement(
    "read_meta",
    f"""
MATCH (m:{META_LABEL} {{key: 'version'}})
RETURN m.value AS version, m.staging AS staging, m.publishing AS publishing
""",
)
# The store's id (made once, at random) with its version and the token of the write that made
# it (``written``, new at random with each version): the key of the projection a client keeps
# in its cache folder (graph/projection_cache.py).
READ_STORE_ID = _statement(
    "read_store_id",
    f"MATCH (m:{META_LABEL} {{key: 'version'}}) RETURN m.store_id AS store_id, m.value AS version, m.written AS written",
)
CLAIM_STORE_ID = _statement(
    "claim_store_id",
    f"""
MATCH (m:{META_LABEL} {{key: 'version'}})
SET m.store_id = coalesce(m.store_id, $store_id)
RETURN m.store_id AS store_id, m.value AS version, m.written AS written
""",
    {"store_id": "5f0c6d0e8e4b4f6f9c2a1d3b7e8f9a0b"},
)
# First statement of a one-transaction write: takes the version node's write lock (held to
# commit), so writes and the start of a staged write follow one another.
LOCK_META = _statement(
    "lock_meta",
    f"""
MERGE (m:{META_LABEL} {{key: 'version'}})
ON CREATE SET m.value = 0
SET m.value = m.value + 0
RETURN m.value AS version, m.staging AS staging
""",
)
BUMP_VERSION = _statement(
    "bump_version",
    f"""
MERGE (m:{META_LABEL} {{key: 'version'}})
ON CREATE SET m.value = 0
SET m.value = m.value + 1, m.written = $written
RETURN m.value AS version
""",
    {"written": "3f9a0c1d2b4e5f60"},
)

# -- writes (one batch of at most BATCH_SIZE rows each) ------------------------------------------

LABELS_BY_ID = _statement(
    "labels_by_id",
    f"""
UNWIND $ids AS id
MATCH (n:{NODE_LABEL} {{id: id}})
RETURN n.id AS id, labels(n) AS labels
""",
    _IDS,
)
EXISTING_NODES = _statement(
    "existing_nodes",
    f"""
UNWIND $ids AS id
MATCH (n:{_LABEL} {{id: id}})
RETURN n.id AS id, properties(n) AS props
""",
    _IDS,
    per=Label,
)
# MERGE on the schema label (its uniqueness constraint locks the id); the common label is
# added on creation, and its own constraint rejects an id already used under another label.
UPSERT_NODES = _statement(
    "upsert_nodes",
    f"""
UNWIND $rows AS row
MERGE (n:{_LABEL} {{id: row.id}})
ON CREATE SET n:{NODE_LABEL}
SET n += row.props
""",
    _NODE_ROWS,
    per=Label,
)
# Both ends are found by id first and the relationship between them inside CALL: the planner
# then checks the two nodes' relationships (Expand(Into)) instead of walking every
# relationship of the end it found first (a segment with 20,000 enterprises: 40x slower).
EXISTING_RELS = _statement(
    "existing_rels",
    f"""
UNWIND $keys AS key
MATCH (a:{NODE_LABEL} {{id: key.source}})
MATCH (b:{NODE_LABEL} {{id: key.target}})
CALL (a, b) {{
  MATCH (a)-[r:{_TYPE}]->(b)
  RETURN r
}}
RETURN a.id AS source, b.id AS target, properties(r) AS props
""",
    _REL_KEYS,
    per=RelType,
)
UPSERT_RELS = _statement(
    "upsert_rels",
    f"""
UNWIND $rows AS row
MATCH (a:{NODE_LABEL} {{id: row.source}})
MATCH (b:{NODE_LABEL} {{id: row.target}})
MERGE (a)-[r:{_TYPE}]->(b)
SET r += row.props
""",
    _REL_ROWS,
    per=RelType,
)
DELETE_RELS = _statement(
    "delete_rels",
    f"""
UNWIND $keys AS key
MATCH (a:{NODE_LABEL} {{id: key.source}})
MATCH (b:{NODE_LABEL} {{id: key.target}})
CALL (a, b) {{
  MATCH (a)-[r:{_TYPE}]->(b)
  DELETE r
  RETURN count(*) AS deleted
}}
RETURN sum(deleted) AS deleted
""",
    _REL_KEYS,
    per=RelType,
)
# The relationships a node deletion takes with it (those a staged write deletes on their
# own are counted there).
COUNT_RELS_OF_NODES = _statement(
    "count_rels_of_nodes",
    f"""
UNWIND $ids AS id
MATCH (:{NODE_LABEL} {{id: id}})-[r]-(:{NODE_LABEL})
WHERE type(r) <> '{STAGED_TYPE}'
WITH DISTINCT r
WITH r, startNode(r) AS a, endNode(r) AS b
WHERE NOT EXISTS {{ (a)-[s:{STAGED_TYPE}]->(b) WHERE s._rc_type = type(r) AND s._rc_op = 'delete' }}
RETURN type(r) AS type, count(r) AS count
""",
    _IDS,
)
DELETE_NODES = _statement(
    "delete_nodes",
    f"""
UNWIND $ids AS id
MATCH (n:{NODE_LABEL} {{id: id}})
WITH n, labels(n) AS labels
DETACH DELETE n
RETURN labels, count(*) AS count
""",
    _IDS,
)

# -- a staged write (graph/neo4j_store.py): many small transactions, then a publish -------------
#
# Staged records are invisible to every read: a node is (:RedchainStaged {id, _rc_op,
# _rc_label, ...its properties}), never :RedchainNode; a relationship between two visible
# nodes is [:REDCHAIN_STAGED {_rc_type, _rc_op, ...its properties}], and every untyped
# pattern above skips that type; one with a new end has its own type already (every read
# matches both ends as :RedchainNode, so it appears when its end is published). ``_rc_op`` says what
# publishing does: create (the node gets its labels), update (its properties replace the
# visible node's), delete, upsert (the relationship replaces the visible one of its type).

_STAGED_NODE_ROWS = {"rows": [{"id": "91350100M000100Y43", "op": "create", "label": "Enterprise",
                               "props": {"name": "甲"}}]}
_STAGE_ID = {"staging": "w-20260101T000000-ab12"}
_LIMIT = {"limit": 5_000}

BEGIN_STAGING = _statement(
    "begin_staging",
    f"""
MERGE (m:{META_LABEL} {{key: 'version'}})
ON CREATE SET m.value = 0
WITH m, m.staging AS busy
SET m.staging = coalesce(busy, $staging)
RETURN m.value AS version, busy
""",
    _STAGE_ID,
)
MERGE_GUARD = _statement("merge_guard", f"MERGE (:{META_LABEL} {{key: 'guard'}})")
# Held (never committed) by the process writing a staged write, for as long as it writes: the
# lock says it is alive. A probe that cannot take it within a second knows someone holds it.
HOLD_GUARD = _statement(
    "hold_guard",
    f"MATCH (g:{META_LABEL} {{key: 'guard'}}) SET g.holder = $staging",
    _STAGE_ID,
)
BEGIN_PUBLISH = _statement(
    "begin_publish",
    f"""
MATCH (m:{META_LABEL} {{key: 'version'}})
WITH m, m.staging = $staging AS ours
SET m.publishing = CASE WHEN ours THEN $staging ELSE m.publishing END,
    m.pending_documents = CASE WHEN ours THEN $documents ELSE m.pending_documents END,
    m.pending_bump = CASE WHEN ours THEN $bump ELSE m.pending_bump END
RETURN m.value AS version, ours
""",
    {**_STAGE_ID, "documents": "[]", "bump": 1},
)
END_PUBLISH = _statement(
    "end_publish",
    f"""
MATCH (m:{META_LABEL} {{key: 'version'}})
WHERE m.staging = $staging AND m.publishing = $staging
WITH m, m.pending_documents AS documents
SET m.value = m.value + m.pending_bump,
    m.written = CASE WHEN m.pending_bump > 0 THEN $written ELSE m.written END
REMOVE m.staging, m.publishing, m.pending_documents, m.pending_bump
RETURN m.value AS version, documents
""",
    {**_STAGE_ID, "written": "3f9a0c1d2b4e5f60"},
)
END_STAGING = _statement(
    "end_staging",
    f"""
MATCH (m:{META_LABEL} {{key: 'version'}})
WHERE m.staging = $staging
REMOVE m.staging, m.publishing, m.pending_documents, m.pending_bump
""",
    _STAGE_ID,
)
STAGE_NODES = _statement(
    "stage_nodes",
    f"""
UNWIND $rows AS row
MERGE (n:{STAGED_LABEL} {{id: row.id}})
SET n = row.props
SET n.id = row.id, n._rc_op = row.op, n._rc_label = row.label
""",
    _STAGED_NODE_ROWS,
)
# An end is the visible node of that id, else the staged new one.
_STAGED_ENDS = f"""
OPTIONAL MATCH (a1:{NODE_LABEL} {{id: row.source}})
OPTIONAL MATCH (a2:{STAGED_LABEL} {{id: row.source}})
OPTIONAL MATCH (b1:{NODE_LABEL} {{id: row.target}})
OPTIONAL MATCH (b2:{STAGED_LABEL} {{id: row.target}})
WITH row, coalesce(a1, a2) AS a, coalesce(b1, b2) AS b
""".strip()
STAGE_RELS = _statement(
    "stage_rels",
    f"""
UNWIND $rows AS row
{_STAGED_ENDS}
MERGE (a)-[s:{STAGED_TYPE} {{_rc_type: '{_TYPE}'}}]->(b)
SET s = row.props
SET s._rc_type = '{_TYPE}', s._rc_op = 'upsert'
""",
    _REL_ROWS,
    per=RelType,
)
# A relationship with a new (staged) end is invisible as it is: every read matches both ends
# as :RedchainNode. It is written with its own type and needs no publishing.
STAGE_RELS_TO_NEW = _statement(
    "stage_rels_to_new",
    f"""
UNWIND $rows AS row
{_STAGED_ENDS}
MERGE (a)-[r:{_TYPE}]->(b)
SET r = row.props
""",
    _REL_ROWS,
    per=RelType,
)
STAGE_REL_DELETES = _statement(
    "stage_rel_deletes",
    f"""
UNWIND $keys AS key
MATCH (a:{NODE_LABEL} {{id: key.source}})
MATCH (b:{NODE_LABEL} {{id: key.target}})
CALL (a, b) {{
  OPTIONAL MATCH (a)-[r:{_TYPE}]->(b)
  OPTIONAL MATCH (a)-[s:{STAGED_TYPE} {{_rc_type: '{_TYPE}'}}]->(b)
  RETURN count(r) + count(s) AS found
}}
WITH a, b WHERE found > 0
MERGE (a)-[s:{STAGED_TYPE} {{_rc_type: '{_TYPE}'}}]->(b)
SET s = {{_rc_type: '{_TYPE}', _rc_op: 'delete'}}
RETURN count(*) AS deleted
""",
    _REL_KEYS,
    per=RelType,
)
STAGE_NODE_DELETES = _statement(
    "stage_node_deletes",
    f"""
UNWIND $ids AS id
MATCH (n:{NODE_LABEL} {{id: id}})
MERGE (d:{STAGED_LABEL} {{id: id}})
SET d = {{id: id, _rc_op: 'delete'}}
RETURN labels(n) AS labels, count(*) AS count
""",
    _IDS,
)

# Publishing: each statement handles at most $limit staged records in its own transaction and
# is repeated until it handles none; each step can be re-run after a crash (what it did is
# gone from the staged records).
PUBLISH_CREATED = _statement(
    "publish_created",
    f"""
MATCH (n:{STAGED_LABEL} {{_rc_op: 'create', _rc_label: '{_LABEL}'}})
WITH n LIMIT $limit
SET n:{_LABEL}:{NODE_LABEL}
REMOVE n:{STAGED_LABEL}, n._rc_op, n._rc_label
RETURN count(*) AS done
""",
    _LIMIT,
    per=Label,
)
PUBLISH_UPDATED = _statement(
    "publish_updated",
    f"""
MATCH (u:{STAGED_LABEL} {{_rc_op: 'update'}})
WITH u LIMIT $limit
OPTIONAL MATCH (n:{NODE_LABEL} {{id: u.id}})
FOREACH (x IN CASE WHEN n IS NULL THEN [] ELSE [n] END |
  SET x = properties(u)
  REMOVE x._rc_op, x._rc_label)
DELETE u
RETURN count(*) AS done
""",
    _LIMIT,
)
PUBLISH_RELS = _statement(
    "publish_rels",
    f"""
MATCH (a)-[s:{STAGED_TYPE} {{_rc_type: '{_TYPE}'}}]->(b)
WITH a, s, b LIMIT $limit
CALL (a, b) {{
  MATCH (a)-[old:{_TYPE}]->(b)
  DELETE old
}}
FOREACH (x IN CASE WHEN s._rc_op = 'upsert' THEN [s] ELSE [] END |
  CREATE (a)-[r:{_TYPE}]->(b)
  SET r = properties(x)
  REMOVE r._rc_type, r._rc_op)
DELETE s
RETURN count(*) AS done
""",
    _LIMIT,
    per=RelType,
)
PUBLISH_DELETED = _statement(
    "publish_deleted",
    f"""
MATCH (d:{STAGED_LABEL} {{_rc_op: 'delete'}})
WITH d LIMIT $limit
OPTIONAL MATCH (n:{NODE_LABEL} {{id: d.id}})
DETACH DELETE n
DELETE d
RETURN count(*) AS done
""",
    _LIMIT,
)
# Discarding a staged write that will not be published (it failed, or its process died).
DISCARD_STAGED_RELS = _statement(
    "discard_staged_rels",
    f"""
MATCH ()-[s:{STAGED_TYPE}]->()
WITH s LIMIT $limit
DELETE s
RETURN count(*) AS done
""",
    _LIMIT,
)
DISCARD_STAGED_NODES = _statement(
    "discard_staged_nodes",
    f"""
MATCH (n:{STAGED_LABEL})
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS done
""",
    _LIMIT,
)

# -- reads -------------------------------------------------------------------------------------

READ_ALL_NODES = _statement(
    "read_all_nodes",
    f"MATCH (n:{NODE_LABEL}) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props",
)
READ_NODES_PART = _statement(
    "read_nodes_part",
    f"""
MATCH (n:{NODE_LABEL})
RETURN n.id AS id, labels(n) AS labels, [key IN $keys WHERE n[key] IS NOT NULL | [key, n[key]]] AS props
""",
    {"keys": ["in_base", "status"]},
)
READ_LABEL_NODES = _statement(
    "read_label_nodes",
    f"MATCH (n:{_LABEL}:{NODE_LABEL}) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props",
    per=Label,
)
READ_NODES_BY_ID = _statement(
    "read_nodes_by_id",
    f"""
UNWIND $ids AS id
MATCH (n:{NODE_LABEL} {{id: id}})
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
""",
    _IDS,
)
READ_ALL_RELS = _statement(
    "read_all_rels",
    f"""
MATCH (a:{NODE_LABEL})-[r]->(b:{NODE_LABEL})
WHERE type(r) <> '{STAGED_TYPE}'
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
""",
)
READ_RELS_OF_TYPES = _statement(
    "read_rels_of_types",
    f"""
MATCH (a:{NODE_LABEL})-[r]->(b:{NODE_LABEL})
WHERE type(r) IN $types
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
ORDER BY type, source, target
""",
    {"types": ["COVERS", "IN_SEGMENT"]},
)
READ_RELS_AMONG = _statement(
    "read_rels_among",
    f"""
UNWIND $ids AS id
MATCH (a:{NODE_LABEL} {{id: id}})-[r]->(b:{NODE_LABEL})
WHERE b.id IN $ids AND type(r) <> '{STAGED_TYPE}'
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
""",
    _IDS,
)

# -- documents ---------------------------------------------------------------------------------

SAVE_DOCUMENT = _statement(
    "save_document",
    f"""
MERGE (d:{DOCUMENT_LABEL} {{collection: $collection, key: $key}})
SET d.body = $body
""",
    {"collection": "snapshots", "key": "2026-01-01", "body": "{}"},
)
READ_DOCUMENTS = _statement(
    "read_documents",
    f"""
MATCH (d:{DOCUMENT_LABEL} {{collection: $collection}})
RETURN d.key AS key, d.body AS body
ORDER BY key
""",
    {"collection": "snapshots"},
)

READ_DOCUMENT = _statement(
    "read_document",
    f"""
MATCH (d:{DOCUMENT_LABEL} {{collection: $collection, key: $key}})
RETURN d.body AS body
""",
    {"collection": "tokens", "key": "a1b2c3"},
)
DELETE_DOCUMENT = _statement(
    "delete_document",
    f"""
MATCH (d:{DOCUMENT_LABEL} {{collection: $collection, key: $key}})
DELETE d
""",
    {"collection": "plans", "key": "p1"},
)

# Test databases only: removes redchain's nodes (and nothing else) in bounded batches.
CLEAR_BATCH = _statement(
    "clear_batch",
    f"""
MATCH (n)
WHERE n:{NODE_LABEL} OR n:{META_LABEL} OR n:{DOCUMENT_LABEL} OR n:{STAGED_LABEL}
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
""",
    {"limit": 10_000},
)

# -- helpers ------------------------------------------------------------------------------------


def all_statements() -> Iterator[tuple[str, str, dict]]:
    """(name, text, params) of every concrete statement the adapter can send."""
    for statement in STATEMENTS:
        for name, text in statement.expansions():
            yield name, text, statement.params


def domain_label(labels: list[str]) -> Label | None:
    """The schema label among a node's labels (it also carries ``RedchainNode``)."""
    for name in labels:
        label = _LABELS.get(name)
        if label is not None:
            return label
    return None


_LABELS = {label.value: label for label in Label}


