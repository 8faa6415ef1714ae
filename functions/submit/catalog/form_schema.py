"""Checks of a subsidy's application form (JSON Schema 2020-12) before an operator's change is stored.

The form is checked against the 2020-12 meta-schema (``jsonschema``), then against this platform's own rules:
an object schema at the top, no remote ``$ref`` (a form must not fetch anything when an application is
validated), and ``x-prefill`` values that name a known source. Every error names its place in the schema
as a JSON pointer under ``form_schema`` (``form_schema/properties/capital/type``), so the operator's editor
can point at it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any, Final

from jsonschema import Draft202012Validator

from platform_common.errors import FieldError, InvalidInput
from platform_common.request_guard import MAX_JSON_DEPTH, json_depth

FIELD: Final = "form_schema"
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
MAX_SCHEMA_BYTES: Final = 64 * 1024  # the whole subsidy document must stay well under DynamoDB's 400 KB item
MAX_ERRORS: Final = 20
MAX_DEPTH: Final = MAX_JSON_DEPTH  # as an API body may nest
PREFILL_KEYWORD: Final = "x-prefill"
# "userinfo:<claim>", "gbizinfo:<field>" or "exchange:<service identifier>:<field>" (docs/design/jgrants.md)
PREFILL_VALUE: Final = re.compile(
    r"^(userinfo|gbizinfo):[A-Za-z0-9_][A-Za-z0-9_./-]{0,99}$"
    r"|^exchange:[A-Za-z0-9._-]{1,64}(/[A-Za-z0-9._-]{1,64}){4}:[A-Za-z0-9_][A-Za-z0-9_.]{0,99}$"
)

_META = Draft202012Validator(Draft202012Validator.META_SCHEMA)


def json_pointer(parts: Sequence[str | int]) -> str:
    """RFC 6901 pointer of ``parts`` under ``form_schema`` ("~" and "/" escaped)."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "/".join((FIELD, *escaped))


def _walk(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every object of the schema with its path (subschemas, and also ``properties`` maps: harmless)."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _platform_errors(schema: dict[str, Any]) -> Iterator[FieldError]:
    if schema.get("type") != "object":
        yield FieldError(json_pointer(["type"]), 'the form must be an object schema ("type": "object")')
    if "$schema" in schema and schema["$schema"] != DIALECT:
        yield FieldError(json_pointer(["$schema"]), f"only JSON Schema 2020-12 ({DIALECT}) is supported")
    for path, node in _walk(schema):
        reference = node.get("$ref")
        if isinstance(reference, str) and not reference.startswith("#"):
            yield FieldError(json_pointer([*path, "$ref"]), "only references inside the form (#/...) are allowed")
        prefill = node.get(PREFILL_KEYWORD)
        if prefill is not None and not (isinstance(prefill, str) and PREFILL_VALUE.fullmatch(prefill)):
            yield FieldError(
                json_pointer([*path, PREFILL_KEYWORD]),
                "x-prefill must be userinfo:<claim>, gbizinfo:<field> or exchange:<service identifier>:<field>",
            )


def form_schema_errors(schema: Any) -> list[FieldError]:
    """What is wrong with ``schema`` as an application form; an empty list when it can be stored."""
    if not isinstance(schema, dict):
        return [FieldError(FIELD, "the form must be a JSON object (a JSON Schema)")]
    if json_depth(schema) > MAX_DEPTH:  # before anything recursive walks it
        return [FieldError(FIELD, f"the form schema nests deeper than {MAX_DEPTH} levels")]
    if len(json.dumps(schema, ensure_ascii=False).encode("utf-8")) > MAX_SCHEMA_BYTES:
        return [FieldError(FIELD, f"the form schema is larger than {MAX_SCHEMA_BYTES // 1024} KB")]
    found = [
        FieldError(json_pointer(list(error.path)), error.message)
        for error in sorted(_META.iter_errors(schema), key=lambda e: list(map(str, e.path)))
    ]
    found.extend(_platform_errors(schema))
    return found[:MAX_ERRORS]


def check_form_schema(schema: Any) -> None:
    """Raise :class:`InvalidInput` naming each error's pointer, or return when ``schema`` is a valid form."""
    errors = form_schema_errors(schema)
    if errors:
        raise InvalidInput(detail="; ".join(f"{e.item}: {e.message}" for e in errors), errors=errors)
