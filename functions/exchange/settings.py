from __future__ import annotations

from functools import cache

from pydantic import Field

from platform_common.settings import ServiceSettings

SERVICE = "exchange"


class ExchangeSettings(ServiceSettings):
    registry_table_name: str = Field(alias="REGISTRY_TABLE_NAME", min_length=3)
    member_classes_list: str = Field(
        default="GOV,COM,NGO,NEE",
        alias="XROAD_MEMBER_CLASSES",
        pattern=r"^[A-Z]{2,16}(,[A-Z]{2,16})*$",
        description="Member classes of the instance, comma-separated (X-Road's global configuration)",
    )
    # The X-Road instance this deployment serves (the first part of every identifier)
    xroad_instance: str = Field(default="JP-DEV", alias="XROAD_INSTANCE", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    # Administrative changes (members, keys, services, rights, consents) are audited into the registry table
    # and archived write-once to this bucket (not AUDIT_BUCKET_NAME: the devstack runs every function in one process)
    audit_bucket_name: str = Field(default="", alias="EXCHANGE_AUDIT_BUCKET_NAME")
    # The portal pages (routers/portal_*.py): signed in at gBizID as the confidential client
    # EXCHANGE_PORTAL_CLIENT_ID, its secret in Secrets Manager, browser sessions in web-sessions; the redirect URI
    # is {EXCHANGE_PUBLIC_URL}/exchange/callback
    oidc_issuer: str = Field(default="", alias="OIDC_ISSUER")
    public_url: str = Field(default="", alias="EXCHANGE_PUBLIC_URL", pattern=r"^(https?://[^/?#\s]+)?$")
    portal_client_id: str = Field(default="exchange-portal", alias="EXCHANGE_PORTAL_CLIENT_ID", min_length=1)
    portal_client_secret_id: str = Field(default="", alias="EXCHANGE_PORTAL_CLIENT_SECRET_ID")
    sessions_table_name: str = Field(default="", alias="EXCHANGE_SESSIONS_TABLE_NAME")

    # The protocol (functions/exchange/protocol.py): the message log's archive, the exchange's own key (timestamps,
    # key directory), the open data the gBizINFO service reads, and the external providers' time limit
    message_log_bucket_name: str = Field(default="", alias="MESSAGE_LOG_BUCKET_NAME")
    signing_key_id: str = Field(default="", alias="EXCHANGE_SIGNING_KEY_ID")
    hojin_table_name: str = Field(default="", alias="HOJIN_TABLE_NAME")
    provider_timeout_seconds: float = Field(default=10.0, alias="EXCHANGE_PROVIDER_TIMEOUT_SECONDS", gt=0, le=30)

    @property
    def member_classes(self) -> frozenset[str]:
        return frozenset(self.member_classes_list.split(","))


@cache
def get_settings() -> ExchangeSettings:
    return ExchangeSettings()  # values come from the environment
