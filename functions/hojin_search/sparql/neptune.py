"""The SPARQL engine on Amazon Neptune: the query goes to the cluster's SPARQL HTTP endpoint, signed with SigV4.

Chosen when ``NEPTUNE_ENDPOINT`` is set (the CDK option ``-c sparql_engine=neptune``). The same rules hold as
on the embedded engine: the read-only check, the ``text:query`` rewrite (with the name index of the Parquet,
built on the first full-text query), the deadline, the row limit, the result formats and the errors.

Neptune is asked for one format per query form and the answer is read as a stream: SELECT as TSV (one solution
per line), ASK as JSON, CONSTRUCT/DESCRIBE as N-Triples (one triple per line). At most ``max_results + 1``
lines are read, then the connection is closed, so a large result costs neither memory nor the whole transfer;
the rows kept are written in the format the client asked for by the writers of the embedded engine. A client
therefore gets the same bytes, headers (``X-SPARQL-Rows``, ``X-SPARQL-Truncated``) and errors from both.

Neptune's own errors map to problems: a malformed query to ``400`` naming the query, Neptune's time limit and
our deadline to ``503`` ``query-timeout``, throttling and memory limits to ``503`` ``busy``, an unreachable
cluster to ``503`` ``service-unavailable``, any other answer to ``502`` ``bad-gateway``; never a ``500`` of ours.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.session import get_session

from functions.hojin_search.sparql.engine import (
    _LEXICAL_NOISE,
    EngineBusy,
    NotAcceptable,
    QueryTimeout,
    SparqlAnswer,
    SparqlLimits,
    SparqlRequest,
    check_iri,
    check_read_only,
    not_acceptable,
)
from functions.hojin_search.sparql.fulltext import NameIndex, find_text_patterns, rewrite_text_queries
from functions.hojin_search.sparql.results import (
    Written,
    choose_graph_format,
    choose_result_format,
    write_boolean,
    write_solutions,
    write_triples,
)
from platform_common.errors import DomainError, FieldError, InvalidInput, ServiceUnavailable

SIGNING_SERVICE = "neptune-db"
DEFAULT_PORT = 8182
ERROR_BODY_BYTES = 64 * 1024  # enough of an error answer to read Neptune's code and message

_TSV = "text/tab-separated-values"
_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)

# Neptune's error codes (the "code" of its JSON error body) that mean something other than a broken engine.
_TIMEOUT_CODES = frozenset({"TimeLimitExceededException", "QueryTimeoutException"})
_BUSY_CODES = frozenset({"ThrottlingException", "MemoryLimitExceededException", "TooManyRequestsException"})
_QUERY_CODES = frozenset({"MalformedQueryException", "BadRequestException", "InvalidParameterException"})


class BadGateway(DomainError):
    """The engine answered something the endpoint cannot pass on (its own fault, not the query's)."""

    status = HTTPStatus.BAD_GATEWAY
    slug = "bad-gateway"


def query_form(query: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first form keyword outside literals and IRIs."""
    found = _QUERY_FORM.search(_LEXICAL_NOISE.sub(" ", query))
    if found is None:
        raise InvalidInput.for_field("query", "not a SPARQL 1.1 query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return found.group(1).upper()


def endpoint_url(endpoint: str) -> str:
    """``https://<host>:8182/sparql`` from a cluster endpoint given as a host, ``host:port`` or a URL."""
    if "://" not in endpoint:
        endpoint = "https://" + endpoint
    parsed = httpx.URL(endpoint)
    port = parsed.port or DEFAULT_PORT
    return str(parsed.copy_with(port=port, path="/sparql", query=None))


CredentialSource = Callable[[], Credentials | None]


def _session_credentials() -> Credentials | None:
    # The Lambda role's credentials (refreshed by botocore as they near expiry).
    return get_session().get_credentials()


def sign(
    method: str, url: str, body: bytes, headers: dict[str, str], credentials: Credentials, region: str
) -> dict[str, str]:
    """The headers of a SigV4-signed request to Neptune (``Authorization``, ``X-Amz-Date``, the session token)."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(credentials.get_frozen_credentials(), SIGNING_SERVICE, region).add_auth(request)
    return dict(request.headers.items())


@dataclass
class NeptuneEngine:
    endpoint: str
    region: str
    limits: SparqlLimits = field(default_factory=SparqlLimits)
    # The name index for text:query, loaded on the first full-text query (None: full text unavailable).
    names: Callable[[], NameIndex | None] = lambda: None
    credentials: CredentialSource = _session_credentials
    transport: httpx.BaseTransport | None = None  # tests pass a fake endpoint

    def __post_init__(self) -> None:
        self.url = endpoint_url(self.endpoint)
        self._client = httpx.Client(transport=self.transport, verify=True)
        self._names_lock = threading.Lock()
        self._names: NameIndex | None = None

    # ------------------------------------------------------------------------------------- querying

    def prepare(self, query: str) -> str:
        check_read_only(query)
        if not find_text_patterns(query):
            return query
        return rewrite_text_queries(query, self._name_index())

    def _name_index(self) -> NameIndex | None:
        with self._names_lock:
            if self._names is None:
                self._names = self.names()
            return self._names

    def execute(self, request: SparqlRequest) -> SparqlAnswer:
        started = time.perf_counter()
        deadline = started + self.limits.timeout_seconds
        prepared = self.prepare(request.query)
        form = query_form(prepared)
        for uri in request.default_graph_uris:
            check_iri(uri, "default-graph-uri")
        for uri in request.named_graph_uris:
            check_iri(uri, "named-graph-uri")

        def check() -> None:
            if time.perf_counter() > deadline:
                raise self._timeout()

        if form in ("SELECT", "ASK"):
            fmt = choose_result_format(request.accept, request.format)
            if fmt is None:
                raise NotAcceptable(not_acceptable(form, request))
            if form == "ASK":
                body = b"".join(self._lines(prepared, request, _JSON, deadline, limit=None))
                result = _parse_results(body, ox.QueryResultsFormat.JSON)
                if not isinstance(result, ox.QueryBoolean):
                    raise BadGateway("Neptune answered an ASK query without a boolean")
                written = write_boolean(bool(result), fmt)
            else:
                lines = list(self._lines(prepared, request, _TSV, deadline, limit=self.limits.max_results + 1))
                solutions = _parse_results(b"".join(lines) if lines else b"\n", ox.QueryResultsFormat.TSV)
                if not isinstance(solutions, ox.QuerySolutions):
                    raise BadGateway("Neptune answered a SELECT query without solutions")
                variables = [v.value for v in solutions.variables]
                written = write_solutions(variables, solutions, fmt, self.limits.max_results, check)
        else:
            graph_fmt = choose_graph_format(request.accept, request.format)
            if graph_fmt is None:
                raise NotAcceptable(not_acceptable("CONSTRUCT/DESCRIBE", request))
            lines = list(self._lines(prepared, request, _N_TRIPLES, deadline, limit=self.limits.max_results + 1))
            written = _triples(b"".join(lines), graph_fmt, self.limits.max_results, check)
        elapsed = (time.perf_counter() - started) * 1000
        return SparqlAnswer(written.body, written.media_type, written.rows, written.truncated, elapsed)

    # ------------------------------------------------------------------------------------- HTTP

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than {self.limits.timeout_seconds:g} s; narrow it or add a LIMIT")

    def _signed(self, body: bytes, accept: str) -> dict[str, str]:
        credentials = self.credentials()
        if credentials is None:
            raise ServiceUnavailable("the SPARQL engine cannot be reached: the function has no AWS credentials")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": accept,
            "Host": httpx.URL(self.url).netloc.decode("ascii"),
        }
        return sign("POST", self.url, body, headers, credentials, self.region)

    def _lines(
        self, query: str, request: SparqlRequest, accept: str, deadline: float, limit: int | None
    ) -> Iterator[bytes]:
        """The answer's lines (header line not counted against ``limit``); stops reading after ``limit``."""
        form = [("query", query)]
        form += [("default-graph-uri", uri) for uri in request.default_graph_uris]
        form += [("named-graph-uri", uri) for uri in request.named_graph_uris]
        body = urlencode(form).encode("ascii")
        headers = self._signed(body, accept)
        remaining = max(0.001, deadline - time.perf_counter())
        timeout = httpx.Timeout(remaining, connect=min(remaining, 3.0))
        try:
            with self._client.stream("POST", self.url, content=body, headers=headers, timeout=timeout) as response:
                if response.status_code != HTTPStatus.OK:
                    raise _error_of(response.status_code, _read_some(response), self._timeout)
                header_seen = accept == _N_TRIPLES  # N-Triples has no header line
                kept = 0
                for line in _raw_lines(response):
                    if time.perf_counter() > deadline:
                        raise self._timeout()
                    yield line
                    if not header_seen:
                        header_seen = True
                        continue
                    if line.strip():
                        kept += 1
                    if limit is not None and kept >= limit:
                        return  # leaving the block closes the connection: the rest is never read
        except httpx.TimeoutException:
            raise self._timeout() from None
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"the SPARQL engine cannot be reached ({type(exc).__name__})") from None


def _raw_lines(response: httpx.Response) -> Iterator[bytes]:
    """Lines of the body, each with its ``\\n`` (TSV and N-Triples escape the newlines inside terms)."""
    pending = b""
    for chunk in response.iter_bytes():
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line + b"\n"
    if pending:
        yield pending + b"\n"


def _read_some(response: httpx.Response) -> bytes:
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= ERROR_BODY_BYTES:
            break
    return data[:ERROR_BODY_BYTES]


def _error_of(status: int, body: bytes, timeout: Callable[[], QueryTimeout]) -> DomainError:
    """The problem a client sees for one of Neptune's error answers."""
    code, message = "", ""
    try:
        parsed: Any = json.loads(body)
        if isinstance(parsed, dict):
            code = str(parsed.get("code") or "")
            message = str(parsed.get("detailedMessage") or parsed.get("message") or "")
    except ValueError:
        pass
    message = message[:2000]
    if code in _QUERY_CODES or (status == HTTPStatus.BAD_REQUEST and not code):
        detail = message or "Neptune refused the query"
        return InvalidInput(detail=f"query: {detail}", errors=[FieldError("query", f"not a valid query: {detail}")])
    if code in _TIMEOUT_CODES:
        return timeout()
    if code in _BUSY_CODES or status == HTTPStatus.TOO_MANY_REQUESTS:
        return EngineBusy("the SPARQL engine is busy or the query needs more memory than it allows; try again")
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        return ServiceUnavailable("the SPARQL engine is unavailable (Neptune answered 503); try again shortly")
    # Authentication and other errors are ours to fix, not the client's: the code only, never a signature.
    return BadGateway(f"the SPARQL engine answered {status}{f' ({code})' if code else ''}")


def _parse_results(body: bytes, fmt: ox.QueryResultsFormat) -> ox.QuerySolutions | ox.QueryBoolean:
    try:
        return ox.parse_query_results(body, fmt)
    except (SyntaxError, ValueError) as exc:
        raise BadGateway(f"the SPARQL engine answered results that cannot be read ({exc})") from None


def _triples(body: bytes, fmt: Any, limit: int, check: Callable[[], None]) -> Written:
    try:
        triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, ValueError) as exc:
        raise BadGateway(f"the SPARQL engine answered triples that cannot be read ({exc})") from None
    return write_triples(triples, fmt, limit, check)
