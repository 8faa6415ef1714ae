"""Lambda entry point of a ministry's EBPM export, a function of its own.

The export needs pyarrow, which does not fit the API function's zip package: this entry point runs in a
container image (infra/lambda_data_requirements.txt) on the same hourly EventBridge rule as the API
function's scheduled run (functions/submit/schedule.py). Any invocation writes a fresh snapshot, so an
operator may also invoke it by hand after a correction.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.submit.ebpm import export_applications
from functions.submit.settings import SERVICE, get_settings
from platform_common.observability import observability_for

get_settings()  # fail the cold start on a missing or malformed variable
obs = observability_for(SERVICE)


def export_ebpm() -> dict[str, Any]:
    settings = get_settings()
    if not settings.analytics_bucket_name:
        return {"skipped": "no analytics bucket"}
    report = export_applications(
        settings.ministry, settings.applications_table_name, settings.hojin_table_name, settings.analytics_bucket_name
    )
    return report.to_json()


@obs.logger.inject_lambda_context
@obs.tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = {"ebpm": export_ebpm()}
    obs.logger.info("ebpm export", extra={"report": report})
    return report
