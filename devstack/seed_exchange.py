"""Demo members of the data exchange (instance ``JP-DEV``): three government providers and one company client.

Member codes are corporate numbers (法人番号), as X-Road uses each country's business registry code. They are
valid but fictional (base numbers from 9999...), like the demo corporations of the open data.
"""

from __future__ import annotations

from typing import Any

from devstack.demo_corporations import DEMO_CORP_A
from devstack.provision import ProvisionedStack
from functions.exchange.dal import MemberItem, RegistryStore, ServiceItem, SubsystemItem
from functions.exchange.models import SubsystemId
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

_MEMBERS = (
    MemberItem(XROAD_INSTANCE, "GOV", MOJ_CODE, "法務省"),
    MemberItem(XROAD_INSTANCE, "GOV", NTA_CODE, "国税庁"),
    MemberItem(XROAD_INSTANCE, "GOV", METI_CODE, "経済産業省"),
    MemberItem(XROAD_INSTANCE, "COM", DEMO_CORP_A, "デモ工業株式会社"),
)
_SUBSYSTEMS = (
    SubsystemItem(MOJ_REGISTRY, "商業・法人登記"),
    SubsystemItem(NTA_CERTIFICATES, "納税証明書交付"),
    SubsystemItem(METI_GBIZINFO, "gBizINFO（法人インフォメーション）"),
    SubsystemItem(DEMO_CLIENT, "会計システム（補助金申請の添付書類取得）"),
)
_SERVICES = (
    ServiceItem(MOJ_REGISTRY, "corporate-registration-certificate", "OPENAPI", "登記事項証明書"),
    ServiceItem(NTA_CERTIFICATES, "tax-payment-certificate", "OPENAPI", "納税証明書"),
    ServiceItem(METI_GBIZINFO, "hojin-info", "OPENAPI", "法人活動情報"),
)


def seed_exchange(provisioned: dict[str, ProvisionedStack]) -> dict[str, Any]:
    """Register the demo members, subsystems and services (idempotent: overwrites items)."""
    stack = provisioned.get(EXCHANGE_SCOPE)
    if stack is None:
        return {}
    registry = RegistryStore(stack.name("table", "registry"))
    for item in (*_MEMBERS, *_SUBSYSTEMS, *_SERVICES):
        registry.put(item)
    return {
        "exchange": {
            "client": str(DEMO_CLIENT),
            "example": f"/r1/{MOJ_REGISTRY}/listMethods",
        }
    }
