"""Browser sessions of the account pages, stored in the accounts table.

The cookie ``gbizid_session`` carries 256 random bits; the table keeps only their SHA-256
(``SESSION#<hash>`` / ``SESSION``), so a leaked table or backup signs nobody in. Items expire through the
table's TTL attribute ``expires_at``; reads check the time themselves, since TTL deletion lags (and moto
never deletes). Each session has its own CSRF token. A new session (new cookie value) is started at every
password check, so an identifier planted before the login is worthless after it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any, Final
from urllib.parse import urlsplit

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from functions.auth.dal import ProfileItem, get_store
from functions.auth.models import StaffRole
from functions.auth.settings import _is_local_host, get_settings
from functions.auth.web.request import Event, cookies, path_with_query
from platform_common import aws
from platform_common.errors import Forbidden

SESSION_COOKIE: Final = "gbizid_session"
SESSION_PREFIX: Final = "SESSION#"
SESSION_SK: Final = "SESSION"
SESSION_INDEX_PREFIX: Final = "SESSIONSUB#"  # gsi1pk: every session of one account (revocation)
SESSION_SECONDS: Final = 8 * 3600  # a signed-in session, from the password check
PENDING_SECONDS: Final = 10 * 60  # password passed, second factor still to come


class LoginRequired(Exception):  # a signal, answered with a redirect to the login page
    """No (fresh enough) session: the handler answers 303 to ``/account/login?return_to=…``."""

    def __init__(self, return_to: str) -> None:
        super().__init__("login required")
        self.return_to = return_to


@dataclass(frozen=True)
class BrowserSession:
    id_hash: str  # sha256 hex of the cookie value; the cookie value itself is never stored
    sub: str
    auth_time: int  # epoch seconds of the last password check
    amr: tuple[str, ...]  # RFC 8176: "pwd", then "otp" and "mfa" once a factor passed
    acr: str  # functions.auth.logic.assurance: urn:gbizid:acr:entry|member|prime
    csrf_token: str
    second_factor_pending: bool  # password passed, second factor still required
    expires_at: int

    def to_item(self) -> dict[str, dict[str, Any]]:
        return {
            "pk": {"S": SESSION_PREFIX + self.id_hash},
            "sk": {"S": SESSION_SK},
            "sub": {"S": self.sub},
            "auth_time": {"N": str(self.auth_time)},
            "amr": {"L": [{"S": value} for value in self.amr]},
            "acr": {"S": self.acr},
            "csrf_token": {"S": self.csrf_token},
            "second_factor_pending": {"BOOL": self.second_factor_pending},
            "expires_at": {"N": str(self.expires_at)},
            "gsi1pk": {"S": SESSION_INDEX_PREFIX + self.sub},
            "gsi1sk": {"S": SESSION_PREFIX + self.id_hash},
        }

    @classmethod
    def from_item(cls, item: dict[str, dict[str, Any]]) -> BrowserSession:
        return cls(
            id_hash=item["pk"]["S"].removeprefix(SESSION_PREFIX),
            sub=item["sub"]["S"],
            auth_time=int(item["auth_time"]["N"]),
            amr=tuple(value["S"] for value in item["amr"]["L"]),
            acr=item["acr"]["S"],
            csrf_token=item["csrf_token"]["S"],
            second_factor_pending=bool(item["second_factor_pending"]["BOOL"]),
            expires_at=int(item["expires_at"]["N"]),
        )


def _now() -> int:
    return int(time.time())


def hash_session_id(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _table() -> str:
    return get_settings().accounts_table_name


def cookies_secure() -> bool:
    """``Secure`` everywhere except a plain-http issuer on a local host (the devstack)."""
    issuer = get_settings().oidc_issuer
    if not issuer:
        return True  # derived issuers are always https
    parts = urlsplit(issuer)
    return not (parts.scheme == "http" and parts.hostname is not None and _is_local_host(parts.hostname))


def make_cookie(name: str, value: str, *, max_age: int, http_only: bool = True) -> Cookie:
    """A cookie with the platform's flags: ``HttpOnly; SameSite=Lax; Path=/`` and ``Secure`` but locally."""
    return Cookie(
        name=name,
        value=value,
        path="/",
        secure=cookies_secure(),
        http_only=http_only,
        max_age=max_age,
        same_site=SameSite.LAX_MODE,
    )


def _load(event: Event) -> BrowserSession | None:
    value = cookies(event).get(SESSION_COOKIE)
    if not value or len(value) > 128:
        return None
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": SESSION_PREFIX + hash_session_id(value)}, "sk": {"S": SESSION_SK}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    if item is None:
        return None
    session = BrowserSession.from_item(item)
    return session if session.expires_at > _now() else None


def current_session(event: Event) -> BrowserSession | None:
    """The caller's session when fully signed in (password and any required second factor)."""
    session = _load(event)
    return None if session is None or session.second_factor_pending else session


def pending_session(event: Event) -> BrowserSession | None:
    """The caller's session while the second factor is still to be given (the second-factor page)."""
    session = _load(event)
    return session if session is not None and session.second_factor_pending else None


def require_session(
    event: Event, *, fresh_seconds: int | None = None, roles: set[StaffRole] | None = None
) -> BrowserSession:
    """The signed-in session, or :class:`LoginRequired` (back to this page after the login).

    ``fresh_seconds``: the password must have been checked that recently (changing a password or a
    factor). ``roles``: the account must be staff with one of these roles, else :class:`Forbidden`.
    """
    session = current_session(event)
    return_to = path_with_query(event)
    if session is None:
        raise LoginRequired(return_to)
    if fresh_seconds is not None and _now() - session.auth_time > fresh_seconds:
        raise LoginRequired(return_to)
    if roles is not None:
        profile: ProfileItem | None = get_store().get_profile(session.sub)
        if profile is None or profile.role is None or profile.role not in roles:
            raise Forbidden(detail="this page is for platform staff with another role")
    return session


def start_session(
    sub: str, *, amr: tuple[str, ...] | list[str], acr: str, second_factor_pending: bool
) -> tuple[BrowserSession, Cookie]:
    """A new session with a new random identifier (never a caller-supplied one) and its cookie."""
    value = secrets.token_urlsafe(32)
    now = _now()
    lifetime = PENDING_SECONDS if second_factor_pending else SESSION_SECONDS
    session = BrowserSession(
        id_hash=hash_session_id(value),
        sub=sub,
        auth_time=now,
        amr=tuple(amr),
        acr=acr,
        csrf_token=secrets.token_urlsafe(32),
        second_factor_pending=second_factor_pending,
        expires_at=now + lifetime,
    )
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item=session.to_item(),
        ConditionExpression="attribute_not_exists(pk)",
    )
    return session, make_cookie(SESSION_COOKIE, value, max_age=lifetime)


def complete_second_factor(session: BrowserSession, method_amr: str) -> BrowserSession:
    """The pending session, now signed in: ``method_amr`` (e.g. ``otp``) and ``mfa`` join ``amr``.

    Only a session still pending is updated (a condition on the stored item), so a second factor cannot
    be replayed into a session that has ended or was already completed.
    """
    amr = tuple(dict.fromkeys((*session.amr, method_amr, "mfa")))
    completed = replace(
        session,
        amr=amr,
        second_factor_pending=False,
        expires_at=session.auth_time + SESSION_SECONDS,
    )
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item=completed.to_item(),
        ConditionExpression="attribute_exists(pk) AND second_factor_pending = :pending",
        ExpressionAttributeValues={":pending": {"BOOL": True}},
    )
    return completed


def delete_session(session: BrowserSession) -> None:
    aws.client("dynamodb").delete_item(
        TableName=_table(), Key={"pk": {"S": SESSION_PREFIX + session.id_hash}, "sk": {"S": SESSION_SK}}
    )


def delete_sessions_of(sub: str, *, keep_id_hash: str | None = None) -> int:
    """Delete every stored session of ``sub`` (signed in or pending) but ``keep_id_hash``; the count.

    The sessions are found through gsi1 (``SESSIONSUB#<sub>``); each old cookie then finds nothing."""
    dynamodb = aws.client("dynamodb")
    deleted = 0
    for page in dynamodb.get_paginator("query").paginate(
        TableName=_table(),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": SESSION_INDEX_PREFIX + sub}},
        ProjectionExpression="pk, sk",
    ):
        for item in page.get("Items", []):
            if keep_id_hash is not None and item["pk"]["S"] == SESSION_PREFIX + keep_id_hash:
                continue
            dynamodb.delete_item(TableName=_table(), Key={"pk": item["pk"], "sk": item["sk"]})
            deleted += 1
    return deleted


def end_session(event: Event) -> Cookie:
    """Delete the caller's stored session (signed in or pending) and return an expired cookie."""
    session = _load(event)
    if session is not None:
        delete_session(session)
    return make_cookie(SESSION_COOKIE, "", max_age=0)
