"""The exchange registry (DynamoDB, one table, ``pk``/``sk``): members, their subsystems and services.

Items, one dataclass each:

==============================================  ===========================  =========================
pk                                              sk                           item
==============================================  ===========================  =========================
``MEMBER#{instance}/{class}/{code}``            ``MEMBER``                   :class:`MemberItem`
``SUBSYSTEM#{instance}/{class}/{code}/{sub}``   ``SUBSYSTEM``                :class:`SubsystemItem`
``SUBSYSTEM#{instance}/{class}/{code}/{sub}``   ``SERVICE#{service_code}``   :class:`ServiceItem`
==============================================  ===========================  =========================

One query on a subsystem's ``pk`` returns the subsystem and all its services.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, cast

from functions.exchange.models import ServiceDescription, ServiceType, SubsystemId
from functions.exchange.settings import get_settings
from platform_common import aws

SUBSYSTEM_SK = "SUBSYSTEM"
MEMBER_SK = "MEMBER"
SERVICE_SK_PREFIX = "SERVICE#"


def subsystem_pk(subsystem: SubsystemId) -> str:
    return f"SUBSYSTEM#{subsystem}"


def _strings(item: dict[str, Any]) -> dict[str, str]:
    return {name: value["S"] for name, value in item.items() if "S" in value}


def _typed(values: dict[str, str]) -> dict[str, Any]:
    return {name: {"S": value} for name, value in values.items()}


@dataclass(frozen=True)
class MemberItem:
    """A member organisation (a ministry, an agency, a company) of an instance."""

    xroad_instance: str
    member_class: str
    member_code: str
    name: str
    kms_key_id: str = ""  # the member's signing key (functions.exchange.registry creates it)

    @property
    def pk(self) -> str:
        return f"MEMBER#{self.xroad_instance}/{self.member_class}/{self.member_code}"

    def to_dynamodb(self) -> dict[str, Any]:
        return _typed(
            {
                "pk": self.pk,
                "sk": MEMBER_SK,
                "xroad_instance": self.xroad_instance,
                "member_class": self.member_class,
                "member_code": self.member_code,
                "name": self.name,
                **({"kms_key_id": self.kms_key_id} if self.kms_key_id else {}),
            }
        )


@dataclass(frozen=True)
class SubsystemItem:
    """A subsystem of a member: the unit that provides services and that clients call from."""

    subsystem: SubsystemId
    name: str
    jwks: str = ""  # the public JWK Set (JSON) its requests are signed with

    def to_dynamodb(self) -> dict[str, Any]:
        return _typed(
            {
                "pk": subsystem_pk(self.subsystem),
                "sk": SUBSYSTEM_SK,
                "xroad_instance": self.subsystem.xroad_instance,
                "member_class": self.subsystem.member_class,
                "member_code": self.subsystem.member_code,
                "subsystem_code": self.subsystem.subsystem_code,
                "name": self.name,
                **({"jwks": self.jwks} if self.jwks else {}),
            }
        )

    @classmethod
    def from_dynamodb(cls, item: dict[str, Any]) -> SubsystemItem:
        values = _strings(item)
        return cls(subsystem=_subsystem_of(values), name=values["name"])


@dataclass(frozen=True)
class ServiceItem:
    """A service a subsystem provides, described by an OpenAPI document."""

    provider: SubsystemId
    service_code: str
    service_type: ServiceType
    title: str
    public: bool = False  # open data: no consent needed
    endpoint: str = ""  # an internal service's name (functions.exchange.services) or an https:// URL
    openapi: str = ""  # the OpenAPI 3 document (JSON)

    def to_dynamodb(self) -> dict[str, Any]:
        item = _typed(
            {
                "pk": subsystem_pk(self.provider),
                "sk": SERVICE_SK_PREFIX + self.service_code,
                "xroad_instance": self.provider.xroad_instance,
                "member_class": self.provider.member_class,
                "member_code": self.provider.member_code,
                "subsystem_code": self.provider.subsystem_code,
                "service_code": self.service_code,
                "service_type": self.service_type,
                "title": self.title,
                **({"endpoint": self.endpoint} if self.endpoint else {}),
                **({"openapi": self.openapi} if self.openapi else {}),
            }
        )
        item["public"] = {"BOOL": self.public}
        return item

    @classmethod
    def from_dynamodb(cls, item: dict[str, Any]) -> ServiceItem:
        values = _strings(item)
        return cls(
            provider=_subsystem_of(values),
            service_code=values["service_code"],
            service_type=cast(ServiceType, values["service_type"]),
            title=values.get("title", ""),
        )

    def to_service(self) -> ServiceDescription:
        return ServiceDescription(self.provider, self.service_code, self.service_type, self.title)


def _subsystem_of(values: dict[str, str]) -> SubsystemId:
    return SubsystemId(
        values["xroad_instance"], values["member_class"], values["member_code"], values["subsystem_code"]
    )


@dataclass(frozen=True)
class SubsystemListing:
    """A subsystem and the services it provides, as one query finds them."""

    subsystem: SubsystemItem
    services: tuple[ServiceItem, ...]


class Registry(Protocol):
    """What the logic needs from the registry (the DynamoDB store, or a fake in unit tests)."""

    def get_subsystem(self, subsystem: SubsystemId) -> SubsystemListing | None: ...


@dataclass(frozen=True)
class RegistryStore:
    registry_table: str

    def get_subsystem(self, subsystem: SubsystemId) -> SubsystemListing | None:
        paginator = aws.client("dynamodb").get_paginator("query")
        found: SubsystemItem | None = None
        services: list[ServiceItem] = []
        for page in paginator.paginate(
            TableName=self.registry_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": subsystem_pk(subsystem)}},
        ):
            for item in page.get("Items", []):
                sk = item["sk"]["S"]
                if sk == SUBSYSTEM_SK:
                    found = SubsystemItem.from_dynamodb(item)
                elif sk.startswith(SERVICE_SK_PREFIX):
                    services.append(ServiceItem.from_dynamodb(item))
        if found is None:
            return None
        return SubsystemListing(found, tuple(services))

    def put(self, item: MemberItem | SubsystemItem | ServiceItem) -> None:
        aws.client("dynamodb").put_item(TableName=self.registry_table, Item=item.to_dynamodb())


@cache
def get_store() -> RegistryStore:
    return RegistryStore(get_settings().registry_table_name)
