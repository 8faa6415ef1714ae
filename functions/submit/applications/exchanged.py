"""Attachments the data exchange supplies (once-only, issue 6): fetched at submission instead of uploaded.

An attachment definition with ``exchange_service`` (``INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE``) is fetched
through the exchange about the application's corporation, as the ministry's own client subsystem (signed by
it; the exchange signs, timestamps and logs the exchange). The answer is stored like a verified upload, with its
provenance: the service, the exchange's message id (its message-log entries), the provider member's response
signature and the timestamp. An applicant's own verified upload of that kind is kept and nothing is fetched.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from botocore.exceptions import BotoCoreError, ClientError

from functions.submit.applications.model import Application
from functions.submit.applications.store import ApplicationStore, now_iso
from functions.submit.applications.terms import SubsidyTerms
from functions.submit.attachments import Attachment, State, _record
from functions.submit.exchange_client import ExchangeUnavailable, fetch
from functions.submit.settings import get_settings
from platform_common import aws
from platform_common.errors import FieldError, ServiceUnavailable


def supply_from_exchange(
    store: ApplicationStore, app: Application, terms: SubsidyTerms, verified_kinds: set[str], actor_sub: str
) -> list[Attachment]:
    """Fetch and store every exchange-supplied attachment the application does not hold yet (503 naming the
    attachment when the exchange cannot supply it: the applicant may retry or upload it)."""
    supplied = []
    for need in terms.attachments:
        if need.exchange_service is None or need.code in verified_kinds:
            continue
        try:
            fetched = fetch(need.exchange_service, app.corporate_number)
        except ExchangeUnavailable as error:
            raise ServiceUnavailable(
                f"{need.label_en}: the data exchange could not supply it now ({error}); retry, or upload it",
                [FieldError(f"attachments/{need.code}", "the data exchange could not supply it now")],
            ) from error
        attachment_id = secrets.token_hex(10)
        attachment = Attachment(
            application_id=app.application_id,
            attachment_id=attachment_id,
            kind=need.code,
            file_name=f"{need.code}-{app.corporate_number}.json",
            content_type=fetched.content_type,
            size=len(fetched.body),
            sha256=base64.b64encode(hashlib.sha256(fetched.body).digest()).decode("ascii"),
            state=State.VERIFIED,
            s3_key=f"applications/{app.application_id}/{attachment_id}",
            created_at=now_iso(),
            provenance={
                "source": "exchange",
                "service": fetched.service,
                "message_id": fetched.message_id,
                "response_signature": fetched.response_signature,
                "response_timestamp": fetched.response_timestamp,
            },
        )
        try:
            aws.client("s3").put_object(
                Bucket=get_settings().attachments_bucket_name,
                Key=attachment.s3_key,
                Body=fetched.body,
                ContentType=fetched.content_type,
            )
        except (ClientError, BotoCoreError) as error:
            raise ServiceUnavailable(f"{need.label_en}: the fetched document could not be stored; retry") from error
        aws.client("dynamodb").put_item(
            TableName=store.table, Item=attachment.to_item(), ConditionExpression="attribute_not_exists(sk)"
        )
        _record("attachment.exchanged", actor_sub, app, attachment)
        supplied.append(attachment)
    return supplied
