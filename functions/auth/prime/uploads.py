"""The application form as multipart/form-data, and the seal certificate (印鑑証明書) it carries.

Parsed with the standard library's :mod:`email` parser (``python-multipart`` is not a dependency): the
body is prefixed with its Content-Type header and read as a MIME message; each part's
``Content-Disposition`` names the field. The certificate's type is decided by its first bytes (PDF, JPEG
or PNG), never by the file name or the type the browser claims.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Final

from platform_common import aws
from platform_common.errors import InvalidInput

MAX_SEAL_CERTIFICATE_BYTES: Final = 5 * 1024 * 1024
MAX_FORM_BYTES: Final = MAX_SEAL_CERTIFICATE_BYTES + 256 * 1024
SEAL_FIELD: Final = "seal_certificate"

_MAGIC: Final[tuple[tuple[bytes, str, str], ...]] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class UploadedFile:
    field: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class MultipartForm:
    fields: dict[str, str]
    files: dict[str, UploadedFile]


def parse_multipart(content_type: str | None, body: bytes) -> MultipartForm:
    """Fields and files of a multipart/form-data body. A malformed body is the client's error."""
    if (
        not content_type
        or not content_type.lower().startswith("multipart/form-data")
        or "boundary=" not in content_type
    ):
        raise InvalidInput.for_field("Content-Type", "the form must be sent as multipart/form-data")
    if len(body) > MAX_FORM_BYTES:
        raise InvalidInput.for_field(SEAL_FIELD, "the file is larger than 5 MB")
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message: Message = BytesParser(policy=HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise InvalidInput.for_field("Content-Type", "the form body is not valid multipart/form-data")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]  # EmailMessage under the HTTP policy
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            if payload:  # an empty file input sends a part with no content
                files[name] = UploadedFile(name, str(filename), bytes(payload))
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            fields[name] = bytes(payload).decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise InvalidInput.for_field(name, "the value is not valid UTF-8 text") from None
    return MultipartForm(fields, files)


def seal_certificate_type(content: bytes) -> tuple[str, str]:
    """(media type, extension) of a seal certificate, from its magic bytes; size and type are checked."""
    if not content:
        raise InvalidInput.for_field(SEAL_FIELD, "attach the seal certificate (PDF, JPEG or PNG)")
    if len(content) > MAX_SEAL_CERTIFICATE_BYTES:
        raise InvalidInput.for_field(SEAL_FIELD, "the file is larger than 5 MB")
    for magic, media_type, extension in _MAGIC:
        if content.startswith(magic):
            return media_type, extension
    raise InvalidInput.for_field(SEAL_FIELD, "the file must be a PDF, JPEG or PNG")


def store_seal_certificate(bucket: str, kms_key_id: str | None, application_id: str, content: bytes) -> tuple[str, str]:
    """Upload under a random key with SSE-KMS; return (object key, media type)."""
    media_type, extension = seal_certificate_type(content)
    key = f"prime-applications/{application_id}/{secrets.token_urlsafe(18)}.{extension}"
    extra: dict[str, str] = {"ServerSideEncryption": "aws:kms"}
    if kms_key_id:
        extra["SSEKMSKeyId"] = kms_key_id
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=content, ContentType=media_type, **extra)
    return key, media_type


def seal_certificate_link(bucket: str, key: str, expires_seconds: int = 300) -> str:
    """A short-lived presigned GET of a stored certificate, for the operator's review."""
    url: str = aws.client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_seconds
    )
    return url
