"""Applications through the API: drafts never lost, attachments verified by the server, idempotent submission.

Access tokens are minted with the platform's own OpenID Provider keys (KMS under moto) and verified by the
jGrants function against them; ``userinfo`` answers from the claims each test gives its accounts (the shape
of ``functions.auth.oidc.claims.userinfo_claims``). Subsidies are stored as the catalogue stores them.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from joserfc.jws import extract_compact

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B, DEMO_CORPORATIONS
from devstack.seed_jgrants import REGISTERED_MATTERS
from devstack.seed_open_data import put_hojin_records
from functions.submit import principal as principal_module
from functions.submit.scan import EICAR
from platform_common import aws
from platform_common.access_tokens import ResourceServer
from platform_common.audit import AuditLog
from tests.integration.exchange_in_process import exchange_for_jgrants

APPS = "/submit/v1/applications"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = itertools.count(1)

FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["company", "project"],
    "properties": {
        "company": {
            "type": "object",
            "required": ["name", "capital"],
            "properties": {
                "name": {"type": "string", "x-prefill": "gbizinfo:name"},
                "capital": {"type": "integer", "minimum": 0, "x-prefill": "gbizinfo:capital_stock"},
                "employees": {"type": "integer", "x-prefill": "gbizinfo:employee_number"},
                "representative": {"type": "string", "x-prefill": "userinfo:rep_name"},
                "contact": {"type": "string", "x-prefill": "userinfo:user_name"},
            },
        },
        "project": {
            "type": "object",
            "required": ["title", "amount"],
            "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 80},
                "amount": {"type": "integer", "minimum": 1, "maximum": 10_000_000},
                "start": {"type": "string", "format": "date"},
            },
        },
    },
}
GOOD_PROJECT = {"title": "新型加工機の導入", "amount": 5_000_000, "start": "2027-04-01"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def put_subsidy(aws_platform: dict[str, Any], *, tier: str = "entry", attachments: bool = True, **changes: Any) -> str:
    subsidy_id = f"test{next(_serial):04d}x{int(time.time() * 1000) % 100000}"
    now = datetime.now(UTC)
    document: dict[str, Any] = {
        "id": subsidy_id,
        "name": f"S-{subsidy_id}",
        "title": "テスト補助金",
        "subsidy_max_limit": 10_000_000,
        "acceptance_start_datetime": _iso(now - timedelta(days=1)),
        "acceptance_end_datetime": _iso(now + timedelta(days=10)),
        "minimum_tier": tier,
        "form_schema": FORM_SCHEMA,
        "attachments": [
            {"code": "business_plan", "label": "事業計画書", "label_en": "Business plan", "formats": ["pdf"]},
            {"code": "tax_certificate", "label": "納税証明書", "label_en": "Tax certificate",
             "formats": ["pdf", "csv"]},
            {"code": "registry_certificate", "label": "登記事項証明書", "label_en": "Certificate of registered "
             "matters", "formats": ["pdf"], "exchange_service": REGISTERED_MATTERS},
        ] if attachments else [],
        **changes,
    }  # fmt: skip
    aws.client("dynamodb").put_item(
        TableName=aws_platform["meti"].name("table", "subsidies"),
        Item={"id": {"S": subsidy_id}, "document": {"S": json.dumps(document, ensure_ascii=False)}},
    )
    return subsidy_id


def move_deadline(aws_platform: dict[str, Any], subsidy_id: str, end: datetime) -> None:
    table = aws_platform["meti"].name("table", "subsidies")
    item = aws.client("dynamodb").get_item(TableName=table, Key={"id": {"S": subsidy_id}})["Item"]
    document = json.loads(item["document"]["S"])
    document["acceptance_end_datetime"] = _iso(end)
    item["document"] = {"S": json.dumps(document, ensure_ascii=False)}
    aws.client("dynamodb").put_item(TableName=table, Item=item)


USERINFO: dict[str, dict[str, Any]] = {}


def account(sub: str, account_type: str | None, corporate_number: str | None, **claims: Any) -> str:
    """Register an account's userinfo claims; return its sub."""
    info: dict[str, Any] = {"sub": sub, "email": f"{sub}@example.jp", "user_name": f"担当 {sub}"}
    if account_type:
        info.update(account_type=account_type, corp_type="1")
    if corporate_number:
        info.update(corporate_number=corporate_number, rep_name="経済 太郎", name="デモ工業株式会社")
    info.update(claims)
    USERINFO[sub] = info
    return sub


@pytest.fixture(scope="module")
def op(aws_platform: dict[str, Any]) -> Any:
    from functions.auth import keys

    put_hojin_records(aws_platform["opendata"].name("table", "hojin"), DEMO_CORPORATIONS)

    def userinfo(issuer: str, token: str) -> dict[str, Any]:
        sub = json.loads(extract_compact(token.encode()).payload)["sub"]
        return USERINFO[sub]

    principal_module.use_resource_server(
        ResourceServer(
            os.environ["OIDC_ISSUER"],
            fetch_jwks=lambda issuer: keys.get_signing_keys().jwks().model_dump(),
            fetch_userinfo=userinfo,
        )
    )
    with exchange_for_jgrants(aws_platform):  # the registry certificate comes from the data exchange
        yield keys
    principal_module.use_resource_server(None)


def bearer(keys: Any, sub: str, **extra: str) -> dict[str, str]:
    issuer = os.environ["OIDC_ISSUER"]
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": sub,
        "aud": f"{issuer}/userinfo",
        "client_id": "jgrants",
        "scope": "openid profile user email mandate",
        "iat": now,
        "exp": now + 600,
        "jti": f"j-{sub}-{next(_serial)}",
    }
    token = keys.sign_jwt(claims, "at+jwt")
    return {"Authorization": f"Bearer {token}", "content-type": "application/json", **extra}


def start(call_api: Any, op: Any, sub: str, subsidy_id: str, **body: Any) -> Any:
    return call_api("POST", APPS, headers=bearer(op, sub), body=json.dumps({"subsidy_id": subsidy_id, **body}))


def save(call_api: Any, op: Any, sub: str, app: dict[str, Any], form: dict[str, Any]) -> Any:
    headers = bearer(op, sub, **{"If-Match": f'"{app["version"]}"'})
    return call_api("PATCH", f"{APPS}/{app['id']}", headers=headers, body=json.dumps({"form": form}))


def attach(call_api: Any, op: Any, sub: str, app_id: str, kind: str, body: bytes, *, declared: bytes | None = None,
           content_type: str = "application/pdf", file_name: str = "計画書.pdf") -> dict[str, Any]:  # fmt: skip
    """Declare, upload through the presigned URL (with the declared checksum header) and complete."""
    digest = base64.b64encode(hashlib.sha256(declared if declared is not None else body).digest()).decode()
    declaration = {"kind": kind, "file_name": file_name, "content_type": content_type, "size": len(body),
                   "sha256": digest}  # fmt: skip
    answer = call_api("POST", f"{APPS}/{app_id}/attachments", headers=bearer(op, sub), body=json.dumps(declaration))
    assert answer.status == 201, answer.body
    upload = answer.json()["upload"]
    assert upload["headers"]["x-amz-checksum-sha256"] == digest
    assert "x-amz-checksum-sha256" in upload["url"].lower()  # a signed header: S3 refuses another body
    put = requests.put(upload["url"], data=body, headers=upload["headers"], timeout=10)
    assert put.status_code == 200, put.text
    attachment_id = answer.json()["attachment"]["id"]
    done = call_api("POST", f"{APPS}/{app_id}/attachments/{attachment_id}/complete", headers=bearer(op, sub))
    assert done.status == 200, done.body
    result: dict[str, Any] = done.json()
    return result


def ready_draft(call_api: Any, op: Any, sub: str, subsidy_id: str, **body: Any) -> dict[str, Any]:
    """A draft with a valid form and every uploaded attachment verified."""
    app = start(call_api, op, sub, subsidy_id, **body).json()
    saved = save(call_api, op, sub, app, {**app["form"], "project": GOOD_PROJECT})
    assert saved.status == 200, saved.body
    assert attach(call_api, op, sub, app["id"], "business_plan", PDF)["state"] == "VERIFIED"
    tax = attach(call_api, op, sub, app["id"], "tax_certificate", "年度,税額\n2026,100\n".encode(),
                 content_type="text/csv", file_name="納税.csv")  # fmt: skip
    assert tax["state"] == "VERIFIED"
    result: dict[str, Any] = saved.json()
    return result


def submit(call_api: Any, op: Any, sub: str, app_id: str, key: str) -> Any:
    return call_api("POST", f"{APPS}/{app_id}/submit", headers=bearer(op, sub, **{"Idempotency-Key": key}))


def wait_for_status(call_api: Any, op: Any, sub: str, app_id: str, status: str) -> None:
    deadline = time.monotonic() + 10
    while call_api("GET", f"{APPS}/{app_id}", headers=bearer(op, sub)).json()["status"] != status:
        assert time.monotonic() < deadline, f"the application did not reach {status}"
        time.sleep(0.05)


def chain_entries(aws_platform: dict[str, Any], application_id: str) -> list[Any]:
    stack = aws_platform["meti"]
    log = AuditLog(stack.name("table", "applications"), stack.name("bucket", "audit-archive"))
    oldest_first = reversed(log.find_entries(limit=1000))
    return [e for e in oldest_first if e.detail.get("application_id") == application_id]


# --------------------------------------------------------------------------------------------- drafts


def test_given_a_member_when_starting_then_the_draft_is_prefilled_with_sources_and_starting_again_returns_it(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform)
    sub = account("member-prefill", "3", DEMO_CORP_A, parent_id="prime-a")

    first = start(call_api, op, sub, subsidy)
    again = start(call_api, op, sub, subsidy)

    assert first.status == 201
    assert again.status == 200
    assert again.json()["id"] == first.json()["id"]
    company = first.json()["form"]["company"]
    assert company == {
        "name": "デモ工業株式会社",
        "capital": 50000000,
        "employees": 120,
        "representative": "経済 太郎",
        "contact": "担当 member-prefill",
    }
    prefill = call_api("GET", f"{APPS}/{first.json()['id']}/prefill", headers=bearer(op, sub)).json()["fields"]
    assert {"pointer": "/company/capital", "source": "gbizinfo:capital_stock", "value": 50000000} in prefill
    assert {"pointer": "/company/representative", "source": "userinfo:rep_name", "value": "経済 太郎"} in prefill
    assert [e.kind for e in chain_entries(aws_platform, first.json()["id"])] == ["application.started"]


def test_given_a_saved_draft_when_the_user_logs_in_again_then_the_draft_is_there(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-relogin", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    form = {**app["form"], "project": {"title": "途中まで"}}
    assert save(call_api, op, sub, app, form).status == 200

    # a new login is a new access token; a colleague (Member) of the same corporation sees it too
    colleague = account("member-colleague", "3", DEMO_CORP_A)
    for who in (sub, colleague):
        found = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, who))
        assert found.status == 200
        assert found.json()["form"]["project"] == {"title": "途中まで"}
        assert found.headers["etag"] == '"2"'
    listed = call_api("GET", APPS, headers=bearer(op, colleague)).json()["applications"]
    assert app["id"] in [a["id"] for a in listed]


def test_given_a_stale_version_when_saving_then_412_with_the_current_draft_to_merge(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-stale", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    assert save(call_api, op, sub, app, {"project": {"title": "タブ1"}}).status == 200

    stale = save(call_api, op, sub, app, {"project": {"title": "タブ2"}})  # still based on version 1

    assert stale.status == 412
    problem = stale.json()
    assert problem["current_version"] == 2
    assert problem["current"]["form"] == {"project": {"title": "タブ1"}}
    assert problem["errors"][0]["item"] == "If-Match"
    missing = call_api("PATCH", f"{APPS}/{app['id']}", headers=bearer(op, sub), body='{"form": {}}')
    assert missing.status == 400
    assert missing.json()["errors"][0]["item"] == "If-Match"


def test_given_another_corporations_application_then_every_route_answers_404_without_leaking(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform)
    owner = account("prime-owner", "2", DEMO_CORP_A)
    app = start(call_api, op, owner, subsidy).json()
    intruder = account("prime-intruder", "2", DEMO_CORP_B)
    unknown = "0" * 20

    for method, path, body, extra in (
        ("GET", f"{APPS}/{app['id']}", None, {}),
        ("PATCH", f"{APPS}/{app['id']}", '{"form": {}}', {"If-Match": '"1"'}),
        ("GET", f"{APPS}/{app['id']}/prefill", None, {}),
        ("POST", f"{APPS}/{app['id']}/submit", None, {"Idempotency-Key": "intruder-key-1"}),
        ("POST", f"{APPS}/{app['id']}/withdraw", None, {}),
        ("POST", f"{APPS}/{app['id']}/attachments", json.dumps({"kind": "business_plan", "file_name": "a.pdf",
         "content_type": "application/pdf", "size": 10, "sha256": "A" * 43 + "="}), {}),
    ):  # fmt: skip
        attack = call_api(method, path, headers=bearer(op, intruder, **extra), body=body)
        same_as_unknown = call_api(
            method, path.replace(app["id"], unknown), headers=bearer(op, intruder, **extra), body=body
        )
        assert attack.status == 404, (method, path, attack.body)
        assert attack.json()["detail"].replace(app["id"], unknown) == same_as_unknown.json()["detail"]
    assert app["id"] not in [
        a["id"] for a in call_api("GET", APPS, headers=bearer(op, intruder)).json()["applications"]
    ]
    assert call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, owner)).json()["status"] == "DRAFT"


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"])
def test_given_no_valid_bearer_then_401(call_api, op, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    assert call_api("GET", APPS, headers=headers).status == 401


def test_given_an_id_token_instead_of_an_access_token_then_401(call_api, op):
    issuer = os.environ["OIDC_ISSUER"]
    now = int(time.time())
    sub = account("prime-idtoken", "2", DEMO_CORP_A)
    id_token = op.sign_jwt({"iss": issuer, "sub": sub, "aud": f"{issuer}/userinfo", "iat": now, "exp": now + 60})
    assert call_api("GET", APPS, headers={"Authorization": f"Bearer {id_token}"}).status == 401


# --------------------------------------------------------------------------------------------- tiers, mandates


def test_given_a_prime_subsidy_when_an_entry_account_starts_then_403(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform, tier="prime")
    entry = account("entry-tier", "1", DEMO_CORP_B)

    refused = start(call_api, op, entry, subsidy)

    assert refused.status == 403
    assert "prime" in refused.json()["detail"]


def test_given_an_adviser_with_a_mandate_then_it_applies_for_the_corporation_and_the_record_names_the_mandate(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform, tier="prime")
    until = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
    adviser = account(
        "adviser-mandated",
        "1",
        None,
        mandate_info=[
            {
                "corporate_number": DEMO_CORP_A,
                "corporation_name": "デモ工業株式会社",
                "procedures": ["jgrants"],
                "valid_until": until,
                "grantor_id": "prime-grantor",
                "mandate_id": "m-0001",
            }
        ],
    )

    app = ready_draft(call_api, op, adviser, subsidy, corporate_number=DEMO_CORP_A)
    assert app["form"]["company"]["name"] == "デモ工業株式会社"  # from gBizINFO, not the adviser's login
    assert "representative" not in app["form"]["company"]  # a corporate claim of the adviser's own login
    done = submit(call_api, op, adviser, app["id"], "adviser-key-0001")

    assert done.status == 200, done.body
    record = done.json()
    assert record["corporate_number"] == DEMO_CORP_A
    assert record["submitted_by"] == "adviser-mandated"
    assert record["on_behalf_under_mandate"]["mandate_id"] == "m-0001"
    assert record["on_behalf_under_mandate"]["grantor_sub"] == "prime-grantor"
    submitted = [e for e in chain_entries(aws_platform, app["id"]) if e.kind == "application.submitted"]
    assert submitted[0].actor_sub == "adviser-mandated"
    assert submitted[0].detail["mandate_mandate_id"] == "m-0001"


@pytest.mark.parametrize(
    "mandates",
    [
        [],  # none at all
        [{"corporate_number": DEMO_CORP_A, "procedures": ["etax"], "valid_until": "2999-01-01"}],  # other procedure
        [{"corporate_number": DEMO_CORP_A, "procedures": ["jgrants"], "valid_until": "2020-01-01"}],  # expired
        [{"corporate_number": DEMO_CORP_B, "procedures": ["jgrants"], "valid_until": "2999-01-01"}],  # other corp
    ],
)
def test_given_an_adviser_without_a_covering_mandate_then_it_is_refused(call_api, op, aws_platform, mandates):
    subsidy = put_subsidy(aws_platform)
    adviser = account(f"adviser-{next(_serial)}", "1", None, mandate_info=mandates)

    refused = start(call_api, op, adviser, subsidy, corporate_number=DEMO_CORP_A)

    assert refused.status == 400
    assert refused.json()["errors"][0]["item"] == "corporate_number"


# --------------------------------------------------------------------------------------------- attachments


def test_given_a_tampered_upload_when_completing_then_the_checksum_mismatch_is_caught(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-tamper", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    # moto does not enforce the signed checksum header: the server's own re-hash is what catches it
    tampered = PDF.replace(b"obj", b"OBJ")

    result = attach(call_api, op, sub, app["id"], "business_plan", tampered, declared=PDF)

    assert result["state"] == "MISMATCH"
    assert "SHA-256" in result["reason"]
    stored = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, sub)).json()["attachments"]
    assert [a["state"] for a in stored] == ["MISMATCH"]


def test_given_the_eicar_test_file_when_completing_then_it_is_quarantined_and_never_verified(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-eicar", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()

    result = attach(call_api, op, sub, app["id"], "tax_certificate", EICAR, content_type="text/csv",
                    file_name="eicar.csv")  # fmt: skip

    assert result["state"] == "QUARANTINED"
    bucket = aws_platform["meti"].name("bucket", "attachments")
    keys = [o["Key"] for o in aws.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert f"quarantine/applications/{app['id']}/{result['id']}" in keys
    assert f"applications/{app['id']}/{result['id']}" not in keys
    kinds = [e.kind for e in chain_entries(aws_platform, app["id"])]
    assert "application.attachment_quarantined" in kinds


@pytest.mark.parametrize(
    ("declaration", "field"),
    [
        ({"file_name": "../../etc/passwd.pdf"}, "file_name"),
        ({"file_name": "a\x07.pdf"}, "file_name"),
        ({"file_name": "あ" * 90 + ".pdf"}, "file_name"),
        ({"file_name": "plan.exe"}, "file_name"),
        ({"content_type": "application/x-msdownload"}, "content_type"),
        ({"size": 20 * 1024 * 1024 + 1}, "size"),
        ({"sha256": "not-base64"}, "sha256"),
        ({"kind": "unknown_kind"}, "kind"),
    ],
)
def test_given_a_bad_declaration_then_400_naming_the_field(call_api, op, aws_platform, declaration, field):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-limits", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    body = {"kind": "business_plan", "file_name": "plan.pdf", "content_type": "application/pdf", "size": 100,
            "sha256": base64.b64encode(b"\x00" * 32).decode(), **declaration}  # fmt: skip

    refused = call_api("POST", f"{APPS}/{app['id']}/attachments", headers=bearer(op, sub), body=json.dumps(body))

    assert refused.status == 400
    assert field in [e["item"] for e in refused.json()["errors"]]


def test_given_a_pdf_declared_but_a_png_uploaded_then_the_type_mismatch_is_caught(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-magic", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()

    result = attach(call_api, op, sub, app["id"], "business_plan", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)

    assert result["state"] == "MISMATCH"


def _verdict_writes(monkeypatch: pytest.MonkeyPatch, before_each: Any) -> None:
    """Run ``before_each(real_put_item, request)`` ahead of every conditional verdict write of ``complete``."""
    dynamodb = aws.client("dynamodb")
    real = dynamodb.put_item

    def put_item(**request: Any) -> Any:
        if request.get("ConditionExpression") == "#state = :pending":
            before_each(real, request)
        return real(**request)

    monkeypatch.setattr(dynamodb, "put_item", put_item)


def test_given_a_verdict_write_whose_answer_was_lost_when_the_sdk_resends_it_then_verified_and_audited_once(
    call_api, op, aws_platform, monkeypatch
):
    # the deadline drill's 409: the write landed, its answer timed out, the SDK's retry found it no longer PENDING
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-lost-answer", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    _verdict_writes(monkeypatch, lambda real, request: real(**request))

    result = attach(call_api, op, sub, app["id"], "business_plan", PDF)

    assert result["state"] == "VERIFIED"
    kinds = [e.kind for e in chain_entries(aws_platform, app["id"])]
    assert kinds.count("application.attachment_verified") == 1


def test_given_another_completion_settled_the_attachment_first_then_completing_answers_its_result(
    call_api, op, aws_platform, monkeypatch
):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-double-complete", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()

    def the_other_request_first(real: Any, request: dict[str, Any]) -> None:
        real(**{**request, "Item": {**request["Item"], "verdict_write": {"S": "the-other-request"}}})

    _verdict_writes(monkeypatch, the_other_request_first)

    result = attach(call_api, op, sub, app["id"], "business_plan", PDF)

    assert result["state"] == "VERIFIED"  # not a 409: the attachment has its one result
    kinds = [e.kind for e in chain_entries(aws_platform, app["id"])]
    assert "application.attachment_verified" not in kinds  # the request that settled it records the event


# --------------------------------------------------------------------------------------------- submission


def test_given_a_complete_draft_when_submitted_twice_with_one_key_then_one_receipt_and_another_key_is_409(
    call_api, op, aws_platform
):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    subsidy = put_subsidy(aws_platform)
    sub = account("prime-submit", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)

    first = submit(call_api, op, sub, app["id"], "key-submit-0001")
    retry = submit(call_api, op, sub, app["id"], "key-submit-0001")
    other = submit(call_api, op, sub, app["id"], "key-submit-0002")

    assert first.status == 200, first.body
    receipt = first.json()["receipt_number"]
    assert receipt.startswith("JGRANTS-")
    assert len(receipt.split("-")[-1]) == 7
    assert first.json()["status"] == "SUBMITTED"
    assert retry.status == 200
    assert retry.json()["receipt_number"] == receipt
    assert other.status == 409
    stack = aws_platform["meti"]
    items = aws.client("dynamodb").query(
        TableName=stack.name("table", "applications"),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CORP#{DEMO_CORP_A}"}},
    )["Items"]
    assert sum(1 for i in items if i.get("receipt_number", {}).get("S") == receipt) == 1  # exactly one
    mails = ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"].sent_messages
    assert sum(1 for m in mails if receipt in m.subject and "prime-submit@example.jp" in str(m.destinations)) == 1
    from infra.resource_specs import ResourceRef

    machine = stack.resolve(ResourceRef("state_machine", "application-review", "arn"))
    names = [e["name"] for e in aws.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]]
    assert names.count(f"{app['id']}-1") == 1
    kinds = [e.kind for e in chain_entries(aws_platform, app["id"])]
    assert kinds.count("application.submitted") == 1
    history = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, sub)).json()["history"]
    assert ("DRAFT", "SUBMITTED") in [(h.get("from"), h["to"]) for h in history]


def test_given_a_schema_invalid_form_when_submitting_then_every_bad_field_is_named(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform, attachments=False)
    sub = account("prime-invalid", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    form = {
        "company": {"name": 123, "capital": -5},  # wrong type; below the minimum
        "project": {"amount": 99_000_000, "start": "not-a-date"},  # title missing; over the maximum; bad date
    }
    assert save(call_api, op, sub, app, form).status == 200

    refused = submit(call_api, op, sub, app["id"], "key-invalid-01")

    assert refused.status == 400
    named = {e["item"] for e in refused.json()["errors"]}
    assert named == {"/company/name", "/company/capital", "/project/title", "/project/amount", "/project/start"}


def test_given_missing_attachments_when_submitting_then_each_is_named_except_what_the_exchange_supplies(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-noattach", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    assert save(call_api, op, sub, app, {**app["form"], "project": GOOD_PROJECT}).status == 200

    refused = submit(call_api, op, sub, app["id"], "key-noattach-1")

    assert refused.status == 400
    assert {e["item"] for e in refused.json()["errors"]} == {"attachments/business_plan", "attachments/tax_certificate"}


def test_given_the_deadline_passed_by_server_time_when_submitting_then_refused(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-late", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)
    move_deadline(aws_platform, subsidy, datetime.now(UTC) - timedelta(seconds=1))

    late = submit(call_api, op, sub, app["id"], "key-late-00001")

    assert late.status == 409
    assert late.json()["errors"][0]["item"] == "acceptance_end_datetime"
    assert call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, sub)).json()["status"] == "DRAFT"


def test_given_a_submit_without_an_idempotency_key_then_400_naming_the_header(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-nokey", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()

    refused = call_api("POST", f"{APPS}/{app['id']}/submit", headers=bearer(op, sub))

    assert refused.status == 400
    assert refused.json()["errors"][0]["item"] == "Idempotency-Key"


def test_given_ses_fails_when_submitting_then_the_submission_stands_and_the_mail_is_in_the_outbox(
    call_api, op, aws_platform, monkeypatch
):
    from botocore.exceptions import ClientError

    subsidy = put_subsidy(aws_platform)
    sub = account("prime-outbox", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)

    def fail(**_kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")

    monkeypatch.setattr(aws.client("ses"), "send_email", fail)
    done = submit(call_api, op, sub, app["id"], "key-outbox-001")

    assert done.status == 200
    outbox = aws.client("dynamodb").get_item(
        TableName=aws_platform["meti"].name("table", "applications"),
        Key={"pk": {"S": f"OUTBOX#receipt-{app['id']}-1"}, "sk": {"S": "MAIL"}},
    )["Item"]
    assert done.json()["receipt_number"] in outbox["subject"]["S"]


def test_given_a_draft_when_withdrawn_then_audited_and_a_new_application_can_start(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-withdraw", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()

    withdrawn = call_api("POST", f"{APPS}/{app['id']}/withdraw", headers=bearer(op, sub), body='{"reason": "見送り"}')
    again = call_api("POST", f"{APPS}/{app['id']}/withdraw", headers=bearer(op, sub))
    fresh = start(call_api, op, sub, subsidy)

    assert withdrawn.status == 200
    assert withdrawn.json()["status"] == "WITHDRAWN"
    assert again.status == 409
    assert fresh.status == 201
    assert fresh.json()["id"] != app["id"]
    assert [e.kind for e in chain_entries(aws_platform, app["id"])] == ["application.started", "application.withdrawn"]
    edit = save(call_api, op, sub, withdrawn.json(), {"project": {"title": "x"}})
    assert edit.status == 409


def test_given_a_returned_application_when_corrected_and_resubmitted_then_the_review_starts_again(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-resubmit", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)
    first = submit(call_api, op, sub, app["id"], "key-resubmit-1").json()
    wait_for_status(call_api, op, sub, app["id"], "UNDER_REVIEW")  # the workflow runs in moto
    # the reviewer returns it for correction (the review records it: tests/integration/test_application_review_flow.py)
    from tests.integration.jgrants_principals import make_staff

    reviewer = account("reviewer-resubmit", None, None)
    make_staff(aws_platform["meti"].name("table", "applications"), reviewer, "reviewer")
    path = f"/submit/v1/review/applications/{app['id']}/decision"
    body = json.dumps({"outcome": "return", "reason": "金額を修正"}, ensure_ascii=False)
    returned = call_api("POST", path, headers=bearer(op, reviewer), body=body)
    assert returned.status == 202, returned.body
    wait_for_status(call_api, op, sub, app["id"], "RETURNED")
    first = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(op, sub)).json()
    corrected = save(call_api, op, sub, first, {**first["form"], "project": {**GOOD_PROJECT, "amount": 4_000_000}})
    assert corrected.status == 200, corrected.body

    again = submit(call_api, op, sub, app["id"], "key-resubmit-2")

    assert again.status == 200, again.body
    assert again.json()["status"] == "SUBMITTED"
    assert again.json()["receipt_number"] == first["receipt_number"]  # the same application, the same receipt
    from infra.resource_specs import ResourceRef

    machine = aws_platform["meti"].resolve(ResourceRef("state_machine", "application-review", "arn"))
    names = {e["name"] for e in aws.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]}
    assert {f"{app['id']}-1", f"{app['id']}-2"} <= names
    assert "application.resubmitted" in [e.kind for e in chain_entries(aws_platform, app["id"])]


def test_given_the_review_started_when_withdrawing_then_the_application_is_withdrawn_and_the_review_stops(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform)
    sub = account("prime-late-withdraw", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)
    assert submit(call_api, op, sub, app["id"], "key-lw-000001").status == 200
    wait_for_status(call_api, op, sub, app["id"], "UNDER_REVIEW")

    withdrawn = call_api("POST", f"{APPS}/{app['id']}/withdraw", headers=bearer(op, sub))
    again = call_api("POST", f"{APPS}/{app['id']}/withdraw", headers=bearer(op, sub))

    assert withdrawn.status == 200
    assert withdrawn.json()["status"] == "WITHDRAWN"
    assert again.status == 409  # withdrawn already
    execution_arn = withdrawn.json().get("review_execution_arn") or _execution_arn(aws_platform, app["id"])
    deadline = time.monotonic() + 10
    while aws.client("stepfunctions").describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the review was not stopped"
        time.sleep(0.05)
    # stopped by the withdrawal (ABORTED), or failed first at a step that found the application withdrawn
    assert aws.client("stepfunctions").describe_execution(executionArn=execution_arn)["status"] in ("ABORTED", "FAILED")


def _execution_arn(aws_platform: dict[str, Any], application_id: str) -> str:
    item = aws.client("dynamodb").get_item(
        TableName=aws_platform["meti"].name("table", "applications"),
        Key={"pk": {"S": f"APP#{application_id}"}, "sk": {"S": "APP"}},
    )["Item"]
    return str(item["review_execution_arn"]["S"])


# ------------------------------------------------------------------------------------------ audit outbox


def test_given_the_audit_chain_down_when_a_draft_starts_then_its_event_waits_and_the_schedule_appends_it(
    call_api, op, aws_platform, monkeypatch
):
    from functions.submit.applications.store import audit_log
    from functions.submit.pending_audit import flush_pending
    from platform_common.audit import AuditUnavailable

    subsidy = put_subsidy(aws_platform)
    sub = account("prime-outbox", "2", DEMO_CORP_A)

    def down(*_args: Any, **_kwargs: Any) -> Any:
        raise AuditUnavailable("the chain is down")

    monkeypatch.setattr(AuditLog, "record_event", down)
    started = start(call_api, op, sub, subsidy)
    monkeypatch.undo()

    assert started.status == 201  # the change stands
    app_id = started.json()["id"]
    assert chain_entries(aws_platform, app_id) == []
    assert flush_pending(audit_log(), aws_platform["meti"].name("table", "applications")) >= 1
    assert [e.kind for e in chain_entries(aws_platform, app_id)] == ["application.started"]
