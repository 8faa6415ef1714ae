"""The Prime application form's validation and the stored application's round trip."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from functions.auth.prime.models import ApplicationStatus, PrimeApplicationItem, PrimeApplicationRequest

VALID: dict[str, Any] = {
    "corporate_number": "8999900000001",
    "corporation_name": "デモ工業株式会社",
    "head_office_address": "東京都千代田区霞が関１丁目３番１号",
    "representative_name": "経済 太郎",
    "representative_kana": "ケイザイ タロウ",
    "contact_phone": "03-1234-5678",
}


def _error_fields(**changes: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        PrimeApplicationRequest.model_validate({**VALID, **changes})
    return {str(e["loc"][0]): str(e["msg"]) for e in refused.value.errors()}


def test_given_full_width_or_hyphenated_number_when_validated_then_it_is_the_13_digits() -> None:
    assert PrimeApplicationRequest.model_validate(
        {**VALID, "corporate_number": "８９９９９０００００００１"}
    ).corporate_number == ("8999900000001")
    assert PrimeApplicationRequest.model_validate(
        {**VALID, "corporate_number": "8-9999-0000-0001"}
    ).corporate_number == ("8999900000001")


def test_given_wrong_check_digit_when_validated_then_the_error_names_the_field_and_says_why() -> None:
    errors = _error_fields(corporate_number="1999900000001")
    assert list(errors) == ["corporate_number"]
    assert "check digit" in errors["corporate_number"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("representative_kana", "けいざい"),
        ("contact_phone", "call me"),
        ("corporation_name", ""),
        ("corporate_number", ""),
    ],
)
def test_given_bad_value_when_validated_then_its_field_is_named(field: str, value: str) -> None:
    assert field in _error_fields(**{field: value})


def test_signed_fields_bind_the_applicant_account() -> None:
    request = PrimeApplicationRequest.model_validate(VALID)
    signed = request.signed_fields("entry@demo-a.example.jp")
    assert signed["applicant_email"] == "entry@demo-a.example.jp"
    assert "contact_phone" not in signed


def test_stored_application_round_trips_and_is_indexed_by_status() -> None:
    application = PrimeApplicationItem(
        application_id="abc",
        applicant_sub="sub-1",
        applicant_email="entry@example.jp",
        procedure="jp_gbizid_document_corporation",
        seal_certificate_key="prime-applications/abc/x.pdf",
        submitted_at=1_800_000_000,
        **VALID,
    )
    item = application.to_item()
    assert item["gsi1pk"] == {"S": "PRIMEAPPS#SUBMITTED"}
    assert PrimeApplicationItem.from_item(item) == application
    decided = application.decided(ApplicationStatus.REJECTED, "operator", "不鮮明", 1_800_000_100)
    assert decided.to_item()["gsi1pk"] == {"S": "PRIMEAPPS#REJECTED"}
