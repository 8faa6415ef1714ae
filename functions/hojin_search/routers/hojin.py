from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.hojin_search.dal import get_store
from functions.hojin_search.logic import get_hojin_info
from functions.hojin_search.models import CorporateNumber, HojinInfoResponse
from functions.hojin_search.routers.parts import get_full_record
from functions.hojin_search.routers.search import admit
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
    metadata_flg: Annotated[str | None, Query(description="true adds the meta-data block")] = None,
) -> dict[str, Any]:
    if metadata_flg is not None:  # the metered record with gBizINFO's meta-data block
        return get_full_record(corporate_number, metadata_flg)
    admit()  # the API token, metered per token (429 with Retry-After over the published limits)
    info = get_hojin_info(get_store(), corporate_number)
    return json_body(HojinInfoResponse(hojin_infos=[info]))
