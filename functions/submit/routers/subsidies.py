from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.submit.dal import get_store
from functions.submit.logic import search_subsidies
from functions.submit.models import SubsidyDetailResponse, SubsidySearchRequest
from platform_common.api import json_body
from platform_common.errors import NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated


@router.get(
    "/exp/v1/public/subsidies",
    summary="Search the subsidy catalogue",
    description="Compatible with jGrants' public API `GET /exp/v1/public/subsidies`. "
    "An empty result is a 200 with count 0.",
    tags=["subsidies"],
    response_description="The jGrants envelope: metadata.resultset.count and the matching subsidies",
)
def handle_get_subsidies(request: Annotated[SubsidySearchRequest, Query()]) -> dict[str, Any]:
    found = search_subsidies(get_store(), request.to_search(), now=datetime.now(UTC))
    body: dict[str, Any] = json_body(found)
    return body


@router.get(
    "/exp/v1/public/subsidies/id/<subsidy_id>",
    summary="One subsidy's details",
    description="Compatible with jGrants' public API `GET /exp/v1/public/subsidies/id/{id}`: the detail fields, "
    "plus `attachments` (the documents an application must carry) and `minimum_tier` (the gBizID tier needed).",
    tags=["subsidies"],
    response_description="The jGrants envelope with the one subsidy in `result`",
)
def handle_get_subsidy(
    subsidy_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The subsidy's id")],
) -> dict[str, Any]:
    subsidy = get_store().get_subsidy(subsidy_id)
    if subsidy is None or not subsidy.published:  # an operator's draft is not public
        raise NotFound(detail=f"no subsidy with id {subsidy_id!r}")
    body: dict[str, Any] = json_body(SubsidyDetailResponse.of(subsidy))
    return body
