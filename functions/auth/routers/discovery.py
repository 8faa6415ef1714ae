"""OpenID Connect Discovery: the provider metadata and the public signing keys."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth.keys import get_signing_keys
from functions.auth.logic.discovery import build_provider_metadata, resolve_issuer
from functions.auth.models import JwksResponse, ProviderMetadata
from functions.auth.settings import get_settings

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

# Both documents are the same for every caller and change only with a deployment or a key rotation
# (which publishes the next key well before it signs), so shared caches may keep them for a while.
PUBLIC_CACHE = "public, max-age=300"


def _request_context() -> dict[str, Any]:
    context = router.current_event.raw_event.get("requestContext")
    return context if isinstance(context, dict) else {}


@router.get(
    "/oauth/.well-known/openid-configuration",
    summary="OpenID Provider Metadata (OpenID Connect Discovery 1.0)",
    tags=["openid-connect"],
    response_description="The provider's issuer, endpoints, scopes, claims and algorithms",
)
def handle_get_openid_configuration() -> Response[ProviderMetadata]:
    issuer = resolve_issuer(get_settings().oidc_issuer, router.current_event.headers, _request_context())
    return Response(
        status_code=200,
        content_type="application/json",
        body=build_provider_metadata(issuer),
        headers={"Cache-Control": PUBLIC_CACHE},
    )


@router.get(
    "/oauth/jwks",
    summary="The public keys that verify ID tokens and access tokens (JWK Set)",
    tags=["openid-connect"],
    response_description="RS256 public keys; kid is the RFC 7638 thumbprint",
)
def handle_get_jwks() -> Response[JwksResponse]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=get_signing_keys().jwks(),
        headers={"Cache-Control": PUBLIC_CACHE},
    )
