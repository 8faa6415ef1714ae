"""EventBridge's scheduled events: a function invoked by a rule rather than by a request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

SCHEDULED_SOURCE: Final = "aws.events"
SCHEDULED_DETAIL_TYPE: Final = "Scheduled Event"


def is_scheduled_event(event: Mapping[str, Any]) -> bool:
    return event.get("source") == SCHEDULED_SOURCE and event.get("detail-type") == SCHEDULED_DETAIL_TYPE
