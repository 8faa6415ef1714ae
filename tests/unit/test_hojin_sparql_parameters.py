"""Properties of the SPARQL endpoint's parameters: any query text, format, Accept and dataset IRIs give an
answer or a 4xx naming the parameter; keywords inside literals never make a read-only query an update."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack.demo_corporations import DEMO_CORPORATIONS
from functions.hojin_search.routers.sparql import _request_from
from functions.hojin_search.sparql.engine import SparqlEngine, SparqlRequest, check_read_only
from platform_common.errors import DomainError, InvalidInput

PROLOGUE = "PREFIX ic: <http://imi.go.jp/ns/core/rdf#>\nPREFIX hj: <http://hojin-info.go.jp/ns/domain/biz/1#>\n"
TEXT_PROLOGUE = PROLOGUE + "PREFIX text: <http://jena.apache.org/text#>\n"
FORBIDDEN = ["SERVICE", "LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD"]
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
EXAMPLES = ["SELECT * WHERE { ?s ?p ?o } LIMIT 2", "ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"]
queries = st.one_of(
    texts,
    st.sampled_from(EXAMPLES),
    st.builds(lambda a, b: f"SELECT * WHERE {{ ?s ?p ?o {a} }} {b}", texts, texts),
)
media = st.one_of(
    st.none(), texts, st.sampled_from(["*/*", "text/csv", "application/sparql-results+xml", "text/turtle"])
)
formats = st.one_of(st.none(), texts, st.sampled_from(["json", "xml", "csv", "tsv", "turtle", "JSON"]))
iris = st.one_of(texts, st.sampled_from(["http://hojin-info.go.jp/graph/hojin", "urn:x", "http://x/ y"]))


def literal(text: str) -> str:
    """``text`` as a SPARQL string literal (ECHAR escapes, as the grammar requires)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


@pytest.fixture(scope="module")
def engine() -> SparqlEngine:
    return SparqlEngine.from_records(list(DEMO_CORPORATIONS))


@given(st.dictionaries(st.sampled_from(["query", "update", "format", "default-graph-uri", "x"]), st.lists(texts)))
def test_property_any_protocol_parameters_give_a_request_or_a_400_naming_query_or_update(
    params: dict[str, list[str]],
) -> None:
    refused: InvalidInput | None = None
    try:
        request = _request_from(params, None, None)
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.errors[0].item in ("query", "update")
        return
    assert request.query == (params["query"][0] or "")
    assert request.default_graph_uris == tuple(params.get("default-graph-uri", ()))


# the engine only answers queries, so its examples may share it; drawing SPARQL text is slow on a loaded machine
FIXTURE_AND_SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURE_AND_SLOW)
@given(queries, media, formats, st.lists(iris, max_size=2), st.lists(iris, max_size=2))
def test_property_any_request_is_answered_or_refused_with_a_4xx_or_503(
    engine: SparqlEngine, query: str, accept: str | None, fmt: str | None, default: list[str], named: list[str]
) -> None:
    request = SparqlRequest(query, accept, fmt, tuple(default), tuple(named))
    refused: DomainError | None = None
    try:
        answer = engine.execute(request)
    except DomainError as exc:
        refused = exc
    if refused is not None:
        assert 400 <= refused.status < 500 or refused.status == 503  # 503: the engine's own time limit
        return
    assert answer.rows >= 0
    assert answer.content_type


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE_AND_SLOW)
@given(texts, st.lists(st.sampled_from(FORBIDDEN), max_size=3))
def test_property_update_keywords_inside_a_literal_leave_the_query_read_only(
    engine: SparqlEngine, text: str, keywords: list[str]
) -> None:
    needle = " ".join([*keywords, text])
    query = (
        PROLOGUE + "SELECT ?name WHERE { ?k ic:名称/ic:表記 ?name "
        f"FILTER(CONTAINS(?name, {literal(needle)})) }} LIMIT 5 # {' '.join(keywords)}"
    )

    check_read_only(query)
    answer = engine.execute(SparqlRequest(query, accept="application/sparql-results+json"))

    names = [row["name"]["value"] for row in json.loads(answer.body)["results"]["bindings"]]
    assert all(needle in name for name in names)


@given(texts, texts, st.sampled_from(FORBIDDEN))
def test_property_an_update_keyword_outside_literals_is_refused_naming_the_query(
    before: str, after: str, keyword: str
) -> None:
    query = f"SELECT * WHERE {{ ?s ?p ?o }} {keyword} {literal(before)} <urn:x> # {after}"

    with pytest.raises(InvalidInput) as refused:
        check_read_only(query)

    assert refused.value.errors[0].item == "query"


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE_AND_SLOW)
@given(texts, st.integers(min_value=-5, max_value=10_000))
def test_property_any_full_text_search_is_answered_or_refused_naming_the_query(
    engine: SparqlEngine, text: str, limit: int
) -> None:
    query = TEXT_PROLOGUE + f"SELECT ?s WHERE {{ ?s text:query ({literal(text)} {limit}) }}"
    refused: InvalidInput | None = None
    try:
        answer = engine.execute(SparqlRequest(query, accept="application/sparql-results+json"))
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.errors[0].item == "query"
        return
    bindings: list[dict[str, Any]] = json.loads(answer.body)["results"]["bindings"]
    assert len(bindings) <= max(limit, 0) or limit <= 0
