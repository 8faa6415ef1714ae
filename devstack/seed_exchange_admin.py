"""The data exchange's administration in the devstack: the demo operator, the demo access rights and one
consent, made through the same functions the portal uses (so they are audited like the portal's).

Runs after :func:`devstack.seed_exchange.seed_exchange`, which registered the members (with their signing keys
and index keys) and subsystems. The demo client subsystem ``accounting-system`` of デモ工業 is granted every
service of the commercial registry and the tax certificates; any other client holds no right (the exchange
answers it 403). デモ工業's Prime holder consents to ``accounting-system`` fetching its registered matters, so
the documented example call (``exchange_clients[].command``) answers 200; the tax status still needs a consent
given in the portal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from devstack.demo_corporations import DEMO_CORP_A
from devstack.provision import ProvisionedStack
from devstack.seed_exchange import DEMO_CLIENT, MOJ_REGISTRY, NTA_CERTIFICATES
from functions.exchange import consent, registry
from functions.exchange.callers import Caller
from functions.exchange.models import SubsystemId

OPERATOR_EMAIL: Final = "exchange-operator@meti.example.jp"
CONSENTING_PRIME_EMAIL: Final = "prime@demo-a.example.jp"  # デモ工業's Prime holder (devstack.seed_identity)
SEED_ACTOR: Final = "devstack-seed"
ALLOWED_PROVIDERS: Final[tuple[SubsystemId, ...]] = (MOJ_REGISTRY, NTA_CERTIFICATES)
SEEDED_CONSENT_SERVICES: Final = ("registered-matters",)
SEEDED_CONSENT_PURPOSE: Final = "補助金申請の添付書類（登記事項）の取得"


def seed_exchange_admin(
    provisioned: dict[str, ProvisionedStack],
    users: list[dict[str, Any]] | None,
    exchange_clients: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Operator, rights and the demo consent; returns ``exchange_clients`` with the allowed client's rights."""
    if "exchange" not in provisioned:
        return {}
    seeder = Caller(sub=SEED_ACTOR, account_type=None, corporate_number=None, operator=True)
    operator = _sub_of(users, OPERATOR_EMAIL)
    if operator is not None:
        registry.add_operator(operator, "データ交換基盤 運用担当（デモ）")
    rights = []
    for provider in ALLOWED_PROVIDERS:
        for service in registry.list_services(provider):
            if registry.access_right(provider, service.service_code, DEMO_CLIENT) is None:
                registry.grant_right(seeder, provider, service.service_code, DEMO_CLIENT)
            rights.append(f"{provider}/{service.service_code}")
    consent_id = _seed_consent(_sub_of(users, CONSENTING_PRIME_EMAIL) or SEED_ACTOR)
    found: dict[str, Any] = {
        "exchange_admin": {
            "portal": "/exchange/portal",
            "operator": OPERATOR_EMAIL,
            "rights": rights,
            "consent": {"corporate_number": DEMO_CORP_A, "client": str(DEMO_CLIENT), "consent_id": consent_id},
        }
    }
    if exchange_clients is not None:
        found["exchange_clients"] = [
            {**c, "may_call": sorted({*c["may_call"], *rights})} if c["client"] == str(DEMO_CLIENT) else c
            for c in exchange_clients
        ]
    return found


def _sub_of(users: list[dict[str, Any]] | None, email: str) -> str | None:
    found = next((u for u in users or [] if u.get("email") == email and u.get("sub")), None)
    return str(found["sub"]) if found is not None else None


def _seed_consent(prime_sub: str) -> str:
    """デモ工業's consent (given as its Prime holder) for the demo client's registered-matters calls; an active
    one of an earlier start is kept."""
    now = datetime.now(UTC)
    existing = consent.active_consent(DEMO_CORP_A, DEMO_CLIENT, SEEDED_CONSENT_SERVICES[0], now)
    if existing is not None:
        return existing.consent_id
    prime = Caller(sub=prime_sub, account_type="2", corporate_number=DEMO_CORP_A, operator=False)
    expires_on = (now + timedelta(days=300)).date().isoformat()
    granted = consent.grant_consent(
        prime, str(DEMO_CLIENT), SEEDED_CONSENT_PURPOSE, SEEDED_CONSENT_SERVICES, expires_on, now
    )
    return granted.consent_id
