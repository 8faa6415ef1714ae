"""A server-side OpenID Connect relying party of gBizID's OpenID Provider: code flow with PKCE S256.

The OP accepts only confidential clients and requires PKCE of every one, so a page that signs people in
runs this flow on the server: :meth:`RelyingParty.start_login` makes the authorization URL (scope, state,
nonce and the S256 challenge of a fresh verifier, through authlib's ``OAuth2Client``); the caller keeps
state, nonce and verifier server-side (:mod:`platform_common.browser_session`); :meth:`finish_login`
checks the returned state and issuer (RFC 9207), redeems the code at the token endpoint with
``client_secret_basic`` and the verifier, and verifies the ID token with joserfc against the OP's JWKS
(signature, ``iss``, ``aud``, ``azp``, ``exp``, ``iat``, ``nonce``). The client secret is read from AWS
Secrets Manager at run time.

Endpoints come from the OP's discovery document; it, the JWKS (refetched on an unknown ``kid``) and the
secret are cached per process. HTTP goes through one ``httpx`` transport that tests may replace.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from botocore.exceptions import BotoCoreError, ClientError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from platform_common import aws
from platform_common.correlation import outgoing_headers
from platform_common.errors import DomainError, FieldError, ServiceUnavailable

ID_TOKEN_ALGORITHMS: Final = ["RS256", "ES256", "PS256"]
METADATA_TTL_SECONDS: Final = 3600.0
JWKS_TTL_SECONDS: Final = 600.0
SECRET_TTL_SECONDS: Final = 300.0  # a rotated client secret is picked up within five minutes
HTTP_TIMEOUT_SECONDS: Final = 5.0
CLOCK_SKEW_SECONDS: Final = 30


class SignInRejected(DomainError):
    """The OP's answer cannot sign anyone in (wrong state, refused code, invalid ID token): start again."""

    status = HTTPStatus.BAD_REQUEST
    slug = "sign-in-rejected"

    @classmethod
    def because(cls, item: str, message: str) -> SignInRejected:
        return cls(detail=f"{item}: {message}", errors=[FieldError(item, message)])


@dataclass(frozen=True)
class RelyingPartyConfig:
    issuer: str  # the OP's issuer identifier, exactly as in its discovery document
    client_id: str
    redirect_uri: str  # registered at the OP, matched there exactly
    client_secret_id: str  # the Secrets Manager secret (ARN or name) holding the client secret
    scope: str = "openid"


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class SignedIn:
    sub: str
    claims: dict[str, Any]  # of the verified ID token
    access_token: str | None = None  # for the userinfo endpoint (never stored)


class _Cached:
    """One value refetched after ``ttl`` seconds (or on demand)."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl, self.clock = ttl, clock
        self.value: Any = None
        self.fetched_at = 0.0

    def get(self, fetch: Callable[[], Any], *, force: bool = False) -> Any:
        if force or self.value is None or self.clock() - self.fetched_at > self.ttl:
            self.value, self.fetched_at = fetch(), self.clock()
        return self.value


class RelyingParty:
    def __init__(
        self,
        config: RelyingPartyConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.transport = transport
        self._lock = threading.Lock()
        self._metadata = _Cached(METADATA_TTL_SECONDS, clock)
        self._jwks = _Cached(JWKS_TTL_SECONDS, clock)
        self._secret = _Cached(SECRET_TTL_SECONDS, clock)

    # -- what the OP publishes

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            with httpx.Client(
                transport=self.transport, timeout=HTTP_TIMEOUT_SECONDS, headers=outgoing_headers()
            ) as client:
                answer = client.get(url)
                answer.raise_for_status()
                found = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ServiceUnavailable("the sign-in service cannot be reached now; try again") from error
        if not isinstance(found, dict):
            raise ServiceUnavailable("the sign-in service answered with something unexpected")
        return found

    def metadata(self) -> dict[str, Any]:
        def fetch() -> dict[str, Any]:
            found = self._get_json(f"{self.config.issuer.rstrip('/')}/.well-known/openid-configuration")
            if found.get("issuer") != self.config.issuer:  # OpenID Connect Discovery 1.0, section 4.3
                raise ServiceUnavailable("the sign-in service's discovery document names another issuer")
            return found

        with self._lock:
            metadata: dict[str, Any] = self._metadata.get(fetch)
            return metadata

    def _key_set(self, kid: str | None) -> KeySet:
        jwks_uri = str(self.metadata()["jwks_uri"])
        with self._lock:
            keys: KeySet = self._jwks.get(lambda: KeySet.import_key_set(self._get_json(jwks_uri)))  # type: ignore[arg-type]
            if kid is not None and not any(key.kid == kid for key in keys.keys):  # the OP rotated its key
                keys = self._jwks.get(lambda: KeySet.import_key_set(self._get_json(jwks_uri)), force=True)  # type: ignore[arg-type]
            return keys

    def _client_secret(self) -> str:
        def fetch() -> str:
            try:
                answer = aws.client("secretsmanager").get_secret_value(SecretId=self.config.client_secret_id)
            except (ClientError, BotoCoreError) as error:
                raise ServiceUnavailable("the sign-in client is not configured yet; try again later") from error
            value = str(answer.get("SecretString") or "").strip()
            if not value:
                raise ServiceUnavailable("the sign-in client is not configured yet; try again later")
            return value

        with self._lock:
            secret: str = self._secret.get(fetch)
            return secret

    # -- the flow

    def _oauth_client(self, **kwargs: Any) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.config.client_id,
            scope=self.config.scope,
            redirect_uri=self.config.redirect_uri,
            code_challenge_method="S256",
            transport=self.transport,
            timeout=HTTP_TIMEOUT_SECONDS,
            headers=outgoing_headers(),  # the request's correlation id, on to the OP
            **kwargs,
        )

    def start_login(self, *, ui_locales: str | None = None) -> AuthorizationStart:
        """The authorization URL for a fresh state, nonce and PKCE verifier (all three to be kept)."""
        state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
        extra = {"ui_locales": ui_locales} if ui_locales else {}
        with self._oauth_client() as client:
            url, _ = client.create_authorization_url(
                str(self.metadata()["authorization_endpoint"]),
                state=state,
                nonce=nonce,
                code_verifier=verifier,
                **extra,
            )
        return AuthorizationStart(url=str(url), state=state, nonce=nonce, code_verifier=verifier)

    def finish_login(self, *, state: str, nonce: str, code_verifier: str, params: Mapping[str, str]) -> SignedIn:
        """Check the callback's ``params`` against the kept state, redeem the code, verify the ID token."""
        returned = params.get("state", "")
        if not returned or not hmac.compare_digest(returned.encode("utf-8"), state.encode("utf-8")):
            raise SignInRejected.because("state", "does not match the sign-in this browser started")
        # RFC 9207 (mix-up attacks): an OP that announces ``iss`` in its answers must send it, and it must be ours.
        iss_announced = self.metadata().get("authorization_response_iss_parameter_supported") is True
        if ("iss" in params or iss_announced) and params.get("iss") != self.config.issuer:
            raise SignInRejected.because("iss", "the answer does not come from this sign-in's issuer")
        if "error" in params:
            error = params["error"][:64]
            raise SignInRejected.because("error", f"the sign-in was not completed ({error})")
        code = params.get("code", "")
        if not code:
            raise SignInRejected.because("code", "the answer carries no authorization code")
        token = self._redeem(code, code_verifier)
        claims = self._verify_id_token(token.get("id_token"), nonce)
        access = token.get("access_token")
        return SignedIn(sub=str(claims["sub"]), claims=claims, access_token=access if isinstance(access, str) else None)

    def userinfo(self, signed_in: SignedIn) -> dict[str, Any]:
        """The OP's userinfo for a fresh sign-in; its ``sub`` must be the ID token's (OpenID Connect 5.3.2)."""
        if not signed_in.access_token:
            raise SignInRejected.because("access_token", "the token answer carries no access token")
        endpoint = str(self.metadata()["userinfo_endpoint"])
        try:
            with httpx.Client(
                transport=self.transport, timeout=HTTP_TIMEOUT_SECONDS, headers=outgoing_headers()
            ) as client:
                answer = client.get(endpoint, headers={"Authorization": f"Bearer {signed_in.access_token}"})
                answer.raise_for_status()
                found = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ServiceUnavailable("the sign-in service cannot be reached now; try again") from error
        if not isinstance(found, dict) or found.get("sub") != signed_in.sub:
            raise SignInRejected.because("userinfo", "answers for another subject")
        return found

    def _redeem(self, code: str, code_verifier: str) -> dict[str, Any]:
        client_secret = self._client_secret()
        token_endpoint = str(self.metadata()["token_endpoint"])
        try:
            with self._oauth_client(
                client_secret=client_secret,
                token_endpoint_auth_method="client_secret_basic",  # noqa: S106  # a method name
            ) as client:
                token: dict[str, Any] = dict(
                    client.fetch_token(
                        token_endpoint, grant_type="authorization_code", code=code, code_verifier=code_verifier
                    )
                )
        except OAuthError as error:
            reason = str(getattr(error, "error", "") or "refused")[:64]
            raise SignInRejected.because("code", f"the sign-in code was not accepted ({reason})") from error
        except (httpx.HTTPError, ValueError) as error:
            raise ServiceUnavailable("the sign-in service cannot be reached now; try again") from error
        return token

    def _verify_id_token(self, id_token: object, nonce: str) -> dict[str, Any]:
        if not isinstance(id_token, str) or not id_token:
            raise SignInRejected.because("id_token", "the token answer carries no ID token")
        try:
            header: dict[str, Any] = dict(extract_compact(id_token.encode("ascii")).protected)
            if header.get("typ") == "at+jwt":  # an access token is never an ID token
                raise SignInRejected.because("id_token", "is an access token")
            decoded = jwt.decode(id_token, self._key_set(header.get("kid")), algorithms=ID_TOKEN_ALGORITHMS)
            jwt.JWTClaimsRegistry(
                leeway=CLOCK_SKEW_SECONDS,
                iss={"essential": True, "value": self.config.issuer},
                aud={"essential": True, "value": self.config.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, ValueError, UnicodeError) as error:
            raise SignInRejected.because("id_token", "is not valid for this sign-in") from error
        claims = dict(decoded.claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if claims.get("azp", self.config.client_id) != self.config.client_id or (
            len(audiences) > 1 and "azp" not in claims
        ):
            raise SignInRejected.because("id_token", "was issued to another client")
        return claims
