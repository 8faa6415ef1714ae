"""OpenID Provider endpoints: authorization (and its consent answer), token, userinfo, end-session."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from functions.auth.oidc import endpoints

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

TAGS = ["openid-connect"]

# The protocol endpoints answer OAuth's own JSON (RFC 6749 §5, RFC 6750 §3), not problem+json.
_OAUTH_JSON: dict[str, Any] = {"application/json": {"schema": {"type": "object"}}}
_OAUTH_ERROR: dict[str, Any] = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            "required": ["error"],
        }
    }
}
TOKEN_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {"description": "Tokens (RFC 6749 §5.1)", "content": _OAUTH_JSON},
    400: {"description": "An OAuth error (RFC 6749 §5.2)", "content": _OAUTH_ERROR},
    401: {"description": "The client's authentication failed (invalid_client)", "content": _OAUTH_ERROR},
}
USERINFO_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {"description": "The claims granted by the token's scopes", "content": _OAUTH_JSON},
    401: {"description": "No valid access token (RFC 6750 §3.1)", "content": _OAUTH_ERROR},
}


@router.get("/oauth/authorize", summary="Authorization endpoint (code flow, PKCE S256)", tags=TAGS)
def handle_get_authorize() -> Response[str]:
    return endpoints.start_authorization(router.current_event)


@router.post("/oauth/authorize", summary="The consent screen's answer", tags=TAGS, include_in_schema=False)
def handle_post_authorize() -> Response[str]:
    return endpoints.answer_consent(router.current_event)


@router.post(
    "/oauth/token", summary="Token endpoint (authorization_code, refresh_token)", tags=TAGS, responses=TOKEN_RESPONSES
)
def handle_post_token() -> Response[str]:
    return endpoints.token(router.current_event)


@router.get(
    "/oauth/userinfo",
    summary="Claims of the signed-in account, by scope (Bearer)",
    tags=TAGS,
    responses=USERINFO_RESPONSES,
)
def handle_get_userinfo() -> Response[str]:
    return endpoints.userinfo(router.current_event)


@router.post(
    "/oauth/userinfo",
    summary="Claims of the signed-in account, by scope (Bearer)",
    tags=TAGS,
    responses=USERINFO_RESPONSES,
)
def handle_post_userinfo() -> Response[str]:
    return endpoints.userinfo(router.current_event)


@router.get("/oauth/logout", summary="End session (RP-initiated logout)", tags=TAGS)
def handle_get_logout() -> Response[str]:
    return endpoints.logout(router.current_event, "GET")


@router.post("/oauth/logout", summary="End session (RP-initiated logout)", tags=TAGS)
def handle_post_logout() -> Response[str]:
    return endpoints.logout(router.current_event, "POST")
