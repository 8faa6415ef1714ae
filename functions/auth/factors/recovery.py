"""Recovery codes: ten single-use codes, shown once, stored as HMACs under a KMS-sealed key.

Each code is 10 characters of Crockford's base32 (50 random bits), shown as ``xxxxx-xxxxx``. Generating
a new set replaces the stored set, so every code of the old set stops working at once.
"""

from __future__ import annotations

import secrets
from typing import Final

from functions.auth.factors import clock
from functions.auth.factors.macs import mac, new_mac_key, open_mac_key
from functions.auth.factors.store import RecoverySet, get_factor_store

RECOVERY_CODE_COUNT: Final = 10
_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
_LENGTH: Final = 10
_LOOK_ALIKES: Final = str.maketrans("ilo", "110")
_USE: Final = "recovery"


def normalize_recovery_code(text: str) -> str:
    """Lower case, no spaces or hyphens; Crockford's look-alikes (i, l → 1; o → 0) read as digits."""
    compact = "".join(text.split()).replace("-", "").lower()
    return compact.translate(_LOOK_ALIKES)


def _format(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _digest(key: bytes, code: str) -> str:
    return mac(key, normalize_recovery_code(code)).hex()


def generate_recovery_codes(sub: str) -> list[str]:
    """A new set of codes (replacing any older set); the plain codes exist only in the return value."""
    codes = [_format("".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))) for _ in range(RECOVERY_CODE_COUNT)]
    key, key_ciphertext = new_mac_key(sub, _USE)
    hashes = frozenset(_digest(key, code) for code in codes)
    get_factor_store().put_recovery(sub, RecoverySet(key_ciphertext, hashes, clock.now()))
    return codes


def use_recovery_code(sub: str, code: str) -> bool:
    """Accept ``code`` once: its hash is removed with a conditional update, so a second use fails."""
    store = get_factor_store()
    stored = store.get_recovery(sub)
    normalized = normalize_recovery_code(code)
    if stored is None or not stored.hashes or len(normalized) != _LENGTH:
        return False
    digest = _digest(open_mac_key(sub, _USE, stored.key_ciphertext), normalized)
    # Membership is decided by DynamoDB's condition, not by comparing strings here.
    return store.consume_recovery_hash(sub, digest)
