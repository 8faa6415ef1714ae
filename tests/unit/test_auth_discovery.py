"""Issuer derivation, the provider metadata document and the assurance levels it advertises."""

from __future__ import annotations

import pytest
from authlib.oidc.discovery import OpenIDProviderMetadata
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.logic.assurance import ACR_BY_TIER, ACR_ENTRY, ACR_MEMBER, ACR_PRIME, acr_satisfies
from functions.auth.logic.discovery import build_provider_metadata, derive_issuer, resolve_issuer
from functions.auth.models import AccountTier
from platform_common.errors import InvalidInput

ISSUER = "https://id.example.jp/prod/oauth"


def test_given_host_and_stage_when_deriving_issuer_then_it_is_https_host_stage_oauth() -> None:
    assert derive_issuer("abc123.execute-api.ap-northeast-1.amazonaws.com", "prod") == (
        "https://abc123.execute-api.ap-northeast-1.amazonaws.com/prod/oauth"
    )


def test_given_host_with_port_and_capitals_when_deriving_issuer_then_port_kept_and_host_lowercased() -> None:
    assert derive_issuer("ID.Example.JP:8443", "dev") == "https://id.example.jp:8443/dev/oauth"


def test_given_no_stage_when_deriving_issuer_then_no_stage_segment() -> None:
    assert derive_issuer("id.example.jp", None) == "https://id.example.jp/oauth"


@pytest.mark.parametrize(
    "host",
    [
        None,
        "",
        "evil.example/path",
        "evil.example?x=1",
        "evil.example#frag",
        "user@evil.example",
        "a b",
        "-bad.jp",
    ],
)
def test_given_missing_or_forged_host_when_deriving_issuer_then_invalid_input_names_host(
    host: str | None,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        derive_issuer(host, "dev")
    assert raised.value.errors[0].item == "Host"


def test_given_malformed_stage_when_deriving_issuer_then_invalid_input_names_stage() -> None:
    with pytest.raises(InvalidInput) as raised:
        derive_issuer("id.example.jp", "dev/../x")
    assert raised.value.errors[0].item == "stage"


def test_given_configured_issuer_when_resolving_then_it_is_used_verbatim_whatever_the_host() -> None:
    assert resolve_issuer(ISSUER, {"Host": "other.example"}, {"stage": "dev"}) == ISSUER


def test_given_no_configured_issuer_when_resolving_then_host_header_is_found_case_insensitively() -> None:
    assert resolve_issuer(None, {"host": "id.example.jp"}, {"stage": "dev"}) == "https://id.example.jp/dev/oauth"


@given(st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9](\.[a-z][a-z0-9]{0,10}){1,3}", fullmatch=True))
def test_given_any_dns_host_when_deriving_issuer_then_authlib_accepts_the_metadata(host: str) -> None:
    OpenIDProviderMetadata(build_provider_metadata(derive_issuer(host, "dev")).model_dump()).validate()


def test_given_issuer_when_building_metadata_then_every_endpoint_is_under_the_issuer() -> None:
    metadata = build_provider_metadata(ISSUER)

    assert metadata.issuer == ISSUER
    assert metadata.authorization_endpoint == f"{ISSUER}/authorize"
    assert metadata.token_endpoint == f"{ISSUER}/token"
    assert metadata.userinfo_endpoint == f"{ISSUER}/userinfo"
    assert metadata.jwks_uri == f"{ISSUER}/jwks"
    assert metadata.end_session_endpoint == f"{ISSUER}/logout"


def test_given_issuer_when_building_metadata_then_it_advertises_gbizid_profile() -> None:
    metadata = build_provider_metadata(ISSUER)

    assert metadata.scopes_supported == ["openid", "profile", "user", "mandate", "email", "offline_access"]
    assert metadata.response_types_supported == ["code"]
    assert metadata.grant_types_supported == ["authorization_code", "refresh_token"]
    assert metadata.subject_types_supported == ["public"]
    assert metadata.id_token_signing_alg_values_supported == ["RS256"]
    assert metadata.token_endpoint_auth_methods_supported == ["client_secret_basic", "private_key_jwt"]
    assert metadata.code_challenge_methods_supported == ["S256"]
    assert {"sub", "auth_time", "nonce", "acr", "account_type", "corporate_number", "mandate_info"} <= set(
        metadata.claims_supported
    )
    assert metadata.acr_values_supported == [ACR_ENTRY, ACR_MEMBER, ACR_PRIME]
    assert "none" not in metadata.token_endpoint_auth_signing_alg_values_supported


def test_given_metadata_when_validated_by_authlib_then_it_is_a_valid_provider_document() -> None:
    OpenIDProviderMetadata(build_provider_metadata(ISSUER).model_dump()).validate()


def test_given_each_tier_when_mapping_to_acr_then_prime_is_strongest_and_entry_weakest() -> None:
    assert ACR_BY_TIER == {
        AccountTier.ENTRY: ACR_ENTRY,
        AccountTier.MEMBER: ACR_MEMBER,
        AccountTier.PRIME: ACR_PRIME,
    }
    assert acr_satisfies(ACR_PRIME, ACR_MEMBER)
    assert acr_satisfies(ACR_MEMBER, ACR_ENTRY)
    assert not acr_satisfies(ACR_ENTRY, ACR_MEMBER)
    assert not acr_satisfies(ACR_MEMBER, ACR_PRIME)


def test_given_unknown_acr_when_checking_satisfaction_then_it_is_never_satisfied() -> None:
    assert not acr_satisfies(ACR_PRIME, "urn:other:acr:high")
    assert not acr_satisfies("urn:other:acr:high", ACR_ENTRY)
