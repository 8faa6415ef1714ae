"""What the OpenID Provider keeps between requests, in the accounts table.

====================================  ===============  ==================================================
pk                                    sk               item
====================================  ===============  ==================================================
``AUTHREQ#<id>``                      ``AUTHREQ``      an authorization request waiting for login/consent
``CODE#<sha256(code)>``               ``CODE``         an authorization code (single use: conditional delete)
``REFRESH#<sha256(token)>``           ``REFRESH``      a refresh token of a family (``active``/``rotated``)
``FAMILY#<id>``                       ``FAMILY``       a refresh-token family (revocable; gsi1 ``FAMILYSUB#<sub>``)
``USER#<sub>``                        ``REVOKED``      access tokens issued before ``not_before`` are refused
``USER#<sub>``                        ``CONSENT#<id>``  the scopes a user granted a relying party
``JTI#<client_id>#<jti>``             ``JTI``          a used private_key_jwt assertion id
====================================  ===============  ==================================================

Codes and tokens are stored only as SHA-256 hashes: they are 256-bit random values, so the hash cannot be
reversed, and a copy of the table does not let anyone redeem them. Every item expires (``expires_at``,
the table's TTL attribute) and is also checked against the clock on read, since TTL deletion is lazy.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Literal

from functions.auth.oidc import clock
from functions.auth.settings import get_settings
from platform_common import aws

Item = dict[str, dict[str, Any]]

AUTH_REQUEST_SECONDS: Final = 600  # the user has 10 minutes to sign in and consent
CODE_SECONDS: Final = 300  # gBizID: a code lives 5 minutes
REFRESH_SECONDS: Final = 30 * 24 * 3600
JTI_SECONDS: Final = 3600
FAMILY_INDEX_PREFIX: Final = "FAMILYSUB#"


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _s_list(item: Item, name: str) -> tuple[str, ...]:
    return tuple(value["S"] for value in item.get(name, {}).get("L", []))


def _opt(item: Item, name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value["S"])


@dataclass(frozen=True)
class AuthRequest:
    id: str
    client_id: str
    params: dict[str, str]  # the validated query of /oauth/authorize
    created_at: int
    expires_at: int


@dataclass(frozen=True)
class Authentication:
    """Who signed in, when and how: what a code and a refresh token carry into the tokens."""

    sub: str
    auth_time: int
    amr: tuple[str, ...]
    acr: str

    def to_item(self) -> Item:
        return {
            "sub": {"S": self.sub},
            "auth_time": {"N": str(self.auth_time)},
            "amr": {"L": [{"S": value} for value in self.amr]},
            "acr": {"S": self.acr},
        }

    @classmethod
    def from_item(cls, item: Item) -> Authentication:
        return cls(
            sub=item["sub"]["S"],
            auth_time=int(item["auth_time"]["N"]),
            amr=_s_list(item, "amr"),
            acr=item["acr"]["S"],
        )


@dataclass(frozen=True)
class StoredCode:
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    authentication: Authentication
    created_at: int
    expires_at: int


@dataclass(frozen=True)
class StoredRefreshToken:
    token_hash: str
    family_id: str
    client_id: str
    scope: str
    authentication: Authentication
    status: Literal["active", "rotated"]
    expires_at: int


@dataclass(frozen=True)
class RotationResult:
    """``token`` is the refresh token just used once (``None`` when unknown, expired or revoked);
    ``reused`` says an already rotated token came back, so its whole family was revoked."""

    token: StoredRefreshToken | None
    reused: bool = False


@dataclass(frozen=True)
class OidcStore:
    table_name: str

    @property
    def _ddb(self) -> Any:
        return aws.client("dynamodb")

    def _key(self, pk: str, sk: str) -> Item:
        return {"pk": {"S": pk}, "sk": {"S": sk}}

    # -- authorization requests

    def save_auth_request(self, client_id: str, params: dict[str, str]) -> AuthRequest:
        now = clock.now()
        request = AuthRequest(secrets.token_urlsafe(24), client_id, dict(params), now, now + AUTH_REQUEST_SECONDS)
        self._ddb.put_item(
            TableName=self.table_name,
            Item={
                **self._key("AUTHREQ#" + request.id, "AUTHREQ"),
                "client_id": {"S": client_id},
                "params": {"S": json.dumps(request.params, ensure_ascii=False)},
                "created_at": {"N": str(request.created_at)},
                "expires_at": {"N": str(request.expires_at)},
            },
        )
        return request

    def get_auth_request(self, request_id: str) -> AuthRequest | None:
        if not request_id or len(request_id) > 128:
            return None
        item = self._ddb.get_item(
            TableName=self.table_name, Key=self._key("AUTHREQ#" + request_id, "AUTHREQ"), ConsistentRead=True
        ).get("Item")
        if item is None or int(item["expires_at"]["N"]) <= clock.now():
            return None
        return AuthRequest(
            id=request_id,
            client_id=item["client_id"]["S"],
            params=json.loads(item["params"]["S"]),
            created_at=int(item["created_at"]["N"]),
            expires_at=int(item["expires_at"]["N"]),
        )

    def delete_auth_request(self, request_id: str) -> None:
        self._ddb.delete_item(TableName=self.table_name, Key=self._key("AUTHREQ#" + request_id, "AUTHREQ"))

    # -- authorization codes

    def save_code(self, code: str, stored: StoredCode) -> None:
        self._ddb.put_item(
            TableName=self.table_name,
            Item={
                **self._key("CODE#" + token_hash(code), "CODE"),
                "client_id": {"S": stored.client_id},
                "redirect_uri": {"S": stored.redirect_uri},
                "scope": {"S": stored.scope},
                "code_challenge": {"S": stored.code_challenge},
                "code_challenge_method": {"S": stored.code_challenge_method},
                **({"nonce": {"S": stored.nonce}} if stored.nonce else {}),
                **stored.authentication.to_item(),
                "created_at": {"N": str(stored.created_at)},
                "expires_at": {"N": str(stored.expires_at)},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def consume_code(self, code: str) -> StoredCode | None:
        """Delete the code and return what it held: only the first caller gets it (a conditional delete),
        and an expired code is deleted without being returned."""
        try:
            old = self._ddb.delete_item(
                TableName=self.table_name,
                Key=self._key("CODE#" + token_hash(code), "CODE"),
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_OLD",
            ).get("Attributes")
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return None
        if not old or int(old["expires_at"]["N"]) <= clock.now():
            return None
        return StoredCode(
            client_id=old["client_id"]["S"],
            redirect_uri=old["redirect_uri"]["S"],
            scope=old["scope"]["S"],
            nonce=_opt(old, "nonce"),
            code_challenge=old["code_challenge"]["S"],
            code_challenge_method=old["code_challenge_method"]["S"],
            authentication=Authentication.from_item(old),
            created_at=int(old["created_at"]["N"]),
            expires_at=int(old["expires_at"]["N"]),
        )

    def restore_code(self, code: str, stored: StoredCode) -> None:
        """Put back a code consumed by a token request that then failed (KMS or DynamoDB unavailable): no token
        was issued for it, so the relying party may redeem it once more. Not over a code that exists."""
        try:
            self.save_code(code, stored)
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return

    # -- refresh tokens and their families

    def new_family(self, family_id: str, client_id: str, sub: str) -> None:
        now = clock.now()
        self._ddb.put_item(
            TableName=self.table_name,
            Item={
                **self._key("FAMILY#" + family_id, "FAMILY"),
                "client_id": {"S": client_id},
                "sub": {"S": sub},
                "revoked": {"BOOL": False},
                "gsi1pk": {"S": FAMILY_INDEX_PREFIX + sub},
                "gsi1sk": {"S": "FAMILY#" + family_id},
                "created_at": {"N": str(now)},
                "expires_at": {"N": str(now + REFRESH_SECONDS)},
            },
        )

    def family_revoked(self, family_id: str) -> bool:
        item = self._ddb.get_item(
            TableName=self.table_name, Key=self._key("FAMILY#" + family_id, "FAMILY"), ConsistentRead=True
        ).get("Item")
        return item is None or bool(item["revoked"]["BOOL"])

    def revoke_family(self, family_id: str) -> None:
        self._ddb.update_item(
            TableName=self.table_name,
            Key=self._key("FAMILY#" + family_id, "FAMILY"),
            UpdateExpression="SET revoked = :yes",
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )

    def revoke_families_of(self, sub: str) -> int:
        """Revoke every refresh-token family of ``sub`` (found through gsi1); the number revoked now."""
        revoked = 0
        for page in self._ddb.get_paginator("query").paginate(
            TableName=self.table_name,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": FAMILY_INDEX_PREFIX + sub}},
            ProjectionExpression="pk, revoked",
        ):
            for item in page.get("Items", []):
                if not item.get("revoked", {}).get("BOOL", False):
                    self.revoke_family(item["pk"]["S"].removeprefix("FAMILY#"))
                    revoked += 1
        return revoked

    def save_refresh_token(
        self, token: str, *, family_id: str, client_id: str, scope: str, authentication: Authentication
    ) -> None:
        now = clock.now()
        self._ddb.put_item(
            TableName=self.table_name,
            Item={
                **self._key("REFRESH#" + token_hash(token), "REFRESH"),
                "family_id": {"S": family_id},
                "client_id": {"S": client_id},
                "scope": {"S": scope},
                "status": {"S": "active"},
                **authentication.to_item(),
                "created_at": {"N": str(now)},
                "expires_at": {"N": str(now + REFRESH_SECONDS)},
            },
        )

    def use_refresh_token(self, token: str, client_id: str) -> RotationResult:
        """Mark the client's token used (``active`` → ``rotated``, conditionally). A token that was used
        before is a replay (RFC 9700 §4.14.2): its whole family is revoked, the token issued from it too.
        Another client's token is refused without touching it."""
        key = self._key("REFRESH#" + token_hash(token), "REFRESH")
        try:
            found = self._ddb.update_item(
                TableName=self.table_name,
                Key=key,
                UpdateExpression="SET #status = :rotated",
                ConditionExpression="attribute_exists(pk) AND #status = :active AND client_id = :client",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":rotated": {"S": "rotated"},
                    ":active": {"S": "active"},
                    ":client": {"S": client_id},
                },
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except self._ddb.exceptions.ConditionalCheckFailedException:
            item = self._ddb.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")
            if item is None or item["client_id"]["S"] != client_id:
                return RotationResult(None)
            self.revoke_family(item["family_id"]["S"])
            return RotationResult(self._refresh_from_item(item), reused=True)
        stored = self._refresh_from_item(found)
        if stored.expires_at <= clock.now() or self.family_revoked(stored.family_id):
            return RotationResult(None)
        return RotationResult(stored)

    def restore_refresh_token(self, token: str, client_id: str) -> None:
        """Make a refresh token active again after the request that rotated it failed before answering: the
        client never got its successor, and its retry must not look like a replay (which revokes the family)."""
        try:
            self._ddb.update_item(
                TableName=self.table_name,
                Key=self._key("REFRESH#" + token_hash(token), "REFRESH"),
                UpdateExpression="SET #status = :active",
                ConditionExpression="#status = :rotated AND client_id = :client",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":rotated": {"S": "rotated"},
                    ":active": {"S": "active"},
                    ":client": {"S": client_id},
                },
            )
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return

    @staticmethod
    def _refresh_from_item(item: Item) -> StoredRefreshToken:
        status = item["status"]["S"]
        return StoredRefreshToken(
            token_hash=item["pk"]["S"].removeprefix("REFRESH#"),
            family_id=item["family_id"]["S"],
            client_id=item["client_id"]["S"],
            scope=item["scope"]["S"],
            authentication=Authentication.from_item(item),
            status="active" if status == "active" else "rotated",
            expires_at=int(item["expires_at"]["N"]),
        )

    # -- access tokens of an account whose access was revoked

    def set_tokens_not_before(self, sub: str, when: int) -> None:
        """Refuse the account's access tokens issued before ``when`` (a password change, a suspension)."""
        self._ddb.put_item(
            TableName=self.table_name,
            Item={**self._key("USER#" + sub, "REVOKED"), "not_before": {"N": str(when)}},
        )

    def tokens_not_before(self, sub: str) -> int:
        item = self._ddb.get_item(
            TableName=self.table_name, Key=self._key("USER#" + sub, "REVOKED"), ConsistentRead=True
        ).get("Item")
        return 0 if item is None else int(item["not_before"]["N"])

    # -- consent

    def granted_scopes(self, sub: str, client_id: str) -> frozenset[str]:
        item = self._ddb.get_item(
            TableName=self.table_name, Key=self._key("USER#" + sub, "CONSENT#" + client_id), ConsistentRead=True
        ).get("Item")
        return frozenset() if item is None else frozenset(_s_list(item, "scopes"))

    def save_consent(self, sub: str, client_id: str, scopes: frozenset[str]) -> None:
        self._ddb.put_item(
            TableName=self.table_name,
            Item={
                **self._key("USER#" + sub, "CONSENT#" + client_id),
                "scopes": {"L": [{"S": scope} for scope in sorted(scopes)]},
                "granted_at": {"N": str(clock.now())},
            },
        )

    # -- client assertion ids (private_key_jwt replay)

    def claim_assertion_id(self, client_id: str, jti: str) -> bool:
        """Record a client assertion's ``jti``; ``False`` when it was seen before."""
        now = clock.now()
        try:
            self._ddb.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(f"JTI#{client_id}#{token_hash(jti)}", "JTI"),
                    "expires_at": {"N": str(now + JTI_SECONDS)},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True


@cache
def get_oidc_store() -> OidcStore:
    return OidcStore(get_settings().accounts_table_name)
