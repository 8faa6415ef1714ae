"""The query string of ``GET /v2/hojin`` (gBizINFO's search), parsed and validated into a :class:`HojinQuery`.

Every parameter arrives as a string, as in the real API. Empty values count as absent (clients often send
``name=``). Each bad parameter is named in the error (``errors: [{"item", "message"}]``); all of them are
reported at once, not only the first. Unknown parameters are ignored, as the real service does.

This is the only place a query is validated; :class:`HojinQuery` itself (``search/query.py``) is plain data
the engine reads, so the engine carries no HTTP concern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from functions.hojin_search.search.bands import WORKPLACE_BANDS
from functions.hojin_search.search.query import (
    LIMIT_DEFAULT,
    LIMIT_MAX,
    LIMIT_MIN,
    PAGE_MAX,
    PAGE_MIN,
    SOURCE_CATEGORIES,
    HojinQuery,
)
from platform_common.corporate_number import validate_corporate_number
from platform_common.errors import FieldError, InvalidInput

__all__ = [
    "LIMIT_DEFAULT",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "PAGE_MAX",
    "PAGE_MIN",
    "HojinQuery",
    "HojinSearchParameters",
    "is_empty",
    "parse_hojin_query",
]

NAME_MAX_LENGTH: Final = 150
TITLE_MAX_LENGTH: Final = 200

CORPORATE_TYPES: Final = frozenset({"101", "201", "301", "302", "303", "304", "305", "399", "401", "499"})
_DIGITS = re.compile(r"^[0-9]+$")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def _p(description: str) -> Any:
    return Field(default=None, description=description)


def _band_p(what: str, field: str) -> Any:
    scale = WORKPLACE_BANDS[field]
    return _p(
        f"{what}, band {scale.letters[0]}–{scale.letters[-1]} of the latest workplace record: {scale.describe()}. "
        "Corporations without the figure match no band."
    )


_LATEST_FINANCE = ": the latest finance record (by period); corporations without the figure do not match"


class HojinSearchParameters(BaseModel):
    """The query string of ``GET /v2/hojin`` as the wire carries it (strings); documents the parameters."""

    model_config = ConfigDict(extra="ignore")

    corporate_number: str | None = _p("13-digit corporate number (exact match, check digit verified)")
    name: str | None = _p(
        "Name, partial match after normalisation (NFKC, width and kana folding; 株式会社 etc. ignored)"
    )
    exist_flg: str | None = _p("true: only corporations that exist; false: only closed ones")
    corporate_type: str | None = _p("Comma list of NTA kind codes: 101,201,301,302,303,304,305,399,401,499")
    prefecture: str | None = _p("Prefecture code 01–47")
    city: str | None = _p("City code: 3 digits (with prefecture) or the 5-digit local-government code")
    capital_stock_from: str | None = _p("Capital stock from (yen, integer)")
    capital_stock_to: str | None = _p("Capital stock to (yen, integer)")
    employee_number_from: str | None = _p("Employees from")
    employee_number_to: str | None = _p("Employees to")
    founded_year: str | None = _p("Comma list of founding years (yyyy)")
    net_sales_summary_of_business_results_from: str | None = _p(f"Net sales from (yen){_LATEST_FINANCE}")
    net_sales_summary_of_business_results_to: str | None = _p(f"Net sales to (yen){_LATEST_FINANCE}")
    total_assets_summary_of_business_results_from: str | None = _p(f"Total assets from (yen){_LATEST_FINANCE}")
    total_assets_summary_of_business_results_to: str | None = _p(f"Total assets to (yen){_LATEST_FINANCE}")
    average_continuous_service_years: str | None = _band_p(
        "Average continuous service years (平均継続勤務年数)", "average_continuous_service_years"
    )
    average_age: str | None = _band_p("Average age of the employees (平均年齢)", "average_age")
    month_average_predetermined_overtime_hours: str | None = _band_p(
        "Monthly average overtime hours (月平均所定外労働時間)", "month_average_predetermined_overtime_hours"
    )
    female_workers_proportion: str | None = _band_p(
        "Proportion of female workers (女性労働者の割合)", "female_workers_proportion"
    )
    patent: str | None = _p("Patent title contains")
    procurement: str | None = _p("Procurement title contains")
    procurement_amount_from: str | None = _p("Procurement amount from (yen)")
    procurement_amount_to: str | None = _p("Procurement amount to (yen)")
    subsidy: str | None = _p("Subsidy title contains")
    subsidy_amount_from: str | None = _p("Subsidy amount from (yen)")
    subsidy_amount_to: str | None = _p("Subsidy amount to (yen)")
    certification: str | None = _p("Certification title contains")
    commendation: str | None = _p("Commendation title contains")
    ministry: str | None = _p("Government department (name contains)")
    source: str | None = _p(
        "Comma list: 1 procurement, 2 commendation, 3 certification, 4 subsidy, 5 patent, 6 finance"
    )
    page: str | None = _p(f"Page {PAGE_MIN}–{PAGE_MAX} (default 1)")
    limit: str | None = _p(f"Rows per page {LIMIT_MIN}–{LIMIT_MAX} (default {LIMIT_DEFAULT})")


class _Errors:
    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def add(self, item: str, message: str) -> None:
        self.found.append(FieldError(item, message))


def _integer(item: str, raw: str, errors: _Errors, minimum: int = 0, maximum: int | None = None) -> int | None:
    if not _DIGITS.fullmatch(raw):
        errors.add(item, "must be a non-negative integer")
        return None
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"{minimum}–{maximum}" if maximum is not None else f"at least {minimum}"
        errors.add(item, f"must be {bound}")
        return None
    return value


def _comma_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _text(item: str, raw: str, errors: _Errors, maximum: int = TITLE_MAX_LENGTH) -> str | None:
    if len(raw) > maximum:
        errors.add(item, f"must be at most {maximum} characters")
        return None
    if any(ord(ch) < 0x20 for ch in raw):
        errors.add(item, "must not contain control characters")
        return None
    return raw


def _band(item: str, raw: str, errors: _Errors) -> str | None:
    value, letters = raw.upper(), WORKPLACE_BANDS[item].letters
    if value not in letters:
        errors.add(item, "must be one of " + ", ".join(letters))
        return None
    return value


_TEXT_FIELDS = ("patent", "procurement", "subsidy", "certification", "commendation", "ministry")
_BAND_FIELDS = tuple(WORKPLACE_BANDS)
_RANGES = (
    "capital_stock",
    "employee_number",
    "net_sales_summary_of_business_results",
    "total_assets_summary_of_business_results",
    "procurement_amount",
    "subsidy_amount",
)
_KNOWN = frozenset(field.name for field in fields(HojinQuery))


def _parse_corporate_number(raw: str, errors: _Errors) -> str | None:
    try:
        return validate_corporate_number(raw)
    except ValueError as exc:
        errors.add("corporate_number", str(exc))
        return None


def _parse_exist_flg(raw: str, errors: _Errors) -> bool | None:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    errors.add("exist_flg", "must be true or false")
    return None


def _parse_corporate_type(raw: str, errors: _Errors) -> tuple[str, ...]:
    codes = _comma_list(raw)
    unknown = [code for code in codes if code not in CORPORATE_TYPES]
    if unknown or not codes:
        errors.add("corporate_type", f"unknown kind code(s): {', '.join(unknown) or raw!r}")
        return ()
    return tuple(sorted(set(codes)))


def _parse_founded_year(raw: str, errors: _Errors) -> tuple[int, ...]:
    years = _comma_list(raw)
    if not years or not all(re.fullmatch(r"[0-9]{4}", year) for year in years):
        errors.add("founded_year", "must be a comma list of 4-digit years")
        return ()
    return tuple(sorted({int(year) for year in years}))


def _parse_source(raw: str, errors: _Errors) -> tuple[str, ...]:
    codes = _comma_list(raw)
    if not codes or any(code not in SOURCE_CATEGORIES for code in codes):
        errors.add("source", "must be a comma list of 1–6")
        return ()
    return tuple(sorted(set(codes)))


def _parse_prefecture(raw: str, errors: _Errors) -> str | None:
    if not re.fullmatch(r"[0-9]{1,2}", raw) or not 1 <= int(raw) <= 47:
        errors.add("prefecture", "must be a prefecture code 01–47")
        return None
    return f"{int(raw):02d}"


def _parse_city(raw: str, prefecture: str | None, errors: _Errors) -> str | None:
    if re.fullmatch(r"[0-9]{5}", raw):
        if prefecture is not None and raw[:2] != prefecture:
            errors.add("city", "is not in the given prefecture")
            return None
        if not 1 <= int(raw[:2]) <= 47:
            errors.add("city", "must start with a prefecture code 01–47")
            return None
        return raw
    if re.fullmatch(r"[0-9]{3}", raw):
        if prefecture is None:
            errors.add("city", "a 3-digit city code needs prefecture")
            return None
        return prefecture + raw
    errors.add("city", "must be a 3-digit city code or a 5-digit local-government code")
    return None


def _present(params: Mapping[str, str | None], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_hojin_query(params: Mapping[str, str | None]) -> HojinQuery:
    """Validate the query string of a search; :class:`InvalidInput` names every bad parameter."""
    errors = _Errors()
    values: dict[str, Any] = {}
    simple: dict[str, Callable[[str, _Errors], Any]] = {
        "corporate_number": _parse_corporate_number,
        "exist_flg": _parse_exist_flg,
        "corporate_type": _parse_corporate_type,
        "founded_year": _parse_founded_year,
        "source": _parse_source,
        "prefecture": _parse_prefecture,
    }
    for name, parse in simple.items():
        raw = _present(params, name)
        if raw is not None:
            values[name] = parse(raw, errors)
    raw_city = _present(params, "city")
    if raw_city is not None:
        values["city"] = _parse_city(raw_city, values.get("prefecture"), errors)
    raw_name = _present(params, "name")
    if raw_name is not None:
        values["name"] = _text("name", raw_name, errors, NAME_MAX_LENGTH)
    for name in _TEXT_FIELDS:
        raw = _present(params, name)
        if raw is not None:
            values[name] = _text(name, raw, errors)
    for name in _BAND_FIELDS:
        raw = _present(params, name)
        if raw is not None:
            values[name] = _band(name, raw, errors)
    for stem in _RANGES:
        low_raw, high_raw = _present(params, f"{stem}_from"), _present(params, f"{stem}_to")
        low = _integer(f"{stem}_from", low_raw, errors) if low_raw is not None else None
        high = _integer(f"{stem}_to", high_raw, errors) if high_raw is not None else None
        if low is not None and high is not None and low > high:
            errors.add(f"{stem}_to", f"must not be below {stem}_from")
        values[f"{stem}_from"], values[f"{stem}_to"] = low, high
    raw_page, raw_limit = _present(params, "page"), _present(params, "limit")
    if raw_page is not None:
        values["page"] = _integer("page", raw_page, errors, PAGE_MIN, PAGE_MAX)
    if raw_limit is not None:
        values["limit"] = _integer("limit", raw_limit, errors, LIMIT_MIN, LIMIT_MAX)
    if errors.found:
        detail = "; ".join(f"{e.item}: {e.message}" for e in errors.found)
        raise InvalidInput(detail=detail, errors=errors.found)
    return HojinQuery(**{k: v for k, v in values.items() if v is not None and k in _KNOWN})


def is_empty(query: HojinQuery) -> bool:
    """True when no filter is set (paging alone): such a search lists every corporation in number order."""
    defaults = HojinQuery()
    return all(
        getattr(query, field.name) == getattr(defaults, field.name)
        for field in fields(HojinQuery)
        if field.name not in ("page", "limit")
    )
