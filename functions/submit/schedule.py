"""The ministry's scheduled run (an EventBridge rule invokes the submit function every hour): finish what a
request could not (pending audit events, unsent mail), tell users of new subsidies, count the reviews past their
due time (the ministry's ReviewsOverdue metric, alarmed on by its stack). The same rule invokes the
EBPM export, a function of its own (``functions/submit/ebpm_handler.py``: pyarrow needs a container image).

Each job runs on its own: one failing does not keep the others from running, and the run's report says
which failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, Final

from functions.submit.dal import get_store
from functions.submit.outbox import retry_outbox
from functions.submit.pending_audit import flush_pending
from functions.submit.review.assignment import overdue_assignments
from functions.submit.saved_searches import MatchReport, SavedSearchStore, notify_new_matches
from functions.submit.settings import get_settings
from functions.submit.staff import get_registry
from platform_common.audit import AuditLog
from platform_common.observability import emit_metric, observability_for
from platform_common.scheduled import is_scheduled_event

__all__ = ["is_scheduled_event", "run_scheduled_jobs"]

DETAIL_PATH: Final = "/exp/v1/public/subsidies/id/"

_logger = observability_for("submit").logger


@cache
def audit_log() -> AuditLog:
    settings = get_settings()
    return AuditLog(settings.applications_table_name, settings.audit_bucket_name)


@cache
def saved_search_store() -> SavedSearchStore:
    return SavedSearchStore(get_settings().applications_table_name)


def match_saved_searches(now: datetime) -> MatchReport:
    settings = get_settings()
    return notify_new_matches(
        now,
        store=saved_search_store(),
        catalogue=get_store(),
        sender=settings.mail_from,
        detail_url=(settings.public_base_url.rstrip("/") + DETAIL_PATH) if settings.public_base_url else "id: ",
    )


def _flush_audit(now: datetime) -> dict[str, Any]:
    return {"appended": flush_pending(audit_log(), get_settings().applications_table_name)}


def _review_backlog(now: datetime) -> dict[str, Any]:
    """Reviews past their due time, published as the ministry's ``ReviewsOverdue`` metric (its stack alarms on it)."""
    settings = get_settings()
    reviewers = get_registry().list_staff("reviewer")
    overdue = sum(overdue_assignments(settings.applications_table_name, member.sub, now) for member in reviewers)
    emit_metric("ReviewsOverdue", overdue, service="submit", scope=settings.ministry)
    return {"overdue": overdue}


def _retry_mail(now: datetime) -> dict[str, Any]:
    settings = get_settings()
    sent, waiting = retry_outbox(settings.applications_table_name, settings.mail_from)
    return {"sent": sent, "waiting": waiting}


# In this order: audit events and unsent mail first, so a failure later in the run leaves nothing behind.
JOBS: Final[tuple[tuple[str, Callable[[datetime], dict[str, Any]]], ...]] = (
    ("audit", _flush_audit),
    ("outbox", _retry_mail),
    ("saved_searches", lambda now: match_saved_searches(now).to_json()),
    ("review_backlog", _review_backlog),
)


def run_scheduled_jobs(now: datetime) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, job in JOBS:
        try:
            report[name] = job(now)
        except Exception:  # one job's failure must not stop the others; the log has the traceback
            _logger.exception("scheduled job failed", extra={"job": name})
            report[name] = {"failed": True}
    _logger.info("scheduled run", extra={"report": report})
    return report
