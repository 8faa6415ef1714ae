"""What each stack holds, as plain data: the one source of truth for the CDK constructs and the devstack.

The constructs in ``infra/constructs`` turn these specifications into CloudFormation; ``devstack`` creates
the same tables (keys, indexes, TTL, streams), buckets, user pool, keys, topics and state machines through
the AWS APIs of moto. Neither keeps its own copy of a key schema or a state machine definition.

Names here are logical ids. Physical names: CloudFormation generates them in the cloud; the devstack uses
``<scope>-<id>`` (``identity-accounts``, ``meti-subsidies``). Functions learn them from environment
variables (``FunctionSpec.environment``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

STATE_MACHINE_DIR = Path(__file__).parent / "state_machines"

AttributeType = Literal["S", "N", "B"]
ResourceKind = Literal[
    "table", "bucket", "key", "topic", "user_pool", "user_pool_client", "state_machine", "secret", "function"
]
ResourceAttribute = Literal["name", "arn", "id"]
# Metrics a function publishes itself (EMF, platform_common.observability.emit_metric), each with its alarm
# (infra/constructs/monitoring.py): mail or SMS left for a retry, reviews past their due time.
CustomMetric = Literal["NotificationsFailed", "ReviewsOverdue"]


@dataclass(frozen=True)
class Attribute:
    name: str
    type: AttributeType = "S"


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: Attribute
    sort_key: Attribute | None = None


@dataclass(frozen=True)
class TableSpec:
    id: str
    partition_key: Attribute
    sort_key: Attribute | None = None
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    stream: bool = False


@dataclass(frozen=True)
class BucketSpec:
    id: str
    object_lock: bool = False  # write-once archives (audit trail, exchange message log)
    retention_days: int = 0  # governance-mode default retention where object_lock is on


@dataclass(frozen=True)
class KeySpec:
    id: str
    usage: Literal["SIGN_VERIFY", "ENCRYPT_DECRYPT"]
    key_spec: Literal["RSA_2048", "ECC_NIST_P256", "SYMMETRIC_DEFAULT"]
    description: str


@dataclass(frozen=True)
class TopicSpec:
    id: str


@dataclass(frozen=True)
class SecretSpec:
    """A Secrets Manager secret whose value an operator puts in after deployment (never in code or env)."""

    id: str
    description: str


@dataclass(frozen=True)
class UserPoolSpec:
    id: str
    groups: tuple[str, ...]
    custom_attributes: tuple[str, ...]
    password_min_length: int = 12
    password_require_symbols: bool = True
    clients: tuple[str, ...] = ("auth-function",)  # app clients for server-side sign-in (no secret)


@dataclass(frozen=True)
class ResourceRef:
    """A reference to a resource, resolved by CDK or by the devstack. ``scope`` names another central
    stack when the resource lives there (a cross-stack reference: that stack is deployed first)."""

    kind: ResourceKind
    id: str
    attribute: ResourceAttribute = "name"
    scope: str | None = None


@dataclass(frozen=True)
class StateMachineSpec:
    id: str
    definition_file: str  # Amazon States Language, under infra/state_machines/
    substitutions: dict[str, ResourceRef] = field(default_factory=dict)

    def definition(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((STATE_MACHINE_DIR / self.definition_file).read_text("utf-8"))
        return loaded

    def render(self, values: dict[str, str]) -> str:
        """The definition with each ``${Name}`` replaced (what CDK's definition substitutions do)."""
        text = (STATE_MACHINE_DIR / self.definition_file).read_text("utf-8")
        for name, value in values.items():
            text = text.replace("${" + name + "}", value)
        return text


@dataclass(frozen=True)
class BucketListing:
    """``s3:ListBucket`` on a bucket, under some key prefixes or (``()``) anywhere in it.

    Listing also makes S3 answer 404 rather than 403 for a missing key the function reads, which is how the
    functions tell "not published yet" (no index, no source state) from "not allowed".
    """

    bucket: ResourceRef
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionSpec:
    service: Literal["auth", "submit", "hojin_search", "exchange"]
    description: str
    environment: dict[str, ResourceRef]
    reads: tuple[ResourceRef, ...] = ()
    writes: tuple[ResourceRef, ...] = ()
    lists: tuple[BucketListing, ...] = ()
    memory_mb: int = 512
    timeout_seconds: int = 10
    sends_mail: bool = False  # ses:SendEmail from the MAIL_FROM identity (its domain) only
    sends_sms: bool = False  # sns:Publish straight to phone numbers (SMS)
    # "zip": code asset plus the two layers (fast cold start). "image": a container image with
    # infra/lambda_data_requirements.txt (pyarrow, numpy, duckdb, ... exceed zip's 250 MB; docs/operators/deploy.md).
    package: Literal["zip", "image"] = "zip"
    entry: str = "handler"  # the module of functions/<service>/ whose lambda_handler Lambda calls
    publishes: tuple[CustomMetric, ...] = ()  # custom metrics the function emits (alarmed on, on the dashboard)

    @property
    def handler(self) -> str:
        return f"functions.{self.service}.{self.entry}.lambda_handler"


@dataclass(frozen=True)
class StackSpec:
    scope: str  # "identity", "opendata", "exchange" or a ministry name
    tables: tuple[TableSpec, ...] = ()
    buckets: tuple[BucketSpec, ...] = ()
    keys: tuple[KeySpec, ...] = ()
    topics: tuple[TopicSpec, ...] = ()
    user_pools: tuple[UserPoolSpec, ...] = ()
    state_machines: tuple[StateMachineSpec, ...] = ()
    functions: tuple[FunctionSpec, ...] = ()
    secrets: tuple[SecretSpec, ...] = ()


def _table(id: str) -> ResourceRef:
    return ResourceRef("table", id)


_PK = Attribute("pk")
_SK = Attribute("sk")
_GSI1 = IndexSpec("gsi1", Attribute("gsi1pk"), Attribute("gsi1sk"))

IDENTITY = StackSpec(
    scope="identity",
    tables=(
        TableSpec(
            "accounts", partition_key=_PK, sort_key=_SK, indexes=(_GSI1,), ttl_attribute="expires_at", stream=True
        ),
    ),
    buckets=(
        BucketSpec("seal-certificates"),
        BucketSpec("audit-archive", object_lock=True, retention_days=3650),
    ),
    keys=(
        KeySpec("oidc-signing", "SIGN_VERIFY", "RSA_2048", "Signs ID tokens and access tokens (RS256)"),
        KeySpec("secrets", "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "Encrypts second-factor secrets"),
    ),
    topics=(TopicSpec("notifications"),),
    user_pools=(
        UserPoolSpec(
            "users",
            groups=("entry", "prime", "member", "operator", "reviewer"),
            custom_attributes=("corporate_number", "account_type"),
        ),
    ),
    state_machines=(
        StateMachineSpec(
            "prime-review", "prime_review.asl.json", substitutions={"AccountsTableName": _table("accounts")}
        ),
    ),
    functions=(
        FunctionSpec(
            service="auth",
            description="gBizID: OpenID Provider and account management",
            environment={
                "ACCOUNTS_TABLE_NAME": _table("accounts"),
                "OIDC_SIGNING_KEY_ID": ResourceRef("key", "oidc-signing", "arn"),
                "SECRETS_KEY_ID": ResourceRef("key", "secrets", "arn"),
                "USER_POOL_ID": ResourceRef("user_pool", "users", "id"),
                "USER_POOL_CLIENT_ID": ResourceRef("user_pool_client", "auth-function", "id"),
                "AUDIT_BUCKET_NAME": ResourceRef("bucket", "audit-archive"),
                "SEAL_CERTIFICATES_BUCKET_NAME": ResourceRef("bucket", "seal-certificates"),
                # Prime applications are checked against the corporation's basic information.
                "HOJIN_TABLE_NAME": ResourceRef("table", "hojin", scope="opendata"),
                "PRIME_REVIEW_STATE_MACHINE_ARN": ResourceRef("state_machine", "prime-review", "arn"),
            },
            reads=(ResourceRef("table", "hojin", scope="opendata"),),
            writes=(
                _table("accounts"),
                ResourceRef("key", "oidc-signing", "arn"),  # sign tokens, publish the public keys
                ResourceRef("key", "secrets", "arn"),  # encrypt and decrypt second-factor secrets
                ResourceRef("user_pool", "users", "id"),  # passwords, verification, account status
                ResourceRef("bucket", "audit-archive"),  # append-only: the bucket is under Object Lock
                ResourceRef("bucket", "seal-certificates"),
                ResourceRef("state_machine", "prime-review", "arn"),  # start Prime reviews, answer tokens
            ),
            sends_mail=True,  # notifications (sign-up codes, approvals, new factors, ...)
            sends_sms=True,  # SMS one-time codes
            publishes=("NotificationsFailed",),  # functions/auth/notify.py
        ),
    ),
)

OPEN_DATA = StackSpec(
    scope="opendata",
    tables=(
        TableSpec("hojin", partition_key=Attribute("corporate_number")),
        # API tokens by SHA-256 (never the token itself); by-owner lists a user's tokens on the token page.
        TableSpec(
            "api-tokens",
            partition_key=Attribute("token_hash"),
            indexes=(IndexSpec("by-owner", partition_key=Attribute("owner"), sort_key=Attribute("created")),),
        ),
        # What changed on which day (gBizINFO's updateInfo): day = yyyymmdd, key = <number>#<category>.
        TableSpec("changes", partition_key=Attribute("day"), sort_key=Attribute("key")),
        # The token page's browser sessions and pending sign-ins, by SHA-256 of the cookie value; TTL-expired.
        TableSpec("web-sessions", partition_key=_PK, ttl_attribute="expires_at"),
    ),
    # The token page's client secret at gBizID's OpenID Provider (docs/operators/deploy.md puts it in).
    secrets=(SecretSpec("hojin-tokens-client", "Client secret of the gBizINFO token page at gBizID"),),
    # athena-results: the Athena workgroup's query results (cloud only; infra/constructs/ingest.py).
    buckets=(BucketSpec("open-data"), BucketSpec("athena-results")),
    functions=(
        FunctionSpec(
            service="hojin_search",
            description="gBizINFO: corporate open data by corporate number",
            environment={
                "HOJIN_TABLE_NAME": _table("hojin"),
                "API_TOKENS_TABLE_NAME": _table("api-tokens"),
                "CHANGES_TABLE_NAME": _table("changes"),
                "OPEN_DATA_BUCKET_NAME": ResourceRef("bucket", "open-data"),
                "HOJIN_SESSIONS_TABLE_NAME": _table("web-sessions"),
                "HOJIN_TOKENS_CLIENT_SECRET_ID": ResourceRef("secret", "hojin-tokens-client", "arn"),
            },
            reads=(
                _table("hojin"),
                _table("api-tokens"),
                _table("changes"),
                ResourceRef("bucket", "open-data"),
                ResourceRef("secret", "hojin-tokens-client", "arn"),  # the token page's client secret
            ),
            # issue and revoke tokens; the per-token rate-limit bucket; the token page's sessions
            writes=(_table("api-tokens"), _table("web-sessions")),
            # The search index is downloaded file by file and the embedded SPARQL store loads the Parquet; the
            # bucket holds public open data only, so listing all of it reveals nothing (and gives 404s, not 403s).
            lists=(BucketListing(ResourceRef("bucket", "open-data")),),
            package="image",  # the search index (pyroaring, numpy, pyarrow) and the SPARQL store (pyoxigraph)
        ),
    ),
)

# The tag of every member's signing key (functions/exchange/registry.py creates them): the function's KMS grants
# are conditioned on it (ExchangeStack)
MEMBER_KEY_TAG = "exchange-member"

EXCHANGE = StackSpec(
    scope="exchange",
    # gsi1: access rights by client, consents by client, message-log entries by message id; TTL: replay guard
    tables=(
        TableSpec("registry", partition_key=_PK, sort_key=_SK, indexes=(_GSI1,), ttl_attribute="expires_at"),
        # the portal pages' browser sessions and pending sign-ins, by SHA-256 of the cookie value; TTL-expired
        TableSpec("web-sessions", partition_key=_PK, ttl_attribute="expires_at"),
    ),
    # the portal pages' client secret at gBizID's OpenID Provider (docs/operators/deploy.md puts it in)
    secrets=(SecretSpec("exchange-portal-client", "Client secret of the data exchange portal at gBizID"),),
    buckets=(
        BucketSpec("message-log", object_lock=True, retention_days=3650),
        # the administrative audit chain (members, keys, services, rights, consents), archived write-once
        BucketSpec("audit-archive", object_lock=True, retention_days=3650),
    ),
    # the exchange's own key: timestamps, the signed key directory (/r1/{instance}/keys), exported bundles.
    # Each member's signing key is a KMS key of its own, created when the member is registered.
    keys=(KeySpec("exchange-signing", "SIGN_VERIFY", "ECC_NIST_P256", "Signs exchanged messages (ES256)"),),
    functions=(
        FunctionSpec(
            service="exchange",
            description="Data exchange: X-Road style REST gateway between members",
            environment={
                "REGISTRY_TABLE_NAME": _table("registry"),
                "MESSAGE_LOG_BUCKET_NAME": ResourceRef("bucket", "message-log"),
                "EXCHANGE_SIGNING_KEY_ID": ResourceRef("key", "exchange-signing", "arn"),
                "HOJIN_TABLE_NAME": ResourceRef("table", "hojin", scope="opendata"),
                "EXCHANGE_AUDIT_BUCKET_NAME": ResourceRef("bucket", "audit-archive"),
                "EXCHANGE_SESSIONS_TABLE_NAME": _table("web-sessions"),
                "EXCHANGE_PORTAL_CLIENT_SECRET_ID": ResourceRef("secret", "exchange-portal-client", "arn"),
            },
            reads=(
                ResourceRef("table", "hojin", scope="opendata"),  # the gBizINFO data service
                ResourceRef("key", "exchange-signing", "arn"),  # timestamps, key directory
                ResourceRef("secret", "exchange-portal-client", "arn"),  # the portal pages' client secret
            ),
            # replay guard, consents' access records, the message log (append-only: Object Lock bucket); the
            # portal's sessions; the administrative audit archive (append-only: Object Lock bucket)
            writes=(
                _table("registry"),
                ResourceRef("bucket", "message-log"),
                _table("web-sessions"),
                ResourceRef("bucket", "audit-archive"),
            ),
            timeout_seconds=15,  # an external provider has 10 s
        ),
    ),
)


def ministry(name: str) -> StackSpec:
    """The resources one ministry owns: its subsidies, applications, attachments and review flow."""
    return StackSpec(
        scope=name,
        tables=(
            TableSpec("subsidies", partition_key=Attribute("id")),
            TableSpec("applications", partition_key=_PK, sort_key=_SK, indexes=(_GSI1,)),
            # the portal pages' browser sessions and pending sign-ins, by SHA-256 of the cookie value; TTL-expired
            TableSpec("web-sessions", partition_key=_PK, ttl_attribute="expires_at"),
        ),
        # the portal pages' client secret at gBizID's OpenID Provider (docs/operators/deploy.md puts it in)
        secrets=(
            SecretSpec("jgrants-client", f"Client secret of {name}'s jGrants pages at gBizID"),
            # the ministry's client subsystem at the data exchange and its private key (JSON; deploy.md)
            SecretSpec("exchange-client", f"{name}'s jGrants as a data exchange client: identifier and private key"),
        ),
        buckets=(
            BucketSpec("attachments"),
            # the ministry's audit chain (application changes, staff reads), archived write-once
            BucketSpec("audit-archive", object_lock=True, retention_days=3650),
            # EBPM: applications and decisions as Parquet, no personal data (functions/submit/ebpm.py)
            BucketSpec("analytics"),
        ),
        state_machines=(
            StateMachineSpec(
                "application-review",
                "application_review.asl.json",
                # the submit function runs every step that changes an application (by name: no dependency
                # cycle with the function's REVIEW_STATE_MACHINE_ARN)
                substitutions={"SubmitFunctionName": ResourceRef("function", "submit", "name")},
            ),
        ),
        functions=(
            FunctionSpec(
                service="submit",
                description=f"jGrants for {name}: subsidy catalogue and applications",
                environment={
                    "SUBSIDIES_TABLE_NAME": _table("subsidies"),
                    "APPLICATIONS_TABLE_NAME": _table("applications"),
                    "REVIEW_STATE_MACHINE_ARN": ResourceRef("state_machine", "application-review", "arn"),
                    "ATTACHMENTS_BUCKET_NAME": ResourceRef("bucket", "attachments"),
                    # not AUDIT_BUCKET_NAME: the devstack runs every function in one process (gBizID has that)
                    "SUBMIT_AUDIT_BUCKET_NAME": ResourceRef("bucket", "audit-archive"),
                    # prefill and screening read the corporation's record in gBizINFO
                    "HOJIN_TABLE_NAME": ResourceRef("table", "hojin", scope="opendata"),
                    # the EBPM export's (ebpm_export below); the devstack runs every entry point in one process
                    "ANALYTICS_BUCKET_NAME": ResourceRef("bucket", "analytics"),
                    # awards are handed in to gBizINFO as files under incoming/<ministry>/subsidy/
                    "OPEN_DATA_BUCKET_NAME": ResourceRef("bucket", "open-data", scope="opendata"),
                    "JGRANTS_SESSIONS_TABLE_NAME": _table("web-sessions"),
                    "JGRANTS_CLIENT_SECRET_ID": ResourceRef("secret", "jgrants-client", "arn"),
                    "EXCHANGE_CLIENT_SECRET_ID": ResourceRef("secret", "exchange-client", "arn"),
                },
                reads=(
                    ResourceRef("table", "hojin", scope="opendata"),
                    ResourceRef("secret", "jgrants-client", "arn"),  # the portal pages' client secret
                    ResourceRef("secret", "exchange-client", "arn"),  # signs its data exchange requests
                ),
                writes=(
                    _table("subsidies"),  # operators edit the catalogue
                    _table("applications"),
                    _table("web-sessions"),  # the portal pages' sessions
                    ResourceRef("state_machine", "application-review", "arn"),  # start reviews, answer tokens
                    ResourceRef("bucket", "attachments"),  # presigned uploads, verification, quarantine
                    ResourceRef("bucket", "audit-archive"),  # append-only: the bucket is under Object Lock
                ),
                sends_mail=True,  # receipts and decisions, from MAIL_FROM
                # the API Gateway limit; the hourly run (audit, outbox, alerts) uses it too
                timeout_seconds=29,
                # mail left in the outbox (functions/submit/outbox.py); overdue reviews (the hourly run)
                publishes=("NotificationsFailed", "ReviewsOverdue"),
            ),
        ),
    )


def ebpm_export(name: str) -> FunctionSpec:
    """The ministry's hourly EBPM export: the submit code with another entry point, in a container image
    (pyarrow), invoked by the hourly rule beside the API function. Reads the applications and gBizINFO's
    records, writes the analytics bucket only."""
    api = ministry(name).functions[0]
    return FunctionSpec(
        service="submit",
        description=f"jGrants for {name}: EBPM export of applications and decisions (Parquet)",
        environment=api.environment,
        reads=(_table("applications"), ResourceRef("table", "hojin", scope="opendata")),
        writes=(ResourceRef("bucket", "analytics"),),
        memory_mb=1024,
        timeout_seconds=300,
        package="image",
        entry="ebpm_handler",
    )


# In deployment order: OpenData first (it holds the API Gateway account role; Identity reads its records).
CENTRAL_STACKS: tuple[StackSpec, ...] = (OPEN_DATA, IDENTITY, EXCHANGE)
