"""The shared request guard: properties of reading a JSON body and of refusing undecodable text."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from platform_common.errors import DomainError, InvalidInput, PayloadTooLarge
from platform_common.request_guard import (
    MAX_JSON_BODY_BYTES,
    MAX_JSON_DEPTH,
    is_json_media_type,
    json_depth,
    parse_json_body,
    refuse_undecoded_text,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


def _event(body: bytes, *, base64_flag: bool) -> dict[str, Any]:
    if base64_flag:
        return {"body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}
    return {"body": body.decode("utf-8", errors="surrogateescape"), "isBase64Encoded": False}


def _reference_depth(value: Any) -> int:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return 1 + max((_reference_depth(v) for v in value), default=0)
    return 0


@given(json_values)
def test_property_depth_agrees_with_the_recursive_definition(value: Any) -> None:
    assert json_depth(value) == _reference_depth(value)


@given(json_values, st.booleans())
def test_property_any_json_document_within_the_limits_reads_back_unchanged(value: Any, flagged: bool) -> None:
    assume(json_depth(value) <= MAX_JSON_DEPTH)
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")

    assert parse_json_body(_event(body, base64_flag=flagged)) == value


@settings(max_examples=300)
@given(st.binary(max_size=300), st.booleans())
def test_property_any_bytes_either_parse_or_are_refused_naming_the_body(data: bytes, flagged: bool) -> None:
    refused: DomainError | None = None
    try:
        parse_json_body(_event(data, base64_flag=True) if flagged else {"body": data.decode("latin-1")})
    except DomainError as exc:
        refused = exc
    if refused is not None:
        assert 400 <= refused.status < 500
        assert [e.item for e in refused.errors] == ["body"]


@given(st.integers(min_value=MAX_JSON_DEPTH + 1, max_value=100_000), st.sampled_from(["[]", "{}"]))
def test_property_json_nested_past_the_limit_is_a_400_at_any_depth(depth: int, brackets: str) -> None:
    body = "[" * depth + "]" * depth if brackets == "[]" else '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)

    with pytest.raises(InvalidInput) as refused:
        parse_json_body({"body": body})

    assert refused.value.errors[0].item == "body"
    assert "nested deeper" in refused.value.errors[0].message


def test_given_a_body_over_the_limit_then_413_naming_the_body() -> None:
    with pytest.raises(PayloadTooLarge) as refused:
        parse_json_body({"body": '"' + "x" * MAX_JSON_BODY_BYTES + '"'})

    assert refused.value.status == 413
    assert refused.value.errors[0].item == "body"


def test_given_text_flagged_base64_that_is_not_then_400() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_json_body({"body": "not base64!", "isBase64Encoded": True})

    assert refused.value.errors[0].item == "body"


@given(st.sampled_from(["application/json", "application/json; charset=utf-8", "application/problem+json"]))
def test_json_media_types_are_read(content_type: str) -> None:
    assert is_json_media_type(content_type)


@given(st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]))
def test_other_media_types_are_not(content_type: str) -> None:
    assert not is_json_media_type(content_type)


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffd"), max_size=20)


@given(st.dictionaries(st.text(min_size=1, max_size=8), printable), st.dictionaries(printable, st.lists(printable)))
def test_property_text_that_decoded_cleanly_passes(path: dict[str, str], query: dict[str, list[str]]) -> None:
    refuse_undecoded_text({"path": "/x", "pathParameters": path, "multiValueQueryStringParameters": query})


@given(printable, printable, st.sampled_from(["path", "query"]))
def test_property_a_replacement_character_anywhere_is_refused_naming_the_parameter(
    before: str, after: str, where: str
) -> None:
    value = before + "\ufffd" + after
    event: dict[str, Any] = {"path": "/x"}
    if where == "path":
        event["pathParameters"] = {"application_id": value}
    else:
        event["multiValueQueryStringParameters"] = {"name": ["ok", value]}

    with pytest.raises(InvalidInput) as refused:
        refuse_undecoded_text(event)

    assert refused.value.errors[0].item == ("application_id" if where == "path" else "name")


@given(printable, st.characters(min_codepoint=0, max_codepoint=0x1F) | st.just("\x7f"))
def test_property_control_characters_in_the_path_are_refused(segment: str, control: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        refuse_undecoded_text({"path": f"/submit/v1/applications/{segment}{control}"})

    assert refused.value.errors[0].item == "path"
