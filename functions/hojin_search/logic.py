"""What the gBizINFO API does, free of HTTP."""

from __future__ import annotations

import hashlib

from functions.hojin_search.dal import HojinStore
from functions.hojin_search.models import HojinInfo
from platform_common.errors import NotFound, Unauthorized

API_TOKEN_HEADER = "X-hojinInfo-api-token"  # noqa: S105 (a header name, not a secret)


def hash_api_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: a leaked table does not leak working tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def authorize_api_token(store: HojinStore, token: str | None) -> None:
    if not token:
        raise Unauthorized(f"the {API_TOKEN_HEADER} header is required")
    if not store.token_exists(hash_api_token(token)):
        raise Unauthorized(f"the {API_TOKEN_HEADER} header does not hold a valid token")


def get_hojin_info(store: HojinStore, corporate_number: str) -> HojinInfo:
    record = store.get_record(corporate_number)
    if record is None:
        raise NotFound(f"no corporation with corporate number {corporate_number}")
    return HojinInfo.model_validate(record)
