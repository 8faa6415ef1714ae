"""Demo accounts and a demo relying party for gBizID on one machine.

Creates, in the provisioned Cognito user pool and accounts table: an Entry, a Prime and a Member user of
:data:`DEMO_CORP_A`, a Prime user of :data:`DEMO_CORP_B`, an operator and a reviewer, each with a fresh
random password; TOTP secrets (sealed with the KMS ``secrets`` key) for Prime, Member and staff users; and one
relying party whose client secret is kept only as a hash. The plain credentials exist only in the
returned dictionary, for the devstack to print once. Seeding again resets the same accounts with new
credentials instead of failing.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from typing import Any, Final

import pyotp
from joserfc.jwk import RSAKey

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B
from devstack.provision import ProvisionedStack
from functions.auth.dal import AccountsStore, ProfileItem, RelyingPartyItem, TotpFactorItem
from functions.auth.factor_secrets import seal_factor_secret
from functions.auth.logic.clients import hash_client_secret, new_client_secret
from functions.auth.logic.discovery import SCOPES
from functions.auth.models import AccountTier, StaffRole
from functions.auth.settings import AuthSettings
from functions.hojin_search.settings import HojinSearchSettings
from infra.resource_specs import ResourceRef
from platform_common import aws
from platform_common.corporate_number import make_corporate_number

DEMO_CLIENT_ID: Final = "demo-rp"
EXCHANGE_OPERATOR_CORP: Final = make_corporate_number("999920000003")  # 経済産業省 (devstack.seed_exchange.METI_CODE)
DEMO_PRIME_ONLY_CLIENT_ID: Final = "demo-prime-only"
PASSWORD_LENGTH: Final = 20
_PASSWORD_SYMBOLS: Final = "-_.!@#%+="
_PASSWORD_ALPHABET: Final = string.ascii_letters + string.digits + _PASSWORD_SYMBOLS


@dataclass(frozen=True)
class DemoAccount:
    email: str
    tier: AccountTier | None = None
    role: StaffRole | None = None
    corporate_number: str | None = None
    issued_by: str | None = None  # email of the Prime holder who issues a Member account

    @property
    def has_totp(self) -> bool:
        # Prime, Member and staff accounts always need a second factor (functions.auth.factors).
        return self.role is not None or self.tier in (AccountTier.PRIME, AccountTier.MEMBER)

    @property
    def group(self) -> str:
        kind = self.tier or self.role
        if kind is None:
            raise ValueError(f"{self.email}: a demo account has a tier or a role")
        return kind.value


DEMO_ACCOUNTS: Final[tuple[DemoAccount, ...]] = (
    DemoAccount("entry@demo-a.example.jp", tier=AccountTier.ENTRY, corporate_number=DEMO_CORP_A),
    DemoAccount("prime@demo-a.example.jp", tier=AccountTier.PRIME, corporate_number=DEMO_CORP_A),
    DemoAccount(
        "member@demo-a.example.jp",
        tier=AccountTier.MEMBER,
        corporate_number=DEMO_CORP_A,
        issued_by="prime@demo-a.example.jp",
    ),
    DemoAccount("prime@demo-b.example.jp", tier=AccountTier.PRIME, corporate_number=DEMO_CORP_B),
    DemoAccount("operator@gbizid.example.jp", role=StaffRole.OPERATOR),
    DemoAccount("reviewer@gbizid.example.jp", role=StaffRole.REVIEWER),
    # The data exchange's operator: a Prime account of the ministry running the exchange (devstack.seed_exchange_admin
    # lists it as an operator); staff-only accounts carry no account type, so no relying party admits them.
    DemoAccount("exchange-operator@meti.example.jp", tier=AccountTier.PRIME, corporate_number=EXCHANGE_OPERATOR_CORP),
    # The demo ministry's jGrants staff (devstack.seed_jgrants makes them operator and reviewer): Members of the
    # ministry's own corporation, issued by its Prime, so they sign in to the jGrants pages as any account does.
    DemoAccount(
        "jgrants-operator@meti.example.jp",
        tier=AccountTier.MEMBER,
        corporate_number=EXCHANGE_OPERATOR_CORP,
        issued_by="exchange-operator@meti.example.jp",
    ),
    DemoAccount(
        "jgrants-reviewer@meti.example.jp",
        tier=AccountTier.MEMBER,
        corporate_number=EXCHANGE_OPERATOR_CORP,
        issued_by="exchange-operator@meti.example.jp",
    ),
)


def new_password(length: int = PASSWORD_LENGTH) -> str:
    """A random password meeting the pool's policy (12+ characters, upper and lower case, digit, symbol)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.isupper() for c in password)
            and any(c.islower() for c in password)
            and any(c.isdigit() for c in password)
            and any(c in _PASSWORD_SYMBOLS for c in password)
        ):
            return password


def _cognito_attributes(account: DemoAccount) -> list[dict[str, str]]:
    attributes = [{"Name": "email", "Value": account.email}, {"Name": "email_verified", "Value": "true"}]
    if account.corporate_number:
        attributes.append({"Name": "custom:corporate_number", "Value": account.corporate_number})
    if account.tier:
        attributes.append({"Name": "custom:account_type", "Value": account.tier.account_type})
    return attributes


def _upsert_cognito_user(pool_id: str, account: DemoAccount, password: str) -> str:
    """Create the user (or reset an existing one) with a permanent password; return its ``sub``."""
    cognito = aws.client("cognito-idp")
    user = {"UserPoolId": pool_id, "Username": account.email}
    attributes = _cognito_attributes(account)
    try:
        response = cognito.admin_create_user(**user, UserAttributes=attributes, MessageAction="SUPPRESS")
        created = response["User"]["Attributes"]
    except cognito.exceptions.UsernameExistsException:
        # The e-mail is the user name already; re-sending it counts as a clash in moto.
        unchanged = [a for a in attributes if a["Name"] != "email"]
        cognito.admin_update_user_attributes(**user, UserAttributes=unchanged)
        created = cognito.admin_get_user(**user)["UserAttributes"]
    cognito.admin_set_user_password(**user, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(**user, GroupName=account.group)
    return str(next(attribute["Value"] for attribute in created if attribute["Name"] == "sub"))


def verify_mail_sender() -> str:
    """Verify the notification sender (``MAIL_FROM``, or its default) and its domain in SES; return it.

    SES sends only from verified identities; in the cloud the operator verifies the domain once (DKIM).
    """
    sender = os.environ.get("MAIL_FROM") or str(AuthSettings.model_fields["mail_from"].default)
    ses = aws.client("ses")
    ses.verify_email_identity(EmailAddress=sender)
    ses.verify_domain_identity(Domain=sender.rpartition("@")[2])
    return sender


def create_account(
    store: AccountsStore, pool_id: str, secrets_key_id: str, account: DemoAccount, parent_sub: str | None = None
) -> dict[str, Any]:
    """An account that signs in as a person does (a random password and, for the tiers that need one, a TOTP
    factor); its plain credentials."""
    password = new_password()
    sub = _upsert_cognito_user(pool_id, account, password)
    store.put_profile(
        ProfileItem(
            sub=sub,
            email=account.email,
            tier=account.tier,
            role=account.role,
            corporate_number=account.corporate_number,
            parent_sub=parent_sub,
        )
    )
    user: dict[str, Any] = {
        ("tier" if account.tier else "role"): account.group,
        "email": account.email,
        "password": password,
        "corporate_number": account.corporate_number,
        "sub": sub,
    }
    if account.has_totp:
        totp_secret = pyotp.random_base32()
        ciphertext = seal_factor_secret(secrets_key_id, sub, "totp", totp_secret)
        store.put_totp_factor(TotpFactorItem(sub=sub, secret_ciphertext=ciphertext))
        user["totp_secret"] = totp_secret
    return user


def seed_identity(provisioned: dict[str, ProvisionedStack], base_url: str) -> dict[str, Any]:
    """Seed the identity stack; return the demo relying party's and users' plain credentials."""
    verify_mail_sender()
    identity = provisioned["identity"]
    pool_id = identity.resolve(ResourceRef("user_pool", "users", "id"))
    secrets_key_id = identity.resolve(ResourceRef("key", "secrets", "arn"))
    store = AccountsStore(identity.name("table", "accounts"))

    users: list[dict[str, Any]] = []
    sub_by_email: dict[str, str] = {}
    for account in DEMO_ACCOUNTS:
        parent = sub_by_email[account.issued_by] if account.issued_by else None
        user = create_account(store, pool_id, secrets_key_id, account, parent_sub=parent)
        sub_by_email[account.email] = user["sub"]
        users.append(user)

    redirect_uri = f"{base_url.rstrip('/')}/demo-rp/callback"
    client_secret = new_client_secret()
    store.put_relying_party(
        RelyingPartyItem(
            client_id=DEMO_CLIENT_ID,
            client_name="デモ補助金システム (demo relying party)",
            name_en="Demo subsidy system",
            redirect_uris=(redirect_uri,),
            post_logout_redirect_uris=(f"{base_url.rstrip('/')}/demo-rp/signed-out",),
            allowed_scopes=SCOPES,
            allowed_account_types=("1", "2", "3"),
            token_endpoint_auth_method="client_secret_basic",
            client_secret_hash=hash_client_secret(client_secret),
        )
    )
    demo_rp = {"client_id": DEMO_CLIENT_ID, "client_secret": client_secret, "redirect_uri": redirect_uri}
    prime_only = _seed_prime_only_relying_party(store, base_url)
    seed_token_page_client(store, provisioned["opendata"], base_url)
    if "exchange" in provisioned:
        seed_exchange_portal_client(store, provisioned["exchange"], base_url)
    return {
        "relying_party": demo_rp,
        "relying_parties": {DEMO_CLIENT_ID: demo_rp, DEMO_PRIME_ONLY_CLIENT_ID: prime_only},
        "users": users,
    }


def seed_token_page_client(store: AccountsStore, opendata: ProvisionedStack, base_url: str) -> str:
    """Register gBizINFO's token page as a confidential client and put its secret where the page reads it.

    What an operator does in the cloud (docs/operators/deploy.md): register the client in the OP, then put
    the secret into the Secrets Manager secret of the OpenData stack. The plain secret goes nowhere else.
    Returns the client id.
    """
    default_id = str(HojinSearchSettings.model_fields["tokens_client_id"].default)
    client_id = os.environ.get("HOJIN_TOKENS_CLIENT_ID") or default_id
    client_secret = new_client_secret()
    store.put_relying_party(
        RelyingPartyItem(
            client_id=client_id,
            client_name="gBizINFO APIトークン管理",
            name_en="gBizINFO API tokens",
            redirect_uris=(f"{base_url.rstrip('/')}/hojin/tokens/callback",),
            allowed_scopes=("openid",),
            allowed_account_types=("1", "2", "3"),
            token_endpoint_auth_method="client_secret_basic",
            client_secret_hash=hash_client_secret(client_secret),
        )
    )
    secret_id = opendata.resolve(ResourceRef("secret", "hojin-tokens-client", "arn"))
    aws.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=client_secret)
    return client_id


EXCHANGE_PORTAL_CLIENT_ID: Final = "exchange-portal"


def seed_exchange_portal_client(store: AccountsStore, exchange: ProvisionedStack, base_url: str) -> str:
    """Register the data exchange portal as a confidential client (scope ``openid profile``: the account type and
    corporation decide what a person may do there) and put its secret where the portal reads it, as an operator
    does in the cloud (docs/operators/deploy.md). Returns the client id."""
    client_secret = new_client_secret()
    store.put_relying_party(
        RelyingPartyItem(
            client_id=EXCHANGE_PORTAL_CLIENT_ID,
            client_name="法人データ交換基盤ポータル",
            name_en="Corporate data exchange portal",
            redirect_uris=(f"{base_url.rstrip('/')}/exchange/callback",),
            allowed_scopes=("openid", "profile"),
            allowed_account_types=("1", "2", "3"),
            token_endpoint_auth_method="client_secret_basic",
            client_secret_hash=hash_client_secret(client_secret),
        )
    )
    secret_id = exchange.resolve(ResourceRef("secret", "exchange-portal-client", "arn"))
    aws.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=client_secret)
    return EXCHANGE_PORTAL_CLIENT_ID


def _seed_prime_only_relying_party(store: AccountsStore, base_url: str) -> dict[str, Any]:
    """A relying party for Prime and Member accounts only, authenticating with ``private_key_jwt``.

    Its key pair is made here; only the public JWK Set is registered, the private JWK goes to demo.json
    for the demo client (and the tests) to sign client assertions with.
    """
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
    key.ensure_kid()
    redirect_uri = f"{base_url.rstrip('/')}/demo-prime-only/callback"
    store.put_relying_party(
        RelyingPartyItem(
            client_id=DEMO_PRIME_ONLY_CLIENT_ID,
            client_name="デモ許認可システム (プライム・メンバー専用)",
            name_en="Demo licensing system (Prime and Member only)",
            redirect_uris=(redirect_uri,),
            post_logout_redirect_uris=(f"{base_url.rstrip('/')}/demo-prime-only/signed-out",),
            allowed_scopes=(*SCOPES, "jp_gbizid_v1_ida"),
            allowed_account_types=("2", "3"),
            token_endpoint_auth_method="private_key_jwt",
            jwks=json.dumps({"keys": [key.as_dict(private=False)]}, separators=(",", ":")),
            ida_approved=True,
        )
    )
    return {
        "client_id": DEMO_PRIME_ONLY_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "token_endpoint_auth_method": "private_key_jwt",
        "private_jwk": key.as_dict(private=True),
    }
