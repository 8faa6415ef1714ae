"""Parsing of gBizINFO search parameters, and the per-token bucket arithmetic (pure, no AWS)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.hojin_search.query import HojinQuery, parse_hojin_query
from functions.hojin_search.ratelimit import RateLimits, jst_day, seconds_to_next_jst_day, take
from platform_common.errors import InvalidInput

VALID_NUMBER = "7123456789012"


def _items(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {error.item for error in exc.value.errors}


def test_given_no_parameters_then_the_defaults_of_the_real_api():
    query = parse_hojin_query({})

    assert query == HojinQuery()
    assert (query.page, query.limit, query.offset) == (1, 1000, 0)


def test_given_every_kind_of_parameter_then_each_is_typed():
    query = parse_hojin_query(
        {
            "corporate_number": VALID_NUMBER,
            "name": " デモ工業 ",
            "exist_flg": "true",
            "corporate_type": "305,301,301",
            "prefecture": "13",
            "city": "101",
            "capital_stock_from": "1000000",
            "capital_stock_to": "50000000",
            "founded_year": "2010,1998",
            "source": "4,1",
            "subsidy": "ものづくり",
            "female_workers_proportion": "b",
            "page": "2",
            "limit": "50",
        }
    )

    assert query.corporate_number == VALID_NUMBER
    assert query.name == "デモ工業"
    assert query.exist_flg is True
    assert query.corporate_type == ("301", "305")
    assert (query.prefecture, query.city) == ("13", "13101")
    assert (query.capital_stock_from, query.capital_stock_to) == (1_000_000, 50_000_000)
    assert query.founded_year == (1998, 2010)
    assert query.source_categories == ("procurement", "subsidy")
    assert query.female_workers_proportion == "B"
    assert (query.page, query.limit, query.offset) == (2, 50, 50)


def test_given_empty_values_then_they_count_as_absent():
    assert parse_hojin_query({"name": "", "page": " ", "prefecture": ""}) == HojinQuery()


@pytest.mark.parametrize(
    ("item", "value"),
    [
        ("corporate_number", "7123456789013"),
        ("corporate_number", "123"),
        ("exist_flg", "maybe"),
        ("corporate_type", "300"),
        ("prefecture", "48"),
        ("prefecture", "tokyo"),
        ("city", "1310"),
        ("capital_stock_from", "-1"),
        ("capital_stock_to", "1e6"),
        ("employee_number_from", "many"),
        ("founded_year", "98"),
        ("source", "7"),
        ("average_age", "E"),
        ("page", "0"),
        ("page", "11"),
        ("limit", "5001"),
        ("limit", "-1"),
        ("name", "あ" * 151),
        ("subsidy", "a\x00b"),
    ],
)
def test_given_a_bad_parameter_then_the_error_names_it(item, value):
    with pytest.raises(InvalidInput) as raised:
        parse_hojin_query({item: value})

    assert _items(raised) == {item}


def test_given_several_bad_parameters_then_every_one_is_named_at_once():
    with pytest.raises(InvalidInput) as raised:
        parse_hojin_query({"page": "99", "limit": "x", "prefecture": "0", "source": "9"})

    assert _items(raised) == {"page", "limit", "prefecture", "source"}


def test_given_a_range_upside_down_then_the_upper_bound_is_named():
    with pytest.raises(InvalidInput) as raised:
        parse_hojin_query({"subsidy_amount_from": "100", "subsidy_amount_to": "99"})

    assert _items(raised) == {"subsidy_amount_to"}


def test_given_a_three_digit_city_without_prefecture_then_city_is_named():
    with pytest.raises(InvalidInput) as raised:
        parse_hojin_query({"city": "101"})

    assert _items(raised) == {"city"}


@pytest.mark.parametrize(("page", "limit"), [("1", "0"), ("10", "5000"), ("1", "1")])
def test_given_the_published_paging_bounds_then_they_are_accepted(page, limit):
    query = parse_hojin_query({"page": page, "limit": limit})

    assert (query.page, query.limit) == (int(page), int(limit))


@given(st.dictionaries(st.sampled_from(sorted(HojinQuery.__dataclass_fields__)), st.text(max_size=30)))
def test_any_strings_either_parse_or_fail_with_named_fields(params):
    failure: InvalidInput | None = None
    try:
        query = parse_hojin_query(params)
    except InvalidInput as exc:
        failure = exc

    if failure is not None:
        assert failure.errors
        assert {e.item for e in failure.errors} <= set(HojinQuery.__dataclass_fields__)
    else:
        assert 1 <= query.page <= 10
        assert 0 <= query.limit <= 5000


# ------------------------------------------------------------------------------ token bucket

LIMITS = RateLimits(per_second=10, burst=20, per_day=100_000)
NOON = 1_790_000_000.0


def test_given_a_fresh_token_then_a_burst_of_20_passes_and_the_21st_waits():
    state = None
    for _ in range(20):
        decision = take(state, NOON, LIMITS)
        assert decision.allowed
        state = decision.state

    refused = take(state, NOON, LIMITS)

    assert not refused.allowed
    assert refused.retry_after == 1


def test_given_an_empty_bucket_then_a_tenth_of_a_second_refills_one_request():
    state = None
    for _ in range(20):
        state = take(state, NOON, LIMITS).state

    assert take(state, NOON + 0.1, LIMITS).allowed


def test_given_the_daily_quota_is_used_then_refused_until_midnight_jst():
    state = take(None, NOON, RateLimits(per_second=10, burst=20, per_day=2)).state
    state = take(state, NOON + 1, RateLimits(per_second=10, burst=20, per_day=2)).state

    refused = take(state, NOON + 2, RateLimits(per_second=10, burst=20, per_day=2))

    assert not refused.allowed
    assert refused.retry_after == seconds_to_next_jst_day(NOON + 2)
    next_day = NOON + 2 + refused.retry_after
    assert jst_day(next_day) != jst_day(NOON)
    assert take(refused.state, next_day, RateLimits(per_second=10, burst=20, per_day=2)).allowed


@given(st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), min_size=1, max_size=60))
def test_never_more_than_burst_plus_rate_times_elapsed(gaps):
    state, now, allowed = None, NOON, 0
    for gap in gaps:
        now += gap
        decision = take(state, now, LIMITS)
        state = decision.state
        allowed += decision.allowed
        if not decision.allowed:
            assert decision.retry_after >= 1

    assert allowed <= LIMITS.burst + LIMITS.per_second * (now - NOON) + 1e-6
