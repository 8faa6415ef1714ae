"""The jGrants catalogue logic: keyword normalisation and matching, filters, sorting, acceptance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.submit.logic import (
    is_accepting,
    keyword_terms,
    matches_area,
    matches_keyword,
    matches_value,
    normalise_text,
    search_subsidies,
    sort_subsidies,
)
from functions.submit.models import Subsidy, SubsidySearch, format_jgrants_datetime

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)


def _subsidy(id: str = "s1", **fields: Any) -> Subsidy:
    return Subsidy.model_validate({"id": id, "name": f"S-{id}", "title": "ものづくり補助金", **fields})


class FakeCatalogue:
    def __init__(self, *subsidies: Subsidy) -> None:
        self.subsidies = list(subsidies)

    def list_subsidies(self) -> list[Subsidy]:
        return list(self.subsidies)


class TestNormalisation:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("ＩＴ導入", "it導入"),
            ("ｶﾞｲﾄﾞ", "ガイド"),
            ("DX　推進", "dx 推進"),
            ("①", "1"),
            ("Straße", "strasse"),
        ],
    )
    def test_given_width_or_case_variants_when_normalised_then_they_become_one_form(
        self, text: str, expected: str
    ) -> None:
        assert normalise_text(text) == expected

    @given(st.text())
    def test_given_any_text_when_normalised_twice_then_nothing_more_changes(self, text: str) -> None:
        once = normalise_text(text)

        assert normalise_text(once) == once

    def test_given_full_width_space_between_words_when_split_then_two_terms(self) -> None:
        assert keyword_terms("　ＩＴ　補助金 ") == ("it", "補助金")


class TestKeywordMatching:
    @pytest.mark.parametrize(
        "fields",
        [
            {"title": "IT導入補助金"},
            {"subsidy_catch_phrase": "ITツールの導入を支援"},
            {"detail": "<p>it導入の経費</p>"},
            {"name": "S-IT-0001"},
        ],
    )
    def test_given_term_in_any_searchable_field_when_matched_then_it_matches(self, fields: dict[str, str]) -> None:
        subsidy = _subsidy(**{"title": "補助金", **fields})

        assert matches_keyword(subsidy, keyword_terms("ｉｔ"))

    def test_given_two_terms_when_only_one_occurs_then_no_match(self) -> None:
        subsidy = _subsidy(title="IT導入補助金")

        assert matches_keyword(subsidy, keyword_terms("IT 省エネ")) is False

    def test_given_term_spanning_two_fields_when_matched_then_no_match(self) -> None:
        subsidy = _subsidy(title="補助", subsidy_catch_phrase="金額")

        assert matches_keyword(subsidy, keyword_terms("補助金")) is False


class TestFilters:
    def test_given_multi_valued_industry_when_one_value_is_asked_then_it_matches(self) -> None:
        assert matches_value("製造業 / 情報通信業", "情報通信業")

    def test_given_multi_valued_industry_when_a_part_of_a_value_is_asked_then_no_match(self) -> None:
        assert matches_value("製造業 / 情報通信業", "通信") is False

    def test_given_no_filter_when_matched_then_everything_matches(self) -> None:
        assert matches_value(None, None)

    @pytest.mark.parametrize(("area", "expected"), [("東京都", True), ("全国", True), ("大阪府", False), (None, False)])
    def test_given_area_filter_when_matched_then_the_area_or_nationwide_fits(
        self, area: str | None, expected: bool
    ) -> None:
        assert matches_area(area, "東京都") is expected


class TestAcceptanceWindow:
    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (NOW - timedelta(days=1), NOW + timedelta(days=1), True),
            (NOW, NOW, True),
            (NOW + timedelta(seconds=1), NOW + timedelta(days=1), False),
            (NOW - timedelta(days=2), NOW - timedelta(seconds=1), False),
            (NOW - timedelta(days=1), None, True),
            (None, NOW + timedelta(days=1), False),
        ],
    )
    def test_given_window_when_checked_at_now_then_accepting_only_inside_it(
        self, start: datetime | None, end: datetime | None, expected: bool
    ) -> None:
        subsidy = _subsidy(acceptance_start_datetime=start, acceptance_end_datetime=end)

        assert is_accepting(subsidy, NOW) is expected


class TestSorting:
    def test_given_dates_when_sorted_descending_then_newest_first_and_undated_last(self) -> None:
        subsidies = [
            _subsidy("b", created_date=NOW - timedelta(days=2)),
            _subsidy("undated"),
            _subsidy("a", created_date=NOW),
            _subsidy("c", created_date=NOW - timedelta(days=9)),
        ]

        assert [s.id for s in sort_subsidies(subsidies, "created_date", "DESC")] == ["a", "b", "c", "undated"]

    def test_given_dates_when_sorted_ascending_then_oldest_first_and_undated_still_last(self) -> None:
        subsidies = [
            _subsidy("undated"),
            _subsidy("a", created_date=NOW),
            _subsidy("c", created_date=NOW - timedelta(1)),
        ]

        assert [s.id for s in sort_subsidies(subsidies, "created_date", "ASC")] == ["c", "a", "undated"]

    def test_given_equal_dates_when_sorted_either_way_then_ties_go_by_id(self) -> None:
        subsidies = [_subsidy(i, acceptance_end_datetime=NOW) for i in ("z", "m", "a")]

        for order in ("ASC", "DESC"):
            assert [s.id for s in sort_subsidies(subsidies, "acceptance_end_datetime", order)] == [
                "a",
                "m",
                "z",
            ]


class TestSearch:
    def test_given_catalogue_when_searching_accepting_only_then_closed_ones_are_left_out_and_counted_right(
        self,
    ) -> None:
        catalogue = FakeCatalogue(
            _subsidy(
                "open",
                acceptance_start_datetime=NOW - timedelta(1),
                acceptance_end_datetime=NOW + timedelta(1),
            ),
            _subsidy(
                "closed",
                acceptance_start_datetime=NOW - timedelta(9),
                acceptance_end_datetime=NOW - timedelta(1),
            ),
            _subsidy("other", title="別の制度"),
        )

        found = search_subsidies(catalogue, SubsidySearch(keyword="ものづくり", accepting_only=True), NOW)

        assert [r.id for r in found.result] == ["open"]
        assert found.metadata.resultset.count == 1

    def test_given_nothing_matches_when_searching_then_an_empty_result_with_count_zero(self) -> None:
        found = search_subsidies(FakeCatalogue(_subsidy()), SubsidySearch(keyword="該当なし"), NOW)

        assert found.model_dump(mode="json") == {
            "metadata": {"type": "application/json", "resultset": {"count": 0}},
            "result": [],
        }


def test_given_japan_time_when_formatted_then_jgrants_utc_form_with_milliseconds() -> None:
    japan_time = datetime(2026, 4, 1, 18, 0, 0, 123456, tzinfo=timezone(timedelta(hours=9)))

    assert format_jgrants_datetime(japan_time) == "2026-04-01T09:00:00.123Z"
