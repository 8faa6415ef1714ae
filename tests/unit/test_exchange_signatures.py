"""The exchange's canonical messages, detached ES256 signatures and message-log links, without AWS."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.exchange.canonical import canonical_query, canonical_request, canonical_response
from functions.exchange.jws import (
    JwsError,
    LocalSigner,
    der_to_raw,
    key_directory,
    raw_to_der,
    sign_compact,
    sign_detached,
    verify_compact,
    verify_detached,
)
from functions.exchange.message_log import MessageEntry, check_links
from platform_common.hash_chain import GENESIS_HASH

SIGNER = LocalSigner.generate()
KEYS = key_directory({"keys": [SIGNER.public_jwk]})


def test_given_a_request_when_canonicalised_then_lines_are_method_target_client_id_time_body_hash() -> None:
    message = canonical_request(
        "get",
        "/r1/JP-DEV/GOV/1/sub/svc/2",
        {"b": ["2"], "a": ["x y", "1"]},
        "JP-DEV/COM/3/app",
        "id-1",
        "2025-04-01T09:30:00Z",
        b"",
    )

    assert message.decode().split("\n") == [
        "GET",
        "/r1/JP-DEV/GOV/1/sub/svc/2?a=1&a=x%20y&b=2",
        "JP-DEV/COM/3/app",
        "id-1",
        "2025-04-01T09:30:00Z",
        hashlib.sha256(b"").hexdigest(),
    ]


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=6))
def test_given_any_parameter_order_when_canonicalising_the_query_then_it_is_the_same(pairs: list[Any]) -> None:
    assert canonical_query(pairs) == canonical_query(list(reversed(pairs)))


def test_given_a_detached_jws_when_verified_with_the_signers_key_then_the_header_comes_back() -> None:
    payload = canonical_response(200, "id-1", b"{}")

    jws = sign_detached(payload, SIGNER)

    assert jws.split(".")[1] == ""
    assert verify_detached(jws, payload, KEYS) == {"alg": "ES256", "kid": SIGNER.kid}


@pytest.mark.parametrize(
    "attack",
    ["other payload", "other key", "flipped signature", "alg none", "not detached"],
)
def test_given_a_forged_or_altered_jws_when_verified_then_it_is_refused(attack: str) -> None:
    payload = b"200\nid-1\nabc"
    jws = sign_detached(payload, SIGNER)
    header, _, signature = jws.split(".")
    keys = KEYS
    if attack == "other payload":
        payload = b"200\nid-1\nabd"
    elif attack == "other key":
        jws = sign_detached(payload, LocalSigner.generate())
    elif attack == "flipped signature":
        jws = f"{header}..{('A' if signature[0] != 'A' else 'B')}{signature[1:]}"
    elif attack == "alg none":
        jws = "eyJhbGciOiJub25lIiwia2lkIjoieCJ9.." + signature
    else:
        jws = sign_compact(payload, SIGNER)

    with pytest.raises(JwsError):
        verify_detached(jws, payload, keys)


def test_given_a_compact_jws_when_verified_then_its_payload_comes_back() -> None:
    assert verify_compact(sign_compact(b'{"hash":"00"}', SIGNER), KEYS) == b'{"hash":"00"}'


def test_given_a_der_signature_when_converted_to_raw_and_back_then_it_is_unchanged() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    der = SIGNER.private_key.sign(b"x", ec.ECDSA(hashes.SHA256()))

    assert raw_to_der(der_to_raw(der)) == der
    assert len(der_to_raw(der)) == 64


def test_given_a_private_jwk_when_loaded_then_it_signs_as_the_original() -> None:
    copy = LocalSigner.from_jwk(SIGNER.private_jwk())

    assert copy.kid == SIGNER.kid
    verify_detached(sign_detached(b"m", copy), b"m", KEYS)


def _chain(length: int) -> list[MessageEntry]:
    entries: list[MessageEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, length + 1):
        draft = MessageEntry(
            seq=seq,
            time=f"2025-04-01T00:00:{seq:02d}.000000Z",
            message_id=f"m{seq}",
            client="JP-DEV/COM/1/a",
            provider="JP-DEV/GOV/2/b",
            service="s",
            direction="request",
            outcome="forwarded",
            message="GET\n/x",
            message_hash="00",
            signer="JP-DEV/COM/1",
            signature="sig",
            timestamp="ts",
            prev_hash=prev,
        )
        entry = replace(draft, hash=draft.compute_hash())
        entries.append(entry)
        prev = entry.hash
    return entries


def test_given_an_intact_chain_when_checking_links_then_nothing_is_broken() -> None:
    assert check_links(GENESIS_HASH, _chain(5)) is None


@pytest.mark.parametrize(
    ("change", "seq"),
    [("edit", 3), ("drop", 3), ("relink", 3)],
)
def test_given_a_changed_chain_when_checking_links_then_the_first_broken_entry_is_named(change: str, seq: int) -> None:
    entries = _chain(5)
    if change == "edit":
        entries[2] = replace(entries[2], outcome="ok")
    elif change == "drop":
        del entries[2]
        seq = 4
    else:  # rewritten with a recomputed hash: the next link breaks
        edited = replace(entries[2], outcome="ok")
        entries[2] = replace(edited, hash=edited.compute_hash())
        seq = 4

    broken = check_links(GENESIS_HASH, entries)

    assert broken is not None
    assert broken[0] == seq


def test_given_an_entry_when_stored_and_read_back_then_it_is_equal() -> None:
    entry = _chain(1)[0]

    assert MessageEntry.from_item(entry.to_item()) == entry
    assert MessageEntry.from_json(entry.to_json()) == entry
