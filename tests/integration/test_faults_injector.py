"""The fault injector itself (tests/faults.py): errors reach the code as AWS's would, retried as the client's
retry mode says, and an injected failure never reaches moto."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from platform_common import aws
from tests.faults import (
    DYNAMODB_THROTTLE,
    KMS_DISABLED,
    S3_SLOW_DOWN,
    SES_MESSAGE_REJECTED,
    SNS_INTERNAL_ERROR,
    inject,
    transaction_canceled,
)

# platform_common.aws asks for 3 retries (botocore's ``max_attempts`` counts retries): 4 attempts in all
ATTEMPTS = 1 + 3


def _table(aws_platform: dict[str, Any]) -> str:
    return str(aws_platform["meti"].name("table", "applications"))


def test_a_transient_throttle_is_retried_with_backoff_and_then_succeeds(aws_platform: dict[str, Any]) -> None:
    # Given two throttled attempts, when an item is put, then the third attempt writes it after two backoffs
    key = {"pk": {"S": "FAULT#transient"}, "sk": {"S": "X"}}
    with inject("dynamodb", "PutItem", DYNAMODB_THROTTLE, times=2) as fault:
        aws.client("dynamodb").put_item(TableName=_table(aws_platform), Item=key)
    assert (fault.attempts, fault.injected, len(fault.delays)) == (3, 2, 2)  # two backoffs, then success
    assert all(0 <= delay <= 20 for delay in fault.delays)
    assert "Item" in aws.client("dynamodb").get_item(TableName=_table(aws_platform), Key=key)


def test_a_persistent_throttle_fails_after_the_last_retry_and_writes_nothing(aws_platform: dict[str, Any]) -> None:
    key = {"pk": {"S": "FAULT#persistent"}, "sk": {"S": "X"}}
    with inject("dynamodb", "PutItem", DYNAMODB_THROTTLE) as fault, pytest.raises(ClientError) as raised:
        aws.client("dynamodb").put_item(TableName=_table(aws_platform), Item=key)
    assert raised.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert fault.attempts == ATTEMPTS
    assert "Item" not in aws.client("dynamodb").get_item(TableName=_table(aws_platform), Key=key)


def test_modeled_fields_and_non_retryable_codes_reach_the_caller_once(aws_platform: dict[str, Any]) -> None:
    item = {"Put": {"TableName": _table(aws_platform), "Item": {"pk": {"S": "FAULT#tx"}, "sk": {"S": "X"}}}}
    canceled = transaction_canceled("ConditionalCheckFailed")
    with inject("dynamodb", "TransactWriteItems", canceled) as fault, pytest.raises(ClientError) as raised:
        aws.client("dynamodb").transact_write_items(TransactItems=[item])
    assert fault.attempts == 1
    assert raised.value.response["CancellationReasons"] == [{"Code": "ConditionalCheckFailed"}]
    with inject("kms", "Sign", KMS_DISABLED) as fault, pytest.raises(ClientError) as kms_error:
        aws.client("kms").sign(KeyId="any", Message=b"x", SigningAlgorithm="ECDSA_SHA_256")
    assert (kms_error.value.response["Error"]["Code"], fault.attempts) == ("DisabledException", 1)


def test_xml_services_get_their_errors_too(aws_platform: dict[str, Any]) -> None:
    with inject("s3", "GetObject", S3_SLOW_DOWN) as s3_fault, pytest.raises(ClientError) as s3_error:
        aws.client("s3").get_object(Bucket="any-bucket", Key="k")
    assert (s3_error.value.response["Error"]["Code"], s3_fault.attempts) == ("SlowDown", ATTEMPTS)
    with inject("ses", "SendEmail", SES_MESSAGE_REJECTED) as ses_fault, pytest.raises(ClientError) as ses_error:
        aws.client("ses").send_email(
            Source="a@example.jp", Destination={"ToAddresses": ["b@example.jp"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        )  # fmt: skip
    assert (ses_error.value.response["Error"]["Code"], ses_fault.attempts) == ("MessageRejected", 1)
    with inject("sns", "Publish", SNS_INTERNAL_ERROR) as sns_fault, pytest.raises(ClientError) as sns_error:
        aws.client("sns").publish(PhoneNumber="+819012345678", Message="x")
    assert (sns_error.value.response["Error"]["Code"], sns_fault.attempts) == ("InternalError", ATTEMPTS)
