"""Security headers on every response of every route (ASVS 14.4): every route of the route table is called
in process, signed out and signed in as a gBizID operator, plus the portal's own files through the devstack
gateway. Each answer, a page, JSON, a redirect or an error, must carry HSTS for at least a year, nosniff,
a Referrer-Policy that sends nothing, and a Content-Security-Policy that forbids framing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client

from devstack.demo_corporations import DEMO_CORP_A
from devstack.gateway import Gateway
from functions.auth.models import StaffRole
from functions.route_table import ROUTES, Route
from platform_common.security_headers import HSTS_MIN_SECONDS
from tests.integration.test_auth_audit_pages import _signed_in

SAMPLE_PARAMETERS = {
    "corporate_number": DEMO_CORP_A,
    "instance": "JP-TEST",
    "member_class": "COM",
    "member_code": DEMO_CORP_A,
    "subsystem": "jgrants",
    "service": "registered-matters",
    "part": "finance",
}
PORTAL_FILES = ("/", "/en/", "/index.html", "/static/portal.css", "/static/favicon.svg")


def concrete_path(route: Route) -> str:
    return re.sub(r"\{([^}+]+)\+?\}", lambda m: SAMPLE_PARAMETERS.get(m.group(1), "sample-1"), route.path)


def assert_security_headers(headers: dict[str, str], where: str) -> None:
    hsts = headers.get("strict-transport-security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age is not None, f"{where}: HSTS {hsts!r}"
    assert int(max_age.group(1)) >= HSTS_MIN_SECONDS, f"{where}: HSTS {hsts!r}"
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, f"{where}: CSP {csp!r}"
    assert "unsafe-inline" not in csp, f"{where}: CSP {csp!r}"
    assert "unsafe-eval" not in csp, f"{where}: CSP {csp!r}"
    if headers.get("content-type", "").startswith("text/html"):
        assert "default-src 'self'" in csp or "default-src 'none'" in csp, f"{where}: CSP {csp!r}"


@pytest.fixture(scope="module")
def operator_cookie(aws_platform: dict[str, Any]) -> dict[str, str]:
    return _signed_in(role=StaffRole.OPERATOR)[1]


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "operator"])
def test_every_route_answers_with_the_security_headers(
    call_api: Any, operator_cookie: dict[str, str], signed_in: bool
) -> None:
    """Given every route of the four services, When called as a browser would (signed out, then with a gBizID
    operator's session), Then whatever the answer (page, JSON, redirect, 4xx), it carries the headers."""
    cookie = operator_cookie if signed_in else {}
    seen_pages = 0
    for route in ROUTES:
        headers = {"Accept": "text/html", "Host": "devstack.test", **cookie}
        body = "" if route.method == "GET" else "a=1"
        if route.method != "GET":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = call_api(route.method, concrete_path(route), headers=headers, body=body)
        assert answer.status != 500, f"{route.method} {route.path}: {answer.status}"  # 503: a page set not set up
        assert_security_headers(answer.headers, f"{route.method} {route.path} ({answer.status})")
        seen_pages += answer.headers.get("content-type", "").startswith("text/html")
    assert seen_pages >= 20  # real pages were among the answers, not only redirects


@pytest.mark.parametrize("path", PORTAL_FILES)
def test_the_portals_own_files_carry_the_security_headers(path: str) -> None:
    """Given the portal's static pages and assets (served by the gateway, as a CDN would), Then the same headers."""
    answer = Client(Gateway()).get(path)
    assert answer.status_code == 200, path
    assert_security_headers({k.lower(): v for k, v in answer.headers.items()}, path)


def test_an_unknown_path_at_the_gateway_carries_the_security_headers() -> None:
    answer = Client(Gateway()).get("/no/such/place")
    assert answer.status_code == 404
    assert_security_headers({k.lower(): v for k, v in answer.headers.items()}, "404")
