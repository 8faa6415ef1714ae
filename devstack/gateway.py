"""One HTTP gateway for the four APIs and the portal (a WSGI application).

A request that matches the route table becomes an API Gateway proxy event for the owning function;
any other GET is looked up in ``portal/``; everything else is a 404 problem+json.
"""

from __future__ import annotations

import json
import logging
import mimetypes
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
from functions.route_table import SERVICES, match_route
from platform_common.errors import PROBLEM_CONTENT_TYPE, problem_body

ACCESS_LOG = logging.getLogger("devstack.gateway")
PORTAL_DIR = Path(__file__).resolve().parent.parent / "portal"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


class Gateway:
    def __init__(self, portal_dir: Path = PORTAL_DIR) -> None:
        self.portal_dir = portal_dir.resolve()
        # Functions run side by side in this process: each request thread gets its own powertools event.
        isolate_request_threads()
        # One request at a time per function, as one Lambda execution environment serves them (module-level
        # caches and clients of a function are not shared between its concurrent requests in Lambda either).
        self._locks = {service: threading.Lock() for service in SERVICES}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
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
            if (request.content_length or 0) > MAX_BODY_BYTES:
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
                request.get_data(),
                source_ip=request.remote_addr or "127.0.0.1",
            )
            with self._locks[match.route.service]:
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
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _problem(status: HTTPStatus, slug: str, detail: str, path: str) -> Response:
    body = json.dumps(problem_body(status, slug, detail, instance=path), ensure_ascii=False)
    return Response(body, status=int(status), content_type=PROBLEM_CONTENT_TYPE)
