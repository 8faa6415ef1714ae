"""Automatic screening of a submitted application: facts the reviewer would otherwise look up by hand.

Each check is recorded on the application (passed or not, and why) and shown to the reviewer and the
applicant. Screening informs the review; it does not decide it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from functions.submit.applications.model import Application, Status

AMOUNT_KEYWORD: Final = "x-amount"  # the form property holding the requested amount (yen), see docs/design/jgrants.md
CLOSED_STATUSES: Final = frozenset({"閉鎖", "closed"})


@dataclass(frozen=True)
class Check:
    check: str  # corporation_open, amount_within_maximum, no_earlier_award
    passed: bool
    why: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def amount_pointer(schema: Mapping[str, Any], pointer: str = "") -> str | None:
    """The JSON pointer of the first property marked ``"x-amount": true`` (depth first), if any."""
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        here = f"{pointer}/{name}"
        if sub.get(AMOUNT_KEYWORD) is True:
            return here
        found = amount_pointer(sub, here)
        if found:
            return found
    return None


def requested_amount(schema: Mapping[str, Any], form: Mapping[str, Any]) -> int | None:
    """The amount the applicant asks for (the ``x-amount`` property's value), or None."""
    pointer = amount_pointer(schema)
    if pointer is None:
        return None
    value: Any = form
    for part in pointer.strip("/").split("/"):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_corporation(record: Mapping[str, Any]) -> Check:
    if not record:
        return Check("corporation_open", False, "the corporate number is not in gBizINFO")
    if record.get("close_date") or str(record.get("status") or "").strip() in CLOSED_STATUSES:
        closed = record.get("close_date") or "date unknown"
        return Check("corporation_open", False, f"the corporation is closed in gBizINFO ({closed})")
    return Check("corporation_open", True, f"{record.get('name') or 'the corporation'} is registered and open")


def check_amount(requested: int | None, maximum: int | None) -> Check:
    if requested is None:
        return Check("amount_within_maximum", False, f"the form has no requested amount (an {AMOUNT_KEYWORD} field)")
    if maximum is None:
        return Check("amount_within_maximum", True, f"requested {requested:,} yen; the subsidy sets no maximum")
    if requested > maximum:
        return Check("amount_within_maximum", False, f"requested {requested:,} yen exceeds the maximum {maximum:,} yen")
    return Check("amount_within_maximum", True, f"requested {requested:,} yen is within the maximum {maximum:,} yen")


def check_earlier_award(app: Application, same_corporation: Iterable[Application]) -> Check:
    earlier = [
        other.receipt_number or other.application_id
        for other in same_corporation
        if other.application_id != app.application_id
        and other.subsidy_id == app.subsidy_id
        and other.status is Status.APPROVED
    ]
    if earlier:
        return Check("no_earlier_award", False, f"already awarded this subsidy: {', '.join(earlier)}")
    return Check("no_earlier_award", True, "no earlier award of this subsidy to the corporation")


def screen(
    app: Application,
    schema: Mapping[str, Any],
    maximum: int | None,
    record: Mapping[str, Any],
    same_corporation: Iterable[Application],
) -> list[Check]:
    """Every check, in a fixed order (pure: the inputs are read before)."""
    return [
        check_corporation(record),
        check_amount(requested_amount(schema, app.form), maximum),
        check_earlier_award(app, same_corporation),
    ]
