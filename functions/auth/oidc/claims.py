"""What each scope releases, the consent list and the tier gate: pure functions of stored data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from functions.auth.dal import ProfileItem, RelyingPartyItem
from functions.auth.models import AccountTier

SCOPE_IDA: Final = "jp_gbizid_v1_ida"
TRUST_FRAMEWORK: Final = "jp_gbizid"  # verified_claims.verification.trust_framework
# Every claim verified_claims() may put under verified_claims.claims (the discovery document lists them).
VERIFIED_CLAIM_NAMES: Final[tuple[str, ...]] = ("account_type", "corporate_number", "name")
ACCOUNT_TYPE_NAMES: Final[dict[str, dict[str, str]]] = {
    "1": {"ja": "gBizIDエントリー", "en": "gBizID Entry"},
    "2": {"ja": "gBizIDプライム", "en": "gBizID Prime"},
    "3": {"ja": "gBizIDメンバー", "en": "gBizID Member"},
}

# The claims each scope releases (userinfo), as the consent screen lists them.
SCOPE_CLAIMS: Final[dict[str, tuple[str, ...]]] = {
    "openid": ("sub",),
    "profile": (
        "account_type",
        "corp_type",
        "corporate_number",
        "parent_id",
        "name",
        "name_kana",
        "post_code",
        "address",
        "rep_name",
    ),
    "user": ("user_id", "user_email", "user_name", "user_tel_no"),
    "email": ("email", "email_verified"),
    "mandate": ("mandate_info",),
    SCOPE_IDA: ("verified_claims",),
    "offline_access": (),
}

SCOPE_LABELS: Final[dict[str, dict[str, str]]] = {
    "openid": {"ja": "利用者を識別する番号 (sub)", "en": "An identifier for you (sub)"},
    "profile": {
        "ja": "アカウント種別、法人番号、法人名、所在地、代表者名",
        "en": "Account type, corporate number, corporation name, address, representative",
    },
    "user": {"ja": "あなたの氏名、メールアドレス、電話番号", "en": "Your name, e-mail address and phone number"},
    "email": {"ja": "メールアドレスと確認済みかどうか", "en": "Your e-mail address and whether it is verified"},
    "mandate": {
        "ja": "あなたが受けている委任 (法人、手続、期限)",
        "en": "Mandates you hold (corporation, procedures, until)",
    },
    SCOPE_IDA: {
        "ja": "身元確認の結果 (確認の水準と方法)",
        "en": "How your identity was verified (level and procedure)",
    },
    "offline_access": {
        "ja": "あなたがログアウトした後も情報を更新すること",
        "en": "Keep the information up to date after you sign out",
    },
}


def scope_list(scope: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys((scope or "").split()))


def account_type_of(profile: ProfileItem) -> str | None:
    """gBizID's account_type code ("1" Entry, "2" Prime, "3" Member); ``None`` for staff."""
    return profile.tier.account_type if profile.tier is not None else None


def tier_allowed(profile: ProfileItem, client: RelyingPartyItem) -> bool:
    """The tier gate: a login reaches a relying party only with an account type it accepts."""
    code = account_type_of(profile)
    return code is not None and code in client.allowed_account_types


def consent_lines(scopes: Iterable[str], lang: str) -> list[str]:
    """One line per scope the relying party will receive, in the user's language."""
    return [SCOPE_LABELS[scope][lang] for scope in scopes if scope in SCOPE_LABELS]


def consent_needed(requested: Iterable[str], granted: frozenset[str], prompt: Sequence[str]) -> bool:
    return "consent" in prompt or not set(requested) <= granted


def _address(document: Mapping[str, Any]) -> str | None:
    location = document.get("location")
    return str(location) if location else None


def verified_claims(
    profile: ProfileItem, corporation_name: str | None, verification_record: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """OpenID Connect for Identity Assurance: what was verified, how, and to which level.

    ``verification_record`` is how the Prime holder was verified (``functions.auth.prime.service.
    identity_verification``): the online path with the representative's signature, or the documents."""
    tier = profile.tier
    if tier is AccountTier.PRIME:
        recorded = (verification_record or {}).get("procedure")
        procedure = str(recorded) if recorded else "jp_gbizid_document_corporation"
        level = "ial2"
    elif tier is AccountTier.MEMBER:
        procedure, level = "jp_gbizid_member", "ial2"
    else:
        procedure, level = None, "ial1"
    verification: dict[str, Any] = {"trust_framework": TRUST_FRAMEWORK, "assurance_level": level}
    if procedure:
        verification["assurance_process"] = {"procedure": procedure}
    verified: dict[str, Any] = {"account_type": account_type_of(profile)}
    if level == "ial2" and profile.corporate_number:
        verified["corporate_number"] = profile.corporate_number
        if corporation_name:
            verified["name"] = corporation_name
    return {"verification": verification, "claims": verified}


def userinfo_claims(
    *,
    profile: ProfileItem,
    scopes: Sequence[str],
    corporation: Mapping[str, Any] | None,
    email_verified: bool,
    user_attributes: Mapping[str, str],
    mandates: Sequence[Mapping[str, Any]],
    ida_approved: bool,
    verification: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The userinfo response for the granted ``scopes`` (gBizID's claim names); nothing else."""
    claims: dict[str, Any] = {"sub": profile.sub}
    if "profile" in scopes:
        claims["account_type"] = account_type_of(profile)
        claims["corp_type"] = "1" if profile.corporate_number else "2"
        if profile.corporate_number:
            claims["corporate_number"] = profile.corporate_number
        if profile.parent_sub:
            claims["parent_id"] = profile.parent_sub
        if corporation:
            optional = {
                "name": corporation.get("name"),
                "name_kana": corporation.get("kana"),
                "post_code": corporation.get("postal_code"),
                "address": _address(corporation),
                "rep_name": corporation.get("representative_name"),
                "rep_name_kana": corporation.get("representative_name_kana"),
            }
            claims.update({name: value for name, value in optional.items() if value})
    if "user" in scopes:
        claims["user_id"] = profile.sub
        claims["user_email"] = profile.email
        for attribute, claim in (("name", "user_name"), ("phone_number", "user_tel_no")):
            if user_attributes.get(attribute):
                claims[claim] = user_attributes[attribute]
    if "email" in scopes:
        claims["email"] = profile.email
        claims["email_verified"] = email_verified
    if "mandate" in scopes:
        claims["mandate_info"] = [dict(mandate) for mandate in mandates]
    if SCOPE_IDA in scopes and ida_approved:
        name = corporation.get("name") if corporation else None
        claims["verified_claims"] = verified_claims(profile, str(name) if name else None, verification)
    return claims
