"""boto3 clients and resources, made once per process.

Plain boto3: where the code runs is the environment's business. The devstack and the tests set
``AWS_ENDPOINT_URL`` (honoured by boto3 itself) to reach moto; in the cloud it is unset.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

_CONFIG = Config(
    connect_timeout=2,
    read_timeout=10,
    retries={"max_attempts": 3, "mode": "standard"},
)


@cache
def client(service_name: str) -> Any:
    return boto3.session.Session().client(service_name, config=_CONFIG)  # type: ignore[call-overload]


@cache
def resource(service_name: str) -> Any:
    return boto3.session.Session().resource(service_name, config=_CONFIG)  # type: ignore[call-overload]


@cache
def s3_presigner() -> Any:
    """An S3 client for presigned URLs, signed with SigV4 so that the checksum and content-type headers are
    signed headers (the default presigner may use SigV2, which leaves them out). Made once like the others:
    building a client loads the service model, about 0.1 s of CPU, too much for every upload of a rush."""
    return boto3.session.Session().client("s3", config=_CONFIG.merge(Config(signature_version="s3v4")))


def reset_clients() -> None:
    """Forget cached clients (tests that switch between mocked and real endpoints)."""
    client.cache_clear()
    resource.cache_clear()
    s3_presigner.cache_clear()


# Error codes that mean "not now" rather than "never": throttles and an AWS-side fault. The client has already
# retried them with backoff (standard mode); one that is still raised becomes a 503 with Retry-After.
_UNAVAILABLE_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "InternalError",
        "InternalServerError",
        # KMS: the key cannot be used now (an operator enables it or the service recovers); no client can help
        "KMSInternalException",
        "DependencyTimeoutException",
        "KeyUnavailableException",
        "DisabledException",
        "KMSInvalidStateException",
    }
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether an AWS error, raised after the client's retries, means the dependency is unavailable for now."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return error.get("Code") in _UNAVAILABLE_CODES or status >= 500
    return isinstance(exc, ConnectionError | HTTPClientError) or (
        isinstance(exc, BotoCoreError) and "timeout" in type(exc).__name__.lower()
    )
