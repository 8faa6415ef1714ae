"""The read-only SPARQL engine: a pyoxigraph store of the open data, the full-text rewrite, limits.

Each query runs in its own worker thread (pyoxigraph releases the GIL while it evaluates): a query still running
at the deadline is answered with 503 ``query-timeout`` and is told to stop at its next solution. pyoxigraph has no
way to interrupt an evaluation that produces no solution (a large ORDER BY or aggregate), so such a query runs on
in the background: a few slots bound how many run at once, and a request finding every slot taken gets 503
``busy`` instead of waiting. In the cloud the function's own timeout ends a sandbox that stays busy.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Protocol

import pyarrow as pa  # type: ignore[import-untyped]
import pyoxigraph as ox

from functions.hojin_search import rdf
from functions.hojin_search.sparql.fulltext import NameIndex, rewrite_text_queries
from functions.hojin_search.sparql.results import (
    Written,
    choose_graph_format,
    choose_result_format,
    write_boolean,
    write_solutions,
    write_triples,
)
from platform_common.errors import DomainError, FieldError, InvalidInput

MAX_QUERY_CHARS = 100_000


class QueryTimeout(DomainError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    slug = "query-timeout"


class EngineBusy(DomainError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    slug = "busy"


class NotAcceptable(DomainError):
    status = HTTPStatus.NOT_ACCEPTABLE
    slug = "not-acceptable"


class _Cancelled(Exception):
    pass


@dataclass(frozen=True)
class SparqlLimits:
    timeout_seconds: float = 10.0
    max_results: int = 10_000
    concurrency: int = 2


@dataclass(frozen=True)
class SparqlRequest:
    """One request of the SPARQL 1.1 protocol, parsed."""

    query: str
    accept: str | None = None
    format: str | None = None
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()


@dataclass(frozen=True)
class SparqlAnswer:
    body: bytes
    content_type: str
    rows: int
    truncated: bool
    elapsed_ms: float


# Strings, IRIs and comments are blanked before looking for keywords, so "SERVICE" inside a literal is fine.
_LEXICAL_NOISE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*'
)
_FORBIDDEN = re.compile(r"\b(SERVICE|LOAD|INSERT|DELETE|CLEAR|DROP|CREATE|COPY|MOVE|ADD)\b", re.IGNORECASE)


def check_read_only(query: str) -> None:
    """Refuse updates and federated ``SERVICE`` calls (the endpoint never writes nor calls out)."""
    if not query.strip():
        raise InvalidInput.for_field("query", "the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput.for_field("query", f"the query is longer than {MAX_QUERY_CHARS} characters")
    found = _FORBIDDEN.search(_LEXICAL_NOISE.sub(" ", query))
    if found is None:
        return
    keyword = found.group(1).upper()
    if keyword == "SERVICE":
        raise InvalidInput.for_field("query", "federated SERVICE calls are not allowed on this endpoint")
    raise InvalidInput.for_field("query", f"the endpoint is read-only: {keyword} is an update")


class QueryEngine(Protocol):
    """What the endpoint needs of an engine: the embedded store (:class:`SparqlEngine`) or Amazon Neptune
    (:class:`functions.hojin_search.sparql.neptune.NeptuneEngine`), with the same limits and errors."""

    limits: SparqlLimits

    def execute(self, request: SparqlRequest) -> SparqlAnswer: ...


@dataclass
class SparqlEngine:
    store: ox.Store
    names: NameIndex | None = None
    limits: SparqlLimits = field(default_factory=SparqlLimits)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.limits.concurrency)

    # ------------------------------------------------------------------------------------- building

    @classmethod
    def from_tables(
        cls,
        corporations: pa.Table | None,
        activities: Mapping[str, pa.Table],
        limits: SparqlLimits | None = None,
    ) -> SparqlEngine:
        store = ox.Store()
        for chunk in rdf.nquads_of_tables(corporations, activities):
            if chunk:
                store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS)
        names = None
        if corporations is not None and corporations.num_rows:
            names = NameIndex(
                corporations.column("corporate_number").to_pylist(),
                corporations.column("name").to_pylist(),
            )
        return cls(store, names, limits or SparqlLimits())

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, object]], limits: SparqlLimits | None = None) -> SparqlEngine:
        corporations, activities = rdf.records_to_tables(records)
        return cls.from_tables(corporations if corporations.num_rows else None, activities, limits)

    # ------------------------------------------------------------------------------------- querying

    def prepare(self, query: str) -> str:
        """The query as pyoxigraph will run it: read-only checked, full-text triples rewritten."""
        check_read_only(query)
        return rewrite_text_queries(query, self.names)

    def execute(self, request: SparqlRequest) -> SparqlAnswer:
        started = time.perf_counter()
        prepared = self.prepare(request.query)
        if not self._slots.acquire(blocking=False):
            raise EngineBusy("too many SPARQL queries are running; try again shortly")
        cancel = threading.Event()
        deadline = started + self.limits.timeout_seconds
        future: Future[Written] = Future()

        def work() -> None:
            try:
                future.set_result(self._run(prepared, request, cancel, deadline))
            except BaseException as exc:
                traceback.clear_frames(exc.__traceback__)  # drop pyoxigraph objects here, on their own thread
                future.set_exception(exc)
            finally:
                self._slots.release()

        # A daemon thread: pyoxigraph cannot stop an evaluation from outside, so a query past its deadline is
        # left to finish (it holds one of the few slots until then) and never keeps the process from exiting.
        threading.Thread(target=work, name="sparql-query", daemon=True).start()
        try:
            written = future.result(timeout=max(0.0, deadline - time.perf_counter()))
        except FutureTimeout:
            cancel.set()
            raise QueryTimeout(
                f"the query ran longer than {self.limits.timeout_seconds:g} s; narrow it or add a LIMIT"
            ) from None
        except _Cancelled:
            raise QueryTimeout(f"the query ran longer than {self.limits.timeout_seconds:g} s") from None
        elapsed = (time.perf_counter() - started) * 1000
        return SparqlAnswer(written.body, written.media_type, written.rows, written.truncated, elapsed)

    def _run(self, query: str, request: SparqlRequest, cancel: threading.Event, deadline: float) -> Written:
        def check() -> None:
            if cancel.is_set() or time.perf_counter() > deadline:
                raise _Cancelled

        try:
            default_graphs, named_graphs = _dataset(request)
            result = self.store.query(
                query,
                use_default_graph_as_union=default_graphs is None,
                default_graph=default_graphs,
                named_graphs=named_graphs,
            )
        except SyntaxError as exc:
            raise InvalidInput(
                detail=f"query: {exc}", errors=[FieldError("query", f"not a SPARQL 1.1 query: {exc}")]
            ) from None
        except (OSError, ValueError) as exc:
            raise InvalidInput(detail=f"query: {exc}", errors=[FieldError("query", str(exc))]) from None
        try:
            if isinstance(result, ox.QuerySolutions):
                fmt = choose_result_format(request.accept, request.format)
                if fmt is None:
                    raise NotAcceptable(not_acceptable("SELECT", request))
                variables = [v.value for v in result.variables]
                return write_solutions(variables, result, fmt, self.limits.max_results, check)
            if isinstance(result, ox.QueryBoolean):
                fmt = choose_result_format(request.accept, request.format)
                if fmt is None:
                    raise NotAcceptable(not_acceptable("ASK", request))
                return write_boolean(bool(result), fmt)
            graph_fmt = choose_graph_format(request.accept, request.format)
            if graph_fmt is None:
                raise NotAcceptable(not_acceptable("CONSTRUCT/DESCRIBE", request))
            return write_triples(result, graph_fmt, self.limits.max_results, check)
        except (OSError, ValueError) as exc:  # evaluation errors (e.g. a failed cast) surface while iterating
            raise InvalidInput(detail=f"query: {exc}", errors=[FieldError("query", str(exc))]) from None
        finally:
            # pyoxigraph's results must be dropped on the thread that made them, not with a traceback elsewhere
            del result


def not_acceptable(kind: str, request: SparqlRequest) -> str:
    asked = request.format or request.accept or ""
    return f"{kind} results cannot be given as {asked!r}"


def _dataset(
    request: SparqlRequest,
) -> tuple[list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None, list[ox.NamedNode | ox.BlankNode] | None]:
    """Protocol dataset parameters; without a default-graph-uri the default graph is the union of all graphs."""
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
    named: list[ox.NamedNode | ox.BlankNode] | None = None
    if request.default_graph_uris:
        default = [ox.NamedNode(check_iri(u, "default-graph-uri")) for u in request.default_graph_uris]
    if request.named_graph_uris:
        named = [ox.NamedNode(check_iri(u, "named-graph-uri")) for u in request.named_graph_uris]
    return default, named


def check_iri(value: str, item: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
        raise InvalidInput.for_field(item, f"not an IRI: {value!r}")
    return value
