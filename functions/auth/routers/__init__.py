"""The routers of gBizID, in the order the resolver includes them (one line per feature)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth.routers import discovery

# -- feature router imports (one line each)

ROUTERS: list[Router] = [
    discovery.router,
    # -- feature routers (one line each)
]
