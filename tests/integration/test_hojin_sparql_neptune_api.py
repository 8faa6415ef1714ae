"""The SPARQL endpoint on the Neptune engine, through API Gateway proxy events: chosen by NEPTUNE_ENDPOINT,
and Neptune's failures reach the client as 502/503 problems, never as a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from botocore.credentials import Credentials

from devstack.demo_corporations import DEMO_CORP_A
from functions.hojin_search.settings import get_settings
from functions.hojin_search.sparql import loader
from functions.hojin_search.sparql.neptune import NeptuneEngine
from functions.hojin_search.sparql.page import examples

ENDPOINT = "db-neptune-1.cluster-ro-abc.ap-northeast-1.neptune.amazonaws.com"
LOOKUP = examples(DEMO_CORP_A)[0].query


@pytest.fixture
def neptune_endpoint(monkeypatch: pytest.MonkeyPatch, aws_platform: dict[str, Any]) -> Iterator[None]:
    monkeypatch.setenv("NEPTUNE_ENDPOINT", ENDPOINT)
    get_settings.cache_clear()
    loader.reset_engine()
    yield
    monkeypatch.delenv("NEPTUNE_ENDPOINT")
    get_settings.cache_clear()
    loader.reset_engine()


def test_given_neptune_endpoint_when_the_engine_is_chosen_then_it_is_neptune_at_that_cluster(neptune_endpoint):
    engine = loader.get_engine()

    assert isinstance(engine, NeptuneEngine)
    assert engine.url == f"https://{ENDPOINT}:8182/sparql"
    assert loader.get_engine() is engine  # kept across invocations


def _engine_answering(answer: Callable[[httpx.Request], httpx.Response]) -> NeptuneEngine:
    return NeptuneEngine(
        ENDPOINT,
        "ap-northeast-1",
        credentials=lambda: Credentials("AKIDTEST", "secret"),
        transport=httpx.MockTransport(answer),
    )


@pytest.mark.parametrize(
    ("neptune_status", "code", "status", "slug"),
    [
        (500, "InternalFailureException", 502, "bad-gateway"),
        (503, "ServiceUnavailableException", 503, "service-unavailable"),
        (500, "TimeLimitExceededException", 503, "query-timeout"),
        (400, "MalformedQueryException", 400, "invalid-input"),
    ],
)
def test_given_neptune_fails_when_the_endpoint_is_called_then_a_problem_json_not_a_500(
    call_api, monkeypatch, neptune_status, code, status, slug
):
    engine = _engine_answering(lambda request: httpx.Response(neptune_status, json={"code": code}))
    monkeypatch.setattr("functions.hojin_search.routers.sparql.get_engine", lambda: engine)

    response = call_api("GET", "/hojin/sparql?" + urlencode({"query": LOOKUP}))

    assert response.status == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(slug)


def test_given_neptune_fails_when_the_page_runs_a_query_then_the_page_shows_the_error(call_api, monkeypatch):
    engine = _engine_answering(lambda request: httpx.Response(500, json={"code": "InternalFailureException"}))
    monkeypatch.setattr("functions.hojin_search.routers.sparql.get_engine", lambda: engine)

    response = call_api("GET", "/hojin/sparql/query?" + urlencode({"query": LOOKUP}))

    assert response.status == 200
    assert 'role="alert"' in response.body.decode()
    assert "InternalFailureException" in response.body.decode()
