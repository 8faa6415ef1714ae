"""SPARQL 1.1 protocol endpoint (GET and POST ``/hojin/sparql``) and the query page (``/hojin/sparql/query``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.hojin_search.sparql.engine import SparqlAnswer, SparqlRequest
from functions.hojin_search.sparql.loader import get_engine
from functions.hojin_search.sparql.page import PageResult, page_result_from_json, render_page
from platform_common.errors import DomainError, InvalidInput
from platform_common.request_guard import body_text

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

_SPARQL_QUERY = "application/sparql-query"
_FORM = "application/x-www-form-urlencoded"
_CORS = {"Access-Control-Allow-Origin": "*", "Vary": "Accept"}


def _answer(answer: SparqlAnswer) -> Response[str]:
    headers = {
        **_CORS,
        "X-SPARQL-Rows": str(answer.rows),
        "X-SPARQL-Truncated": "true" if answer.truncated else "false",
        "Server-Timing": f"sparql;dur={answer.elapsed_ms:.2f}",
    }
    return Response(
        status_code=200, content_type=answer.content_type, body=answer.body.decode("utf-8"), headers=headers
    )


def _params(raw: dict[str, list[str]] | None) -> dict[str, list[str]]:
    return {k: list(v) for k, v in (raw or {}).items()}


def _request_from(params: dict[str, list[str]], query: str | None, accept: str | None) -> SparqlRequest:
    if "update" in params:
        raise InvalidInput.for_field("update", "the endpoint is read-only: SPARQL updates are not accepted")
    queries = [query] if query is not None else params.get("query", [])
    if len(queries) != 1:
        raise InvalidInput.for_field("query", "give exactly one query")
    formats: list[str | None] = [*params.get("format", ())] or [None]
    return SparqlRequest(
        query=queries[0] or "",
        accept=accept,
        format=formats[0],
        default_graph_uris=tuple(params.get("default-graph-uri", ())),
        named_graph_uris=tuple(params.get("named-graph-uri", ())),
    )


@router.get(
    "/hojin/sparql",
    summary="SPARQL 1.1 query (read-only; JSON, XML, CSV or TSV results by Accept)",
    tags=["sparql"],
    response_description="SPARQL query results; graphs (CONSTRUCT, DESCRIBE) as Turtle, N-Triples or RDF/XML",
)
def handle_get_sparql(
    query: Annotated[str, Query(description="the SPARQL 1.1 query (text:query full text supported)")],
) -> Response[str]:
    event = router.current_event
    params = _params(event.multi_value_query_string_parameters)
    params.pop("query", None)
    request = _request_from(params, query, event.headers.get("accept"))
    return _answer(get_engine().execute(request))


@router.post(
    "/hojin/sparql",
    summary="SPARQL 1.1 query by POST (application/sparql-query body, or a form with query=)",
    tags=["sparql"],
    response_description="SPARQL query results",
)
def handle_post_sparql() -> Response[str]:
    event = router.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = body_text(event.raw_event)
    params = _params(event.multi_value_query_string_parameters)
    if content_type == _SPARQL_QUERY:
        request = _request_from(params, body, event.headers.get("accept"))
    elif content_type == _FORM:
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
        request = _request_from(params, None, event.headers.get("accept"))
    else:
        raise InvalidInput.for_field(
            "content-type", f"send the query as {_SPARQL_QUERY} or as a form ({_FORM}) with a query field"
        )
    return _answer(get_engine().execute(request))


@router.get(
    "/hojin/sparql/query",
    summary="The SPARQL query page (HTML): examples, a query form and a results table",
    tags=["sparql"],
    response_description="An HTML page",
)
def handle_get_sparql_page(
    lang: Annotated[str, Query(pattern="^(ja|en)$", description="page language")] = "ja",
    query: Annotated[str | None, Query(description="a query to run and show")] = None,
    format: Annotated[str, Query(pattern="^(table|json|xml|csv|tsv)$", description="table or a raw format")] = "table",
) -> Response[str]:
    engine = get_engine()
    if query and format != "table":
        return _answer(engine.execute(SparqlRequest(query=query, format=format)))
    result: PageResult | None = None
    if query:
        try:
            answer = engine.execute(SparqlRequest(query=query, format="json"))
            result = page_result_from_json(answer.body, answer.rows, answer.elapsed_ms, answer.truncated)
        except DomainError as exc:
            result = PageResult(error=exc.detail)
    html = render_page(
        "en" if lang == "en" else "ja",
        query or "",
        format,
        result,
        engine.limits.timeout_seconds,
        engine.limits.max_results,
    )
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=html)
