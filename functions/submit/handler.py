"""Lambda entry point of jGrants: decorators around the resolver, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.submit.review.workflow import is_review_step, run_step
from functions.submit.routers import (
    applications,
    operator_catalog,
    operator_staff,
    portal_applications,
    portal_catalogue,
    portal_operator,
    portal_review,
    portal_saved_searches,
    review,
    saved_searches,
    subsidies,
)
from functions.submit.schedule import is_scheduled_event, run_scheduled_jobs
from functions.submit.settings import SERVICE, get_settings
from platform_common.api import Answers, build_resolver
from platform_common.correlation import correlated
from platform_common.observability import observability_for

get_settings()  # fail the cold start on a missing or malformed variable
obs = observability_for(SERVICE)

app = build_resolver(
    SERVICE,
    title="jGrants API",
    description="A ministry's subsidy catalogue, compatible with the jGrants public API v1.",
    routers=[
        subsidies.router,
        applications.router,
        operator_catalog.router,
        operator_staff.router,
        saved_searches.router,
        review.router,
        portal_catalogue.router,
        portal_applications.router,
        portal_saved_searches.router,
        portal_review.router,
        portal_operator.router,
    ],
    answers=(Answers("/submit/v1/", problems=(401, 403, 404, 409, 412)),),
)


@obs.logger.inject_lambda_context
@correlated(obs.logger)  # X-Correlation-Id in, in every log line, out and onwards
@obs.tracer.capture_lambda_handler
@obs.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_review_step(event):  # a step of the review state machine (a Lambda task)
        return run_step(event)
    if is_scheduled_event(event):  # the ministry's hourly EventBridge rule, not an HTTP request
        return run_scheduled_jobs(datetime.now(UTC))
    return app.resolve(event, context)
