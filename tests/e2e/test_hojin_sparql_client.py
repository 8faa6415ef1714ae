"""The SPARQL endpoint as published SPARQL clients use it: SPARQLWrapper against the running devstack."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from SPARQLWrapper import CSV, JSON, POST, XML, SPARQLWrapper  # type: ignore[import-untyped]

from devstack.demo_corporations import DEMO_CORP_A
from functions.hojin_search.sparql.page import examples

PROLOGUE = "PREFIX ic: <http://imi.go.jp/ns/core/rdf#>\nPREFIX hj: <http://hojin-info.go.jp/ns/domain/biz/1#>\n"


@pytest.fixture(scope="module")
def endpoint(devstack: dict[str, Any]) -> str:
    return devstack["services"]["hojin"] + "/sparql"


def client(endpoint: str, query: str, fmt: str = JSON) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    return wrapper


def test_given_the_published_lookup_when_sent_by_sparqlwrapper_then_the_demo_corporation_comes_back(endpoint):
    result = client(endpoint, examples(DEMO_CORP_A)[0].query).query().convert()

    [row] = result["results"]["bindings"]
    assert row["name"]["value"] == "デモ工業株式会社"
    assert row["addr"]["value"].startswith("東京都千代田区")


def test_given_a_post_with_xml_results_when_sent_then_sparqlwrapper_parses_the_document(endpoint):
    wrapper = client(endpoint, examples(DEMO_CORP_A)[0].query, XML)
    wrapper.setMethod(POST)

    document = wrapper.query().convert()

    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert "デモ工業株式会社" in literals


def test_given_a_full_text_query_when_sent_then_it_finds_the_demo_corporation_by_a_folded_name(endpoint):
    query = (
        PROLOGUE + "PREFIX text: <urn:gbizinfo:text#>\n"
        'SELECT ?s ?name WHERE { ?s text:query "ﾃﾞﾓ工業" . ?s hj:法人基本情報/ic:名称/ic:表記 ?name }'
    )

    result = client(endpoint, query).query().convert()

    assert {row["name"]["value"] for row in result["results"]["bindings"]} == {"デモ工業株式会社"}


def test_given_a_csv_request_when_sent_then_rows_follow_the_header(endpoint):
    body = client(endpoint, examples()[3].query, CSV).query().convert()

    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["s", "count", "total"]
    assert len(rows) > 1


def test_given_an_update_when_posted_then_400_and_the_data_is_unchanged(endpoint):
    response = httpx.post(endpoint, data={"update": "DROP ALL"}, timeout=30)

    assert response.status_code == 400
    count = client(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").query().convert()
    assert int(count["results"]["bindings"][0]["n"]["value"]) > 0


def test_given_the_query_page_when_opened_over_http_then_it_answers_html(devstack):
    response = httpx.get(devstack["services"]["hojin"] + "/sparql/query?lang=en", timeout=30)

    assert response.status_code == 200
    assert "text:query" in response.text
