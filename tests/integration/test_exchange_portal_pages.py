"""The exchange portal's pages, signed in through gBizID's OpenID Provider as the relying party exchange-portal.

As the token page's test: the exchange reaches the OP in process through an ``httpx.MockTransport`` and a
cookie-keeping "browser" follows the redirects. A Prime holder gives and revokes consent; an Entry account
cannot; a form without the session's CSRF token is refused; an operator sees the member list.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from devstack.demo_corporations import DEMO_CORP_A
from platform_common.corporate_number import make_corporate_number
from tests.integration.test_exchange_administration import _client, op, people, registered  # noqa: F401  # fixtures  # noqa: F401  # fixtures
from tests.integration.test_hojin_token_page import Answer, Browser, op_transport

PUBLIC_URL = "https://exchange.devstack.test"


def _op_session(sub: str, tier: str, corporate_number: str | None) -> str:
    from functions.auth.dal import ProfileItem, get_store
    from functions.auth.models import AccountTier
    from functions.auth.web.session import start_session

    get_store().put_profile(
        ProfileItem(
            sub=sub,
            email=f"{sub[:8]}@x.example.jp",
            tier=AccountTier(tier),
            corporate_number=corporate_number,
            parent_sub=str(uuid.uuid4()) if tier == "member" else None,
        )
    )
    amr = ("pwd",) if tier == "entry" else ("pwd", "otp")
    _, cookie = start_session(sub, amr=amr, acr=f"urn:gbizid:acr:{tier}", second_factor_pending=False)
    return cookie.value


@pytest.fixture(scope="module")
def pages(aws_platform: dict[str, Any], registered: dict[str, Any]) -> Iterator[None]:  # noqa: F811
    from devstack.seed_identity import seed_exchange_portal_client
    from functions.auth.dal import AccountsStore
    from functions.exchange import portal
    from functions.exchange.settings import get_settings

    seed_exchange_portal_client(
        AccountsStore(aws_platform["identity"].name("table", "accounts")), aws_platform["exchange"], PUBLIC_URL
    )
    os.environ["EXCHANGE_PUBLIC_URL"] = PUBLIC_URL
    get_settings.cache_clear()
    portal.SIGN_IN.reset()
    portal.SIGN_IN.use_transport(op_transport())
    yield
    portal.SIGN_IN.use_transport(None)
    os.environ.pop("EXCHANGE_PUBLIC_URL", None)
    get_settings.cache_clear()
    portal.SIGN_IN.reset()


def sign_in(sub: str, tier: str, corporate_number: str | None, page: str) -> Browser:
    browser = Browser({"gbizid_session": _op_session(sub, tier, corporate_number)})
    first = browser.get(page)
    assert first.status == 303
    assert "return_to=%2Fexchange%2F" in (first.header("location") or ""), first.header("location")
    login = browser.get(first.header("location") or "")
    authorize = login.header("location") or ""
    assert parse_qs(urlsplit(authorize).query)["redirect_uri"] == [f"{PUBLIC_URL}/exchange/callback"]
    consent = browser.get(authorize)
    if consent.status == 200:
        consent = browser.post(
            f"{os.environ['OIDC_ISSUER']}/authorize",
            {"request_id": consent.field("request_id"), "csrf_token": consent.field("csrf_token"), "decision": "allow"},
        )
    assert consent.status == 302, consent.text[:500]
    back = browser.get(consent.header("location") or "")
    assert back.status == 303, back.text[:500]
    assert (back.header("location") or "").startswith(page)
    return browser


def _consent_form(page: Answer, client: str, purpose: str) -> dict[str, str]:
    return {
        "csrf_token": page.field("csrf_token"),
        "client": client,
        "purpose": purpose,
        "services": "registered-matters",
        "expires_on": (date.today() + timedelta(days=60)).isoformat(),
    }


def test_given_a_prime_holder_when_granting_and_revoking_consent_on_the_page_then_it_takes_effect_at_once(
    pages: None,
) -> None:
    from functions.exchange import consent

    browser = sign_in(str(uuid.uuid4()), "prime", DEMO_CORP_A, "/exchange/consents")
    page = browser.get("/exchange/consents?lang=ja")
    assert page.status == 200
    assert "データ提供への同意" in page.text
    client = str(_client())
    form = _consent_form(page, client, "ページからの同意")
    assert browser.post("/exchange/consents", {**form, "csrf_token": "forged"}).status == 403  # CSRF
    done = browser.post("/exchange/consents?lang=ja", form)
    assert done.status == 303
    listed = browser.get(done.header("location") or "")
    assert "同意しました" in listed.text
    assert "ページからの同意" in listed.text
    assert consent.active_consent(DEMO_CORP_A, _client(), "registered-matters", datetime.now(UTC)) is not None
    consent_id = re.search(r'name="consent_id" value="([0-9a-f]+)"', listed.text)
    assert consent_id is not None
    revoked = browser.post(
        "/exchange/consents/revoke?lang=ja",
        {"csrf_token": listed.field("csrf_token"), "consent_id": consent_id.group(1)},
    )
    assert revoked.status == 303
    assert consent.active_consent(DEMO_CORP_A, _client(), "registered-matters", datetime.now(UTC)) is None
    assert "取消済み" in browser.get(revoked.header("location") or "").text
    bad = browser.post("/exchange/consents?lang=en", {**form, "expires_on": "2099-01-01"})
    assert bad.status == 400
    assert 'href="#field-expires_on"' in bad.text


@pytest.mark.parametrize("tier", ["entry", "member"])
def test_given_an_entry_or_member_account_then_the_consent_page_refuses(pages: None, tier: str) -> None:
    from functions.exchange import consent

    browser = sign_in(str(uuid.uuid4()), tier, DEMO_CORP_A, "/exchange/consents")
    assert browser.get("/exchange/consents").status == 403
    answer = browser.post(
        "/exchange/consents",
        {
            "csrf_token": "x",
            "client": str(_client()),
            "purpose": "p",
            "services": "registered-matters",
            "expires_on": (date.today() + timedelta(days=5)).isoformat(),
        },
    )
    assert answer.status == 403
    assert consent.active_consent(DEMO_CORP_A, _client(), "registered-matters", datetime.now(UTC)) is None


def test_given_an_operator_then_the_member_list_shows_and_others_are_refused(pages: None) -> None:
    from functions.exchange import registry

    sub = str(uuid.uuid4())
    registry.add_operator(sub, "ページ運用者")
    browser = sign_in(sub, "prime", make_corporate_number("999930000009"), "/exchange/members")
    page = browser.get("/exchange/members?lang=ja")
    assert page.status == 200
    assert 'id="members"' in page.text
    assert "テスト法務局" in page.text
    outsider = sign_in(str(uuid.uuid4()), "entry", DEMO_CORP_A, "/exchange/members")
    assert outsider.get("/exchange/members").status == 403
    assert (
        outsider.post(
            "/exchange/members", {"csrf_token": "x", "member_class": "COM", "member_code": DEMO_CORP_A, "name": "x"}
        ).status
        == 403
    )
