"""Saved subsidy searches of the signed-in user (alerts by e-mail when a new subsidy matches)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from functions.submit.dal import get_store
from functions.submit.principal import Principal, principal_from_bearer
from functions.submit.saved_searches import SavedSearch, SavedSearchList, SavedSearchRequest, save_search
from functions.submit.schedule import saved_search_store
from platform_common.api import json_body

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated


def _principal() -> Principal:
    return principal_from_bearer(router.current_event.headers.get("Authorization"))


@router.get("/submit/v1/saved-searches", summary="My saved subsidy searches", tags=["saved searches"])
def handle_get_saved_searches() -> dict[str, Any]:
    searches = [s.to_response() for s in saved_search_store().list_for(_principal().sub)]
    body: dict[str, Any] = json_body(SavedSearchList(count=len(searches), searches=searches))
    return body


@router.post(
    "/submit/v1/saved-searches",
    summary="Save a subsidy search (at most 20); new matching subsidies are mailed to the login's address",
    description="Subsidies that match already when the search is saved are not mailed.",
    tags=["saved searches"],
    responses={201: {"description": "The saved search", "content": {"application/json": {"model": SavedSearch}}}},
)
def handle_post_saved_search(request: Annotated[SavedSearchRequest, Body()]) -> Response[dict[str, Any]]:
    principal = _principal()
    saved = save_search(
        saved_search_store(), get_store(), principal.sub, principal.email, request, now=datetime.now(UTC)
    )
    return Response(status_code=201, content_type="application/json", body=json_body(saved.to_response()))


@router.delete(
    "/submit/v1/saved-searches/<search_id>",
    summary="Delete one of my saved searches (its alerts stop)",
    tags=["saved searches"],
    responses={204: {"description": "Deleted (its alerts stop)"}},
)
def handle_delete_saved_search(search_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]) -> Response[str]:
    saved_search_store().remove(_principal().sub, search_id)
    return Response(status_code=204, body="")  # no content, so no Content-Type
