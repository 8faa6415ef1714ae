"""No secret in any log line (ASVS 7.1.1, 7.1.2): a representative run in process, with every logger of the
platform at DEBUG and every record captured (message, fields and traceback): a password and TOTP sign-in at
gBizID, the code flow with a client secret, tokens and userinfo and a refresh, the token page's sign-in, an API
token issued and used, jGrants' pages signed in and a draft started, the exchange portal signed in. Then none
of the password, the TOTP secret and code, the session cookies, the access, refresh and ID tokens, the client
secret or the API token appears in any captured line."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from werkzeug.test import Client

from devstack.demo_corporations import DEMO_CORP_A
from devstack.gateway import Gateway
from functions.hojin_search.logic import API_TOKEN_HEADER
from tests.integration import test_exchange_portal_pages as exchange_pages
from tests.integration import test_jgrants_pages as jgrants_pages
from tests.integration.test_auth_accounts_pages import Browser as GbizidBrowser
from tests.integration.test_auth_accounts_pages import _corporate_user
from tests.integration.test_auth_oidc_flow import HOST, Flow, _register
from tests.integration.test_exchange_administration import op, people, registered  # noqa: F401  # fixtures
from tests.integration.test_exchange_portal_pages import pages as exchange_portal  # noqa: F401  # fixture
from tests.integration.test_hojin_token_page import PAGE, call, page_platform, signed_in_browser  # noqa: F401
from tests.integration.test_jgrants_pages import pages as jgrants_portal  # noqa: F401  # fixture

OUR_LOGGERS = ("auth", "submit", "hojin_search", "exchange", "functions", "platform_common", "devstack")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = {key: value for key, value in record.__dict__.items() if key not in ("args", "msg")}
        self.lines.append(f"{record.getMessage()} {json.dumps(fields, default=str, ensure_ascii=False)}")


@pytest.fixture
def captured() -> Iterator[Capture]:
    """Every record of every logger; the platform's own loggers lowered to DEBUG (deployed at INFO)."""
    capture = Capture()
    loggers = [
        logging.getLogger(),
        *(item for item in logging.Logger.manager.loggerDict.values() if isinstance(item, logging.Logger)),
    ]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.addHandler(capture)
        if logger.name.split(".")[0] in OUR_LOGGERS:
            logger.setLevel(logging.DEBUG)
    yield capture
    for logger, level in levels.items():
        logger.removeHandler(capture)
        logger.setLevel(level)


def test_given_a_representative_run_then_no_secret_appears_in_any_log_line(
    call_api: Any,
    captured: Capture,
    page_platform: Any,  # noqa: F811
    jgrants_portal: Any,  # noqa: F811
    exchange_portal: Any,  # noqa: F811
) -> None:
    secrets: dict[str, str] = {}

    # gBizID: password, then TOTP
    user = _corporate_user("prime")
    secrets |= {"password": user["password"], "totp secret": user["totp_secret"]}
    browser = GbizidBrowser()
    login_page = browser.get("/account/login")
    assert (
        browser.post(
            "/account/login", {"email": user["email"], "password": user["password"], "csrf_token": login_page.csrf()}
        ).status
        == 303
    )
    second = browser.get("/account/login/second-factor")
    code = pyotp.TOTP(user["totp_secret"]).now()
    secrets["totp code"] = code
    done = browser.post(
        "/account/login/second-factor",
        {"action": "verify", "method": "totp", "code": code, "csrf_token": second.csrf()},
    )
    assert done.status == 303
    secrets["gBizID session"] = browser.cookies["gbizid_session"]

    # the code flow: client secret, code, access, refresh and ID tokens, userinfo, a refresh
    rp = _register()
    secrets["client secret"] = rp.secret or ""
    flow = Flow(call_api, rp, f"gbizid_session={browser.cookies['gbizid_session']}")
    code_value = flow.code()
    tokens = flow.exchange(code_value).json()
    secrets |= {
        "authorization code": code_value,
        "access token": tokens["access_token"],
        "refresh token": tokens["refresh_token"],
        "ID token": tokens["id_token"],
        "PKCE verifier": flow.verifier,
    }
    assert (
        call_api("GET", "/oauth/userinfo", headers={**HOST, "Authorization": f"Bearer {tokens['access_token']}"}).status
        == 200
    )
    refreshed = flow.token({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}).json()
    secrets["refreshed access token"] = refreshed["access_token"]
    assert call_api("GET", "/oauth/userinfo", headers={**HOST, "Authorization": "Bearer not-a-token"}).status == 401

    # the token page: sign-in through gBizID, an API token issued and used (and a wrong one refused)
    pages = signed_in_browser(str(uuid.uuid4()))
    page = pages.get(PAGE)
    issued = pages.post(PAGE, {"label": "log test", "csrf_token": page.field("csrf_token")})
    api_token = issued.field("new_token")
    secrets |= {"API token": api_token, "token page session": pages.cookies["gbizinfo_tokens_session"]}
    assert call("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", {API_TOKEN_HEADER: api_token}).status == 200
    assert call("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", {API_TOKEN_HEADER: api_token[:-2] + "xx"}).status == 401

    # jGrants' pages: signed in, a draft started; the exchange portal: signed in
    grants = jgrants_pages.sign_in("prime")
    jgrants_pages.start(grants)
    secrets["jGrants session"] = grants.cookies["jgrants_session"]
    portal = exchange_pages.sign_in(str(uuid.uuid4()), "prime", DEMO_CORP_A, "/exchange/consents")
    secrets["exchange session"] = portal.cookies["exchange_session"]

    # the devstack gateway's access log, with a token where a careless client puts it: in the query string
    gateway = Client(Gateway())
    assert gateway.get(f"/oauth/userinfo?access_token={tokens['access_token']}").status_code == 401
    assert gateway.get(f"/hojin/v2/hojin/{DEMO_CORP_A}", headers={API_TOKEN_HEADER: api_token}).status_code == 200

    assert any("GET /oauth/userinfo 401" in line for line in captured.lines), "the capture is not working"
    for name, value in secrets.items():
        assert len(value) >= 6, name
        leaking = [line for line in captured.lines if value in line]
        assert not leaking, f"the {name} appears in a log line: {leaking[0][:300]}"
