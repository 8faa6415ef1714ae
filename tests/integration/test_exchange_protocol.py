"""Signed calls through the exchange over moto: authentication, replay, access rights, consent, signatures,
timestamps and the message log, through API Gateway proxy events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ApiCaller

GBIZINFO_PATH = "/r1/JP-DEV/GOV/{meti}/gbizinfo/hojin-info/{number}"
MATTERS_PATH = "/r1/JP-DEV/GOV/{moj}/commercial-registry/registered-matters/{number}"


@pytest.fixture(scope="module")
def exchange(aws_platform: dict[str, Any]) -> dict[str, Any]:
    from devstack.demo_corporations import DEMO_CORPORATIONS
    from devstack.seed_exchange import DEMO_CLIENT, METI_CODE, MOJ_CODE, MOJ_REGISTRY, seed_exchange
    from functions.exchange.jws import LocalSigner
    from platform_common import aws

    info = seed_exchange(aws_platform)
    hojin = aws_platform["opendata"].name("table", "hojin")
    for record in DEMO_CORPORATIONS:
        aws.client("dynamodb").put_item(
            TableName=hojin,
            Item={
                "corporate_number": {"S": record["corporate_number"]},
                "document": {"S": json.dumps(record, ensure_ascii=False)},
            },
        )
    table = aws_platform["exchange"].name("table", "registry")
    from devstack.seed_exchange import _grant

    _grant(table, MOJ_REGISTRY, "registered-matters", DEMO_CLIENT)
    clients = {c["role"]: c for c in info["exchange_clients"]}
    return {
        "info": info,
        "table": table,
        "allowed": (clients["allowed"]["client"], LocalSigner.from_jwk(clients["allowed"]["private_jwk"])),
        "denied": (clients["denied"]["client"], LocalSigner.from_jwk(clients["denied"]["private_jwk"])),
        "meti": METI_CODE,
        "moj": MOJ_CODE,
        "corp_a": DEMO_CORPORATIONS[0]["corporate_number"],
        "corp_b": DEMO_CORPORATIONS[1]["corporate_number"],
    }


def _call(call_api: ApiCaller, exchange: dict[str, Any], role: str, path: str, **signing: Any) -> Any:
    from devstack.exchange_call import signed_headers

    client, signer = exchange[role]
    headers = signed_headers(signer, client, "GET", path, **signing)
    return call_api("GET", path, headers=headers)


def _consent(exchange: dict[str, Any], number: str, service: str) -> dict[str, Any]:
    from platform_common import aws

    now = datetime.now(UTC)
    client = exchange["allowed"][0]
    consent_id = uuid.uuid4().hex[:20]
    key = {"pk": {"S": f"CONSENT#{number}"}, "sk": {"S": f"{client}#{consent_id}"}}
    aws.client("dynamodb").put_item(
        TableName=exchange["table"],
        Item={
            **key,
            "corporate_number": {"S": number},
            "consent_id": {"S": consent_id},
            "client": {"S": client},
            "purpose": {"S": "補助金申請"},
            "services": {"L": [{"S": service}]},
            "granted_at": {"S": (now - timedelta(minutes=1)).isoformat()},
            "expires_at": {"S": (now + timedelta(days=30)).isoformat()},
            "granted_by": {"S": "itest"},
        },
    )
    return key


def test_given_a_right_to_public_data_when_calling_signed_then_200_with_a_signed_timestamped_answer(
    call_api: ApiCaller, exchange: dict[str, Any]
) -> None:
    from functions.exchange.canonical import canonical_response
    from functions.exchange.jws import key_directory, verify_detached
    from functions.exchange.registry import member_key_id
    from functions.exchange.signing import kms_public_jwk

    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])
    response = _call(call_api, exchange, "allowed", path)

    assert response.status == 200, response.body
    assert response.json()["name"] == "デモ工業株式会社"
    key_id = member_key_id(("JP-DEV", "GOV", exchange["meti"]))
    assert key_id
    keys = key_directory({"keys": [kms_public_jwk(key_id)]})
    message = canonical_response(200, response.headers["x-road-id"], response.body)
    verify_detached(response.headers["x-road-response-signature"], message, keys)
    assert response.headers["x-road-response-timestamp"].count(".") == 2


def test_given_no_right_when_calling_then_403_and_no_data(call_api: ApiCaller, exchange: dict[str, Any]) -> None:
    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])
    response = _call(call_api, exchange, "denied", path)

    assert response.status == 403
    assert "デモ工業" not in response.body.decode()
    unknown = _call(call_api, exchange, "denied", path.replace("hojin-info", "no-such-service"))
    assert unknown.status == 403
    assert unknown.json()["detail"] == response.json()["detail"]


def test_given_a_tampered_signature_when_calling_then_401(call_api: ApiCaller, exchange: dict[str, Any]) -> None:
    from devstack.exchange_call import signed_headers

    client, signer = exchange["allowed"]
    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])
    headers = signed_headers(signer, client, "GET", path)
    other = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_b"])

    response = call_api("GET", other, headers=headers)  # the signature covers another path

    assert response.status == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["item"] for e in response.json()["errors"]] == ["X-Road-Request-Signature"]


def test_given_a_reused_message_id_when_calling_again_then_409(call_api: ApiCaller, exchange: dict[str, Any]) -> None:
    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])
    message_id = f"itest-{uuid.uuid4()}"

    first = _call(call_api, exchange, "allowed", path, message_id=message_id)
    second = _call(call_api, exchange, "allowed", path, message_id=message_id)

    assert first.status == 200
    assert second.status == 409
    assert second.json()["type"].endswith(":replay")


def test_given_a_stale_request_time_when_calling_then_401_naming_the_header(
    call_api: ApiCaller, exchange: dict[str, Any]
) -> None:
    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])

    response = _call(call_api, exchange, "allowed", path, now=datetime.now(UTC) - timedelta(seconds=400))

    assert response.status == 401
    assert [e["item"] for e in response.json()["errors"]] == ["X-Road-Request-Time"]


def test_given_consent_then_revoked_when_calling_then_200_then_403_consent_required(
    call_api: ApiCaller, exchange: dict[str, Any]
) -> None:
    from platform_common import aws

    path = MATTERS_PATH.format(moj=exchange["moj"], number=exchange["corp_b"])
    assert _call(call_api, exchange, "allowed", path).json()["type"].endswith(":consent-required")
    key = _consent(exchange, exchange["corp_b"], "registered-matters")

    granted = _call(call_api, exchange, "allowed", path)
    aws.client("dynamodb").update_item(
        TableName=exchange["table"],
        Key=key,
        UpdateExpression="SET revoked_at = :now",
        ExpressionAttributeValues={":now": {"S": datetime.now(UTC).isoformat()}},
    )
    revoked = _call(call_api, exchange, "allowed", path)

    assert granted.status == 200
    matters = granted.json()
    assert matters["name"] == "霞が関商事株式会社"
    assert matters["officers"][0] == {**matters["officers"][0], "position": "代表取締役", "name": "大阪 花子"}
    assert revoked.status == 403
    assert revoked.json()["type"].endswith(":consent-required")


def test_given_calls_when_reading_the_message_log_then_the_chain_verifies_with_every_signature(
    call_api: ApiCaller, exchange: dict[str, Any], aws_platform: dict[str, Any]
) -> None:
    from functions.exchange.message_log import MessageLog, check_links
    from platform_common.hash_chain import GENESIS_HASH

    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])
    response = _call(call_api, exchange, "allowed", path)
    log = MessageLog(exchange["table"], aws_platform["exchange"].name("bucket", "message-log"))

    entries = list(log.entries(1, log.head_seq()))
    seqs = log.seqs_of_message(response.headers["x-road-id"])

    assert check_links(GENESIS_HASH, entries) is None
    mine = [entries[seq - 1] for seq in seqs]
    assert [(e.direction, e.outcome) for e in mine] == [("request", "forwarded"), ("response", "ok")]
    assert mine[1].signature == response.headers["x-road-response-signature"]
    assert log.chain.archived_copy(seqs[1]) == mine[1].to_json()
