"""The web foundation of the account pages: layout, forms, CSRF, language, messages, cookies (no AWS)."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.web import layout, session
from functions.auth.web.layout import (
    CsrfRejected,
    anonymous_csrf,
    bind_request,
    esc,
    form_field,
    parse_form,
    redirect,
    register_messages,
    render_page,
    request_language,
    t,
    verify_anonymous_csrf,
    verify_csrf,
)
from functions.auth.web.session import BrowserSession


def _event(
    path: str = "/account/login", query: dict[str, str] | None = None, cookie: str | None = None, body: str = ""
) -> dict[str, Any]:
    headers = {"Cookie": cookie} if cookie else {}
    return {
        "path": path,
        "queryStringParameters": query,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "body": body,
        "isBase64Encoded": False,
    }


def _session(csrf: str = "token-of-the-session") -> BrowserSession:
    return BrowserSession(
        id_hash="0" * 64,
        sub="sub-1",
        auth_time=0,
        amr=("pwd",),
        acr="urn:gbizid:acr:entry",
        csrf_token=csrf,
        second_factor_pending=False,
        expires_at=10,
    )


@pytest.fixture(autouse=True)
def _https_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SimpleNamespace(oidc_issuer="https://id.example.jp/oauth")
    monkeypatch.setattr(session, "get_settings", lambda: settings)


def test_given_a_page_when_rendered_then_it_has_the_security_headers_a_skip_link_and_the_portal_styles() -> None:
    bind_request(_event())

    page = render_page(lang="ja", title="ログイン", body="<p>本文</p>")

    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.content_type == "text/html; charset=utf-8"
    body = str(page.body)
    assert body.startswith('<!DOCTYPE html>\n<html lang="ja">')
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in body
    assert '<main id="main" tabindex="-1">' in body
    assert 'href="/static/portal.css"' in body
    assert "<script" not in body, "nothing inline: the CSP allows none"
    assert "style=" not in body


def test_given_a_path_with_a_query_when_rendered_then_the_language_switch_keeps_path_and_query() -> None:
    bind_request(_event("/account/login", {"return_to": "/account/password"}))

    body = str(render_page(lang="ja", title="x", body="").body)

    assert 'href="/account/login?return_to=%2Faccount%2Fpassword&amp;lang=en"' in body
    assert 'hreflang="en"' in body


def test_given_lang_in_the_query_when_rendered_then_the_choice_is_remembered_in_a_cookie() -> None:
    bind_request(_event(query={"lang": "en"}))

    page = render_page(lang="en", title="Log in", body="")

    [cookie] = [str(c) for c in page.cookies]
    assert cookie.startswith("lang=en;")
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    ("query", "cookie", "expected"),
    [({"lang": "en"}, None, "en"), (None, "lang=en", "en"), ({"lang": "ja"}, "lang=en", "ja"), (None, None, "ja")],
)
def test_given_query_or_cookie_when_choosing_the_language_then_query_wins_and_japanese_is_default(
    query: dict[str, str] | None, cookie: str | None, expected: str
) -> None:
    assert request_language(_event(query=query, cookie=cookie)) == expected


def test_given_a_field_with_hint_and_error_when_rendered_then_both_describe_the_input() -> None:
    html = form_field(
        "password",
        "パスワード",
        type="password",
        autocomplete="new-password",
        value="secret",
        error="短すぎます",
        hint="12文字以上",
    )

    assert '<label class="form-field__label" for="field-password">パスワード</label>' in html
    assert 'aria-describedby="field-password-hint field-password-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'autocomplete="new-password"' in html
    assert 'id="field-password-error">短すぎます</p>' in html
    assert "secret" not in html, "a password is never echoed back"


def test_given_a_value_with_markup_when_rendered_then_it_is_escaped() -> None:
    html = form_field("email", "E-mail", value='"><script>alert(1)</script>', inputmode="email", data_x=None)

    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'inputmode="email"' in html
    assert "data-x" not in html


def test_given_a_form_body_when_parsed_then_first_values_are_kept_and_base64_is_decoded() -> None:
    plain = _event(body="email=a%40b.jp&code=123456&code=999999&empty=")
    encoded = {**plain, "body": base64.b64encode(b"name=%E6%97%A5%E6%9C%AC").decode(), "isBase64Encoded": True}

    assert parse_form(plain) == {"email": "a@b.jp", "code": "123456", "empty": ""}
    assert parse_form(encoded) == {"name": "日本"}


@pytest.mark.parametrize("sent", [None, "", "wrong-token", "token-of-the-session "])
def test_given_a_missing_or_wrong_csrf_token_when_verifying_then_it_is_forbidden(sent: str | None) -> None:
    form = {} if sent is None else {"csrf_token": sent}

    with pytest.raises(CsrfRejected) as raised:
        verify_csrf(_session(), form)
    assert raised.value.status == 403


def test_given_the_session_token_when_verifying_then_it_passes() -> None:
    verify_csrf(_session(), {"csrf_token": "token-of-the-session"})


def test_given_no_csrf_cookie_when_showing_an_anonymous_form_then_a_token_and_its_cookie_are_issued() -> None:
    token, cookies = anonymous_csrf(_event())
    [cookie] = [str(c) for c in cookies]

    assert cookie.startswith(f"gbizid_csrf={token};")
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    verify_anonymous_csrf(_event(cookie=f"gbizid_csrf={token}"), {"csrf_token": token})
    with pytest.raises(CsrfRejected):
        verify_anonymous_csrf(_event(cookie=f"gbizid_csrf={token}"), {"csrf_token": token[:-1] + "x"})
    with pytest.raises(CsrfRejected):
        verify_anonymous_csrf(_event(), {"csrf_token": token})


def test_given_a_location_when_redirecting_then_it_is_303_and_not_stored() -> None:
    response = redirect("/account")

    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert response.headers["Cache-Control"] == "no-store"


def test_given_registered_messages_when_translating_then_placeholders_fill_and_english_falls_back() -> None:
    register_messages({"ja": {"test.hello": "{name}さん、こんにちは"}, "en": {}})

    assert t("ja", "test.hello", name="山田") == "山田さん、こんにちは"
    assert t("en", "test.hello", name="山田") == "山田さん、こんにちは"
    assert t("en", "test.unknown-key") == "test.unknown-key"
    with pytest.raises(ValueError, match="already registered"):
        register_messages({"ja": {"test.hello": "別の文"}})


@pytest.mark.parametrize(
    ("issuer", "secure"),
    [
        ("https://id.example.jp/oauth", True),
        ("http://127.0.0.1:8080/oauth", False),
        ("http://localhost:8080/oauth", False),
        (None, True),
    ],
)
def test_given_an_issuer_when_making_a_cookie_then_secure_is_dropped_only_for_plain_http_on_loopback(
    monkeypatch: pytest.MonkeyPatch, issuer: str | None, secure: bool
) -> None:
    monkeypatch.setattr(session, "get_settings", lambda: SimpleNamespace(oidc_issuer=issuer))

    cookie = str(session.make_cookie("gbizid_session", "v", max_age=60))

    assert ("; Secure" in cookie) is secure
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie
    assert "; Path=/" in cookie


@given(st.text(max_size=200))
def test_given_any_text_when_escaped_then_no_markup_survives(text: str) -> None:
    escaped = esc(text)

    assert "<" not in escaped
    assert ">" not in escaped
    assert '"' not in escaped


def test_layout_module_exports_the_contract() -> None:
    for name in ("render_page", "form_field", "csrf_input", "parse_form", "verify_csrf", "redirect", "t"):
        assert callable(getattr(layout, name))
