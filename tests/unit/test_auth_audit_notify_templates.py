"""Notification templates: every template the design names exists in Japanese and English, and misuse of a
template (wrong name, language or parameters, values that would add lines) is a programming error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.notify import TEMPLATES, render

# The templates of the contract in docs/design/gbizid.md, with their parameters.
CONTRACT = {
    "signup_verification": {"code"},
    "email_otp": {"code"},
    "sms_otp": {"code"},
    "welcome": set(),
    "signup_existing_account": set(),
    "prime_received": set(),
    "prime_approved": set(),
    "prime_rejected": {"reason"},
    "factor_added": {"factor"},
    "factor_removed": {"factor"},
    "password_changed": set(),
    "member_invited": {"link", "corporation"},
    "mandate_granted": {"grantor", "procedures", "until"},
    "new_device_login": {"when", "ip"},
}


def test_given_the_contract_when_listing_templates_then_each_exists_with_exactly_its_parameters() -> None:
    assert {name: set(t.params) for name, t in TEMPLATES.items()} == CONTRACT


@pytest.mark.parametrize("name", sorted(CONTRACT))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_given_each_template_and_language_when_rendering_then_every_parameter_appears_and_no_placeholder_is_left(
    name: str, lang: str
) -> None:
    params = {param: f"<{param}-value>" for param in CONTRACT[name]}

    wording = render(name, lang, params)

    text = wording.subject + wording.body
    assert all(value in text for value in params.values())
    assert "$" not in text + wording.sms
    assert wording.subject
    assert wording.sms
    assert "\n" not in wording.subject
    assert ("GビズID" in wording.subject) == (lang == "ja")


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_given_each_template_when_rendering_japanese_then_body_is_japanese_and_sms_is_short(name: str) -> None:
    wording = render(name, "ja", dict.fromkeys(CONTRACT[name], "x"))

    assert "GビズID" in wording.body
    assert len(wording.sms) <= 70


def test_given_a_code_template_when_rendering_sms_then_the_code_is_in_the_text() -> None:
    assert "123456" in render("sms_otp", "en", {"code": "123456"}).sms


@pytest.mark.parametrize("lang", ["fr", "", "JA"])
def test_given_an_unknown_language_when_rendering_then_it_is_a_programming_error(lang: str) -> None:
    with pytest.raises(ValueError, match="notifications exist in"):
        render("welcome", lang, {})


@pytest.mark.parametrize(
    "value",
    ["line\r\nBcc: attacker@example.com", "two\nlines", "tab\tinside", "bidi\u202eoverride", "", "   ", "x" * 501],
)
def test_given_a_value_that_would_add_lines_or_is_empty_when_rendering_then_it_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="prime_rejected"):
        render("prime_rejected", "ja", {"reason": value})


def test_given_a_non_string_value_when_rendering_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="must be a string"):
        render("email_otp", "ja", {"code": 123456})  # type: ignore[dict-item]


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=200))
def test_given_any_printable_reason_when_rendering_then_it_appears_verbatim_once(reason: str) -> None:
    if not reason.strip():
        return
    body = render("prime_rejected", "en", {"reason": reason}).body

    assert f"Reason: {reason}\n" in body
