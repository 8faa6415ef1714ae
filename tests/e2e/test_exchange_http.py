"""The data exchange over real HTTP against the devstack, as a member's information system calls it: the X-Road
REST headers, signed requests, signed answers, the message log exported and verified offline."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B
from devstack.exchange_call import signed_headers, verify_answer, verify_directory
from devstack.seed_exchange import METI_GBIZINFO, MOJ_REGISTRY
from functions.exchange.jws import LocalSigner

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
HOJIN_INFO = f"/r1/{METI_GBIZINFO}/hojin-info/{DEMO_CORP_A}"
MATTERS_OF_B = f"/r1/{MOJ_REGISTRY}/registered-matters/{DEMO_CORP_B}"


class Member:
    """One demo client of demo.json: signs and sends like devstack.exchange_call."""

    def __init__(self, demo: dict[str, Any], role: str) -> None:
        found = next(c for c in demo["exchange_clients"] if c["role"] == role)
        self.client: str = found["client"]
        self.signer = LocalSigner.from_jwk(found["private_jwk"])
        self.base = demo["base_url"]

    def get(self, path: str, **signing: Any) -> httpx.Response:
        headers = signed_headers(self.signer, self.client, "GET", path, **signing)
        return httpx.get(self.base + path, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def registry(devstack: dict[str, Any]) -> Any:
    """The devstack's registry table in its moto server, for what an administrator or a Prime holder would do."""
    aws = devstack["aws"]
    client = boto3.client(
        "dynamodb",
        endpoint_url=aws["endpoint_url"],
        region_name=aws["region"],
        aws_access_key_id="devstack",
        aws_secret_access_key="devstack",  # moto's fake credentials
    )
    return client, aws["environment"]["REGISTRY_TABLE_NAME"]


def _put_right(registry: Any, provider: str, service: str, client: str) -> None:
    dynamodb, table = registry
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": f"SUBSYSTEM#{provider}"},
            "sk": {"S": f"RIGHT#{service}#{client}"},
            "provider": {"S": provider},
            "service_code": {"S": service},
            "client": {"S": client},
            "granted_by": {"S": "e2e"},
            "granted_at": {"S": datetime.now(UTC).isoformat()},
            "gsi1pk": {"S": f"RIGHTS#{client}"},
            "gsi1sk": {"S": f"{provider}/{service}"},
        },
    )


def _put_external_service(registry: Any, provider: str, code: str, endpoint: str) -> None:
    dynamodb, table = registry
    parts = provider.split("/")
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": f"SUBSYSTEM#{provider}"},
            "sk": {"S": f"SERVICE#{code}"},
            "xroad_instance": {"S": parts[0]},
            "member_class": {"S": parts[1]},
            "member_code": {"S": parts[2]},
            "subsystem_code": {"S": parts[3]},
            "service_code": {"S": code},
            "service_type": {"S": "OPENAPI"},
            "title": {"S": code},
            "public": {"BOOL": True},
            "endpoint": {"S": endpoint},
        },
    )


def _directory(devstack: dict[str, Any]) -> dict[str, Any]:
    directory: dict[str, Any] = httpx.get(f"{devstack['base_url']}/r1/JP-DEV/keys").json()
    verify_directory(directory, devstack["exchange"]["exchange_public_jwk"])
    return directory


def _export(devstack: dict[str, Any], tmp_path: Path, *selection: str) -> Path:
    demo_file = tmp_path / "demo.json"
    demo_file.write_text(json.dumps(devstack), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'common' / 'python'}"}
    done = subprocess.run(  # our own command
        [
            sys.executable,
            "-m",
            "devstack.exchange_log",
            "export",
            *selection,
            "--endpoint",
            "devstack",
            "--demo",
            str(demo_file),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    bundle = tmp_path / f"bundle-{uuid.uuid4().hex[:8]}.json"
    bundle.write_bytes(done.stdout)
    return bundle


def _verify(devstack: dict[str, Any], tmp_path: Path, bundle: Path) -> subprocess.CompletedProcess[str]:
    trust = tmp_path / "exchange-public.jwk"
    trust.write_text(json.dumps(devstack["exchange"]["exchange_public_jwk"]), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'common' / 'python'}"}
    return subprocess.run(  # our own command
        [sys.executable, "-m", "devstack.exchange_log", "verify", str(bundle), "--trust", str(trust)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_given_the_allowed_client_when_calling_then_200_signed_by_the_providers_published_key(
    devstack: dict[str, Any],
) -> None:
    response = Member(devstack, "allowed").get(HOJIN_INFO)

    assert response.status_code == 200, response.text
    assert response.json()["corporate_number"] == DEMO_CORP_A
    provider_member = "/".join(str(METI_GBIZINFO).split("/")[:3])
    verify_answer(200, response.headers, response.content, provider_member, _directory(devstack))


def test_given_the_denied_client_when_calling_then_403_and_no_data(devstack: dict[str, Any]) -> None:
    response = Member(devstack, "denied").get(HOJIN_INFO)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert DEMO_CORP_A not in response.text.replace(HOJIN_INFO, "")  # the instance path only, no record
    assert "x-road-response-signature" not in response.headers


def test_given_a_tampered_signature_when_calling_then_401(devstack: dict[str, Any]) -> None:
    member = Member(devstack, "allowed")
    headers = signed_headers(member.signer, member.client, "GET", HOJIN_INFO)
    header, _, signature = headers["X-Road-Request-Signature"].split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    headers["X-Road-Request-Signature"] = f"{header}..{flipped}"

    response = httpx.get(member.base + HOJIN_INFO, headers=headers)

    assert response.status_code == 401
    assert [e["item"] for e in response.json()["errors"]] == ["X-Road-Request-Signature"]


def test_given_a_replayed_message_id_when_calling_then_409(devstack: dict[str, Any]) -> None:
    member = Member(devstack, "allowed")
    message_id = f"e2e-{uuid.uuid4()}"

    first = member.get(HOJIN_INFO, message_id=message_id)
    again = member.get(HOJIN_INFO, message_id=message_id)

    assert first.status_code == 200
    assert again.status_code == 409
    assert again.headers["x-road-id"] == message_id


def test_given_consent_revoked_mid_way_when_calling_then_200_then_403(devstack: dict[str, Any], registry: Any) -> None:
    member = Member(devstack, "allowed")
    _put_right(registry, str(MOJ_REGISTRY), "registered-matters", member.client)
    dynamodb, table = registry
    now = datetime.now(UTC)
    key = {"pk": {"S": f"CONSENT#{DEMO_CORP_B}"}, "sk": {"S": f"{member.client}#e2e{uuid.uuid4().hex[:12]}"}}
    dynamodb.put_item(
        TableName=table,
        Item={
            **key,
            "corporate_number": {"S": DEMO_CORP_B},
            "consent_id": {"S": key["sk"]["S"].rpartition("#")[2]},
            "client": {"S": member.client},
            "purpose": {"S": "取引先確認"},
            "services": {"L": [{"S": "registered-matters"}]},
            "granted_at": {"S": (now - timedelta(minutes=1)).isoformat()},
            "expires_at": {"S": (now + timedelta(days=7)).isoformat()},
            "granted_by": {"S": "e2e-prime"},
        },
    )

    granted = member.get(MATTERS_OF_B)
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET revoked_at = :now",
        ExpressionAttributeValues={":now": {"S": datetime.now(UTC).isoformat()}},
    )
    revoked = member.get(MATTERS_OF_B)

    assert granted.status_code == 200
    assert granted.json()["name"] == "霞が関商事株式会社"
    assert revoked.status_code == 403
    assert revoked.json()["type"].endswith(":consent-required")
    assert "霞が関商事" not in revoked.text


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers (an overloaded provider)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_given_an_unavailable_provider_when_calling_then_502_or_504_logged_with_the_outcome_and_no_access_record(
    devstack: dict[str, Any], registry: Any, silent_server: int, tmp_path: Path
) -> None:
    member = Member(devstack, "allowed")
    provider = str(METI_GBIZINFO)
    _put_external_service(registry, provider, "e2e-down", f"https://127.0.0.1:{_closed_port()}/api")
    _put_external_service(registry, provider, "e2e-slow", f"https://127.0.0.1:{silent_server}/api")
    for code in ("e2e-down", "e2e-slow"):
        _put_right(registry, provider, code, member.client)

    down = member.get(f"/r1/{provider}/e2e-down/{DEMO_CORP_A}")
    slow = member.get(f"/r1/{provider}/e2e-slow/{DEMO_CORP_A}")

    assert (down.status_code, down.json()["type"].rpartition(":")[2]) == (502, "provider-error")
    assert (slow.status_code, slow.json()["type"].rpartition(":")[2]) == (504, "provider-timeout")
    for response, outcome in ((down, "provider-error"), (slow, "provider-timeout")):
        bundle = json.loads(_export(devstack, tmp_path, "--message-id", response.headers["x-road-id"]).read_text())
        entries = [entry for segment in bundle["segments"] for entry in segment["entries"]]
        assert [(e["direction"], e["outcome"]) for e in entries] == [("request", "forwarded"), ("response", outcome)]
    dynamodb, table = registry
    history = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCESS#{DEMO_CORP_A}"}},
    )["Items"]
    recorded = {item["message_id"]["S"] for item in history}
    assert down.headers["x-road-id"] not in recorded
    assert slow.headers["x-road-id"] not in recorded


def test_given_calls_when_exporting_the_period_then_the_bundle_verifies_offline_and_a_tampered_one_fails(
    devstack: dict[str, Any], tmp_path: Path
) -> None:
    start = (datetime.now(UTC) - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    member = Member(devstack, "allowed")
    calls = [member.get(HOJIN_INFO) for _ in range(3)]
    Member(devstack, "denied").get(HOJIN_INFO)
    until = (datetime.now(UTC) + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    assert all(call.status_code == 200 for call in calls)

    bundle = _export(devstack, tmp_path, "--since", start, "--until", until)
    verified = _verify(devstack, tmp_path, bundle)

    assert verified.returncode == 0, verified.stdout
    summary = json.loads(verified.stdout)
    assert summary["ok"] is True
    assert summary["entries"] >= 7  # three calls of two entries, and the refusal
    exported = json.loads(bundle.read_text())
    ids = {e["message_id"] for s in exported["segments"] for e in s["entries"]}
    assert {call.headers["x-road-id"] for call in calls} <= ids

    exported["segments"][0]["entries"][1]["outcome"] = "ok-changed"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(exported), encoding="utf-8")
    refused = _verify(devstack, tmp_path, tampered)

    assert refused.returncode == 1
    assert json.loads(refused.stdout)["ok"] is False
