"""Sessions of the relying parties' page sets (the token page, jGrants' pages, the exchange portal), which sign
in through gBizID: a session identifier planted before the sign-in is never adopted (ASVS 3.2.1, session
fixation), and every cookie they set is Secure, HttpOnly and SameSite (ASVS 3.4.1-3.4.3, 3.4.5). gBizID's own
login has the same tests in tests/integration/test_auth_accounts_pages.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_A
from tests.integration import test_exchange_portal_pages as exchange_pages
from tests.integration import test_hojin_token_page as token_page
from tests.integration import test_jgrants_pages as jgrants_pages
from tests.integration.test_exchange_administration import op, people, registered  # noqa: F401  # fixtures
from tests.integration.test_exchange_portal_pages import pages as exchange_portal  # noqa: F401  # fixture
from tests.integration.test_hojin_token_page import Browser, page_platform  # noqa: F401  # fixture
from tests.integration.test_jgrants_pages import pages as jgrants_portal  # noqa: F401  # fixture

PLANTED = "attacker-chosen-session-identifier-0123456789abcdef"
SESSION_COOKIES = {
    "token-page": "gbizinfo_tokens_session",
    "jgrants": "jgrants_session",
    "exchange": "exchange_session",
}
PAGES = {"token-page": "/hojin/tokens", "jgrants": "/jgrants/applications", "exchange": "/exchange/consents"}


@pytest.fixture
def set_cookies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Set-Cookie line the pages (and the OP) send during the test."""
    seen: list[str] = []
    original = token_page.call

    def recording(*args: Any, **kwargs: Any) -> Any:
        answer = original(*args, **kwargs)
        seen.extend(answer.set_cookies)
        return answer

    monkeypatch.setattr(token_page, "call", recording)
    return seen


def _planting(cookie_name: str) -> type[Browser]:
    class PlantingBrowser(Browser):
        """A browser an attacker prepared: it already holds the attacker's session identifier."""

        def __init__(self, cookies: dict[str, str]) -> None:
            super().__init__({**cookies, cookie_name: PLANTED})

    return PlantingBrowser


def _sign_in(page_set: str, monkeypatch: pytest.MonkeyPatch) -> Browser:
    planting = _planting(SESSION_COOKIES[page_set])
    sub = str(uuid.uuid4())
    if page_set == "token-page":
        monkeypatch.setattr(token_page, "Browser", planting)
        return token_page.signed_in_browser(sub)
    if page_set == "jgrants":
        monkeypatch.setattr(jgrants_pages, "Browser", planting)
        return jgrants_pages.sign_in("prime", sub=sub)
    monkeypatch.setattr(exchange_pages, "Browser", planting)
    return exchange_pages.sign_in(sub, "prime", DEMO_CORP_A, PAGES["exchange"])


@pytest.fixture
def page_sets(page_platform: Any, jgrants_portal: Any, exchange_portal: Any) -> Callable[[str], None]:  # noqa: F811
    return lambda _name: None


@pytest.mark.parametrize("page_set", list(SESSION_COOKIES))
def test_given_a_planted_session_id_when_signing_in_then_a_new_one_is_issued_and_the_planted_one_is_worthless(
    page_sets: Any, monkeypatch: pytest.MonkeyPatch, set_cookies: list[str], page_set: str
) -> None:
    name = SESSION_COOKIES[page_set]

    browser = _sign_in(page_set, monkeypatch)

    assert browser.cookies[name] != PLANTED
    assert len(browser.cookies[name]) >= 43  # 256 random bits
    attacker = Browser({name: PLANTED})
    assert attacker.get(PAGES[page_set]).status == 303  # still signed out: sent to the sign-in


@pytest.mark.parametrize("page_set", list(SESSION_COOKIES))
def test_given_a_sign_in_then_every_cookie_is_secure_httponly_samesite_and_scoped(
    page_sets: Any, monkeypatch: pytest.MonkeyPatch, set_cookies: list[str], page_set: str
) -> None:
    _sign_in(page_set, monkeypatch)

    assert set_cookies
    for line in set_cookies:
        morsel = next(iter(SimpleCookie(line).values()))
        assert morsel["secure"], line
        assert morsel["samesite"].lower() in ("lax", "strict"), line
        assert morsel["path"], line
        if morsel.key != "lang":  # the language choice is the one cookie a script may read
            assert morsel["httponly"], line


@pytest.mark.parametrize("iss", ["missing", "https://evil.example.jp/oauth"])
def test_given_a_callback_without_our_issuer_then_the_relying_party_refuses_it_mix_up(
    page_platform: Any,  # noqa: F811
    iss: str,
) -> None:
    """RFC 9207: the OP announces ``iss`` in its answers, so an answer without it, or naming another issuer
    (an attacker's OP in a mix-up attack), signs nobody in."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    browser = Browser({"gbizid_session": token_page._op_session(str(uuid.uuid4()))})
    callback = urlsplit(token_page.start_sign_in(browser))
    params = [(k, v) for k, v in parse_qsl(callback.query) if k != "iss"]
    if iss != "missing":
        params.append(("iss", iss))

    answer = browser.get(f"{callback.path}?{urlencode(params)}")

    assert answer.status == 400
    assert token_page.SESSION_COOKIE not in browser.cookies
