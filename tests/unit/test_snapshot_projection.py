"""The slim projection snapshots are taken from: the same snapshot as from the whole
projection, on random graphs; and every entry of ``SNAPSHOT_PART`` is needed (leaving one
out changes some snapshot), so the comparison can fail when the list is wrong.

The district and city demos are compared through a real store in
tests/integration/test_snapshot_from_store.py.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from graph.analysis.changes import coverage_state
from graph.analysis.coverage import coverage_base, coverage_report
from graph.analysis.snapshot_projection import SNAPSHOT_PART
from graph.projection import NO_LINKS, Part, ids_with_label, load_part, project, project_part
from graph.records import GraphData, GraphScan, Node, Rel
from graph.schema import REL_SPECS, Label, RelType

SEEDS = range(12)


def random_graph(seed: int) -> GraphData:
    """A small graph with every label, every relationship type and every value the
    snapshot reads varied (missing ones included, so schema defaults matter too)."""
    rng = random.Random(seed)
    ids: dict[Label, list[str]] = {}
    nodes = []

    def add(label: Label, prefix: str, count: int, props) -> None:
        ids[label] = [f"{prefix}{i}" for i in range(count)]
        nodes.extend(Node(label, node_id, {k: v for k, v in props().items() if v is not None}) for node_id in ids[label])

    add(Label.ENTERPRISE, "E", 40, lambda: {
        "name": f"企业{rng.randrange(99)}", "kind": rng.choice(["enterprise", "social_org"]),
        "park": rng.choice([None, "P1", "P2"]), "street": rng.choice([None, "S1"]),
        "in_base": rng.choice([None, True, False]), "status": rng.choice([None, "active", "closed", "moved"]),
        "party_members": rng.choice([None, 0, 1, 2, 3, 7]), "employees": rng.choice([None, 5, 500]),
        "leading": rng.choice([None, True, False]), "above_scale": rng.choice([None, True])})
    add(Label.PARTY_ORG, "O", 12, lambda: {
        "name": "支部", "level": "branch", "formation": rng.choice([None, "standalone", "joint", "industry"]),
        "star": rng.choice([None, 1, 2, 3, 5]), "demonstration": rng.choice([None, True, False]),
        "members": rng.choice([None, 4])})
    add(Label.CHAIN, "C", 3, lambda: {"name": "链"})
    add(Label.SEGMENT, "G", 6, lambda: {"name": "环节", "stage": rng.choice(["upstream", "downstream"]), "order": rng.randrange(3)})
    add(Label.UNIT, "U", 4, lambda: {"name": "单位", "kind": "street"})
    add(Label.LEADER, "L", 4, lambda: {"name": "领导", "capacity": 3})
    add(Label.INSTRUCTOR, "I", 4, lambda: {"name": "指导员", "kind": "instructor"})
    add(Label.ALLIANCE, "A", 2, lambda: {"name": "联盟"})
    rels = {}
    for rtype, spec in REL_SPECS.items():
        sources = [i for label in spec.sources for i in ids[label]]
        targets = [i for label in spec.targets for i in ids[label]]
        for _ in range(rng.randrange(4, 30)):
            source, target = rng.choice(sources), rng.choice(targets)
            if source != target:
                rels[rtype, source, target] = Rel(rtype, source, target, {"since": "2024-01-01"} if rng.random() < 0.2 else {})
    rels[RelType.SUPPLIES, "E0", "GONE"] = Rel(RelType.SUPPLIES, "E0", "GONE")  # a dangling end: left out both ways
    return GraphData(nodes, [rels[key] for key in sorted(rels, key=lambda k: (k[0].value, k[1], k[2]))], version=seed + 1)


def scan_of(data: GraphData) -> GraphScan:
    return GraphScan(data.version, iter(data.nodes), iter(data.rels))


def snapshot(g) -> tuple:
    """What ``history.snapshot_now`` saves of a graph: the report, the state, and the base
    numbered for every grouping (as kept beside the store)."""
    return coverage_report(g), coverage_state(g), coverage_base(g).complete(g).kept()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_slim_projection_gives_the_whole_projections_snapshot(seed):
    data = random_graph(seed)
    assert snapshot(project_part(scan_of(data), SNAPSHOT_PART)) == snapshot(project(data))


def _without(entry) -> Part:
    if isinstance(entry, RelType):
        return replace(SNAPSHOT_PART, rel_types=SNAPSHOT_PART.rel_types - {entry})
    if isinstance(entry, tuple):  # (label, property) of label_props
        return replace(SNAPSHOT_PART, label_props=tuple(
            (label, props - {entry[1]} if label is entry[0] else props) for label, props in SNAPSHOT_PART.label_props))
    return replace(SNAPSHOT_PART, node_props=SNAPSHOT_PART.node_props - {entry})


@pytest.mark.parametrize("entry", sorted(SNAPSHOT_PART.node_props) + sorted(SNAPSHOT_PART.rel_types, key=str)
                         + [(label, prop) for label, props in SNAPSHOT_PART.label_props for prop in sorted(props)],
                         ids=str)
def test_every_entry_of_the_list_is_read_by_the_snapshot(entry):
    """Leaving out one property or type makes some random graph's snapshot differ: the
    equality above would catch a list that missed it."""
    differs = [seed for seed in SEEDS
               if snapshot(project_part(scan_of(random_graph(seed)), _without(entry))) != snapshot(project(random_graph(seed)))]
    assert differs


def test_the_slim_projection_has_the_whole_projections_shape():
    data = random_graph(0)
    whole, slim = project(data), project_part(scan_of(data), SNAPSHOT_PART)
    assert slim.graph["version"] == whole.graph["version"] == 1
    assert slim.graph["by_label"] == whole.graph["by_label"]
    assert list(slim.nodes) == list(whole.nodes)
    for node_id, attrs in slim.nodes(data=True):
        label = Label(attrs["label"])
        kept = {k: v for k, v in whole.nodes[node_id].items() if k in SNAPSHOT_PART.props_of(label) or k == "label"}
        assert attrs == kept
    kept_edges = [e for e in whole.edges(keys=True, data=True) if RelType(e[2]) in SNAPSHOT_PART.rel_types]
    assert sorted(slim.edges(keys=True, data=True), key=repr) == sorted(kept_edges, key=repr)
    assert not any(RelType(key) is RelType.SUPPLIES for _, _, key in slim.edges(keys=True))


def test_equal_nodes_share_one_dict_and_nodes_without_links_one_read_only_mapping():
    data = GraphData([Node(Label.ENTERPRISE, f"E{i}", {"name": f"企业{i}", "party_members": i % 2}) for i in range(6)]
                     + [Node(Label.PARTY_ORG, "O1", {"formation": "joint"})],
                     [Rel(RelType.COVERS, "O1", "E0"), Rel(RelType.SUPPLIES, "E1", "E2")], version=3)
    g = project_part(scan_of(data), SNAPSHOT_PART)
    assert g.nodes["E2"] is g.nodes["E4"] and g.nodes["E1"] is g.nodes["E3"] and g.nodes["E1"] is not g.nodes["E2"]
    assert g.nodes["E2"] == {"label": "Enterprise", "party_members": 0, "in_base": True, "status": "active", "kind": "enterprise"}
    assert g._succ["E1"] is NO_LINKS and g._pred["E2"] is NO_LINKS  # the supply link is not kept
    assert list(g.edges(keys=True)) == [("O1", "E0", "COVERS")]
    assert g._succ["E0"] is NO_LINKS and type(g._pred["E0"]) is dict
    with pytest.raises(TypeError):
        NO_LINKS["E9"] = {}  # type: ignore[index]


def test_node_dicts_are_told_apart_by_the_type_of_a_value():
    data = GraphData([Node(Label.ENTERPRISE, "E1", {"party_members": 1}), Node(Label.ENTERPRISE, "E2", {"party_members": True})])
    g = project_part(scan_of(data), SNAPSHOT_PART)
    assert type(g.nodes["E1"]["party_members"]) is int and type(g.nodes["E2"]["party_members"]) is bool


class _ReadOnlyStore:
    """A store that can only read its graph whole (as the Neo4j adapter does)."""

    def __init__(self, data: GraphData):
        self.data = data

    def read(self, *, labels=None, ids=None) -> GraphData:
        if labels is None and ids is None:
            return self.data
        nodes = [n for n in self.data.nodes if (labels is None or n.label in labels) and (ids is None or n.id in ids)]
        kept = {n.id for n in nodes}
        return GraphData(nodes, [r for r in self.data.rels if r.source in kept and r.target in kept], self.data.version)


class _WrittenBetween(_ReadOnlyStore):
    """A store another process writes to once, between the stream and the read of the
    chains' and segments' names: the first names read are the next version's."""

    def __init__(self, data: GraphData):
        super().__init__(data)
        self.reads = 0

    def read(self, *, labels=None, ids=None) -> GraphData:
        self.reads += 1
        if self.reads == 2:  # the first read of the names: the store has moved on
            renamed = [Node(n.label, n.id, {**n.props, "name": "改名"}) if n.label is Label.CHAIN else n for n in self.data.nodes]
            self.data = GraphData(renamed, self.data.rels, self.data.version + 1)
            return super().read(labels=labels, ids=ids)
        return super().read(labels=labels, ids=ids)


def test_a_store_without_a_scan_is_read_whole_and_the_part_is_frozen():
    data = random_graph(3)
    g = load_part(_ReadOnlyStore(data), SNAPSHOT_PART)
    assert snapshot(g) == snapshot(project(data))
    assert ids_with_label(g, Label.CHAIN) == ["C0", "C1", "C2"]
    with pytest.raises(Exception, match="Frozen"):
        g.add_node("X")


def test_names_read_at_another_version_mean_reading_again():
    store = _WrittenBetween(random_graph(3))
    g = load_part(store, SNAPSHOT_PART)
    assert store.reads == 4  # graph, names (a version later), graph again, names
    assert g.graph["version"] == store.data.version and g.nodes["C0"]["name"] == "改名"


class _AlwaysWrittenBetween(_ReadOnlyStore):
    """A store written to between every stream and every read of the names."""

    def read(self, *, labels=None, ids=None) -> GraphData:
        if labels is not None:
            self.data = GraphData(self.data.nodes, self.data.rels, self.data.version + 1)
        return super().read(labels=labels, ids=ids)


def test_names_never_read_at_the_streams_version_come_with_the_stream():
    data = random_graph(4)
    g = load_part(_AlwaysWrittenBetween(data), SNAPSHOT_PART)
    assert g.graph["version"] == data.version + 3  # three tries apart, then one read with the names
    assert snapshot(g) == snapshot(project(GraphData(data.nodes, data.rels, g.graph["version"])))
    assert g.nodes["C0"]["name"] == "链"
