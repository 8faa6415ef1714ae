"""The ministry operators' catalogue API: list, create, read and edit subsidies (optimistic concurrency)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path

from functions.submit.catalog.documents import (
    SUBSIDY_ID_PATTERN,
    OperatorSubsidy,
    OperatorSubsidyList,
    OperatorSubsidySummary,
    SubsidyCreateRequest,
)
from functions.submit.catalog.editing import (
    CatalogueChange,
    create_subsidy,
    get_operator_item,
    require_operator,
    update_subsidy,
)
from functions.submit.dal import SubsidyItem, get_store
from functions.submit.models import SubsidyContent
from functions.submit.principal import Principal, principal_from_bearer
from functions.submit.schedule import audit_log, match_saved_searches
from platform_common.api import json_body
from platform_common.errors import InvalidInput

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

_IF_MATCH = re.compile(r'^\s*(?:W/)?"?([1-9][0-9]{0,9})"?\s*$')


def _principal() -> Principal:
    return principal_from_bearer(router.current_event.headers.get("Authorization"))


def parse_if_match(value: str | None) -> int:
    """``If-Match: "3"`` (or 3, or W/"3") → 3; the header is required to change a subsidy."""
    found = _IF_MATCH.match(value or "")
    if not found:
        raise InvalidInput.for_field("If-Match", 'send the version you edited, e.g. If-Match: "3"')
    return int(found.group(1))


def _answer(item: SubsidyItem, status: int = 200) -> Response[dict[str, Any]]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json_body(OperatorSubsidy.from_item(item)),
        headers={"ETag": f'"{item.version}"', "Cache-Control": "no-store"},
    )


def _after_change(change: CatalogueChange, now: datetime) -> None:
    if change.newly_published:
        match_saved_searches(now)  # users who saved a matching search hear of it now, not at the next run


@router.get(
    "/submit/v1/operator/subsidies",
    summary="Every subsidy of this ministry, drafts included (operators)",
    tags=["operator"],
)
def handle_get_operator_subsidies() -> dict[str, Any]:
    require_operator(_principal())
    items = sorted(get_store().list_items(), key=lambda i: i.id)
    listing = OperatorSubsidyList(count=len(items), subsidies=[OperatorSubsidySummary.from_item(i) for i in items])
    body: dict[str, Any] = json_body(listing)
    return body


@router.post(
    "/submit/v1/operator/subsidies",
    summary="Create a subsidy (operators; audited)",
    description="The form schema is checked against JSON Schema 2020-12; each error names its JSON pointer. "
    "Answers 201 with the document and its version in `ETag`.",
    tags=["operator"],
    responses={201: {"description": "The subsidy created; its version in `ETag`"}},
)
def handle_post_operator_subsidy(request: Annotated[SubsidyCreateRequest, Body()]) -> Response[dict[str, Any]]:
    now = datetime.now(UTC)
    change = create_subsidy(get_store(), audit_log(), _principal(), request, now)
    _after_change(change, now)
    return _answer(change.item, status=201)


@router.get(
    "/submit/v1/operator/subsidies/<subsidy_id>",
    summary="One subsidy's full document and version (operators)",
    tags=["operator"],
)
def handle_get_operator_subsidy(
    subsidy_id: Annotated[str, Path(pattern=SUBSIDY_ID_PATTERN)],
) -> Response[dict[str, Any]]:
    return _answer(get_operator_item(get_store(), _principal(), subsidy_id))


@router.put(
    "/submit/v1/operator/subsidies/<subsidy_id>",
    summary="Replace a subsidy's content (operators; audited)",
    description='Requires `If-Match: "<version>"`; a version that is no longer current is a 412 naming the '
    "current one. Publishing (`published` becoming true) mails the users whose saved searches match.",
    tags=["operator"],
)
def handle_put_operator_subsidy(
    subsidy_id: Annotated[str, Path(pattern=SUBSIDY_ID_PATTERN)],
    request: Annotated[SubsidyContent, Body()],
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Response[dict[str, Any]]:
    principal = _principal()
    require_operator(principal)  # before looking at the header: a stranger learns nothing of the versions
    now = datetime.now(UTC)
    change = update_subsidy(get_store(), audit_log(), principal, subsidy_id, parse_if_match(if_match), request, now)
    _after_change(change, now)
    return _answer(change.item)
