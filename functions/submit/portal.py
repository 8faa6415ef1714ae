"""The portal pages' sign-in: this ministry's jGrants as a relying party of gBizID (client ``JGRANTS_CLIENT_ID``).

Pages live under ``{PUBLIC_BASE_URL}/jgrants/``; the OP sends the browser back to
``{PUBLIC_BASE_URL}/jgrants/callback``. The scopes ask for what the application form is prefilled from and
what the principal is built of (account type, corporation, mandates, the person's name and e-mail); the
userinfo answer is kept with the session, refreshed by every sign-in. Sessions live in the ministry's
``web-sessions`` table; the client secret in the Secrets Manager secret ``JGRANTS_CLIENT_SECRET_ID``.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import httpx

from functions.submit.settings import get_settings
from platform_common.browser_session import BrowserSessions, CookieNames, secure_cookies_for
from platform_common.errors import ServiceUnavailable
from platform_common.relying_party import RelyingParty, RelyingPartyConfig

PREFIX: Final = "/jgrants"
SCOPE: Final = "openid profile user mandate email"
LOGIN_PATH: Final = f"{PREFIX}/login"
CALLBACK_PATH: Final = f"{PREFIX}/callback"
LOGOUT_PATH: Final = f"{PREFIX}/logout"
SUBSIDIES_PATH: Final = f"{PREFIX}/subsidies"
APPLICATIONS_PATH: Final = f"{PREFIX}/applications"
# Other pages share the host (gBizID's own session is ``gbizid_session`` on ``/``): own names, own path.
SESSION_COOKIE: Final = "jgrants_session"
LOGIN_COOKIE: Final = "jgrants_login"

_transport: httpx.BaseTransport | None = None


def use_transport(transport: httpx.BaseTransport | None) -> None:
    """Tests reach the OP in process; ``None`` restores plain HTTP."""
    global _transport
    _transport = transport
    relying_party.cache_clear()


def configured() -> bool:
    settings = get_settings()
    return bool(
        settings.oidc_issuer and settings.public_base_url and settings.sessions_table_name and settings.client_secret_id
    )


@cache
def relying_party() -> RelyingParty:
    settings = get_settings()
    if not configured():
        raise ServiceUnavailable(
            "the jGrants pages are not configured (OIDC_ISSUER, PUBLIC_BASE_URL, JGRANTS_SESSIONS_TABLE_NAME, "
            "JGRANTS_CLIENT_SECRET_ID)"
        )
    config = RelyingPartyConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.jgrants_client_id,
        redirect_uri=settings.public_base_url.rstrip("/") + CALLBACK_PATH,
        client_secret_id=settings.client_secret_id,
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
        secure=secure_cookies_for(settings.public_base_url or "https://"),
    )
    return BrowserSessions(settings.sessions_table_name, cookies)
