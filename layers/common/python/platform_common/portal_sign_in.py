"""A service's pages signing people in with gBizID: the service as a relying party of the OpenID Provider
(:mod:`platform_common.relying_party`) and its own browser sessions (:mod:`platform_common.browser_session`).

jGrants, the data exchange's portal and gBizINFO's token page each have one: their own client at the OP, their
callback under their own path, their own cookies scoped to that path (the pages share the host with gBizID's
own session cookie on ``/``), their sessions in their stack's ``web-sessions`` table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from platform_common.browser_session import BrowserSessions, CookieNames, secure_cookies_for
from platform_common.errors import ServiceUnavailable
from platform_common.relying_party import RelyingParty, RelyingPartyConfig


@dataclass(frozen=True)
class PortalSettings:
    """What the deployment gives the pages (read on first use: settings come from the environment)."""

    issuer: str
    client_id: str
    public_url: str  # where the pages are served; the callback is under it
    sessions_table_name: str
    client_secret_id: str


@dataclass(frozen=True)
class PortalPaths:
    scope: str  # the userinfo the pages need, no more
    cookie_path: str
    callback_path: str
    session_cookie: str
    login_cookie: str


class PortalSignIn:
    """The relying party and the sessions of one service's pages, built once each; an unconfigured
    deployment gets a 503 naming the settings that are missing, not a half-working sign-in."""

    def __init__(self, paths: PortalPaths, settings: Callable[[], PortalSettings], what: str) -> None:
        self.paths = paths
        self._settings = settings
        self._what = what  # e.g. "the jGrants pages (OIDC_ISSUER, PUBLIC_BASE_URL, ...)"
        self._transport: httpx.BaseTransport | None = None
        self._relying_party: RelyingParty | None = None
        self._sessions: BrowserSessions | None = None

    def configured(self) -> bool:
        found = self._settings()
        return all((found.issuer, found.public_url, found.sessions_table_name, found.client_secret_id))

    def relying_party(self) -> RelyingParty:
        if self._relying_party is None:
            if not self.configured():
                raise ServiceUnavailable(f"{self._what} is not configured")
            found = self._settings()
            config = RelyingPartyConfig(
                issuer=found.issuer,
                client_id=found.client_id,
                redirect_uri=found.public_url.rstrip("/") + self.paths.callback_path,
                client_secret_id=found.client_secret_id,
                scope=self.paths.scope,
            )
            self._relying_party = RelyingParty(config, transport=self._transport)
        return self._relying_party

    def sessions(self) -> BrowserSessions:
        if self._sessions is None:
            found = self._settings()
            cookies = CookieNames(
                session=self.paths.session_cookie,
                login=self.paths.login_cookie,
                path=self.paths.cookie_path,
                secure=secure_cookies_for(found.public_url or "https://"),
            )
            self._sessions = BrowserSessions(found.sessions_table_name, cookies)
        return self._sessions

    def use_transport(self, transport: httpx.BaseTransport | None) -> None:
        """Tests reach the OP in process; ``None`` restores plain HTTP."""
        self._transport = transport
        self._relying_party = None

    def reset(self) -> None:
        """Build both again from the settings on next use (tests change the environment)."""
        self._relying_party = None
        self._sessions = None
