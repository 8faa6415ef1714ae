"""What a mandate form accepts: procedure codes and the last day (at most a year ahead, Japan time)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.mandates import ACTIVE, REVOKED, Mandate, parse_procedures, parse_valid_until
from platform_common.errors import InvalidInput

TODAY = dt.date(2026, 11, 27)


def test_given_codes_separated_in_any_way_when_parsed_then_each_once_in_order() -> None:
    assert parse_procedures("demo-rp, jgrants_application、demo-rp\nmeti:subsidy.v1") == (
        "demo-rp",
        "jgrants_application",
        "meti:subsidy.v1",
    )


@pytest.mark.parametrize("value", ["", " , ", "a", "bad code!", "<script>", "x" * 65])
def test_given_bad_codes_when_parsed_then_refused_naming_procedures(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_procedures(value)
    assert refused.value.errors[0].item == "procedures"


def test_given_too_many_codes_when_parsed_then_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_procedures([f"procedure-{n}" for n in range(21)])


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2026-11-27", True), ("2027-11-27", True), ("2027-11-28", False), ("2026-11-26", False), ("27/11/2026", False)],
)
def test_valid_until_is_today_up_to_one_year_ahead(value: str, ok: bool) -> None:
    if ok:
        assert parse_valid_until(value, TODAY) == dt.date.fromisoformat(value)
    else:
        with pytest.raises(InvalidInput) as refused:
            parse_valid_until(value, TODAY)
        assert refused.value.errors[0].item == "valid_until"


def test_given_leap_day_when_a_year_is_added_then_the_limit_is_28_february() -> None:
    leap = dt.date(2028, 2, 29)
    assert parse_valid_until("2029-02-28", leap) == dt.date(2029, 2, 28)
    with pytest.raises(InvalidInput):
        parse_valid_until("2029-03-01", leap)


def _mandate(status: str, until: dt.date) -> Mandate:
    return Mandate(
        mandate_id="m1",
        corporate_number="8999900000001",
        corporation_name="デモ工業株式会社",
        grantor_sub="grantor",
        grantee_sub="grantee",
        grantee_email="adviser@example.jp",
        procedures=("demo-rp",),
        valid_until=until,
        status=status,
        created_at=1,
    )


def test_given_revoked_mandate_when_stored_then_it_leaves_the_grantee_index() -> None:
    assert "gsi1pk" in _mandate(ACTIVE, TODAY).to_item()
    assert "gsi1pk" not in _mandate(REVOKED, TODAY).to_item()


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_a_mandate_is_in_force_through_its_last_day_and_not_after(until: dt.date) -> None:
    mandate = _mandate(ACTIVE, until)
    assert mandate.active_on(until)
    assert not mandate.active_on(until + dt.timedelta(days=1))
    assert Mandate.from_item(mandate.to_item()) == mandate
    assert mandate.claim()["valid_until"] == until.isoformat()
