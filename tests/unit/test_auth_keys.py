"""Public JWKs from KMS public keys, and RS256 compact JWS built around a KMS signature.

KMS is replaced by a small fake holding a local RSA key, so these tests need no AWS at all; the
integration tests repeat the round trip against moto's KMS.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from functions.auth import keys
from functions.auth.keys import SigningKeyError, SigningKeys, public_jwk, public_jwk_from_der
from platform_common import aws


def _der(public_key: Any) -> bytes:
    encoded: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return encoded


def _b64int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _key_set(signer: SigningKeys) -> KeySet:
    return KeySet.import_key_set(signer.jwks().model_dump())  # type: ignore[arg-type]  # a JWKS dict


class FakeKms:
    """The two KMS calls the signer makes, answered with local RSA keys."""

    def __init__(self) -> None:
        self.private_keys: dict[str, rsa.RSAPrivateKey] = {}
        self.sign_calls: list[dict[str, Any]] = []

    def add_key(self, key_id: str, bits: int = 2048) -> rsa.RSAPrivateKey:
        self.private_keys[key_id] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return self.private_keys[key_id]

    def get_public_key(self, KeyId: str) -> dict[str, Any]:  # boto3's parameter name
        return {
            "KeyId": KeyId,
            "PublicKey": _der(self.private_keys[KeyId].public_key()),
            "KeyUsage": "SIGN_VERIFY",
            "SigningAlgorithms": ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256"],
        }

    def sign(self, **request: Any) -> dict[str, Any]:
        self.sign_calls.append(request)
        key = self.private_keys[request["KeyId"]]
        return {"Signature": key.sign(request["Message"], padding.PKCS1v15(), hashes.SHA256())}


@pytest.fixture
def fake_kms(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKms]:
    fake = FakeKms()
    monkeypatch.setattr(aws, "client", lambda _name: fake)
    public_jwk.cache_clear()
    yield fake
    public_jwk.cache_clear()


def test_given_rsa_public_key_der_when_converting_then_kid_is_the_rfc7638_thumbprint() -> None:
    public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    numbers = public_key.public_numbers()
    # RFC 7638 §3: SHA-256 of the required members in lexicographic order, no whitespace.
    canonical = json.dumps({"e": _b64int(numbers.e), "kty": "RSA", "n": _b64int(numbers.n)}, separators=(",", ":"))
    expected_kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()

    jwk = public_jwk_from_der(_der(public_key))

    assert jwk.kid == expected_kid
    assert (jwk.kty, jwk.alg, jwk.use) == ("RSA", "RS256", "sig")
    assert (jwk.n, jwk.e) == (_b64int(numbers.n), _b64int(numbers.e))


def test_given_an_ec_key_when_converting_then_it_is_refused_as_a_signing_key() -> None:
    with pytest.raises(SigningKeyError, match="not an RSA key"):
        public_jwk_from_der(_der(ec.generate_private_key(ec.SECP256R1()).public_key()))


def test_given_bytes_that_are_no_key_when_converting_then_it_is_refused() -> None:
    with pytest.raises(SigningKeyError, match="DER"):
        public_jwk_from_der(b"not a key")


def test_given_a_1024_bit_key_when_converting_then_it_is_refused_as_too_weak() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()  # noqa: S505

    with pytest.raises(SigningKeyError, match="2048"):
        public_jwk_from_der(_der(weak))


def test_given_a_key_id_when_its_jwk_is_asked_twice_then_kms_is_asked_once(
    fake_kms: FakeKms, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_kms.add_key("key-1")
    calls: list[str] = []
    original = fake_kms.get_public_key

    def counting(KeyId: str) -> dict[str, Any]:  # boto3's parameter name
        calls.append(KeyId)
        return original(KeyId)

    monkeypatch.setattr(fake_kms, "get_public_key", counting)

    first, second = public_jwk("key-1"), public_jwk("key-1")

    assert first == second
    assert calls == ["key-1"]


def test_given_current_and_previous_keys_when_listing_jwks_then_both_are_published_current_first(
    fake_kms: FakeKms,
) -> None:
    fake_kms.add_key("current")
    fake_kms.add_key("previous")

    published = SigningKeys(("current", "previous")).jwks().keys

    assert [k.kid for k in published] == [public_jwk("current").kid, public_jwk("previous").kid]
    assert published[0].kid != published[1].kid


def test_given_claims_when_signing_then_compact_jws_has_rs256_header_and_verifies(fake_kms: FakeKms) -> None:
    fake_kms.add_key("current")
    fake_kms.add_key("previous")
    signer = SigningKeys(("current", "previous"))
    claims = {"sub": "u-1", "iss": "https://id.example.jp/oauth", "name": "デモ工業株式会社"}

    token = signer.sign_jwt(claims)

    key_set = _key_set(signer)
    decoded = jwt.decode(token, key_set, algorithms=["RS256"])
    assert decoded.header == {"alg": "RS256", "kid": public_jwk("current").kid, "typ": "JWT"}
    assert decoded.claims == claims
    assert fake_kms.sign_calls[0]["MessageType"] == "RAW"
    assert fake_kms.sign_calls[0]["SigningAlgorithm"] == "RSASSA_PKCS1_V1_5_SHA_256"
    assert fake_kms.sign_calls[0]["KeyId"] == "current"


def test_given_an_access_token_type_when_signing_then_the_header_carries_it(fake_kms: FakeKms) -> None:
    fake_kms.add_key("current")

    token = SigningKeys(("current",)).sign_jwt({"sub": "u-1"}, typ="at+jwt")

    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["typ"] == "at+jwt"


def test_given_a_token_signed_by_another_key_with_our_kid_when_verifying_then_it_fails(
    fake_kms: FakeKms,
) -> None:
    fake_kms.add_key("current")
    genuine = SigningKeys(("current",))
    fake_kms.add_key("attacker")
    forged = SigningKeys(("attacker",)).sign_jwt({"sub": "admin"})
    header = base64.urlsafe_b64encode(
        json.dumps({"alg": "RS256", "kid": public_jwk("current").kid, "typ": "JWT"}).encode()
    ).rstrip(b"=")
    forged_with_our_kid = ".".join([header.decode(), *forged.split(".")[1:]])

    with pytest.raises(BadSignatureError):
        jwt.decode(forged_with_our_kid, _key_set(genuine), algorithms=["RS256"])


def test_given_claims_beyond_the_kms_raw_limit_when_signing_then_it_is_refused_before_calling_kms(
    fake_kms: FakeKms,
) -> None:
    fake_kms.add_key("current")

    with pytest.raises(ValueError, match="4096"):
        SigningKeys(("current",)).sign_jwt({"blob": "x" * 4096})
    assert fake_kms.sign_calls == []


def test_given_a_key_that_cannot_sign_rs256_when_publishing_then_it_is_a_deployment_error(
    fake_kms: FakeKms, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_kms.add_key("encrypt-only")
    answer = fake_kms.get_public_key("encrypt-only") | {
        "KeyUsage": "ENCRYPT_DECRYPT",
        "SigningAlgorithms": [],
    }
    monkeypatch.setattr(fake_kms, "get_public_key", lambda KeyId: answer)

    with pytest.raises(SigningKeyError, match="cannot sign"):
        public_jwk("encrypt-only")


def test_given_the_module_function_when_signing_then_the_configured_first_key_is_used(
    fake_kms: FakeKms, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_kms.add_key("configured")
    monkeypatch.setattr(keys, "get_signing_keys", lambda: SigningKeys(("configured",)))

    keys.sign_jwt({"sub": "u-1"})

    assert fake_kms.sign_calls[0]["KeyId"] == "configured"
