"""The SPARQL engine of gBizINFO: RDF shape, published example queries, full text, limits, formats."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORPORATIONS
from devstack.synthdata import generate_records
from functions.hojin_search import rdf
from functions.hojin_search.normalize import normalize_name
from functions.hojin_search.sparql.engine import (
    NotAcceptable,
    QueryTimeout,
    SparqlEngine,
    SparqlLimits,
    SparqlRequest,
    check_read_only,
)
from functions.hojin_search.sparql.fulltext import NameIndex, find_text_patterns, rewrite_text_queries
from functions.hojin_search.sparql.page import examples
from functions.hojin_search.sparql.results import ResultFormat, choose_result_format
from platform_common.errors import InvalidInput

PROLOGUE = "PREFIX ic: <http://imi.go.jp/ns/core/rdf#>\nPREFIX hj: <http://hojin-info.go.jp/ns/domain/biz/1#>\n"


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return [*generate_records(300, seed=7), *DEMO_CORPORATIONS]


@pytest.fixture(scope="module")
def engine(records: list[dict[str, Any]]) -> SparqlEngine:
    return SparqlEngine.from_records(records)


def select(engine: SparqlEngine, query: str) -> list[dict[str, str]]:
    answer = engine.execute(SparqlRequest(query, accept="application/sparql-results+json"))
    body = json.loads(answer.body)
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


# ------------------------------------------------------------------------ published example queries


def test_given_the_published_lookup_shape_when_run_then_name_and_address_of_that_number_come_back(engine):
    # Given the retired endpoint's lookup example, When it runs for a demo corporation
    rows = select(engine, examples(DEMO_CORP_A)[0].query)

    # Then exactly that corporation's name and address are bound
    assert rows == [
        {
            "s": rdf.corporation_iri(DEMO_CORP_A),
            "name": "デモ工業株式会社",
            "addr": "東京都千代田区霞が関１丁目３番１号",
        }
    ]


def test_given_the_published_kana_example_when_run_then_every_reading_starts_with_a(engine, records):
    query = examples()[2].query.replace("LIMIT 10", "")
    expected = sorted(r["corporate_number"] for r in records if str(r.get("kana", "")).startswith("ア"))

    rows = select(engine, query)

    assert sorted(rdf.corporate_number_of(row["s"]) for row in rows) == expected
    assert all(row["corporateKana"].startswith("ア") and row["pref"] for row in rows)


def test_given_a_corporation_with_a_subsidy_when_its_subsidy_graph_is_queried_then_title_and_integer_amount(engine):
    rows = select(
        engine,
        PROLOGUE
        + "SELECT ?title ?amount ?date WHERE { GRAPH <http://hojin-info.go.jp/graph/hojyokin> { "
        + f"<{rdf.corporation_iri(DEMO_CORP_A)}> hj:法人活動情報 ?a . ?a a hj:補助金型 ; ic:名称/ic:表記 ?title ;"
        + " ic:金額/ic:数値 ?amount ; hj:認定日 ?date } }",
    )

    assert rows == [
        {"title": "ものづくり・商業・サービス生産性向上促進補助金", "amount": "10000000", "date": "2025-06-30"}
    ]


def test_given_every_example_on_the_query_page_when_run_then_each_answers_without_error(engine):
    for example in examples(DEMO_CORP_A):
        answer = engine.execute(SparqlRequest(example.query))
        assert answer.rows > 0, example.key


def test_given_the_aggregate_example_when_run_then_totals_are_integers_in_descending_order(engine):
    rows = select(engine, examples()[3].query)

    totals = [int(row["total"]) for row in rows]
    assert totals == sorted(totals, reverse=True)


# ------------------------------------------------------------------------------------ RDF mapping


@settings(max_examples=40, deadline=None)
@given(
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)
    | st.sampled_from(['a"b', "a\\b", "line\nbreak", "tab\there", "quote'"])
)
def test_given_any_name_when_mapped_to_nquads_and_loaded_then_the_name_reads_back_unchanged(name):
    record = {"corporate_number": DEMO_CORP_A, "name": name, "location": "x"}
    corporations, _ = rdf.records_to_tables([record])
    store = ox.Store()
    store.bulk_load(rdf.join_lines(rdf.basic_lines(corporations)), format=ox.RdfFormat.N_QUADS)

    [row] = list(store.query(PROLOGUE + "SELECT ?n WHERE { GRAPH ?g { ?k ic:名称/ic:表記 ?n } }"))
    assert row["n"].value == name


def test_given_a_record_when_mapped_then_each_part_lands_in_its_named_graph(records):
    corporations, activities = rdf.records_to_tables([DEMO_CORPORATIONS[0]])
    dataset = b"".join(rdf.nquads_of_tables(corporations, activities))
    graphs = {q.graph_name.value for q in ox.parse(dataset, format=ox.RdfFormat.N_QUADS)}

    expected = {rdf.graph_iri("basic")} | {rdf.graph_iri(c) for c in activities}
    assert graphs == expected
    assert "http://hojin-info.go.jp/graph/hojyokin" in graphs


# ------------------------------------------------------------------------------------ full text


@pytest.fixture(scope="module")
def name_index() -> NameIndex:
    names = ["株式会社テスト工業", "ﾃｽﾄ商事", "中央工業有限会社", "東京テスト", "ABC Holdings", "工"]
    numbers = [f"{i:013d}" for i in range(len(names))]
    return NameIndex(numbers, names)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("テスト", ["0000000000000", "0000000000001", "0000000000003"]),
        ("てすと", ["0000000000000", "0000000000001", "0000000000003"]),  # kana folded
        ("工業", ["0000000000000", "0000000000002"]),
        ("工", ["0000000000000", "0000000000002", "0000000000005"]),  # one character
        ("ａｂｃ", ["0000000000004"]),  # width and case folded
        ("存在しない", []),
    ],
)
def test_given_names_when_searching_text_then_matches_follow_the_rest_search_normalisation(name_index, text, expected):
    assert name_index.search(text) == expected


def test_given_only_corporate_kind_words_when_searching_text_then_the_field_is_named(name_index):
    with pytest.raises(InvalidInput) as raised:
        name_index.search("株式会社")
    assert raised.value.errors[0].item == "text:query"


@settings(max_examples=30, deadline=None)
@given(
    names=st.lists(
        st.text(alphabet="アイウカキ工業東京ｱｲabAB株式会社", min_size=1, max_size=8), min_size=1, max_size=30
    ),
    text=st.text(alphabet="アイウカキ工業東京ｱｲabAB", min_size=1, max_size=3),
)
def test_given_random_names_when_searching_text_then_the_index_equals_a_plain_scan(names, text):
    numbers = [f"{i:013d}" for i in range(len(names))]
    index = NameIndex(numbers, names)
    needle = normalize_name(text)

    expected = [n for n, name in zip(numbers, names, strict=True) if needle in normalize_name(name)]
    assert index.search(text) == expected


def test_given_the_magic_predicate_in_its_three_spellings_when_rewritten_then_values_blocks_replace_them(name_index):
    full = 'SELECT ?s WHERE { ?s <urn:gbizinfo:text#query> "工業" . }'
    prefixed = 'PREFIX text: <urn:gbizinfo:text#>\nSELECT ?s WHERE { ?s text:query ("工業" 1) ; ?p ?o }'

    assert "VALUES ?s {" in rewrite_text_queries(full, name_index)
    rewritten = rewrite_text_queries(prefixed, name_index)
    assert rewritten.count("/basic/") == 1  # the list form's limit
    assert "?s ?p ?o" in rewritten.replace("  ", " ")  # the predicate list goes on after the block
    assert find_text_patterns(prefixed)[0].limit == 1


def test_given_a_text_query_when_run_then_it_finds_what_filter_contains_finds(engine):
    by_text = select(
        engine,
        PROLOGUE + 'PREFIX text: <urn:gbizinfo:text#>\nSELECT ?s WHERE { ?s text:query "デモ" . }',
    )
    by_filter = select(
        engine,
        PROLOGUE + 'SELECT ?s WHERE { ?s hj:法人基本情報/ic:名称/ic:表記 ?n FILTER(CONTAINS(?n, "デモ")) }',
    )

    assert {r["s"] for r in by_text} == {r["s"] for r in by_filter}
    assert rdf.corporation_iri(DEMO_CORP_A) in {r["s"] for r in by_text}


# ----------------------------------------------------------------------------- read-only and limits


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "DROP ALL",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "select * where { service <http://169.254.169.254/> { ?s ?p ?o } }",
    ],
)
def test_given_an_update_or_a_federated_call_when_checked_then_it_is_refused_naming_the_query(query, engine):
    with pytest.raises(InvalidInput) as raised:
        engine.execute(SparqlRequest(query))
    assert raised.value.errors[0].item == "query"
    assert len(engine.store) > 0


def test_given_update_words_inside_literals_or_iris_when_checked_then_the_query_is_allowed():
    check_read_only('SELECT * WHERE { ?s ?p "INSERT and SERVICE" . ?s <urn:drop#all> ?o } # DELETE')


def test_given_a_syntax_error_when_run_then_400_names_the_query_field(engine):
    with pytest.raises(InvalidInput) as raised:
        engine.execute(SparqlRequest("SELECT ?s WHERE { ?s ?p }"))
    assert raised.value.errors[0].item == "query"


def test_given_more_solutions_than_the_limit_when_run_then_the_answer_is_cut_and_says_so(records):
    small = SparqlEngine.from_records(records[:20], SparqlLimits(max_results=5))

    answer = small.execute(SparqlRequest("SELECT * WHERE { ?s ?p ?o }"))

    assert answer.rows == 5
    assert answer.truncated
    assert len(json.loads(answer.body)["results"]["bindings"]) == 5


def test_given_a_query_slower_than_the_timeout_when_run_then_query_timeout_and_the_next_query_still_runs(records):
    # Given an engine with a 0.2 s deadline and a cross product that takes about a second here
    slow = SparqlEngine.from_records(records[:40], SparqlLimits(timeout_seconds=0.2, concurrency=2))
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STR(?c) < STR(?f)) }"

    # When it runs, Then the caller is answered at the deadline
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        slow.execute(SparqlRequest(cross))
    assert time.perf_counter() - started < 1.0
    # And a cheap query still gets a slot
    assert slow.execute(SparqlRequest("ASK { ?s ?p ?o }")).body.startswith(b'{"head"')


# ---------------------------------------------------------------------------------------- formats


def test_given_each_results_media_type_when_requested_then_the_body_is_in_that_format(engine):
    query = examples(DEMO_CORP_A)[0].query

    as_xml = engine.execute(SparqlRequest(query, accept="application/sparql-results+xml"))
    as_csv = engine.execute(SparqlRequest(query, accept="text/csv"))
    as_tsv = engine.execute(SparqlRequest(query, accept="text/tab-separated-values"))

    assert as_xml.content_type.startswith("application/sparql-results+xml")
    assert '<binding name="name"><literal>デモ工業株式会社</literal></binding>' in as_xml.body.decode()
    assert list(csv.reader(io.StringIO(as_csv.body.decode())))[1][1] == "デモ工業株式会社"
    assert as_tsv.body.decode().splitlines()[0] == "?s\t?name\t?addr"
    assert '"デモ工業株式会社"' in as_tsv.body.decode()
    assert as_csv.content_type.startswith("text/csv")


def test_given_typed_literals_when_given_as_json_then_datatypes_are_kept(engine):
    answer = engine.execute(
        SparqlRequest(PROLOGUE + f'SELECT ?c WHERE {{ ?k ic:ID/ic:識別値 "{DEMO_CORP_A}" ; hj:資本金/ic:数値 ?c }}')
    )
    [binding] = json.loads(answer.body)["results"]["bindings"]
    assert binding["c"] == {
        "type": "literal",
        "value": "50000000",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, ResultFormat.JSON),
        ("*/*", ResultFormat.JSON),
        ("text/csv;q=0.5, application/sparql-results+xml", ResultFormat.XML),
        ("text/tab-separated-values", ResultFormat.TSV),
        ("image/png", None),
    ],
)
def test_given_an_accept_header_when_negotiating_then_the_best_supported_format_wins(accept, expected):
    assert choose_result_format(accept, None) is expected


def test_given_an_unsupported_accept_when_run_then_not_acceptable(engine):
    with pytest.raises(NotAcceptable):
        engine.execute(SparqlRequest("ASK { ?s ?p ?o }", accept="image/png"))


def test_given_a_construct_query_when_run_then_turtle_comes_back(engine):
    answer = engine.execute(
        SparqlRequest(
            PROLOGUE + f'CONSTRUCT {{ ?k ic:名称 ?n }} WHERE {{ ?k ic:ID/ic:識別値 "{DEMO_CORP_A}" ; ic:名称 ?n }}'
        )
    )
    triples = list(ox.parse(answer.body, format=ox.RdfFormat.TURTLE))
    assert len(triples) == 1
    assert answer.content_type.startswith("text/turtle")
