"""Fixtures every test layer shares.

The AWS environment is fake and set before any boto3 client exists. ``aws_platform`` provisions every
stack of the devstack (central stacks and one ministry) under moto's ``mock_aws`` once per session, from
the same specifications the CDK app uses, and exports the functions' environment. Handlers are imported
only after that (``call_api``), as a cold start in Lambda would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, settings

# The gate draws the same examples on every run, so a red build names a change, not a dice roll; `make
# explore` draws new ones (and more of them) to look for what the gate's examples miss. Nothing in the gate
# depends on the clock either (no deadline, no "too slow" check): the machines are noisy.
settings.register_profile(
    "gate", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile("gate")

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

DOCUMENTS = Path(__file__).resolve().parents[1] / "docs" / "openapi"  # what the devstack publishes


@pytest.fixture(scope="session")
def aws_platform() -> Iterator[dict[str, Any]]:
    """Every resource of the devstack, created in moto from the resource specifications."""
    from moto import mock_aws

    from devstack.naming import DEMO_MINISTRY
    from devstack.provision import platform_environment, provision_platform
    from infra.resource_specs import CENTRAL_STACKS, ministry
    from platform_common import aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        aws.reset_clients()
        provisioned = provision_platform((*CENTRAL_STACKS, ministry(DEMO_MINISTRY)))
        os.environ.update(platform_environment(provisioned))
        os.environ["OIDC_ISSUER"] = "https://id.devstack.test/oauth"
        from devstack.seed_identity import verify_mail_sender

        verify_mail_sender()  # SES sends only from a verified identity, as in the cloud
        yield provisioned
    aws.reset_clients()


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ApiCaller:
    """Calls a route of the route table through the same event conversion the gateway uses, and checks the
    status against the service's published OpenAPI document."""

    def __call__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> ApiResponse:
        from urllib.parse import parse_qs

        from devstack.events import build_proxy_event, invoke, response_body, response_headers
        from functions.route_table import match_route

        parts = urlsplit(url)
        match = match_route(method, parts.path)
        assert match is not None, f"no route for {method} {parts.path}"
        raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        event = build_proxy_event(
            match, method, parts.path, list((headers or {}).items()), parse_qs(parts.query, keep_blank_values=True), raw
        )
        result = invoke(match.route.service, event)
        answer = ApiResponse(
            status=int(result["statusCode"]),
            headers={name.lower(): value for name, value in response_headers(result)},
            body=response_body(result),
        )
        _assert_documented(match.route.service, method, match.route.path, answer.status)
        return answer


@cache
def _published(service: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DOCUMENTS / f"{service}.json").read_text(encoding="utf-8"))
    return document


def _assert_documented(service: str, method: str, path: str, status: int) -> None:
    """Every answer an API test sees is one the published document declares: the tests' thousands of real
    requests keep the documents honest about what integrators will get (a page not in the document is exempt)."""
    operation = _published(service)["paths"].get(path, {}).get(method.lower())
    assert operation is None or str(status) in operation["responses"], (
        f"{method} {path} answered {status}, which docs/openapi/{service}.json does not declare"
    )


@pytest.fixture
def call_api(aws_platform: dict[str, Any]) -> ApiCaller:
    return ApiCaller()
