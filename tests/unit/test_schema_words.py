"""Every word a person reads is defined once, in the schema: a new property, relationship
type, enum value or coverage field without its Chinese name (or a relationship without a
style on the maps) fails here, not on a planner's screen."""

from __future__ import annotations

import dataclasses

import pytest

from graph.analysis.coverage import Coverage
from graph.schema import COVERAGE_FIELDS_ZH, LABEL_ZH, NODE_PROPS, REL_SPECS, Label, PropType, RelType


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("label", list(Label))
def test_every_label_and_property_has_its_chinese_name(label):
    assert _has_han(LABEL_ZH[label])
    for prop in NODE_PROPS[label].values():
        assert _has_han(prop.zh), f"{label.value}.{prop.name} has no Chinese name"
        if prop.type is PropType.ENUM:
            assert prop.choices and all(_has_han(zh) for zh in prop.choices.values()), prop.name


@pytest.mark.parametrize("rel", list(RelType))
def test_every_relationship_has_its_words_and_a_map_style(rel):
    from api.web.style import EDGE_STYLES

    spec = REL_SPECS[rel]
    assert _has_han(spec.zh) and _has_han(spec.forward) and _has_han(spec.backward), rel.value
    assert all(_has_han(p.zh) for p in spec.props.values()), rel.value
    assert rel.value in EDGE_STYLES, f"{rel.value} has no style on the maps"


def test_every_coverage_field_has_its_chinese_name():
    fields = [f.name for f in dataclasses.fields(Coverage)]
    missing = [f for f in fields if not _has_han(COVERAGE_FIELDS_ZH.get(f, ""))]
    assert not missing, f"coverage fields without a Chinese name in graph.schema.COVERAGE_FIELDS_ZH: {missing}"
