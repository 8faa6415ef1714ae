"""The pure parts of the OpenID Provider: claims by scope, the tier gate, consent, registration checks."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from joserfc.jwk import RSAKey

from functions.auth.dal import ProfileItem, RelyingPartyItem
from functions.auth.models import AccountTier
from functions.auth.oidc.claims import consent_needed, tier_allowed, userinfo_claims
from functions.auth.oidc.registry import build_registration

CORP = "1234567890123"
DOC = {
    "name": "デモ工業株式会社",
    "kana": "デモコウギョウ",
    "location": "東京都千代田区",
    "representative_name": "経済 太郎",
}


def _profile(tier: AccountTier) -> ProfileItem:
    parent = "prime-sub" if tier is AccountTier.MEMBER else None
    return ProfileItem(sub="s1", email="a@example.jp", tier=tier, corporate_number=CORP, parent_sub=parent)


def _rp(types: tuple[str, ...]) -> RelyingPartyItem:
    return RelyingPartyItem(
        "c",
        "c",
        ("https://rp.example.jp/cb",),
        ("openid",),
        "client_secret_basic",
        "sha256$x",
        allowed_account_types=types,
    )


def _claims(tier: AccountTier, scopes: tuple[str, ...], *, ida: bool = False) -> dict[str, object]:
    return userinfo_claims(
        profile=_profile(tier),
        scopes=scopes,
        corporation=DOC,
        email_verified=True,
        user_attributes={"name": "山田"},
        mandates=[],
        ida_approved=ida,
    )


def test_given_openid_only_when_building_userinfo_then_only_sub() -> None:
    assert _claims(AccountTier.PRIME, ("openid",)) == {"sub": "s1"}


def test_given_profile_scope_when_member_then_account_type_3_and_parent_id() -> None:
    claims = _claims(AccountTier.MEMBER, ("openid", "profile"))

    assert claims["account_type"] == "3"
    assert claims["parent_id"] == "prime-sub"
    assert claims["name"] == "デモ工業株式会社"
    assert claims["rep_name"] == "経済 太郎"
    assert "email" not in claims


def test_given_ida_scope_when_the_rp_is_not_approved_then_no_verified_claims() -> None:
    assert "verified_claims" not in _claims(AccountTier.PRIME, ("openid", "jp_gbizid_v1_ida"), ida=False)


def test_given_ida_scope_when_approved_then_prime_is_ial2_and_entry_ial1() -> None:
    prime = _claims(AccountTier.PRIME, ("openid", "jp_gbizid_v1_ida"), ida=True)["verified_claims"]
    entry = _claims(AccountTier.ENTRY, ("openid", "jp_gbizid_v1_ida"), ida=True)["verified_claims"]

    assert prime["verification"]["assurance_level"] == "ial2"  # type: ignore[index]
    assert prime["verification"]["trust_framework"] == "jp_gbizid"  # type: ignore[index]
    assert entry["verification"]["assurance_level"] == "ial1"  # type: ignore[index]


def test_given_a_prime_only_rp_when_gating_then_entry_is_refused_and_prime_member_pass() -> None:
    rp = _rp(("2", "3"))

    assert not tier_allowed(_profile(AccountTier.ENTRY), rp)
    assert tier_allowed(_profile(AccountTier.PRIME), rp)
    assert tier_allowed(_profile(AccountTier.MEMBER), rp)


@given(
    st.sets(st.sampled_from(["openid", "profile", "email", "user"])), st.sets(st.sampled_from(["openid", "profile"]))
)
def test_consent_is_needed_exactly_when_something_new_is_asked(requested: set[str], granted: set[str]) -> None:
    assert consent_needed(requested, frozenset(granted), ()) == (not requested <= granted)
    assert consent_needed(requested, frozenset(granted), ("consent",))


def _form(**values: str | list[str]) -> dict[str, list[str]]:
    base: dict[str, str | list[str]] = {
        "client_id": "new-rp",
        "name_ja": "新システム",
        "redirect_uris": "https://rp.example.jp/cb",
        "token_endpoint_auth_method": "client_secret_basic",
        "allowed_scopes": ["openid", "profile"],
        "allowed_account_types": ["2"],
    }
    base.update(values)
    return {k: v if isinstance(v, list) else [v] for k, v in base.items()}


def test_given_a_valid_form_when_registering_then_a_secret_is_issued_once_and_stored_as_hash() -> None:
    outcome = build_registration(_form())

    assert outcome.item is not None
    assert outcome.client_secret
    assert outcome.item.client_secret_hash
    assert outcome.client_secret not in outcome.item.client_secret_hash


def test_given_bad_redirect_uris_when_registering_then_the_field_is_named() -> None:
    for uri in ("http://rp.example.jp/cb", "https://rp.example.jp/cb#x", "https://*.example.jp/cb", ""):
        outcome = build_registration(_form(redirect_uris=uri))
        assert outcome.item is None
        assert "redirect_uris" in outcome.errors


def test_given_a_private_jwk_when_registering_then_it_is_refused() -> None:
    key = RSAKey.generate_key(2048)
    private = json.dumps({"keys": [key.as_dict(private=True)]})

    outcome = build_registration(_form(token_endpoint_auth_method="private_key_jwt", jwks=private))

    assert "jwks" in outcome.errors
    public = json.dumps({"keys": [key.as_dict(private=False)]})
    assert build_registration(_form(token_endpoint_auth_method="private_key_jwt", jwks=public)).item is not None


def test_given_a_prime_verified_online_when_building_verified_claims_then_the_online_procedure_is_named() -> None:
    from functions.auth.oidc.claims import verified_claims

    profile = _profile(AccountTier.PRIME)

    online = verified_claims(profile, "デモ工業株式会社", {"procedure": "jp_gbizid_online_corporation"})
    by_documents = verified_claims(profile, "デモ工業株式会社", None)

    assert online["verification"]["assurance_process"] == {"procedure": "jp_gbizid_online_corporation"}
    assert by_documents["verification"]["assurance_process"] == {"procedure": "jp_gbizid_document_corporation"}
    assert online["verification"]["assurance_level"] == "ial2"
