"""The REST API's routers (search, updateInfo and suggest; parts of a record; API tokens), included together."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.hojin_search.routers import parts, search, tokens

REST_ROUTERS: tuple[Router, ...] = (search.router, parts.router, tokens.router)
