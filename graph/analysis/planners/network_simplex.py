"""networkx's network simplex, pivot for pivot, with a faster search for entering edges.

The planners' flow networks have many optimal flows (equally good plans), and which one
networkx's primal network simplex ends on depends on its exact sequence of pivots. So this
is the same algorithm as ``networkx.algorithms.flow.network_simplex`` (networkx 3,
BSD-3-Clause), step for step: the same numbering of nodes and edges, the same strongly
feasible initial tree, the same entering-edge rule (blocks of ⌈√E⌉ edges searched in
turn, the first edge of lowest reduced cost in a block), the same leaving-edge rule and
the same tree updates. Given the same graph it returns the same flow, in a dict built in
the same order.

What differs is the cost of a pivot search, where networkx spends most of its time: it
calls a method per edge for its reduced cost, twice for the winner. Here, on a network of
``PRICED_IN_BULK`` edges or more whose weights and potentials fit 64 bits, the reduced
costs of several blocks are computed at once with numpy (``_BulkPrices``): the potentials
do not change between pivots, so blocks searched in a row see the same ones, and the
search still takes the first block with a negative reduced cost, and in it the first
edge of the lowest. Otherwise (and for good once a potential outgrows 61 bits: the
planners' lexicographic weights can overflow 64) a block's reduced costs are one list
comprehension over plain Python integers, about three times faster than networkx. The
tree updates run as in networkx, with the lists bound to local names.

Only what the planners use is kept: a ``MultiDiGraph`` or ``DiGraph`` with integer demands,
capacities and weights (no infinite capacities, no self-loops).

Derived from networkx's ``network_simplex``: Copyright (c) 2004-2025, NetworkX Developers
(Aric Hagberg, Dan Schult, Pieter Swart), all rights reserved, distributed under the
3-clause BSD license (the full text is networkx's LICENSE.txt, installed with networkx).
"""

from __future__ import annotations

from itertools import chain, islice, repeat
from math import ceil, sqrt

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx costs 0.1 s to import: loaded where a graph is built, not for its name
    import networkx as nx


def network_simplex(
    G: nx.DiGraph | nx.MultiDiGraph, demand: str = "demand", capacity: str = "capacity", weight: str = "weight"
) -> tuple[int, dict]:
    """A minimum-cost flow meeting every node's ``demand``: ``(cost, flow)`` exactly as
    ``networkx.network_simplex(G)`` returns them (``flow[u][v][key]`` on a multigraph,
    ``flow[u][v]`` otherwise).

    Every edge needs an integer ``capacity``; ``weight`` and ``demand`` default to 0.
    Raises ``networkx.NetworkXUnfeasible`` when no flow meets the demands.

    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("a", demand=-5); G.add_node("d", demand=5)
    >>> G.add_edge("a", "b", weight=3, capacity=4); G.add_edge("a", "c", weight=6, capacity=10)
    >>> G.add_edge("b", "d", weight=1, capacity=9); G.add_edge("c", "d", weight=2, capacity=5)
    >>> network_simplex(G)
    (24, {'a': {'b': 4, 'c': 1}, 'd': {}, 'b': {'d': 4}, 'c': {'d': 1}})
    """
    import networkx as nx

    tree = _SpanningTree(G, demand, capacity, weight)
    if sum(tree.demands) != 0:
        raise nx.NetworkXUnfeasible("total node demand is not zero")
    for i, p, q in tree.entering_edges():
        tree.pivot(i, p, q)
    if any(tree.flow[i] != 0 for i in range(-len(tree.nodes), 0)):
        raise nx.NetworkXUnfeasible("no flow satisfies all node demands")
    return tree.result()


class _SpanningTree:
    """The problem numbered as networkx numbers it, and the spanning tree the pivots move.

    Nodes are 0..n-1 in the graph's order, with the root n (index -1); edges 0..E-1 in the
    graph's order, without zero-capacity ones, then one artificial edge per node to or from
    the root (E..E+n-1). The tree is kept as networkx keeps it: parents, parent edges,
    subtree sizes, and a depth-first thread (next, previous, last descendant)."""

    def __init__(self, G, demand: str, capacity: str, weight: str):
        self.nodes = list(G)
        index = {u: i for i, u in enumerate(self.nodes)}
        self.demands = [G.nodes[u].get(demand, 0) for u in self.nodes]
        edges = G.edges(data=True, keys=True) if G.is_multigraph() else G.edges(data=True)
        edges = [e for e in edges if e[0] != e[1]]
        self.closed = [e[:-1] for e in edges if e[-1][capacity] == 0]  # no flow: not numbered
        edges = [e for e in edges if e[-1][capacity] != 0]
        self.edges = [e[:-1] for e in edges]  # (u, v[, key]) per edge number
        self.sources = [index[e[0]] for e in edges]
        self.targets = [index[e[1]] for e in edges]
        self.capacities = [e[-1][capacity] for e in edges]
        self.weights = [e[-1].get(weight, 0) for e in edges]
        self.edge_count = count = len(edges)
        n = len(self.nodes)
        for i, d in enumerate(self.demands):
            # artificial edges: towards the node if it receives, else towards the root
            # (zero-demand nodes point to the root, which keeps the tree strongly feasible)
            self.sources.append(-1 if d > 0 else i)
            self.targets.append(i if d > 0 else -1)
        faux_inf = 3 * max(sum(self.capacities), sum(map(abs, self.weights)), sum(map(abs, self.demands))) or 1
        self.weights.extend(repeat(faux_inf, n))
        self.capacities.extend(repeat(faux_inf, n))
        self.flow = list(chain(repeat(0, count), (abs(d) for d in self.demands)))
        self.potential = [faux_inf if d <= 0 else -faux_inf for d in self.demands]
        self.parent = list(chain(repeat(-1, n), [None]))
        self.parent_edge = list(range(count, count + n))
        self.subtree_size = list(chain(repeat(1, n), [n + 1]))
        self.next_node = list(chain(range(1, n), [-1, 0]))
        self.prev_node = list(range(-1, n))
        self.last_descendant = list(chain(range(n), [n - 1]))
        self.bulk: _BulkPrices | None = None  # numpy's copy of what pricing reads, while it fits

    def entering_edges(self):
        """(edge, p, q) for each pivot, q the end the flow goes to, until no edge has a
        negative reduced cost: blocks of ⌈√E⌉ edges taken in turn round the edge list, in
        each the first edge of lowest reduced cost (Dantzig within a block, Bland's order
        between blocks); done after a whole round of blocks without one."""
        count = self.edge_count
        if count == 0:
            return
        size = int(ceil(sqrt(count)))
        blocks = (count + size - 1) // size
        if count >= PRICED_IN_BULK:
            self.bulk = _BulkPrices.of(self)
        idle = 0  # blocks in a row without an entering edge
        first = 0
        while idle < blocks:
            if self.bulk is not None:
                looked, i = self.bulk.search(first, size, blocks - idle)
            else:
                looked, i = 1, self._search_block(first, size)
            for _ in range(looked):  # where the next block starts, as networkx moves it
                first += size
                if first > count:
                    first -= count
            if i is None:
                idle += looked
                continue
            yield (i, self.sources[i], self.targets[i]) if self.flow[i] == 0 else (i, self.targets[i], self.sources[i])
            idle = 0

    def _search_block(self, first: int, size: int) -> int | None:
        """The first edge of lowest negative reduced cost in the block of ``size`` edges
        from ``first`` (round the end of the list), or None."""
        count = self.edge_count
        weights, sources, targets, flow, potential = self.weights, self.sources, self.targets, self.flow, self.potential
        last = first + size
        if last <= count:
            block = range(first, last)
            edges = zip(weights[first:last], sources[first:last], targets[first:last], flow[first:last])
        else:
            block = [*range(first, count), *range(last - count)]
            edges = ((weights[i], sources[i], targets[i], flow[i]) for i in block)
        # reduced cost: weight − potential(source) + potential(target), negated for an
        # edge carrying flow (it can only give flow back)
        reduced = [potential[s] - w - potential[t] if x else w - potential[s] + potential[t] for w, s, t, x in edges]
        lowest = min(reduced)
        if lowest >= 0:
            return None
        return block[reduced.index(lowest)]  # the first of the lowest, as min(key=) finds it

    def pivot(self, i: int, p: int, q: int) -> None:
        """Push flow round the cycle edge ``i`` (p → q) closes, and swap it into the tree
        for the edge that leaves."""
        cycle_nodes, cycle_edges = self._cycle(i, p, q)
        j, s, t = self._leaving_edge(cycle_nodes, cycle_edges)
        self._augment(cycle_nodes, cycle_edges, self._residual(j, s))
        if i == j:  # the entering edge is the one leaving
            return
        if self.parent[t] != s:
            s, t = t, s  # s is t's parent
        if cycle_edges.index(i) > cycle_edges.index(j):
            p, q = q, p  # q is in the subtree rooted at t
        self._remove_edge(s, t)
        self._make_root(q)
        self._add_edge(i, p, q)
        self._update_potentials(i, p, q)

    def result(self) -> tuple[int, dict]:
        """(total cost, flow dict) in networkx's shape, zero-capacity edges included."""
        count = self.edge_count
        flow = self.flow[:count]
        cost = sum(w * x for w, x in zip(self.weights, flow))
        flow_dict: dict = {u: {} for u in self.nodes}
        for edge, units in zip(self.edges, flow):
            _put(flow_dict, edge, units)
        for edge in self.closed:
            _put(flow_dict, edge, 0)
        return cost, flow_dict

    # -- the tree, as networkx moves it ----------------------------------------------------

    def _apex(self, p: int, q: int) -> int:
        """The lowest common ancestor of p and q."""
        size, parent = self.subtree_size, self.parent
        size_p, size_q = size[p], size[q]
        while True:
            while size_p < size_q:
                p = parent[p]
                size_p = size[p]
            while size_p > size_q:
                q = parent[q]
                size_q = size[q]
            if size_p == size_q:
                if p != q:
                    p = parent[p]
                    size_p = size[p]
                    q = parent[q]
                    size_q = size[q]
                else:
                    return p

    def _path(self, p: int, w: int) -> tuple[list[int], list[int]]:
        """Nodes and edges from p up to its ancestor w."""
        parent, parent_edge = self.parent, self.parent_edge
        nodes, edges = [p], []
        while p != w:
            edges.append(parent_edge[p])
            p = parent[p]
            nodes.append(p)
        return nodes, edges

    def _cycle(self, i: int, p: int, q: int) -> tuple[list[int], list[int]]:
        """Nodes and edges of the cycle edge i = (p, q) closes, oriented from p to q."""
        w = self._apex(p, q)
        nodes, edges = self._path(p, w)
        nodes.reverse()
        edges.reverse()
        if edges != [i]:
            edges.append(i)
        nodes_q, edges_q = self._path(q, w)
        del nodes_q[-1]
        return nodes + nodes_q, edges + edges_q

    def _residual(self, i: int, p: int) -> int:
        """Edge i's residual capacity leaving its end p."""
        return self.capacities[i] - self.flow[i] if self.sources[i] == p else self.flow[i]

    def _leaving_edge(self, nodes: list[int], edges: list[int]) -> tuple[int, int, int]:
        """The cycle edge of least residual capacity, the last one on the cycle of those
        (networkx's leaving-edge rule, which keeps the tree strongly feasible)."""
        j, s = min(zip(reversed(edges), reversed(nodes)), key=lambda edge_end: self._residual(*edge_end))
        return j, s, self.targets[j] if self.sources[j] == s else self.sources[j]

    def _augment(self, nodes: list[int], edges: list[int], units: int) -> None:
        sources, flow = self.sources, self.flow
        for i, p in zip(edges, nodes):
            flow[i] += units if sources[i] == p else -units
        if self.bulk is not None:
            self.bulk.flow_changed(edges, flow)

    def _remove_edge(self, s: int, t: int) -> None:
        """Cut t (whose parent is s) and its subtree off the tree."""
        size, last, next_node, prev_node = self.subtree_size, self.last_descendant, self.next_node, self.prev_node
        size_t, prev_t, last_t = size[t], prev_node[t], last[t]
        next_last_t = next_node[last_t]
        self.parent[t] = None
        self.parent_edge[t] = None
        next_node[prev_t] = next_last_t
        prev_node[next_last_t] = prev_t
        next_node[last_t] = t
        prev_node[t] = last_t
        parent = self.parent
        while s is not None:
            size[s] -= size_t
            if last[s] == last_t:
                last[s] = prev_t
            s = parent[s]

    def _make_root(self, q: int) -> None:
        """Re-hang q's tree from q."""
        parent, parent_edge, size = self.parent, self.parent_edge, self.subtree_size
        last, next_node, prev_node = self.last_descendant, self.next_node, self.prev_node
        ancestors = []
        while q is not None:
            ancestors.append(q)
            q = parent[q]
        ancestors.reverse()
        for p, q in zip(ancestors, islice(ancestors, 1, None)):
            size_p, last_p = size[p], last[p]
            prev_q, last_q = prev_node[q], last[q]
            next_last_q = next_node[last_q]
            parent[p] = q
            parent[q] = None
            parent_edge[p] = parent_edge[q]
            parent_edge[q] = None
            size[p] = size_p - size[q]
            size[q] = size_p
            next_node[prev_q] = next_last_q
            prev_node[next_last_q] = prev_q
            next_node[last_q] = q
            prev_node[q] = last_q
            if last_p == last_q:
                last[p] = prev_q
                last_p = prev_q
            prev_node[p] = last_q
            next_node[last_q] = p
            next_node[last_p] = q
            prev_node[q] = last_p
            last[q] = last_p

    def _add_edge(self, i: int, p: int, q: int) -> None:
        """Hang q's tree (q its root) from p by edge i."""
        size, last, next_node, prev_node = self.subtree_size, self.last_descendant, self.next_node, self.prev_node
        last_p = last[p]
        next_last_p = next_node[last_p]
        size_q, last_q = size[q], last[q]
        self.parent[q] = p
        self.parent_edge[q] = i
        next_node[last_p] = q
        prev_node[q] = last_p
        prev_node[next_last_p] = last_q
        next_node[last_q] = next_last_p
        parent = self.parent
        while p is not None:
            size[p] += size_q
            if last[p] == last_p:
                last[p] = last_q
            p = parent[p]

    def _update_potentials(self, i: int, p: int, q: int) -> None:
        """Shift the potentials of q's subtree so that edge i (joining it to p) has
        reduced cost 0."""
        potential, next_node = self.potential, self.next_node
        if q == self.targets[i]:
            d = potential[p] - self.weights[i] - potential[q]
        else:
            d = potential[p] + self.weights[i] - potential[q]
        end = self.last_descendant[q]
        potential[q] += d
        moved = [q]  # the subtree, for the bulk copies
        while q != end:
            q = next_node[q]
            potential[q] += d
            moved.append(q)
        if self.bulk is not None and not self.bulk.potentials_moved(moved, d):
            self.bulk = None  # a potential outgrew 61 bits: plain integers from here on


PRICED_IN_BULK = 2_000  # edges: below this, numpy's fixed cost per call outweighs it
_BULK_WEIGHT = 2**60  # weights below this, and potentials below _BULK_POTENTIAL: reduced
_BULK_POTENTIAL = 2**61  # costs, and a potential moved by one pivot, stay inside int64


class _BulkPrices:
    """The reduced costs of several blocks at once, from int64 copies of the weights, the
    edge ends, the potentials and whether each edge carries flow (the tree keeps them in
    step: ``flow_changed``, ``potentials_moved``).

    Exact while every weight is below ``_BULK_WEIGHT`` and every potential below
    ``_BULK_POTENTIAL`` in magnitude: then a reduced cost stays below 2⁶³, and so does a
    potential one pivot moves (by less than 2⁶²), so nothing wraps before the check."""

    def __init__(self, np, tree: _SpanningTree):
        count = tree.edge_count
        self.np = np
        self.count = count
        self.weights = np.array(tree.weights[:count], dtype=np.int64)
        self.sources = np.array(tree.sources[:count], dtype=np.intp)  # −1, the root, reads the last
        self.targets = np.array(tree.targets[:count], dtype=np.intp)  # potential, as in the lists
        self.potential = np.array(tree.potential, dtype=np.int64)
        self.carrying = np.array([x != 0 for x in tree.flow[:count]], dtype=bool)
        self.offsets = np.arange(count, dtype=np.intp)

    @classmethod
    def of(cls, tree: _SpanningTree) -> _BulkPrices | None:
        """Copies of the tree's numbers, or None if they do not fit (see the class)."""
        weights = tree.weights[: tree.edge_count]
        if max(map(abs, weights)) >= _BULK_WEIGHT or max(map(abs, tree.potential)) >= _BULK_POTENTIAL:
            return None
        import numpy as np  # only for big networks: 0.1 s of import

        return cls(np, tree)

    def search(self, first: int, size: int, budget: int) -> tuple[int, int | None]:
        """Search up to ``budget`` blocks of ``size`` edges in turn from edge ``first``:
        (blocks looked at, up to and including the one with an entering edge; that edge
        or None), the same answer as searching them one by one."""
        np, count = self.np, self.count
        looked, chunk = 0, 2
        while looked < budget:
            k = min(chunk, budget - looked)
            span = k * size
            edges = first + self.offsets[: min(span, count)]
            if span > count:  # more blocks than a round: the same edges again
                edges = np.resize(edges, span)
            edges %= count
            reduced = self.weights[edges] - self.potential[self.sources[edges]] + self.potential[self.targets[edges]]
            np.negative(reduced, out=reduced, where=self.carrying[edges])
            by_block = reduced.reshape(k, size)
            below = np.flatnonzero(by_block.min(axis=1) < 0)
            if below.size:
                b = int(below[0])
                return looked + b + 1, int(edges[b * size + int(by_block[b].argmin())])
            looked += k
            first = (first + span) % count
            chunk *= 2
        return looked, None

    def flow_changed(self, edges: list[int], flow: list[int]) -> None:
        count, carrying = self.count, self.carrying
        for i in edges:
            if i < count:
                carrying[i] = flow[i] != 0

    def potentials_moved(self, nodes: list[int], d: int) -> bool:
        """Move the copies of ``nodes``' potentials by ``d``; False if they no longer fit."""
        if abs(d) >= 2 * _BULK_POTENTIAL:
            return False
        moved = self.np.array(nodes, dtype=self.np.intp)
        self.potential[moved] += d
        return int(self.np.abs(self.potential[moved]).max()) < _BULK_POTENTIAL


def _put(flow_dict: dict, edge: tuple, units: int) -> None:
    """flow_dict[u][v] = units, or flow_dict[u][v][key] = units for a multigraph edge."""
    d = flow_dict[edge[0]]
    for k in edge[1:-1]:
        d = d.setdefault(k, {})
    d[edge[-1]] = units
