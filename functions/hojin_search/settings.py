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
    # The token page (routers/token_page.py): its browser sessions, the Secrets Manager secret holding its client
    # secret, and the origin the pages are served at (its redirect URI is {HOJIN_PUBLIC_URL}/hojin/tokens/callback)
    sessions_table_name: str = Field(alias="HOJIN_SESSIONS_TABLE_NAME", min_length=3)
    tokens_client_secret_id: str = Field(alias="HOJIN_TOKENS_CLIENT_SECRET_ID", min_length=1)
    public_url: str = Field(default="", alias="HOJIN_PUBLIC_URL", pattern=r"^(https?://[^/?#\s]+)?$")
    # SPARQL on Amazon Neptune (CDK option sparql_engine=neptune): the cluster endpoint; empty = embedded engine
    neptune_endpoint: str = Field(default="", alias="NEPTUNE_ENDPOINT")


@cache
def get_settings() -> HojinSearchSettings:
    return HojinSearchSettings()  # values come from the environment
