"""Hostile input on every service gets a clear 4xx, never a 500 (ASVS 5.1, 5.2, 12.3, 13.1).

In process, through the same event conversion as the devstack gateway (and through the gateway itself where
its limit or its URL decoding is what is tested): bodies over the gateway's 10 MB and over a function's own
limit, wrong content types, JSON nested 10,000 deep and bodies that are not UTF-8 on every JSON operation of
the four published OpenAPI documents; invalid UTF-8 and control characters in paths and query strings; CR/LF
in values echoed into headers (Location, X-Road-Id); path traversal in the file names of jGrants attachments
and gBizID Prime seal certificates.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from devstack.gateway import MAX_BODY_BYTES, Gateway
from functions.route_table import SERVICES, match_route
from platform_common.request_guard import MAX_JSON_BODY_BYTES
from tests.integration.test_exchange_administration import op, people, registered  # noqa: F401  # fixtures
from tests.integration.test_exchange_portal_pages import pages as exchange_portal  # noqa: F401  # fixture
from tests.integration.test_hojin_token_page import page_platform  # noqa: F401  # fixture
from tests.integration.test_jgrants_pages import pages as jgrants_portal  # noqa: F401  # fixture

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi"
SAMPLES = {
    "application_id": "0123456789abcdef0123",
    "attachment_id": "0123456789abcdef0123",
    "subsidy_id": "a0W5h00000demo004",
    "search_id": "0123456789abcdef",
    "member_class": "COM",
    "member_code": "8999900000001",
    "subsystem": "accounting-system",
    "service_code": "svc",
    "consent_id": "0123456789abcdef0123",
    "sub": "00000000-0000-4000-8000-000000000000",
}
HOSTILE_NAMES = [
    "../../etc/passwd.pdf",
    "/etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "C:\\boot.pdf",
    "plan\x00.pdf",
    "plan.pdf\x00.exe",
    "..",
    "plan\r\nContent-Type: text/html.pdf",
]


def json_operations() -> list[tuple[str, str]]:
    """(method, concrete path) of every operation with a JSON request body, from the committed documents."""
    found = []
    for service in SERVICES:
        document = json.loads((DOCS / f"{service}.json").read_text(encoding="utf-8"))
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if "application/json" in operation.get("requestBody", {}).get("content", {}):
                    concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLES.get(m.group(1), "x1"), path)
                    found.append((method.upper(), concrete))
    return found


OPERATIONS = json_operations()


def assert_problem(answer: Any, status: int, item: str) -> None:
    assert answer.status == status, answer.body[:500]
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.headers
    problem = answer.json()
    assert problem["status"] == status
    assert item in [e["item"] for e in problem["errors"]], problem


def test_the_documents_declare_json_operations_in_each_service_that_takes_bodies() -> None:
    services = {match.route.service for m, p in OPERATIONS if (match := match_route(m, p)) is not None}

    assert len(OPERATIONS) >= 15
    assert {"submit", "exchange", "hojin_search"} <= services


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_given_a_json_operation_when_sent_hostile_bodies_then_each_is_a_4xx_naming_the_body(
    call_api: Any, method: str, path: str
) -> None:
    json_type = {"content-type": "application/json"}

    wrong_type = call_api(method, path, headers={"content-type": "text/plain"}, body='{"name": "x"}')
    deep = call_api(method, path, headers=json_type, body="[" * 10_000 + "]" * 10_000)
    deep_object = call_api(method, path, headers=json_type, body='{"a":' * 10_000 + "1" + "}" * 10_000)
    not_utf8 = call_api(method, path, headers=json_type, body=b'{"name": "\xff\xfe\x80"}')
    not_json = call_api(method, path, headers=json_type, body="{name: x")
    too_large = call_api(method, path, headers=json_type, body='{"a": "' + "x" * MAX_JSON_BODY_BYTES + '"}')

    assert_problem(wrong_type, 415, "body")
    assert_problem(deep, 400, "body")
    assert_problem(deep_object, 400, "body")
    assert_problem(not_utf8, 400, "body")
    assert_problem(not_json, 400, "body")
    assert_problem(too_large, 413, "body")


@pytest.fixture(scope="module")
def gateway(aws_platform: dict[str, Any]) -> Client:
    return Client(Gateway())


@pytest.mark.parametrize(("method", "path"), [OPERATIONS[0], ("POST", "/hojin/sparql"), ("POST", "/account/login")])
def test_given_a_body_over_the_gateway_limit_then_413_declared_or_chunked(
    gateway: Client, method: str, path: str
) -> None:
    body = b"x" * (MAX_BODY_BYTES + 1)

    declared = gateway.open(path, method=method, data=body, content_type="application/json")
    chunked = gateway.open(
        path,
        method=method,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},  # what the server sets for a chunked request
    )

    for answer in (declared, chunked):
        assert answer.status_code == 413
        assert answer.json["type"].endswith("payload-too-large")


@pytest.mark.parametrize(
    "url",
    [
        "/exp/v1/public/subsidies/id/%FF%FE",
        "/hojin/v2/hojin/%C3%28",
        "/r1/JP-TEST/COM/%FF/accounting-system/listMethods",
        "/exchange/v1/members/COM/%ED%A0%80/subsystems",
    ],
)
def test_given_a_path_that_is_not_utf8_then_400_naming_the_parameter(gateway: Client, url: str) -> None:
    answer = gateway.get(url)

    assert answer.status_code == 400, answer.text
    assert answer.json["errors"][0]["message"] == "the path is not valid UTF-8"


@pytest.mark.parametrize(
    ("url", "item"),
    [
        ("/exp/v1/public/subsidies?keyword=%FF%FE&sort=created_date&order=DESC&acceptance=1", "keyword"),
        ("/hojin/v2/hojin?name=%C3%28", "name"),
        ("/hojin/sparql?query=SELECT%20%FF", "query"),
        ("/jgrants/subsidies?keyword=%FF", "keyword"),
    ],
)
def test_given_a_query_that_is_not_utf8_then_400_naming_the_parameter(gateway: Client, url: str, item: str) -> None:
    answer = gateway.get(url, headers={"Accept": "application/json"})

    assert answer.status_code == 400, answer.text
    assert item in [e["item"] for e in answer.json["errors"]]


@pytest.mark.parametrize(
    "url", ["/submit/v1/applications/%0A", "/submit/v1/applications/x%0D%0A", "/hojin/v2/hojin/%00"]
)
def test_given_control_characters_in_a_path_then_400_not_another_route(gateway: Client, url: str) -> None:
    answer = gateway.get(url)

    assert answer.status_code == 400, answer.text
    assert answer.json["errors"][0]["item"] == "path"


INJECTED = "/jgrants/subsidies\r\nSet-Cookie: stolen=1\r\nX-Injected: 1"


@pytest.mark.parametrize(
    "url",
    [
        "/jgrants/login?return_to=" + quote(INJECTED),
        "/exchange/login?return_to=" + quote(INJECTED),
        "/hojin/tokens/login?lang=" + quote("ja\r\nX-Injected: 1"),
        "/account?x=" + quote("\r\nX-Injected: 1"),
        "/account/login?return_to=" + quote(INJECTED),
        "/jgrants/subsidies/a0W5h00000demo004?lang=" + quote("en\r\nSet-Cookie: lang=x"),
    ],
)
def test_given_crlf_in_a_value_echoed_into_a_redirect_or_cookie_then_no_header_is_injected(
    call_api: Any,
    page_platform: Any,  # noqa: F811  # the relying parties' pages reach the OP in process
    jgrants_portal: Any,  # noqa: F811
    exchange_portal: Any,  # noqa: F811
    url: str,
) -> None:
    answer = call_api("GET", url)

    assert answer.status < 500, answer.body[:500]
    assert "x-injected" not in answer.headers
    for name, value in answer.headers.items():
        assert not {"\r", "\n"} & set(value), (name, value)
        assert "stolen=1" not in value, (name, value)


def test_given_crlf_in_the_x_road_id_then_400_naming_it_and_not_echoed(call_api: Any) -> None:
    answer = call_api(
        "GET",
        "/r1/JP-TEST/GOV/4999920000001/commercial-registry/registered-matters/8999900000001",
        headers={"X-Road-Client": "JP-TEST/COM/8999900000001/accounting-system", "X-Road-Id": "a\r\nX-Injected: 1"},
    )

    assert_problem(answer, 400, "X-Road-Id")
    assert "x-injected" not in answer.headers
    assert all("\n" not in value for value in answer.headers.values())


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_given_a_traversing_attachment_name_then_jgrants_refuses_it_naming_file_name(name: str) -> None:
    from functions.submit.applications.terms import AttachmentRequirement, SubsidyTerms
    from functions.submit.attachments import check_declaration
    from platform_common.errors import InvalidInput

    terms = SubsidyTerms(
        subsidy_id="s",
        title="t",
        minimum_tier="entry",
        acceptance_start=datetime(2026, 1, 1, tzinfo=UTC),
        acceptance_end=None,
        max_amount=None,
        attachments=(AttachmentRequirement("business_plan", "事業計画書", "Business plan", ("pdf",), None),),
        form_schema={"type": "object"},
    )

    with pytest.raises(InvalidInput) as refused:
        check_declaration(terms, "business_plan", name, "application/pdf", 100, "A" * 43 + "=")

    assert [e.item for e in refused.value.errors] == ["file_name"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_given_a_traversing_seal_certificate_name_then_the_stored_key_is_ours_alone(
    aws_platform: dict[str, Any], name: str
) -> None:
    from functions.auth.prime.uploads import SEAL_FIELD, parse_multipart, store_seal_certificate
    from platform_common import aws

    bucket = aws_platform["identity"].name("bucket", "seal-certificates")
    boundary = "----hostile"
    disposition = f'form-data; name="{SEAL_FIELD}"; filename="{name}"'.encode("utf-8", errors="surrogateescape")
    body = (
        f"--{boundary}\r\n".encode()
        + b"Content-Disposition: "
        + disposition.replace(b"\r\n", b" ")
        + b"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7 seal\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    form = parse_multipart(f"multipart/form-data; boundary={boundary}", body)
    upload = form.files[SEAL_FIELD]

    key, _media_type = store_seal_certificate(bucket, None, "app-1", upload.content)

    assert re.fullmatch(r"prime-applications/app-1/[A-Za-z0-9_-]{24}\.pdf", key), key
    assert aws.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"] == len(upload.content)
    listed = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="")["Contents"]
    assert all(item["Key"].startswith("prime-applications/") and ".." not in item["Key"] for item in listed)
