"""Access tokens (RFC 9068 JWTs) and ID tokens, signed in KMS; verification against our own JWKS."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Final

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from functions.auth import keys
from functions.auth.oidc import clock
from functions.auth.oidc.store import Authentication
from platform_common.errors import Unauthorized

ACCESS_TOKEN_SECONDS: Final = 3600  # gBizID: an access token lives an hour
ID_TOKEN_SECONDS: Final = 3600
ACCESS_TOKEN_TYP: Final = "at+jwt"  # noqa: S105  (a media type, RFC 9068)


class InvalidToken(Unauthorized):
    """A bearer token that is missing, malformed, expired, revoked or not ours."""


def userinfo_audience(issuer: str) -> str:
    """The resource an access token is for: our userinfo endpoint."""
    return f"{issuer}/userinfo"


def new_jti() -> str:
    return secrets.token_urlsafe(16)


def access_token_claims(
    *, issuer: str, client_id: str, authentication: Authentication, scope: str, family_id: str | None
) -> dict[str, Any]:
    now = clock.now()
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": authentication.sub,
        "aud": userinfo_audience(issuer),
        "client_id": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + ACCESS_TOKEN_SECONDS,
        "auth_time": authentication.auth_time,
        "acr": authentication.acr,
        "jti": new_jti(),
    }
    if family_id:
        claims["fid"] = family_id  # the refresh-token family: revoking it ends these tokens too
    return claims


def id_token_claims(
    *,
    issuer: str,
    client_id: str,
    authentication: Authentication,
    nonce: str | None,
    at_hash: str | None,
) -> dict[str, Any]:
    """The ID token: who, when and how, never personal data (gBizID's rule)."""
    now = clock.now()
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": authentication.sub,
        "aud": client_id,
        "azp": client_id,
        "exp": now + ID_TOKEN_SECONDS,
        "iat": now,
        "auth_time": authentication.auth_time,
        "jti": new_jti(),
        "acr": authentication.acr,
        "amr": list(authentication.amr),
    }
    if nonce:
        claims["nonce"] = nonce
    if at_hash:
        claims["at_hash"] = at_hash
    return claims


def sign(claims: Mapping[str, Any], typ: str = "JWT") -> str:
    """Sign in KMS with the active key (the one place tokens are signed)."""
    return keys.sign_jwt(claims, typ)


def _key_set() -> KeySet:
    jwks = keys.get_signing_keys().jwks()
    return KeySet.import_key_set({"keys": [key.model_dump() for key in jwks.keys]})


def _decode(token: str) -> jwt.Token:
    try:
        return jwt.decode(token, _key_set(), algorithms=[keys.JWS_ALG])
    except (JoseError, ValueError) as exc:
        raise InvalidToken("the token is not valid") from exc


def verify_access_token(token: str, issuer: str) -> dict[str, Any]:
    """The claims of one of our access tokens for ``issuer``, or :class:`InvalidToken`."""
    decoded = _decode(token)
    if decoded.header.get("typ") != ACCESS_TOKEN_TYP:
        raise InvalidToken("the token is not an access token")
    registry = jwt.JWTClaimsRegistry(
        now=clock.now,
        leeway=0,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": userinfo_audience(issuer)},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise InvalidToken("the token is not valid") from exc
    return dict(decoded.claims)


def verify_id_token_hint(token: str, issuer: str, client_ids: Sequence[str] | None = None) -> dict[str, Any] | None:
    """An ID token we issued (it may have expired: a hint names a past login), or ``None``."""
    try:
        decoded = _decode(token)
    except InvalidToken:
        return None
    claims = dict(decoded.claims)
    if claims.get("iss") != issuer or not isinstance(claims.get("aud"), str) or not claims.get("sub"):
        return None
    if client_ids is not None and claims["aud"] not in client_ids:
        return None
    return claims
