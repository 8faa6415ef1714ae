"""The data exchange's administration in the devstack: the demo operator, the demo members' registry entries
(index keys, signing keys) and the demo access rights, made through the same functions the portal uses.

Runs after :func:`devstack.seed_exchange.seed_exchange`. The demo client subsystem ``accounting-system`` of
デモ工業 is granted every service of the commercial registry and the tax certificates; any other client holds no
right (the exchange answers it 403). Consents are not seeded: the Prime holder of デモ工業 gives them in the portal.
"""

from __future__ import annotations

from typing import Any, Final

from devstack.provision import ProvisionedStack
from devstack.seed_exchange import DEMO_CLIENT, MOJ_REGISTRY, NTA_CERTIFICATES
from functions.exchange import registry
from functions.exchange.callers import Caller
from functions.exchange.models import SubsystemId

OPERATOR_EMAIL: Final = "exchange-operator@meti.example.jp"
SEED_ACTOR: Final = "devstack-seed"
ALLOWED_PROVIDERS: Final[tuple[SubsystemId, ...]] = (MOJ_REGISTRY, NTA_CERTIFICATES)


def seed_exchange_admin(provisioned: dict[str, ProvisionedStack], users: list[dict[str, Any]] | None) -> dict[str, Any]:
    if "exchange" not in provisioned:
        return {}
    seeder = Caller(sub=SEED_ACTOR, account_type=None, corporate_number=None, operator=True)
    operator = next((u for u in users or [] if u.get("email") == OPERATOR_EMAIL and u.get("sub")), None)
    if operator is not None:
        registry.add_operator(str(operator["sub"]), "データ交換基盤 運用担当（デモ）")
    # Re-register every seeded member and subsystem: index keys for the portal's lists, a signing key per member.
    for member in _seeded_members(provisioned):
        existing = registry.get_member(member)
        name = existing.name if existing else registry.member_id_text(member)
        registry.register_member(seeder, member[1], member[2], name)
    rights = []
    for provider in ALLOWED_PROVIDERS:
        found = registry.get_subsystem(provider)
        if found is None:
            continue
        registry.save_subsystem(seeder, registry.member_of(provider), provider.subsystem_code, found.name)
        for service in registry.list_services(provider):
            if registry.access_right(provider, service.service_code, DEMO_CLIENT) is None:
                registry.grant_right(seeder, provider, service.service_code, DEMO_CLIENT)
            rights.append(f"{provider}/{service.service_code}")
    client = registry.get_subsystem(DEMO_CLIENT)
    if client is not None:
        registry.save_subsystem(seeder, registry.member_of(DEMO_CLIENT), DEMO_CLIENT.subsystem_code, client.name)
    return {"exchange_admin": {"portal": "/exchange/portal", "operator": OPERATOR_EMAIL, "rights": rights}}


def _seeded_members(provisioned: dict[str, ProvisionedStack]) -> list[registry.MemberId]:
    from platform_common import aws

    table = provisioned["exchange"].name("table", "registry")
    members: list[registry.MemberId] = []
    for page in (
        aws.client("dynamodb")
        .get_paginator("scan")
        .paginate(TableName=table, FilterExpression="sk = :sk", ExpressionAttributeValues={":sk": {"S": "MEMBER"}})
    ):
        for item in page.get("Items", []):
            members.append((item["xroad_instance"]["S"], item["member_class"]["S"], item["member_code"]["S"]))
    return members
