"""Audit entries: the canonical form the hash covers, and details that never hold secrets or personal data."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_common.audit import (
    GENESIS_HASH,
    REDACTED,
    AuditEntry,
    canonical_json,
    mask_personal_data,
    request_origin,
    sanitize_detail,
)


def _entry(**changes: object) -> AuditEntry:
    entry = AuditEntry(
        seq=7,
        time="2025-04-01T09:30:00.123456Z",
        kind="login.succeeded",
        outcome="success",
        actor_sub="sub-1",
        subject_sub=None,
        corporate_number="1234567890123",
        source_ip="192.0.2.10",
        user_agent="Mozilla/5.0",
        detail={"client_id": "demo-rp", "method": "totp"},
        prev_hash=GENESIS_HASH,
    )
    entry = replace(entry, **changes)  # type: ignore[arg-type]
    return replace(entry, hash=entry.compute_hash())


def test_given_an_entry_when_hashing_then_the_hash_covers_the_sorted_compact_utf8_json_with_prev_hash() -> None:
    entry = _entry(detail={"note": "ログイン"})

    expected = hashlib.sha256(canonical_json(entry.content())).hexdigest()

    assert entry.hash == expected
    assert b'"prev_hash":"' + GENESIS_HASH.encode() + b'"' in canonical_json(entry.content())
    assert "ログイン".encode() in canonical_json(entry.content())


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 8},
        {"time": "2025-04-01T09:30:00.123457Z"},
        {"kind": "login.failed"},
        {"outcome": "failure"},
        {"actor_sub": "sub-2"},
        {"subject_sub": "sub-1"},
        {"corporate_number": None},
        {"source_ip": "192.0.2.11"},
        {"user_agent": "curl/8"},
        {"detail": {"client_id": "demo-rp", "method": "sms"}},
        {"prev_hash": "1" * 64},
    ],
)
def test_given_any_field_changed_when_rehashing_then_the_stored_hash_no_longer_matches(change: dict) -> None:
    entry = _entry()

    tampered = replace(entry, **change)

    assert tampered.compute_hash() != entry.hash


def test_given_an_entry_when_stored_and_loaded_then_it_is_the_same_and_indexed_by_its_account() -> None:
    entry = _entry()

    item = entry.to_item()

    assert AuditEntry.from_item(item) == entry
    assert item["sk"]["S"] == "ENTRY#000000000007"
    assert item["gsi1pk"]["S"] == "AUDITSUB#sub-1"
    assert item["gsi1sk"]["S"] == "2025-04-01T09:30:00.123456Z#000000000007"


def test_given_an_event_about_another_account_when_indexing_then_the_subject_is_the_key() -> None:
    assert _entry(subject_sub="member-9").to_item()["gsi1pk"]["S"] == "AUDITSUB#member-9"


@pytest.mark.parametrize(
    "key", ["password", "new_password", "client_secret", "access_token", "refresh_token", "otp", "code", "totp_secret"]
)
def test_given_a_secret_looking_key_when_sanitizing_then_its_value_is_never_kept(key: str) -> None:
    assert sanitize_detail({key: "hunter2-very-secret"}) == {key: REDACTED}


def test_given_harmless_keys_when_sanitizing_then_values_are_kept() -> None:
    detail = {"client_id": "demo-rp", "factor": "totp", "corporate_number": "1234567890123", "reason": "書類不備"}

    assert sanitize_detail(detail) == detail


def test_given_addresses_and_phones_in_values_when_sanitizing_then_they_are_masked() -> None:
    clean = sanitize_detail({"invitee": "taro.yamada@example.co.jp", "phone": "+819012345678"})

    assert clean == {"invitee": "t***@example.co.jp", "phone": "+81******5678"}


@settings(suppress_health_check=[HealthCheck.too_slow])  # st.emails() is slow to draw on a loaded machine
@given(st.emails())
def test_given_any_email_when_masking_then_the_local_part_is_hidden(email: str) -> None:
    local, _, domain = email.rpartition("@")
    masked = mask_personal_data(email)

    assert masked.endswith("@" + domain)
    assert local not in masked or len(local) == 1


def test_given_long_or_multiline_values_when_sanitizing_then_they_are_truncated_to_one_line() -> None:
    clean = sanitize_detail({"reason": "a\nb" + "x" * 500})

    assert "\n" not in clean["reason"]
    assert len(clean["reason"]) == 200


@pytest.mark.parametrize("key", ["Client-Id", "clientId", "", "x" * 41])
def test_given_a_malformed_key_when_sanitizing_then_it_is_a_programming_error(key: str) -> None:
    with pytest.raises(ValueError, match="snake_case"):
        sanitize_detail({key: "v"})


def test_given_an_api_gateway_event_when_reading_the_origin_then_ip_and_user_agent_come_out() -> None:
    event = {"requestContext": {"identity": {"sourceIp": "203.0.113.5"}}, "headers": {"User-Agent": "Firefox"}}

    assert request_origin(event) == {"source_ip": "203.0.113.5", "user_agent": "Firefox"}
    assert request_origin({}) == {"source_ip": None, "user_agent": None}
