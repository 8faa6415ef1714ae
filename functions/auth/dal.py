"""Stored items of the accounts table and the store that reads and writes them (DynamoDB).

One table, keyed ``pk``/``sk``, with one partition per user and one per relying party:

====================  ================  ===========================================================
pk                    sk                item
====================  ================  ===========================================================
``USER#<sub>``        ``PROFILE``       :class:`ProfileItem` (gsi1: ``CORP#<number>`` / ``USER#<sub>``)
``USER#<sub>``        ``FACTOR#totp``   :class:`TotpFactorItem` (the secret encrypted under KMS)
``CLIENT#<id>``       ``CLIENT``        :class:`RelyingPartyItem` (the client secret as a hash only)
====================  ================  ===========================================================

``sub`` is the Cognito user's ``sub``. Each dataclass converts itself to and from DynamoDB's attribute
values, so every writer (the function, the devstack seeder) stores the same shape.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from functions.auth.models import AccountTier, StaffRole
from functions.auth.settings import get_settings
from platform_common import aws

Item = dict[str, dict[str, Any]]

USER_PREFIX: Final = "USER#"
CLIENT_PREFIX: Final = "CLIENT#"
CORP_PREFIX: Final = "CORP#"
PROFILE_SK: Final = "PROFILE"
TOTP_SK: Final = "FACTOR#totp"
CLIENT_SK: Final = "CLIENT"
CLIENTS_INDEX_PK: Final = "CLIENTS"  # gsi1 partition listing every relying party


def _now() -> int:
    return int(time.time())


def _optional_s(item: Item, name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value["S"])


@dataclass(frozen=True)
class ProfileItem:
    """An account: a corporate user of one tier, or a staff member with one role."""

    sub: str
    email: str
    tier: AccountTier | None = None
    role: StaffRole | None = None
    corporate_number: str | None = None
    parent_sub: str | None = None  # the Prime holder who issued a Member account
    created_at: int = field(default_factory=_now)

    def __post_init__(self) -> None:
        if (self.tier is None) == (self.role is None):
            raise ValueError("an account has either a tier or a staff role")
        # An Entry account may have no corporate number until its holder gives one (self-service sign-up).
        if self.tier in (AccountTier.PRIME, AccountTier.MEMBER) and not self.corporate_number:
            raise ValueError("a Prime or Member account needs its corporate number")
        if (self.tier is AccountTier.MEMBER) != (self.parent_sub is not None):
            raise ValueError("a Member account, and only one, names the Prime holder who issued it")

    def to_item(self) -> Item:
        item: Item = {
            "pk": {"S": USER_PREFIX + self.sub},
            "sk": {"S": PROFILE_SK},
            "sub": {"S": self.sub},
            "email": {"S": self.email},
            "created_at": {"N": str(self.created_at)},
        }
        if self.tier is not None:
            item["tier"] = {"S": self.tier.value}
        if self.role is not None:
            item["role"] = {"S": self.role.value}
        if self.corporate_number:
            item["corporate_number"] = {"S": self.corporate_number}
            item["gsi1pk"] = {"S": CORP_PREFIX + self.corporate_number}
            item["gsi1sk"] = {"S": USER_PREFIX + self.sub}
        if self.parent_sub:
            item["parent_sub"] = {"S": self.parent_sub}
        return item

    @classmethod
    def from_item(cls, item: Item) -> ProfileItem:
        tier = _optional_s(item, "tier")
        role = _optional_s(item, "role")
        return cls(
            sub=item["sub"]["S"],
            email=item["email"]["S"],
            tier=AccountTier(tier) if tier else None,
            role=StaffRole(role) if role else None,
            corporate_number=_optional_s(item, "corporate_number"),
            parent_sub=_optional_s(item, "parent_sub"),
            created_at=int(item["created_at"]["N"]),
        )


@dataclass(frozen=True)
class TotpFactorItem:
    """A user's TOTP secret as KMS ciphertext bound to the user (:mod:`functions.auth.factor_secrets`)."""

    sub: str
    secret_ciphertext: bytes
    created_at: int = field(default_factory=_now)

    def to_item(self) -> Item:
        return {
            "pk": {"S": USER_PREFIX + self.sub},
            "sk": {"S": TOTP_SK},
            "secret_ciphertext": {"B": self.secret_ciphertext},
            "created_at": {"N": str(self.created_at)},
        }

    @classmethod
    def from_item(cls, item: Item) -> TotpFactorItem:
        return cls(
            sub=item["pk"]["S"].removeprefix(USER_PREFIX),
            secret_ciphertext=bytes(item["secret_ciphertext"]["B"]),
            created_at=int(item["created_at"]["N"]),
        )


@dataclass(frozen=True)
class RelyingPartyItem:
    """A registered relying party (OAuth client). The secret is stored only as its hash."""

    client_id: str
    client_name: str
    redirect_uris: tuple[str, ...]
    allowed_scopes: tuple[str, ...]
    token_endpoint_auth_method: str
    client_secret_hash: str | None = None  # absent for private_key_jwt clients
    created_at: int = field(default_factory=_now)
    # The OpenID Provider's registry (client_name is the Japanese name shown first).
    name_en: str = ""
    post_logout_redirect_uris: tuple[str, ...] = ()
    jwks: str | None = None  # the public JWK Set (JSON) of a private_key_jwt client
    allowed_account_types: tuple[str, ...] = ("1", "2", "3")  # gBizID account_type codes a login may have
    ida_approved: bool = False  # may ask for jp_gbizid_v1_ida (verified_claims)
    updated_at: int | None = None

    @property
    def name_ja(self) -> str:
        return self.client_name

    def __post_init__(self) -> None:
        if not self.redirect_uris:
            raise ValueError("a relying party needs at least one redirect URI")
        uses_secret = self.token_endpoint_auth_method == "client_secret_basic"  # noqa: S105  # a method name
        if uses_secret and not self.client_secret_hash:
            raise ValueError("a client_secret_basic client needs a client secret hash")
        if self.token_endpoint_auth_method == "private_key_jwt" and not self.jwks:  # noqa: S105 (a method name)
            raise ValueError("a private_key_jwt client needs its public JWK Set")

    def to_item(self) -> Item:
        item: Item = {
            "pk": {"S": CLIENT_PREFIX + self.client_id},
            "sk": {"S": CLIENT_SK},
            "client_id": {"S": self.client_id},
            "client_name": {"S": self.client_name},
            "redirect_uris": {"L": [{"S": uri} for uri in self.redirect_uris]},
            "allowed_scopes": {"L": [{"S": scope} for scope in self.allowed_scopes]},
            "token_endpoint_auth_method": {"S": self.token_endpoint_auth_method},
            "created_at": {"N": str(self.created_at)},
        }
        if self.client_secret_hash:
            item["client_secret_hash"] = {"S": self.client_secret_hash}
        item["gsi1pk"] = {"S": CLIENTS_INDEX_PK}
        item["gsi1sk"] = {"S": CLIENT_PREFIX + self.client_id}
        item["name_en"] = {"S": self.name_en}
        item["post_logout_redirect_uris"] = {"L": [{"S": uri} for uri in self.post_logout_redirect_uris]}
        item["allowed_account_types"] = {"L": [{"S": code} for code in self.allowed_account_types]}
        item["ida_approved"] = {"BOOL": self.ida_approved}
        if self.jwks:
            item["jwks"] = {"S": self.jwks}
        if self.updated_at is not None:
            item["updated_at"] = {"N": str(self.updated_at)}
        return item

    @classmethod
    def from_item(cls, item: Item) -> RelyingPartyItem:
        return cls(
            client_id=item["client_id"]["S"],
            client_name=item["client_name"]["S"],
            redirect_uris=tuple(value["S"] for value in item["redirect_uris"]["L"]),
            allowed_scopes=tuple(value["S"] for value in item["allowed_scopes"]["L"]),
            token_endpoint_auth_method=item["token_endpoint_auth_method"]["S"],
            client_secret_hash=_optional_s(item, "client_secret_hash"),
            created_at=int(item["created_at"]["N"]),
            name_en=_optional_s(item, "name_en") or "",
            post_logout_redirect_uris=tuple(v["S"] for v in item.get("post_logout_redirect_uris", {}).get("L", [])),
            jwks=_optional_s(item, "jwks"),
            allowed_account_types=tuple(v["S"] for v in item["allowed_account_types"]["L"])
            if "allowed_account_types" in item
            else ("1", "2", "3"),
            ida_approved=bool(item.get("ida_approved", {}).get("BOOL", False)),
            updated_at=int(item["updated_at"]["N"]) if "updated_at" in item else None,
        )


@dataclass(frozen=True)
class AccountsStore:
    table_name: str

    def _put(self, item: Item) -> None:
        aws.client("dynamodb").put_item(TableName=self.table_name, Item=item)

    def _get(self, pk: str, sk: str) -> Item | None:
        found: Item | None = (
            aws.client("dynamodb")
            .get_item(TableName=self.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True)
            .get("Item")
        )
        return found

    def put_profile(self, profile: ProfileItem) -> None:
        self._put(profile.to_item())

    def get_profile(self, sub: str) -> ProfileItem | None:
        item = self._get(USER_PREFIX + sub, PROFILE_SK)
        return None if item is None else ProfileItem.from_item(item)

    def put_totp_factor(self, factor: TotpFactorItem) -> None:
        self._put(factor.to_item())

    def get_totp_factor(self, sub: str) -> TotpFactorItem | None:
        item = self._get(USER_PREFIX + sub, TOTP_SK)
        return None if item is None else TotpFactorItem.from_item(item)

    def put_relying_party(self, client: RelyingPartyItem) -> None:
        self._put(client.to_item())

    def get_relying_party(self, client_id: str) -> RelyingPartyItem | None:
        item = self._get(CLIENT_PREFIX + client_id, CLIENT_SK)
        return None if item is None else RelyingPartyItem.from_item(item)

    def list_relying_parties(self) -> list[RelyingPartyItem]:
        """Every registered relying party, by client id (gsi1 ``CLIENTS``)."""
        paginator = aws.client("dynamodb").get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": CLIENTS_INDEX_PK}},
        )
        return [RelyingPartyItem.from_item(item) for page in pages for item in page.get("Items", [])]


@cache
def get_store() -> AccountsStore:
    return AccountsStore(get_settings().accounts_table_name)
