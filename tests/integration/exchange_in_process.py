"""jGrants' data exchange client routed to the exchange function in process (the devstack sends it over HTTP).

The demo exchange is seeded (members, services, jGrants' client subsystem and rights; its private key in the
ministry's ``exchange-client`` secret, as an operator puts it in the cloud) and jGrants' HTTP client reaches
the exchange's ``/r1`` routes through the same event conversion the gateway uses: the exchange signs, logs and
answers exactly as over the network.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx

EXCHANGE_URL = "https://exchange.devstack.test"


def exchange_transport() -> httpx.MockTransport:
    from devstack.events import build_proxy_event, invoke, response_body, response_headers
    from functions.route_table import match_route

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        match = match_route(request.method, path)
        assert match is not None, f"no route for {request.method} {path}"
        headers = [("Host", request.url.host), *((k, v) for k, v in request.headers.items() if k != "content-length")]
        query = parse_qs(request.url.query.decode("ascii"), keep_blank_values=True)
        event = build_proxy_event(match, request.method, path, headers, query, request.content)
        result = invoke(match.route.service, event)
        return httpx.Response(
            int(result["statusCode"]), headers=list(response_headers(result)), content=response_body(result)
        )

    return httpx.MockTransport(handle)


@contextlib.contextmanager
def exchange_for_jgrants(aws_platform: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Seed the demo exchange and point jGrants at it; undone afterwards. Yields what ``seed_exchange`` returns."""
    from devstack.seed_exchange import seed_exchange
    from functions.submit import exchange_client
    from functions.submit.settings import get_settings

    seeded = seed_exchange(aws_platform)
    os.environ["EXCHANGE_URL"] = EXCHANGE_URL
    get_settings.cache_clear()
    exchange_client.forget_credentials()  # the seed made a new key
    exchange_client.use_transport(exchange_transport())
    try:
        yield seeded
    finally:
        exchange_client.use_transport(None)
        exchange_client.forget_credentials()
        os.environ.pop("EXCHANGE_URL", None)
        get_settings.cache_clear()
