"""The portal pages' sign-in: this ministry's jGrants as a relying party of gBizID (client ``JGRANTS_CLIENT_ID``).

Pages live under ``{PUBLIC_BASE_URL}/jgrants/``; the OP sends the browser back to
``{PUBLIC_BASE_URL}/jgrants/callback``. The scopes ask for what the application form is prefilled from and
what the principal is built of (account type, corporation, mandates, the person's name and e-mail); the
userinfo answer is kept with the session, refreshed by every sign-in. Sessions live in the ministry's
``web-sessions`` table; the client secret in the Secrets Manager secret ``JGRANTS_CLIENT_SECRET_ID``.
"""

from __future__ import annotations

from typing import Final

from functions.submit.settings import get_settings
from platform_common.portal_sign_in import PortalPaths, PortalSettings, PortalSignIn

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


def _settings() -> PortalSettings:
    settings = get_settings()
    return PortalSettings(
        issuer=settings.oidc_issuer,
        client_id=settings.jgrants_client_id,
        public_url=settings.public_base_url,
        sessions_table_name=settings.sessions_table_name,
        client_secret_id=settings.client_secret_id,
    )


SIGN_IN: Final = PortalSignIn(
    PortalPaths(SCOPE, PREFIX, CALLBACK_PATH, SESSION_COOKIE, LOGIN_COOKIE),
    _settings,
    "the jGrants pages (OIDC_ISSUER, PUBLIC_BASE_URL, JGRANTS_SESSIONS_TABLE_NAME, JGRANTS_CLIENT_SECRET_ID)",
)
configured = SIGN_IN.configured
relying_party = SIGN_IN.relying_party
sessions = SIGN_IN.sessions
