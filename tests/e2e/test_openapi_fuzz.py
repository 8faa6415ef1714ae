"""Schemathesis against every OpenAPI document the devstack publishes, over HTTP.

Every operation of the four documents gets generated requests, valid and invalid by its schema, with a real
gBizID access token and the demo gBizINFO API token (so the operations behind them are reached, not only
their 401). Each answer must not be a 5xx, must have a documented status and content type, and must match the
documented schema. The documents declare no OpenAPI links, so there is no stateful phase to run.

Examples are few per operation and derandomised, so the run is bounded (about a minute) and repeatable; the
figures are printed (``-s``) for ``docs/reliability.md``.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from authlib.integrations.httpx_client import OAuth2Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from functions.route_table import SERVICES
from tests.e2e.test_auth_oidc_flow import sign_in_through_forms

EXAMPLES_PER_OPERATION = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# A user no other end-to-end test counts the drafts, consents or searches of (the fuzzer creates some).
FUZZ_USER = "prime@demo-b.example.jp"
# The demo API token is metered (10 a second, bursts of 20): stay under it so requests reach the logic.
HOJIN_REQUESTS_PER_SECOND = 9.0


@dataclass
class Tally:
    operations: int = 0
    examples: int = 0
    failures: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def access_token(devstack: dict[str, Any]) -> str:
    """A gBizID access token of the fuzz user, by the code flow of the demo relying party."""
    user = next(u for u in devstack["users"] if u["email"] == FUZZ_USER)
    rp = devstack["relying_parties"]["demo-rp"]
    issuer = devstack["services"]["issuer"]
    metadata = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=30).json()
    client = OAuth2Client(
        client_id=rp["client_id"],
        client_secret=rp["client_secret"],
        redirect_uri=rp["redirect_uri"],
        scope="openid profile user email mandate",
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=secrets.token_urlsafe(16)
    )
    with httpx.Client(base_url=devstack["base_url"], follow_redirects=False, timeout=30) as browser:
        callback = sign_in_through_forms(browser, url, user, stop_at=rp["redirect_uri"])
    token = client.fetch_token(
        metadata["token_endpoint"], authorization_response=callback.headers["location"], code_verifier=verifier
    )
    value: str = token["access_token"]
    return value


def _strategy(operation: Any) -> Any:
    """Valid requests by the document, and invalid ones where the operation has something to get wrong."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if operation.path_parameters or operation.query or operation.body:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(*strategies)


def fuzz_service(base_url: str, service: str, headers: dict[str, str], examples: int) -> Tally:
    """Run the checks on every operation of one service's published document; collect, do not stop at, failures."""
    schema = schemathesis.openapi.from_url(f"{base_url}/{service}/openapi.json", timeout=30)
    tally = Tally()
    pace = 1.0 / HOJIN_REQUESTS_PER_SECOND if service == "hojin_search" else 0.0
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1

        @given(case=_strategy(operation))
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            started = time.monotonic()
            tally.examples += 1
            case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS, timeout=30)
            time.sleep(max(0.0, pace - (time.monotonic() - started)))

        try:
            run()
        except (Exception, FailureGroup) as failure:  # all failures are reported together
            tally.failures.append(f"{operation.label}: {failure}")
    return tally


@pytest.mark.parametrize("service", SERVICES)
def test_given_each_published_document_when_fuzzed_then_no_5xx_and_every_answer_is_documented(
    devstack: dict[str, Any], access_token: str, service: str
) -> None:
    headers = {"Authorization": f"Bearer {access_token}", "X-hojinInfo-api-token": devstack["api_token"]}
    started = time.monotonic()

    tally = fuzz_service(devstack["base_url"], service, headers, EXAMPLES_PER_OPERATION)

    print(  # the figures for docs/reliability.md
        f"\nopenapi fuzz {service}: {tally.operations} operations, {tally.examples} examples, "
        f"{len(tally.failures)} failing, {time.monotonic() - started:.1f} s"
    )
    assert tally.operations > 0
    assert not tally.failures, "\n\n".join(tally.failures)
    if service == "hojin_search":
        time.sleep(2.0)  # the demo API token's burst refills before the next test uses it
