"""gBizID models: account tiers and roles (domain), the discovery document and the JWKS (wire).

Stored items are dataclasses in :mod:`functions.auth.dal`; these are what crosses the API.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class AccountTier(StrEnum):
    """gBizID's three account tiers. ``account_type`` is the code the real service puts in its claims."""

    ENTRY = "entry"  # issued online, no identity proofing, password only
    PRIME = "prime"  # the representative verified (seal certificate or My Number card), second factor
    MEMBER = "member"  # issued by a Prime holder to an employee, second factor

    @property
    def account_type(self) -> str:
        return _ACCOUNT_TYPES[self]


_ACCOUNT_TYPES = {AccountTier.ENTRY: "1", AccountTier.PRIME: "2", AccountTier.MEMBER: "3"}


class StaffRole(StrEnum):
    """Platform staff: operators run the service, reviewers decide Prime applications."""

    OPERATOR = "operator"
    REVIEWER = "reviewer"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderMetadata(_Wire):
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3, RFC 8414, RFC 7636, RFC 9207)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    scopes_supported: list[str]
    response_types_supported: list[str]
    response_modes_supported: list[str]
    grant_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    token_endpoint_auth_signing_alg_values_supported: list[str]
    code_challenge_methods_supported: list[str]
    claims_supported: list[str]
    claim_types_supported: list[str]
    acr_values_supported: list[str]
    ui_locales_supported: list[str]
    claims_parameter_supported: bool
    request_parameter_supported: bool
    request_uri_parameter_supported: bool
    # RFC 9207: every authorization response names its issuer in ``iss`` (a defence against mix-up attacks)
    authorization_response_iss_parameter_supported: bool
    # OpenID Connect for Identity Assurance 1.0 (§ OP metadata): what ``verified_claims`` may hold
    verified_claims_supported: bool
    trust_frameworks_supported: list[str]
    claims_in_verified_claims_supported: list[str]


class PublicJwk(_Wire):
    """An RSA public signing key (RFC 7517 / RFC 7518 §6.3.1); ``kid`` is its RFC 7638 thumbprint."""

    kty: str = Field(description='Always "RSA"')
    kid: str
    use: str = Field(description='Always "sig"')
    alg: str = Field(description='Always "RS256"')
    n: str
    e: str


class JwksResponse(_Wire):
    """The JWK Set of every key a current token may be signed with (the signing key first)."""

    keys: list[PublicJwk]
