from __future__ import annotations

from functools import cache

from pydantic import Field

from platform_common.settings import ServiceSettings

SERVICE = "hojin_search"


class HojinSearchSettings(ServiceSettings):
    hojin_table_name: str = Field(alias="HOJIN_TABLE_NAME", min_length=3)
    api_tokens_table_name: str = Field(alias="API_TOKENS_TABLE_NAME", min_length=3)
    changes_table_name: str = Field(alias="CHANGES_TABLE_NAME", min_length=3)
    open_data_bucket_name: str = Field(alias="OPEN_DATA_BUCKET_NAME", min_length=3)
    # API tokens: the issuer whose access tokens the token page presents, and the client it registered
    oidc_issuer: str = Field(default="", alias="OIDC_ISSUER")
    tokens_client_id: str = Field(default="gbizinfo-tokens", alias="HOJIN_TOKENS_CLIENT_ID")


@cache
def get_settings() -> HojinSearchSettings:
    return HojinSearchSettings()  # values come from the environment
