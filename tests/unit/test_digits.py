"""Numbers that arrive as text count only ASCII digits; full-width digits a person typed are read as such."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.routers.audit import parse_range
from functions.submit import ebpm
from functions.submit.applications.prefill import coerce
from platform_common.digits import half_width, is_ascii_digits, typed_integer

NOT_ASCII_DIGITS = ["²", "٣", "١٢", "𝟗", "Ⅻ", "", " 1", "1 ", "+1", "1.0"]


@pytest.mark.parametrize("text", NOT_ASCII_DIGITS)
def test_given_text_that_is_not_only_0_to_9_then_it_is_not_ascii_digits(text: str) -> None:
    assert not is_ascii_digits(text)


@pytest.mark.parametrize(
    ("typed", "number"),
    [("1200", 1200), ("1,200", 1200), ("１，２００", 1200), (" －５ ", -5), ("-0", 0), ("9" * 18, int("9" * 18))],
)
def test_given_an_integer_as_a_person_types_it_then_it_is_read(typed: str, number: int) -> None:
    assert typed_integer(typed) == number


@pytest.mark.parametrize("typed", [*NOT_ASCII_DIGITS[:5], "--5", "1-2", "-", "9" * 19, "1e3"])
def test_given_text_that_is_no_integer_then_none(typed: str) -> None:
    assert typed_integer(typed) is None


@given(st.text())
def test_property_typed_integer_never_raises_and_reads_what_int_reads(text: str) -> None:
    number = typed_integer(text)

    if number is not None:
        assert number == int(half_width(text).strip().replace(",", ""))


def test_half_width_leaves_everything_but_digits_comma_and_minus() -> None:
    assert half_width("第１２３号，－Ａ") == "第123号,-Ａ"


@pytest.mark.parametrize("value", ["²", "٣"])
def test_given_open_data_with_other_digits_then_ebpm_and_prefill_keep_them_out_of_numbers(value: str) -> None:
    assert ebpm.employee_size(value) == ebpm.UNKNOWN
    assert coerce(value, {"type": "integer"}) == value


@pytest.mark.parametrize("typed", ["²", "٣", "１"])
def test_given_an_audit_range_in_other_digits_then_the_field_is_named_not_a_500(typed: str) -> None:
    _, errors = parse_range({"from_seq": typed, "to_seq": ""}, head_seq=10)

    assert errors == {"from_seq": "audit.error.seq"}
