"""The token page's sign-in: gBizINFO as a relying party of gBizID (client ``HOJIN_TOKENS_CLIENT_ID``).

The page is at ``{HOJIN_PUBLIC_URL}/hojin/tokens``; the OP sends the browser back to
``{HOJIN_PUBLIC_URL}/hojin/tokens/callback`` (the redirect URI registered for the client). Sessions live in
the ``web-sessions`` table; the client secret in the Secrets Manager secret ``HOJIN_TOKENS_CLIENT_SECRET_ID``.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import httpx

from functions.hojin_search.settings import get_settings
from platform_common.browser_session import BrowserSessions, CookieNames, secure_cookies_for
from platform_common.errors import ServiceUnavailable
from platform_common.relying_party import RelyingParty, RelyingPartyConfig

TOKENS_PAGE: Final = "/hojin/tokens"
LOGIN_PATH: Final = f"{TOKENS_PAGE}/login"
CALLBACK_PATH: Final = f"{TOKENS_PAGE}/callback"
ISSUE_PATH: Final = TOKENS_PAGE
REVOKE_PATH: Final = f"{TOKENS_PAGE}/revoke"
LOGOUT_PATH: Final = f"{TOKENS_PAGE}/logout"
# Other pages share the host (gBizID's own session is ``gbizid_session`` on ``/``): own names, own path.
SESSION_COOKIE: Final = "gbizinfo_tokens_session"
LOGIN_COOKIE: Final = "gbizinfo_tokens_login"

_transport: httpx.BaseTransport | None = None


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Tests reach the OP in process; ``None`` restores plain HTTP."""
    global _transport
    _transport = transport
    relying_party.cache_clear()


def configured() -> bool:
    settings = get_settings()
    return bool(settings.oidc_issuer and settings.public_url)


@cache
def relying_party() -> RelyingParty:
    settings = get_settings()
    if not configured():
        raise ServiceUnavailable("the token page is not configured (OIDC_ISSUER, HOJIN_PUBLIC_URL)")
    config = RelyingPartyConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.tokens_client_id,
        redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
        client_secret_id=settings.tokens_client_secret_id,
    )
    return RelyingParty(config, transport=_transport)


@cache
def sessions() -> BrowserSessions:
    settings = get_settings()
    cookies = CookieNames(
        session=SESSION_COOKIE,
        login=LOGIN_COOKIE,
        path=TOKENS_PAGE,
        secure=secure_cookies_for(settings.public_url or "https://"),
    )
    return BrowserSessions(settings.sessions_table_name, cookies)
