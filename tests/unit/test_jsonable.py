"""to_jsonable: what an analysis result becomes in --json and the API, value for value."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from graph.analysis.jsonable import to_jsonable
from graph.schema import Label, RelType


class Mood(Enum):
    CALM = "calm"


@dataclass(frozen=True)
class Inner:
    label: Label
    ids: frozenset


@dataclass
class Outer:
    name: str
    inner: tuple
    by: dict = field(default_factory=dict)
    rate: float = 0.5
    missing: None = None


def test_nested_results_become_plain_values():
    value = Outer("甲", (Inner(Label.ENTERPRISE, frozenset({"E1"})), [RelType.COVERS, Mood.CALM]),
                  {1: {"x": (True, 2)}, Label.CHAIN: set()})
    assert to_jsonable(value) == {
        "name": "甲",
        "inner": [{"label": "Enterprise", "ids": ["E1"]}, ["COVERS", "calm"]],
        "by": {"1": {"x": [True, 2]}, str(Label.CHAIN): []},
        "rate": 0.5,
        "missing": None,
    }


def test_plain_values_are_returned_as_they_are():
    text, number = "九", 3
    assert to_jsonable(text) is text and to_jsonable(number) is number
    assert to_jsonable([1.5, None, False]) == [1.5, None, False]


def test_a_dataclass_type_itself_is_not_read_as_a_result():
    assert to_jsonable(Outer) is Outer


def test_subclasses_of_containers_are_converted_too():
    class Ids(list):
        pass

    class Named(dict):
        pass

    assert to_jsonable(Ids([Label.CHAIN])) == ["Chain"]
    assert to_jsonable(Named(a=Mood.CALM)) == {"a": "calm"}
