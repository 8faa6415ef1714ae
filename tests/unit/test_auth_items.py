"""Stored item shapes of the accounts table, and client secret hashing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.auth.dal import ProfileItem, RelyingPartyItem, TotpFactorItem
from functions.auth.logic.clients import hash_client_secret, new_client_secret, verify_client_secret
from functions.auth.models import AccountTier, StaffRole

CORP = "9999900000011"


def test_given_a_member_profile_when_stored_and_read_then_it_round_trips_with_corporation_index() -> None:
    profile = ProfileItem(
        sub="s-2",
        email="member@demo-a.example.jp",
        tier=AccountTier.MEMBER,
        corporate_number=CORP,
        parent_sub="s-1",
    )

    item = profile.to_item()

    assert ProfileItem.from_item(item) == profile
    assert (item["pk"]["S"], item["sk"]["S"]) == ("USER#s-2", "PROFILE")
    assert (item["gsi1pk"]["S"], item["gsi1sk"]["S"]) == (f"CORP#{CORP}", "USER#s-2")


def test_given_a_staff_profile_when_stored_and_read_then_it_has_a_role_and_no_corporation() -> None:
    profile = ProfileItem(sub="s-9", email="operator@gbizid.example.jp", role=StaffRole.OPERATOR)

    item = profile.to_item()

    assert ProfileItem.from_item(item) == profile
    assert "gsi1pk" not in item
    assert "tier" not in item


@pytest.mark.parametrize(
    "fields",
    [
        {"tier": AccountTier.PRIME, "role": StaffRole.OPERATOR, "corporate_number": CORP},
        {},
        {"tier": AccountTier.PRIME},
        {"tier": AccountTier.MEMBER, "corporate_number": CORP},
        {"tier": AccountTier.PRIME, "corporate_number": CORP, "parent_sub": "s-1"},
    ],
)
def test_given_inconsistent_account_fields_when_building_profile_then_it_is_refused(
    fields: dict[str, object],
) -> None:
    with pytest.raises(ValueError, match="account"):
        ProfileItem(sub="s-1", email="x@demo-a.example.jp", **fields)  # type: ignore[arg-type]


def test_given_a_totp_factor_when_stored_and_read_then_ciphertext_is_binary_and_round_trips() -> None:
    factor = TotpFactorItem(sub="s-1", secret_ciphertext=b"\x00\x01ciphertext")

    item = factor.to_item()

    assert item["sk"]["S"] == "FACTOR#totp"
    assert item["secret_ciphertext"] == {"B": b"\x00\x01ciphertext"}
    assert TotpFactorItem.from_item(item) == factor


def test_given_a_relying_party_when_stored_and_read_then_it_round_trips_without_plain_secret() -> None:
    secret = new_client_secret()
    client = RelyingPartyItem(
        client_id="demo-rp",
        client_name="デモ",
        redirect_uris=("https://rp.example.jp/callback",),
        allowed_scopes=("openid", "profile"),
        token_endpoint_auth_method="client_secret_basic",
        client_secret_hash=hash_client_secret(secret),
    )

    item = client.to_item()

    assert RelyingPartyItem.from_item(item) == client
    assert (item["pk"]["S"], item["sk"]["S"]) == ("CLIENT#demo-rp", "CLIENT")
    assert secret not in repr(item)


def test_given_a_secret_client_without_secret_hash_when_building_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="secret hash"):
        RelyingPartyItem("c", "c", ("https://rp.example.jp/cb",), ("openid",), "client_secret_basic")


def test_given_a_client_secret_when_hashed_then_only_the_same_secret_verifies() -> None:
    secret = new_client_secret()
    stored = hash_client_secret(secret)

    assert stored.startswith("sha256$")
    assert secret not in stored
    assert verify_client_secret(secret, stored)
    assert not verify_client_secret(secret + "x", stored)
    assert not verify_client_secret(secret, "md5$" + stored.split("$")[1])
    assert not verify_client_secret(secret, "sha256$")


@given(st.text(min_size=1, max_size=64), st.text(min_size=1, max_size=64))
def test_given_two_different_secrets_when_verifying_then_one_never_passes_for_the_other(a: str, b: str) -> None:
    assert verify_client_secret(a, hash_client_secret(b)) == (a == b)


def test_given_new_client_secrets_when_generated_then_they_carry_256_bits_and_differ() -> None:
    first, second = new_client_secret(), new_client_secret()

    assert first != second
    assert len(first) >= 43  # 32 bytes in unpadded base64url
