"""How a snapshot's :class:`~graph.analysis.changes.CoverageState` is stored, compactly.

States live in their own collection (``coverage_snapshot_states``), keyed like their
snapshot, so reading the history never reads them. A stored state is either

- full: the sorted base ids, one two-letter code per enterprise (state, then remedy:
  ``STATE_LETTERS``, ``REMEDY_LETTERS``), the org ids, each node's chains as indexes into
  the sorted chain ids, and the links as id pairs; or
- a delta against a full one (``"base"`` names it): only the enterprises, orgs, chains and
  links that differ. A delta is kept when it is under a quarter of the full size, so a
  month's changes at city scale cost kilobytes rather than the ~1.1 MB of a full state,
  and reading any state reads at most two documents' worth.

Either is JSON, zlib-compressed and base64-encoded (documents are JSON). A state equal to
the latest one of its series is not stored at all (see ``history.save_snapshot``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib

from graph.analysis.changes import CoverageState
from graph.analysis.coverage import JOINT, NONE, OTHER_ORG, STANDALONE, WORK
from graph.analysis.uncovered import INSTRUCTOR_NEEDED, JOINT_NEEDED, STANDALONE_NEEDED
from graph.store import GraphStore

STATE_COLLECTION = "coverage_snapshot_states"
STATE_FORMAT = 1
STATE_LETTERS = {STANDALONE: "S", JOINT: "J", OTHER_ORG: "O", WORK: "W", NONE: "N"}
REMEDY_LETTERS = {None: "-", STANDALONE_NEEDED: "s", JOINT_NEEDED: "j", INSTRUCTOR_NEEDED: "i"}
DELTA_MAX_SHARE = 0.25  # a delta larger than this share of the full state is not worth it
_ZLIB_LEVEL = 6  # level 9 takes 0.85 s more at city scale for 1% less
_STATE_OF_LETTER = {v: k for k, v in STATE_LETTERS.items()}
_REMEDY_OF_LETTER = {v: k for k, v in REMEDY_LETTERS.items()}
_LINKS = ("contacts", "assignments", "pairings")


def encode_state(state: CoverageState) -> dict:
    """The stored body of a full state."""
    ids = sorted(state.enterprises)
    orgs = sorted(state.orgs)
    chains = sorted({c for cs in state.chains.values() for c in cs})
    index = {c: i for i, c in enumerate(chains)}
    # One list per distinct set of chains, shared by every node in that set: the city's
    # 132k nodes are in a few hundred sets, and most nodes in none.
    indexes: dict[frozenset[str], list[int]] = {frozenset(): []}

    def chain_indexes(node: str) -> list[int]:
        found = state.chains.get(node, frozenset())
        if (listed := indexes.get(found)) is None:
            listed = indexes[found] = sorted(index[c] for c in found)
        return listed

    return _packed({
        "enterprises": ids,
        "codes": "".join(map(_code, map(state.enterprises.__getitem__, ids))),
        "orgs": orgs,
        "chains": chains,
        "enterprise_chains": [chain_indexes(e) for e in ids],
        "org_chains": [chain_indexes(o) for o in orgs],
        **{name: sorted(getattr(state, name)) for name in _LINKS},
    })  # fmt: skip


def decode_state(body: dict) -> CoverageState:
    """The full state :func:`encode_state` stored."""
    plain = _unpacked(body)
    codes = plain["codes"]
    ids, orgs, chains = plain["enterprises"], plain["orgs"], plain["chains"]
    by_node = {e: frozenset(chains[i] for i in cs) for e, cs in zip(ids, plain.pop("enterprise_chains")) if cs}
    by_node.update((o, frozenset(chains[i] for i in cs)) for o, cs in zip(orgs, plain["org_chains"]) if cs)
    # the enterprises' lists of chains (one per enterprise, 0.1 GB at 2·10⁶) are let go
    # before the enterprises' dict is built: the two are not held at once
    return CoverageState(
        {e: _DECODED[codes[2 * i : 2 * i + 2]] for i, e in enumerate(ids)},
        frozenset(orgs),
        *(frozenset(map(tuple, plain[name])) for name in _LINKS),
        by_node,
    )


def encode_delta(base: CoverageState, state: CoverageState, base_key: str) -> dict:
    """The stored body of ``state`` as a change to ``base`` (stored under ``base_key``)."""
    return _packed({
        "enterprises": {e: _code(s) for e, s in state.enterprises.items() if base.enterprises.get(e) != s},
        "removed": sorted(base.enterprises.keys() - state.enterprises.keys()),
        "orgs_added": sorted(state.orgs - base.orgs),
        "orgs_removed": sorted(base.orgs - state.orgs),
        "chains": {n: sorted(state.chains.get(n, ())) for n in sorted(_moved(base, state))},
        **{f"{name}_added": sorted(getattr(state, name) - getattr(base, name)) for name in _LINKS},
        **{f"{name}_removed": sorted(getattr(base, name) - getattr(state, name)) for name in _LINKS},
    }) | {"base": base_key}  # fmt: skip


def _moved(base: CoverageState, state: CoverageState) -> set[str]:
    """The enterprises and orgs of ``state`` that are new since ``base`` or in other chains.
    Looked up node by node: the union of each state's nodes would be two sets of every
    enterprise (0.13 GB at 2·10⁶)."""
    def new_or_moved(node: str) -> bool:
        if node not in base.enterprises and node not in base.orgs:
            return True
        return state.chains.get(node, frozenset()) != base.chains.get(node, frozenset())

    return {*filter(new_or_moved, state.enterprises), *filter(new_or_moved, state.orgs)}


def apply_delta(base: CoverageState, body: dict) -> CoverageState:
    """The state :func:`encode_delta` stored, given the ``base`` it names."""
    plain = _unpacked(body)
    removed = set(plain["removed"])
    enterprises = {e: s for e, s in base.enterprises.items() if e not in removed}
    enterprises.update((e, _DECODED[code]) for e, code in plain["enterprises"].items())
    orgs = (base.orgs - set(plain["orgs_removed"])) | set(plain["orgs_added"])
    kept = enterprises.keys() | orgs
    chains = {n: cs for n, cs in base.chains.items() if n in kept}
    for node, found in plain["chains"].items():
        if found:
            chains[node] = frozenset(found)
        else:
            chains.pop(node, None)

    def links(name: str) -> frozenset:
        return (getattr(base, name) - set(map(tuple, plain[f"{name}_removed"]))) | set(map(tuple, plain[f"{name}_added"]))

    return CoverageState(enterprises, frozenset(orgs), *map(links, _LINKS), chains)


def digest(body: dict) -> str:
    """A fingerprint of a full state's stored body: equal states, equal digests."""
    return hashlib.sha256(body["data"].encode("ascii")).hexdigest()


def save_state(store: GraphStore, key: str, state: CoverageState, *, full: dict, base_key: str | None) -> None:
    """Store ``state`` (whose full body is ``full``) under ``key``: as a delta against the
    full state its predecessor rests on (``base_key``'s), when that is much smaller."""
    if base_key is not None:
        anchor = store.document(STATE_COLLECTION, base_key).get("base", base_key)
        delta = encode_delta(decode_state(store.document(STATE_COLLECTION, anchor)), state, anchor)
        if len(delta["data"]) < DELTA_MAX_SHARE * len(full["data"]):
            store.save_document(STATE_COLLECTION, key, delta)
            return
    store.save_document(STATE_COLLECTION, key, full)


def load_state(store: GraphStore, key: str) -> CoverageState | None:
    """The state stored under ``key``, or None if there is none."""
    body = store.document(STATE_COLLECTION, key)  # by key: not every state kept (each ~1 MB at city scale)
    if body is None:
        return None
    if "base" in body:
        return apply_delta(decode_state(store.document(STATE_COLLECTION, body["base"])), body)
    return decode_state(body)


def _code(entry: tuple[str, str | None]) -> str:
    return STATE_LETTERS[entry[0]] + REMEDY_LETTERS[entry[1]]


def _decoded(code: str) -> tuple[str, str | None]:
    return _STATE_OF_LETTER[code[0]], _REMEDY_OF_LETTER[code[1]]


# Each code's (state, remedy), one tuple per code shared by every enterprise with it: a
# tuple each is 0.1 GB at 2·10⁶ enterprises.
_DECODED = {s + r: _decoded(s + r) for s in _STATE_OF_LETTER for r in _REMEDY_OF_LETTER}


def _packed(plain: dict) -> dict:
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
    return {"format": STATE_FORMAT, "data": base64.b64encode(zlib.compress(text, _ZLIB_LEVEL)).decode("ascii")}


def _unpacked(body: dict) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(body["data"])))
