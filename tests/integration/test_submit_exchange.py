"""jGrants uses the data exchange (issue 6, point 5), as the ministry's own client subsystem (a GOV member: a
right, no consent): the demo subsidy 001's form is prefilled from the registered matters, and at submission its
certificate of registered matters is fetched through the exchange (signed, logged) and kept with its provenance
instead of being uploaded."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B
from devstack.seed_exchange import JGRANTS_CLIENT, MOJ_REGISTRY
from devstack.seed_jgrants import REGISTERED_MATTERS, demo_subsidies
from functions.exchange.services.registered_matters import NAME as REGISTERED_MATTERS_CODE
from platform_common import aws
from tests.integration.test_submit_applications import (  # noqa: F401  # op: a fixture
    APPS,
    PDF,
    account,
    attach,
    bearer,
    op,
    save,
    start,
    submit,
)

SUBSIDY = "a0W5h00000demo001"  # ものづくり補助金: asks for the certificate of registered matters
OWN_COPIES = {name: f"{SUBSIDY}-{name}" for name in ("prefill", "refused", "submit", "correlation")}


@pytest.fixture(scope="module")
def catalogue(aws_platform: dict[str, Any]) -> str:
    """Subsidy 001 and a copy of it for each test that needs a new application: a corporation has one
    application per subsidy, so a test starting one must not meet another module's (whatever the order)."""
    from functions.submit.dal import SubsidyStore

    store = SubsidyStore(aws_platform["meti"].name("table", "subsidies"))
    (subsidy,) = [s for s in demo_subsidies(datetime.now(UTC)) if s.id == SUBSIDY]
    for subsidy_id in (SUBSIDY, *OWN_COPIES.values()):
        store.put_subsidy(subsidy.model_copy(update={"id": subsidy_id}))
    return SUBSIDY


def _registry_table(aws_platform: dict[str, Any]) -> str:
    return str(aws_platform["exchange"].name("table", "registry"))


def _log_entries(aws_platform: dict[str, Any], message_id: str) -> list[dict[str, Any]]:
    items = aws.client("dynamodb").query(
        TableName=_registry_table(aws_platform),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"MSGID#{message_id}"}},
    )["Items"]
    return [{name: value.get("S") for name, value in item.items()} for item in items]


def _complete_form(app: dict[str, Any]) -> dict[str, Any]:
    project = {
        "project_title": "5軸加工機の導入",
        "project_summary": "部品加工の内製化で納期を短縮する。",
        "project_start": "2030-05-01",
        "project_end": "2030-12-20",
        "total_cost": 20_000_000,
        "equipment": "5軸マシニングセンタ",
        "requested_amount": 10_000_000,
    }
    return {**app["form"], "project": project}


def _ready(call_api: Any, op: Any, sub: str, subsidy_id: str) -> dict[str, Any]:  # noqa: F811
    started = start(call_api, op, sub, subsidy_id)
    assert started.status == 201, started.body
    app = started.json()
    saved = save(call_api, op, sub, app, _complete_form(app))
    assert saved.status == 200, saved.body
    assert attach(call_api, op, sub, app["id"], "business_plan", PDF)["state"] == "VERIFIED"
    assert attach(call_api, op, sub, app["id"], "quotation", PDF, file_name="見積書.pdf")["state"] == "VERIFIED"
    finance = attach(call_api, op, sub, app["id"], "financial_statements", PDF, file_name="決算書.pdf")
    assert finance["state"] == "VERIFIED"
    return saved.json()  # type: ignore[no-any-return]


def test_given_demo_subsidy_001_when_starting_then_the_registered_matters_prefill_the_form_with_their_source(
    call_api: Any,
    op: Any,  # noqa: F811
    catalogue: str,
) -> None:
    from functions.exchange.services import registered_matters
    from functions.exchange.services.common import ServiceRequest

    sub = account("prime-exchange-prefill", "2", DEMO_CORP_B)
    app = start(call_api, op, sub, OWN_COPIES["prefill"])
    assert app.status == 201, app.body

    prefilled = call_api("GET", f"{APPS}/{app.json()['id']}/prefill", headers=bearer(op, sub)).json()["fields"]
    by_pointer = {f["pointer"]: f for f in prefilled}
    capital = by_pointer["/company/registered_capital"]
    assert capital["source"] == f"exchange:{REGISTERED_MATTERS}:capital_yen"
    expected = json.loads(registered_matters.handle(ServiceRequest("GET", DEMO_CORP_B)).body)
    assert capital["value"] == expected["capital_yen"]
    assert by_pointer["/company/established_on"]["value"] == expected["established_on"]
    assert app.json()["form"]["company"]["registered_capital"] == expected["capital_yen"]


@pytest.fixture
def jgrants_right_revoked(aws_platform: dict[str, Any]) -> Iterator[None]:
    """The commercial registry withdraws jGrants' right for a while (the exchange answers 403)."""
    key = {"pk": {"S": f"SUBSYSTEM#{MOJ_REGISTRY}"}, "sk": {"S": f"RIGHT#{REGISTERED_MATTERS_CODE}#{JGRANTS_CLIENT}"}}
    dynamodb = aws.client("dynamodb")
    item = dynamodb.get_item(TableName=_registry_table(aws_platform), Key=key)["Item"]
    dynamodb.delete_item(TableName=_registry_table(aws_platform), Key=key)
    yield
    dynamodb.put_item(TableName=_registry_table(aws_platform), Item=item)


def test_given_the_exchange_refuses_when_submitting_then_503_names_the_attachment_and_nothing_is_submitted(
    call_api: Any,
    op: Any,  # noqa: F811
    catalogue: str,
    jgrants_right_revoked: None,
) -> None:
    sub = account("prime-exchange-refused", "2", DEMO_CORP_B)
    app = _ready(call_api, op, sub, OWN_COPIES["refused"])

    refused = submit(call_api, op, sub, app["id"], "key-exchange-refused")

    assert refused.status == 503, refused.body
    assert [e["item"] for e in refused.json()["errors"]] == ["attachments/registry_certificate"]
    shown = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, sub)).json()
    assert shown["status"] == "DRAFT"
    assert "registry_certificate" not in {a["kind"] for a in shown["attachments"]}


def test_given_demo_subsidy_001_when_submitted_then_the_certificate_comes_from_the_exchange_signed_and_logged(
    call_api: Any,
    op: Any,  # noqa: F811
    catalogue: str,
    aws_platform: dict[str, Any],
) -> None:
    sub = account("prime-exchange-submit", "2", DEMO_CORP_A)
    app = _ready(call_api, op, sub, OWN_COPIES["submit"])

    done = submit(call_api, op, sub, app["id"], "key-exchange-submit")

    assert done.status == 200, done.body
    shown = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, sub)).json()
    (certificate,) = [a for a in shown["attachments"] if a["kind"] == "registry_certificate"]
    assert certificate["state"] == "VERIFIED"
    provenance = certificate["provenance"]
    assert provenance["source"] == "exchange"
    assert provenance["service"] == REGISTERED_MATTERS
    assert provenance["response_signature"].count(".") == 2  # a detached JWS: header..signature
    # the stored document is the registry's answer about this corporation, as its checksum says
    stored_key = f"applications/{app['id']}/{certificate['id']}"
    body = aws.client("s3").get_object(Bucket=aws_platform["meti"].name("bucket", "attachments"), Key=stored_key)
    document = body["Body"].read()
    assert json.loads(document)["corporate_number"] == DEMO_CORP_A
    assert certificate["sha256"] == base64.b64encode(hashlib.sha256(document).digest()).decode()
    # the exchange logged the request (signed with METI's member key: jGrants' client) and the registry's answer
    entries = _log_entries(aws_platform, provenance["message_id"])
    assert {(e["direction"], e["outcome"]) for e in entries} == {("request", "forwarded"), ("response", "ok")}
    assert {e["client"] for e in entries} == {str(JGRANTS_CLIENT)}
    assert all(e["signature"] for e in entries)
    # GOV clients need no consent, and the corporation sees who fetched its data
    access = aws.client("dynamodb").query(
        TableName=_registry_table(aws_platform),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCESS#{DEMO_CORP_A}"}},
    )["Items"]
    assert any(provenance["message_id"] in item["sk"]["S"] for item in access)
