"""What the jGrants catalogue does, free of HTTP. The clock is a parameter, so tests choose "now"."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from functions.submit.dal import SubsidyCatalogue
from functions.submit.models import SortKey, SortOrder, SubsidiesResponse, Subsidy, SubsidySearch

NATIONWIDE = "全国"
MULTI_VALUE_SEPARATOR = "/"


def normalise_text(text: str) -> str:
    """NFKC, then case folding: full-width ``ＩＴ`` and ``it`` compare equal, as do ``ｶﾞ`` and ``ガ``."""
    return unicodedata.normalize("NFKC", text).casefold()


def keyword_terms(keyword: str) -> tuple[str, ...]:
    """The normalised words of a keyword; full-width spaces separate words too (NFKC makes them spaces)."""
    return tuple(normalise_text(keyword).split())


def matches_keyword(subsidy: Subsidy, terms: Iterable[str]) -> bool:
    """Every term occurs in the name, title, catch phrase or detail (a term never spans two fields)."""
    fields = (subsidy.name, subsidy.title, subsidy.subsidy_catch_phrase, subsidy.detail)
    haystack = "\n".join(normalise_text(f) for f in fields if f)
    return all(term in haystack for term in terms)


def split_values(value: str | None) -> frozenset[str]:
    """A jGrants multi-value field (``"製造業 / 建設業"``) as normalised values."""
    if not value:
        return frozenset()
    return frozenset(v.strip() for v in normalise_text(value).split(MULTI_VALUE_SEPARATOR) if v.strip())


def matches_value(field_value: str | None, wanted: str | None) -> bool:
    return wanted is None or normalise_text(wanted).strip() in split_values(field_value)


def matches_area(target_area_search: str | None, wanted: str | None) -> bool:
    """A nationwide subsidy fits every area; otherwise the area must be one of the subsidy's."""
    if wanted is None:
        return True
    areas = split_values(target_area_search)
    return normalise_text(wanted).strip() in areas or normalise_text(NATIONWIDE) in areas


def is_accepting(subsidy: Subsidy, now: datetime) -> bool:
    """Open for applications at ``now``: started, and not yet ended (no end date means open-ended)."""
    start, end = subsidy.acceptance_start_datetime, subsidy.acceptance_end_datetime
    if start is None or now < start:
        return False
    return end is None or now <= end


def matches_search(subsidy: Subsidy, search: SubsidySearch, terms: tuple[str, ...], now: datetime) -> bool:
    """Published (an operator's draft is never public) and every criterion of ``search`` holds."""
    return (
        subsidy.published
        and matches_keyword(subsidy, terms)
        and (not search.accepting_only or is_accepting(subsidy, now))
        and matches_value(subsidy.use_purpose, search.use_purpose)
        and matches_value(subsidy.industry, search.industry)
        and matches_value(subsidy.target_number_of_employees, search.target_number_of_employees)
        and matches_area(subsidy.target_area_search, search.target_area_search)
    )


def sort_subsidies(subsidies: Iterable[Subsidy], sort: SortKey, order: SortOrder) -> list[Subsidy]:
    """Sort by the chosen date; subsidies without that date come last in either order; ties by id."""
    pending = list(subsidies)
    dated = [s for s in pending if getattr(s, sort) is not None]
    undated = sorted((s for s in pending if getattr(s, sort) is None), key=lambda s: s.id)
    dated.sort(key=lambda s: s.id)
    dated.sort(key=lambda s: getattr(s, sort), reverse=order == "DESC")  # stable: ids stay ascending
    return dated + undated


def search_subsidies(catalogue: SubsidyCatalogue, search: SubsidySearch, now: datetime) -> SubsidiesResponse:
    terms = keyword_terms(search.keyword)
    found = [s for s in catalogue.list_subsidies() if matches_search(s, search, terms, now)]
    return SubsidiesResponse.of(sort_subsidies(found, search.sort, search.order))
