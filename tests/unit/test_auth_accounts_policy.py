"""What a person types on the account pages: addresses, the password policy, codes, return addresses."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.accounts.policy import (
    PASSWORD_SYMBOLS,
    clean_display_name,
    is_relative_path,
    normalize_code,
    normalize_email,
    password_problems,
)


def test_given_an_address_with_case_and_spaces_when_normalized_then_it_is_trimmed_lower_case() -> None:
    assert normalize_email("  Taro.Yamada@Example.JP ") == "taro.yamada@example.jp"


@pytest.mark.parametrize("text", ["", "no-at-sign", "a@b", "a@@b.jp", "a b@c.jp", "a@-b.jp", "x" * 250 + "@b.jp"])
def test_given_something_not_an_address_when_normalized_then_it_is_refused(text: str) -> None:
    assert normalize_email(text) is None


def test_given_a_password_meeting_the_pool_policy_when_checked_then_there_is_no_problem() -> None:
    assert password_problems("Correct-Horse-9-battery") == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Short-1a", "password.too_short"),
        ("lowercase-only-1", "password.needs_upper"),
        ("UPPERCASE-ONLY-1", "password.needs_lower"),
        ("No-Digits-Here-At-All", "password.needs_digit"),
        ("NoSymbolsHere12345", "password.needs_symbol"),
        (" Leading-space-12", "password.edge_space"),
    ],
)
def test_given_a_password_breaking_a_rule_when_checked_then_that_rule_is_named(password: str, problem: str) -> None:
    assert problem in password_problems(password)


@given(
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=5),
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=5),
    st.text(alphabet=string.digits, min_size=1, max_size=5),
    st.text(alphabet=PASSWORD_SYMBOLS.strip(), min_size=1, max_size=5),
    st.text(alphabet=string.ascii_letters, min_size=8, max_size=20),
)
def test_given_any_password_with_every_class_and_12_characters_when_checked_then_it_passes(
    upper: str, lower: str, digit: str, symbol: str, filler: str
) -> None:
    assert password_problems(filler + upper + lower + digit + symbol) == []


@given(st.text(max_size=11))
def test_given_any_password_under_12_characters_when_checked_then_it_is_too_short(password: str) -> None:
    assert "password.too_short" in password_problems(password)


@pytest.mark.parametrize(("text", "code"), [("123456", "123456"), (" 123 456 ", "123456"), ("１２３４５６", "123456")])
def test_given_a_code_typed_with_spaces_or_full_width_digits_when_normalized_then_six_digits_remain(
    text: str, code: str
) -> None:
    assert normalize_code(text) == code


@pytest.mark.parametrize("text", ["12345", "1234567", "12a456", ""])
def test_given_not_six_digits_when_normalized_then_it_is_refused(text: str) -> None:
    assert normalize_code(text) is None


@pytest.mark.parametrize("target", ["/account", "/oauth/authorize?request=abc", "/account/password#top"])
def test_given_a_path_on_this_site_when_checked_then_it_is_a_relative_target(target: str) -> None:
    assert is_relative_path(target)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "account",
        "/a\r\nLocation: x",
    ],
)
def test_given_an_off_site_or_odd_target_when_checked_then_it_is_refused(target: str) -> None:
    assert not is_relative_path(target)


@given(st.text(max_size=100))
def test_given_any_text_when_checked_as_target_then_only_single_slash_paths_pass(target: str) -> None:
    if is_relative_path(target):
        assert target.startswith("/")
        assert not target.startswith("//")
        assert "\\" not in target


def test_given_a_display_name_with_a_line_break_when_cleaned_then_whitespace_is_folded() -> None:
    assert clean_display_name("山田\n太郎") == "山田 太郎"
    assert clean_display_name("x" * 101) is None
    assert clean_display_name("名前\x00") is None
