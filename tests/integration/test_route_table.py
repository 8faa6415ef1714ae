"""The route table (used by CDK and the gateway) and the functions' resolvers declare the same routes,
and the committed OpenAPI documents are the ones the APIs serve."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from devstack.openapi import DOCS_DIR, render, served_document
from functions.route_table import SERVICES, Service, routes_of


def _resolver_routes(service: Service) -> set[tuple[str, str]]:
    app = importlib.import_module(f"functions.{service}.handler").app
    # powertools keeps its routes in these two lists; "<name>" is its spelling of "{name}".
    routes = [*app._static_routes, *app._dynamic_routes]
    return {(route.method, re.sub(r"<(\w+)>", r"{\1}", route.path)) for route in routes}


@pytest.mark.parametrize("service", SERVICES)
def test_the_resolver_answers_exactly_the_route_table(aws_platform: dict[str, Any], service: Service) -> None:
    declared = {(route.method, route.path) for route in routes_of(service)}

    assert _resolver_routes(service) == declared


@pytest.mark.parametrize("service", SERVICES)
def test_the_committed_openapi_document_is_the_served_one(aws_platform: dict[str, Any], service: Service) -> None:
    committed = (DOCS_DIR / f"{service}.json").read_text(encoding="utf-8")

    assert render(served_document(service)) == committed, "run `make openapi` and commit docs/openapi/"
