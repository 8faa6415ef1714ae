"""gBizID's audit trail: every account event and login, in the accounts table (``platform_common.audit``).

The hash chain, its Object Lock archive and its verification live in the shared layer so that every service
audits the same way; this module binds them to gBizID's table and ``audit-archive`` bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final

from functions.auth.settings import get_settings
from platform_common.audit import (
    ARCHIVE_PREFIX,
    AUDIT_PK,
    BREAK_EXPLANATIONS,
    ENTRY_PREFIX,
    GENESIS_HASH,
    HEAD_SK,
    RETENTION_DAYS,
    RETENTION_MODE,
    SUB_INDEX_PREFIX,
    AuditEntry,
    AuditLog,
    AuditUnavailable,
    ChainVerification,
    Outcome,
    archive_key,
    canonical_json,
    mask_personal_data,
    request_origin,
    sanitize_detail,
)

__all__ = [
    "ARCHIVE_PREFIX",
    "AUDIT_PK",
    "BREAK_EXPLANATIONS",
    "ENTRY_PREFIX",
    "GENESIS_HASH",
    "HEAD_SK",
    "LOGIN_KINDS",
    "RETENTION_DAYS",
    "RETENTION_MODE",
    "SUB_INDEX_PREFIX",
    "AuditEntry",
    "AuditLog",
    "AuditUnavailable",
    "ChainVerification",
    "archive_key",
    "audit_log",
    "canonical_json",
    "find_entries",
    "head_seq",
    "mask_personal_data",
    "recent_logins",
    "record_event",
    "request_origin",
    "sanitize_detail",
    "verify_chain",
]

LOGIN_KINDS: Final = ("login.succeeded", "login.failed", "login.locked", "login.second_factor_failed")


def audit_log() -> AuditLog:
    settings = get_settings()
    return AuditLog(settings.accounts_table_name, settings.audit_bucket_name)


def record_event(
    kind: str,
    *,
    outcome: Outcome,
    actor_sub: str | None,
    subject_sub: str | None = None,
    corporate_number: str | None = None,
    source_ip: str | None = None,
    user_agent: str | None = None,
    detail: Mapping[str, str] | None = None,
) -> AuditEntry:
    """Append one event to gBizID's chain: see :meth:`platform_common.audit.AuditLog.record_event`."""
    return audit_log().record_event(
        kind,
        outcome=outcome,
        actor_sub=actor_sub,
        subject_sub=subject_sub,
        corporate_number=corporate_number,
        source_ip=source_ip,
        user_agent=user_agent,
        detail=detail,
    )


def find_entries(
    *,
    sub: str | None = None,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    return audit_log().find_entries(sub=sub, kinds=kinds, since=since, until=until, limit=limit)


def recent_logins(sub: str, limit: int = 20) -> list[AuditEntry]:
    """The account's own recent logins, successful and failed, newest first."""
    return find_entries(sub=sub, kinds=LOGIN_KINDS, limit=limit)


def head_seq() -> int:
    return audit_log().head_seq()


def verify_chain(from_seq: int = 1, to_seq: int | None = None) -> ChainVerification:
    return audit_log().verify_chain(from_seq, to_seq)
