"""The canonical forms of a request and a response: the bytes every exchange signature is made over.

Both are lines joined by ``\\n`` (UTF-8). They carry the SHA-256 of the body, never the body, so the message
log can keep them without keeping the exchanged data.

request::

    GET
    /r1/JP-DEV/GOV/9999200000010/commercial-registry/registered-matters/1234567890123?a=1&b=2
    JP-DEV/COM/1234567890123/accounting-system
    5f0c2d2e-...                               (X-Road-Id)
    2025-04-01T09:30:00Z                       (X-Road-Request-Time)
    e3b0c442...                                (SHA-256 of the body, hex)

response::

    200
    5f0c2d2e-...
    9f86d081...

The query is canonical too: parameters sorted by name then value, each percent-encoded (RFC 3986 unreserved
characters kept), so a client and the server agree whatever order or encoding the HTTP library used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_query(params: Mapping[str, Sequence[str]] | Iterable[tuple[str, str]]) -> str:
    pairs = (
        [(name, value) for name, values in params.items() for value in values]
        if isinstance(params, Mapping)
        else list(params)
    )
    return "&".join(f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}" for name, value in sorted(pairs))


def canonical_request(
    method: str,
    path: str,
    query: Mapping[str, Sequence[str]] | Iterable[tuple[str, str]],
    client: str,
    message_id: str,
    request_time: str,
    body: bytes,
) -> bytes:
    target = path
    query_text = canonical_query(query)
    if query_text:
        target = f"{path}?{query_text}"
    return "\n".join((method.upper(), target, client, message_id, request_time, body_sha256(body))).encode("utf-8")


def canonical_response(status: int, message_id: str, body: bytes) -> bytes:
    return "\n".join((str(status), message_id, body_sha256(body))).encode("utf-8")
