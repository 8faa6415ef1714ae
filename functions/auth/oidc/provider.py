"""authlib's authorization server, fitted to our requests, items and KMS keys.

Every authorization response, a code or an error, carries ``iss`` (RFC 9207, against mix-up attacks).
Grants: authorization code with OpenID Connect (:class:`GbizOpenIDCode`) and PKCE (S256 only, always
required), and refresh tokens (rotated on every use; a reused one revokes its family). Client
authentication: ``client_secret_basic`` and ``private_key_jwt`` (RFC 7523, against the public JWK Set the
relying party registered). Tokens are signed in KMS (:mod:`functions.auth.oidc.tokens`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidRequestError,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from aws_lambda_powertools.event_handler import Response
from botocore.exceptions import BotoCoreError, ClientError
from joserfc.jwk import KeySet

from functions.auth.dal import RelyingPartyItem, get_store
from functions.auth.keys import JWS_ALG
from functions.auth.logic.clients import verify_client_secret
from functions.auth.oidc import clock, tokens
from functions.auth.oidc.claims import SCOPE_IDA, scope_list
from functions.auth.oidc.registry import REGISTRABLE_SCOPES
from functions.auth.oidc.store import CODE_SECONDS, Authentication, StoredCode, StoredRefreshToken, get_oidc_store
from functions.auth.settings import SERVICE
from platform_common.observability import observability_for

_logger = observability_for(SERVICE).logger
AUTH_METHODS: Final = ["client_secret_basic", "private_key_jwt"]
NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _record(
    kind: str, outcome: Literal["success", "failure"], *, actor_sub: str | None, detail: Mapping[str, str]
) -> None:
    from functions.auth.audit import record_event

    record_event(kind, outcome=outcome, actor_sub=actor_sub, subject_sub=actor_sub, detail=detail)


class Headers(dict[str, str]):
    """Header names compare without case (authlib reads ``Authorization``; API Gateway may send any case)."""

    def __init__(self, headers: Mapping[str, str] | None) -> None:
        super().__init__({name.lower(): value for name, value in (headers or {}).items()})

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())


class _Payload(OAuth2Payload):  # type: ignore[misc]  # authlib is untyped
    def __init__(self, values: Mapping[str, Sequence[str]]) -> None:
        self._datalist = {name: list(found) for name, found in values.items()}
        self._data = {name: found[-1] for name, found in self._datalist.items() if found}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class ProviderRequest(OAuth2Request):  # type: ignore[misc]  # authlib is untyped
    """An OAuth request from an API Gateway event (or from a stored authorization request)."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str] | None,
        query: Mapping[str, Sequence[str]],
        form: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(method, uri, headers=Headers(headers))
        self._args = {name: values[-1] for name, values in query.items() if values}
        self._form = {name: values[-1] for name, values in (form or {}).items() if values}
        merged: dict[str, list[str]] = {name: list(values) for name, values in query.items()}
        for name, values in (form or {}).items():
            merged.setdefault(name, []).extend(values)
        self.payload = _Payload(merged)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Client(ClientMixin):  # type: ignore[misc]  # authlib is untyped
    """A registered relying party as authlib sees it."""

    def __init__(self, item: RelyingPartyItem) -> None:
        self.item = item
        self.client_id = item.client_id

    def get_client_id(self) -> str:
        return self.item.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the redirect URI is always named and matched exactly

    def allowed_scopes(self) -> tuple[str, ...]:
        return tuple(s for s in self.item.allowed_scopes if s != SCOPE_IDA or self.item.ida_approved)

    def get_allowed_scope(self, scope: str | None) -> str | None:
        requested = scope_list(scope)
        if "openid" not in requested:
            return None  # an OpenID Provider: every request is an authentication request
        allowed = set(self.allowed_scopes())
        if not set(requested) <= allowed:
            return None
        return " ".join(requested)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.item.redirect_uris  # exact string match, no prefix or pattern

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.item.client_secret_hash
        return bool(stored) and verify_client_secret(client_secret, stored or "")

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method == self.item.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "refresh_token":
            return "offline_access" in self.item.allowed_scopes
        return grant_type == "authorization_code"


@dataclass
class GrantUser:
    """The authenticated user behind a grant, and the refresh-token family it continues (if any)."""

    authentication: Authentication
    family_id: str | None = None
    new_family: bool = False
    nonce: str | None = None  # the authorization request's, echoed in the ID token of a code redemption


class _Code:
    """A consumed authorization code, as authlib's grants read it."""

    def __init__(self, stored: StoredCode) -> None:
        self.stored = stored
        self.code_challenge = stored.code_challenge
        self.code_challenge_method = stored.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.stored.redirect_uri

    def get_scope(self) -> str:
        return self.stored.scope

    def get_nonce(self) -> str | None:
        return self.stored.nonce

    def get_auth_time(self) -> int:
        return self.stored.authentication.auth_time

    def get_acr(self) -> str:
        return self.stored.authentication.acr

    def get_amr(self) -> list[str]:
        return list(self.stored.authentication.amr)


class _Refresh:
    def __init__(self, stored: StoredRefreshToken) -> None:
        self.stored = stored

    def check_client(self, client: Client) -> bool:
        return client.get_client_id() == self.stored.client_id

    def get_scope(self) -> str:
        return self.stored.scope


class S256Challenge(CodeChallenge):  # type: ignore[misc]  # authlib is untyped
    """PKCE with S256 only, and required of every client (confidential ones too)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012  (authlib reads a list)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE (S256) is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class GbizOpenIDCode(OpenIDCode):  # type: ignore[misc]  # authlib is untyped
    """OpenID Connect's checks of the authorization request. The ID token itself (no personal data, signed in
    KMS) is made with the access token by :meth:`Provider._generate_token`, before anything is stored: authlib
    adds it after ``save_token``, so a KMS failure there would leave a refresh token stored (and audited as
    issued) that no relying party received."""

    def __init__(self) -> None:
        super().__init__(require_nonce=False)

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # a nonce is echoed for the relying party to check; codes are single use

    def process_token(self, grant: Any, response: Any) -> Any:
        _, token, _ = response
        return token


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]  # authlib is untyped
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code: str, request: Any) -> None:
        user: GrantUser = request.user
        data = request.payload.data
        now = clock.now()
        get_oidc_store().save_code(
            code,
            StoredCode(
                client_id=request.client.get_client_id(),
                redirect_uri=data["redirect_uri"],
                scope=request.scope,
                nonce=data.get("nonce") or None,
                code_challenge=data["code_challenge"],
                code_challenge_method=data.get("code_challenge_method", "S256"),
                authentication=user.authentication,
                created_at=now,
                expires_at=now + CODE_SECONDS,
            ),
        )

    def query_authorization_code(self, code: str, client: Client) -> _Code | None:
        stored = get_oidc_store().consume_code(code)
        if stored is None or stored.client_id != client.get_client_id():
            return None
        self.request.undo = lambda: get_oidc_store().restore_code(code, stored)  # see token_response
        return _Code(stored)

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        return None  # consumed by query_authorization_code (a conditional delete)

    def authenticate_user(self, authorization_code: _Code) -> GrantUser:
        return GrantUser(authorization_code.stored.authentication, nonce=authorization_code.stored.nonce)


class RefreshGrant(RefreshTokenGrant):  # type: ignore[misc]  # authlib is untyped
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotated on every use

    def authenticate_refresh_token(self, refresh_token: str) -> _Refresh | None:
        client: Client = self.request.client
        result = get_oidc_store().use_refresh_token(refresh_token, client.get_client_id())
        if result.reused and result.token is not None:
            _record(
                "token.refresh_reused",
                "failure",
                actor_sub=result.token.authentication.sub,
                detail={"client_id": client.get_client_id()},
            )
            return None
        if result.token is None:
            return None
        sub = result.token.authentication.sub
        from functions.auth.revocation import account_active

        if not account_active(get_store().get_profile(sub)):  # suspended, disabled or deleted since
            get_oidc_store().revoke_family(result.token.family_id)
            _record("token.refreshed", "failure", actor_sub=sub, detail={"reason": "account_inactive"})
            return None
        client_id = client.get_client_id()
        self.request.undo = lambda: get_oidc_store().restore_refresh_token(refresh_token, client_id)
        return _Refresh(result.token)

    def authenticate_user(self, refresh_token: _Refresh) -> GrantUser:
        return GrantUser(refresh_token.stored.authentication, family_id=refresh_token.stored.family_id)

    def revoke_old_credential(self, refresh_token: _Refresh) -> None:
        return None  # already marked rotated when it was accepted


class PrivateKeyJwt(JWTBearerClientAssertion):  # type: ignore[misc]  # authlib is untyped
    """``private_key_jwt`` (OpenID Connect Core §9, RFC 7523): an assertion signed with the relying
    party's private key, checked against the public JWK Set it registered; each ``jti`` once only."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, issuer: str) -> None:
        super().__init__(validate_jti=True, leeway=30)
        self.issuer = issuer

    def get_audiences(self) -> list[str]:
        return [f"{self.issuer}/token", self.issuer]

    def validate_jti(self, claims: Mapping[str, Any], jti: str) -> bool:
        return get_oidc_store().claim_assertion_id(str(claims["sub"]), str(jti))

    def resolve_client_public_key(self, client: Client) -> KeySet:
        return KeySet.import_key_set(json.loads(client.item.jwks or '{"keys": []}'))


def with_issuer(redirect_uri: str, issuer: str) -> str:
    """``redirect_uri`` with ``iss`` added (RFC 9207 §2): the relying party checks which OP answered."""
    return str(add_params_to_uri(redirect_uri, [("iss", issuer)]))


def token_response(provider: Provider, request: ProviderRequest) -> Response[str]:
    """The token endpoint's answer. When an AWS call fails after the code or refresh token was used (KMS cannot
    sign, DynamoDB cannot store), nothing was issued: the credential is put back before the error goes on (a 503
    the client retries with the same code or token)."""
    try:
        response: Response[str] = provider.create_token_response(request)
    except (ClientError, BotoCoreError):
        undo = getattr(request, "undo", None)
        if undo is not None:
            try:
                undo()
            except (ClientError, BotoCoreError):  # the store is down too: the client starts a new login
                _logger.exception("used credential not put back")
        raise
    return response


class Provider(AuthorizationServer):  # type: ignore[misc]  # authlib is untyped
    def __init__(self, issuer: str) -> None:
        super().__init__(scopes_supported=list(REGISTRABLE_SCOPES))
        self.issuer = issuer
        self.register_token_generator("default", self._generate_token)
        self.register_client_auth_method("private_key_jwt", PrivateKeyJwt(issuer))
        self.register_grant(CodeGrant, [S256Challenge(required=True), GbizOpenIDCode()])
        self.register_grant(RefreshGrant)

    def query_client(self, client_id: str) -> Client | None:
        if not isinstance(client_id, str) or not client_id or len(client_id) > 128:
            return None
        item = get_store().get_relying_party(client_id)
        return None if item is None else Client(item)

    def _generate_token(
        self,
        grant_type: str,
        client: Client,
        user: GrantUser,
        scope: str,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        offline = include_refresh_token and "offline_access" in scope_list(scope)
        if offline and user.family_id is None:
            user.family_id, user.new_family = secrets.token_urlsafe(16), True
        claims = tokens.access_token_claims(
            issuer=self.issuer,
            client_id=client.get_client_id(),
            authentication=user.authentication,
            scope=scope,
            family_id=user.family_id if offline else None,
        )
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": tokens.sign(claims, tokens.ACCESS_TOKEN_TYP),
            "expires_in": tokens.ACCESS_TOKEN_SECONDS,
            "scope": scope,
        }
        if offline:
            token["refresh_token"] = secrets.token_urlsafe(32)
        if "openid" in scope_list(scope):
            # A refresh gets a new ID token for the same login: its auth_time, acr and amr (OpenID Connect Core
            # 12.2); the nonce is a code redemption's only.
            half = create_half_hash(token["access_token"], JWS_ALG)
            id_claims = tokens.id_token_claims(
                issuer=self.issuer,
                client_id=client.get_client_id(),
                authentication=user.authentication,
                nonce=user.nonce if grant_type == "authorization_code" else None,
                at_hash=half.decode("ascii") if half else None,
            )
            token["id_token"] = tokens.sign(id_claims)
        return token

    def save_token(self, token: Mapping[str, Any], request: Any) -> None:
        user: GrantUser = request.user
        client: Client = request.client
        store = get_oidc_store()
        if "refresh_token" in token and user.family_id:
            if user.new_family:
                store.new_family(user.family_id, client.get_client_id(), user.authentication.sub)
            store.save_refresh_token(
                token["refresh_token"],
                family_id=user.family_id,
                client_id=client.get_client_id(),
                scope=token["scope"],
                authentication=user.authentication,
            )
        grant_type = request.payload.grant_type
        _record(
            "token.refreshed" if grant_type == "refresh_token" else "token.issued",
            "success",
            actor_sub=user.authentication.sub,
            detail={"client_id": client.get_client_id(), "scope": token["scope"]},
        )

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def create_oauth2_request(self, request: Any) -> ProviderRequest:
        if isinstance(request, ProviderRequest):
            return request
        raise TypeError("build a ProviderRequest first (provider_request_from_event)")

    def handle_response(self, status: int, body: Any, headers: Sequence[tuple[str, str]]) -> Response[str]:
        merged = dict(headers)
        if "Location" in merged:  # an authorization response (a code or an error): RFC 9207 names the issuer
            merged["Location"] = with_issuer(merged["Location"], self.issuer)
        merged.update(NO_STORE)
        content_type = merged.pop("Content-Type", "text/plain" if "Location" in merged else "application/json")
        text = json.dumps(body, ensure_ascii=False) if isinstance(body, dict) else str(body or "")
        return Response(status_code=status, content_type=content_type, body=text, headers=merged)
