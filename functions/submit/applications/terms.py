"""The subsidy fields an application depends on, read from the stored subsidy document.

One adapter between the catalogue's document and the applications (the field names are listed in
docs/design/jgrants.md, "The subsidy fields applications read"). It reads the stored JSON itself rather than
the catalogue's model, so an application can never be judged against a document the catalogue would reject
partially: a malformed field fails loudly here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from functions.submit.settings import get_settings
from platform_common import aws
from platform_common.errors import NotFound

Tier = Literal["entry", "prime"]
FORMATS: Final = ("pdf", "png", "jpeg", "xlsx", "docx", "csv")
_CODE: Final = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class AttachmentRequirement:
    code: str
    label_ja: str
    label_en: str
    formats: tuple[str, ...]
    exchange_service: str | None  # the data exchange can supply it instead of an upload


@dataclass(frozen=True)
class SubsidyTerms:
    subsidy_id: str
    title: str
    minimum_tier: Tier
    acceptance_start: datetime | None
    acceptance_end: datetime | None
    max_amount: int | None
    attachments: tuple[AttachmentRequirement, ...]
    form_schema: dict[str, Any]

    def accepting(self, now: datetime) -> bool:
        """Open at ``now`` (server time): started and not yet ended; no start date means not open."""
        if self.acceptance_start is None or now < self.acceptance_start:
            return False
        return self.acceptance_end is None or now <= self.acceptance_end

    def attachment(self, code: str) -> AttachmentRequirement | None:
        return next((a for a in self.attachments if a.code == code), None)


def _datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"subsidy date-time {value!r} has no time zone")
    return parsed


def _attachment(raw: dict[str, Any]) -> AttachmentRequirement:
    code = str(raw.get("code", ""))
    if not _CODE.match(code):
        raise ValueError(f"attachment code {code!r} is not lowercase letters, digits and _")
    formats = tuple(str(f) for f in raw.get("formats") or FORMATS)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"attachment {code}: unknown formats {sorted(unknown)}")
    label_ja = str(raw.get("label") or code)
    return AttachmentRequirement(
        code=code,
        label_ja=label_ja,
        label_en=str(raw.get("label_en") or label_ja),
        formats=formats,
        exchange_service=str(raw["exchange_service"]) if raw.get("exchange_service") else None,
    )


def terms_from_document(document: dict[str, Any]) -> SubsidyTerms:
    raw_tier = document.get("minimum_tier") or "entry"
    if raw_tier not in ("entry", "prime"):
        raise ValueError(f"subsidy {document.get('id')}: minimum_tier {raw_tier!r} is neither entry nor prime")
    tier: Tier = "prime" if raw_tier == "prime" else "entry"
    schema = document.get("form_schema") or {"type": "object", "properties": {}}
    if not isinstance(schema, dict):
        raise ValueError(f"subsidy {document.get('id')}: form_schema is not an object")
    limit = document.get("subsidy_max_limit")
    return SubsidyTerms(
        subsidy_id=str(document["id"]),
        title=str(document.get("title") or document["id"]),
        minimum_tier=tier,
        acceptance_start=_datetime(document.get("acceptance_start_datetime")),
        acceptance_end=_datetime(document.get("acceptance_end_datetime")),
        max_amount=int(limit) if limit is not None else None,
        attachments=tuple(_attachment(a) for a in document.get("attachments") or ()),
        form_schema=schema,
    )


def load_terms(subsidy_id: str) -> SubsidyTerms:
    """The subsidy's terms; 404 naming the field for an unknown id."""
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=get_settings().subsidies_table_name,
            Key={"id": {"S": subsidy_id}},
            ProjectionExpression="document",
            ConsistentRead=True,  # an operator's change of the deadline applies at once
        )
        .get("Item")
    )
    if not item or "document" not in item:
        raise NotFound(f"no subsidy {subsidy_id}")
    document = json.loads(item["document"]["S"])
    return terms_from_document(document)
