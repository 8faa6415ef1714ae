"""Registry administration: members, subsystems and their request-signing keys, services, access rights.

Who may change what (:mod:`functions.exchange.callers`): the exchange's operators register members and may
change anything; a member's administrator (a Prime or Member gBizID account of the member's corporation)
manages its own subsystems, their public keys, the services they provide and the rights it grants to
clients. Every change is appended to the registry's audit chain (``platform_common.audit``).

Items (registry table, ``pk``/``sk``; docs/design/exchange.md):

==================================  =============================  =================================================
pk                                  sk                             gsi1pk / gsi1sk
==================================  =============================  =================================================
``MEMBER#{member}``                 ``MEMBER``                     ``MEMBERS#{instance}`` / ``{class}/{code}``
``SUBSYSTEM#{subsystem}``           ``SUBSYSTEM``                  ``SUBSYSTEMS#{member}`` / ``{subsystem code}``
``SUBSYSTEM#{provider}``            ``SERVICE#{code}``             —
``SUBSYSTEM#{provider}``            ``RIGHT#{code}#{client}``      ``RIGHTS#{client}`` / ``{provider}/{code}``
``OPERATOR#{sub}``                  ``OPERATOR``                   —
==================================  =============================  =================================================

Writes use ``UpdateItem`` on the attributes administered here, so attributes other parts keep on the same item
survive. Reads that decide a request (:func:`access_right`, :func:`client_keys`) are strongly consistent: a
revoked right or a replaced key takes effect on the next request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from ipaddress import ip_address
from typing import Any, Final
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints
from botocore.exceptions import ClientError
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from functions.exchange.callers import Caller
from functions.exchange.models import SubsystemId
from functions.exchange.settings import get_settings
from platform_common import aws
from platform_common.audit import AuditLog
from platform_common.errors import Conflict, InvalidInput, NotFound

MEMBER_SK: Final = "MEMBER"
SUBSYSTEM_SK: Final = "SUBSYSTEM"
SERVICE_PREFIX: Final = "SERVICE#"
RIGHT_PREFIX: Final = "RIGHT#"
OPERATOR_SK: Final = "OPERATOR"
MAX_KEYS: Final = 5
MAX_OPENAPI_BYTES: Final = 256 * 1024
NAME_MAX: Final = 100
CODE: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
INTERNAL_ENDPOINT: Final = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
MEMBER_KEY_TAG: Final = "exchange-member"

MemberId = tuple[str, str, str]  # (instance, class, code): the member part of a subsystem identifier


def member_id_text(member: MemberId) -> str:
    return "/".join(member)


def member_of(subsystem: SubsystemId) -> MemberId:
    return (subsystem.xroad_instance, subsystem.member_class, subsystem.member_code)


def _s(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name, {})
    return str(value.get("S", "")) if isinstance(value, Mapping) else ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _table() -> str:
    return get_settings().registry_table_name


@cache
def audit_log() -> AuditLog:
    settings = get_settings()
    return AuditLog(settings.registry_table_name, settings.audit_bucket_name)


def audit(kind: str, caller: Caller, corporate_number: str | None, **detail: str) -> None:
    audit_log().record_event(
        kind, outcome="success", actor_sub=caller.sub, corporate_number=corporate_number, detail=detail
    )


# ------------------------------------------------------------------------------------------- identifiers


def parse_subsystem_id(text: str, field: str) -> SubsystemId:
    """``INSTANCE/CLASS/CODE/SUBSYSTEM`` of this instance; errors name ``field``."""
    settings = get_settings()
    parts = text.strip().split("/")
    if len(parts) != 4 or not all(CODE.fullmatch(part) for part in parts):
        raise InvalidInput.for_field(field, "must be INSTANCE/CLASS/CODE/SUBSYSTEM")
    if parts[0] != settings.xroad_instance:
        raise InvalidInput.for_field(field, f"must be in the instance {settings.xroad_instance}")
    if parts[1] not in settings.member_classes:
        raise InvalidInput.for_field(field, f"member class must be one of {', '.join(sorted(settings.member_classes))}")
    return SubsystemId(*parts)


def member_in_instance(member_class: str, member_code: str) -> MemberId:
    settings = get_settings()
    if member_class not in settings.member_classes:
        raise InvalidInput.for_field("member_class", f"must be one of {', '.join(sorted(settings.member_classes))}")
    if not CODE.fullmatch(member_code):
        raise InvalidInput.for_field("member_code", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
    return (settings.xroad_instance, member_class, member_code)


def check_code(field: str, value: str) -> str:
    if not CODE.fullmatch(value):
        raise InvalidInput.for_field(field, "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
    return value


def check_name(field: str, value: str, limit: int = NAME_MAX) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInput.for_field(field, "is required")
    if len(text) > limit:
        raise InvalidInput.for_field(field, f"must be at most {limit} characters")
    return text


# ------------------------------------------------------------------------------------------------ operators


def add_operator(sub: str, name: str) -> None:
    """Make ``sub`` an exchange operator (the bootstrap: the devstack seed, or an operator in the console)."""
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={"pk": {"S": f"OPERATOR#{sub}"}, "sk": {"S": OPERATOR_SK}, "name": {"S": name}, "added_at": {"S": _now()}},
    )


# -------------------------------------------------------------------------------------------------- members


@dataclass(frozen=True)
class Member:
    member: MemberId
    name: str
    kms_key_id: str | None

    @property
    def member_class(self) -> str:
        return self.member[1]

    @property
    def member_code(self) -> str:
        return self.member[2]

    def to_json(self) -> dict[str, Any]:
        return {
            "xroad_instance": self.member[0],
            "member_class": self.member_class,
            "member_code": self.member_code,
            "name": self.name,
            "has_signing_key": self.kms_key_id is not None,
        }


def _member_from(item: Mapping[str, Any]) -> Member:
    member = (_s(item, "xroad_instance"), _s(item, "member_class"), _s(item, "member_code"))
    return Member(member, _s(item, "name"), _s(item, "kms_key_id") or None)


def get_member(member: MemberId) -> Member | None:
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": f"MEMBER#{member_id_text(member)}"}, "sk": {"S": MEMBER_SK}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return _member_from(item) if item else None


def list_members() -> list[Member]:
    instance = get_settings().xroad_instance
    items = _query_index(f"MEMBERS#{instance}")
    return [_member_from(item) for item in items]


def members_of_corporation(corporate_number: str) -> list[Member]:
    """The members whose code is this corporate number (one per class at most)."""
    settings = get_settings()
    found = (get_member((settings.xroad_instance, cls, corporate_number)) for cls in sorted(settings.member_classes))
    return [member for member in found if member is not None]


def _create_member_key(member: MemberId) -> str:
    """A KMS key of the member's own (ES256) for the exchange to sign its messages with."""
    created = aws.client("kms").create_key(
        KeySpec="ECC_NIST_P256",
        KeyUsage="SIGN_VERIFY",
        Description=f"Data exchange member {member_id_text(member)}: signs its messages (ES256)",
        Tags=[{"TagKey": MEMBER_KEY_TAG, "TagValue": member_id_text(member)}],
    )
    return str(created["KeyMetadata"]["KeyId"])


def register_member(caller: Caller, member_class: str, member_code: str, name: str) -> Member:
    """Register (or rename) a member; a new member gets its signing key. Operators only."""
    caller.require_operator()
    member = member_in_instance(member_class, member_code)
    clean_name = check_name("name", name)
    existing = get_member(member)
    key_id = existing.kms_key_id if existing and existing.kms_key_id else _create_member_key(member)
    aws.client("dynamodb").update_item(
        TableName=_table(),
        Key={"pk": {"S": f"MEMBER#{member_id_text(member)}"}, "sk": {"S": MEMBER_SK}},
        UpdateExpression="SET xroad_instance = :i, member_class = :c, member_code = :m, #name = :n, "
        "kms_key_id = :k, gsi1pk = :g, gsi1sk = :gs, updated_at = :t",
        ExpressionAttributeNames={"#name": "name"},
        ExpressionAttributeValues={
            ":i": {"S": member[0]},
            ":c": {"S": member[1]},
            ":m": {"S": member[2]},
            ":n": {"S": clean_name},
            ":k": {"S": key_id},
            ":g": {"S": f"MEMBERS#{member[0]}"},
            ":gs": {"S": f"{member[1]}/{member[2]}"},
            ":t": {"S": _now()},
        },
    )
    kind = "exchange.member_updated" if existing else "exchange.member_registered"
    audit(kind, caller, member_code if member_class in ("COM", "GOV") else None, member=member_id_text(member))
    return Member(member, clean_name, key_id)


def member_key_id(member: MemberId | SubsystemId) -> str | None:
    """The member's signing key in KMS (``None`` for an unknown member)."""
    found = get_member(member_of(member) if isinstance(member, SubsystemId) else member)
    return found.kms_key_id if found else None


# ----------------------------------------------------------------------------------------------- subsystems


@dataclass(frozen=True)
class Subsystem:
    subsystem: SubsystemId
    name: str
    jwks: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        keys = (self.jwks or {}).get("keys", [])
        return {
            "id": str(self.subsystem),
            "subsystem_code": self.subsystem.subsystem_code,
            "name": self.name,
            "key_ids": [str(key.get("kid", "")) for key in keys if isinstance(key, dict)],
        }


def _subsystem_from(item: Mapping[str, Any]) -> Subsystem:
    subsystem = SubsystemId(
        _s(item, "xroad_instance"), _s(item, "member_class"), _s(item, "member_code"), _s(item, "subsystem_code")
    )
    raw = _s(item, "jwks")
    jwks = json.loads(raw) if raw else None
    return Subsystem(subsystem, _s(item, "name"), jwks if isinstance(jwks, dict) else None)


def get_subsystem(subsystem: SubsystemId) -> Subsystem | None:
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": f"SUBSYSTEM#{subsystem}"}, "sk": {"S": SUBSYSTEM_SK}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return _subsystem_from(item) if item else None


def list_subsystems(member: MemberId) -> list[Subsystem]:
    return [_subsystem_from(item) for item in _query_index(f"SUBSYSTEMS#{member_id_text(member)}")]


def _require_member(member: MemberId) -> Member:
    found = get_member(member)
    if found is None:
        raise NotFound(f"no member {member_id_text(member)} in the registry")
    return found


def save_subsystem(caller: Caller, member: MemberId, subsystem_code: str, name: str) -> Subsystem:
    """Add (or rename) a subsystem of ``member``: an operator, or the member's administrator."""
    caller.require_admin_of(member)
    _require_member(member)
    subsystem = SubsystemId(*member, check_code("subsystem_code", subsystem_code))
    clean_name = check_name("name", name)
    aws.client("dynamodb").update_item(
        TableName=_table(),
        Key={"pk": {"S": f"SUBSYSTEM#{subsystem}"}, "sk": {"S": SUBSYSTEM_SK}},
        UpdateExpression="SET xroad_instance = :i, member_class = :c, member_code = :m, subsystem_code = :s, "
        "#name = :n, gsi1pk = :g, gsi1sk = :s, updated_at = :t",
        ExpressionAttributeNames={"#name": "name"},
        ExpressionAttributeValues={
            ":i": {"S": member[0]},
            ":c": {"S": member[1]},
            ":m": {"S": member[2]},
            ":s": {"S": subsystem.subsystem_code},
            ":n": {"S": clean_name},
            ":g": {"S": f"SUBSYSTEMS#{member_id_text(member)}"},
            ":t": {"S": _now()},
        },
    )
    audit("exchange.subsystem_saved", caller, member[2], subsystem=str(subsystem))
    return _require_subsystem(subsystem)


def parse_jwks(text: str) -> dict[str, Any]:
    """A JWK Set of public P-256 keys (ES256), each with a ``kid``: what request signatures are checked with."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise InvalidInput.for_field("jwks", "is not JSON") from error
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys:
        raise InvalidInput.for_field("jwks", 'must be a JWK Set: {"keys": [...]} with at least one key')
    if len(keys) > MAX_KEYS:
        raise InvalidInput.for_field("jwks", f"holds at most {MAX_KEYS} keys")
    public: list[dict[str, Any]] = []
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") != "EC" or key.get("crv") != "P-256":
            raise InvalidInput.for_field("jwks", "each key must be an EC P-256 key (ES256)")
        if "d" in key:
            raise InvalidInput.for_field("jwks", "holds a private key: register the public key only")
        if not isinstance(key.get("kid"), str) or not CODE.fullmatch(key["kid"]):
            raise InvalidInput.for_field(
                "jwks", "each key needs a kid of 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-'"
            )
        try:
            imported = ECKey.import_key(key)
        except (JoseError, ValueError, TypeError) as error:
            raise InvalidInput.for_field("jwks", f"key {key['kid']} is not a valid public key") from error
        public.append({**imported.as_dict(private=False), "kid": key["kid"], "use": "sig", "alg": "ES256"})
    if len({key["kid"] for key in public}) != len(public):
        raise InvalidInput.for_field("jwks", "key ids (kid) must differ")
    return {"keys": public}


def _require_subsystem(subsystem: SubsystemId) -> Subsystem:
    found = get_subsystem(subsystem)
    if found is None:
        raise NotFound(f"no subsystem {subsystem} in the registry")
    return found


def set_client_keys(caller: Caller, subsystem: SubsystemId, jwks_text: str) -> Subsystem:
    """Replace the subsystem's public JWK Set (requests signed with a removed key fail from now on)."""
    caller.require_admin_of(member_of(subsystem))
    _require_subsystem(subsystem)
    jwks = parse_jwks(jwks_text)
    aws.client("dynamodb").update_item(
        TableName=_table(),
        Key={"pk": {"S": f"SUBSYSTEM#{subsystem}"}, "sk": {"S": SUBSYSTEM_SK}},
        UpdateExpression="SET jwks = :j, updated_at = :t",
        ExpressionAttributeValues={
            ":j": {"S": json.dumps(jwks, separators=(",", ":"))},
            ":t": {"S": _now()},
        },
    )
    kids = ",".join(key["kid"] for key in jwks["keys"])
    audit("exchange.keys_replaced", caller, subsystem.member_code, subsystem=str(subsystem), key_ids=kids)
    return _require_subsystem(subsystem)


def client_keys(client: SubsystemId) -> KeySet | None:
    """The public keys the client subsystem signs its requests with (``None``: unknown or no keys)."""
    found = get_subsystem(client)
    if found is None or not found.jwks:
        return None
    return KeySet.import_key_set(found.jwks)  # type: ignore[arg-type]  # joserfc types the set loosely


# ------------------------------------------------------------------------------------------------- services


@dataclass(frozen=True)
class Service:
    provider: SubsystemId
    service_code: str
    title: str
    public: bool
    endpoint: str
    openapi: str

    def to_json(self, *, with_openapi: bool = False) -> dict[str, Any]:
        found: dict[str, Any] = {
            "provider": str(self.provider),
            "service_code": self.service_code,
            "title": self.title,
            "public": self.public,
            "endpoint": self.endpoint,
        }
        if with_openapi:
            found["openapi"] = self.openapi
        return found


def _service_from(item: Mapping[str, Any]) -> Service:
    provider = SubsystemId(
        _s(item, "xroad_instance"), _s(item, "member_class"), _s(item, "member_code"), _s(item, "subsystem_code")
    )
    return Service(
        provider=provider,
        service_code=_s(item, "service_code"),
        title=_s(item, "title"),
        public=bool(item.get("public", {}).get("BOOL", False)),
        endpoint=_s(item, "endpoint"),
        openapi=_s(item, "openapi"),
    )


def _load_yaml(text: str) -> Any:
    """YAML without anchors and aliases: a few lines of aliases expand to gigabytes when the document is
    stored as JSON ("billion laughs"), and an OpenAPI description does not need them."""
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise InvalidInput.for_field("openapi", "YAML aliases (*name) are not accepted: write the value out")
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput.for_field("openapi", "is neither JSON nor YAML") from error
    except RecursionError:
        raise InvalidInput.for_field("openapi", "nests too deeply") from None


def parse_openapi(text: str) -> dict[str, Any]:
    """An OpenAPI 3 description in JSON or YAML: ``openapi: 3.x``, ``info`` and ``paths``."""
    if len(text.encode("utf-8")) > MAX_OPENAPI_BYTES:
        raise InvalidInput.for_field("openapi", f"must be at most {MAX_OPENAPI_BYTES // 1024} KB")
    try:
        document = json.loads(text)
    except RecursionError:
        raise InvalidInput.for_field("openapi", "nests too deeply") from None
    except ValueError:
        document = _load_yaml(text)
    if not isinstance(document, dict):
        raise InvalidInput.for_field("openapi", "must be an OpenAPI document (an object)")
    version = document.get("openapi")
    if not isinstance(version, str) or not re.fullmatch(r"3\.\d+\.\d+", version):
        raise InvalidInput.for_field("openapi", "must declare openapi: 3.x.y (OpenAPI 3)")
    info = document.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) or "version" not in info:
        raise InvalidInput.for_field("openapi", "needs info.title and info.version")
    if not isinstance(document.get("paths"), dict):
        raise InvalidInput.for_field("openapi", "needs paths")
    return document


def check_endpoint(value: str) -> str:
    """An internal service's name, or an HTTPS URL on a public host name (no IP literal, no local host)."""
    text = value.strip()
    if INTERNAL_ENDPOINT.fullmatch(text):
        return text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or parts.username or parts.password:
        raise InvalidInput.for_field("endpoint", "must be an internal service name or an https:// URL")
    try:
        ip_address(host)
    except ValueError:
        pass
    else:
        raise InvalidInput.for_field("endpoint", "must name a host, not an IP address")
    if host == "localhost" or host.endswith((".localhost", ".internal", ".local")) or "." not in host:
        raise InvalidInput.for_field("endpoint", "must be a public host name")
    return text


def get_service(provider: SubsystemId, service_code: str) -> Service | None:
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": f"SUBSYSTEM#{provider}"}, "sk": {"S": SERVICE_PREFIX + service_code}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return _service_from(item) if item else None


def save_service(
    caller: Caller,
    provider: SubsystemId,
    service_code: str,
    *,
    title: str,
    openapi: str,
    public: bool,
    endpoint: str,
) -> Service:
    """Add or replace a service the subsystem provides, described by a validated OpenAPI 3 document."""
    caller.require_admin_of(member_of(provider))
    _require_subsystem(provider)
    code = check_code("service_code", service_code)
    clean_title = check_name("title", title)
    document = parse_openapi(openapi)
    clean_endpoint = check_endpoint(endpoint)
    aws.client("dynamodb").update_item(
        TableName=_table(),
        Key={"pk": {"S": f"SUBSYSTEM#{provider}"}, "sk": {"S": SERVICE_PREFIX + code}},
        UpdateExpression="SET xroad_instance = :i, member_class = :c, member_code = :m, subsystem_code = :s, "
        "service_code = :code, service_type = :type, title = :title, openapi = :doc, #public = :public, "
        "endpoint = :endpoint, updated_at = :t",
        ExpressionAttributeNames={"#public": "public"},
        ExpressionAttributeValues={
            ":i": {"S": provider.xroad_instance},
            ":c": {"S": provider.member_class},
            ":m": {"S": provider.member_code},
            ":s": {"S": provider.subsystem_code},
            ":code": {"S": code},
            ":type": {"S": "OPENAPI"},
            ":title": {"S": clean_title},
            ":doc": {"S": json.dumps(document, ensure_ascii=False, separators=(",", ":"))},
            ":public": {"BOOL": public},
            ":endpoint": {"S": clean_endpoint},
            ":t": {"S": _now()},
        },
    )
    audit(
        "exchange.service_saved",
        caller,
        provider.member_code,
        provider=str(provider),
        service=code,
        public=str(public).lower(),
    )
    found = get_service(provider, code)
    if found is None:  # written just now and read strongly consistent: only a concurrent removal gets here
        raise NotFound(f"{provider} provides no service {code}")
    return found


def list_services(provider: SubsystemId) -> list[Service]:
    items = _query_pk(f"SUBSYSTEM#{provider}", SERVICE_PREFIX)
    return sorted((_service_from(item) for item in items), key=lambda s: s.service_code)


def catalogue() -> list[Service]:
    """Every service of every member's subsystems (for the consent form; the registry is small)."""
    services: list[Service] = []
    for member in list_members():
        for subsystem in list_subsystems(member.member):
            services.extend(list_services(subsystem.subsystem))
    return services


# --------------------------------------------------------------------------------------------- access rights


@dataclass(frozen=True)
class AccessRight:
    provider: SubsystemId
    service_code: str
    client: SubsystemId
    granted_by: str
    granted_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": str(self.provider),
            "service_code": self.service_code,
            "client": str(self.client),
            "granted_at": self.granted_at,
        }


def _right_sk(service_code: str, client: SubsystemId) -> str:
    return f"{RIGHT_PREFIX}{service_code}#{client}"


def _right_from(item: Mapping[str, Any]) -> AccessRight:
    return AccessRight(
        provider=SubsystemId(*_s(item, "provider").split("/")),
        service_code=_s(item, "service_code"),
        client=SubsystemId(*_s(item, "client").split("/")),
        granted_by=_s(item, "granted_by"),
        granted_at=_s(item, "granted_at"),
    )


def access_right(provider: SubsystemId, service_code: str, client: SubsystemId) -> AccessRight | None:
    """The right the provider granted the client for this service, if it stands (read strongly consistent)."""
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": f"SUBSYSTEM#{provider}"}, "sk": {"S": _right_sk(service_code, client)}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return _right_from(item) if item else None


def rights_granted_by(provider: SubsystemId) -> list[AccessRight]:
    return [_right_from(item) for item in _query_pk(f"SUBSYSTEM#{provider}", RIGHT_PREFIX)]


def rights_of_client(client: SubsystemId) -> list[AccessRight]:
    """What the client may call (X-Road's ``allowedMethods``), from the index (eventually consistent)."""
    return [_right_from(item) for item in _query_index(f"RIGHTS#{client}")]


def grant_right(caller: Caller, provider: SubsystemId, service_code: str, client: SubsystemId) -> AccessRight:
    """The provider's administrator lets ``client`` call one of its services."""
    caller.require_admin_of(member_of(provider))
    if get_service(provider, service_code) is None:
        raise InvalidInput.for_field("service_code", f"{provider} provides no service {service_code}")
    if get_subsystem(client) is None:
        raise InvalidInput.for_field("client", f"no subsystem {client} in the registry")
    right = AccessRight(provider, service_code, client, caller.sub, _now())
    try:
        aws.client("dynamodb").put_item(
            TableName=_table(),
            Item={
                "pk": {"S": f"SUBSYSTEM#{provider}"},
                "sk": {"S": _right_sk(service_code, client)},
                "provider": {"S": str(provider)},
                "service_code": {"S": service_code},
                "client": {"S": str(client)},
                "granted_by": {"S": caller.sub},
                "granted_at": {"S": right.granted_at},
                "gsi1pk": {"S": f"RIGHTS#{client}"},
                "gsi1sk": {"S": f"{provider}/{service_code}"},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise Conflict(f"{client} may already call {service_code}") from error
        raise
    audit(
        "exchange.right_granted",
        caller,
        provider.member_code,
        provider=str(provider),
        service=service_code,
        client=str(client),
    )
    return right


def revoke_right(caller: Caller, provider: SubsystemId, service_code: str, client: SubsystemId) -> None:
    """Withdraw a right: the client's next request for the service is refused."""
    caller.require_admin_of(member_of(provider))
    try:
        aws.client("dynamodb").delete_item(
            TableName=_table(),
            Key={"pk": {"S": f"SUBSYSTEM#{provider}"}, "sk": {"S": _right_sk(service_code, client)}},
            ConditionExpression="attribute_exists(pk)",
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise NotFound(f"{client} holds no right to {service_code} of {provider}") from error
        raise
    audit(
        "exchange.right_revoked",
        caller,
        provider.member_code,
        provider=str(provider),
        service=service_code,
        client=str(client),
    )


# -------------------------------------------------------------------------------------------------- queries


def _query_pk(pk: str, prefix: str) -> list[dict[str, Any]]:
    paginator = aws.client("dynamodb").get_paginator("query")
    items: list[dict[str, Any]] = []
    for page in paginator.paginate(
        TableName=_table(),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": pk}, ":prefix": {"S": prefix}},
        ConsistentRead=True,
    ):
        items.extend(page.get("Items", []))
    return items


def _query_index(gsi1pk: str) -> list[dict[str, Any]]:
    paginator = aws.client("dynamodb").get_paginator("query")
    items: list[dict[str, Any]] = []
    for page in paginator.paginate(
        TableName=_table(),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": gsi1pk}},
    ):
        items.extend(page.get("Items", []))
    return items
