"""What the pages read from an API Gateway proxy event: cookies, the path, the client.

Every helper takes the powertools event (``router.current_event``) or the raw event dictionary.
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlencode

Event = Any  # a powertools proxy event (with ``raw_event``) or the raw event dictionary


def raw_event(event: Event) -> Mapping[str, Any]:
    raw = getattr(event, "raw_event", event)
    return raw if isinstance(raw, Mapping) else {}


def header(event: Event, name: str) -> str | None:
    """A request header, case-insensitively (the last value when repeated)."""
    wanted = name.lower()
    raw = raw_event(event)
    found: str | None = None
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        if key.lower() == wanted and values:
            found = str(values[-1])
    if found is None:
        for key, value in (raw.get("headers") or {}).items():
            if key.lower() == wanted:
                found = str(value)
    return found


def cookies(event: Event) -> dict[str, str]:
    """The request's cookies. Several ``Cookie`` headers are merged; a malformed one is ignored."""
    raw = raw_event(event)
    lines: list[str] = []
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        if key.lower() == "cookie":
            lines.extend(str(value) for value in values)
    if not lines:
        lines = [str(value) for key, value in (raw.get("headers") or {}).items() if key.lower() == "cookie"]
    found: dict[str, str] = {}
    for line in lines:
        for part in line.split(";"):
            name, sep, value = part.strip().partition("=")
            if not sep or not name:
                continue
            try:
                parsed = SimpleCookie()
                parsed.load(f"{name}={value}")
            except CookieError:
                continue
            if name in parsed:
                found.setdefault(name, parsed[name].value)
    return found


def query(event: Event) -> dict[str, str]:
    params = raw_event(event).get("queryStringParameters") or {}
    return {str(key): str(value) for key, value in params.items()}


def path(event: Event) -> str:
    return str(raw_event(event).get("path") or "/")


def path_with_query(event: Event, **changes: str | None) -> str:
    """The request's path and query, with ``changes`` applied (``None`` removes a parameter)."""
    params = query(event)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = urlencode(params)
    return path(event) + (f"?{encoded}" if encoded else "")


def source_ip(event: Event) -> str | None:
    identity = (raw_event(event).get("requestContext") or {}).get("identity") or {}
    ip = identity.get("sourceIp")
    return str(ip) if ip else None


def user_agent(event: Event) -> str | None:
    return header(event, "user-agent")
