"""API tokens of gBizINFO: a signed-in gBizID user issues, lists and revokes their own.

Design: this function cannot read gBizID's browser session (another stack, another cookie). The token
page (:mod:`functions.hojin_search.routers.token_page`) signs the user in through our OpenID Provider as a
relying party (client ``HOJIN_TOKENS_CLIENT_ID``) and calls the logic below with its session's ``sub``.
These endpoints take the OP's access token for that client as ``Authorization: Bearer``. The token is an
RFC 9068 JWT verified by :class:`platform_common.access_tokens.ResourceServer` (signature against the
issuer's JWKS, ``typ``, issuer, audience, expiry); we add that it was issued to our client. The ``sub`` owns the tokens.

An API token is 256 random bits shown once; the table keeps only its SHA-256, the owner ``sub``, a label,
the creation time and the last use. Another user's token id answers 404 (no enumeration).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import BaseModel, ConfigDict, Field

from functions.hojin_search.logic import hash_api_token
from functions.hojin_search.settings import get_settings
from platform_common import aws
from platform_common.access_tokens import ResourceServer
from platform_common.errors import NotFound, Unauthorized

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

MAX_TOKENS_PER_OWNER: Final = 20
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
_jwks_fetcher: JwksFetcher | None = None
_servers: dict[str, ResourceServer] = {}


def use_jwks_fetcher(fetch: JwksFetcher | None) -> None:
    """Tests read the OP's keys in process; ``None`` restores fetching over HTTP."""
    global _jwks_fetcher
    _jwks_fetcher = fetch
    _servers.clear()


def _resource_server(issuer: str) -> ResourceServer:
    server = _servers.get(issuer)
    if server is None:
        fetch = _jwks_fetcher
        server = (
            ResourceServer(issuer, fetch_jwks=lambda _issuer: fetch()) if fetch is not None else ResourceServer(issuer)
        )
        _servers[issuer] = server
    return server


def verify_bearer(authorization: str | None) -> str:
    """The ``sub`` of a valid access token issued to the token page's client; else 401."""
    settings = get_settings()
    access = _resource_server(settings.oidc_issuer.rstrip("/")).verify(authorization)
    if access.client_id != settings.tokens_client_id:
        raise Unauthorized("the bearer token was not issued to the token page")
    return access.sub


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
