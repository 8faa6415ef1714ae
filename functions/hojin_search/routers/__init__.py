"""The routers of gBizINFO, in the order the resolver includes them (one line per feature)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.hojin_search.routers import hojin

# -- feature router imports (one line each)

ROUTERS: list[Router] = [
    hojin.router,
    # -- feature routers (one line each)
]
