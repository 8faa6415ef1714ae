"""Registering relying parties: the operator's form, checked field by field, into a RelyingPartyItem."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from functions.auth.dal import RelyingPartyItem
from functions.auth.logic.clients import hash_client_secret, new_client_secret
from functions.auth.logic.discovery import SCOPES
from functions.auth.oidc import clock
from functions.auth.oidc.claims import SCOPE_IDA
from functions.auth.settings import _is_local_host

AUTH_METHODS: Final = ("client_secret_basic", "private_key_jwt")
ACCOUNT_TYPES: Final = ("1", "2", "3")
REGISTRABLE_SCOPES: Final[tuple[str, ...]] = (*SCOPES, SCOPE_IDA)
_CLIENT_ID: Final = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
MAX_URIS: Final = 10


@dataclass(frozen=True)
class Registration:
    """The outcome of a submitted form: the item to store, or the errors by field."""

    item: RelyingPartyItem | None
    errors: dict[str, str] = field(default_factory=dict)
    client_secret: str | None = None  # shown once, when one was issued


def _uris(text: str, name: str, errors: dict[str, str], *, required: bool) -> tuple[str, ...]:
    uris = tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if required and not uris:
        errors[name] = "少なくとも1つ入力してください / enter at least one URI"
    if len(uris) > MAX_URIS:
        errors[name] = f"{MAX_URIS}件までです / at most {MAX_URIS} URIs"
    for uri in uris:
        parts = urlsplit(uri)
        local_http = parts.scheme == "http" and parts.hostname is not None and _is_local_host(parts.hostname)
        if parts.scheme != "https" and not local_http:
            errors[name] = f"https の URL にしてください / must be an https URL: {uri}"
        elif not parts.hostname or parts.fragment or "#" in uri or "*" in uri:
            errors[name] = f"ホスト名が必要で、# や * は使えません / needs a host, no # or *: {uri}"
    return uris


def public_jwks(text: str) -> str:
    """The JWK Set as compact JSON, refused when it is malformed, empty or holds a private key."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise ValueError("the JWK Set nests too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list) or not document["keys"]:
        raise ValueError("a JWK Set with at least one key is required")
    if any(isinstance(key, dict) and "d" in key for key in document["keys"]):
        raise ValueError("the JWK Set holds a private key: register the public keys only")
    KeySet.import_key_set(document)  # type: ignore[arg-type]  # checked above: {"keys": [...]}
    return json.dumps(document, separators=(",", ":"))


def build_registration(form: Mapping[str, Sequence[str]], existing: RelyingPartyItem | None = None) -> Registration:
    """Check the form; on success the item to store (a new client secret only when one is needed)."""

    def one(name: str) -> str:
        values = form.get(name) or [""]
        return values[-1].strip()

    errors: dict[str, str] = {}
    client_id = existing.client_id if existing else one("client_id")
    if not existing and not _CLIENT_ID.fullmatch(client_id):
        errors["client_id"] = "英数字と . _ - で3〜64文字 / 3-64 letters, digits, . _ -"
    name_ja = one("name_ja")
    if not name_ja or len(name_ja) > 100:
        errors["name_ja"] = "100文字以内で入力してください / required, at most 100 characters"
    name_en = one("name_en")
    if len(name_en) > 100:
        errors["name_en"] = "100文字以内 / at most 100 characters"
    redirect_uris = _uris(one("redirect_uris"), "redirect_uris", errors, required=True)
    logout_uris = _uris(one("post_logout_redirect_uris"), "post_logout_redirect_uris", errors, required=False)
    method = one("token_endpoint_auth_method")
    if method not in AUTH_METHODS:
        errors["token_endpoint_auth_method"] = "認証方式を選んでください / choose a method"  # noqa: S105
    jwks: str | None = None
    if method == "private_key_jwt":
        try:
            jwks = public_jwks(one("jwks"))
        except (ValueError, JoseError) as exc:
            errors["jwks"] = f"公開鍵の JWK Set が正しくありません / not a valid public JWK Set ({exc})"
    scopes = tuple(s for s in REGISTRABLE_SCOPES if s in set(form.get("allowed_scopes", [])))
    if "openid" not in scopes:
        errors["allowed_scopes"] = "openid は必須です / openid is required"
    types = tuple(c for c in ACCOUNT_TYPES if c in set(form.get("allowed_account_types", [])))
    if not types:
        errors["allowed_account_types"] = "1つ以上選んでください / choose at least one account type"
    ida = one("ida_approved") == "yes"
    if errors:
        return Registration(None, errors)
    secret: str | None = None
    secret_hash = existing.client_secret_hash if existing else None
    if method == "client_secret_basic" and not secret_hash:
        secret = new_client_secret()
        secret_hash = hash_client_secret(secret)
    if method == "private_key_jwt":
        secret_hash = None
    values = {
        "client_name": name_ja,
        "name_en": name_en,
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": logout_uris,
        "token_endpoint_auth_method": method,
        "client_secret_hash": secret_hash,
        "jwks": jwks,
        "allowed_scopes": scopes,
        "allowed_account_types": types,
        "ida_approved": ida,
    }
    if existing:
        item = replace(existing, updated_at=clock.now(), **values)  # type: ignore[arg-type]
    else:
        item = RelyingPartyItem(client_id=client_id, **values)  # type: ignore[arg-type]
    return Registration(item, {}, secret)
