"""The parameters of ``GET /v2/hojin``, parsed and validated, and the answer of the engine."""

from __future__ import annotations

from dataclasses import dataclass

from platform_common.errors import InvalidInput

PAGE_MIN, PAGE_MAX = 1, 10
LIMIT_MIN, LIMIT_MAX, LIMIT_DEFAULT = 0, 5000, 1000

# gBizINFO's `source` codes → activity categories.
SOURCE_CATEGORIES: dict[str, str] = {
    "1": "procurement",
    "2": "commendation",
    "3": "certification",
    "4": "subsidy",
    "5": "patent",
    "6": "finance",
}

# Query fields holding "title contains" filters, by category.
TITLE_FILTERS: tuple[str, ...] = ("subsidy", "procurement", "certification", "commendation", "patent")


@dataclass(frozen=True)
class HojinQuery:
    """One search. Every filter is optional; filters combine with AND.

    ``name``: partial match after :func:`functions.hojin_search.normalize.normalize_name`; corporate-kind words in
    it (株式会社, (株), …) select names carrying that kind. Ranges are inclusive and exclude unknown values.
    ``corporate_type``, ``founded_year`` and ``source`` match any of their values. Title filters
    (``subsidy``, ``procurement``, …) match corporations with at least one record of that category whose title
    contains the text; with an amount range the same record must satisfy both. ``ministry`` matches records of
    any category whose ``government_departments`` contains it.
    """

    corporate_number: str | None = None
    name: str | None = None
    exist_flg: bool | None = None
    corporate_type: tuple[str, ...] = ()
    prefecture: str | None = None
    city: str | None = None
    capital_stock_from: int | None = None
    capital_stock_to: int | None = None
    employee_number_from: int | None = None
    employee_number_to: int | None = None
    founded_year: tuple[int, ...] = ()
    subsidy: str | None = None
    procurement: str | None = None
    certification: str | None = None
    commendation: str | None = None
    patent: str | None = None
    subsidy_amount_from: int | None = None
    subsidy_amount_to: int | None = None
    procurement_amount_from: int | None = None
    procurement_amount_to: int | None = None
    ministry: str | None = None
    source: tuple[str, ...] = ()
    page: int = 1
    limit: int = LIMIT_DEFAULT

    def __post_init__(self) -> None:
        if not PAGE_MIN <= self.page <= PAGE_MAX:
            raise InvalidInput.for_field("page", f"must be between {PAGE_MIN} and {PAGE_MAX}")
        if not LIMIT_MIN <= self.limit <= LIMIT_MAX:
            raise InvalidInput.for_field("limit", f"must be between {LIMIT_MIN} and {LIMIT_MAX}")
        for code in self.source:
            if code not in SOURCE_CATEGORIES:
                raise InvalidInput.for_field("source", f"unknown source {code!r}: one of 1-6")
        for low, high in (
            ("capital_stock_from", "capital_stock_to"),
            ("employee_number_from", "employee_number_to"),
            ("subsidy_amount_from", "subsidy_amount_to"),
            ("procurement_amount_from", "procurement_amount_to"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise InvalidInput.for_field(low, f"must not exceed {high}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True)
class SearchResult:
    """``total`` matching corporations; ``rows`` the requested page of row ids, in corporate-number order."""

    total: int
    rows: list[int]
