"""Prime applications: submit (document or online path), operator review, and the Prime account itself.

Document path: the application and the seal certificate are stored, the ``prime-review`` execution starts
and waits on a task token it writes onto the application; an operator's decision is claimed on the item
first (a conditional update, so a double click decides once), the account is created or upgraded, and the
token is answered so the execution records the outcome. Online path: a valid signature of the
representative approves the application at once.

Upgrading keeps the Cognito user, so the account's ``sub`` (the subject every relying party knows) stays.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.auth.audit import record_event
from functions.auth.dal import USER_PREFIX, ProfileItem, get_store
from functions.auth.models import AccountTier
from functions.auth.notify import notify_email
from functions.auth.prime.models import (
    PRIMEAPP_PREFIX,
    PRIMEAPP_SK,
    PRIMEAPP_STATUS_PREFIX,
    PROCEDURE_DOCUMENT,
    PROCEDURE_ONLINE,
    ApplicationStatus,
    PrimeApplicationItem,
    PrimeApplicationRequest,
    RequestOrigin,
)
from functions.auth.prime.normalize import normalize_address, normalize_name
from functions.auth.prime.online import SIGNATURE_FIELD, SignatureRefused, verify_signed_application
from functions.auth.prime.uploads import SEAL_FIELD, seal_certificate_type, store_seal_certificate
from functions.auth.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from platform_common.observability import observability_for

PENDING_SK: Final = "PRIMEAPP_PENDING"  # one open application per account
VERIFICATION_SK: Final = "VERIFICATION"  # how the account's holder was verified (for verified_claims)
MAX_REASON: Final = 500
TOKEN_WAIT_SECONDS: Final = 3.0

_logger = observability_for(SERVICE).logger


@dataclass(frozen=True)
class Decision:
    application: PrimeApplicationItem
    account_sub: str | None
    already_decided: bool


def _table() -> str:
    return get_settings().accounts_table_name


def _now() -> int:
    return int(time.time())


def new_application_id() -> str:
    return secrets.token_hex(12)


# -- the open data ---------------------------------------------------------------------------------------


def hojin_record(corporate_number: str) -> dict[str, Any] | None:
    """The corporation's basic information from gBizINFO's table, or None."""
    item = (
        aws.client("dynamodb")
        .get_item(TableName=get_settings().hojin_table_name, Key={"corporate_number": {"S": corporate_number}})
        .get("Item")
    )
    if item is None or "document" not in item:
        return None
    document = json.loads(item["document"]["S"])
    return document if isinstance(document, dict) else None


def check_against_open_data(request: PrimeApplicationRequest) -> dict[str, Any]:
    """The open-data record, if the application's name and address match it; else the mismatching fields."""
    record = hojin_record(request.corporate_number)
    if record is None:
        raise InvalidInput.for_field(
            "corporate_number", "no corporation with this number is in the basic information of the open data"
        )
    errors: list[FieldError] = []
    if normalize_name(request.corporation_name) != normalize_name(str(record.get("name", ""))):
        errors.append(FieldError("corporation_name", "the name differs from the registered name of this number"))
    if normalize_address(request.head_office_address) != normalize_address(str(record.get("location", ""))):
        errors.append(
            FieldError("head_office_address", "the address differs from the registered head office of this number")
        )
    if errors:
        raise InvalidInput(detail="; ".join(f"{e.item}: {e.message}" for e in errors), errors=errors)
    return record


# -- submitting -------------------------------------------------------------------------------------------


def _check_applicant(profile: ProfileItem | None) -> ProfileItem:
    if profile is None or profile.role is not None:
        raise Forbidden(detail="only a corporate account can apply for a Prime account")
    if profile.tier is AccountTier.PRIME:
        raise Conflict(detail="this account is a Prime account already")
    if profile.tier is AccountTier.MEMBER:
        raise Forbidden(detail="a Member account cannot become a Prime account; apply with your own account")
    return profile


def _store_new(application: PrimeApplicationItem) -> None:
    """Put the application and the account's open-application marker together (one open application)."""
    marker = {
        "pk": {"S": USER_PREFIX + application.applicant_sub},
        "sk": {"S": PENDING_SK},
        "application_id": {"S": application.application_id},
    }
    try:
        aws.client("dynamodb").transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": _table(),
                        "Item": application.to_item(),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"TableName": _table(), "Item": marker, "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
            raise Conflict(detail="an application of this account is waiting for review already") from None
        raise


def _release_marker(applicant_sub: str) -> None:
    aws.client("dynamodb").delete_item(
        TableName=_table(), Key={"pk": {"S": USER_PREFIX + applicant_sub}, "sk": {"S": PENDING_SK}}
    )


def pending_application_of(sub: str) -> PrimeApplicationItem | None:
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(), Key={"pk": {"S": USER_PREFIX + sub}, "sk": {"S": PENDING_SK}}, ConsistentRead=True
        )
        .get("Item")
    )
    return None if item is None else find_application(item["application_id"]["S"])


def submit_application(
    profile: ProfileItem | None,
    request: PrimeApplicationRequest,
    *,
    seal_certificate: bytes | None,
    signed_application: str | None,
    lang: str,
    origin: RequestOrigin | None = None,
) -> PrimeApplicationItem:
    """Check and store an application; start the review, or approve at once on a valid signature."""
    applicant = _check_applicant(profile)
    origin = origin or RequestOrigin()
    signed = (signed_application or "").strip()
    if not signed and not seal_certificate:
        raise InvalidInput.for_field(SEAL_FIELD, "attach the seal certificate (PDF, JPEG or PNG)")
    try:
        check_against_open_data(request)
    except InvalidInput as mismatch:
        record_event(
            "prime.applied",
            outcome="failure",
            actor_sub=applicant.sub,
            corporate_number=request.corporate_number,
            detail={"reason": "open_data_mismatch", "fields": ",".join(e.item for e in mismatch.errors)},
            **origin,
        )
        raise
    settings = get_settings()
    application_id = new_application_id()
    if signed:
        try:
            verify_signed_application(signed, request.signed_fields(applicant.email), settings.prime_trust_anchors_pem)
        except SignatureRefused as refused:
            record_event(
                "prime.applied",
                outcome="failure",
                actor_sub=applicant.sub,
                corporate_number=request.corporate_number,
                detail={"procedure": PROCEDURE_ONLINE, "reason": refused.reason},
                **origin,
            )
            raise InvalidInput.for_field(SIGNATURE_FIELD, str(refused)) from None
        return _approve_online(applicant, request, application_id, lang, origin)

    seal_certificate = seal_certificate or b""
    seal_certificate_type(seal_certificate)  # refuse a bad file before anything is stored
    key, media_type = store_seal_certificate(
        settings.seal_certificates_bucket_name, None, application_id, seal_certificate
    )
    application = replace(
        _new_application(request, applicant, application_id, PROCEDURE_DOCUMENT, lang),
        seal_certificate_key=key,
        seal_certificate_type=media_type,
    )
    _store_new(application)
    execution_arn = aws.client("stepfunctions").start_execution(
        stateMachineArn=settings.prime_review_state_machine_arn,
        name=application_id,
        input=json.dumps({"pk": PRIMEAPP_PREFIX + application_id, "sk": PRIMEAPP_SK}),
    )["executionArn"]
    aws.client("dynamodb").update_item(
        TableName=_table(),
        Key=application.key(),
        UpdateExpression="SET execution_arn = :arn",
        ExpressionAttributeValues={":arn": {"S": execution_arn}},
    )
    notify_email(applicant.email, "prime_received", lang)
    record_event(
        "prime.applied",
        outcome="success",
        actor_sub=applicant.sub,
        subject_sub=applicant.sub,
        corporate_number=request.corporate_number,
        detail={"application_id": application_id, "procedure": PROCEDURE_DOCUMENT},
        **origin,
    )
    return find_application(application_id) or application


def _new_application(
    request: PrimeApplicationRequest, applicant: ProfileItem, application_id: str, procedure: str, lang: str
) -> PrimeApplicationItem:
    return PrimeApplicationItem(
        application_id=application_id,
        applicant_sub=applicant.sub,
        applicant_email=applicant.email,
        corporate_number=request.corporate_number,
        corporation_name=request.corporation_name,
        head_office_address=request.head_office_address,
        representative_name=request.representative_name,
        representative_kana=request.representative_kana,
        contact_phone=request.contact_phone,
        procedure=procedure,
        lang=lang,
    )


def _approve_online(
    applicant: ProfileItem,
    request: PrimeApplicationRequest,
    application_id: str,
    lang: str,
    origin: RequestOrigin,
) -> PrimeApplicationItem:
    now = _now()
    application = _new_application(request, applicant, application_id, PROCEDURE_ONLINE, lang).decided(
        ApplicationStatus.APPROVED, "online-signature", None, now
    )
    aws.client("dynamodb").put_item(
        TableName=_table(), Item=application.to_item(), ConditionExpression="attribute_not_exists(pk)"
    )
    record_event(
        "prime.applied",
        outcome="success",
        actor_sub=applicant.sub,
        subject_sub=applicant.sub,
        corporate_number=request.corporate_number,
        detail={"application_id": application_id, "procedure": PROCEDURE_ONLINE},
        **origin,
    )
    sub = ensure_prime_account(application)
    notify_email(applicant.email, "prime_approved", lang)
    record_event(
        "prime.approved",
        outcome="success",
        actor_sub=applicant.sub,
        subject_sub=sub,
        corporate_number=request.corporate_number,
        detail={"application_id": application_id, "procedure": PROCEDURE_ONLINE},
        **origin,
    )
    return application


# -- the Prime account -------------------------------------------------------------------------------------


def _cognito_sub(attributes: list[dict[str, str]]) -> str:
    return next(a["Value"] for a in attributes if a["Name"] == "sub")


def ensure_prime_account(application: PrimeApplicationItem) -> str:
    """Make the applicant's account a Prime account of the corporation; return its ``sub``. Idempotent.

    An existing user is upgraded in place (same Cognito user, same ``sub``): group entry → prime, the
    custom attributes, the profile. If the applicant's user no longer exists, a new one is created.
    """
    settings = get_settings()
    cognito = aws.client("cognito-idp")
    user = {"UserPoolId": settings.user_pool_id, "Username": application.applicant_email}
    attributes = [
        {"Name": "custom:account_type", "Value": AccountTier.PRIME.account_type},
        {"Name": "custom:corporate_number", "Value": application.corporate_number},
    ]
    try:
        sub = _cognito_sub(cognito.admin_get_user(**user)["UserAttributes"])
    except cognito.exceptions.UserNotFoundException:
        created = cognito.admin_create_user(
            **user,
            UserAttributes=[
                {"Name": "email", "Value": application.applicant_email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        sub = _cognito_sub(created["User"]["Attributes"])
    cognito.admin_update_user_attributes(**user, UserAttributes=attributes)
    with contextlib.suppress(ClientError):  # not in the group
        cognito.admin_remove_user_from_group(**user, GroupName=AccountTier.ENTRY.value)
    cognito.admin_add_user_to_group(**user, GroupName=AccountTier.PRIME.value)
    store = get_store()
    existing = store.get_profile(sub)
    profile = ProfileItem(
        sub=sub,
        email=application.applicant_email,
        tier=AccountTier.PRIME,
        corporate_number=application.corporate_number,
        created_at=existing.created_at if existing is not None else _now(),
    )
    store.put_profile(profile)
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={
            "pk": {"S": USER_PREFIX + sub},
            "sk": {"S": VERIFICATION_SK},
            "procedure": {"S": application.procedure},
            "application_id": {"S": application.application_id},
            "corporate_number": {"S": application.corporate_number},
            "verified_at": {"N": str(application.decided_at or _now())},
        },
    )
    return sub


def identity_verification(sub: str) -> dict[str, Any] | None:
    """How a Prime holder was verified: {"procedure", "verified_at" (epoch), "corporate_number"} or None."""
    item = (
        aws.client("dynamodb")
        .get_item(TableName=_table(), Key={"pk": {"S": USER_PREFIX + sub}, "sk": {"S": VERIFICATION_SK}})
        .get("Item")
    )
    if item is None:
        return None
    return {
        "procedure": item["procedure"]["S"],
        "verified_at": int(item["verified_at"]["N"]),
        "corporate_number": item["corporate_number"]["S"],
    }


# -- review --------------------------------------------------------------------------------------------------


def find_application(application_id: str) -> PrimeApplicationItem | None:
    if not application_id or len(application_id) > 64:
        return None
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": PRIMEAPP_PREFIX + application_id}, "sk": {"S": PRIMEAPP_SK}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return None if item is None else PrimeApplicationItem.from_item(item)


def list_applications(
    status: ApplicationStatus = ApplicationStatus.SUBMITTED, limit: int = 100
) -> list[PrimeApplicationItem]:
    """Applications with ``status``, oldest first (the operator's queue)."""
    response = aws.client("dynamodb").query(
        TableName=_table(),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": PRIMEAPP_STATUS_PREFIX + status.value}},
        Limit=limit,
    )
    found = [find_application(item["application_id"]["S"]) for item in response.get("Items", [])]
    return [application for application in found if application is not None and application.status is status]


def _claim(application: PrimeApplicationItem, status: ApplicationStatus, operator_sub: str, reason: str | None) -> bool:
    """Record the decision if none was recorded yet; False if another request decided first."""
    values: dict[str, Any] = {
        ":submitted": {"S": ApplicationStatus.SUBMITTED.value},
        ":status": {"S": status.value},
        ":index": {"S": PRIMEAPP_STATUS_PREFIX + status.value},
        ":by": {"S": operator_sub},
        ":at": {"N": str(_now())},
    }
    update = "SET #status = :status, gsi1pk = :index, decided_by = :by, decided_at = :at"
    if reason:
        update += ", decision_reason = :reason"
        values[":reason"] = {"S": reason}
    try:
        aws.client("dynamodb").update_item(
            TableName=_table(),
            Key=application.key(),
            UpdateExpression=update,
            ConditionExpression="#status = :submitted",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=values,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _answer_workflow(application: PrimeApplicationItem, status: ApplicationStatus, operator_sub: str) -> None:
    token = application.review_task_token
    if not token:
        return
    output = {"outcome": status.value, "reason": application.decision_reason or "", "decided_by": operator_sub}
    sfn = aws.client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=token, output=json.dumps(output, ensure_ascii=False))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.TaskDoesNotExist, sfn.exceptions.InvalidToken):
        _logger.warning("review task already answered", extra={"application_id": application.application_id})


def _with_task_token(application: PrimeApplicationItem) -> PrimeApplicationItem:
    """The application once the execution has stored its task token (it does so moments after the start)."""
    deadline = time.monotonic() + TOKEN_WAIT_SECONDS
    while not application.review_task_token and time.monotonic() < deadline:
        time.sleep(0.1)
        application = find_application(application.application_id) or application
    return application


def decide_application(
    application_id: str,
    *,
    operator_sub: str,
    approve: bool,
    reason: str | None = None,
    origin: RequestOrigin | None = None,
) -> Decision:
    """Approve or reject (with a reason) an application waiting for review. A repeated decision is a no-op."""
    origin = origin or RequestOrigin()
    reason = (reason or "").strip() or None
    if not approve and not reason:
        raise InvalidInput.for_field("reason", "give the reason for the rejection; the applicant is told it")
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput.for_field("reason", f"the reason is longer than {MAX_REASON} characters")
    application = find_application(application_id)
    if application is None or application.procedure != PROCEDURE_DOCUMENT:
        raise NotFound(detail="no such application waiting for review")
    wanted = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    if application.status is ApplicationStatus.SUBMITTED:
        application = _with_task_token(application)
        if not application.review_task_token:
            raise Conflict(detail="the review workflow has not reached the decision step yet; try again shortly")
        if _claim(application, wanted, operator_sub, reason):
            decided = find_application(application_id) or application
            return _carry_out(decided, wanted, operator_sub, origin, first=True)
        application = find_application(application_id) or application
    if application.status is not wanted:
        raise Conflict(detail=f"the application was {application.status.value.lower()} already")
    # A repeated click, or a retry after a failure part-way: finish what is idempotent, notify nobody again.
    return _carry_out(application, wanted, operator_sub, origin, first=False)


def _carry_out(
    application: PrimeApplicationItem,
    status: ApplicationStatus,
    operator_sub: str,
    origin: RequestOrigin,
    *,
    first: bool,
) -> Decision:
    sub = ensure_prime_account(application) if status is ApplicationStatus.APPROVED else None
    _answer_workflow(application, status, operator_sub)
    _release_marker(application.applicant_sub)
    if first:
        if sub is not None:
            notify_email(application.applicant_email, "prime_approved", application.lang)
        else:
            notify_email(
                application.applicant_email,
                "prime_rejected",
                application.lang,
                reason=application.decision_reason or "",
            )
        record_event(
            "prime.approved" if sub is not None else "prime.rejected",
            outcome="success",
            actor_sub=operator_sub,
            subject_sub=sub or application.applicant_sub,
            corporate_number=application.corporate_number,
            detail={"application_id": application.application_id, "procedure": application.procedure},
            **origin,
        )
    return Decision(application=application, account_sub=sub, already_decided=not first)


def profile_of(sub: str) -> ProfileItem | None:
    return get_store().get_profile(sub)


__all__ = [
    "PENDING_SK",
    "Decision",
    "check_against_open_data",
    "decide_application",
    "ensure_prime_account",
    "find_application",
    "hojin_record",
    "identity_verification",
    "list_applications",
    "pending_application_of",
    "submit_application",
]
