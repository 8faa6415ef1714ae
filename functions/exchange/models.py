"""X-Road identifiers and the wire models of the REST metadata services (protocol r1).

Field names are X-Road's (``xroad_instance``, ``member_class``...), so X-Road clients parse our answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

ServiceType = Literal["OPENAPI", "REST"]


@dataclass(frozen=True)
class SubsystemId:
    """A member's subsystem: ``INSTANCE/CLASS/CODE/SUBSYSTEM`` (the form of the X-Road-Client header)."""

    xroad_instance: str
    member_class: str
    member_code: str
    subsystem_code: str

    def __str__(self) -> str:
        return f"{self.xroad_instance}/{self.member_class}/{self.member_code}/{self.subsystem_code}"


@dataclass(frozen=True)
class ServiceDescription:
    """One service a subsystem provides (domain form of a registry entry)."""

    provider: SubsystemId
    service_code: str
    service_type: ServiceType
    title: str


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class XRoadServiceIdentifier(_Wire):
    xroad_instance: str
    member_class: str
    member_code: str
    subsystem_code: str
    service_code: str
    service_type: ServiceType
    object_type: Literal["SERVICE"] = "SERVICE"

    @classmethod
    def from_service(cls, service: ServiceDescription) -> XRoadServiceIdentifier:
        return cls(
            xroad_instance=service.provider.xroad_instance,
            member_class=service.provider.member_class,
            member_code=service.provider.member_code,
            subsystem_code=service.provider.subsystem_code,
            service_code=service.service_code,
            service_type=service.service_type,
        )


class ListMethodsResponse(_Wire):
    """Body of ``listMethods``: the services the subsystem provides."""

    service: list[XRoadServiceIdentifier]
