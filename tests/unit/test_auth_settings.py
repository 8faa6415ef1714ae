"""The auth function's settings: the signing key list and the configured issuer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from functions.auth.settings import AuthSettings, parse_key_ids, validate_issuer

KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/0f6c3c9e-1111-4a5b-9c1d-000000000001"
OLD_KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/0f6c3c9e-1111-4a5b-9c1d-000000000002"


def test_given_one_key_id_when_parsing_then_it_is_the_only_key() -> None:
    assert parse_key_ids(KEY_ARN) == (KEY_ARN,)


def test_given_current_and_previous_keys_when_parsing_then_order_is_kept_and_spaces_dropped() -> None:
    assert parse_key_ids(f" {KEY_ARN} , {OLD_KEY_ARN}") == (KEY_ARN, OLD_KEY_ARN)


@pytest.mark.parametrize("value", ["", " ", f"{KEY_ARN},", f",{KEY_ARN}", f"{KEY_ARN},,{OLD_KEY_ARN}"])
def test_given_empty_entries_when_parsing_then_it_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_key_ids(value)


def test_given_a_key_listed_twice_when_parsing_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_key_ids(f"{KEY_ARN},{KEY_ARN}")


@pytest.mark.parametrize("value", ["alias/identity-oidc-signing", "arn:aws:kms:ap-northeast-1:1:alias/x"])
def test_given_an_alias_when_parsing_then_it_is_refused_because_public_keys_are_cached_per_id(
    value: str,
) -> None:
    with pytest.raises(ValueError, match="alias"):
        parse_key_ids(value)


def test_given_characters_no_key_id_has_when_parsing_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="not a KMS key id"):
        parse_key_ids("key id with spaces")


@given(st.lists(st.uuids().map(str), min_size=1, max_size=5, unique=True))
def test_given_distinct_key_ids_when_joined_and_parsed_then_they_round_trip(ids: list[str]) -> None:
    assert parse_key_ids(",".join(ids)) == tuple(ids)


@pytest.mark.parametrize(
    "issuer",
    [
        "https://gbiz-id.example.jp/oauth",
        "https://id.example.jp:8443/prod/oauth",
        "http://localhost:8000/oauth",
        "http://127.0.0.1:8000/oauth",
        "http://192.168.1.20:8000/oauth",
        "http://[::1]:8000/oauth",
    ],
)
def test_given_valid_issuer_when_validating_then_it_is_kept_verbatim(issuer: str) -> None:
    assert validate_issuer(issuer) == issuer


@pytest.mark.parametrize(
    ("issuer", "reason"),
    [
        ("https://gbiz-id.example.jp/oauth/", "slash"),
        ("http://gbiz-id.example.jp/oauth", "https"),
        ("http://8.8.8.8/oauth", "https"),
        ("https://gbiz-id.example.jp/oauth?x=1", "query"),
        ("https://gbiz-id.example.jp/oauth#f", "fragment"),
        ("gbiz-id.example.jp/oauth", "absolute"),
    ],
)
def test_given_malformed_issuer_when_validating_then_it_is_refused(issuer: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_issuer(issuer)


@pytest.fixture
def auth_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("AWS_REGION", "ap-northeast-1")
    monkeypatch.setenv("ACCOUNTS_TABLE_NAME", "identity-accounts")
    monkeypatch.setenv("OIDC_SIGNING_KEY_ID", f"{KEY_ARN},{OLD_KEY_ARN}")
    monkeypatch.setenv("SECRETS_KEY_ID", "arn:aws:kms:ap-northeast-1:123456789012:key/secrets")
    monkeypatch.setenv("USER_POOL_ID", "ap-northeast-1_demo")
    monkeypatch.setenv("USER_POOL_CLIENT_ID", "auth-function-client")
    monkeypatch.setenv("AUDIT_BUCKET_NAME", "identity-audit-archive")
    monkeypatch.setenv("SEAL_CERTIFICATES_BUCKET_NAME", "identity-seal-certificates")
    monkeypatch.setenv("HOJIN_TABLE_NAME", "opendata-hojin")
    monkeypatch.setenv(
        "PRIME_REVIEW_STATE_MACHINE_ARN", "arn:aws:states:ap-northeast-1:123456789012:stateMachine:prime-review"
    )
    monkeypatch.delenv("OIDC_ISSUER", raising=False)
    return monkeypatch


def test_given_two_keys_in_the_environment_when_loading_settings_then_the_first_signs(
    auth_environment: pytest.MonkeyPatch,
) -> None:
    settings = AuthSettings()

    assert settings.signing_key_ids == (KEY_ARN, OLD_KEY_ARN)
    assert settings.active_signing_key_id == KEY_ARN
    assert settings.oidc_issuer is None


def test_given_an_empty_issuer_variable_when_loading_settings_then_the_issuer_is_derived(
    auth_environment: pytest.MonkeyPatch,
) -> None:
    auth_environment.setenv("OIDC_ISSUER", "")

    assert AuthSettings().oidc_issuer is None


def test_given_an_issuer_with_trailing_slash_when_loading_settings_then_cold_start_fails_naming_it(
    auth_environment: pytest.MonkeyPatch,
) -> None:
    auth_environment.setenv("OIDC_ISSUER", "https://gbiz-id.example.jp/oauth/")

    with pytest.raises(ValidationError, match="OIDC_ISSUER"):
        AuthSettings()


def test_given_no_signing_key_when_loading_settings_then_cold_start_fails_naming_it(
    auth_environment: pytest.MonkeyPatch,
) -> None:
    auth_environment.delenv("OIDC_SIGNING_KEY_ID")

    with pytest.raises(ValidationError, match="OIDC_SIGNING_KEY_ID"):
        AuthSettings()
