"""Properties of what the data exchange parses from its members: request signatures (JWS), the request time,
message ids, registered key sets and OpenAPI descriptions. Any input is accepted or refused with a 4xx (or
``JwsError``, which the protocol answers with 401); none crashes the exchange."""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.exchange.jws import (
    JwsError,
    LocalSigner,
    key_directory,
    sign_compact,
    sign_detached,
    verify_compact,
    verify_detached,
)
from functions.exchange.logic import message_id_for
from functions.exchange.protocol import parse_request_time
from functions.exchange.registry import parse_jwks, parse_openapi
from platform_common.errors import DomainError, InvalidInput

SIGNER = LocalSigner.generate()
KEYS = key_directory({"keys": [SIGNER.public_jwk]})
NOW = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


jws_like = st.one_of(
    texts,
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", texts, texts, texts),
    st.builds(
        lambda h, p, s: f"{b64(h)}.{b64(p)}.{b64(s)}", st.binary(max_size=60), st.binary(max_size=20), st.binary()
    ),
    st.builds(
        lambda header, sig: f"{b64(json.dumps(header).encode())}.{b64(b'{}')}.{b64(sig)}",
        json_values,
        st.binary(min_size=60, max_size=70),
    ),
    st.integers(1, 20_000).map(lambda depth: f"{b64(b'[' * depth)}.{b64(b'{}')}.AAAA"),
)


@given(st.binary(max_size=200), st.dictionaries(st.sampled_from(["x-road-id", "typ"]), st.text(max_size=10)))
def test_property_a_compact_jws_round_trips_its_payload(payload: bytes, extra: dict[str, str]) -> None:
    assert verify_compact(sign_compact(payload or b"-", SIGNER, extra), KEYS) == (payload or b"-")


@given(st.binary(max_size=200))
def test_property_a_detached_signature_verifies_only_its_own_payload(payload: bytes) -> None:
    signature = sign_detached(payload, SIGNER)

    assert verify_detached(signature, payload, KEYS)["kid"] == SIGNER.kid
    with pytest.raises(JwsError):
        verify_detached(signature, payload + b"!", KEYS)


@settings(max_examples=300, deadline=None)
@given(jws_like, st.binary(max_size=40))
def test_property_any_signature_text_verifies_or_raises_jws_error_only(token: str, payload: bytes) -> None:
    for verify in (lambda: verify_compact(token, KEYS), lambda: verify_detached(token, payload, KEYS)):
        with contextlib.suppress(JwsError):  # anything else fails the test
            verify()


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)), st.integers(-14, 14))
def test_property_an_rfc3339_time_within_the_skew_is_returned_as_sent(moment: datetime, hours: int) -> None:
    from datetime import timezone

    zone = timezone(timedelta(hours=hours))
    sent = NOW.astimezone(zone).replace(microsecond=moment.microsecond).isoformat()

    assert parse_request_time(sent, NOW) == sent


@given(st.one_of(st.none(), texts))
def test_property_any_request_time_text_is_accepted_or_refused_naming_the_header(value: str | None) -> None:
    refused: DomainError | None = None
    try:
        parse_request_time(value, NOW)
    except DomainError as exc:
        refused = exc
    if refused is not None:
        assert refused.status in (400, 401)
        assert refused.errors[0].item.lower() == "x-road-request-time"


@given(st.one_of(st.none(), texts))
def test_property_a_message_id_is_echoed_only_when_it_is_safe_in_a_header(value: str | None) -> None:
    refused: InvalidInput | None = None
    try:
        echoed = message_id_for(value)
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.errors[0].item.lower() == "x-road-id"
        return
    assert echoed.isascii()
    assert echoed.isprintable()
    assert not {" ", "\r", "\n"} & set(echoed)
    assert not value or echoed == value
    assert message_id_for(echoed) == echoed  # idempotent


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        texts,
        json_values.map(json.dumps),
        st.builds(lambda keys: json.dumps({"keys": keys}), st.lists(json_values, max_size=3)),
        st.integers(1, 50_000).map(lambda depth: "[" * depth),
    )
)
def test_property_any_key_set_text_is_a_public_p256_set_or_refused_naming_jwks(text: str) -> None:
    refused: InvalidInput | None = None
    try:
        document = parse_jwks(text)
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.errors[0].item == "jwks"
        return
    assert all("d" not in key and key["crv"] == "P-256" for key in document["keys"])


def test_given_a_registered_public_key_set_then_it_parses_back_to_the_same_keys() -> None:
    jwks = {"keys": [SIGNER.public_jwk]}

    assert key_directory(parse_jwks(json.dumps(jwks))).keys() == KEYS.keys()


openapi_like = st.one_of(
    texts,
    json_values.map(json.dumps),
    st.integers(1, 50_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 5_000).map(lambda depth: "a:\n" + "".join(" " * i + "- \n" for i in range(depth))),
    st.builds(
        lambda title, extra: json.dumps(
            {"openapi": "3.0.3", "info": {"title": title, "version": "1"}, "paths": {}, **extra}
        ),
        texts,
        st.dictionaries(st.text(max_size=5), json_values, max_size=2),
    ),
    st.integers(1, 9).map(
        lambda levels: "\n".join(
            ['l0: &l0 ["x", "x"]'] + [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, levels + 1)]
        )
    ),
)


@settings(max_examples=200, deadline=None)
@given(openapi_like)
def test_property_any_description_text_is_an_openapi_3_document_or_refused_naming_openapi(text: str) -> None:
    refused: InvalidInput | None = None
    try:
        document: dict[str, Any] = parse_openapi(text)
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.errors[0].item == "openapi"
        return
    assert document["openapi"].startswith("3.")
    json.dumps(document)  # what the registry stores: it stays the size it was sent at


def test_given_yaml_aliases_then_refused_before_they_can_expand() -> None:
    bomb = 'a: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: &c [*b, *b]\nopenapi: 3.0.0\n'

    with pytest.raises(InvalidInput) as refused:
        parse_openapi(bomb)

    assert "aliases" in refused.value.errors[0].message
