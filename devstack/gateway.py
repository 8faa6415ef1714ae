"""One HTTP gateway for the four APIs and the portal (a WSGI application).

A request that matches the route table becomes an API Gateway proxy event for the owning function;
any other GET is looked up in ``portal/``; everything else is a 404 problem+json. moto's process hands its
Lambda invokes in on ``/__devstack/invoke/{function}`` (:mod:`devstack.moto_process`), with the run's secret.
Requests wait until the platform is provisioned (:attr:`Gateway.ready`); moto's invokes do not (seeding
starts some).
"""

from __future__ import annotations

import hmac
import json
import logging
import mimetypes
import os
import threading
import time
from collections.abc import Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response

from devstack.events import build_proxy_event, invoke, response_body, response_headers
from devstack.isolation import isolate_request_threads
from devstack.lambda_runtime import is_registered, run_in_process
from devstack.moto_process import FUNCTION_ERROR_HEADER, INVOKE_PATH, INVOKE_SECRET_HEADER
from functions.route_table import SERVICES, match_route
from platform_common.errors import PROBLEM_CONTENT_TYPE, problem_body
from platform_common.security_headers import security_headers_for

ACCESS_LOG = logging.getLogger("devstack.gateway")
PORTAL_DIR = Path(__file__).resolve().parent.parent / "portal"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
FUNCTION_CONCURRENCY = int(os.environ.get("DEVSTACK_FUNCTION_CONCURRENCY", "4"))


class Gateway:
    def __init__(
        self, portal_dir: Path = PORTAL_DIR, invoke_secret: str | None = None, provisioned: bool = True
    ) -> None:
        self.portal_dir = portal_dir.resolve()
        self.invoke_secret = invoke_secret
        self.ready = threading.Event()  # set once the platform is provisioned and seeded
        if provisioned:
            self.ready.set()
        # Functions run side by side in this process: each request thread gets its own powertools event.
        isolate_request_threads()
        # A few requests of a function at a time, as Lambda runs several execution environments: one at a time
        # left the submit function idle while it waited for moto (the other process) in the deadline drill.
        self._environments = {service: threading.BoundedSemaphore(FUNCTION_CONCURRENCY) for service in SERVICES}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(INVOKE_PATH):
            return self.invoke_function(request)(environ, start_response)
        self.ready.wait()
        started = time.perf_counter()
        response = self.dispatch(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        # The path only: query strings may carry codes or tokens.
        ACCESS_LOG.info("%s %s %d %.1fms", request.method, request.path, response.status_code, elapsed_ms)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        match = match_route(request.method, path)
        if match is not None:
            # A chunked body declares no length: read one byte past the limit rather than trust the header.
            body = b"" if (request.content_length or 0) > MAX_BODY_BYTES else request.stream.read(MAX_BODY_BYTES + 1)
            if (request.content_length or 0) > MAX_BODY_BYTES or len(body) > MAX_BODY_BYTES:
                return _problem(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload-too-large", "the body exceeds 10 MB", path
                )
            query = parse_qs(request.query_string.decode("latin-1"), keep_blank_values=True)
            event = build_proxy_event(
                match,
                request.method,
                path,
                list(request.headers.items()),
                query,
                body,
                source_ip=request.remote_addr or "127.0.0.1",
            )
            with self._environments[match.route.service]:
                result = invoke(match.route.service, event)
            return Response(
                response_body(result),
                status=int(result.get("statusCode", 502)),
                headers=response_headers(result),
            )
        if request.method in ("GET", "HEAD"):
            static = self.portal_file(path)
            if static is not None:
                return _file_response(static)
        return _problem(HTTPStatus.NOT_FOUND, "no-such-route", f"no route for {request.method} {path}", path)

    def invoke_function(self, request: Request) -> Response:
        """A Lambda invoke from moto's process: the registered function's answer, as moto's Invoke gives it."""
        name = request.path.removeprefix(INVOKE_PATH)
        given = request.headers.get(INVOKE_SECRET_HEADER, "")
        if request.method != "POST" or not self.invoke_secret or not hmac.compare_digest(given, self.invoke_secret):
            return _problem(HTTPStatus.FORBIDDEN, "forbidden", "invokes come from the devstack's moto only", "")
        if not is_registered(name):
            return _problem(HTTPStatus.NOT_FOUND, "no-such-function", f"no function {name}", request.path)
        payload, failed = run_in_process(name, request.get_data())
        response = Response(payload, status=200, content_type="application/json")
        if failed:
            response.headers[FUNCTION_ERROR_HEADER] = "Unhandled"
        return response

    def portal_file(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        candidate = (self.portal_dir / relative).resolve()
        if not candidate.is_relative_to(self.portal_dir):  # no escaping the portal folder with ../
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None


def _file_response(file: Path) -> Response:
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
        content_type += "; charset=utf-8"
    response = Response(file.read_bytes(), status=200, content_type=content_type)
    response.headers["Cache-Control"] = "no-cache"
    response.headers.update(security_headers_for(content_type))  # the portal's pages, as the functions' pages
    return response


def _problem(status: HTTPStatus, slug: str, detail: str, path: str) -> Response:
    body = json.dumps(problem_body(status, slug, detail, instance=path), ensure_ascii=False)
    response = Response(body, status=int(status), content_type=PROBLEM_CONTENT_TYPE)
    response.headers.update(security_headers_for(PROBLEM_CONTENT_TYPE))
    return response
