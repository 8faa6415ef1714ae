"""API tokens of gBizINFO: a signed-in gBizID user issues, lists and revokes their own.

Design: this function cannot read gBizID's browser session (another stack, another cookie). The token
page signs the user in through our OpenID Provider as a relying party (client ``HOJIN_TOKENS_CLIENT_ID``)
and calls these endpoints with the OP's access token as ``Authorization: Bearer``. The token is an
RFC 9068 JWT: we verify its signature against the issuer's JWKS (``{OIDC_ISSUER}/jwks``, keys cached and
refetched on an unknown ``kid``), its ``typ``, issuer, audience, expiry, and that it was issued to our
client. The ``sub`` owns the tokens.

An API token is 256 random bits shown once; the table keeps only its SHA-256, the owner ``sub``, a label,
the creation time and the last use. Another user's token id answers 404 (no enumeration).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Final

import httpx
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from pydantic import BaseModel, ConfigDict, Field

from functions.hojin_search.logic import hash_api_token
from functions.hojin_search.settings import get_settings
from platform_common import aws
from platform_common.errors import NotFound, ServiceUnavailable, Unauthorized

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

MAX_TOKENS_PER_OWNER: Final = 20
JWKS_TTL_SECONDS: Final = 600.0
TOKEN_ID_LENGTH: Final = 24  # hex characters of the hash used as the public id
BY_OWNER_INDEX: Final = "by-owner"


class IssueTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=80, description="What the token is for (shown in the list)")


class TokenSummary(BaseModel):
    id: str
    label: str
    created: str
    last_used: str | None = None


class IssuedToken(TokenSummary):
    token: str = Field(description="The API token, shown only in this answer: store it now")


class TokenList(BaseModel):
    tokens: list[TokenSummary]


# ------------------------------------------------------------------------- bearer verification


JwksFetcher = Callable[[], dict[str, Any]]


def _fetch_jwks_over_http() -> dict[str, Any]:
    issuer = get_settings().oidc_issuer.rstrip("/")
    try:
        answer = httpx.get(f"{issuer}/jwks", timeout=5.0)
        answer.raise_for_status()
        keys: dict[str, Any] = answer.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ServiceUnavailable("the sign-in service's keys cannot be fetched now; try again") from error
    return keys


class JwksCache:
    def __init__(self, fetch: JwksFetcher = _fetch_jwks_over_http, clock: Callable[[], float] = time.monotonic):
        self.fetch, self.clock = fetch, clock
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key_set(self, kid: str | None) -> KeySet:
        with self._lock:
            stale = self._keys is None or self.clock() - self._fetched_at > JWKS_TTL_SECONDS
            unknown = self._keys is not None and kid is not None and not any(k.kid == kid for k in self._keys.keys)
            if stale or unknown:
                self._keys = KeySet.import_key_set(self.fetch())  # type: ignore[arg-type]  # a JWKS document
                self._fetched_at = self.clock()
            keys: KeySet = self._keys  # type: ignore[assignment]  # set just above when it was missing
            return keys


_jwks = JwksCache()


def use_jwks_fetcher(fetch: JwksFetcher | None) -> None:
    """Tests read the OP's keys in process; ``None`` restores fetching over HTTP."""
    global _jwks
    _jwks = JwksCache(fetch or _fetch_jwks_over_http)


def verify_bearer(authorization: str | None) -> str:
    """The ``sub`` of a valid access token issued to the token page's client; else 401."""
    settings = get_settings()
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("sign in: an Authorization: Bearer access token is required")
    token = authorization.removeprefix("Bearer ").strip()
    issuer = settings.oidc_issuer.rstrip("/")
    if not issuer:
        raise Unauthorized("token management is not configured")
    try:
        header: dict[str, Any] = dict(extract_compact(token.encode()).protected)
    except (JoseError, ValueError):
        header = {}
    try:
        decoded = jwt.decode(token, _jwks.key_set(header.get("kid")), algorithms=["ES256", "RS256", "PS256"])
        if decoded.header.get("typ") != "at+jwt":
            raise Unauthorized("the bearer token is not an access token")
        jwt.JWTClaimsRegistry(
            leeway=0,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": f"{issuer}/userinfo"},
            exp={"essential": True},
            sub={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise Unauthorized("the bearer token is not valid") from exc
    if decoded.claims.get("client_id") != settings.tokens_client_id:
        raise Unauthorized("the bearer token was not issued to the token page")
    return str(decoded.claims["sub"])


# ------------------------------------------------------------------------------- the store


def _table() -> str:
    return get_settings().api_tokens_table_name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def list_tokens(owner: str) -> list[TokenSummary]:
    answer = aws.client("dynamodb").query(
        TableName=_table(),
        IndexName=BY_OWNER_INDEX,
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": owner}},
    )
    return [
        TokenSummary(
            id=item["token_hash"]["S"][:TOKEN_ID_LENGTH],
            label=item.get("label", {}).get("S", ""),
            created=item["created"]["S"],
            last_used=item.get("last_used", {}).get("S"),
        )
        for item in answer.get("Items", [])
        if item.get("active", {}).get("BOOL", True)
    ]


def issue_token(owner: str, label: str) -> IssuedToken:
    if len(list_tokens(owner)) >= MAX_TOKENS_PER_OWNER:
        from platform_common.errors import Conflict

        raise Conflict(f"at most {MAX_TOKENS_PER_OWNER} tokens per user: revoke one first")
    token = secrets.token_urlsafe(32)
    token_hash, created = hash_api_token(token), _now()
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={
            "token_hash": {"S": token_hash},
            "owner": {"S": owner},
            "label": {"S": label},
            "created": {"S": created},
            "active": {"BOOL": True},
        },
        ConditionExpression="attribute_not_exists(token_hash)",
    )
    return IssuedToken(id=token_hash[:TOKEN_ID_LENGTH], label=label, created=created, token=token)


def revoke_token(owner: str, token_id: str) -> None:
    """Delete the owner's token with this id. Another owner's id is "not found", as an unknown one."""
    for item in (
        aws.client("dynamodb")
        .query(
            TableName=_table(),
            IndexName=BY_OWNER_INDEX,
            KeyConditionExpression="#o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={":o": {"S": owner}},
            ProjectionExpression="token_hash",
        )
        .get("Items", [])
    ):
        token_hash = item["token_hash"]["S"]
        if secrets.compare_digest(token_hash[:TOKEN_ID_LENGTH], token_id):
            aws.client("dynamodb").delete_item(
                TableName=_table(),
                Key={"token_hash": {"S": token_hash}},
                ConditionExpression="#o = :o",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":o": {"S": owner}},
            )
            return
    raise NotFound("no such token")


# -------------------------------------------------------------------------------- routes


def _owner() -> str:
    return verify_bearer(router.current_event.headers.get("Authorization"))


@router.get("/hojin/v2/tokens", summary="The signed-in user's API tokens", tags=["tokens"])
def handle_list_tokens() -> TokenList:
    return TokenList(tokens=list_tokens(_owner()))


@router.post("/hojin/v2/tokens", summary="Issue an API token (shown once)", tags=["tokens"])
def handle_issue_token(request: Annotated[IssueTokenRequest, Body()]) -> IssuedToken:
    return issue_token(_owner(), request.label.strip() or "token")


@router.delete("/hojin/v2/tokens/<token_id>", summary="Revoke one of the user's API tokens", tags=["tokens"])
def handle_revoke_token(
    token_id: Annotated[str, Path(description="The id from the list", pattern=r"^[0-9a-f]{24}$")],
) -> dict[str, str]:
    revoke_token(_owner(), token_id)
    return {"id": token_id, "status": "revoked"}
