"""Relying-party client secrets: generated here, shown once, stored only as a hash.

Choice of hash: a client secret is 32 random bytes from :mod:`secrets` (256 bits), never chosen by a
person, so no dictionary or brute-force search can reverse its SHA-256; a slow password hash (scrypt,
argon2) would add nothing but latency to every token request. The stored form carries its scheme
(``sha256$<hex>``) so a later scheme can be introduced beside it. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

CLIENT_SECRET_BYTES: Final = 32
_SCHEME: Final = "sha256"


def new_client_id() -> str:
    return secrets.token_urlsafe(16)


def new_client_secret() -> str:
    return secrets.token_urlsafe(CLIENT_SECRET_BYTES)


def hash_client_secret(secret: str) -> str:
    return f"{_SCHEME}${hashlib.sha256(secret.encode('utf-8')).hexdigest()}"


def verify_client_secret(secret: str, stored_hash: str) -> bool:
    scheme, _, digest = stored_hash.partition("$")
    if scheme != _SCHEME or not digest:
        return False
    candidate = hashlib.sha256(secret.encode("utf-8")).hexdigest()
    return hmac.compare_digest(candidate, digest)
