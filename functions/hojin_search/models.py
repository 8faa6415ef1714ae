"""gBizINFO v2 wire models. Field names are the real API's, so existing clients parse our answers.

Amounts are consistent on our side (the real service mixes strings, numbers and "Null"): every amount is
an integer number of yen, or absent.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from platform_common.corporate_number import validate_corporate_number

CorporateNumber = Annotated[str, AfterValidator(validate_corporate_number)]


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class Subsidy(_Wire):
    title: str
    amount: int | None = Field(default=None, description="Amount in yen")
    date_of_approval: str | None = None
    government_departments: str | None = None
    target: str | None = None
    note: str | None = None


class Procurement(_Wire):
    title: str
    amount: int | None = Field(default=None, description="Amount in yen")
    date_of_order: str | None = None
    government_departments: str | None = None
    note: str | None = None


class Certification(_Wire):
    title: str
    category: str | None = None
    date_of_approval: str | None = None
    enterprise_scale: str | None = None
    expiration_date: str | None = None
    government_departments: str | None = None
    target: str | None = None


class Commendation(_Wire):
    title: str
    category: str | None = None
    date_of_commendation: str | None = None
    government_departments: str | None = None
    target: str | None = None


class Patent(_Wire):
    patent_type: str = Field(description="特許, 意匠 or 商標")
    application_number: str
    application_date: str | None = None
    title: str
    classification: str | None = None
    url: str | None = None


class ManagementIndex(_Wire):
    """One fiscal period's figures; every amount is an integer of yen and may be negative (a loss)."""

    period: str
    net_sales_summary_of_business_results: int | None = None
    operating_revenue1_summary_of_business_results: int | None = None
    ordinary_income_loss_summary_of_business_results: int | None = None
    net_income_loss_summary_of_business_results: int | None = None
    capital_stock_summary_of_business_results: int | None = None
    net_assets_summary_of_business_results: int | None = None
    total_assets_summary_of_business_results: int | None = None
    number_of_employees: int | None = None


class Finance(_Wire):
    accounting_standards: str | None = None
    fiscal_year_cover_page: str | None = None
    major_shareholders: list[dict[str, str | int | float | None]] = Field(default_factory=list)
    management_index: list[ManagementIndex] = Field(default_factory=list)


class WorkplaceInfo(_Wire):
    base_infos: dict[str, float | int | None] = Field(default_factory=dict)
    women_activity_infos: dict[str, float | int | None] = Field(default_factory=dict)
    compatibility_of_childcare_and_work: dict[str, float | int | None] = Field(default_factory=dict)


class HojinInfo(_Wire):
    """One corporation's full record (``GET /v2/hojin/{corporate_number}``)."""

    corporate_number: CorporateNumber
    name: str
    kana: str | None = None
    name_en: str | None = None
    kind: str | None = Field(default=None, description="NTA kind code: 301 株式会社, 305 合同会社, ...")
    postal_code: str | None = None
    location: str | None = None
    prefecture_code: str | None = None
    city_code: str | None = None
    status: str | None = None
    close_date: str | None = None
    close_cause: str | None = None
    representative_name: str | None = None
    capital_stock: int | None = None
    employee_number: int | None = None
    date_of_establishment: str | None = None
    founding_year: int | None = None
    business_summary: str | None = None
    company_url: str | None = None
    industry: list[str] = Field(default_factory=list)
    qualification_grade: str | None = None
    update_date: str | None = None
    certification: list[Certification] = Field(default_factory=list)
    commendation: list[Commendation] = Field(default_factory=list)
    procurement: list[Procurement] = Field(default_factory=list)
    subsidy: list[Subsidy] = Field(default_factory=list)
    patent: list[Patent] = Field(default_factory=list)
    finance: Finance | None = None
    workplace_info: WorkplaceInfo | None = None


class HojinInfoResponse(_Wire):
    """The gBizINFO envelope."""

    id: str | None = None
    message: str = "200 - OK."
    errors: list[dict[str, str]] = Field(default_factory=list)
    hojin_infos: list[HojinInfo] = Field(default_factory=list, alias="hojin-infos")
