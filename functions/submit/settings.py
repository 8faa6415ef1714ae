from __future__ import annotations

from functools import cache

from pydantic import Field

from platform_common.settings import ServiceSettings

SERVICE = "submit"


class SubmitSettings(ServiceSettings):
    subsidies_table_name: str = Field(alias="SUBSIDIES_TABLE_NAME", min_length=3)
    applications_table_name: str = Field(alias="APPLICATIONS_TABLE_NAME", min_length=3)
    review_state_machine_arn: str = Field(alias="REVIEW_STATE_MACHINE_ARN", pattern=r"^arn:aws[a-z-]*:states:")


@cache
def get_settings() -> SubmitSettings:
    return SubmitSettings()  # values come from the environment
