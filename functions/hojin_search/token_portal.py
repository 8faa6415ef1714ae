"""The token page's sign-in: gBizINFO as a relying party of gBizID (client ``HOJIN_TOKENS_CLIENT_ID``).

The page is at ``{HOJIN_PUBLIC_URL}/hojin/tokens``; the OP sends the browser back to
``{HOJIN_PUBLIC_URL}/hojin/tokens/callback`` (the redirect URI registered for the client). Sessions live in
the ``web-sessions`` table; the client secret in the Secrets Manager secret ``HOJIN_TOKENS_CLIENT_SECRET_ID``.
"""

from __future__ import annotations

from typing import Final

from functions.hojin_search.settings import get_settings
from platform_common.portal_sign_in import PortalPaths, PortalSettings, PortalSignIn

TOKENS_PAGE: Final = "/hojin/tokens"
LOGIN_PATH: Final = f"{TOKENS_PAGE}/login"
CALLBACK_PATH: Final = f"{TOKENS_PAGE}/callback"
ISSUE_PATH: Final = TOKENS_PAGE
REVOKE_PATH: Final = f"{TOKENS_PAGE}/revoke"
LOGOUT_PATH: Final = f"{TOKENS_PAGE}/logout"
# Other pages share the host (gBizID's own session is ``gbizid_session`` on ``/``): own names, own path.
SESSION_COOKIE: Final = "gbizinfo_tokens_session"
LOGIN_COOKIE: Final = "gbizinfo_tokens_login"


def _settings() -> PortalSettings:
    settings = get_settings()
    return PortalSettings(
        issuer=settings.oidc_issuer,
        client_id=settings.tokens_client_id,
        public_url=settings.public_url,
        sessions_table_name=settings.sessions_table_name,
        client_secret_id=settings.tokens_client_secret_id,
    )


SIGN_IN: Final = PortalSignIn(
    PortalPaths("openid", TOKENS_PAGE, CALLBACK_PATH, SESSION_COOKIE, LOGIN_COOKIE),
    _settings,
    "the token page (OIDC_ISSUER, HOJIN_PUBLIC_URL, HOJIN_SESSIONS_TABLE_NAME, HOJIN_TOKENS_CLIENT_SECRET_ID)",
)
configured = SIGN_IN.configured
relying_party = SIGN_IN.relying_party
sessions = SIGN_IN.sessions
