"""Browser sessions of a relying party's pages (and their pending sign-ins), kept in a DynamoDB table.

A cookie carries 256 random bits; the table keeps only their SHA-256 (``SESSION#<hash>``, ``LOGIN#<hash>``),
so a leaked table or backup signs nobody in. Items expire through the table's TTL attribute ``expires_at``;
reads check the time themselves, since TTL deletion lags. A pending sign-in is taken by a conditional delete,
so a callback is accepted once. Each session has its own CSRF token for the page's POST forms.

Cookies are ``HttpOnly; SameSite=Lax`` (the OP's redirect back is a top-level GET, which Lax lets through),
scoped to the pages' path, and ``Secure`` except on a plain-http local host (the devstack).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any, Final
from urllib.parse import urlsplit

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from platform_common import aws
from platform_common.errors import Forbidden

SESSION_SECONDS: Final = 8 * 3600
LOGIN_SECONDS: Final = 10 * 60
MAX_COOKIE_VALUE: Final = 128
CSRF_FIELD: Final = "csrf_token"
_SESSION: Final = "SESSION#"
_LOGIN: Final = "LOGIN#"
_LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})


def hash_cookie_value(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def secure_cookies_for(public_url: str) -> bool:
    """``Secure`` everywhere except a plain-http page on a local host (the devstack)."""
    parts = urlsplit(public_url)
    return not (parts.scheme == "http" and (parts.hostname or "") in _LOCAL_HOSTS)


def request_cookies(event: Mapping[str, Any]) -> dict[str, str]:
    """The cookies of an API Gateway proxy event; several ``Cookie`` headers are merged, bad ones ignored."""
    lines: list[str] = []
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == "cookie":
            lines.extend(str(value) for value in values or ())
    if not lines:
        lines = [str(value) for key, value in (event.get("headers") or {}).items() if key.lower() == "cookie"]
    found: dict[str, str] = {}
    for line in lines:
        for part in line.split(";"):
            name, sep, value = part.strip().partition("=")
            if not sep or not name:
                continue
            try:
                parsed: SimpleCookie = SimpleCookie()
                parsed.load(f"{name}={value}")
            except CookieError:
                continue
            if name in parsed:
                found.setdefault(name, parsed[name].value)
    return found


@dataclass(frozen=True)
class CookieNames:
    """The cookies of one set of pages: names unique on the host, and the path they are sent to."""

    session: str
    login: str
    path: str
    secure: bool

    def make(self, name: str, value: str, *, max_age: int) -> Cookie:
        return Cookie(
            name=name,
            value=value,
            path=self.path,
            secure=self.secure,
            http_only=True,
            max_age=max_age,
            same_site=SameSite.LAX_MODE,
        )

    def expired(self, name: str) -> Cookie:
        return self.make(name, "", max_age=0)


@dataclass(frozen=True)
class PendingLogin:
    """What the callback must find again: the state, nonce and PKCE verifier sent with the authorization."""

    state: str
    nonce: str
    code_verifier: str
    return_to: str
    expires_at: int


@dataclass(frozen=True)
class WebSession:
    id_hash: str
    sub: str
    csrf_token: str
    expires_at: int
    # what the relying party learnt at sign-in (e.g. userinfo claims), refreshed by each sign-in
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def verify_csrf(self, form: Mapping[str, str]) -> None:
        """Refuse (403) a form without this session's CSRF token."""
        sent = form.get(CSRF_FIELD, "")
        if not sent or not hmac.compare_digest(sent.encode("utf-8"), self.csrf_token.encode("utf-8")):
            raise Forbidden("the form's CSRF token is missing or does not match the session: reload the page")


class BrowserSessions:
    """Sessions and pending sign-ins of one set of pages, in ``table_name`` (partition key ``pk``)."""

    def __init__(self, table_name: str, cookies: CookieNames, clock: Callable[[], float] = time.time) -> None:
        self.table_name, self.cookies, self.clock = table_name, cookies, clock

    def _now(self) -> int:
        return int(self.clock())

    @staticmethod
    def _cookie_value(event: Mapping[str, Any], name: str) -> str | None:
        value = request_cookies(event).get(name)
        return value if value and len(value) <= MAX_COOKIE_VALUE else None

    # -- pending sign-ins

    def begin_login(self, *, state: str, nonce: str, code_verifier: str, return_to: str) -> Cookie:
        """Store a pending sign-in under a new cookie value; the cookie binds the callback to this browser."""
        value = secrets.token_urlsafe(32)
        expires_at = self._now() + LOGIN_SECONDS
        aws.client("dynamodb").put_item(
            TableName=self.table_name,
            Item={
                "pk": {"S": _LOGIN + hash_cookie_value(value)},
                "state": {"S": state},
                "nonce": {"S": nonce},
                "code_verifier": {"S": code_verifier},
                "return_to": {"S": return_to},
                "expires_at": {"N": str(expires_at)},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        return self.cookies.make(self.cookies.login, value, max_age=LOGIN_SECONDS)

    def take_login(self, event: Mapping[str, Any]) -> PendingLogin | None:
        """The browser's pending sign-in, deleted as it is read (one use); ``None`` if absent or expired."""
        value = self._cookie_value(event, self.cookies.login)
        if value is None:
            return None
        item = (
            aws.client("dynamodb")
            .delete_item(
                TableName=self.table_name,
                Key={"pk": {"S": _LOGIN + hash_cookie_value(value)}},
                ReturnValues="ALL_OLD",
            )
            .get("Attributes")
        )
        if not item or int(item["expires_at"]["N"]) <= self._now():
            return None
        return PendingLogin(
            state=item["state"]["S"],
            nonce=item["nonce"]["S"],
            code_verifier=item["code_verifier"]["S"],
            return_to=item["return_to"]["S"],
            expires_at=int(item["expires_at"]["N"]),
        )

    # -- sessions

    def start(self, sub: str, claims: Mapping[str, Any] | None = None) -> tuple[WebSession, Cookie]:
        """A new session with a new random identifier (never one the browser brought) and its cookie;
        ``claims`` (JSON) are kept with it for the session's pages."""
        value = secrets.token_urlsafe(32)
        session = WebSession(
            id_hash=hash_cookie_value(value),
            sub=sub,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=self._now() + SESSION_SECONDS,
            claims=dict(claims or {}),
        )
        item = {
            "pk": {"S": _SESSION + session.id_hash},
            "sub": {"S": sub},
            "csrf_token": {"S": session.csrf_token},
            "expires_at": {"N": str(session.expires_at)},
        }
        if claims:
            item["claims"] = {"S": json.dumps(dict(claims), ensure_ascii=False, separators=(",", ":"))}
        aws.client("dynamodb").put_item(
            TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(pk)"
        )
        return session, self.cookies.make(self.cookies.session, value, max_age=SESSION_SECONDS)

    def current(self, event: Mapping[str, Any]) -> WebSession | None:
        value = self._cookie_value(event, self.cookies.session)
        if value is None:
            return None
        id_hash = hash_cookie_value(value)
        item = (
            aws.client("dynamodb")
            .get_item(TableName=self.table_name, Key={"pk": {"S": _SESSION + id_hash}}, ConsistentRead=True)
            .get("Item")
        )
        if item is None or int(item["expires_at"]["N"]) <= self._now():
            return None
        claims = json.loads(item["claims"]["S"]) if "claims" in item else {}
        return WebSession(
            id_hash=id_hash,
            sub=item["sub"]["S"],
            csrf_token=item["csrf_token"]["S"],
            expires_at=int(item["expires_at"]["N"]),
            claims=claims if isinstance(claims, dict) else {},
        )

    def end(self, session: WebSession) -> Cookie:
        """Delete the stored session; the expired cookie to send back."""
        aws.client("dynamodb").delete_item(TableName=self.table_name, Key={"pk": {"S": _SESSION + session.id_hash}})
        return self.cookies.expired(self.cookies.session)
