"""The stored form of a coverage state: what the leaner encoding stores is, byte for byte,
what the encoding before it stored (so digests, deltas and old snapshots still agree).

The functions named ``*_before`` are the previous implementation, kept here as the
reference: they built one tuple per enterprise, one list per node in no chain and two
sets of every node; the stored text is the same either way.
"""

from __future__ import annotations

import random

from graph.analysis.changes import CoverageState, coverage_state
from graph.analysis.coverage import JOINT, NONE, OTHER_ORG, STANDALONE, WORK
from graph.analysis.snapshot_states import (
    _LINKS, STATE_COLLECTION, _code, _decoded, _packed, _unpacked, apply_delta, decode_state, encode_delta, encode_state, load_state,
    save_state,
)
from graph.analysis.uncovered import INSTRUCTOR_NEEDED, JOINT_NEEDED, STANDALONE_NEEDED
from graph.builder import GraphBuilder
from graph.sqlite_store import SQLiteStore

ENTRIES = [(STANDALONE, None), (JOINT, None), (OTHER_ORG, None), (WORK, JOINT_NEEDED), (WORK, INSTRUCTOR_NEEDED),
           (NONE, STANDALONE_NEEDED), (NONE, JOINT_NEEDED), (NONE, INSTRUCTOR_NEEDED)]


def encode_state_before(state: CoverageState) -> dict:
    ids, orgs = sorted(state.enterprises), sorted(state.orgs)
    chains = sorted({c for cs in state.chains.values() for c in cs})
    index = {c: i for i, c in enumerate(chains)}

    def chain_indexes(node: str) -> list[int]:
        return sorted(index[c] for c in state.chains.get(node, ()))

    return _packed({
        "enterprises": ids, "codes": "".join(map(_code, map(state.enterprises.__getitem__, ids))), "orgs": orgs,
        "chains": chains, "enterprise_chains": [chain_indexes(e) for e in ids], "org_chains": [chain_indexes(o) for o in orgs],
        **{name: sorted(getattr(state, name)) for name in _LINKS},
    })  # fmt: skip


def encode_delta_before(base: CoverageState, state: CoverageState, base_key: str) -> dict:
    nodes = state.enterprises.keys() | state.orgs
    old_nodes = base.enterprises.keys() | base.orgs
    return _packed({
        "enterprises": {e: _code(s) for e, s in state.enterprises.items() if base.enterprises.get(e) != s},
        "removed": sorted(base.enterprises.keys() - state.enterprises.keys()),
        "orgs_added": sorted(state.orgs - base.orgs),
        "orgs_removed": sorted(base.orgs - state.orgs),
        "chains": {n: sorted(state.chains.get(n, ())) for n in sorted(nodes)
                   if n not in old_nodes or state.chains.get(n, frozenset()) != base.chains.get(n, frozenset())},
        **{f"{name}_added": sorted(getattr(state, name) - getattr(base, name)) for name in _LINKS},
        **{f"{name}_removed": sorted(getattr(base, name) - getattr(state, name)) for name in _LINKS},
    }) | {"base": base_key}  # fmt: skip


def decode_state_before(body: dict) -> CoverageState:
    plain = _unpacked(body)
    codes, ids, orgs, chains = plain["codes"], plain["enterprises"], plain["orgs"], plain["chains"]
    by_node = {e: frozenset(chains[i] for i in cs) for e, cs in zip(ids, plain["enterprise_chains"]) if cs}
    by_node.update((o, frozenset(chains[i] for i in cs)) for o, cs in zip(orgs, plain["org_chains"]) if cs)
    return CoverageState({e: _decoded(codes[2 * i : 2 * i + 2]) for i, e in enumerate(ids)}, frozenset(orgs),
                         *(frozenset(map(tuple, plain[name])) for name in _LINKS), by_node)


def random_state(rng: random.Random, *, of: CoverageState | None = None) -> CoverageState:
    """A state of up to 60 enterprises, 10 orgs and 4 chains; with ``of``, a few changes to it."""
    if of is None:
        enterprises = {f"E{i:02d}": rng.choice(ENTRIES) for i in range(rng.randint(0, 60))}
        orgs = {f"O{i}" for i in range(rng.randint(0, 10))}
        chains = {n: frozenset(rng.sample(["C1", "C2", "C3", "C4"], rng.randint(1, 2)))
                  for n in [*enterprises, *orgs] if rng.random() < 0.4}
    else:
        enterprises, orgs, chains = dict(of.enterprises), set(of.orgs), dict(of.chains)
        for _ in range(rng.randint(0, 8)):
            e = f"E{rng.randint(0, 70):02d}"
            if e in enterprises and rng.random() < 0.3:
                del enterprises[e]
                chains.pop(e, None)
            else:
                enterprises[e] = rng.choice(ENTRIES)
                if rng.random() < 0.5:
                    chains[e] = frozenset(rng.sample(["C1", "C2", "C5"], rng.randint(1, 2)))
        orgs ^= {f"O{rng.randint(0, 12)}"}
        chains = {n: cs for n, cs in chains.items() if n in enterprises or n in orgs}
    nodes = sorted([*enterprises, *orgs])

    def links() -> frozenset:
        return frozenset((f"L{rng.randint(0, 3)}", rng.choice(nodes)) for _ in range(rng.randint(0, 5))) if nodes else frozenset()

    return CoverageState(enterprises, frozenset(orgs), links(), links(), links(), chains)


def test_the_stored_bodies_are_those_the_encoding_before_stored():
    rng = random.Random(17)
    for _ in range(300):
        base = random_state(rng)
        state = random_state(rng, of=base)
        assert encode_state(state) == encode_state_before(state)
        assert encode_delta(base, state, "K") == encode_delta_before(base, state, "K")
        assert decode_state(encode_state(state)) == decode_state_before(encode_state(state)) == state
        assert apply_delta(base, encode_delta(base, state, "K")) == state


def test_a_decoded_state_shares_one_tuple_per_code():
    state = CoverageState({"E1": (NONE, JOINT_NEEDED), "E2": (NONE, JOINT_NEEDED), "E3": (STANDALONE, None)}, frozenset())
    decoded = decode_state(encode_state(state))
    assert decoded == state and decoded.enterprises["E1"] is decoded.enterprises["E2"]


def test_the_state_now_shares_one_tuple_per_state_and_remedy():
    g = GraphBuilder().enterprise("E1", party_members=1).enterprise("E2", party_members=2).enterprise("E3").projection()
    found = coverage_state(g).enterprises
    assert found == {"E1": (NONE, JOINT_NEEDED), "E2": (NONE, JOINT_NEEDED), "E3": (NONE, INSTRUCTOR_NEEDED)}
    assert found["E1"] is found["E2"]


def test_a_state_is_read_back_by_key_as_a_full_body_or_a_delta(tmp_path):
    rng = random.Random(3)
    base = random_state(rng)
    first = CoverageState({f"E{i:03d}": rng.choice(ENTRIES) for i in range(500)}, frozenset({"O1"}))
    second = CoverageState({**first.enterprises, "E001": (STANDALONE, None)}, frozenset({"O1", "O2"}))
    third = CoverageState({**second.enterprises, "E002": (WORK, JOINT_NEEDED)}, second.orgs, chains={"E002": frozenset({"C1"})})
    store = SQLiteStore(tmp_path / "s.db")
    try:
        save_state(store, "0", base, full=encode_state(base), base_key=None)
        save_state(store, "1", first, full=encode_state(first), base_key="0")  # too unlike 0: stored full
        save_state(store, "2", second, full=encode_state(second), base_key="1")
        save_state(store, "3", third, full=encode_state(third), base_key="2")
        assert [(store.document(STATE_COLLECTION, k) or {}).get("base") for k in "0123"] == [None, None, "1", "1"]
        assert [load_state(store, k) for k in "0123"] == [base, first, second, third]
        assert load_state(store, "4") is None
    finally:
        store.close()
