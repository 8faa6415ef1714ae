"""What the exchange does, free of HTTP: X-Road identifiers, message ids and the metadata services."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection

from functions.exchange.dal import Registry
from functions.exchange.models import ListMethodsResponse, SubsystemId, XRoadServiceIdentifier
from platform_common.errors import InvalidInput, NotFound

CLIENT_HEADER = "X-Road-Client"
MESSAGE_ID_HEADER = "X-Road-Id"

_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]{1,64}")
_MESSAGE_ID = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces: safe to echo in a header

# Names of the identifier parts in the path of /r1/{instance}/{member_class}/{member_code}/{subsystem}/...
PATH_FIELDS = ("instance", "member_class", "member_code", "subsystem")


def _check_part(field: str, value: str, member_classes: Collection[str] | None = None) -> str:
    if member_classes is not None:
        if value not in member_classes:
            raise InvalidInput.for_field(field, f"must be one of {', '.join(sorted(member_classes))}")
    elif not _IDENTIFIER.fullmatch(value):
        raise InvalidInput.for_field(field, "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
    return value


def subsystem_id_from_parts(
    instance: str,
    member_class: str,
    member_code: str,
    subsystem: str,
    member_classes: Collection[str],
    fields: tuple[str, str, str, str] = PATH_FIELDS,
) -> SubsystemId:
    """Validate the four parts of a subsystem identifier; an error names the offending ``fields`` entry."""
    return SubsystemId(
        xroad_instance=_check_part(fields[0], instance),
        member_class=_check_part(fields[1], member_class, member_classes),
        member_code=_check_part(fields[2], member_code),
        subsystem_code=_check_part(fields[3], subsystem),
    )


def parse_client_id(header: str | None, member_classes: Collection[str]) -> SubsystemId:
    """Parse the ``X-Road-Client`` header, ``INSTANCE/CLASS/CODE/SUBSYSTEM``. Errors name the header."""
    if not header:
        raise InvalidInput.for_field(CLIENT_HEADER, "the header is required (INSTANCE/CLASS/CODE/SUBSYSTEM)")
    parts = header.split("/")
    if len(parts) != 4:
        raise InvalidInput.for_field(CLIENT_HEADER, "must be INSTANCE/CLASS/CODE/SUBSYSTEM")
    instance, member_class, member_code, subsystem = parts
    return subsystem_id_from_parts(
        instance, member_class, member_code, subsystem, member_classes, fields=(CLIENT_HEADER,) * 4
    )


def message_id_for(header: str | None) -> str:
    """The client's ``X-Road-Id`` if it sent one (checked, since it is echoed), else a new UUID."""
    if header is None or header == "":
        return str(uuid.uuid4())
    if not _MESSAGE_ID.fullmatch(header):
        raise InvalidInput.for_field(MESSAGE_ID_HEADER, "must be 1-255 printable ASCII characters, no spaces")
    return header


def list_methods(registry: Registry, provider: SubsystemId) -> ListMethodsResponse:
    """X-Road's ``listMethods``: the services the subsystem provides, ordered by service code."""
    listing = registry.get_subsystem(provider)
    if listing is None:
        raise NotFound(f"no subsystem {provider} in the registry")
    services = sorted(listing.services, key=lambda s: s.service_code)
    return ListMethodsResponse(
        service=[XRoadServiceIdentifier.from_service(service.to_service()) for service in services]
    )
