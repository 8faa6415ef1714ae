"""The data exchange's registry administration and consents over HTTP (``/exchange/v1``), in process under moto.

Callers present access tokens of a test OpenID Provider (``tests.integration.jgrants_principals``): the exchange
verifies them as in the cloud and reads the account type and corporation from userinfo. Each attack is tried
and must fail: another member's administrator, an Entry or Member account giving consent, a revoked consent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from joserfc.jwk import ECKey

from platform_common.corporate_number import make_corporate_number
from tests.integration.jgrants_principals import TestIdentityProvider

PROVIDER_CODE = make_corporate_number("999930000001")
CLIENT_CODE = make_corporate_number("999930000002")
OTHER_CODE = make_corporate_number("999930000003")
OPENAPI = (
    "openapi: 3.0.3\ninfo:\n  title: Registered matters\n  version: '1'\npaths:\n  /registered-matters/{number}: {}\n"
)
BASE = "https://api.devstack.test/exchange/v1"


@pytest.fixture(scope="module")
def op(aws_platform: dict[str, Any]) -> Iterator[TestIdentityProvider]:
    from functions.exchange.callers import use_resource_server
    from functions.exchange.settings import get_settings
    from platform_common.access_tokens import ResourceServer

    get_settings.cache_clear()
    provider = TestIdentityProvider("https://id.devstack.test/oauth")
    use_resource_server(ResourceServer(provider.issuer, fetch_jwks=provider.jwks, fetch_userinfo=provider.userinfo))
    yield provider
    use_resource_server(None)


@pytest.fixture(scope="module")
def people(op: TestIdentityProvider) -> dict[str, dict[str, str]]:
    from functions.exchange import registry

    operator_sub, operator = op.bearer()
    registry.add_operator(operator_sub, "テスト運用者")
    return {
        "operator": operator,
        "provider_admin": op.bearer(account_type="3", corporate_number=PROVIDER_CODE)[1],
        "client_admin": op.bearer(account_type="2", corporate_number=CLIENT_CODE)[1],
        "other_admin": op.bearer(account_type="2", corporate_number=OTHER_CODE)[1],
        "client_prime": op.bearer(account_type="2", corporate_number=CLIENT_CODE)[1],
        "client_entry": op.bearer(account_type="1", corporate_number=CLIENT_CODE)[1],
        "client_member": op.bearer(account_type="3", corporate_number=CLIENT_CODE)[1],
        "provider_prime": op.bearer(account_type="2", corporate_number=PROVIDER_CODE)[1],
    }


def _json(call_api: Any, method: str, path: str, who: dict[str, str], body: Any = None) -> Any:
    headers = {**who, "Content-Type": "application/json"}
    return call_api(method, f"{BASE}{path}", headers, json.dumps(body) if body is not None else None)


@pytest.fixture(scope="module")
def registered(aws_platform: dict[str, Any], people: dict[str, dict[str, str]]) -> dict[str, Any]:
    from tests.conftest import ApiCaller

    call = ApiCaller()
    for code, cls, name in (
        (PROVIDER_CODE, "GOV", "テスト法務局"),
        (CLIENT_CODE, "COM", "テスト会計"),
        (OTHER_CODE, "COM", "他社"),
    ):
        answer = _json(
            call, "POST", "/members", people["operator"], {"member_class": cls, "member_code": code, "name": name}
        )
        assert answer.status == 201, answer.body
        assert answer.json()["has_signing_key"] is True
    answer = _json(
        call,
        "POST",
        f"/members/GOV/{PROVIDER_CODE}/subsystems",
        people["provider_admin"],
        {"subsystem_code": "registry", "name": "登記"},
    )
    assert answer.status == 201, answer.body
    answer = _json(
        call,
        "PUT",
        f"/members/GOV/{PROVIDER_CODE}/subsystems/registry/services/registered-matters",
        people["provider_admin"],
        {"title": "登記事項", "openapi": OPENAPI, "public": False, "endpoint": "registered-matters"},
    )
    assert answer.status == 200, answer.body
    key = ECKey.generate_key("P-256", parameters={"kid": "client-1"})
    for code, who in ((CLIENT_CODE, "client_admin"), (OTHER_CODE, "other_admin")):
        answer = _json(
            call, "POST", f"/members/COM/{code}/subsystems", people[who], {"subsystem_code": "accounts", "name": "会計"}
        )
        assert answer.status == 201, answer.body
    answer = _json(
        call,
        "PUT",
        f"/members/COM/{CLIENT_CODE}/subsystems/accounts/keys",
        people["client_admin"],
        {"jwks": {"keys": [key.as_dict(private=False)]}},
    )
    assert answer.status == 200, answer.body
    return {"key": key}


def _client(code: str = CLIENT_CODE) -> Any:
    from functions.exchange.models import SubsystemId

    return SubsystemId("JP-DEV", "COM", code, "accounts")


def _provider() -> Any:
    from functions.exchange.models import SubsystemId

    return SubsystemId("JP-DEV", "GOV", PROVIDER_CODE, "registry")


def test_given_registered_members_then_the_interfaces_for_the_protocol_answer(registered: dict[str, Any]) -> None:
    from functions.exchange import registry

    keys = registry.client_keys(_client())
    assert keys is not None
    assert [k.kid for k in keys.keys] == ["client-1"]
    assert registry.client_keys(_client(OTHER_CODE)) is None  # no keys registered
    assert registry.member_key_id(_provider())
    assert registry.member_key_id(("JP-DEV", "GOV", make_corporate_number("999939999999"))) is None


def test_given_a_provider_admin_when_granting_and_revoking_a_right_then_access_right_follows_at_once(
    call_api: Any, registered: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    from functions.exchange import registry

    path = f"/members/GOV/{PROVIDER_CODE}/subsystems/registry/rights"
    body = {"service_code": "registered-matters", "client": str(_client())}
    assert _json(call_api, "POST", path, people["provider_admin"], body).status == 201
    assert registry.access_right(_provider(), "registered-matters", _client()) is not None
    assert registry.access_right(_provider(), "registered-matters", _client(OTHER_CODE)) is None
    assert _json(call_api, "POST", path, people["provider_admin"], body).status == 409
    listed = _json(call_api, "GET", path, people["provider_admin"]).json()["rights"]
    assert [r["client"] for r in listed] == [str(_client())]
    assert _json(call_api, "POST", f"{path}/revoke", people["provider_admin"], body).status == 200
    assert registry.access_right(_provider(), "registered-matters", _client()) is None
    assert _json(call_api, "POST", f"{path}/revoke", people["provider_admin"], body).status == 404


def test_given_another_members_admin_when_changing_my_rights_keys_or_services_then_forbidden(
    call_api: Any, registered: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    from functions.exchange import registry

    path = f"/members/GOV/{PROVIDER_CODE}/subsystems/registry"
    attacker = people["other_admin"]
    grant = {"service_code": "registered-matters", "client": str(_client(OTHER_CODE))}
    assert _json(call_api, "POST", f"{path}/rights", attacker, grant).status == 403
    assert registry.access_right(_provider(), "registered-matters", _client(OTHER_CODE)) is None
    assert _json(call_api, "GET", f"{path}/rights", attacker).status == 403
    service = {"title": "x", "openapi": OPENAPI, "public": True, "endpoint": "registered-matters"}
    assert _json(call_api, "PUT", f"{path}/services/registered-matters", attacker, service).status == 403
    keys = {"jwks": {"keys": [ECKey.generate_key("P-256", parameters={"kid": "evil"}).as_dict(private=False)]}}
    assert _json(call_api, "PUT", f"/members/COM/{CLIENT_CODE}/subsystems/accounts/keys", attacker, keys).status == 403
    assert _json(call_api, "GET", "/members", attacker).status == 403  # operators only
    reg = {"member_class": "COM", "member_code": OTHER_CODE, "name": "乗っ取り"}
    assert _json(call_api, "POST", "/members", attacker, reg).status == 403
    entry = _json(
        call_api,
        "POST",
        f"/members/COM/{CLIENT_CODE}/subsystems",
        people["client_entry"],
        {"subsystem_code": "x", "name": "x"},
    )
    assert entry.status == 403  # an Entry account administers nothing
    assert _json(call_api, "GET", "/members", {}).status == 401


def test_given_bad_input_then_400_naming_the_field(
    call_api: Any, registered: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    path = f"/members/GOV/{PROVIDER_CODE}/subsystems/registry/services/bad"
    admin = people["provider_admin"]
    cases = [
        (
            {"title": "t", "openapi": "openapi: 2.0\ninfo: {title: x, version: '1'}\npaths: {}", "endpoint": "x"},
            "openapi",
        ),
        ({"title": "t", "openapi": "{not: [valid", "endpoint": "x"}, "openapi"),
        ({"title": "t", "openapi": OPENAPI, "endpoint": "https://169.254.169.254/latest"}, "endpoint"),
        ({"title": "t", "openapi": OPENAPI, "endpoint": "http://example.jp/"}, "endpoint"),
    ]
    for body, field in cases:
        answer = _json(call_api, "PUT", path, admin, body)
        assert answer.status == 400, (body, answer.body)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert [e["item"] for e in answer.json()["errors"]] == [field]
    private = ECKey.generate_key("P-256", parameters={"kid": "k"}).as_dict(private=True)
    answer = _json(
        call_api,
        "PUT",
        f"/members/COM/{CLIENT_CODE}/subsystems/accounts/keys",
        people["client_admin"],
        {"jwks": {"keys": [private]}},
    )
    assert answer.status == 400
    assert answer.json()["errors"][0]["item"] == "jwks"


def _consent(call_api: Any, who: dict[str, str], **changes: Any) -> Any:
    body = {
        "client": str(_client()),
        "purpose": "補助金申請の添付書類",
        "services": ["registered-matters"],
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        **changes,
    }
    return _json(call_api, "POST", "/consents", who, body)


def test_given_consents_then_only_the_corporations_prime_holder_grants_and_revocation_is_immediate(
    call_api: Any, registered: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    from functions.exchange import consent

    owner = people["other_admin"]  # the Prime holder of OTHER_CODE: consents about its own corporation
    for who in ("client_entry", "client_member"):
        assert _consent(call_api, people[who]).status == 403
    granted = _consent(call_api, owner)
    assert granted.status == 201, granted.body
    consent_id = granted.json()["consent_id"]
    now = datetime.now(UTC)
    assert consent.active_consent(OTHER_CODE, _client(), "registered-matters", now) is not None
    assert consent.active_consent(OTHER_CODE, _client(OTHER_CODE), "registered-matters", now) is None
    assert consent.active_consent(OTHER_CODE, _client(), "tax-payment-status", now) is None
    assert consent.active_consent(CLIENT_CODE, _client(), "registered-matters", now) is None  # another corporation
    assert consent.active_consent(OTHER_CODE, _client(), "registered-matters", now + timedelta(days=40)) is None

    # another corporation's Prime holder cannot revoke it
    assert _json(call_api, "POST", f"/consents/{consent_id}/revoke", people["client_prime"]).status == 404
    assert consent.active_consent(OTHER_CODE, _client(), "registered-matters", now) is not None
    assert _json(call_api, "POST", f"/consents/{consent_id}/revoke", owner).status == 200
    assert consent.active_consent(OTHER_CODE, _client(), "registered-matters", datetime.now(UTC)) is None
    listed = _json(call_api, "GET", "/consents", owner).json()["consents"]
    assert listed[0]["revoked_at"] is not None

    consent.record_access(OTHER_CODE, _client(), "registered-matters", "msg-1", now)
    history = _json(call_api, "GET", "/access-history", owner).json()["accesses"]
    assert [(h["client"], h["message_id"]) for h in history] == [(str(_client()), "msg-1")]
    assert _json(call_api, "GET", "/access-history", people["client_prime"]).json()["accesses"] == []


def test_given_a_bad_consent_then_400_naming_the_field(
    call_api: Any, registered: dict[str, Any], people: dict[str, dict[str, str]]
) -> None:
    owner = people["other_admin"]
    too_far = (date.today() + timedelta(days=400)).isoformat()
    for changes, field in (
        ({"expires_on": too_far}, "expires_on"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"client": str(_provider())}, "client"),  # a government client needs no consent
        ({"services": ["no-such-service"]}, "services"),
        ({"purpose": "   "}, "purpose"),
    ):
        answer = _consent(call_api, owner, **changes)
        assert answer.status == 400, (changes, answer.body)
        assert answer.json()["errors"][0]["item"] == field


def test_every_change_is_audited(registered: dict[str, Any]) -> None:
    from functions.exchange import registry

    kinds = {entry.kind for entry in registry.audit_log().find_entries(limit=200)}
    assert {
        "exchange.member_registered",
        "exchange.subsystem_saved",
        "exchange.keys_replaced",
        "exchange.service_saved",
    } <= kinds
    assert registry.audit_log().verify_chain().to_json()["broken_seq"] is None
