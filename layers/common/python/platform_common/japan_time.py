"""Times on the pages: every service shows them in Japan time, labelled, whatever the server's own zone.

What is stored is UTC (ISO 8601 with ``Z`` or ``+00:00``, epoch seconds, aware date-times). People read a
subsidy's deadline as 17:00 Japan time, the hour jGrants closes at; shown as ``08:00 UTC`` it reads as a
different day's morning. (``astimezone()`` without a zone is no answer either: Lambda's own zone is UTC.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Final

JST: Final = timezone(timedelta(hours=9), "JST")


def _moment(value: datetime | str | float) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def shown_time(value: datetime | str | float | None, *, seconds: bool = False, empty: str = "—") -> str:
    """``2026-12-01 17:00 JST``: the time in Japan, to the minute (or second); ``empty`` when there is none,
    and text that is no time as it is."""
    if value is None or value == "":
        return empty
    moment = _moment(value)
    if moment is None:
        return str(value)
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST" if seconds else "%Y-%m-%d %H:%M JST")
