"""The security headers of every response of every service, added in one place.

Each service's resolver (:func:`platform_common.api.build_resolver`) passes its finished proxy response
through :func:`add_security_headers`, so a page, a JSON answer, a redirect, an error and a 404 all carry
them, whatever code path produced the response. A header a response already sets is kept (a page's own
Content-Security-Policy, say); only missing ones are added:

- ``Strict-Transport-Security`` for a year (browsers ignore it over plain http, as on the devstack);
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` (codes and tokens in a URL never
  leave in a Referer);
- ``X-Frame-Options: DENY`` and a Content-Security-Policy with ``frame-ancestors 'none'``: the pages' policy
  for HTML, and ``default-src 'none'`` for everything else (an API answer is never a document that loads
  anything).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Final

HSTS: Final = "max-age=31536000; includeSubDomains"
HSTS_MIN_SECONDS: Final = 365 * 24 * 3600
PAGE_CSP: Final = "default-src 'self'; frame-ancestors 'none'"
API_CSP: Final = "default-src 'none'; frame-ancestors 'none'"

COMMON_HEADERS: Final[Mapping[str, str]] = {
    "Strict-Transport-Security": HSTS,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def security_headers_for(content_type: str | None, present: Mapping[str, object] | None = None) -> dict[str, str]:
    """The headers to add to a response of ``content_type`` that already has the headers ``present``."""
    have = {name.lower() for name in present or {}}
    wanted = dict(COMMON_HEADERS)
    is_page = (content_type or "").split(";")[0].strip().lower() == "text/html"
    wanted["Content-Security-Policy"] = PAGE_CSP if is_page else API_CSP
    return {name: value for name, value in wanted.items() if name.lower() not in have}


def add_security_headers(result: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Add the missing security headers to an API Gateway proxy response (single or multi-value headers)."""
    multi = result.get("multiValueHeaders")
    single = result.get("headers")
    present: dict[str, object] = {**(single or {}), **(multi or {})}
    content_type = next((value for name, value in present.items() if name.lower() == "content-type"), None)
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else None
    missing = security_headers_for(str(content_type) if content_type is not None else None, present)
    if isinstance(multi, dict) or not isinstance(single, dict):
        target = multi if isinstance(multi, dict) else result.setdefault("multiValueHeaders", {})
        for name, value in missing.items():
            target[name] = [value]
    else:
        single.update(missing)
    return result
