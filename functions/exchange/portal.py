"""The portal pages' sign-in: the data exchange as a relying party of gBizID (client ``EXCHANGE_PORTAL_CLIENT_ID``).

Pages live under ``{EXCHANGE_PUBLIC_URL}/exchange/``; the OP sends the browser back to
``{EXCHANGE_PUBLIC_URL}/exchange/callback``. The ``profile`` scope gives the account type and corporate number
that decide what a person may do (:mod:`functions.exchange.callers`); the userinfo answer is kept with the
session, refreshed by each sign-in. Sessions live in the exchange's ``web-sessions`` table; the client secret
in the Secrets Manager secret ``EXCHANGE_PORTAL_CLIENT_SECRET_ID``.
"""

from __future__ import annotations

from typing import Final

from functions.exchange.settings import get_settings
from platform_common.portal_sign_in import PortalPaths, PortalSettings, PortalSignIn

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


def _settings() -> PortalSettings:
    settings = get_settings()
    return PortalSettings(
        issuer=settings.oidc_issuer,
        client_id=settings.portal_client_id,
        public_url=settings.public_url,
        sessions_table_name=settings.sessions_table_name,
        client_secret_id=settings.portal_client_secret_id,
    )


SIGN_IN: Final = PortalSignIn(
    PortalPaths(SCOPE, PREFIX, CALLBACK_PATH, SESSION_COOKIE, LOGIN_COOKIE),
    _settings,
    "the exchange portal (OIDC_ISSUER, EXCHANGE_PUBLIC_URL, EXCHANGE_SESSIONS_TABLE_NAME, "
    "EXCHANGE_PORTAL_CLIENT_SECRET_ID)",
)
configured = SIGN_IN.configured
relying_party = SIGN_IN.relying_party
sessions = SIGN_IN.sessions
