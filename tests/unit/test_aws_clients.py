"""The shared boto3 clients: made once per process; the S3 presigner signs the headers an upload must carry."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from platform_common import aws


@pytest.fixture
def offline_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unit")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    aws.reset_clients()
    yield
    aws.reset_clients()


def test_the_presigner_is_made_once_per_process_and_forgotten_with_the_other_clients(offline_aws):
    # building a client loads the service model: once per process, not once per upload of a deadline rush
    first = aws.s3_presigner()

    assert aws.s3_presigner() is first
    aws.reset_clients()
    assert aws.s3_presigner() is not first


def test_a_presigned_upload_signs_the_checksum_and_content_type_headers(offline_aws):
    digest = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    url = aws.s3_presigner().generate_presigned_url(
        "put_object",
        Params={"Bucket": "b", "Key": "k", "ContentType": "application/pdf", "ChecksumSHA256": digest},
        ExpiresIn=900,
        HttpMethod="PUT",
    )

    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    signed = query["X-Amz-SignedHeaders"][0].split(";")
    assert "x-amz-checksum-sha256" in signed
    assert "content-type" in signed
