"""Lambda entry point of gBizINFO: decorators around the resolver, nothing else."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.hojin_search.routers import ROUTERS
from functions.hojin_search.settings import SERVICE, get_settings
from platform_common.api import Answers, build_resolver
from platform_common.correlation import correlated
from platform_common.observability import observability_for

get_settings()  # fail the cold start on a missing or malformed variable
obs = observability_for(SERVICE)

app = build_resolver(
    SERVICE,
    title="gBizINFO API",
    description="Corporate open data by corporate number, compatible with gBizINFO REST API v2.",
    routers=ROUTERS,
    answers=(
        Answers("/hojin/v1/hojin", problems=(401, 429)),
        Answers("/hojin/v2/hojin", problems=(401, 429)),
        Answers("/hojin/v2/tokens", problems=(401, 403)),
        Answers("/hojin/sparql", problems=(406, 429, 502)),  # 406: no format to answer in; 502: Neptune's fault
        Answers("/hojin/sparql/query", html=True),
    ),
)


@obs.logger.inject_lambda_context
@correlated(obs.logger)  # X-Correlation-Id in, in every log line, out and onwards
@obs.tracer.capture_lambda_handler
@obs.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
