"""The SPARQL 1.1 protocol endpoint and the query page, through API Gateway proxy events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORPORATIONS
from devstack.seed_open_data import put_hojin_records
from functions.hojin_search.sparql.loader import reset_engine
from functions.hojin_search.sparql.page import examples

LOOKUP = examples(DEMO_CORP_A)[0].query


@pytest.fixture(scope="module", autouse=True)
def demo_records(aws_platform: dict[str, Any]) -> Iterator[None]:
    # The protocol is tested over the records table (the source of a fresh devstack). Other modules of the
    # session ingest Parquet into the shared bucket, which the engine would prefer: keep it out of sight here.
    put_hojin_records(aws_platform["opendata"].name("table", "hojin"), DEMO_CORPORATIONS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("functions.hojin_search.sparql.loader._parquet_objects", lambda bucket: [])
        reset_engine()
        yield
    reset_engine()


def names_in(body: bytes) -> list[str]:
    return [row["name"]["value"] for row in json.loads(body)["results"]["bindings"]]


def test_given_a_get_with_a_query_parameter_when_called_then_json_results_without_a_token(call_api):
    response = call_api(
        "GET", "/hojin/sparql?" + urlencode({"query": LOOKUP}), headers={"Accept": "application/sparql-results+json"}
    )

    assert response.status == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert names_in(response.body) == ["デモ工業株式会社"]


def test_given_a_post_of_a_sparql_query_body_when_called_then_csv_by_accept(call_api):
    response = call_api(
        "POST", "/hojin/sparql", body=LOOKUP, headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    )

    assert response.status == 200
    assert response.body.decode().splitlines()[1].split(",")[1] == "デモ工業株式会社"


def test_given_a_form_post_when_called_then_the_query_field_is_run(call_api):
    response = call_api(
        "POST",
        "/hojin/sparql",
        body="query=" + quote(LOOKUP),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status == 200
    assert names_in(response.body) == ["デモ工業株式会社"]


@pytest.mark.parametrize(
    ("method", "url", "headers", "body", "item"),
    [
        ("GET", "/hojin/sparql", {}, None, "query"),
        (
            "POST",
            "/hojin/sparql",
            {"Content-Type": "application/x-www-form-urlencoded"},
            "update=" + quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
            "update",
        ),
        ("POST", "/hojin/sparql", {"Content-Type": "application/sparql-query"}, "DROP ALL", "query"),
        ("POST", "/hojin/sparql", {"Content-Type": "text/plain"}, LOOKUP, "content-type"),
        ("GET", "/hojin/sparql?" + urlencode({"query": "SELECT ?s WHERE {"}), {}, None, "query"),
    ],
)
def test_given_a_bad_or_writing_request_when_called_then_400_problem_names_the_field(
    call_api, method, url, headers, body, item
):
    response = call_api(method, url, headers=headers, body=body)

    assert response.status == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["item"] == item


def test_given_an_unsupported_accept_when_called_then_406(call_api):
    response = call_api("GET", "/hojin/sparql?" + urlencode({"query": LOOKUP}), headers={"Accept": "image/png"})

    assert response.status == 406


@pytest.mark.parametrize(
    ("lang", "heading"), [("ja", "SPARQLで法人情報を調べる"), ("en", "Query corporate data with SPARQL")]
)
def test_given_the_query_page_when_opened_then_examples_form_and_text_query_docs_show(call_api, lang, heading):
    response = call_api("GET", f"/hojin/sparql/query?lang={lang}")

    html = response.body.decode()
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert '<textarea id="query" name="query"' in html
    assert '<label for="query">' in html
    assert "urn:gbizinfo:text#query" in html
    assert html.count("data-example=") == len(examples())


def test_given_a_query_on_the_page_when_run_then_a_results_table_shows_the_rows(call_api):
    response = call_api("GET", "/hojin/sparql/query?" + urlencode({"lang": "ja", "query": LOOKUP}))

    html = response.body.decode()
    assert response.status == 200
    assert '<th scope="col">?name</th>' in html
    assert "<td>デモ工業株式会社</td>" in html


def test_given_a_broken_query_on_the_page_when_run_then_the_page_shows_the_error_as_an_alert(call_api):
    response = call_api("GET", "/hojin/sparql/query?" + urlencode({"query": "SELECT ?s WHERE {"}))

    assert response.status == 200
    assert 'role="alert"' in response.body.decode()
