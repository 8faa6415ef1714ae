"""gBizINFO REST search (v1 and v2), updateInfo and the suggest endpoints.

Every call needs ``X-hojinInfo-api-token`` and is metered per token (see
:mod:`functions.hojin_search.ratelimit`). Answers use gBizINFO's envelope
``{"id", "message", "errors", "hojin-infos"}``; errors are problem+json whose ``errors`` list is the same
``[{"item", "message"}]`` gBizINFO clients read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from functions.hojin_search import updates
from functions.hojin_search.engine import SearchIndex, get_index
from functions.hojin_search.logic import API_TOKEN_HEADER
from functions.hojin_search.query import HojinSearchParameters, parse_hojin_query
from functions.hojin_search.ratelimit import PUBLISHED_LIMITS, RateLimitExceeded, get_gate
from platform_common.digits import is_ascii_digits
from platform_common.errors import InvalidInput, problem_response

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

OK_MESSAGE = "200 - OK."
SUGGEST_LIMIT_DEFAULT = 10
SUGGEST_LIMIT_MAX = 100
TITLE_SUGGEST_NOTE = (
    "Prefix match after width, case, space and kana folding; a title starting with a fiscal year (令和5年度 …) is "
    "also offered without it. Most frequent first (records carrying the title), then in text order; each "
    "suggestion is spelled as in most records, so it can be pasted into the search."
)
LIMITS_NOTE = (
    f"Per API token: {PUBLISHED_LIMITS.describe()}. Over a limit: 429 with Retry-After (seconds). "
    "page 1–10, limit 0–5000 (default 1000). An empty result is 200 with an empty hojin-infos list."
)


class SlimHojinInfo(BaseModel):
    """One row of a search (gBizINFO's slim search row)."""

    model_config = ConfigDict(extra="allow")

    corporate_number: str
    name: str
    name_en: str | None = None
    location: str | None = None
    postal_code: str | None = None
    status: str | None = None
    update_date: str | None = None
    number_of_activity: int | None = Field(default=None, description="Activity records of the corporation")


class SearchResponse(BaseModel):
    """gBizINFO's envelope; ``totalCount``/``totalPage``/``pageNumber`` are additions clients may ignore."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None = None
    message: str = OK_MESSAGE
    errors: list[dict[str, str]] = Field(default_factory=list)
    total_count: int = Field(alias="totalCount")
    total_page: int = Field(alias="totalPage")
    page_number: int = Field(alias="pageNumber")
    hojin_infos: list[SlimHojinInfo] = Field(default_factory=list, alias="hojin-infos")


class SuggestResponse(BaseModel):
    id: str | None = None
    message: str = OK_MESSAGE
    errors: list[dict[str, str]] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list, description="Candidates in the order of relevance")


def _documented(model: type[BaseModel], description: str) -> dict[int, Any]:
    """A 200 response documented by its model (the handler returns the model's wire form)."""
    return {200: {"description": description, "content": {"application/json": {"model": model}}}}


def admit() -> str:
    """Check and meter the caller's API token; the owner (for logs) when admitted."""
    return get_gate().admit(router.current_event.headers.get(API_TOKEN_HEADER))


@router.exception_handler(RateLimitExceeded)
def handle_rate_limited(exc: RateLimitExceeded) -> Response[str]:
    return problem_response(
        exc.status,
        exc.slug,
        exc.detail,
        instance=router.current_event.path,
        headers={"Retry-After": str(exc.retry_after)},
    )


def _search(params: HojinSearchParameters) -> dict[str, Any]:
    admit()
    query = parse_hojin_query(params.model_dump())
    index = get_index()
    result = index.search(query)
    rows = list(result.rows)[: query.limit] if query.limit else []
    infos = [SlimHojinInfo.model_validate(row) for row in index.slim(rows)] if rows else []
    total_page = math.ceil(result.total / query.limit) if query.limit else 0
    response = SearchResponse(
        total_count=result.total, total_page=total_page, page_number=query.page, hojin_infos=infos
    )
    return response.model_dump(mode="json", by_alias=True)


@router.get(
    "/hojin/v2/hojin",
    summary="Search corporations (gBizINFO v2)",
    description=LIMITS_NOTE,
    tags=["hojin"],
    responses=_documented(SearchResponse, "The gBizINFO envelope with slim rows in corporate-number order"),
)
def handle_search_hojin(params: Annotated[HojinSearchParameters, Query()]) -> dict[str, Any]:
    return _search(params)


@router.get(
    "/hojin/v1/hojin",
    summary="Search corporations (gBizINFO v1: the same parameters and envelope as v2)",
    description=LIMITS_NOTE,
    tags=["hojin v1"],
    responses=_documented(SearchResponse, "The gBizINFO envelope with slim rows"),
)
def handle_search_hojin_v1(params: Annotated[HojinSearchParameters, Query()]) -> dict[str, Any]:
    return _search(params)


@router.get(
    "/hojin/v2/hojin/updateInfo",
    summary="Corporations changed in a date range (any part)",
    description="from/to are yyyyMMdd (at most 366 days apart); 1000 rows per page. " + LIMITS_NOTE,
    tags=["hojin"],
)
def handle_update_info(
    from_: Annotated[str, Query(alias="from", description="yyyyMMdd, inclusive")],
    to: Annotated[str, Query(description="yyyyMMdd, inclusive")],
    page: Annotated[str | None, Query(description="Page from 1")] = None,
) -> dict[str, Any]:
    admit()
    request = updates.parse_update_request(from_, to, page)
    return updates.changed_records(request, part=None)


@router.get(
    "/hojin/v2/hojin/updateInfo/<part>",
    summary="Corporations whose given part changed in a date range",
    description="part: " + ", ".join(updates.PARTS) + ". " + LIMITS_NOTE,
    tags=["hojin"],
)
def handle_update_info_part(
    part: Annotated[str, Path(description="One of " + ", ".join(updates.PARTS))],
    from_: Annotated[str, Query(alias="from", description="yyyyMMdd, inclusive")],
    to: Annotated[str, Query(description="yyyyMMdd, inclusive")],
    page: Annotated[str | None, Query(description="Page from 1")] = None,
) -> dict[str, Any]:
    admit()
    if part not in updates.PARTS:
        raise InvalidInput.for_field("part", "must be one of " + ", ".join(updates.PARTS))
    request = updates.parse_update_request(from_, to, page)
    return updates.changed_records(request, part=part)


def _suggest_limit(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return SUGGEST_LIMIT_DEFAULT
    if not is_ascii_digits(raw.strip()) or not 1 <= int(raw) <= SUGGEST_LIMIT_MAX:
        raise InvalidInput.for_field("limit", f"must be an integer 1–{SUGGEST_LIMIT_MAX}")
    return int(raw)


def _suggest_text(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise InvalidInput.for_field("name", "is required")
    if len(text) > 100:
        raise InvalidInput.for_field("name", "must be at most 100 characters")
    return text


Suggester = Callable[[SearchIndex], Callable[[str, int], list[str]]]


def _suggest(pick: Suggester, name: str, limit: str | None) -> dict[str, Any]:
    admit()
    text, count = _suggest_text(name), _suggest_limit(limit)
    found = pick(get_index())(text, count)
    return SuggestResponse(suggestions=found[:count]).model_dump(mode="json")


@router.get(
    "/hojin/v2/hojin/SuggestNames",
    summary="Corporate names starting with a text",
    tags=["suggest"],
    responses=_documented(SuggestResponse, "Suggestions"),
)
def handle_suggest_names(
    name: Annotated[str, Query(description="The beginning of a corporate name")],
    limit: Annotated[str | None, Query(description=f"1–{SUGGEST_LIMIT_MAX}, default 10")] = None,
) -> dict[str, Any]:
    return _suggest(lambda index: index.suggest_names, name, limit)


@router.get(
    "/hojin/v2/hojin/SuggestBusinessNames",
    summary="Business names (titles of procurement records) starting with a text",
    description=(
        "gBizINFO suggests the business items (営業品目) of the unified procurement qualification here; this open "
        "data has no such field, so the suggestions are the titles of procurement records: what corporations "
        "supplied to ministries. " + TITLE_SUGGEST_NOTE
    ),
    tags=["suggest"],
    responses=_documented(SuggestResponse, "Suggestions"),
)
def handle_suggest_business_names(
    name: Annotated[str, Query(description="The beginning of a business name")],
    limit: Annotated[str | None, Query(description=f"1–{SUGGEST_LIMIT_MAX}, default 10")] = None,
) -> dict[str, Any]:
    return _suggest(lambda index: index.suggest_business_names, name, limit)


@router.get(
    "/hojin/v2/hojin/SuggestSubsidyNames",
    summary="Subsidy titles starting with a text",
    description=TITLE_SUGGEST_NOTE,
    tags=["suggest"],
    responses=_documented(SuggestResponse, "Suggestions"),
)
def handle_suggest_subsidy_names(
    name: Annotated[str, Query(description="The beginning of a subsidy title")],
    limit: Annotated[str | None, Query(description=f"1–{SUGGEST_LIMIT_MAX}, default 10")] = None,
) -> dict[str, Any]:
    return _suggest(lambda index: index.suggest_subsidy_names, name, limit)
