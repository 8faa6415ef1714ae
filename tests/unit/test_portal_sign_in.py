"""A service's pages' sign-in is built from its settings once, and refuses clearly when they are missing."""

from __future__ import annotations

import pytest

from platform_common.errors import ServiceUnavailable
from platform_common.portal_sign_in import PortalPaths, PortalSettings, PortalSignIn

PATHS = PortalPaths("openid profile", "/pages", "/pages/callback", "pages_session", "pages_login")
COMPLETE = PortalSettings("https://id.example.test/oauth", "client", "https://www.example.test/", "sessions", "secret")


def test_given_the_settings_then_the_callback_and_cookies_are_under_the_pages_own_path() -> None:
    sign_in = PortalSignIn(PATHS, lambda: COMPLETE, "the pages (X)")

    assert sign_in.configured()
    assert sign_in.relying_party().config.redirect_uri == "https://www.example.test/pages/callback"
    assert sign_in.relying_party().config.scope == "openid profile"
    assert sign_in.relying_party() is sign_in.relying_party()  # built once
    cookies = sign_in.sessions().cookies
    assert (cookies.session, cookies.login, cookies.path, cookies.secure) == (
        "pages_session", "pages_login", "/pages", True,
    )  # fmt: skip


@pytest.mark.parametrize("missing", ["issuer", "public_url", "sessions_table_name", "client_secret_id"])
def test_given_a_setting_missing_then_not_configured_and_a_503_names_the_settings(missing: str) -> None:
    settings = PortalSettings(**{**COMPLETE.__dict__, missing: ""})
    sign_in = PortalSignIn(PATHS, lambda: settings, "the pages (OIDC_ISSUER, PAGES_URL)")

    assert not sign_in.configured()
    with pytest.raises(ServiceUnavailable, match=r"the pages \(OIDC_ISSUER, PAGES_URL\) is not configured"):
        sign_in.relying_party()


def test_given_new_settings_then_reset_builds_from_them() -> None:
    current = [COMPLETE]
    sign_in = PortalSignIn(PATHS, lambda: current[0], "the pages")
    first = sign_in.relying_party()

    current[0] = PortalSettings(**{**COMPLETE.__dict__, "public_url": "http://localhost:8000"})
    assert sign_in.relying_party() is first
    sign_in.reset()

    assert sign_in.relying_party().config.redirect_uri == "http://localhost:8000/pages/callback"
    assert sign_in.sessions().cookies.secure is False
