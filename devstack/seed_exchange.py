"""Demo members of the data exchange (instance ``JP-DEV``): three government providers and two company clients.

Each member gets its KMS signing key here when it has none. Each demo client subsystem gets a request-signing
key pair generated at start: the public JWK is registered, the private JWK goes to ``.devstack/demo.json``
(``exchange_clients``) for ``python -m devstack.exchange_call``. ``accounting-system`` (デモ工業) may call the
gBizINFO record (public data, no consent) and, granted by :mod:`devstack.seed_exchange_admin`, the registry and
tax services (consent needed; デモ工業's consent for its registered matters is seeded there too);
``sales-system`` (霞が関商事) holds no right at all. METI's ``jgrants`` subsystem is the demo ministry's jGrants
as a client (a GOV client: no consent needed): its private key goes into the ministry's ``exchange-client``
secret, where jGrants reads it as in the cloud.

Members and subsystems are written with the index keys the portal lists them by, as
``functions.exchange.registry`` writes them, so nothing needs registering twice.

Member codes are corporate numbers (法人番号), as X-Road uses each country's business registry code. They are
valid but fictional (base numbers from 9999...), like the demo corporations of the open data.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B
from devstack.naming import DEMO_MINISTRY
from devstack.provision import ProvisionedStack
from functions.exchange.dal import MemberItem, ServiceItem, SubsystemItem
from functions.exchange.jws import LocalSigner
from functions.exchange.models import SubsystemId
from functions.exchange.services import INTERNAL, gbizinfo_record, registered_matters, tax_payment_status
from functions.exchange.signing import kms_public_jwk
from infra.resource_specs import ResourceRef
from platform_common import aws
from platform_common.corporate_number import make_corporate_number

XROAD_INSTANCE = "JP-DEV"
EXCHANGE_SCOPE = "exchange"

MOJ_CODE = make_corporate_number("999920000001")  # 法務省
NTA_CODE = make_corporate_number("999920000002")  # 国税庁
METI_CODE = make_corporate_number("999920000003")  # 経済産業省

MOJ_REGISTRY = SubsystemId(XROAD_INSTANCE, "GOV", MOJ_CODE, "commercial-registry")
NTA_CERTIFICATES = SubsystemId(XROAD_INSTANCE, "GOV", NTA_CODE, "tax-certificates")
METI_GBIZINFO = SubsystemId(XROAD_INSTANCE, "GOV", METI_CODE, "gbizinfo")
DEMO_CLIENT = SubsystemId(XROAD_INSTANCE, "COM", DEMO_CORP_A, "accounting-system")
DENIED_CLIENT = SubsystemId(XROAD_INSTANCE, "COM", DEMO_CORP_B, "sales-system")
JGRANTS_CLIENT = SubsystemId(XROAD_INSTANCE, "GOV", METI_CODE, "jgrants")  # the demo ministry's jGrants (meti)
MEMBER_KEY_TAG = "exchange-member"  # the tag functions.exchange.registry puts on member keys

_MEMBERS = (
    MemberItem(XROAD_INSTANCE, "GOV", MOJ_CODE, "法務省"),
    MemberItem(XROAD_INSTANCE, "GOV", NTA_CODE, "国税庁"),
    MemberItem(XROAD_INSTANCE, "GOV", METI_CODE, "経済産業省"),
    MemberItem(XROAD_INSTANCE, "COM", DEMO_CORP_A, "デモ工業株式会社"),
    MemberItem(XROAD_INSTANCE, "COM", DEMO_CORP_B, "霞が関商事株式会社"),
)
_SUBSYSTEMS = (
    SubsystemItem(MOJ_REGISTRY, "商業・法人登記"),
    SubsystemItem(NTA_CERTIFICATES, "納税証明書交付"),
    SubsystemItem(METI_GBIZINFO, "gBizINFO（法人インフォメーション）"),
    SubsystemItem(DEMO_CLIENT, "会計システム（補助金申請の添付書類取得）"),
    SubsystemItem(DENIED_CLIENT, "販売管理システム"),
    SubsystemItem(JGRANTS_CLIENT, "jGrants（補助金申請）"),
)


def _service(provider: SubsystemId, code: str, title: str, endpoint: str, public: bool) -> ServiceItem:
    openapi = json.dumps(INTERNAL[endpoint].openapi, ensure_ascii=False, separators=(",", ":"))
    return ServiceItem(provider, code, "OPENAPI", title, public=public, endpoint=endpoint, openapi=openapi)


_SERVICES = (
    _service(MOJ_REGISTRY, "registered-matters", "登記事項（登記事項証明書）", registered_matters.NAME, False),
    _service(NTA_CERTIFICATES, "tax-payment-status", "納税状況（納税証明書その3）", tax_payment_status.NAME, False),
    _service(METI_GBIZINFO, "hojin-info", "法人基本情報（gBizINFO）", gbizinfo_record.NAME, True),
)
# (provider, service, client): the public gBizINFO record for the demo client (seed_exchange_admin adds the rest);
# jGrants may fetch the registered matters and the tax status it prefills forms and replaces attachments with
_RIGHTS = (
    (METI_GBIZINFO, "hojin-info", DEMO_CLIENT),
    (MOJ_REGISTRY, "registered-matters", JGRANTS_CLIENT),
    (NTA_CERTIFICATES, "tax-payment-status", JGRANTS_CLIENT),
    (METI_GBIZINFO, "hojin-info", JGRANTS_CLIENT),
)


def _indexed(item: MemberItem | SubsystemItem | ServiceItem) -> dict[str, Any]:
    """The item with the index keys the portal lists members and subsystems by (functions.exchange.registry)."""
    found = item.to_dynamodb()
    if isinstance(item, MemberItem):
        found["gsi1pk"] = {"S": f"MEMBERS#{item.xroad_instance}"}
        found["gsi1sk"] = {"S": f"{item.member_class}/{item.member_code}"}
    elif isinstance(item, SubsystemItem):
        member = "/".join(str(item.subsystem).split("/")[:3])
        found["gsi1pk"] = {"S": f"SUBSYSTEMS#{member}"}
        found["gsi1sk"] = {"S": item.subsystem.subsystem_code}
    return found


def _member_key(table: str, member: MemberItem) -> str:
    """The member's signing key: the one it has (a restarted devstack keeps moto's state), or a new one."""
    member_id = f"{member.xroad_instance}/{member.member_class}/{member.member_code}"
    existing = aws.client("dynamodb").get_item(
        TableName=table, Key={"pk": {"S": member.pk}, "sk": {"S": "MEMBER"}}, ProjectionExpression="kms_key_id"
    )
    if "kms_key_id" in existing.get("Item", {}):
        return str(existing["Item"]["kms_key_id"]["S"])
    created = aws.client("kms").create_key(
        KeySpec="ECC_NIST_P256",
        KeyUsage="SIGN_VERIFY",
        Description=f"Data exchange member {member_id}: signs its messages (ES256)",
        Tags=[{"TagKey": MEMBER_KEY_TAG, "TagValue": member_id}],
    )
    return str(created["KeyMetadata"]["KeyId"])


def _grant(table: str, provider: SubsystemId, service_code: str, client: SubsystemId) -> None:
    """An access right, as functions.exchange.registry.grant_right stores it."""
    aws.client("dynamodb").put_item(
        TableName=table,
        Item={
            "pk": {"S": f"SUBSYSTEM#{provider}"},
            "sk": {"S": f"RIGHT#{service_code}#{client}"},
            "provider": {"S": str(provider)},
            "service_code": {"S": service_code},
            "client": {"S": str(client)},
            "granted_by": {"S": "devstack-seed"},
            "granted_at": {"S": datetime.now(UTC).isoformat(timespec="seconds")},
            "gsi1pk": {"S": f"RIGHTS#{client}"},
            "gsi1sk": {"S": f"{provider}/{service_code}"},
        },
    )


def _hand_key_to_jgrants(provisioned: dict[str, ProvisionedStack], signer: LocalSigner) -> None:
    """The demo ministry's jGrants signs its exchange requests with this key: put it where the cloud keeps it."""
    jgrants = provisioned.get(DEMO_MINISTRY)
    if jgrants is None:
        return
    secret_id = jgrants.resolve(ResourceRef("secret", "exchange-client", "arn"))
    value = json.dumps({"client": str(JGRANTS_CLIENT), "private_jwk": signer.private_jwk()})
    aws.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=value)


def seed_exchange(provisioned: dict[str, ProvisionedStack]) -> dict[str, Any]:
    """Register the demo members (with signing keys), subsystems (with request keys), services and the public
    right; return the demo clients' identifiers and private keys for ``.devstack/demo.json``."""
    stack = provisioned.get(EXCHANGE_SCOPE)
    if stack is None:
        return {}
    table = stack.name("table", "registry")
    signers = {client: LocalSigner.generate() for client in (DEMO_CLIENT, DENIED_CLIENT, JGRANTS_CLIENT)}
    members = [
        MemberItem(m.xroad_instance, m.member_class, m.member_code, m.name, _member_key(table, m)) for m in _MEMBERS
    ]
    subsystems = [
        SubsystemItem(s.subsystem, s.name, json.dumps({"keys": [signers[s.subsystem].public_jwk]}))
        if s.subsystem in signers
        else s
        for s in _SUBSYSTEMS
    ]
    items: list[MemberItem | SubsystemItem | ServiceItem] = [*members, *subsystems, *_SERVICES]
    dynamodb = aws.client("dynamodb")
    for item in items:
        dynamodb.put_item(TableName=table, Item=_indexed(item))
    for provider, service_code, client in _RIGHTS:
        _grant(table, provider, service_code, client)
    _hand_key_to_jgrants(provisioned, signers[JGRANTS_CLIENT])
    exchange_key = stack.resolve(ResourceRef("key", "exchange-signing", "arn"))
    # registered matters are not public: the allowed client needs the right (seed_exchange_admin) and デモ工業's
    # consent (seeded there); the denied client holds no right
    example_path = f"/r1/{MOJ_REGISTRY}/registered-matters/{DEMO_CORP_A}"
    return {
        "exchange": {
            "client": str(DEMO_CLIENT),
            "example": f"/r1/{MOJ_REGISTRY}/listMethods",
            "keys": f"/r1/{XROAD_INSTANCE}/keys",
            # what `python -m devstack.exchange_log verify --trust` takes
            "exchange_public_jwk": kms_public_jwk(exchange_key),
        },
        "exchange_clients": [
            {
                "role": "allowed",
                "client": str(DEMO_CLIENT),
                "private_jwk": signers[DEMO_CLIENT].private_jwk(),
                "may_call": [f"{provider}/{code}" for provider, code, client in _RIGHTS if client == DEMO_CLIENT],
                "example": {"method": "GET", "path": example_path},
                "command": f"python -m devstack.exchange_call --as allowed GET {example_path}",
            },
            {
                "role": "denied",
                "client": str(DENIED_CLIENT),
                "private_jwk": signers[DENIED_CLIENT].private_jwk(),
                "may_call": [],
                "example": {"method": "GET", "path": example_path},
                "command": f"python -m devstack.exchange_call --as denied GET {example_path}",
            },
        ],
    }
