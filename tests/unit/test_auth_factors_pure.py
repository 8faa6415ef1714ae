"""Pure parts of the second factors: phone numbers, TOTP step matching, the sending rate limit, recovery
code normalisation and the enrolment QR code."""

from __future__ import annotations

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.factors.codes import CodeRateLimited, check_send_allowed, new_code
from functions.auth.factors.phone import InvalidPhoneNumber, mask_phone, normalize_mobile_number
from functions.auth.factors.recovery import normalize_recovery_code
from functions.auth.factors.totp import TotpEnrolment, matching_step, provisioning_uri

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T0 = 1_900_000_020

mobile_prefix = st.sampled_from(["70", "80", "90"])
eight_digits = st.integers(min_value=0, max_value=10**8 - 1).map(lambda n: f"{n:08d}")


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("090-1234-5678", "+819012345678"),
        ("08012345678", "+818012345678"),
        ("070 1234 5678", "+817012345678"),
        ("+81 90 1234 5678", "+819012345678"),
        ("+81-90-1234-5678", "+819012345678"),
        ("+81 090 1234 5678", "+819012345678"),
        ("０９０－１２３４－５６７８", "+819012345678"),
        ("(090) 1234-5678", "+819012345678"),
    ],
)
def test_given_a_mobile_number_typed_in_a_usual_way_when_normalized_then_it_is_e164(typed: str, e164: str) -> None:
    assert normalize_mobile_number(typed) == e164


@pytest.mark.parametrize(
    "typed",
    ["03-1234-5678", "0120-123-456", "050-1234-5678", "090-1234-567", "090-1234-56789", "+1 415 555 0100", "", "abc"],
)
def test_given_a_number_that_is_not_a_japanese_mobile_when_normalized_then_it_is_refused(typed: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalize_mobile_number(typed)


@given(prefix=mobile_prefix, rest=eight_digits, separator=st.sampled_from(["", "-", " "]))
def test_given_any_mobile_number_when_written_nationally_or_internationally_then_both_give_one_e164(
    prefix: str, rest: str, separator: str
) -> None:
    national = f"0{prefix}{separator}{rest[:4]}{separator}{rest[4:]}"
    international = f"+81{separator}{prefix}{separator}{rest}"

    assert normalize_mobile_number(national) == normalize_mobile_number(international) == f"+81{prefix}{rest}"


@given(st.text(max_size=30))
def test_given_any_text_when_normalized_then_it_is_refused_or_a_valid_e164_mobile(text: str) -> None:
    try:
        e164 = normalize_mobile_number(text)
    except InvalidPhoneNumber:
        return
    assert e164.startswith(("+8170", "+8180", "+8190"))
    assert len(e164) == 13
    assert e164[1:].isdigit()


def test_given_a_stored_number_when_shown_then_only_its_last_four_digits_are_visible() -> None:
    assert mask_phone("+819012345678") == "+81 90-****-5678"


def test_given_codes_of_the_window_when_matched_then_the_step_they_belong_to_is_found() -> None:
    totp = pyotp.TOTP(SECRET)
    step = T0 // 30

    assert matching_step(SECRET, totp.at(T0), T0) == step
    assert matching_step(SECRET, totp.at(T0 - 30), T0) == step - 1
    assert matching_step(SECRET, totp.at(T0 + 30), T0) == step + 1
    assert matching_step(SECRET, totp.at(T0 - 60), T0) is None  # outside valid_window=1
    assert matching_step(SECRET, totp.at(T0 + 60), T0) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", "12 34 5"])
def test_given_malformed_codes_when_matched_then_none_matches(code: str) -> None:
    assert matching_step(SECRET, code, T0) is None


def test_given_an_enrolment_when_shown_then_uri_grouped_secret_and_labelled_qr_code_are_given() -> None:
    enrolment = TotpEnrolment(SECRET, provisioning_uri(SECRET, "a@example.jp"), T0)

    assert enrolment.uri == (
        f"otpauth://totp/G%E3%83%93%E3%82%BAID:a%40example.jp?secret={SECRET}&issuer=G%E3%83%93%E3%82%BAID"
    )
    assert enrolment.grouped_secret == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    svg = enrolment.qr_svg('QR "code" <of> the key')
    assert svg.startswith('<svg role="img" aria-label="QR &quot;code&quot; &lt;of> the key" ')
    assert "<script" not in svg


def test_given_no_recent_sends_when_a_code_is_asked_then_it_is_allowed() -> None:
    check_send_allowed([], T0)
    check_send_allowed([T0 - 3600, T0 - 60], T0)


def test_given_a_send_a_minute_ago_less_one_second_when_a_code_is_asked_then_per_minute_limit_is_named() -> None:
    with pytest.raises(CodeRateLimited) as refused:
        check_send_allowed([T0 - 59], T0)

    assert (refused.value.limit, refused.value.retry_after) == ("per_minute", 1)
    assert refused.value.status == 429


def test_given_ten_sends_this_hour_when_a_code_is_asked_then_per_hour_limit_is_named() -> None:
    sends = [T0 - 3000 + 60 * i for i in range(10)]

    with pytest.raises(CodeRateLimited) as refused:
        check_send_allowed(sends, T0)

    assert refused.value.limit == "per_hour"
    assert refused.value.retry_after == 600  # when the oldest send leaves the hour


def test_given_many_new_codes_when_generated_then_they_are_six_digits_and_vary() -> None:
    generated = {new_code() for _ in range(200)}

    assert all(len(code) == 6 and code.isdigit() for code in generated)
    assert len(generated) > 190


@pytest.mark.parametrize("typed", ["ab3de-fgh1k", "AB3DE-FGH1K", " ab3de fgh1k ", "ab3defghlk", "AB3DEFGHIK"])
def test_given_a_recovery_code_typed_loosely_when_normalized_then_it_is_one_canonical_form(typed: str) -> None:
    assert normalize_recovery_code(typed) == "ab3defgh1k"
