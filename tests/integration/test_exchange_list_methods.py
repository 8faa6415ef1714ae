"""X-Road listMethods through API Gateway proxy events, over moto's DynamoDB registry."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import ApiCaller

CLIENT = {"X-Road-Client": "JP-DEV/COM/9999000000019/itest-client"}


@pytest.fixture(scope="module")
def registry(aws_platform: dict[str, Any]) -> dict[str, Any]:
    from devstack.seed_exchange import seed_exchange
    from functions.exchange.dal import RegistryStore, ServiceItem, SubsystemItem
    from functions.exchange.models import SubsystemId

    info = seed_exchange(aws_platform)
    store = RegistryStore(aws_platform["exchange"].name("table", "registry"))
    # Our own subsystems, so assertions do not depend on what else the shared platform holds.
    provider = SubsystemId("JP-DEV", "GOV", "itest-provider", "itest-services")
    store.put(SubsystemItem(provider, "結合試験用の提供サブシステム"))
    for code in ("zeta-service", "alpha-service"):
        store.put(ServiceItem(provider, code, "OPENAPI", f"試験サービス {code}"))
    store.put(SubsystemItem(SubsystemId("JP-DEV", "GOV", "itest-provider", "itest-empty"), "サービスなし"))
    return info


@pytest.mark.usefixtures("registry")
class TestListMethods:
    def test_given_seeded_registry_when_listing_the_demo_example_then_the_registered_matters_service_comes(
        self, call_api: ApiCaller, registry: dict[str, Any]
    ) -> None:
        example = registry["exchange"]["example"]
        client = {"X-Road-Client": registry["exchange"]["client"]}

        response = call_api("GET", example, headers=client)

        assert response.status == 200
        instance, member_class, member_code, subsystem = example.split("/")[2:6]
        assert response.json() == {
            "service": [
                {
                    "xroad_instance": instance,
                    "member_class": member_class,
                    "member_code": member_code,
                    "subsystem_code": subsystem,
                    "service_code": "registered-matters",
                    "service_type": "OPENAPI",
                    "object_type": "SERVICE",
                }
            ]
        }

    def test_given_own_provider_when_listing_then_its_services_come_ordered_by_code(self, call_api: ApiCaller) -> None:
        response = call_api("GET", "/r1/JP-DEV/GOV/itest-provider/itest-services/listMethods", headers=CLIENT)

        assert response.status == 200
        assert [s["service_code"] for s in response.json()["service"]] == ["alpha-service", "zeta-service"]

    def test_given_subsystem_without_services_when_listing_then_the_list_is_empty(self, call_api: ApiCaller) -> None:
        response = call_api("GET", "/r1/JP-DEV/GOV/itest-provider/itest-empty/listMethods", headers=CLIENT)

        assert response.status == 200
        assert response.json() == {"service": []}

    def test_given_no_message_id_when_listing_then_the_response_carries_a_new_uuid(self, call_api: ApiCaller) -> None:
        response = call_api("GET", "/r1/JP-DEV/GOV/itest-provider/itest-services/listMethods", headers=CLIENT)

        assert uuid.UUID(response.headers["x-road-id"]).version == 4

    def test_given_client_message_id_when_listing_then_it_is_echoed(self, call_api: ApiCaller) -> None:
        headers = {**CLIENT, "X-Road-Id": "itest-message-0001"}

        response = call_api("GET", "/r1/JP-DEV/GOV/itest-provider/itest-services/listMethods", headers=headers)

        assert response.headers["x-road-id"] == "itest-message-0001"

    def test_given_unknown_subsystem_when_listing_then_404_problem_with_message_id(self, call_api: ApiCaller) -> None:
        headers = {**CLIENT, "X-Road-Id": "itest-message-0002"}

        response = call_api("GET", "/r1/JP-DEV/GOV/itest-provider/no-such-subsystem/listMethods", headers=headers)

        assert response.status == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["x-road-id"] == "itest-message-0002"


@pytest.mark.parametrize(
    "client",
    [None, "", "JP-DEV/COM/123", "JP-DEV/COM/123/sub/extra", "JP-DEV/XXX/123/sub", "JP-DEV/COM/12 3/sub"],
)
def test_given_missing_or_malformed_client_header_when_listing_then_400_problem_names_it(
    call_api: ApiCaller, client: str | None
) -> None:
    headers = {} if client is None else {"X-Road-Client": client}

    response = call_api("GET", "/r1/JP-DEV/GOV/itest-provider/itest-services/listMethods", headers=headers)

    assert response.status == 400
    assert [e["item"] for e in response.json()["errors"]] == ["X-Road-Client"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/r1/JP DEV/GOV/itest-provider/itest-services/listMethods", "instance"),
        ("/r1/JP-DEV/gov/itest-provider/itest-services/listMethods", "member_class"),
        ("/r1/JP-DEV/GOV/itest%provider/itest-services/listMethods", "member_code"),
        (f"/r1/JP-DEV/GOV/itest-provider/{'s' * 65}/listMethods", "subsystem"),
    ],
)
def test_given_malformed_provider_identifier_when_listing_then_400_problem_names_the_part(
    call_api: ApiCaller, path: str, field: str
) -> None:
    response = call_api("GET", path, headers=CLIENT)

    assert response.status == 400
    assert [e["item"] for e in response.json()["errors"]] == [field]


def test_given_message_id_with_spaces_when_listing_then_400_problem_names_it(call_api: ApiCaller) -> None:
    headers = {**CLIENT, "X-Road-Id": "two words"}

    response = call_api("GET", "/r1/JP-DEV/GOV/itest-provider/itest-services/listMethods", headers=headers)

    assert response.status == 400
    assert [e["item"] for e in response.json()["errors"]] == ["X-Road-Id"]
