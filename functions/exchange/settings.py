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

    @property
    def member_classes(self) -> frozenset[str]:
        return frozenset(self.member_classes_list.split(","))


@cache
def get_settings() -> ExchangeSettings:
    return ExchangeSettings()  # values come from the environment
