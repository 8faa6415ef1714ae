"""Logger, Tracer and Metrics, created once per service.

All four services share one process in the devstack, so each gets its own named instances rather than
relying on ``POWERTOOLS_SERVICE_NAME``. Log messages are fixed strings with the data in fields; never log
secrets, passwords, tokens or full personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

# The namespace of the platform's own metrics (infra/constructs/service_function.py sets the same one for
# powertools; the stacks' alarms read the custom metrics there).
METRICS_NAMESPACE: Final = "CorporatePlatform"


@dataclass(frozen=True)
class Observability:
    logger: Logger
    tracer: Tracer
    metrics: Metrics


@cache
def observability_for(service: str) -> Observability:
    return Observability(
        logger=Logger(service=service),
        tracer=Tracer(service=service),
        metrics=Metrics(service=service),
    )


def emit_metric(name: str, value: float = 1, *, service: str, scope: str, unit: MetricUnit = MetricUnit.Count) -> None:
    """Publish one custom metric now (an EMF log line, outside any handler's batch) with the two dimensions the
    stack's alarm watches: ``service`` and ``scope`` (the ministry, or ``identity``). A metric must be declared
    in its FunctionSpec's ``publishes`` to be alarmed on (infra/constructs/monitoring.py)."""
    with single_metric(name=name, unit=unit, value=value, namespace=METRICS_NAMESPACE) as metric:
        metric.add_dimension("service", service)
        metric.add_dimension("scope", scope)
