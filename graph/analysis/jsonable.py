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
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    return obj
