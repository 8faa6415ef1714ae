from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.submit.dal import get_store
from functions.submit.logic import search_subsidies
from functions.submit.models import SubsidySearchRequest
from platform_common.api import json_body

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
