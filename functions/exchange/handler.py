"""Lambda entry point of the data exchange: decorators around the resolver, nothing else."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.exchange.routers import administration, calls, metadata, portal_pages, portal_registry
from functions.exchange.settings import SERVICE, get_settings
from platform_common.api import Answers, build_resolver
from platform_common.correlation import correlated
from platform_common.observability import observability_for

get_settings()  # fail the cold start on a missing or malformed variable
obs = observability_for(SERVICE)

app = build_resolver(
    SERVICE,
    title="Data exchange API",
    description="X-Road style REST gateway between members (protocol r1): signed service calls, metadata services.",
    routers=[metadata.router, administration.router, portal_pages.router, portal_registry.router, calls.router],
    answers=(Answers("/exchange/v1/", problems=(401, 403, 404, 409)), Answers("/r1/", problems=(401, 403, 404))),
)


@obs.logger.inject_lambda_context
@correlated(obs.logger)  # X-Correlation-Id in, in every log line, out and onwards
@obs.tracer.capture_lambda_handler
@obs.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
