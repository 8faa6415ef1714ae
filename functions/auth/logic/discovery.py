"""The issuer identifier and the OpenID Provider Metadata document built from it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from functions.auth.logic.assurance import ACR_VALUES
from functions.auth.models import ProviderMetadata
from functions.auth.oidc.claims import TRUST_FRAMEWORK, VERIFIED_CLAIM_NAMES
from platform_common.errors import InvalidInput

SCOPES: Final[tuple[str, ...]] = ("openid", "profile", "user", "mandate", "email", "offline_access")
SIGNING_ALG: Final = "RS256"

# What an ID token, the userinfo response or both may carry. The ID token itself carries no personal
# data (sub, iss, aud, exp, iat, auth_time, nonce, jti, acr, amr, azp, at_hash); the rest come from userinfo
# by scope (functions.auth.oidc.claims): profile → the account and its corporation, user → user_*,
# mandate → mandate_info, email → email; jp_gbizid_v1_ida (approved relying parties only, so not listed
# in scopes_supported) → verified_claims.
CLAIMS: Final[tuple[str, ...]] = (
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "jti",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "account_type",
    "corp_type",
    "corporate_number",
    "parent_id",
    "name",
    "name_kana",
    "post_code",
    "address",
    "rep_name",
    "user_id",
    "user_email",
    "user_name",
    "user_tel_no",
    "mandate_info",
    "email",
    "email_verified",
    "verified_claims",
)

# A DNS name or IPv4 address with an optional port, or a bracketed IPv6 literal with an optional port.
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$"
)
_STAGE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def derive_issuer(host: str | None, stage: str | None) -> str:
    """``https://{host}/{stage}/oauth``: the issuer as seen by a client of the API Gateway stage.

    The host is checked before it goes into a document relying parties trust; a missing or malformed
    Host header is the client's error, not ours.
    """
    if not host or not _HOST.fullmatch(host):
        raise InvalidInput.for_field("Host", "a valid Host header is required to name the issuer")
    if stage is not None and not _STAGE.fullmatch(stage):
        raise InvalidInput.for_field("stage", "the API stage name is not valid")
    prefix = f"/{stage}" if stage else ""
    return f"https://{host.lower()}{prefix}/oauth"


def resolve_issuer(configured: str | None, headers: Mapping[str, str], request_context: Mapping[str, Any]) -> str:
    """The configured issuer verbatim, else the one derived from the request."""
    if configured:
        return configured
    host = next((value for name, value in headers.items() if name.lower() == "host"), None)
    stage = request_context.get("stage")
    return derive_issuer(host, stage if isinstance(stage, str) else None)


def build_provider_metadata(issuer: str) -> ProviderMetadata:
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=f"{issuer}/authorize",
        token_endpoint=f"{issuer}/token",
        userinfo_endpoint=f"{issuer}/userinfo",
        jwks_uri=f"{issuer}/jwks",
        end_session_endpoint=f"{issuer}/logout",
        scopes_supported=list(SCOPES),
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=["authorization_code", "refresh_token"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=[SIGNING_ALG],
        token_endpoint_auth_methods_supported=["client_secret_basic", "private_key_jwt"],
        token_endpoint_auth_signing_alg_values_supported=["RS256", "ES256"],
        code_challenge_methods_supported=["S256"],
        claims_supported=list(CLAIMS),
        claim_types_supported=["normal"],
        acr_values_supported=list(ACR_VALUES),
        ui_locales_supported=["ja", "en"],
        claims_parameter_supported=False,
        request_parameter_supported=False,
        request_uri_parameter_supported=False,
        authorization_response_iss_parameter_supported=True,
        # Identity assurance: released under the approved scope jp_gbizid_v1_ida, without evidence
        # (gBizID tells the level and the procedure, not the documents), so evidence_supported is absent.
        verified_claims_supported=True,
        trust_frameworks_supported=[TRUST_FRAMEWORK],
        claims_in_verified_claims_supported=list(VERIFIED_CLAIM_NAMES),
    )
