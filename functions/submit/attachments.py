"""Attachments: uploaded straight to S3, verified by the server before an application can be submitted.

1. ``request_upload`` checks what the applicant declares (kind, name, type, size, SHA-256), records the
   attachment ``PENDING`` and answers a presigned ``PUT`` (15 minutes) whose signature covers the
   ``x-amz-checksum-sha256`` header, so S3 refuses a body that does not match.
2. ``complete`` reads the object back and trusts nothing it was told: it recomputes size and SHA-256, checks
   the magic bytes against the declared type, and runs the malware scanner. The attachment becomes
   ``VERIFIED``, ``MISMATCH`` (and the object is removed) or ``QUARANTINED`` (the object is moved under
   ``quarantine/`` and never served back).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.submit.applications.model import APP_PREFIX, ATT_PREFIX, Application, Item, is_editable
from functions.submit.applications.store import ApplicationStore, AuditEvent, audit_log, now_iso
from functions.submit.applications.terms import SubsidyTerms
from functions.submit.scan import MalwareScanner, Verdict
from functions.submit.settings import SERVICE
from platform_common import aws
from platform_common.audit import AuditUnavailable
from platform_common.errors import Conflict, FieldError, InvalidInput, NotFound
from platform_common.observability import observability_for

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_ATTACHMENTS: Final = 50  # per application, every state counted
MAX_NAME_BYTES: Final = 255
UPLOAD_SECONDS: Final = 900
QUARANTINE_PREFIX: Final = "quarantine/"

CONTENT_TYPES: Final[dict[str, str]] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/csv": "csv",
}
EXTENSIONS: Final[dict[str, tuple[str, ...]]] = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "xlsx": (".xlsx",),
    "docx": (".docx",),
    "csv": (".csv",),
}
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ATTACHMENT_ID: Final = re.compile(r"^[0-9a-f]{20}$")

_logger = observability_for(SERVICE).logger


class State(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    MISMATCH = "MISMATCH"
    QUARANTINED = "QUARANTINED"


@dataclass(frozen=True)
class Attachment:
    application_id: str
    attachment_id: str
    kind: str
    file_name: str
    content_type: str
    size: int
    sha256: str  # base64, as S3's x-amz-checksum-sha256
    state: State
    s3_key: str
    created_at: str
    reason: str | None = None
    # supplied by the data exchange instead of uploaded: service, message id (its message-log entries), the
    # provider member's response signature and the timestamp (functions/submit/applications/exchanged.py)
    provenance: dict[str, str] | None = None

    def to_item(self) -> Item:
        item: Item = {
            "pk": {"S": APP_PREFIX + self.application_id},
            "sk": {"S": ATT_PREFIX + self.attachment_id},
            "attachment_id": {"S": self.attachment_id},
            "kind": {"S": self.kind},
            "file_name": {"S": self.file_name},
            "content_type": {"S": self.content_type},
            "size": {"N": str(self.size)},
            "sha256": {"S": self.sha256},
            "state": {"S": self.state.value},
            "s3_key": {"S": self.s3_key},
            "created_at": {"S": self.created_at},
        }
        if self.reason:
            item["reason"] = {"S": self.reason}
        if self.provenance:
            item["provenance"] = {"M": {name: {"S": value} for name, value in self.provenance.items()}}
        return item

    @classmethod
    def from_item(cls, item: Item) -> Attachment:
        return cls(
            application_id=item["pk"]["S"].removeprefix(APP_PREFIX),
            attachment_id=item["attachment_id"]["S"],
            kind=item["kind"]["S"],
            file_name=item["file_name"]["S"],
            content_type=item["content_type"]["S"],
            size=int(item["size"]["N"]),
            sha256=item["sha256"]["S"],
            state=State(item["state"]["S"]),
            s3_key=item["s3_key"]["S"],
            created_at=item["created_at"]["S"],
            reason=item.get("reason", {}).get("S"),
            provenance={name: value["S"] for name, value in item["provenance"]["M"].items()}
            if "provenance" in item
            else None,
        )

    def public(self) -> dict[str, Any]:
        """What the applicant sees (never the object key)."""
        shown: dict[str, Any] = {
            "id": self.attachment_id,
            "kind": self.kind,
            "file_name": self.file_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "state": self.state.value,
        }
        if self.reason:
            shown["reason"] = self.reason
        if self.provenance:
            shown["provenance"] = dict(self.provenance)
        return shown


# ------------------------------------------------------------------------------------- checks


def check_file_name(name: str) -> str:
    """The name as stored (NFC); 400 naming ``file_name`` for separators, control characters or length."""
    normal = unicodedata.normalize("NFC", name).strip()
    if not normal or normal in (".", ".."):
        raise InvalidInput.for_field("file_name", "enter the file's name")
    if "/" in normal or "\\" in normal:
        raise InvalidInput.for_field("file_name", "a file name has no path separators (/ or \\)")
    if _CONTROL.search(normal):
        raise InvalidInput.for_field("file_name", "a file name has no control characters")
    if len(normal.encode("utf-8")) > MAX_NAME_BYTES:
        raise InvalidInput.for_field("file_name", f"a file name is at most {MAX_NAME_BYTES} bytes in UTF-8")
    return normal


def check_sha256(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != hashlib.sha256().digest_size:
        raise InvalidInput.for_field("sha256", "the SHA-256 of the file, 32 bytes in base64 (44 characters)")
    return base64.b64encode(raw).decode()


def check_declaration(
    terms: SubsidyTerms, kind: str, file_name: str, content_type: str, size: int, sha256: str
) -> tuple[str, str]:
    """(file name as stored, SHA-256 in canonical base64); every bad field named at once."""
    errors: list[FieldError] = []
    requirement = terms.attachment(kind)
    if requirement is None:
        errors.append(FieldError("kind", f"this subsidy asks for no attachment of kind {kind!r}"))
    fmt = CONTENT_TYPES.get(content_type)
    if fmt is None:
        errors.append(FieldError("content_type", "PDF, PNG, JPEG, XLSX, DOCX or CSV only"))
    elif requirement is not None and fmt not in requirement.formats:
        errors.append(FieldError("content_type", f"this attachment takes {', '.join(requirement.formats)}"))
    if not 0 < size <= MAX_BYTES:
        errors.append(FieldError("size", f"a file is 1 byte to {MAX_BYTES // (1024 * 1024)} MB"))
    name, digest = file_name, sha256
    for check, field_name in ((check_file_name, "file_name"), (check_sha256, "sha256")):
        try:
            value = check(file_name if field_name == "file_name" else sha256)
        except InvalidInput as invalid:
            errors.extend(invalid.errors)
            continue
        if field_name == "file_name":
            name = value
        else:
            digest = value
    if (
        fmt is not None
        and not any(name.lower().endswith(ext) for ext in EXTENSIONS[fmt])
        and "file_name" not in {e.item for e in errors}
    ):
        errors.append(FieldError("file_name", f"a {fmt} file's name ends with {' or '.join(EXTENSIONS[fmt])}"))
    if errors:
        raise InvalidInput("; ".join(f"{e.item}: {e.message}" for e in errors), errors)
    return name, digest


def matches_type(body: bytes, fmt: str) -> bool:
    """The magic bytes (and for Office files, the package's main part) agree with the declared format."""
    if fmt == "pdf":
        return body.startswith(b"%PDF-")
    if fmt == "png":
        return body.startswith(b"\x89PNG\r\n\x1a\n")
    if fmt == "jpeg":
        return body.startswith(b"\xff\xd8\xff")
    if fmt in ("xlsx", "docx"):
        if not body.startswith(b"PK\x03\x04"):
            return False
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except (zipfile.BadZipFile, ValueError):
            return False
        main = "xl/workbook.xml" if fmt == "xlsx" else "word/document.xml"
        return "[Content_Types].xml" in names and main in names
    if fmt == "csv":
        if b"\x00" in body:
            return False
        for encoding in ("utf-8", "cp932"):  # UTF-8 or Shift_JIS, as Japanese spreadsheets save it
            try:
                body.decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
        return False
    return False


# ------------------------------------------------------------------------------------- store


def attachments_of(store: ApplicationStore, application_id: str) -> list[Attachment]:
    return [Attachment.from_item(item) for item in store.children(application_id, ATT_PREFIX)]


def _record(kind: str, actor_sub: str, app: Application, attachment: Attachment) -> None:
    event = AuditEvent(
        kind,
        actor_sub,
        app.corporate_number,
        {
            "application_id": app.application_id,
            "attachment_id": attachment.attachment_id,
            "kind": attachment.kind,
            "state": attachment.state.value,
        },
    )
    try:
        audit_log().record_event(
            event.kind,
            outcome="success" if attachment.state is State.VERIFIED else "failure",
            actor_sub=actor_sub,
            corporate_number=app.corporate_number,
            detail=event.detail,
        )
    except (AuditUnavailable, ClientError):
        _logger.exception("attachment audit event not recorded", extra={"attachment_id": attachment.attachment_id})


def request_upload(
    store: ApplicationStore,
    bucket: str,
    app: Application,
    terms: SubsidyTerms,
    *,
    kind: str,
    file_name: str,
    content_type: str,
    size: int,
    sha256: str,
) -> tuple[Attachment, dict[str, Any]]:
    """Record a pending attachment and return it with the presigned upload (URL, method, headers)."""
    if not is_editable(app.status):
        raise Conflict(f"attachments cannot be added to an application in status {app.status}")
    name, digest = check_declaration(terms, kind, file_name, content_type, size, sha256)
    if len(store.children(app.application_id, ATT_PREFIX)) >= MAX_ATTACHMENTS:
        raise Conflict(f"at most {MAX_ATTACHMENTS} attachments per application")
    attachment_id = secrets.token_hex(10)
    attachment = Attachment(
        application_id=app.application_id,
        attachment_id=attachment_id,
        kind=kind,
        file_name=name,
        content_type=content_type,
        size=size,
        sha256=digest,
        state=State.PENDING,
        s3_key=f"applications/{app.application_id}/{attachment_id}",
        created_at=now_iso(),
    )
    aws.client("dynamodb").put_item(
        TableName=store.table, Item=attachment.to_item(), ConditionExpression="attribute_not_exists(sk)"
    )
    url = aws.s3_presigner().generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": attachment.s3_key, "ContentType": content_type, "ChecksumSHA256": digest},
        ExpiresIn=UPLOAD_SECONDS,
        HttpMethod="PUT",
    )
    upload = {
        "url": url,
        "method": "PUT",
        "headers": {"Content-Type": content_type, "x-amz-checksum-sha256": digest},
        "expires_in": UPLOAD_SECONDS,
    }
    return attachment, upload


class _Settled(Exception):
    """The attachment left PENDING before this request's verdict was written: ``current`` is its result."""

    def __init__(self, current: Attachment):
        super().__init__(current.attachment_id)
        self.current = current


def _set_state(store: ApplicationStore, attachment: Attachment, state: State, reason: str | None) -> Attachment:
    """Write the verdict, only over a PENDING attachment. A refused write is looked at again: if this very
    write landed and only its answer was lost (the SDK retried it), the verdict stands; if another completion
    settled the attachment first, :class:`_Settled` carries its result."""
    changed = Attachment(**{**attachment.__dict__, "state": state, "reason": reason})
    write_id = secrets.token_hex(8)
    try:
        aws.client("dynamodb").put_item(
            TableName=store.table,
            Item={**changed.to_item(), "verdict_write": {"S": write_id}},
            ConditionExpression="#state = :pending",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":pending": {"S": State.PENDING.value}},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        item = _stored_item(store, attachment.application_id, attachment.attachment_id)
        if item is not None and item.get("verdict_write", {}).get("S") == write_id:
            return changed
        if item is None or item["state"]["S"] == State.PENDING.value:
            raise Conflict("the attachment changed meanwhile: complete it again") from exc
        raise _Settled(Attachment.from_item(item)) from exc
    return changed


def _stored_item(store: ApplicationStore, application_id: str, attachment_id: str) -> Item | None:
    found: Item | None = (
        aws.client("dynamodb")
        .get_item(
            TableName=store.table,
            Key={"pk": {"S": APP_PREFIX + application_id}, "sk": {"S": ATT_PREFIX + attachment_id}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return found


def _read_object(bucket: str, key: str) -> bytes | None:
    s3 = aws.client("s3")
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    if int(head.get("ContentLength", 0)) > MAX_BYTES:
        return b"\x00" * (MAX_BYTES + 1)  # too large: the size check below refuses it without reading it
    body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def complete(
    store: ApplicationStore,
    bucket: str,
    scanner: MalwareScanner,
    app: Application,
    attachment_id: str,
    actor_sub: str,
) -> Attachment:
    """Verify the uploaded object: checksum, size, type, malware. Completing twice returns the result."""
    if not _ATTACHMENT_ID.match(attachment_id):
        raise NotFound(f"no attachment {attachment_id}")
    item = _stored_item(store, app.application_id, attachment_id)
    if item is None:
        raise NotFound(f"no attachment {attachment_id}")
    attachment = Attachment.from_item(item)
    if attachment.state is not State.PENDING:
        return attachment
    try:
        return _verify(store, bucket, scanner, app, attachment, actor_sub)
    except _Settled as settled:
        return settled.current  # completed twice at once, or a retried write: the one result, audited once


def _verify(
    store: ApplicationStore,
    bucket: str,
    scanner: MalwareScanner,
    app: Application,
    attachment: Attachment,
    actor_sub: str,
) -> Attachment:
    body = _read_object(bucket, attachment.s3_key)
    if body is None:
        raise Conflict("the file has not been uploaded yet: PUT it to the upload URL, then complete")
    s3 = aws.client("s3")
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    problem = None
    if len(body) != attachment.size:
        problem = f"the uploaded file has {len(body)} bytes, {attachment.size} were declared"
    elif not secrets.compare_digest(digest, attachment.sha256):
        problem = "the uploaded file's SHA-256 differs from the declared one"
    elif not matches_type(body, CONTENT_TYPES[attachment.content_type]):
        problem = f"the file's content is not {CONTENT_TYPES[attachment.content_type].upper()}"
    # The verdict is written before the object is moved or removed: a failure in between leaves the attachment
    # PENDING with its object (completing again redoes the check) or settled with an orphan never served.
    if problem is not None:
        done = _set_state(store, attachment, State.MISMATCH, problem)
        s3.delete_object(Bucket=bucket, Key=attachment.s3_key)
        _record("application.attachment_rejected", actor_sub, app, done)
        return done
    verdict = scanner.scan(bucket, attachment.s3_key, body)
    if verdict is Verdict.PENDING:
        return attachment  # the scan runs: the client completes again shortly
    if verdict is Verdict.CLEAN:
        done = _set_state(store, attachment, State.VERIFIED, None)
        _record("application.attachment_verified", actor_sub, app, done)
        return done
    quarantined = QUARANTINE_PREFIX + attachment.s3_key
    s3.copy_object(Bucket=bucket, Key=quarantined, CopySource={"Bucket": bucket, "Key": attachment.s3_key})
    reason = "malware was found in the file" if verdict is Verdict.INFECTED else "the file could not be scanned"
    done = _set_state(store, Attachment(**{**attachment.__dict__, "s3_key": quarantined}), State.QUARANTINED, reason)
    s3.delete_object(Bucket=bucket, Key=attachment.s3_key)
    _record("application.attachment_quarantined", actor_sub, app, done)
    return done
