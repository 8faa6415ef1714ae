"""The auth function's environment, validated once at cold start."""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from platform_common.settings import ServiceSettings

SERVICE = "auth"

_KEY_ID = re.compile(r"^[A-Za-z0-9:/_.-]{1,2048}$")  # key id or key ARN


def parse_key_ids(value: str) -> tuple[str, ...]:
    """Split ``OIDC_SIGNING_KEY_ID`` into key ids: the first signs, every one is published in the JWKS.

    Rotation with overlap: publish the new key as a second entry, wait out the JWKS caches, move it to the
    front, and drop the old one after the longest token lifetime. Aliases are refused: an alias can be
    pointed at another key, while each key id's public key is cached for the life of the process.
    """
    ids = tuple(part.strip() for part in value.split(","))
    if not ids or any(not part for part in ids):
        raise ValueError("a comma-separated list of KMS key ids without empty entries is required")
    for part in ids:
        if part.startswith("alias/") or ":alias/" in part:
            raise ValueError(f"{part!r} is an alias: name the key by its id or ARN")
        if not _KEY_ID.fullmatch(part):
            raise ValueError(f"{part!r} is not a KMS key id or key ARN")
    if len(set(ids)) != len(ids):
        raise ValueError("a key id is listed twice")
    return ids


def _is_local_host(host: str) -> bool:
    """Loopback, private or unspecified addresses and ``localhost`` names (the devstack)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def validate_issuer(value: str) -> str:
    """Accept an issuer as OpenID Connect Discovery requires it, to be used verbatim.

    https (plain http only for a local host: the devstack), no query, no fragment, and no trailing
    slash: endpoints are ``{issuer}/authorize`` etc., and relying parties compare the issuer character for
    character, so it is rejected rather than silently rewritten.
    """
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("the issuer must be an absolute https URL")
    if parts.scheme == "http" and not _is_local_host(parts.hostname):
        raise ValueError("the issuer must use https (http only for a local or private address)")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValueError("the issuer must have no query and no fragment")
    if value.endswith("/"):
        raise ValueError("the issuer must not end with a slash")
    return value


class AuthSettings(ServiceSettings):
    accounts_table_name: str = Field(alias="ACCOUNTS_TABLE_NAME", min_length=3)
    signing_key_ids: Annotated[tuple[str, ...], NoDecode] = Field(alias="OIDC_SIGNING_KEY_ID")
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID", min_length=1)
    user_pool_id: str = Field(alias="USER_POOL_ID", min_length=1)
    user_pool_client_id: str = Field(alias="USER_POOL_CLIENT_ID", min_length=1)
    audit_bucket_name: str = Field(alias="AUDIT_BUCKET_NAME", min_length=3)
    mail_from: str = Field(
        default="no-reply@gbizid.example.jp",
        alias="MAIL_FROM",
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Sender of notification mail; SES must have its address or domain verified",
    )
    seal_certificates_bucket_name: str = Field(alias="SEAL_CERTIFICATES_BUCKET_NAME", min_length=3)
    hojin_table_name: str = Field(alias="HOJIN_TABLE_NAME", min_length=3)
    prime_review_state_machine_arn: str = Field(alias="PRIME_REVIEW_STATE_MACHINE_ARN", min_length=20)
    prime_trust_anchors_pem: str | None = Field(
        default=None,
        alias="PRIME_TRUST_ANCHORS_PEM",
        description="PEM bundle of the CAs whose certificates may sign online Prime applications (unset: none)",
    )
    oidc_issuer: str | None = Field(
        default=None,
        alias="OIDC_ISSUER",
        description="Fixed issuer; when unset it is derived from each request's host and stage",
    )

    @field_validator("signing_key_ids", mode="before")
    @classmethod
    def _split_key_ids(cls, value: Any) -> Any:
        return parse_key_ids(value) if isinstance(value, str) else value

    @field_validator("oidc_issuer")
    @classmethod
    def _check_issuer(cls, value: str | None) -> str | None:
        return validate_issuer(value) if value else None

    @property
    def active_signing_key_id(self) -> str:
        return self.signing_key_ids[0]


@cache
def get_settings() -> AuthSettings:
    return AuthSettings()  # values come from the environment
