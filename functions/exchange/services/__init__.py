"""The data services the platform ships as internal providers: each answers one service code in-process.

A service item whose ``endpoint`` is one of :data:`INTERNAL`'s names is answered by that Python function (the
provider-side security server calls it after verifying the client member's signature); any other endpoint is an
external provider reached over HTTPS (:mod:`functions.exchange.providers`). Each service publishes its OpenAPI 3
document (``getOpenAPI``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from functions.exchange.services import gbizinfo_record, registered_matters, tax_payment_status
from functions.exchange.services.common import ServiceAnswer, ServiceRequest


@dataclass(frozen=True)
class InternalService:
    name: str
    handle: Callable[[ServiceRequest], ServiceAnswer]
    openapi: Mapping[str, Any]


INTERNAL: Mapping[str, InternalService] = {
    service.name: service
    for service in (
        InternalService(gbizinfo_record.NAME, gbizinfo_record.handle, gbizinfo_record.OPENAPI),
        InternalService(registered_matters.NAME, registered_matters.handle, registered_matters.OPENAPI),
        InternalService(tax_payment_status.NAME, tax_payment_status.handle, tax_payment_status.OPENAPI),
    )
}

__all__ = ["INTERNAL", "InternalService", "ServiceAnswer", "ServiceRequest"]
