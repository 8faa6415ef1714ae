"""Logger, Tracer and Metrics, created once per service.

All four services share one process in the devstack, so each gets its own named instances rather than
relying on ``POWERTOOLS_SERVICE_NAME``. Log messages are fixed strings with the data in fields; never log
secrets, passwords, tokens or full personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer


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
