"""Every page shows times in Japan time, labelled, from whatever form they are stored in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from platform_common.japan_time import shown_time

DEADLINE_UTC = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 17:00 in Japan, when jGrants closes


@pytest.mark.parametrize(
    "stored",
    [
        DEADLINE_UTC,
        datetime(2026, 12, 1, 8, 0),  # naive: stored as UTC
        "2026-12-01T08:00:00.000Z",
        "2026-12-01T08:00:00+00:00",
        "2026-12-01T17:00:00+09:00",
        int(DEADLINE_UTC.timestamp()),
        DEADLINE_UTC.timestamp(),
    ],
)
def test_given_a_stored_time_in_any_form_then_it_shows_as_japan_time(stored: object) -> None:
    assert shown_time(stored) == "2026-12-01 17:00 JST"  # type: ignore[arg-type]


def test_given_a_time_late_in_the_utc_day_then_the_japanese_date_is_the_next_day() -> None:
    assert shown_time("2026-11-30T15:30:45Z", seconds=True) == "2026-12-01 00:30:45 JST"


@pytest.mark.parametrize(("stored", "shown"), [(None, "—"), ("", "—"), ("not a time", "not a time")])
def test_given_no_time_or_text_that_is_none_then_it_is_shown_as_such(stored: str | None, shown: str) -> None:
    assert shown_time(stored) == shown
    assert shown_time(None, empty="never") == "never"
