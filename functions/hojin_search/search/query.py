"""``HojinQuery``: one search of ``GET /v2/hojin``, typed; and ``SearchResult``, the engine's answer.

There is one query type for the wire, the pages, the engine, the bench and the tests. It lives here, beside
the engine, because it is plain data: the engine reads its fields and knows nothing of HTTP. Turning the
query string into a ``HojinQuery`` — checking every parameter and naming each bad one in a problem+json
answer — is the job of :func:`functions.hojin_search.query.parse_hojin_query`, the one place a query is
validated. Code that builds a ``HojinQuery`` itself (the bench, the tests) is trusted to respect the bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PAGE_MIN: Final = 1
PAGE_MAX: Final = 10
LIMIT_MIN: Final = 0
LIMIT_MAX: Final = 5000
LIMIT_DEFAULT: Final = 1000

# gBizINFO's `source` codes → activity categories.
SOURCE_CATEGORIES: Final[dict[str, str]] = {
    "1": "procurement",
    "2": "commendation",
    "3": "certification",
    "4": "subsidy",
    "5": "patent",
    "6": "finance",
}

# Query fields holding "title contains" filters, by category.
TITLE_FILTERS: Final[tuple[str, ...]] = ("subsidy", "procurement", "certification", "commendation", "patent")

# Ranges over the figures of the latest finance record, by the column of the index that holds them.
FINANCE_RANGES: Final[tuple[str, ...]] = (
    "net_sales_summary_of_business_results",
    "total_assets_summary_of_business_results",
)


@dataclass(frozen=True)
class HojinQuery:
    """One search. Every filter is optional (``None``/empty: no filter); filters combine with AND.

    - ``name``: partial match after :func:`functions.hojin_search.normalize.normalize_name`; corporate-kind words
      in it (株式会社, (株), …) select names carrying that kind.
    - ``city``: the 5-digit local-government code (JIS X 0401 + 0402, without the check digit).
    - ``corporate_type``, ``founded_year`` and ``source`` match any of their values.
    - Ranges (``*_from``/``*_to``) are inclusive integers (yen for amounts) and exclude unknown values. The
      finance ranges read the corporation's latest finance record (by ``period``).
    - Workplace bands (``average_age``, …) are gBizINFO's letters, read against the corporation's latest
      workplace record (see :mod:`functions.hojin_search.search.bands`).
    - Title filters (``subsidy``, ``procurement``, …) match corporations with at least one record of that category
      whose title contains the text; with an amount range the same record must satisfy both. ``ministry``
      matches records of any category whose ``government_departments`` contains it.
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
    net_sales_summary_of_business_results_from: int | None = None
    net_sales_summary_of_business_results_to: int | None = None
    total_assets_summary_of_business_results_from: int | None = None
    total_assets_summary_of_business_results_to: int | None = None
    average_continuous_service_years: str | None = None
    average_age: str | None = None
    month_average_predetermined_overtime_hours: str | None = None
    female_workers_proportion: str | None = None
    patent: str | None = None
    procurement: str | None = None
    procurement_amount_from: int | None = None
    procurement_amount_to: int | None = None
    subsidy: str | None = None
    subsidy_amount_from: int | None = None
    subsidy_amount_to: int | None = None
    certification: str | None = None
    commendation: str | None = None
    ministry: str | None = None
    source: tuple[str, ...] = ()
    page: int = PAGE_MIN
    limit: int = LIMIT_DEFAULT

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    @property
    def source_categories(self) -> tuple[str, ...]:
        """``source`` codes as category names (1 → procurement, ..., 6 → finance)."""
        return tuple(SOURCE_CATEGORIES[code] for code in self.source)


@dataclass(frozen=True)
class SearchResult:
    """``total`` matching corporations; ``rows`` the requested page of row ids, in corporate-number order."""

    total: int
    rows: list[int]
