"""Analysis results as plain JSON values: the shapes the CLI's ``--json``, the HTTP API
and the notebooks share (field names per DESIGN.md)."""

from __future__ import annotations

import dataclasses
from enum import Enum


def to_jsonable(obj):
    """Dataclasses, enums, tuples and sets as plain JSON values.

    >>> from graph.schema import Label
    >>> to_jsonable({"labels": (Label.ENTERPRISE,), "ids": {"E1"}})
    {'labels': ['Enterprise'], 'ids': ['E1']}
    """
    kind = type(obj)
    if kind in _PLAIN:  # most values: tested first, by type alone (a plan has 10⁵ of them)
        return obj
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if kind is list or kind is tuple:
        return [to_jsonable(v) for v in obj]
    names = _fields.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _fields[kind] = tuple(f.name for f in dataclasses.fields(kind))
    if names is not None:
        return {name: to_jsonable(getattr(obj, name)) for name in names}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    return obj


_PLAIN = frozenset({str, int, float, bool, type(None)})
_fields: dict[type, tuple[str, ...]] = {}  # a dataclass -> its fields' names, read once
