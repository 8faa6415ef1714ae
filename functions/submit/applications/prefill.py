"""Once-only: the form's values the government already holds, each with where it came from.

A property of the subsidy's form schema names its source with ``x-prefill``: ``userinfo:<claim>`` (the
login's claims from gBizID), ``gbizinfo:<field>`` (the corporation's record in gBizINFO's open data, read
from its table) or ``exchange:<service>:<field>`` (a service's answer about the corporation fetched through the
data exchange as the ministry's own client, ``functions.submit.exchange_client``; ``<field>`` may name a nested
value, ``officers.0.name``). Claims about the corporation come from userinfo only when the login belongs to that
corporation; an adviser acting under a mandate gets the corporation's values from gBizINFO and its own
contact details from userinfo.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from functions.submit.exchange_client import ExchangeUnavailable, fetch
from functions.submit.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.digits import is_ascii_digits, typed_integer
from platform_common.observability import observability_for

PERSONAL_CLAIMS: Final = frozenset({"user_id", "user_name", "user_email", "email", "user_tel_no"})
SOURCES: Final = ("userinfo", "gbizinfo", "exchange")

_logger = observability_for(SERVICE).logger


@dataclass(frozen=True)
class PrefillField:
    pointer: str  # JSON pointer into the form
    source: str  # "gbizinfo:capital_stock"
    value: Any  # None when the source holds nothing for it


def prefill_targets(schema: Mapping[str, Any], pointer: str = "") -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(pointer, source, property schema) of every property with ``x-prefill``, nested objects included."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return
    for name, sub in properties.items():
        if not isinstance(sub, Mapping):
            continue
        here = f"{pointer}/{_escape(str(name))}"
        source = sub.get("x-prefill")
        if isinstance(source, str):
            yield here, source, sub
        if sub.get("type") == "object":
            yield from prefill_targets(sub, here)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def coerce(value: Any, schema: Mapping[str, Any]) -> Any:
    """The value in the property's JSON type (gBizINFO holds capital as a number, a form may want text)."""
    kind = schema.get("type")
    if value is None or isinstance(value, bool):
        return value
    if kind == "string" and isinstance(value, int | float):
        return str(value)
    if kind == "string" and isinstance(value, list):
        return " / ".join(str(v) for v in value)
    if kind == "integer" and isinstance(value, str) and (number := typed_integer(value)) is not None:
        return number
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def hojin_record(corporate_number: str) -> dict[str, Any]:
    """The corporation's gBizINFO record (empty when it is not in the open data)."""
    table = get_settings().hojin_table_name
    if not table:
        return {}
    item = (
        aws.client("dynamodb")
        .get_item(TableName=table, Key={"corporate_number": {"S": corporate_number}}, ProjectionExpression="document")
        .get("Item")
    )
    if not item or "document" not in item:
        return {}
    document = json.loads(item["document"]["S"])
    return document if isinstance(document, dict) else {}


def exchange_services(schema: Mapping[str, Any]) -> list[str]:
    """The data exchange services the form prefills from (``exchange:<service>:<field>``), each once."""
    services = []
    for _, source, _ in prefill_targets(schema):
        kind, _, key = source.partition(":")
        if kind == "exchange" and ":" in key:
            services.append(key.rpartition(":")[0])
    return list(dict.fromkeys(services))


def exchange_documents(schema: Mapping[str, Any], corporate_number: str) -> dict[str, dict[str, Any]]:
    """Each exchange service's answer about the corporation; one the exchange cannot give is left out (its
    fields are typed by the applicant)."""
    found: dict[str, dict[str, Any]] = {}
    for service in exchange_services(schema):
        try:
            found[service] = fetch(service, corporate_number).document()
        except ExchangeUnavailable as error:
            _logger.warning(
                "prefill without the data exchange", extra={"exchange_service": service, "reason": str(error)}
            )
    return found


def _nested(document: Mapping[str, Any], path: str) -> Any:
    here: Any = document
    for part in path.split("."):
        if isinstance(here, Mapping):
            here = here.get(part)
        elif isinstance(here, list) and is_ascii_digits(part) and int(part) < len(here):
            here = here[int(part)]
        else:
            return None
    return here


def prefill(
    schema: Mapping[str, Any],
    claims: Mapping[str, Any],
    record: Mapping[str, Any],
    own_corporation: bool,
    exchanged: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[PrefillField]:
    """Every ``x-prefill`` field of the form with its value from its source (pure: the inputs are read before;
    ``exchanged`` is :func:`exchange_documents`)."""
    found = []
    for pointer, source, sub in prefill_targets(schema):
        kind, _, key = source.partition(":")
        value: Any = None
        if kind == "userinfo" and (own_corporation or key in PERSONAL_CLAIMS):
            value = claims.get(key)
        elif kind == "gbizinfo":
            value = record.get(key)
        elif kind == "exchange" and exchanged:
            service, _, field = key.rpartition(":")
            value = _nested(exchanged.get(service, {}), field)
        found.append(PrefillField(pointer, source, coerce(value, sub)))
    return found


def set_pointer(form: dict[str, Any], pointer: str, value: Any) -> None:
    """Put ``value`` at ``pointer`` in ``form``, creating the objects on the way."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
    here = form
    for part in parts[:-1]:
        nxt = here.get(part)
        if not isinstance(nxt, dict):
            nxt = here[part] = {}
        here = nxt
    here[parts[-1]] = value


def get_pointer(form: Mapping[str, Any], pointer: str) -> Any:
    here: Any = form
    for part in pointer.lstrip("/").split("/"):
        if not isinstance(here, Mapping):
            return None
        here = here.get(part.replace("~1", "/").replace("~0", "~"))
    return here


def apply_prefill(form: Mapping[str, Any], fields: list[PrefillField]) -> dict[str, Any]:
    """The form with each prefilled value where the applicant has not typed one."""
    merged: dict[str, Any] = json.loads(json.dumps(form))
    for found in fields:
        if found.value is not None and get_pointer(merged, found.pointer) in (None, ""):
            set_pointer(merged, found.pointer, found.value)
    return merged
