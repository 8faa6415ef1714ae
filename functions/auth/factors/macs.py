"""HMAC keys for one-time codes and recovery codes, sealed with the KMS ``secrets`` key.

A six-digit code has only a million values, so a plain or salted hash in the table could be reversed by
anyone who reads the table. Each outstanding code (and each set of recovery codes) therefore gets its own
256-bit HMAC key from KMS ``GenerateDataKey``: the table keeps the HMAC and the key's ciphertext only,
and checking a guess needs a ``Decrypt`` call that KMS authorizes, logs and binds to the user with the
encryption context. No extra key or secret has to be provisioned: the deployment's ``secrets`` key is the
root (``SECRETS_KEY_ID``), the same that seals TOTP secrets.
"""

from __future__ import annotations

import hashlib
import hmac

from functions.auth.settings import get_settings
from platform_common import aws

MAC_KEY_BYTES = 32


def _context(sub: str, use: str) -> dict[str, str]:
    return {"purpose": "second-factor-mac", "sub": sub, "factor": use}


def new_mac_key(sub: str, use: str) -> tuple[bytes, bytes]:
    """A fresh HMAC key: (plaintext to use now and forget, ciphertext to store)."""
    generated = aws.client("kms").generate_data_key(
        KeyId=get_settings().secrets_key_id, NumberOfBytes=MAC_KEY_BYTES, EncryptionContext=_context(sub, use)
    )
    return bytes(generated["Plaintext"]), bytes(generated["CiphertextBlob"])


def open_mac_key(sub: str, use: str, ciphertext: bytes) -> bytes:
    opened = aws.client("kms").decrypt(
        KeyId=get_settings().secrets_key_id, CiphertextBlob=ciphertext, EncryptionContext=_context(sub, use)
    )
    return bytes(opened["Plaintext"])


def mac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
