"""Prime applications: what the applicant submits (validated), and the stored application item."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from platform_common.corporate_number import InvalidCorporateNumber, validate_corporate_number

Item = dict[str, dict[str, Any]]


class RequestOrigin(TypedDict, total=False):
    """Where a request came from, as keyword arguments of ``record_event`` (``audit.request_origin``)."""

    source_ip: str | None
    user_agent: str | None


PRIMEAPP_PREFIX: Final = "PRIMEAPP#"
PRIMEAPP_SK: Final = "APPLICATION"
PRIMEAPP_STATUS_PREFIX: Final = "PRIMEAPPS#"  # gsi1pk: applications by status, oldest first

PROCEDURE_DOCUMENT: Final = "jp_gbizid_document_corporation"  # seal certificate, reviewed by an operator
PROCEDURE_ONLINE: Final = "jp_gbizid_online_corporation"  # the representative's electronic signature


class ApplicationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"  # waiting for an operator's decision
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class PrimeApplicationRequest(BaseModel):
    """The application form. Every message names its field; values are kept as typed (NFC, trimmed)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    corporate_number: str = Field(min_length=1)
    corporation_name: str = Field(min_length=1, max_length=200)
    head_office_address: str = Field(min_length=1, max_length=300)
    representative_name: str = Field(min_length=1, max_length=100)
    representative_kana: str = Field(min_length=1, max_length=100)
    contact_phone: str = Field(min_length=10, max_length=20, pattern=r"^\+?[0-9][0-9\- ]{8,18}[0-9]$")

    @field_validator("corporate_number", mode="before")
    @classmethod
    def _corporate_number(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = unicodedata.normalize("NFKC", value).replace("-", "").replace(" ", "")
        try:
            return validate_corporate_number(text)
        except InvalidCorporateNumber as error:
            raise ValueError(str(error)) from None

    @field_validator(
        "corporation_name", "head_office_address", "representative_name", "representative_kana", mode="before"
    )
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value

    @field_validator("representative_kana")
    @classmethod
    def _katakana(cls, value: str) -> str:
        folded = unicodedata.normalize("NFKC", value)
        if not all(("\u30a0" <= char <= "\u30ff") or char in " \u3000" for char in folded):
            raise ValueError("write the reading in katakana")
        return value

    def signed_fields(self, applicant_email: str) -> dict[str, str]:
        """What the representative signs on the online path: the identity facts and the applicant account."""
        return {
            "corporate_number": self.corporate_number,
            "corporation_name": self.corporation_name,
            "head_office_address": self.head_office_address,
            "representative_name": self.representative_name,
            "representative_kana": self.representative_kana,
            "applicant_email": applicant_email,
        }


def _now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class PrimeApplicationItem:
    """A stored application (``PRIMEAPP#<id>`` / ``APPLICATION``). Indexed by status for the operator."""

    application_id: str
    applicant_sub: str
    applicant_email: str
    corporate_number: str
    corporation_name: str
    head_office_address: str
    representative_name: str
    representative_kana: str
    contact_phone: str
    procedure: str
    status: ApplicationStatus = ApplicationStatus.SUBMITTED
    lang: str = "ja"
    seal_certificate_key: str | None = None
    seal_certificate_type: str | None = None
    execution_arn: str | None = None
    review_task_token: str | None = None  # written by the prime-review execution while it waits
    workflow_status: str | None = None  # written by the execution: AWAITING_DECISION, APPROVED, REJECTED
    decided_by: str | None = None
    decision_reason: str | None = None
    decided_at: int | None = None
    submitted_at: int = field(default_factory=_now)

    def key(self) -> Item:
        return {"pk": {"S": PRIMEAPP_PREFIX + self.application_id}, "sk": {"S": PRIMEAPP_SK}}

    def to_item(self) -> Item:
        item: Item = {
            **self.key(),
            "gsi1pk": {"S": PRIMEAPP_STATUS_PREFIX + self.status.value},
            "gsi1sk": {"S": f"{self.submitted_at:012d}#{self.application_id}"},
            "status": {"S": self.status.value},
            "submitted_at": {"N": str(self.submitted_at)},
        }
        for name in (
            "application_id",
            "applicant_sub",
            "applicant_email",
            "corporate_number",
            "corporation_name",
            "head_office_address",
            "representative_name",
            "representative_kana",
            "contact_phone",
            "procedure",
            "lang",
            "seal_certificate_key",
            "seal_certificate_type",
            "execution_arn",
            "review_task_token",
            "workflow_status",
            "decided_by",
            "decision_reason",
        ):
            value = getattr(self, name)
            if value is not None:
                item[name] = {"S": value}
        if self.decided_at is not None:
            item["decided_at"] = {"N": str(self.decided_at)}
        return item

    @classmethod
    def from_item(cls, item: Item) -> PrimeApplicationItem:
        def s(name: str) -> str | None:
            value = item.get(name)
            return None if value is None else str(value["S"])

        decided_at = item.get("decided_at")
        return cls(
            application_id=item["application_id"]["S"],
            applicant_sub=item["applicant_sub"]["S"],
            applicant_email=item["applicant_email"]["S"],
            corporate_number=item["corporate_number"]["S"],
            corporation_name=item["corporation_name"]["S"],
            head_office_address=item["head_office_address"]["S"],
            representative_name=item["representative_name"]["S"],
            representative_kana=item["representative_kana"]["S"],
            contact_phone=item["contact_phone"]["S"],
            procedure=item["procedure"]["S"],
            status=ApplicationStatus(item["status"]["S"]),
            lang=s("lang") or "ja",
            seal_certificate_key=s("seal_certificate_key"),
            seal_certificate_type=s("seal_certificate_type"),
            execution_arn=s("execution_arn"),
            review_task_token=s("review_task_token"),
            workflow_status=s("workflow_status"),
            decided_by=s("decided_by"),
            decision_reason=s("decision_reason"),
            decided_at=None if decided_at is None else int(decided_at["N"]),
            submitted_at=int(item["submitted_at"]["N"]),
        )

    def decided(self, status: ApplicationStatus, by: str, reason: str | None, at: int) -> PrimeApplicationItem:
        return replace(self, status=status, decided_by=by, decision_reason=reason, decided_at=at)
