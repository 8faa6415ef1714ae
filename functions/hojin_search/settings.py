from __future__ import annotations

from functools import cache

from pydantic import Field

from platform_common.settings import ServiceSettings

SERVICE = "hojin_search"


class HojinSearchSettings(ServiceSettings):
    hojin_table_name: str = Field(alias="HOJIN_TABLE_NAME", min_length=3)
    api_tokens_table_name: str = Field(alias="API_TOKENS_TABLE_NAME", min_length=3)


@cache
def get_settings() -> HojinSearchSettings:
    return HojinSearchSettings()  # values come from the environment
