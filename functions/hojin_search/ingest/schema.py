"""The fields of each activity category: one table of pydantic models, gBizINFO's field names.

Each model says which fields a ministry's file must carry and what kind of value each holds. The
vectorised validator (:mod:`.validate`) reads the kinds from these models, and the row-by-row path
validates with the models themselves, so there is one definition of a category's fields.

Kinds (``json_schema_extra={"kind": ...}``):

- ``number``: the 13-digit corporate number with its check digit (full-width digits accepted)
- ``text``: trimmed text; required means non-empty
- ``date``: ``YYYY-MM-DD``; ``YYYY/MM/DD``, ``YYYY.MM.DD`` (one-digit month and day too) and Japanese era
  dates ``令和5年4月1日`` / ``平成31年4月30日`` / ``昭和…`` (元年 too) are accepted and stored as ``YYYY-MM-DD``
- ``amount``: a non-negative integer of yen: ``1,000,000``, ``１０００``, ``1000円`` are accepted and stored as
  ``1000000`` / ``1000``; negative and non-numeric values are refused
- ``signed_amount``: an integer of yen that may be negative (a loss), otherwise as ``amount``
- ``decimal``: a non-negative decimal number (ages, years, hours, percentages)
- ``integer``: a non-negative integer count
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from platform_common.corporate_number import validate_corporate_number

Kind = Literal["number", "text", "date", "amount", "signed_amount", "decimal", "integer"]

ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911, "明治": 1867}
_ISO_LIKE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_ERA = re.compile(r"(令和|平成|昭和|大正|明治)([0-9]{1,2}|元)年([0-9]{1,2})月([0-9]{1,2})日")
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_DECIMAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?")


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value: Any) -> str:
    text = _clean(value)
    iso = _ISO_LIKE.fullmatch(text)
    era = _ERA.fullmatch(text)
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    elif era:
        year = ERAS[era[1]] + (1 if era[2] == "元" else int(era[2]))
        month, day = int(era[3]), int(era[4])
    else:
        raise ValueError("a date is YYYY-MM-DD (or YYYY/MM/DD, or 令和5年4月1日)")
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise ValueError("no such calendar date") from None


def parse_amount(value: Any, *, signed: bool = False) -> int:
    text = _clean(value).replace(",", "").removesuffix("円")
    if not _INTEGER.fullmatch(text):
        raise ValueError("an amount is a whole number of yen")
    number = int(text)
    if number < 0 and not signed:
        raise ValueError("an amount cannot be negative")
    return number


def parse_decimal(value: Any) -> float:
    text = _clean(value).replace(",", "")
    if not _DECIMAL.fullmatch(text):
        raise ValueError("a non-negative decimal number is expected")
    return float(text)


def parse_integer(value: Any) -> int:
    text = _clean(value).replace(",", "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ValueError("a non-negative whole number is expected")
    return int(text)


def parse_number(value: Any) -> str:
    return validate_corporate_number(_clean(value))


def _text_or_none(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _required_text(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("required")
    return text


def _optional(parser: Any) -> Any:
    def parse(value: Any) -> Any:
        return None if _clean(value) == "" else parser(value)

    return parse


def _required(parser: Any) -> Any:
    def parse(value: Any) -> Any:
        if _clean(value) == "":
            raise ValueError("required")
        return parser(value)

    return parse


def _field(kind: Kind, *, required: bool, description: str = "") -> Any:
    return Field(default=... if required else None, description=description, json_schema_extra={"kind": kind})


CorporateNumber = Annotated[str, BeforeValidator(_required(parse_number))]
RequiredText = Annotated[str, BeforeValidator(_required_text)]
OptionalText = Annotated[str | None, BeforeValidator(_text_or_none)]
RequiredDate = Annotated[str, BeforeValidator(_required(parse_date))]
OptionalDate = Annotated[str | None, BeforeValidator(_optional(parse_date))]
RequiredAmount = Annotated[int, BeforeValidator(_required(parse_amount))]
OptionalAmount = Annotated[int | None, BeforeValidator(_optional(parse_amount))]
OptionalSignedAmount = Annotated[int | None, BeforeValidator(_optional(lambda v: parse_amount(v, signed=True)))]
OptionalDecimal = Annotated[float | None, BeforeValidator(_optional(parse_decimal))]
OptionalInteger = Annotated[int | None, BeforeValidator(_optional(parse_integer))]


class ActivityRow(BaseModel):
    """Base of every category: unknown columns are ignored, values are normalised on the way in."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    corporate_number: CorporateNumber = _field("number", required=True)


class SubsidyRow(ActivityRow):
    title: RequiredText = _field("text", required=True, description="subsidy programme")
    amount: RequiredAmount = _field("amount", required=True, description="yen")
    date_of_approval: RequiredDate = _field("date", required=True)
    government_departments: RequiredText = _field("text", required=True)
    target: OptionalText = _field("text", required=False)


class ProcurementRow(ActivityRow):
    title: RequiredText = _field("text", required=True)
    amount: RequiredAmount = _field("amount", required=True, description="yen")
    date_of_order: RequiredDate = _field("date", required=True)
    government_departments: RequiredText = _field("text", required=True)
    note: OptionalText = _field("text", required=False)


class CertificationRow(ActivityRow):
    title: RequiredText = _field("text", required=True)
    category: OptionalText = _field("text", required=False)
    date_of_approval: RequiredDate = _field("date", required=True)
    enterprise_scale: OptionalText = _field("text", required=False)
    expiration_date: OptionalDate = _field("date", required=False)
    government_departments: RequiredText = _field("text", required=True)
    target: OptionalText = _field("text", required=False)


class CommendationRow(ActivityRow):
    title: RequiredText = _field("text", required=True)
    category: OptionalText = _field("text", required=False)
    date_of_commendation: RequiredDate = _field("date", required=True)
    government_departments: RequiredText = _field("text", required=True)
    target: OptionalText = _field("text", required=False)


class FinanceRow(ActivityRow):
    """One fiscal period of a corporation's statements (an item of gBizINFO's ``management_index``)."""

    period: RequiredDate = _field("date", required=True, description="end of the fiscal period")
    accounting_standards: OptionalText = _field("text", required=False)
    fiscal_year_cover_page: OptionalText = _field("text", required=False)
    net_sales_summary_of_business_results: OptionalSignedAmount = _field("signed_amount", required=False)
    operating_revenue1_summary_of_business_results: OptionalSignedAmount = _field("signed_amount", required=False)
    ordinary_income_loss_summary_of_business_results: OptionalSignedAmount = _field("signed_amount", required=False)
    net_income_loss_summary_of_business_results: OptionalSignedAmount = _field("signed_amount", required=False)
    capital_stock_summary_of_business_results: OptionalSignedAmount = _field("signed_amount", required=False)
    net_assets_summary_of_business_results: OptionalSignedAmount = _field("signed_amount", required=False)
    total_assets_summary_of_business_results: OptionalSignedAmount = _field("signed_amount", required=False)
    number_of_employees: OptionalInteger = _field("integer", required=False)


class PatentRow(ActivityRow):
    patent_type: RequiredText = _field("text", required=True, description="特許, 意匠 or 商標")
    application_number: RequiredText = _field("text", required=True)
    application_date: RequiredDate = _field("date", required=True)
    title: RequiredText = _field("text", required=True)
    classification: OptionalText = _field("text", required=False)
    url: OptionalText = _field("text", required=False)


class WorkplaceRow(ActivityRow):
    """One corporation's workplace figures (MHLW 職場情報); the newest row of a corporation wins."""

    date_of_report: RequiredDate = _field("date", required=True)
    average_age: OptionalDecimal = _field("decimal", required=False)
    average_continuous_service_years: OptionalDecimal = _field("decimal", required=False)
    month_average_predetermined_overtime_hours: OptionalDecimal = _field("decimal", required=False)
    female_workers_proportion: OptionalDecimal = _field("decimal", required=False, description="percent")
    female_share_of_manager: OptionalDecimal = _field("decimal", required=False, description="percent")
    number_of_maternity_leave: OptionalInteger = _field("integer", required=False)
    number_of_paternity_leave: OptionalInteger = _field("integer", required=False)


CATEGORY_MODELS: dict[str, type[ActivityRow]] = {
    "subsidy": SubsidyRow,
    "procurement": ProcurementRow,
    "certification": CertificationRow,
    "commendation": CommendationRow,
    "finance": FinanceRow,
    "patent": PatentRow,
    "workplace": WorkplaceRow,
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_MODELS)

# The date that orders a category's items inside a record (newest last).
DATE_FIELD = {
    "subsidy": "date_of_approval",
    "procurement": "date_of_order",
    "certification": "date_of_approval",
    "commendation": "date_of_commendation",
    "finance": "period",
    "patent": "application_date",
    "workplace": "date_of_report",
}


def field_kinds(category: str) -> dict[str, tuple[Kind, bool]]:
    """``{field: (kind, required)}`` of a category, in the model's order."""
    model = CATEGORY_MODELS[category]
    kinds: dict[str, tuple[Kind, bool]] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if not isinstance(extra, dict):
            raise TypeError(f"{model.__name__}.{name} has no kind")
        kinds[name] = (extra["kind"], info.is_required())  # type: ignore[assignment]
    return kinds
