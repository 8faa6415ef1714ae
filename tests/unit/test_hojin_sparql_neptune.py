"""The Neptune SPARQL engine against a fake Neptune: an httpx transport that checks the SigV4 signature and
answers from a pyoxigraph store of the demo corporations, as Neptune's SPARQL HTTP endpoint would."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest
from botocore.credentials import Credentials

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORPORATIONS
from functions.hojin_search.sparql.engine import EngineBusy, QueryTimeout, SparqlEngine, SparqlLimits, SparqlRequest
from functions.hojin_search.sparql.fulltext import NameIndex
from functions.hojin_search.sparql.neptune import BadGateway, NeptuneEngine, endpoint_url, query_form
from functions.hojin_search.sparql.page import examples
from platform_common.errors import InvalidInput, ServiceUnavailable

ENDPOINT = "db-neptune-1.cluster-ro-abc.ap-northeast-1.neptune.amazonaws.com"
CREDENTIALS = Credentials("AKIDNEPTUNETEST", "secret-key-of-the-test", "session-token-of-the-test")
LOOKUP = examples(DEMO_CORP_A)[0].query
PREFIXES = "PREFIX ic: <http://imi.go.jp/ns/core/rdf#>\nPREFIX hj: <http://hojin-info.go.jp/ns/domain/biz/1#>\n"
NAMES = PREFIXES + "SELECT ?s ?name WHERE { ?s hj:法人基本情報/ic:名称/ic:表記 ?name } ORDER BY ?s"


@pytest.fixture(scope="module")
def embedded() -> SparqlEngine:
    return SparqlEngine.from_records(DEMO_CORPORATIONS)


class FakeNeptune:
    """Neptune's SPARQL endpoint: POST /sparql, form-encoded, answers by Accept; records what it was sent."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.requests: list[httpx.Request] = []
        self.answer: Callable[[httpx.Request], httpx.Response] | None = None  # an error to answer instead

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not request.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 "):
            return httpx.Response(403, json={"code": "AccessDeniedException", "detailedMessage": "Missing auth"})
        if self.answer is not None:
            return self.answer(request)
        form = parse_qs(request.content.decode("ascii"))
        result = self.store.query(form["query"][0], use_default_graph_as_union=True)
        accept = request.headers["accept"]
        if isinstance(result, ox.QueryTriples):
            body = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b""
        else:
            fmt = {
                "text/tab-separated-values": ox.QueryResultsFormat.TSV,
                "application/sparql-results+json": ox.QueryResultsFormat.JSON,
            }[accept]
            body = result.serialize(format=fmt) or b""
        return httpx.Response(200, content=body, headers={"Content-Type": accept})


@pytest.fixture
def neptune(embedded: SparqlEngine) -> FakeNeptune:
    return FakeNeptune(embedded.store)


def engine_for(transport: FakeNeptune | httpx.MockTransport, **kwargs: Any) -> NeptuneEngine:
    handler = transport if isinstance(transport, httpx.MockTransport) else httpx.MockTransport(transport)
    return NeptuneEngine(ENDPOINT, "ap-northeast-1", credentials=lambda: CREDENTIALS, transport=handler, **kwargs)


def test_given_a_cluster_endpoint_when_addressed_then_the_sparql_path_on_port_8182_over_https() -> None:
    assert endpoint_url(ENDPOINT) == f"https://{ENDPOINT}:8182/sparql"
    assert endpoint_url(f"{ENDPOINT}:8183") == f"https://{ENDPOINT}:8183/sparql"


def test_given_a_query_when_sent_then_it_is_signed_with_sigv4_for_neptune_db(neptune: FakeNeptune) -> None:
    engine_for(neptune).execute(SparqlRequest(LOOKUP))

    (sent,) = neptune.requests
    authorization = sent.headers["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDNEPTUNETEST/")
    assert "/ap-northeast-1/neptune-db/aws4_request" in authorization
    assert "host" in authorization.split("SignedHeaders=")[1]
    assert sent.headers["x-amz-date"]
    assert sent.headers["x-amz-security-token"] == "session-token-of-the-test"
    assert sent.url == httpx.URL(f"https://{ENDPOINT}:8182/sparql")
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_given_each_result_format_when_run_on_neptune_then_the_body_equals_the_embedded_engines(
    neptune: FakeNeptune, embedded: SparqlEngine, fmt: str
) -> None:
    on_neptune = engine_for(neptune).execute(SparqlRequest(NAMES, format=fmt))
    on_store = embedded.execute(SparqlRequest(NAMES, format=fmt))

    assert on_neptune.content_type == on_store.content_type
    assert on_neptune.body == on_store.body
    assert on_neptune.rows == len(DEMO_CORPORATIONS)


def test_given_the_accept_header_when_run_then_neptune_is_asked_for_tsv_and_the_client_gets_xml(
    neptune: FakeNeptune,
) -> None:
    answer = engine_for(neptune).execute(SparqlRequest(LOOKUP, accept="application/sparql-results+xml"))

    assert neptune.requests[0].headers["accept"] == "text/tab-separated-values"
    assert answer.content_type.startswith("application/sparql-results+xml")
    assert "デモ工業株式会社" in answer.body.decode()


def test_given_more_rows_than_the_limit_when_run_then_the_result_is_cut_and_marked(neptune: FakeNeptune) -> None:
    answer = engine_for(neptune, limits=SparqlLimits(max_results=1)).execute(SparqlRequest(NAMES, format="tsv"))

    assert len(DEMO_CORPORATIONS) > 1
    assert answer.rows == 1
    assert answer.truncated is True
    assert len(answer.body.decode().splitlines()) == 2  # the header and one row


def test_given_ask_and_construct_when_run_then_boolean_and_triples_come_back(neptune: FakeNeptune) -> None:
    engine = engine_for(neptune)
    ask = engine.execute(SparqlRequest(PREFIXES + "ASK { ?s hj:法人基本情報 ?k }"))
    graph = engine.execute(
        SparqlRequest(PREFIXES + "CONSTRUCT { ?s ic:表記 ?n } WHERE { ?s hj:法人基本情報/ic:名称/ic:表記 ?n }")
    )

    assert json.loads(ask.body) == {"head": {}, "boolean": True}
    assert neptune.requests[1].headers["accept"] == "application/n-triples"
    assert graph.content_type.startswith("text/turtle")
    assert graph.rows == len(DEMO_CORPORATIONS)


def test_given_text_query_when_run_then_neptune_receives_a_values_list_not_the_magic_predicate(
    neptune: FakeNeptune, embedded: SparqlEngine
) -> None:
    query = examples(DEMO_CORP_A)[1].query
    names = [str(r["corporate_number"]) for r in DEMO_CORPORATIONS], [str(r["name"]) for r in DEMO_CORPORATIONS]
    engine = engine_for(neptune, names=lambda: NameIndex(*names))

    answer = engine.execute(SparqlRequest(query, format="json"))

    sent = parse_qs(neptune.requests[0].content.decode("ascii"))["query"][0]
    assert "text:query" not in sent
    assert "VALUES ?s {" in sent
    assert answer.body == embedded.execute(SparqlRequest(query, format="json")).body
    assert answer.rows >= 1


def test_given_text_query_without_a_name_index_when_run_then_400_names_the_query(neptune: FakeNeptune) -> None:
    with pytest.raises(InvalidInput) as raised:
        engine_for(neptune).execute(SparqlRequest(examples(DEMO_CORP_A)[1].query))

    assert raised.value.errors[0].item == "query"
    assert neptune.requests == []


def test_given_an_update_when_run_then_it_is_refused_before_reaching_neptune(neptune: FakeNeptune) -> None:
    with pytest.raises(InvalidInput):
        engine_for(neptune).execute(SparqlRequest("DELETE WHERE { ?s ?p ?o }"))

    assert neptune.requests == []


def _error(status: int, code: str, message: str = "") -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json={"code": code, "detailedMessage": message})


@pytest.mark.parametrize(
    ("status", "code", "expected", "http_status"),
    [
        (400, "MalformedQueryException", InvalidInput, 400),
        (500, "TimeLimitExceededException", QueryTimeout, 503),
        (500, "MemoryLimitExceededException", EngineBusy, 503),
        (429, "ThrottlingException", EngineBusy, 503),
        (503, "ServiceUnavailableException", ServiceUnavailable, 503),
        (500, "InternalFailureException", BadGateway, 502),
        (502, "", BadGateway, 502),
        (403, "AccessDeniedException", BadGateway, 502),
    ],
)
def test_given_a_neptune_error_when_run_then_it_maps_to_a_client_problem_never_a_500(
    neptune: FakeNeptune, status: int, code: str, expected: type[Exception], http_status: int
) -> None:
    neptune.answer = _error(status, code, "Parse error at line 1")

    with pytest.raises(expected) as raised:
        engine_for(neptune).execute(SparqlRequest(LOOKUP))

    assert int(raised.value.status) == http_status  # type: ignore[attr-defined]
    if expected is InvalidInput:
        assert "Parse error" in raised.value.errors[0].message  # type: ignore[attr-defined]


def test_given_an_unreachable_cluster_when_run_then_503_service_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ServiceUnavailable, match="cannot be reached"):
        engine_for(httpx.MockTransport(refuse)).execute(SparqlRequest(LOOKUP))


def test_given_a_syntax_error_when_neptune_answers_with_a_body_that_is_not_results_then_502() -> None:
    garbage = httpx.MockTransport(lambda request: httpx.Response(200, content=b"<html>proxy error</html>"))

    with pytest.raises(BadGateway):
        engine_for(garbage).execute(SparqlRequest(LOOKUP))


def test_given_no_query_form_when_run_then_400_names_the_query() -> None:
    with pytest.raises(InvalidInput):
        query_form('PREFIX a: <urn:x#> "SELECT"')


# ------------------------------------------------------------------------------------------ a real socket


class _SlowNeptune(BaseHTTPRequestHandler):
    delay = 2.0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "text/tab-separated-values")
        self.end_headers()
        self.wfile.write(b"?s\n")
        self.wfile.flush()
        time.sleep(self.delay)  # stalls mid-answer, as an evaluation past the deadline would
        self.wfile.write(b"<urn:late>\n")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowNeptune)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_given_neptune_slower_than_the_deadline_when_run_then_503_query_timeout_in_time(slow_server: str) -> None:
    engine = NeptuneEngine(
        slow_server, "ap-northeast-1", SparqlLimits(timeout_seconds=0.5), credentials=lambda: CREDENTIALS
    )

    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match=r"longer than 0\.5 s"):
        engine.execute(SparqlRequest("SELECT ?s WHERE { ?s ?p ?o }"))

    assert time.perf_counter() - started < 1.5
