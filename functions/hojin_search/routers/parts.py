"""The parts of a record: ``GET /v2/hojin/{corporate_number}/{part}`` (and v1), one DynamoDB read each.

Each part answers the envelope with one record: the corporation's identity fields plus that part
(``finance`` and ``workplace_info`` are objects, the others lists; amounts are integer yen). An unknown
corporation is 404. ``metadata_flg=true`` adds gBizINFO's ``meta-data`` block to the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.hojin_search import updates
from functions.hojin_search.dal import get_store
from functions.hojin_search.models import CorporateNumber
from functions.hojin_search.routers.search import LIMITS_NOTE, OK_MESSAGE, admit
from platform_common.errors import InvalidInput, NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

V1_PARTS = ("certification", "commendation", "finance", "patent", "procurement", "subsidy", "workplace")


def parse_metadata_flg(raw: str | None) -> bool:
    if raw is None or not raw.strip():
        return False
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise InvalidInput.for_field("metadata_flg", "must be true or false")
    return lowered == "true"


def get_part(corporate_number: str, part: str, metadata_flg: str | None) -> dict[str, Any]:
    """The envelope with the record cut to ``part``."""
    admit()
    with_meta = parse_metadata_flg(metadata_flg)
    document = get_store().get_record(corporate_number)
    if document is None:
        raise NotFound(f"no corporation with corporate number {corporate_number}")
    shaped = updates.part_of(document, part)
    if with_meta:
        shaped["meta-data"] = updates.meta_data(document, [part])
    return {"id": None, "message": OK_MESSAGE, "errors": [], "hojin-infos": [shaped]}


def _register(version: str, part: str) -> None:
    def handle(
        corporate_number: Annotated[CorporateNumber, Path(description="13-digit corporate number")],
        metadata_flg: Annotated[str | None, Query(description="true adds the meta-data block")] = None,
    ) -> dict[str, Any]:
        return get_part(corporate_number, part, metadata_flg)

    handle.__name__ = f"handle_get_hojin_{part}_{version}"
    route: Callable[..., Any] = router.get(
        f"/hojin/{version}/hojin/<corporate_number>/{part}",
        summary=f"A corporation's {part} ({version})",
        description=LIMITS_NOTE,
        tags=["hojin" if version == "v2" else "hojin v1"],
        operation_id=f"get_hojin_{part}_{version}",
    )
    route(handle)


for _part in updates.PARTS:
    _register("v2", _part)
for _part in V1_PARTS:
    _register("v1", _part)


@router.get(
    "/hojin/v1/hojin/<corporate_number>",
    summary="A corporation's full record (v1: the same envelope as v2)",
    description=LIMITS_NOTE,
    tags=["hojin v1"],
)
def handle_get_hojin_v1(
    corporate_number: Annotated[CorporateNumber, Path(description="13-digit corporate number")],
    metadata_flg: Annotated[str | None, Query(description="true adds the meta-data block")] = None,
) -> dict[str, Any]:
    return get_full_record(corporate_number, metadata_flg)


def get_full_record(corporate_number: str, metadata_flg: str | None) -> dict[str, Any]:
    """The whole record; with ``metadata_flg=true`` a ``meta-data`` entry for each part it holds."""
    admit()
    with_meta = parse_metadata_flg(metadata_flg)
    document = get_store().get_record(corporate_number)
    if document is None:
        raise NotFound(f"no corporation with corporate number {corporate_number}")
    record = dict(document)
    if with_meta:
        present = ["corporation"] + [
            part for part in updates.PARTS if part != "corporation" and document.get(updates.PART_FIELDS[part][1])
        ]
        record["meta-data"] = updates.meta_data(document, present)
    return {"id": None, "message": OK_MESSAGE, "errors": [], "hojin-infos": [record]}
