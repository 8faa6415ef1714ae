"""Second-factor secrets sealed with the KMS ``secrets`` key.

The encryption context binds each ciphertext to its user and factor: a ciphertext copied into another
user's item does not decrypt there, and the context appears in CloudTrail beside every decryption.
"""

from __future__ import annotations

from platform_common import aws


def _context(sub: str, factor: str) -> dict[str, str]:
    return {"purpose": "second-factor", "sub": sub, "factor": factor}


def seal_factor_secret(key_id: str, sub: str, factor: str, secret: str) -> bytes:
    blob: bytes = aws.client("kms").encrypt(
        KeyId=key_id, Plaintext=secret.encode("utf-8"), EncryptionContext=_context(sub, factor)
    )["CiphertextBlob"]
    return blob


def open_factor_secret(key_id: str, sub: str, factor: str, ciphertext: bytes) -> str:
    plaintext: bytes = aws.client("kms").decrypt(
        KeyId=key_id, CiphertextBlob=ciphertext, EncryptionContext=_context(sub, factor)
    )["Plaintext"]
    return plaintext.decode("utf-8")
