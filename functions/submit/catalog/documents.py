"""Wire models of the operators' catalogue API (``/submit/v1/operator/subsidies``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from functions.submit.dal import SubsidyItem
from functions.submit.models import JGrantsDateTime, Subsidy, SubsidyContent

SUBSIDY_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class SubsidyCreateRequest(SubsidyContent):
    """A new subsidy; without ``id`` the server chooses one."""

    id: str | None = Field(default=None, pattern=SUBSIDY_ID_PATTERN, description="Optional id of the new subsidy")


class OperatorSubsidy(Subsidy):
    """The full document with its version (also sent as the ``ETag``; send it back in ``If-Match``)."""

    version: int = Field(ge=1)

    @classmethod
    def from_item(cls, item: SubsidyItem) -> OperatorSubsidy:
        return cls.model_validate({**item.to_subsidy().model_dump(), "version": item.version})


class OperatorSubsidySummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    title: str
    published: bool
    version: int
    acceptance_start_datetime: JGrantsDateTime | None
    acceptance_end_datetime: JGrantsDateTime | None
    updated_date: JGrantsDateTime | None

    @classmethod
    def from_item(cls, item: SubsidyItem) -> OperatorSubsidySummary:
        subsidy = item.to_subsidy()
        return cls(
            id=subsidy.id,
            name=subsidy.name,
            title=subsidy.title,
            published=subsidy.published,
            version=item.version,
            acceptance_start_datetime=subsidy.acceptance_start_datetime,
            acceptance_end_datetime=subsidy.acceptance_end_datetime,
            updated_date=subsidy.updated_date,
        )


class OperatorSubsidyList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int
    subsidies: list[OperatorSubsidySummary]
