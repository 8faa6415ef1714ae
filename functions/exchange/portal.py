"""The portal pages' sign-in: the data exchange as a relying party of gBizID (client ``EXCHANGE_PORTAL_CLIENT_ID``).

Pages live under ``{EXCHANGE_PUBLIC_URL}/exchange/``; the OP sends the browser back to
``{EXCHANGE_PUBLIC_URL}/exchange/callback``. The ``profile`` scope gives the account type and corporate number
that decide what a person may do (:mod:`functions.exchange.callers`); the userinfo answer is kept with the
session, refreshed by each sign-in. Sessions live in the exchange's ``web-sessions`` table; the client secret
in the Secrets Manager secret ``EXCHANGE_PORTAL_CLIENT_SECRET_ID``.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import httpx

from functions.exchange.settings import get_settings
from platform_common.browser_session import BrowserSessions, CookieNames, secure_cookies_for
from platform_common.errors import ServiceUnavailable
from platform_common.relying_party import RelyingParty, RelyingPartyConfig

PREFIX: Final = "/exchange"
SCOPE: Final = "openid profile"
HOME_PATH: Final = f"{PREFIX}/portal"
LOGIN_PATH: Final = f"{PREFIX}/login"
CALLBACK_PATH: Final = f"{PREFIX}/callback"
LOGOUT_PATH: Final = f"{PREFIX}/logout"
MEMBERS_PATH: Final = f"{PREFIX}/members"
CONSENTS_PATH: Final = f"{PREFIX}/consents"
# Other pages share the host (gBizID's own session is ``gbizid_session`` on ``/``): own names, own path.
SESSION_COOKIE: Final = "exchange_session"
LOGIN_COOKIE: Final = "exchange_login"

_transport: httpx.BaseTransport | None = None


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Tests reach the OP in process; ``None`` restores plain HTTP."""
    global _transport
    _transport = transport
    relying_party.cache_clear()


def configured() -> bool:
    settings = get_settings()
    return bool(
        settings.oidc_issuer
        and settings.public_url
        and settings.sessions_table_name
        and settings.portal_client_secret_id
    )


@cache
def relying_party() -> RelyingParty:
    settings = get_settings()
    if not configured():
        raise ServiceUnavailable(
            "the exchange portal is not configured (OIDC_ISSUER, EXCHANGE_PUBLIC_URL, EXCHANGE_SESSIONS_TABLE_NAME, "
            "EXCHANGE_PORTAL_CLIENT_SECRET_ID)"
        )
    config = RelyingPartyConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.portal_client_id,
        redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
        client_secret_id=settings.portal_client_secret_id,
        scope=SCOPE,
    )
    return RelyingParty(config, transport=_transport)


@cache
def sessions() -> BrowserSessions:
    settings = get_settings()
    cookies = CookieNames(
        session=SESSION_COOKIE,
        login=LOGIN_COOKIE,
        path=PREFIX,
        secure=secure_cookies_for(settings.public_url or "https://"),
    )
    return BrowserSessions(settings.sessions_table_name, cookies)
