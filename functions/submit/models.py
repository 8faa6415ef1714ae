"""jGrants wire models and the subsidy domain model.

Field names are the real public API's (``api.jgrants-portal.go.jp/exp/v1/public``), so existing clients
parse our answers. Date-times travel as jGrants writes them, UTC with milliseconds
(``2026-04-01T00:00:00.000Z``). Amounts are integers of yen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

SortKey = Literal["created_date", "acceptance_start_datetime", "acceptance_end_datetime"]
SortOrder = Literal["ASC", "DESC"]
MinimumTier = Literal["entry", "prime"]
AttachmentFormat = Literal["pdf", "png", "jpeg", "xlsx", "docx", "csv"]

KEYWORD_MIN_LENGTH = 2
KEYWORD_MAX_LENGTH = 255


def format_jgrants_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


JGrantsDateTime = Annotated[AwareDatetime, PlainSerializer(format_jgrants_datetime, return_type=str, when_used="json")]
FilterText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


# --- domain ---------------------------------------------------------------------------------------------


class AttachmentRequirement(_Wire):
    """One document an application must carry (添付書類), or the data exchange supplies instead."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="The attachment kind, e.g. tax_certificate")
    label: str = Field(min_length=1, max_length=100, description="Japanese name, e.g. 納税証明書")
    label_en: str = Field(min_length=1, max_length=100, description="English name")
    formats: list[AttachmentFormat] = Field(min_length=1, max_length=6, description="Accepted file formats")
    exchange_service: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$",
        description="Data-exchange service (INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE) that supplies this document instead "
        "of an upload",
    )


class SubsidyContent(_Wire):
    """What a ministry operator edits of a subsidy: jGrants' public fields and this platform's own.

    ``use_purpose``, ``industry`` and ``target_area_search`` may hold several values joined by ``" / "``,
    as in jGrants. ``form_schema`` is the application form as JSON Schema 2020-12
    (:mod:`functions.submit.catalog.form_schema` checks it); ``x-prefill`` on a property names its source.
    """

    name: str = Field(min_length=1, description="Subsidy number, e.g. S-00001234")
    title: str = Field(min_length=1)
    subsidy_catch_phrase: str | None = None
    detail: str | None = None
    use_purpose: str | None = None
    industry: str | None = None
    target_area_search: str | None = None
    target_area_detail: str | None = None
    target_number_of_employees: str | None = None
    subsidy_rate: str | None = None
    subsidy_max_limit: int | None = Field(default=None, ge=0, description="Upper limit in yen")
    acceptance_start_datetime: JGrantsDateTime | None = None
    acceptance_end_datetime: JGrantsDateTime | None = None
    project_end_deadline: JGrantsDateTime | None = None
    # -- what only this platform holds (docs/design/jgrants.md "The subsidy document")
    published: bool = Field(default=True, description="false: an operator's draft, not public yet")
    minimum_tier: MinimumTier = Field(default="entry", description="entry: any gBizID; prime: Prime or Member")
    attachments: list[AttachmentRequirement] = Field(default_factory=list, max_length=30)
    form_schema: dict[str, Any] | None = Field(default=None, description="The application form (JSON Schema)")


class Subsidy(SubsidyContent):
    """One subsidy as the catalogue stores it: the content, its id and the server's dates."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    created_date: JGrantsDateTime | None = None
    updated_date: JGrantsDateTime | None = None


@dataclass(frozen=True)
class SubsidySearch:
    """What a catalogue search asks for, free of HTTP (built from :class:`SubsidySearchRequest`)."""

    keyword: str
    sort: SortKey = "created_date"
    order: SortOrder = "DESC"
    accepting_only: bool = False
    use_purpose: str | None = None
    industry: str | None = None
    target_number_of_employees: str | None = None
    target_area_search: str | None = None


# --- request --------------------------------------------------------------------------------------------


class SubsidySearchRequest(BaseModel):
    """Query parameters of ``GET /exp/v1/public/subsidies``."""

    model_config = ConfigDict(extra="ignore")

    keyword: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=KEYWORD_MIN_LENGTH, max_length=KEYWORD_MAX_LENGTH),
    ] = Field(description="Words to find in the name, title, catch phrase or detail (2-255 characters)")
    sort: SortKey = Field(default="created_date", description="Field to sort by")
    order: SortOrder = Field(default="DESC", description="Sort order")
    acceptance: Literal["0", "1"] = Field(default="0", description="1: only subsidies accepting applications now")
    use_purpose: FilterText | None = Field(default=None, description="利用目的, e.g. 設備整備・IT導入をしたい")
    industry: FilterText | None = Field(default=None, description="業種, e.g. 製造業")
    target_number_of_employees: FilterText | None = Field(default=None, description="従業員数, e.g. 20名以下")
    target_area_search: FilterText | None = Field(default=None, description="地域, e.g. 東京都 (全国 always fits)")

    def to_search(self) -> SubsidySearch:
        return SubsidySearch(
            keyword=self.keyword,
            sort=self.sort,
            order=self.order,
            accepting_only=self.acceptance == "1",
            use_purpose=self.use_purpose,
            industry=self.industry,
            target_number_of_employees=self.target_number_of_employees,
            target_area_search=self.target_area_search,
        )


# --- response -------------------------------------------------------------------------------------------


class SubsidySummary(_Wire):
    """One row of a search result."""

    id: str
    name: str
    title: str
    target_area_search: str | None
    subsidy_max_limit: int | None
    acceptance_start_datetime: JGrantsDateTime | None
    acceptance_end_datetime: JGrantsDateTime | None
    target_number_of_employees: str | None

    @classmethod
    def from_subsidy(cls, subsidy: Subsidy) -> SubsidySummary:
        return cls(
            id=subsidy.id,
            name=subsidy.name,
            title=subsidy.title,
            target_area_search=subsidy.target_area_search,
            subsidy_max_limit=subsidy.subsidy_max_limit,
            acceptance_start_datetime=subsidy.acceptance_start_datetime,
            acceptance_end_datetime=subsidy.acceptance_end_datetime,
            target_number_of_employees=subsidy.target_number_of_employees,
        )


class ResultSet(_Wire):
    count: int


class Metadata(_Wire):
    type: Literal["application/json"] = "application/json"
    resultset: ResultSet


class SubsidiesResponse(_Wire):
    """The jGrants envelope of ``GET /subsidies``."""

    metadata: Metadata
    result: list[SubsidySummary]

    @classmethod
    def of(cls, subsidies: list[Subsidy]) -> SubsidiesResponse:
        return cls(
            metadata=Metadata(resultset=ResultSet(count=len(subsidies))),
            result=[SubsidySummary.from_subsidy(s) for s in subsidies],
        )


class SubsidyDetail(_Wire):
    """``GET /subsidies/id/{id}``: jGrants' detail fields, the attachments asked for and the minimum tier."""

    id: str
    name: str
    title: str
    subsidy_catch_phrase: str | None
    detail: str | None
    use_purpose: str | None
    industry: str | None
    target_area_search: str | None
    target_area_detail: str | None
    target_number_of_employees: str | None
    subsidy_rate: str | None
    subsidy_max_limit: int | None
    acceptance_start_datetime: JGrantsDateTime | None
    acceptance_end_datetime: JGrantsDateTime | None
    project_end_deadline: JGrantsDateTime | None
    created_date: JGrantsDateTime | None
    attachments: list[AttachmentRequirement]
    minimum_tier: MinimumTier

    @classmethod
    def from_subsidy(cls, subsidy: Subsidy) -> SubsidyDetail:
        return cls.model_validate(subsidy.model_dump(include=set(cls.model_fields)))


class SubsidyDetailResponse(_Wire):
    """The jGrants envelope of ``GET /subsidies/id/{id}``: a result list holding the one subsidy."""

    metadata: Metadata
    result: list[SubsidyDetail]

    @classmethod
    def of(cls, subsidy: Subsidy) -> SubsidyDetailResponse:
        return cls(metadata=Metadata(resultset=ResultSet(count=1)), result=[SubsidyDetail.from_subsidy(subsidy)])
