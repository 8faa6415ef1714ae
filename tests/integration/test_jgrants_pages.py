"""The jGrants portal pages, signed in through gBizID's OpenID Provider as the ministry's relying party.

Everything runs in process under moto, as the token page's test does: the submit function reaches the OP's
endpoints through an ``httpx.MockTransport`` that calls the auth function, and a cookie-keeping "browser"
follows the redirects. The demo catalogue of the devstack is loaded into the ministry's subsidies table.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B, DEMO_CORPORATIONS
from devstack.seed_jgrants import demo_subsidies, seed_portal_client
from devstack.seed_open_data import put_hojin_records
from tests.integration.test_hojin_token_page import Answer, Browser, op_transport

PUBLIC_URL = "https://grants.devstack.test"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENTRY_SUBSIDY = "a0W5h00000demo004"  # entry tier, asks for a business plan only
PRIME_SUBSIDY = "a0W5h00000demo002"  # prime tier


def _op_session(sub: str, tier: str, corporate_number: str) -> str:
    from functions.auth.dal import ProfileItem, get_store
    from functions.auth.models import AccountTier
    from functions.auth.web.session import start_session

    get_store().put_profile(
        ProfileItem(
            sub=sub, email=f"{sub[:8]}@grants.example.jp", tier=AccountTier(tier), corporate_number=corporate_number
        )
    )
    amr = ("pwd",) if tier == "entry" else ("pwd", "otp")
    _, cookie = start_session(sub, amr=amr, acr=f"urn:gbizid:acr:{tier}", second_factor_pending=False)
    return cookie.value


@pytest.fixture(scope="module")
def pages(aws_platform: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The pages configured: the demo catalogue, the client registered at the OP, its secret stored."""
    from functions.auth.dal import AccountsStore
    from functions.submit import portal
    from functions.submit.dal import SubsidyStore
    from functions.submit.settings import get_settings

    put_hojin_records(aws_platform["opendata"].name("table", "hojin"), DEMO_CORPORATIONS)
    store = SubsidyStore(aws_platform["meti"].name("table", "subsidies"))
    for subsidy in demo_subsidies(datetime.now(UTC)):
        store.put_subsidy(subsidy)
    client_id = seed_portal_client(
        AccountsStore(aws_platform["identity"].name("table", "accounts")), aws_platform["meti"], "meti", PUBLIC_URL
    )
    os.environ.update({"PUBLIC_BASE_URL": PUBLIC_URL, "JGRANTS_CLIENT_ID": client_id})
    get_settings.cache_clear()
    portal.SIGN_IN.reset()
    portal.SIGN_IN.use_transport(op_transport())
    yield aws_platform
    portal.SIGN_IN.use_transport(None)
    for name in ("PUBLIC_BASE_URL", "JGRANTS_CLIENT_ID"):
        os.environ.pop(name, None)
    get_settings.cache_clear()
    portal.SIGN_IN.reset()


def sign_in(
    tier: str = "prime",
    corporate_number: str = DEMO_CORP_A,
    page: str = "/jgrants/applications",
    sub: str | None = None,
) -> Browser:
    browser = Browser({"gbizid_session": _op_session(sub or str(uuid.uuid4()), tier, corporate_number)})
    first = browser.get(page)
    if first.status == 200:  # a public page: follow its sign-in link
        found = re.search(r'href="(/jgrants/login\?[^"]+)"', first.text)
        assert found is not None
        login = browser.get(found.group(1).replace("&amp;", "&"))
    else:
        assert first.status == 303
        login = browser.get(first.header("location") or "")
    authorize = login.header("location") or ""
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == ["openid profile user mandate email"]
    assert query["redirect_uri"] == [f"{PUBLIC_URL}/jgrants/callback"]
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
    assert "jgrants_session" in browser.cookies
    return browser


def csrf(answer: Answer) -> str:
    return answer.field("csrf_token")


def post_multipart(browser: Browser, url: str, fields: dict[str, str], file: tuple[str, str, bytes]) -> Answer:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    name, content_type, body = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + body
        + b"\r\n"
    )
    data = b"".join(parts) + f"--{boundary}--\r\n".encode()
    from devstack.events import build_proxy_event, invoke, response_body, response_headers
    from functions.route_table import match_route

    parts_url = urlsplit(url)
    match = match_route("POST", parts_url.path)
    assert match is not None
    jar = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    event = build_proxy_event(
        match,
        "POST",
        parts_url.path,
        [
            ("Host", "grants.devstack.test"),
            ("Cookie", jar),
            ("Content-Type", f"multipart/form-data; boundary={boundary}"),
        ],
        parse_qs(parts_url.query),
        data,
    )
    result = invoke("submit", event)
    return Answer(int(result["statusCode"]), response_headers(result), response_body(result))


def start(browser: Browser, subsidy_id: str = ENTRY_SUBSIDY) -> tuple[str, Answer]:
    detail = browser.get(f"/jgrants/subsidies/{subsidy_id}")
    assert detail.status == 200
    started = browser.post(f"/jgrants/subsidies/{subsidy_id}/apply", {"csrf_token": csrf(detail)})
    assert started.status == 303, started.text[:300]
    location = started.header("location") or ""
    app_id = urlsplit(location).path.rsplit("/", 1)[1]
    return app_id, browser.get(location)


PROJECT = {
    "/project/project_title": "新規顧客向け販路開拓",
    "/project/project_summary": "展示会出展とウェブ広告で新規顧客を開拓する。",
    "/project/project_start": "2030-05-01",
    "/project/project_end": "2030-12-31",
    "/project/total_cost": "600,000",
    "/project/requested_amount": "400000",
}


# ------------------------------------------------------------------------------------------ public pages


def test_given_the_demo_catalogue_when_searching_then_the_list_and_details_show_without_sign_in(
    pages: dict[str, Any],
) -> None:
    listing = Browser().get("/jgrants/subsidies?" + urlencode({"keyword": "持続化", "acceptance": "1"}))
    assert listing.status == 200
    assert listing.header(
        "content-security-policy",
    ).startswith("default-src 'self'")  # type: ignore[union-attr]
    assert listing.header("x-frame-options") == "DENY"
    assert "小規模事業者持続化補助金" in listing.text
    assert "IT導入補助金" not in listing.text
    assert '<html lang="ja">' in listing.text

    detail = Browser().get(f"/jgrants/subsidies/{ENTRY_SUBSIDY}?lang=en")
    assert detail.status == 200
    assert '<html lang="en">' in detail.text
    assert "Business plan" in detail.text
    assert "Sign in with gBizID to apply" in detail.text
    assert Browser().get("/jgrants/subsidies/nope<script>").status == 404


def test_given_an_open_redirect_in_return_to_when_signing_in_then_the_pages_stay_on_jgrants(
    pages: dict[str, Any],
) -> None:
    browser = Browser({"gbizid_session": _op_session(str(uuid.uuid4()), "prime", DEMO_CORP_A)})
    login = browser.get("/jgrants/login?" + urlencode({"return_to": "https://evil.example/jgrants/x"}))
    authorize = login.header("location") or ""
    consent = browser.get(authorize)
    if consent.status == 200:
        consent = browser.post(
            f"{os.environ['OIDC_ISSUER']}/authorize",
            {"request_id": consent.field("request_id"), "csrf_token": consent.field("csrf_token"), "decision": "allow"},
        )
    callback = consent.header("location") or ""
    back = browser.get(callback)
    assert back.status == 303
    assert (back.header("location") or "").startswith("/jgrants/applications")
    # the callback is one use: replaying it signs nobody in
    replay = Browser().get(callback)
    assert replay.status == 400


# ------------------------------------------------------------------------------------------ the whole flow


def test_given_a_prime_user_when_applying_through_the_pages_then_prefill_draft_upload_submit_and_withdraw_work(
    pages: dict[str, Any],
) -> None:
    browser = sign_in("prime", DEMO_CORP_A, f"/jgrants/subsidies/{ENTRY_SUBSIDY}")
    app_id, form = start(browser)
    assert form.status == 200
    # prefilled from gBizID and gBizINFO, with the source, read-only
    assert re.search(r'name="/company/corporate_number"[^>]*readonly', form.text) or re.search(
        r'readonly[^>]*name="/company/corporate_number"', form.text
    )
    assert DEMO_CORP_A in form.text
    assert "デモ工業株式会社" in form.text
    assert "gBizINFOより" in form.text
    assert "GビズIDより" in form.text
    assert 'aria-describedby="field-company.corporate_name-source"' in form.text
    version = form.field("version")

    # a tampered read-only field is ignored; the typed ones are saved
    saved = browser.post(
        f"/jgrants/applications/{app_id}",
        {"csrf_token": csrf(form), "version": version, "/company/corporate_name": "偽物株式会社", **PROJECT},
    )
    assert saved.status == 303
    again = browser.get(saved.header("location") or "")
    assert "下書きを保存しました" in again.text
    assert "新規顧客向け販路開拓" in again.text
    assert "偽物株式会社" not in again.text
    assert 'value="600000"' in again.text

    # a save based on the old version is refused and shows what differed
    stale = browser.post(
        f"/jgrants/applications/{app_id}",
        {"csrf_token": csrf(form), "version": version, **PROJECT, "/project/project_title": "別の計画"},
    )
    assert stale.status == 409
    assert 'id="stale"' in stale.text
    assert "別の計画" in stale.text

    # submitting without the business plan names it
    missing = browser.post(
        f"/jgrants/applications/{app_id}/submit", {"csrf_token": csrf(again), "idempotency_key": "k" * 20}
    )
    assert missing.status == 400
    assert "「事業計画書」をアップロードしてください" in missing.text

    # a file that is not what its name says is refused; a real PDF is verified
    bad = post_multipart(
        browser, f"/jgrants/applications/{app_id}/attachments", {"csrf_token": csrf(again), "kind": "business_plan"},
        ("plan.pdf", "application/pdf", b"not a pdf at all"),
    )  # fmt: skip
    assert bad.status == 303
    shown = browser.get(bad.header("location") or "")
    assert "不一致" in shown.text
    good = post_multipart(
        browser, f"/jgrants/applications/{app_id}/attachments", {"csrf_token": csrf(again), "kind": "business_plan"},
        ("事業計画.pdf", "application/octet-stream", PDF),
    )  # fmt: skip
    assert good.status == 303
    shown = browser.get(good.header("location") or "")
    assert "「事業計画.pdf」をアップロードしました：確認済み" in shown.text

    # submit twice with the same key: one application, one receipt
    key = shown.field("idempotency_key")
    first = browser.post(f"/jgrants/applications/{app_id}/submit", {"csrf_token": csrf(shown), "idempotency_key": key})
    second = browser.post(f"/jgrants/applications/{app_id}/submit", {"csrf_token": csrf(shown), "idempotency_key": key})
    assert first.status == 303
    assert second.status == 303, first.text[:500]
    receipt = browser.get(first.header("location") or "")
    number = re.search(r'id="receipt-number">([^<]+)<', receipt.text)
    assert number is not None
    assert re.match(r"^[A-Z-]+-\d{4}-\d{7}$", number.group(1))
    listing = browser.get("/jgrants/applications")
    assert listing.text.count(number.group(1)) == 1
    assert f'href="/jgrants/applications/{app_id}?lang=ja"' in listing.text
    assert 'data-status="SUBMITTED"' in listing.text

    # withdraw from the list
    withdrawn = browser.post(f"/jgrants/applications/{app_id}/withdraw", {"csrf_token": csrf(listing)})
    assert withdrawn.status == 303
    after = browser.get(withdrawn.header("location") or "")
    assert "申請を取り下げました" in after.text
    assert 'data-status="WITHDRAWN"' in after.text


# ------------------------------------------------------------------------------------------ refusals


def test_given_an_entry_user_when_opening_a_prime_subsidy_then_the_tier_message_shows_and_apply_is_refused(
    pages: dict[str, Any],
) -> None:
    browser = sign_in("entry", DEMO_CORP_A, f"/jgrants/subsidies/{PRIME_SUBSIDY}")
    detail = browser.get(f"/jgrants/subsidies/{PRIME_SUBSIDY}")
    assert 'id="tier-notice"' in detail.text
    assert "プライム" in detail.text
    forced = browser.post(
        f"/jgrants/subsidies/{PRIME_SUBSIDY}/apply", {"csrf_token": csrf(browser.get("/jgrants/applications"))}
    )
    assert forced.status == 403


def test_given_a_form_without_the_csrf_token_when_posted_then_nothing_changes(pages: dict[str, Any]) -> None:
    browser = sign_in("prime", DEMO_CORP_A)
    app_id, form = start(browser, "a0W5h00000demo008")
    refused = browser.post(f"/jgrants/applications/{app_id}", {"version": form.field("version"), **PROJECT})
    assert refused.status == 403
    forged = browser.post(f"/jgrants/applications/{app_id}/withdraw", {"csrf_token": "x" * 43})
    assert forged.status == 403
    assert 'id="application-status">作成中' in browser.get(f"/jgrants/applications/{app_id}").text


def test_given_another_corporation_when_opening_an_application_then_it_is_not_found(pages: dict[str, Any]) -> None:
    owner = sign_in("prime", DEMO_CORP_A)
    app_id, _ = start(owner, "a0W5h00000demo006")  # a pair no other module submits (one application each)
    stranger = sign_in("prime", DEMO_CORP_B)
    assert stranger.get(f"/jgrants/applications/{app_id}").status == 404
    listing = stranger.get("/jgrants/applications")
    assert app_id not in listing.text
    refused = stranger.post(f"/jgrants/applications/{app_id}/withdraw", {"csrf_token": csrf(listing)})
    assert refused.status == 404
    assert 'id="application-status">作成中' in owner.get(f"/jgrants/applications/{app_id}").text


def test_given_no_session_when_opening_my_applications_then_the_browser_is_sent_to_sign_in(
    pages: dict[str, Any],
) -> None:
    answer = Browser().get("/jgrants/applications?lang=en")
    assert answer.status == 303
    assert answer.header("location") == "/jgrants/login?lang=en&return_to=%2Fjgrants%2Fapplications"
    refused = Browser().post("/jgrants/applications/0123456789abcdef0123/submit", {"idempotency_key": "k" * 20})
    assert refused.status == 303  # no session: sent to sign in, nothing done
