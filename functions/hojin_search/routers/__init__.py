"""The routers of gBizINFO, in the order the resolver includes them (one line per feature)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

# -- feature router imports (one line each)
from functions.hojin_search.routers import bulk, hojin, pages, sparql, token_page
from functions.hojin_search.routers import rest as rest_routers  # REST search, updateInfo, suggest, parts, tokens

ROUTERS: list[Router] = [
    hojin.router,
    # -- feature routers (one line each)
    bulk.router,
    sparql.router,
    pages.router,
    token_page.router,
    *rest_routers.REST_ROUTERS,
]
