"""OpenID Provider endpoints: authorization (and its consent answer), token, userinfo, end-session."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth.oidc import endpoints

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

TAGS = ["openid-connect"]


@router.get("/oauth/authorize", summary="Authorization endpoint (code flow, PKCE S256)", tags=TAGS)
def handle_get_authorize() -> Response[str]:
    return endpoints.start_authorization(router.current_event)


@router.post("/oauth/authorize", summary="The consent screen's answer", tags=TAGS, include_in_schema=False)
def handle_post_authorize() -> Response[str]:
    return endpoints.answer_consent(router.current_event)


@router.post("/oauth/token", summary="Token endpoint (authorization_code, refresh_token)", tags=TAGS)
def handle_post_token() -> Response[str]:
    return endpoints.token(router.current_event)


@router.get("/oauth/userinfo", summary="Claims of the signed-in account, by scope (Bearer)", tags=TAGS)
def handle_get_userinfo() -> Response[str]:
    return endpoints.userinfo(router.current_event)


@router.post("/oauth/userinfo", summary="Claims of the signed-in account, by scope (Bearer)", tags=TAGS)
def handle_post_userinfo() -> Response[str]:
    return endpoints.userinfo(router.current_event)


@router.get("/oauth/logout", summary="End session (RP-initiated logout)", tags=TAGS)
def handle_get_logout() -> Response[str]:
    return endpoints.logout(router.current_event, "GET")


@router.post("/oauth/logout", summary="End session (RP-initiated logout)", tags=TAGS)
def handle_post_logout() -> Response[str]:
    return endpoints.logout(router.current_event, "POST")
