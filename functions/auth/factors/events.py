"""What the second factors tell others: audit entries, notifications, and the codes themselves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from functions.auth.audit import record_event
from functions.auth.notify import notify_email, notify_sms


def audit(
    kind: str,
    outcome: Literal["success", "failure"],
    sub: str,
    detail: Mapping[str, str] | None = None,
    *,
    source_ip: str | None = None,
    user_agent: str | None = None,
) -> None:
    record_event(
        kind,
        outcome=outcome,
        actor_sub=sub,
        subject_sub=sub,
        source_ip=source_ip,
        user_agent=user_agent,
        detail=detail,
    )


def send_code(channel: str, destination: str, lang: str, code: str) -> None:
    """Deliver a one-time code: ``email_otp`` by mail or ``sms_otp`` by SMS."""
    if channel == "sms":
        notify_sms(destination, "sms_otp", lang, code=code)
    else:
        notify_email(destination, "email_otp", lang, code=code)


def notify_factor_change(
    email: str, template: Literal["factor_added", "factor_removed"], lang: str, label: str
) -> None:
    notify_email(email, template, lang, factor=label)
