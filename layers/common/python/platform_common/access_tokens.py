"""Resource-server side of our OpenID Provider: verify its access tokens and read ``userinfo`` with them.

Access tokens are RFC 9068 JWTs (``typ: at+jwt``) signed with the OP's keys. A service verifies the
signature against the issuer's JWKS (``{issuer}/jwks``, cached for ten minutes and refetched at once on an
unknown ``kid``, so a key rotation needs no restart), then the issuer, the audience (``{issuer}/userinfo``,
what our OP puts in every access token) and the expiry. The claims a service needs about the user
(account type, corporation, mandates) are not in the token: they come from ``userinfo``, called with the
token and cached until the token expires, so one login costs one userinfo call per container.

Both fetchers are parameters: tests read the OP's keys and claims in process.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from platform_common.correlation import outgoing_headers
from platform_common.errors import ServiceUnavailable, Unauthorized

JWKS_TTL_SECONDS: Final = 600.0
USERINFO_CACHE_MAX: Final = 2048  # entries per container; the oldest go first
ALGORITHMS: Final = ["ES256", "RS256", "PS256"]
HTTP_TIMEOUT_SECONDS: Final = 5.0

JwksFetcher = Callable[[str], dict[str, Any]]  # issuer -> JWKS document
UserinfoFetcher = Callable[[str, str], dict[str, Any]]  # (issuer, access token) -> userinfo claims


def fetch_jwks_over_http(issuer: str) -> dict[str, Any]:
    try:
        answer = httpx.get(f"{issuer}/jwks", timeout=HTTP_TIMEOUT_SECONDS, headers=outgoing_headers())
        answer.raise_for_status()
        keys: dict[str, Any] = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ServiceUnavailable("the sign-in service's keys cannot be fetched now; try again") from error
    return keys


def fetch_userinfo_over_http(issuer: str, token: str) -> dict[str, Any]:
    try:
        answer = httpx.get(
            f"{issuer}/userinfo", headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_SECONDS
        )
    except httpx.HTTPError as error:
        raise ServiceUnavailable("the sign-in service cannot be reached now; try again") from error
    if answer.status_code in (401, 403):
        raise Unauthorized("the access token was refused by the sign-in service (revoked or expired)")
    try:
        answer.raise_for_status()
        claims: dict[str, Any] = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ServiceUnavailable("the sign-in service did not answer; try again") from error
    return claims


class JwksCache:
    """The issuer's signing keys, refetched after a TTL or when a token names a key we do not hold."""

    def __init__(self, fetch: Callable[[], dict[str, Any]], clock: Callable[[], float] = time.monotonic):
        self.fetch, self.clock = fetch, clock
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key_set(self, kid: str | None) -> KeySet:
        with self._lock:
            keys = self._keys
            stale = keys is None or self.clock() - self._fetched_at > JWKS_TTL_SECONDS
            unknown = keys is not None and kid is not None and not any(k.kid == kid for k in keys.keys)
            if keys is None or stale or unknown:
                keys = KeySet.import_key_set(self.fetch())  # type: ignore[arg-type]  # a JWKS document
                self._keys, self._fetched_at = keys, self.clock()
            return keys


@dataclass(frozen=True)
class AccessToken:
    """A verified access token: who (``sub``), for which client and scopes, until when (epoch seconds)."""

    token: str
    sub: str
    client_id: str | None
    scopes: tuple[str, ...]
    expires_at: int


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("sign in: an Authorization: Bearer access token is required")
    token = authorization.removeprefix("Bearer ").strip()
    if not token:
        raise Unauthorized("sign in: an Authorization: Bearer access token is required")
    return token


class ResourceServer:
    """Verifies the OP's access tokens for one service and reads the user's claims with them."""

    def __init__(
        self,
        issuer: str,
        *,
        fetch_jwks: JwksFetcher = fetch_jwks_over_http,
        fetch_userinfo: UserinfoFetcher = fetch_userinfo_over_http,
        clock: Callable[[], float] = time.time,
    ):
        self.issuer = issuer.rstrip("/")
        self.clock = clock
        self._jwks = JwksCache(lambda: fetch_jwks(self.issuer))
        self._fetch_userinfo = fetch_userinfo
        self._userinfo: dict[str, tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def verify(self, authorization: str | None) -> AccessToken:
        """The verified token of an ``Authorization`` header; :class:`Unauthorized` for anything else."""
        token = bearer_token(authorization)
        if not self.issuer:
            raise Unauthorized("sign-in is not configured for this service")
        try:
            header: dict[str, Any] = dict(extract_compact(token.encode()).protected)
        except (JoseError, ValueError):
            raise Unauthorized("the bearer token is not valid") from None
        kid = header.get("kid")
        try:
            decoded = jwt.decode(
                token, self._jwks.key_set(kid if isinstance(kid, str) else None), algorithms=ALGORITHMS
            )
            jwt.JWTClaimsRegistry(
                now=int(self.clock()),
                leeway=0,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": f"{self.issuer}/userinfo"},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthorized("the bearer token is not valid") from exc
        if decoded.header.get("typ") != "at+jwt":  # an ID token is signed by the same keys: refuse it
            raise Unauthorized("the bearer token is not an access token")
        claims = decoded.claims
        client_id = claims.get("client_id")
        return AccessToken(
            token=token,
            sub=str(claims["sub"]),
            client_id=str(client_id) if client_id else None,
            scopes=tuple(str(claims.get("scope") or "").split()),
            expires_at=int(claims["exp"]),
        )

    def userinfo(self, access: AccessToken) -> dict[str, Any]:
        """The OP's ``userinfo`` for this token, cached until the token expires (keyed by its hash)."""
        key = hashlib.sha256(access.token.encode()).hexdigest()
        now = self.clock()
        with self._lock:
            cached = self._userinfo.get(key)
            if cached is not None and cached[0] > now:
                return cached[1]
        claims = self._fetch_userinfo(self.issuer, access.token)
        if str(claims.get("sub")) != access.sub:  # never mix two users' claims
            raise Unauthorized("the sign-in service answered for another user")
        with self._lock:
            self._userinfo = {k: v for k, v in self._userinfo.items() if v[0] > now}
            while len(self._userinfo) >= USERINFO_CACHE_MAX:
                self._userinfo.pop(next(iter(self._userinfo)))
            self._userinfo[key] = (access.expires_at, claims)
        return claims


class SharedResourceServer:
    """The service's one :class:`ResourceServer` for the configured issuer, built on first use: requests share
    its key set and userinfo caches. Tests put one in that reaches a test OP in process."""

    def __init__(self, issuer: Callable[[], str]) -> None:
        self._issuer = issuer
        self._server: ResourceServer | None = None
        self._lock = threading.Lock()

    def get(self) -> ResourceServer:
        with self._lock:
            if self._server is None:
                self._server = ResourceServer(self._issuer())
            return self._server

    def use(self, server: ResourceServer | None) -> None:
        """``None`` builds a new one over HTTP on next use."""
        with self._lock:
            self._server = server
