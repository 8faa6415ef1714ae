"""The registry's administration API (``/exchange/v1``): members, subsystems, keys, services, access rights,
and the corporation's consents and access history. Callers present a gBizID access token. Thin: HTTP only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import BaseModel, ConfigDict, Field

from functions.exchange import consent, registry
from functions.exchange.callers import Caller, caller_from_bearer
from functions.exchange.models import SubsystemId
from platform_common.errors import NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

REGISTRY_TAGS: Final = ["registry administration"]
CONSENT_TAGS: Final = ["consent"]
MEMBER_PATH: Final = "/exchange/v1/members/<member_class>/<member_code>"
SUBSYSTEM_PATH: Final = f"{MEMBER_PATH}/subsystems/<subsystem>"
_CODE: Final = r"^[A-Za-z0-9._-]{1,64}$"

MemberClass = Annotated[str, Path(description="Member class, e.g. GOV or COM", pattern=r"^[A-Z]{2,16}$")]
MemberCode = Annotated[str, Path(description="Member code: the corporate number", pattern=_CODE)]
SubsystemCode = Annotated[str, Path(description="Subsystem code", pattern=_CODE)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberRequest(_Request):
    member_class: str = Field(pattern=r"^[A-Z]{2,16}$", description="GOV, COM, ...")
    member_code: str = Field(pattern=_CODE, description="The corporate number")
    name: str = Field(min_length=1, max_length=registry.NAME_MAX)


class SubsystemRequest(_Request):
    subsystem_code: str = Field(pattern=_CODE)
    name: str = Field(min_length=1, max_length=registry.NAME_MAX)


class KeysRequest(_Request):
    jwks: dict[str, Any] = Field(description="A JWK Set of public EC P-256 keys, each with a kid")


class ServiceRequest(_Request):
    title: str = Field(min_length=1, max_length=registry.NAME_MAX)
    openapi: str = Field(min_length=1, description="The OpenAPI 3 description, JSON or YAML text")
    public: bool = Field(default=False, description="Open data: private clients need no consent")
    endpoint: str = Field(min_length=1, max_length=2000, description="An internal service name or an https URL")


class RightRequest(_Request):
    service_code: str = Field(pattern=_CODE)
    client: str = Field(max_length=300, description="The client subsystem, INSTANCE/CLASS/CODE/SUBSYSTEM")


class ConsentRequest(_Request):
    client: str = Field(max_length=300, description="A private-sector (COM) client subsystem")
    purpose: str = Field(min_length=1, max_length=consent.PURPOSE_MAX)
    services: list[str] = Field(min_length=1, max_length=consent.MAX_SERVICES, description="Service codes")
    expires_on: str = Field(description="The last day (Japan time) the consent holds, at most a year away")


def _caller() -> Caller:
    return caller_from_bearer(router.current_event.headers.get("Authorization"))


def _json(body: Any, status: int = 200) -> Response[Any]:
    return Response(
        status_code=status, content_type="application/json", body=body, headers={"Cache-Control": "no-store"}
    )


def _subsystem(member_class: str, member_code: str, subsystem: str) -> SubsystemId:
    member = registry.member_in_instance(member_class, member_code)
    return SubsystemId(*member, registry.check_code("subsystem", subsystem))


# ------------------------------------------------------------------------------------------------- members


@router.get("/exchange/v1/members", summary="The instance's members (operators)", tags=REGISTRY_TAGS)
def handle_list_members() -> Response[Any]:
    _caller().require_operator()
    return _json({"members": [member.to_json() for member in registry.list_members()]})


@router.post(
    "/exchange/v1/members",
    summary="Register a member (operators); a new member gets its own signing key in KMS",
    tags=REGISTRY_TAGS,
    responses={201: {"description": "The member registered"}},
)
def handle_register_member(request: Annotated[MemberRequest, Body()]) -> Response[Any]:
    member = registry.register_member(_caller(), request.member_class, request.member_code, request.name)
    return _json(member.to_json(), 201)


@router.get(
    f"{MEMBER_PATH}/subsystems", summary="A member's subsystems (its administrators, operators)", tags=REGISTRY_TAGS
)
def handle_list_subsystems(member_class: MemberClass, member_code: MemberCode) -> Response[Any]:
    member = registry.member_in_instance(member_class, member_code)
    _caller().require_admin_of(member)
    if registry.get_member(member) is None:
        raise NotFound(f"no member {registry.member_id_text(member)}")
    return _json({"subsystems": [subsystem.to_json() for subsystem in registry.list_subsystems(member)]})


@router.post(
    f"{MEMBER_PATH}/subsystems",
    summary="Add or rename a subsystem of the member",
    tags=REGISTRY_TAGS,
    responses={201: {"description": "The subsystem as saved"}},
)
def handle_save_subsystem(
    member_class: MemberClass, member_code: MemberCode, request: Annotated[SubsystemRequest, Body()]
) -> Response[Any]:
    member = registry.member_in_instance(member_class, member_code)
    saved = registry.save_subsystem(_caller(), member, request.subsystem_code, request.name)
    return _json(saved.to_json(), 201)


@router.put(
    f"{SUBSYSTEM_PATH}/keys",
    summary="Replace the public JWK Set the subsystem's requests are signed with",
    tags=REGISTRY_TAGS,
)
def handle_set_keys(
    member_class: MemberClass,
    member_code: MemberCode,
    subsystem: SubsystemCode,
    request: Annotated[KeysRequest, Body()],
) -> Response[Any]:
    target = _subsystem(member_class, member_code, subsystem)
    saved = registry.set_client_keys(_caller(), target, json.dumps(request.jwks))
    return _json(saved.to_json())


@router.get(f"{SUBSYSTEM_PATH}/services", summary="The services the subsystem provides", tags=REGISTRY_TAGS)
def handle_list_services(member_class: MemberClass, member_code: MemberCode, subsystem: SubsystemCode) -> Response[Any]:
    target = _subsystem(member_class, member_code, subsystem)
    _caller().require_admin_of(registry.member_of(target))
    return _json({"services": [service.to_json() for service in registry.list_services(target)]})


@router.put(
    f"{SUBSYSTEM_PATH}/services/<service_code>",
    summary="Add or replace a service, described by an OpenAPI 3 document (validated)",
    tags=REGISTRY_TAGS,
)
def handle_save_service(
    member_class: MemberClass,
    member_code: MemberCode,
    subsystem: SubsystemCode,
    service_code: Annotated[str, Path(pattern=_CODE)],
    request: Annotated[ServiceRequest, Body()],
) -> Response[Any]:
    target = _subsystem(member_class, member_code, subsystem)
    saved = registry.save_service(
        _caller(),
        target,
        service_code,
        title=request.title,
        openapi=request.openapi,
        public=request.public,
        endpoint=request.endpoint,
    )
    return _json(saved.to_json())


@router.get(f"{SUBSYSTEM_PATH}/rights", summary="The access rights the subsystem grants", tags=REGISTRY_TAGS)
def handle_list_rights(member_class: MemberClass, member_code: MemberCode, subsystem: SubsystemCode) -> Response[Any]:
    target = _subsystem(member_class, member_code, subsystem)
    _caller().require_admin_of(registry.member_of(target))
    return _json({"rights": [right.to_json() for right in registry.rights_granted_by(target)]})


@router.post(
    f"{SUBSYSTEM_PATH}/rights",
    summary="Grant a client subsystem the right to call one of the subsystem's services",
    tags=REGISTRY_TAGS,
    responses={201: {"description": "The right granted"}},
)
def handle_grant_right(
    member_class: MemberClass,
    member_code: MemberCode,
    subsystem: SubsystemCode,
    request: Annotated[RightRequest, Body()],
) -> Response[Any]:
    target = _subsystem(member_class, member_code, subsystem)
    caller = _caller()
    caller.require_admin_of(registry.member_of(target))
    client = registry.parse_subsystem_id(request.client, "client")
    right = registry.grant_right(caller, target, request.service_code, client)
    return _json(right.to_json(), 201)


@router.post(
    f"{SUBSYSTEM_PATH}/rights/revoke",
    summary="Revoke a client's right: its next request for the service is refused",
    tags=REGISTRY_TAGS,
)
def handle_revoke_right(
    member_class: MemberClass,
    member_code: MemberCode,
    subsystem: SubsystemCode,
    request: Annotated[RightRequest, Body()],
) -> Response[Any]:
    target = _subsystem(member_class, member_code, subsystem)
    caller = _caller()
    caller.require_admin_of(registry.member_of(target))
    client = registry.parse_subsystem_id(request.client, "client")
    registry.revoke_right(caller, target, request.service_code, client)
    return _json({"revoked": True})


# ------------------------------------------------------------------------------------------------ consents


@router.get("/exchange/v1/consents", summary="Your corporation's consents (its Prime holder)", tags=CONSENT_TAGS)
def handle_list_consents() -> Response[Any]:
    return _json({"consents": [found.to_json() for found in consent.consents_of(_caller())]})


@router.post(
    "/exchange/v1/consents",
    summary="Consent to a private-sector client fetching your corporation's data (its Prime holder)",
    tags=CONSENT_TAGS,
    responses={201: {"description": "The consent given"}},
)
def handle_grant_consent(request: Annotated[ConsentRequest, Body()]) -> Response[Any]:
    granted = consent.grant_consent(
        _caller(), request.client, request.purpose, request.services, request.expires_on, datetime.now(UTC)
    )
    return _json(granted.to_json(), 201)


@router.post(
    "/exchange/v1/consents/<consent_id>/revoke",
    summary="Revoke a consent at once: the client's next request is refused",
    tags=CONSENT_TAGS,
)
def handle_revoke_consent(consent_id: Annotated[str, Path(pattern=r"^[0-9a-f]{1,64}$")]) -> Response[Any]:
    revoked = consent.revoke_consent(_caller(), consent_id, datetime.now(UTC))
    return _json(revoked.to_json())


@router.get(
    "/exchange/v1/access-history",
    summary="Who fetched your corporation's data, what and when (its Prime holder)",
    tags=CONSENT_TAGS,
)
def handle_access_history() -> Response[Any]:
    return _json({"accesses": [record.to_json() for record in consent.history_of(_caller())]})
