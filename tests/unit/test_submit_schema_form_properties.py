"""Properties of the application form built from a subsidy's JSON Schema and of reading a posted form back."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from functions.submit.web.schema_form import build_group, fields_of, read_form

# Property names as operators write them, including the characters a JSON pointer must escape.
property_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=6) | st.sampled_from(
    ["a/b", "~", "~1", "x~0/y"]
)
leaf_schemas = st.sampled_from(["string", "integer", "number", "boolean"]).map(lambda kind: {"type": kind})
object_schemas = st.recursive(
    leaf_schemas,
    lambda inner: st.dictionaries(property_names, inner, min_size=1, max_size=4).map(
        lambda properties: {"type": "object", "properties": properties}
    ),
    max_leaves=8,
).filter(lambda schema: schema["type"] == "object")
# What a person can type in a text box and mean: something that is not only blanks (blank is "not answered").
typed_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), min_size=1).filter(
    str.strip
)


def _value_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = schema["type"]
    if kind == "object":
        return st.fixed_dictionaries({name: _value_for(sub) for name, sub in schema["properties"].items()})
    return {
        "string": typed_text,
        "integer": st.integers(min_value=1 - 10**17, max_value=10**17 - 1),  # longer ones are kept as typed
        "number": st.floats(allow_nan=False, allow_infinity=False),
        "boolean": st.booleans(),
    }[kind]


def _posted(schema: dict[str, Any], value: dict[str, Any], pointer: str = "") -> dict[str, str]:
    """What a browser posts for ``value``: one field per control, named by its pointer; a checked box is "on"."""
    posted: dict[str, str] = {}
    for name, sub in schema["properties"].items():
        here = f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"
        if sub["type"] == "object":
            posted.update(_posted(sub, value[name], here))
        elif sub["type"] == "boolean":
            if value[name]:
                posted[here] = "on"
        else:
            posted[here] = repr(value[name]) if sub["type"] == "number" else str(value[name])
    return posted


schemas_with_values = object_schemas.flatmap(lambda schema: st.tuples(st.just(schema), _value_for(schema)))


@settings(max_examples=200)
@given(schemas_with_values)
def test_property_a_form_filled_in_and_posted_reads_back_as_the_same_json(case: tuple[dict[str, Any], Any]) -> None:
    schema, value = case

    assert read_form(build_group(schema), _posted(schema, value), {}, {}) == value


@settings(max_examples=200)
@given(schemas_with_values)
def test_property_reading_a_posted_form_is_idempotent(case: tuple[dict[str, Any], Any]) -> None:
    schema, value = case
    group = build_group(schema)
    once = read_form(group, _posted(schema, value), {}, {})

    assert read_form(group, _posted(schema, once), {}, {}) == once


@settings(max_examples=200)
@given(object_schemas.flatmap(lambda s: st.tuples(st.just(s), st.dictionaries(st.text(max_size=30), st.text()))))
@example(({"type": "object", "properties": {"n": {"type": "integer"}}}, {"": "²"}))  # isdigit() but not int()
@example(({"type": "object", "properties": {"n": {"type": "integer"}}}, {"": "--5"}))
def test_property_any_posted_fields_give_json_of_the_schema_types_or_the_text_as_typed(
    case: tuple[dict[str, Any], dict[str, str]],
) -> None:
    schema, posted = case
    group = build_group(schema)
    # a browser (or anyone) may post any text under the controls' names, and names that are not controls
    posted = {**posted, **{field.pointer: text for field, text in zip(fields_of(group), posted.values(), strict=False)}}

    form = read_form(group, posted, {}, {})

    json.dumps(form)  # always JSON: what the draft stores
    allowed = {"string": (str,), "integer": (int, str), "number": (float, str), "boolean": (bool,)}
    for field in fields_of(group):
        found: Any = form
        for part in field.pointer.split("/")[1:]:
            found = found.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(found, dict) else None
        if found not in ({}, None):
            assert isinstance(found, allowed[field.kind]), (field.pointer, found)
