from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.hojin_search.dal import get_store
from functions.hojin_search.logic import API_TOKEN_HEADER, authorize_api_token, get_hojin_info
from functions.hojin_search.models import CorporateNumber, HojinInfoResponse
from platform_common.api import json_body

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated


@router.get(
    "/hojin/v2/hojin/<corporate_number>",
    summary="A corporation's full record by corporate number",
    tags=["hojin"],
    response_description="The gBizINFO envelope with one record in hojin-infos",
)
def handle_get_hojin(
    corporate_number: Annotated[CorporateNumber, Path(description="13-digit corporate number")],
) -> dict[str, Any]:
    store = get_store()
    authorize_api_token(store, router.current_event.headers.get(API_TOKEN_HEADER))
    info = get_hojin_info(store, corporate_number)
    return json_body(HojinInfoResponse(hojin_infos=[info]))
