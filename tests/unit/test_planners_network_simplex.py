"""The planners' network simplex against networkx's: the same flow, pivot for pivot.

Plans depend on which of several optimal flows the solver ends on, so "optimal" is not
enough: on every network the flow must be networkx's own, in the same dict order, whether
the reduced costs are priced over Python lists or in bulk with numpy.
"""

import random

import networkx as nx
import pytest

import graph.analysis.planners.network_simplex as simplex_module
from graph.analysis.planners.network_simplex import network_simplex


def _ordered(flow: dict) -> list:
    """The flow dict as nested lists, so that order counts in a comparison."""
    return [(u, _ordered(v) if isinstance(v, dict) else v) for u, v in flow.items()]


def _assignment_like(seed: int) -> nx.MultiDiGraph:
    """A small people → groups → pools → sink network with ties, zero-capacity edges and
    parallel edges, shaped like ``assignment._flow_network``."""
    rnd = random.Random(seed)
    people, pools = rnd.randint(1, 8), rnd.randint(1, 8)
    free = [rnd.randint(0, 3) for _ in range(people)]
    need = [rnd.randint(0, f) for f in free]
    slots = sum(free)
    g = nx.MultiDiGraph()
    g.add_node("source", demand=sum(need) - slots)
    g.add_node("sink", demand=slots)
    g.add_edge("source", "sink", capacity=slots - sum(need), weight=1000)
    for p in range(people):
        g.add_node(("p", p), demand=-need[p])
        g.add_edge("source", ("p", p), capacity=free[p] - need[p], weight=0)
    for k in range(pools):
        for level in range(rnd.randint(1, 3)):
            g.add_edge(("pool", k), "sink", key=level, capacity=rnd.randint(1, 3), weight=rnd.choice([0, 0, 5, 7]))
    for p in range(people):
        for k in rnd.sample(range(pools), rnd.randint(0, pools)):
            g.add_edge(("p", p), ("pool", k), capacity=free[p], weight=rnd.choice([0, 0, 1, 2, 100]))
    return g


def _random_digraph(seed: int) -> nx.DiGraph:
    rnd = random.Random(seed)
    n = rnd.randint(2, 12)
    g = nx.gnp_random_graph(n, 0.4, seed=seed, directed=True)
    for u, v in g.edges:
        g.edges[u, v]["capacity"] = rnd.randint(0, 6)
        g.edges[u, v]["weight"] = rnd.randint(-3, 9)
    supply = rnd.randint(0, 6)
    g.nodes[0]["demand"] = -supply
    g.nodes[n - 1]["demand"] = supply
    return g


@pytest.fixture(params=["lists", "bulk"])
def pricing(request, monkeypatch):
    """Reduced costs from the Python lists (small networks), or in bulk (big ones)."""
    if request.param == "bulk":
        monkeypatch.setattr(simplex_module, "PRICED_IN_BULK", 1)
    return request.param


@pytest.mark.parametrize("seed", range(150))
@pytest.mark.parametrize("network", [_assignment_like, _random_digraph], ids=["assignment network", "random digraph"])
def test_same_flow_as_networkx(network, seed, pricing):
    g = network(seed)
    try:
        expected = nx.network_simplex(g)
    except nx.NetworkXUnfeasible:
        with pytest.raises(nx.NetworkXUnfeasible):
            network_simplex(g)
        return
    cost, flow = network_simplex(g)
    assert cost == expected[0]
    assert _ordered(flow) == _ordered(expected[1])


def test_unfeasible_demands_are_refused():
    g = nx.DiGraph()
    g.add_node("a", demand=-2)
    g.add_node("b", demand=2)
    g.add_edge("a", "b", capacity=1, weight=1)
    with pytest.raises(nx.NetworkXUnfeasible):
        network_simplex(g)
    g.nodes["b"]["demand"] = 1
    with pytest.raises(nx.NetworkXUnfeasible):
        network_simplex(g)


def test_same_flow_when_bulk_pricing_stops_halfway(monkeypatch):
    """A potential that outgrows the bulk copies hands pricing back to the lists mid-run."""
    monkeypatch.setattr(simplex_module, "PRICED_IN_BULK", 1)
    moves = []
    bulk_moved = simplex_module._BulkPrices.potentials_moved

    def fits_three_times(self, nodes, d):
        moves.append(d)
        return bulk_moved(self, nodes, d) and len(moves) <= 3

    monkeypatch.setattr(simplex_module._BulkPrices, "potentials_moved", fits_three_times)
    handed_back = 0
    for seed in range(60):
        g = _assignment_like(seed)
        try:
            expected = nx.network_simplex(g)
        except nx.NetworkXUnfeasible:
            continue
        moves.clear()
        cost, flow = network_simplex(g)
        assert (cost, _ordered(flow)) == (expected[0], _ordered(expected[1]))
        assert len(moves) <= 4  # once a copy no longer fits, the bulk copies are dropped
        handed_back += len(moves) == 4
    assert handed_back >= 10


def test_weights_beyond_64_bits_are_priced_exactly(monkeypatch):
    """The planners' lexicographic weights can pass 2⁶³: priced as Python integers."""
    monkeypatch.setattr(simplex_module, "PRICED_IN_BULK", 1)
    g = nx.DiGraph()
    g.add_node("s", demand=-2)
    g.add_node("t", demand=2)
    huge = 2**70
    g.add_edge("s", "a", capacity=2, weight=huge + 1)
    g.add_edge("s", "b", capacity=1, weight=huge)
    g.add_edge("a", "t", capacity=2, weight=0)
    g.add_edge("b", "t", capacity=2, weight=0)
    assert simplex_module._BulkPrices.of(simplex_module._SpanningTree(g, "demand", "capacity", "weight")) is None
    assert network_simplex(g) == nx.network_simplex(g)
