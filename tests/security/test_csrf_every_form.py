"""CSRF on every state-changing form of every page set (ASVS 4.2.2, 13.2.3): the POST routes of the route
table are enumerated, so a new form cannot be forgotten. Each is posted by a person entitled to use it,
signed in (gBizID's pages, the token page, jGrants' pages, the exchange portal), once without the CSRF token
and once with a forged one: both are refused with 403. The JSON APIs take a bearer token in the
Authorization header, which a browser never adds by itself; a cookie alone gets 401 there."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest

from devstack.demo_corporations import DEMO_CORP_A
from functions.auth.models import AccountTier, StaffRole
from functions.route_table import ROUTES, Route
from tests.integration import test_exchange_portal_pages as exchange_pages
from tests.integration import test_jgrants_pages as jgrants_pages
from tests.integration.jgrants_principals import make_staff
from tests.integration.test_auth_audit_pages import _signed_in
from tests.integration.test_exchange_administration import op, people, registered  # noqa: F401  # fixtures
from tests.integration.test_exchange_portal_pages import pages as exchange_portal  # noqa: F401  # fixture
from tests.integration.test_hojin_token_page import Browser, page_platform, signed_in_browser  # noqa: F401
from tests.integration.test_jgrants_pages import pages as jgrants_portal  # noqa: F401  # fixture

# Routes authenticated by a bearer token, a client's credentials or a signature, never by a cookie.
API_PREFIXES = ("/oauth/token", "/oauth/userinfo", "/hojin/sparql", "/hojin/v", "/submit/v1/", "/r1/", "/exchange/v1/")
# Forms that carry their own one-time credential instead of a session: nothing for a forged request to ride on.
CREDENTIAL_FORMS = {"/account/members/accept": "the invitation's one-time token is the credential"}
# Forms shown before any session: a double-submit token bound to the browser's gbizid_csrf cookie.
ANONYMOUS_FORMS = ("/account/signup", "/account/signup/verify", "/account/login")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def page_post_routes() -> list[Route]:
    return [
        route
        for route in ROUTES
        if route.method == "POST" and not route.path.startswith(API_PREFIXES) and route.path not in CREDENTIAL_FORMS
    ]


def path_of(route: Route) -> str:
    return re.sub(r"\{([^}+]+)\+?\}", lambda m: {"member_code": DEMO_CORP_A}.get(m.group(1), "sample-1"), route.path)


def page_set(route: Route) -> str:
    if route.path.startswith(("/account", "/operator", "/oauth")):
        return "gbizid"
    for prefix, name in (("/hojin/tokens", "token-page"), ("/jgrants", "jgrants"), ("/exchange", "exchange")):
        if route.path.startswith(prefix):
            return name
    raise AssertionError(f"{route.path}: a form of no known page set; add it to this test")


def test_every_post_route_is_an_api_a_credential_form_or_a_csrf_checked_page() -> None:
    routes = page_post_routes()
    assert len(routes) >= 40
    assert {page_set(route) for route in routes} == {"gbizid", "token-page", "jgrants", "exchange"}


# -- gBizID's own pages


@pytest.fixture(scope="module")
def gbizid_cookies(aws_platform: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A Prime holder (the account's forms) and an operator (the operator's forms), each signed in."""
    return {
        "prime": _signed_in(tier=AccountTier.PRIME)[1],
        "entry": _signed_in(tier=AccountTier.ENTRY)[1],  # the Prime application is an Entry holder's form
        "operator": _signed_in(role=StaffRole.OPERATOR)[1],
    }


def _body(route: Route, token: dict[str, str]) -> tuple[str, bytes]:
    """The form as its page sends it: multipart for the Prime application (with its seal certificate)."""
    fields = {**token, "code": "123456", "email": "a@example.jp", "password": "x", "decision": "allow"}
    if route.path != "/account/prime":
        return FORM["Content-Type"], urlencode(fields).encode()
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="seal_certificate"; filename="seal.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n%%EOF\n\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", ("".join(parts) + f"--{boundary}--\r\n").encode()


@pytest.fixture(scope="module")
def registered_client(aws_platform: dict[str, Any]) -> str:
    """A relying party in the registry (its edit form is the operator's)."""
    from tests.integration.test_auth_oidc_flow import _register

    return _register().client_id


@pytest.mark.parametrize("route", [r for r in page_post_routes() if page_set(r) == "gbizid"], ids=lambda r: r.path)
def test_given_a_gbizid_form_without_or_with_a_forged_token_then_403(
    call_api: Any, gbizid_cookies: dict[str, dict[str, str]], registered_client: str, route: Route
) -> None:
    if route.path in ANONYMOUS_FORMS:
        cookie = {"Cookie": f"gbizid_csrf={secrets.token_urlsafe(32)}"}
    elif route.path == "/account/login/second-factor":
        from functions.auth.web.session import start_session

        _, pending = start_session(
            str(uuid.uuid4()), amr=("pwd",), acr="urn:gbizid:acr:prime", second_factor_pending=True
        )
        cookie = {"Cookie": f"gbizid_session={pending.value}"}
    else:
        who = (
            "operator" if route.path.startswith("/operator") else "entry" if route.path == "/account/prime" else "prime"
        )
        cookie = gbizid_cookies[who]
    path = path_of(route).replace("sample-1", registered_client) if "{client_id}" in route.path else path_of(route)
    for token in ({}, {"csrf_token": secrets.token_urlsafe(32)}):
        content_type, body = _body(route, token)
        headers = {**cookie, "Content-Type": content_type, "Host": "id.devstack.test"}
        answer = call_api("POST", path, headers=headers, body=body)
        assert answer.status == 403, f"{route.path} {token or 'no token'}: {answer.status}"


def test_given_an_anonymous_form_without_the_browsers_csrf_cookie_then_403(call_api: Any) -> None:
    for path in ANONYMOUS_FORMS:
        token = secrets.token_urlsafe(32)
        body = urlencode({"csrf_token": token, "email": "a@example.jp", "password": "x"})
        answer = call_api("POST", path, headers={**FORM, "Host": "id.devstack.test"}, body=body)
        assert answer.status == 403, path


# -- the relying parties' page sets (each signs in through gBizID)


def _refused(browser: Browser, route: Route) -> None:
    for token in ({}, {"csrf_token": secrets.token_urlsafe(32)}):
        answer = browser.post(path_of(route), {**token, "label": "x", "name": "x", "outcome": "approved"})
        assert answer.status == 403, f"{route.path} {token or 'no token'}: {answer.status}"


def test_given_the_token_pages_forms_without_or_with_a_forged_token_then_403(page_platform: dict[str, Any]) -> None:  # noqa: F811
    browser = signed_in_browser(str(uuid.uuid4()))
    for route in (r for r in page_post_routes() if page_set(r) == "token-page"):
        _refused(browser, route)


def test_given_jgrants_forms_without_or_with_a_forged_token_then_403(jgrants_portal: dict[str, Any]) -> None:  # noqa: F811
    table = jgrants_portal["meti"].name("table", "applications")
    staff: dict[str, Browser] = {"applicant": jgrants_pages.sign_in("prime")}
    for role in ("reviewer", "operator"):
        sub = str(uuid.uuid4())
        make_staff(table, sub, role)
        staff[role] = jgrants_pages.sign_in(
            "prime", sub=sub, page="/jgrants/review" if role == "reviewer" else "/jgrants/operator/subsidies"
        )
    for route in (r for r in page_post_routes() if page_set(r) == "jgrants"):
        who = "reviewer" if "/review/" in route.path else "operator" if "/operator/" in route.path else "applicant"
        _refused(staff[who], route)


def test_given_exchange_portal_forms_without_or_with_a_forged_token_then_403(exchange_portal: None) -> None:  # noqa: F811
    from functions.exchange import registry

    operator_sub = str(uuid.uuid4())
    registry.add_operator(operator_sub, "CSRF試験運用者")
    operator = exchange_pages.sign_in(operator_sub, "prime", DEMO_CORP_A, "/exchange/members")
    holder = exchange_pages.sign_in(str(uuid.uuid4()), "prime", DEMO_CORP_A, "/exchange/consents")
    for route in (r for r in page_post_routes() if page_set(r) == "exchange"):
        _refused(operator if route.path.startswith("/exchange/members") else holder, route)


def test_given_only_a_page_sets_cookie_when_calling_its_json_api_then_401(jgrants_portal: dict[str, Any]) -> None:  # noqa: F811
    """A forged cross-site POST to an API carries cookies but never the Authorization header: refused."""
    browser = jgrants_pages.sign_in("prime")
    answer = browser.request(
        "POST", "/submit/v1/applications", '{"subsidy_id":"x"}', {"Content-Type": "application/json"}
    )
    assert answer.status == 401
