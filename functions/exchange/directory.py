"""The signed key directory (X-Road's global configuration, the part a verifier needs): each member's public
key and the exchange's own key, signed by the exchange's key. ``GET /r1/{instance}/keys`` serves it; exported
message-log bundles carry the same member keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.exchange import registry
from functions.exchange.jws import sign_detached
from functions.exchange.signing import KmsSigner, kms_public_jwk
from platform_common.hash_chain import canonical_json

DIRECTORY_TYPE = "exchange-key-directory+jws"


def member_keys(instance: str) -> dict[str, list[dict[str, str]]]:
    """``INSTANCE/CLASS/CODE`` → the member's public JWKs (members without a key yet are left out)."""
    found: dict[str, list[dict[str, str]]] = {}
    for member in registry.list_members():
        if member.member[0] == instance and member.kms_key_id:
            found[registry.member_id_text(member.member)] = [kms_public_jwk(member.kms_key_id)]
    return found


def signed_directory(instance: str, exchange_key_id: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "instance": instance,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "exchange_key": kms_public_jwk(exchange_key_id),
        "members": member_keys(instance),
    }
    signature = sign_detached(canonical_json(document), KmsSigner(exchange_key_id), {"typ": DIRECTORY_TYPE})
    return {**document, "signature": signature}
