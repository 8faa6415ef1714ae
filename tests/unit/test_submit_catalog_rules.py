"""Pure rules of the operators' catalogue, the EBPM row and the alert mail."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.submit.catalog.editing import changed_fields, content_errors
from functions.submit.catalog.form_schema import MAX_SCHEMA_BYTES, form_schema_errors, json_pointer
from functions.submit.ebpm import employee_size, export_row, fiscal_year, prefecture_of
from functions.submit.models import Subsidy, SubsidyContent
from functions.submit.saved_searches import SavedSearchRequest, alert_mail


class TestFormSchema:
    def test_given_every_demo_form_then_each_is_accepted(self) -> None:
        from devstack.seed_jgrants import demo_subsidies

        for subsidy in demo_subsidies(datetime(2026, 6, 1, tzinfo=UTC)):
            assert form_schema_errors(subsidy.form_schema) == [], subsidy.id

    def test_given_a_name_with_slash_and_tilde_then_the_pointer_escapes_them(self) -> None:
        assert json_pointer(["properties", "a/b~c", "type"]) == "form_schema/properties/a~1b~0c/type"

    def test_given_a_local_reference_then_it_is_allowed(self) -> None:
        schema = {"type": "object", "$defs": {"yen": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/yen"}}}

        assert form_schema_errors(schema) == []

    def test_given_a_huge_schema_then_refused_before_it_is_validated(self) -> None:
        schema = {"type": "object", "description": "x" * (MAX_SCHEMA_BYTES + 1)}

        assert [e.item for e in form_schema_errors(schema)] == ["form_schema"]

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
            max_leaves=10,
        )
    )
    def test_given_any_json_then_the_check_answers_with_pointers_and_never_raises(self, value: Any) -> None:
        errors = form_schema_errors(value)

        assert all(e.item.startswith("form_schema") for e in errors)


class TestContentRules:
    def test_given_a_window_that_ends_before_it_starts_then_the_end_is_named(self) -> None:
        now = datetime(2026, 6, 1, tzinfo=UTC)
        content = SubsidyContent(
            name="S-1", title="t", acceptance_start_datetime=now, acceptance_end_datetime=now - timedelta(seconds=1)
        )

        assert [e.item for e in content_errors(content)] == ["acceptance_end_datetime"]

    def test_given_only_the_rate_changes_then_only_it_is_reported_changed(self) -> None:
        before = Subsidy(
            id="s", name="S-1", title="t", subsidy_rate="1/2", updated_date=datetime(2026, 1, 1, tzinfo=UTC)
        )
        after = before.model_copy(update={"subsidy_rate": "2/3", "updated_date": datetime(2026, 2, 1, tzinfo=UTC)})

        assert changed_fields(before, after) == ["subsidy_rate"]


class TestEbpmRow:
    @pytest.mark.parametrize(
        ("address", "prefecture"),
        [
            ("東京都千代田区霞が関1-3-1", "東京都"),
            ("北海道札幌市中央区", "北海道"),
            ("京都府京都市", "京都府"),
            ("大阪府大阪市", "大阪府"),
            ("神奈川県横浜市", "神奈川県"),
            ("和歌山県和歌山市", "和歌山県"),
            ("千代田区霞が関", None),
            (None, None),
        ],
    )
    def test_given_an_address_then_its_prefecture(self, address: str | None, prefecture: str | None) -> None:
        assert prefecture_of(address) == prefecture

    @pytest.mark.parametrize(
        ("count", "band"),
        [(0, "5名以下"), (5, "5名以下"), (6, "6-20名"), (300, "101-300名"), (901, "901名以上"), ("42", "21-50名"),
         (None, "不明"), (-1, "不明"), (True, "不明")],
    )  # fmt: skip
    def test_given_an_employee_count_then_its_band(self, count: Any, band: str) -> None:
        assert employee_size(count) == band

    def test_given_dates_then_the_japanese_fiscal_year(self) -> None:
        assert (fiscal_year(date(2026, 3, 31)), fiscal_year(date(2026, 4, 1))) == (2025, 2026)

    def test_given_a_draft_then_no_row(self) -> None:
        item = {"status": {"S": "DRAFT"}, "application_id": {"S": "a"}, "subsidy_id": {"S": "s"}}

        assert export_row("meti", item, {}) is None

    def test_given_a_rejection_with_an_amount_then_nothing_is_awarded(self) -> None:
        item = {
            "status": {"S": "REJECTED"},
            "application_id": {"S": "a"},
            "subsidy_id": {"S": "s"},
            "form": {"S": json.dumps({"requested_amount": 5})},
            "decision": {"M": {"outcome": {"S": "reject"}, "amount": {"N": "5"}}},
        }

        row = export_row("meti", item, {})

        assert row is not None
        assert (row["requested_amount"], row["awarded_amount"], row["decision"]) == (5, None, "reject")


def test_given_many_new_subsidies_then_the_mail_lists_twenty_and_counts_the_rest() -> None:
    subsidies = [Subsidy(id=f"s{n}", name=f"S-{n}", title=f"補助金{n}") for n in range(25)]

    mail = alert_mail("a@example.jp", subsidies, SavedSearchRequest(keyword="補助金"), "https://x.example/id/")

    assert "https://x.example/id/s19" in mail.body
    assert "s20" not in mail.body
    assert "ほか5件" in mail.body
    assert "25件" in mail.subject
