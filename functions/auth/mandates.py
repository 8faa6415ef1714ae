"""Mandates (委任): a Prime holder lets another gBizID account act for the corporation in chosen procedures.

The grantee may be any account (an outside adviser's Entry account, for example). A mandate names the
procedures (the codes relying systems know: registered client ids, or other codes of the same form) and
lasts until a date at most one year ahead; the holder can revoke it at once. Relying systems receive the
grantee's active mandates in ``mandate_info`` (:func:`active_mandates_for`).

Storage, in the accounts table: ``CORPMANDATES#<corporate number>`` / ``MANDATE#<id>``, so a holder can
only ever read or revoke its own corporation's mandates (the key holds the corporation), with gsi1
``MANDATEE#<grantee sub>`` / ``MANDATE#<id>`` for the grantee's side. Revoking removes the index keys and
marks the item revoked; :func:`active_mandates_for` re-reads each indexed item with a consistent read, so a
revoked mandate is gone from the next token even before the index catches up.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from botocore.exceptions import ClientError

from functions.auth.audit import record_event
from functions.auth.dal import ProfileItem, get_store
from functions.auth.members import normalize_email, require_prime_holder
from functions.auth.notify import notify_email
from functions.auth.prime.models import RequestOrigin
from functions.auth.prime.service import hojin_record
from functions.auth.settings import get_settings
from platform_common import aws
from platform_common.errors import FieldError, InvalidInput, NotFound

CORP_MANDATES_PREFIX: Final = "CORPMANDATES#"
MANDATE_PREFIX: Final = "MANDATE#"
GRANTEE_INDEX_PREFIX: Final = "MANDATEE#"
MAX_PROCEDURES: Final = 20
JST: Final = dt.timezone(dt.timedelta(hours=9), "JST")
PROCEDURE_CODE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{1,63}$")

T = TypeVar("T")

ACTIVE: Final = "ACTIVE"
REVOKED: Final = "REVOKED"


@dataclass(frozen=True)
class Mandate:
    mandate_id: str
    corporate_number: str
    corporation_name: str
    grantor_sub: str
    grantee_sub: str
    grantee_email: str
    procedures: tuple[str, ...]
    valid_until: dt.date
    status: str
    created_at: int

    def key(self) -> dict[str, dict[str, str]]:
        return {
            "pk": {"S": CORP_MANDATES_PREFIX + self.corporate_number},
            "sk": {"S": MANDATE_PREFIX + self.mandate_id},
        }

    def to_item(self) -> dict[str, dict[str, Any]]:
        item: dict[str, dict[str, Any]] = {
            **self.key(),
            "mandate_id": {"S": self.mandate_id},
            "corporate_number": {"S": self.corporate_number},
            "corporation_name": {"S": self.corporation_name},
            "grantor_sub": {"S": self.grantor_sub},
            "grantee_sub": {"S": self.grantee_sub},
            "grantee_email": {"S": self.grantee_email},
            "procedures": {"L": [{"S": code} for code in self.procedures]},
            "valid_until": {"S": self.valid_until.isoformat()},
            "status": {"S": self.status},
            "created_at": {"N": str(self.created_at)},
        }
        if self.status == ACTIVE:
            item["gsi1pk"] = {"S": GRANTEE_INDEX_PREFIX + self.grantee_sub}
            item["gsi1sk"] = {"S": MANDATE_PREFIX + self.mandate_id}
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Mandate:
        return cls(
            mandate_id=item["mandate_id"]["S"],
            corporate_number=item["corporate_number"]["S"],
            corporation_name=item["corporation_name"]["S"],
            grantor_sub=item["grantor_sub"]["S"],
            grantee_sub=item["grantee_sub"]["S"],
            grantee_email=item["grantee_email"]["S"],
            procedures=tuple(value["S"] for value in item["procedures"]["L"]),
            valid_until=dt.date.fromisoformat(item["valid_until"]["S"]),
            status=item["status"]["S"],
            created_at=int(item["created_at"]["N"]),
        )

    def active_on(self, day: dt.date) -> bool:
        return self.status == ACTIVE and self.valid_until >= day

    def claim(self) -> dict[str, Any]:
        """The ``mandate_info`` entry relying systems receive."""
        return {
            "corporate_number": self.corporate_number,
            "corporation_name": self.corporation_name,
            "procedures": list(self.procedures),
            "valid_until": self.valid_until.isoformat(),
            "grantor_id": self.grantor_sub,
        }


def _table() -> str:
    return get_settings().accounts_table_name


def today_jst() -> dt.date:
    return dt.datetime.now(JST).date()


def parse_procedures(value: str | list[str]) -> tuple[str, ...]:
    """Procedure codes from a list or from text separated by commas, spaces or new lines; the field is named."""
    parts = value if isinstance(value, list) else re.split(r"[\s,、，]+", value)
    codes = tuple(dict.fromkeys(part.strip() for part in parts if part and part.strip()))
    if not codes:
        raise InvalidInput.for_field("procedures", "choose or enter at least one procedure")
    if len(codes) > MAX_PROCEDURES:
        raise InvalidInput.for_field("procedures", f"at most {MAX_PROCEDURES} procedures per mandate")
    bad = [code for code in codes if not PROCEDURE_CODE.fullmatch(code)]
    if bad:
        raise InvalidInput.for_field(
            "procedures", "a procedure code is 2-64 letters, digits and _ . : - (" + ", ".join(bad[:3])[:80] + ")"
        )
    return codes


def parse_valid_until(value: str, today: dt.date | None = None) -> dt.date:
    """The last day of the mandate: after today, at most a year ahead (dates in Japan time)."""
    today = today or today_jst()
    try:
        until = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput.for_field("valid_until", "enter a date as YYYY-MM-DD") from None
    if until < today:
        raise InvalidInput.for_field("valid_until", "the date has passed")
    if until > _one_year_after(today):
        raise InvalidInput.for_field("valid_until", "a mandate lasts at most one year")
    return until


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _grantee_sub(email: str) -> str:
    cognito = aws.client("cognito-idp")
    try:
        user = cognito.admin_get_user(UserPoolId=get_settings().user_pool_id, Username=email)
    except cognito.exceptions.UserNotFoundException:
        raise InvalidInput(
            detail="grantee_email: no gBizID account uses this e-mail address",
            errors=[FieldError("grantee_email", "no gBizID account uses this e-mail address")],
        ) from None
    return str(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"))


def _collect(errors: list[FieldError], name: str, parse: Callable[[], T]) -> T | None:
    """``parse()``, or None with its error (renamed to ``name``) added to ``errors``."""
    try:
        return parse()
    except InvalidInput as error:
        errors.extend(FieldError(name, e.message) for e in error.errors)
        return None


def grant_mandate(
    grantor_profile: ProfileItem | None,
    *,
    grantee_email: str,
    procedures: str | list[str],
    valid_until: str,
    lang: str,
    origin: RequestOrigin | None = None,
) -> Mandate:
    """Grant a mandate of the holder's corporation to another account; notify the grantee."""
    grantor = require_prime_holder(grantor_profile)
    origin = origin or RequestOrigin()
    errors: list[FieldError] = []
    email = _collect(errors, "grantee_email", lambda: normalize_email(grantee_email))
    codes = _collect(errors, "procedures", lambda: parse_procedures(procedures))
    until = _collect(errors, "valid_until", lambda: parse_valid_until(valid_until))
    if errors or email is None or codes is None or until is None:
        raise InvalidInput(detail="; ".join(f"{e.item}: {e.message}" for e in errors), errors=errors)
    grantee_sub = _grantee_sub(email)
    if grantee_sub == grantor.sub:
        raise InvalidInput.for_field("grantee_email", "a mandate is granted to another account, not your own")
    corporate_number = str(grantor.corporate_number)
    record = hojin_record(corporate_number) or {}
    mandate = Mandate(
        mandate_id=secrets.token_hex(10),
        corporate_number=corporate_number,
        corporation_name=str(record.get("name") or ""),
        grantor_sub=grantor.sub,
        grantee_sub=grantee_sub,
        grantee_email=email,
        procedures=codes,
        valid_until=until,
        status=ACTIVE,
        created_at=int(time.time()),
    )
    aws.client("dynamodb").put_item(
        TableName=_table(), Item=mandate.to_item(), ConditionExpression="attribute_not_exists(pk)"
    )
    notify_email(
        email,
        "mandate_granted",
        lang,
        grantor=mandate.corporation_name or corporate_number,
        procedures=", ".join(codes),
        until=until.isoformat(),
    )
    record_event(
        "mandate.granted",
        outcome="success",
        actor_sub=grantor.sub,
        subject_sub=grantee_sub,
        corporate_number=corporate_number,
        detail={
            "mandate_id": mandate.mandate_id,
            "procedures": ",".join(codes),
            "valid_until": until.isoformat(),
        },
        **origin,
    )
    return mandate


def _get(corporate_number: str, mandate_id: str) -> Mandate | None:
    if not mandate_id or len(mandate_id) > 64:
        return None
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": CORP_MANDATES_PREFIX + corporate_number}, "sk": {"S": MANDATE_PREFIX + mandate_id}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return None if item is None else Mandate.from_item(item)


def revoke_mandate(
    grantor_profile: ProfileItem | None, mandate_id: str, *, origin: RequestOrigin | None = None
) -> Mandate:
    """Revoke at once. Only the holder's own corporation's mandates can be found (the key holds it)."""
    grantor = require_prime_holder(grantor_profile)
    origin = origin or RequestOrigin()
    corporate_number = str(grantor.corporate_number)
    mandate = _get(corporate_number, mandate_id)
    if mandate is None:
        record_event(
            "mandate.revoked",
            outcome="failure",
            actor_sub=grantor.sub,
            corporate_number=corporate_number,
            detail={"reason": "no_such_mandate_in_the_corporation"},
            **origin,
        )
        raise NotFound(detail="no such mandate of your corporation")
    if mandate.status == REVOKED:
        return mandate
    try:
        aws.client("dynamodb").update_item(
            TableName=_table(),
            Key=mandate.key(),
            UpdateExpression="SET #status = :revoked, revoked_at = :now, revoked_by = :by REMOVE gsi1pk, gsi1sk",
            ConditionExpression="#status = :active",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":revoked": {"S": REVOKED},
                ":active": {"S": ACTIVE},
                ":now": {"N": str(int(time.time()))},
                ":by": {"S": grantor.sub},
            },
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return _get(corporate_number, mandate_id) or mandate  # revoked by a concurrent request
    record_event(
        "mandate.revoked",
        outcome="success",
        actor_sub=grantor.sub,
        subject_sub=mandate.grantee_sub,
        corporate_number=corporate_number,
        detail={"mandate_id": mandate.mandate_id},
        **origin,
    )
    return Mandate(**{**mandate.__dict__, "status": REVOKED})


def mandates_granted_by(grantor_profile: ProfileItem | None) -> list[Mandate]:
    """Every mandate of the holder's corporation, newest first (revoked and expired ones included)."""
    grantor = require_prime_holder(grantor_profile)
    response = aws.client("dynamodb").query(
        TableName=_table(),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": CORP_MANDATES_PREFIX + str(grantor.corporate_number)},
            ":prefix": {"S": MANDATE_PREFIX},
        },
        ConsistentRead=True,
    )
    mandates = [Mandate.from_item(item) for item in response.get("Items", [])]
    return sorted(mandates, key=lambda mandate: mandate.created_at, reverse=True)


def mandates_granted_to(grantee_sub: str, *, today: dt.date | None = None) -> list[Mandate]:
    """The grantee's mandates in force today, each confirmed by a consistent read of its item."""
    day = today or today_jst()
    response = aws.client("dynamodb").query(
        TableName=_table(),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": GRANTEE_INDEX_PREFIX + grantee_sub}},
    )
    found: list[Mandate] = []
    for item in response.get("Items", []):
        current = _get(item["corporate_number"]["S"], item["mandate_id"]["S"])
        if current is not None and current.grantee_sub == grantee_sub and current.active_on(day):
            found.append(current)
    return sorted(found, key=lambda mandate: (mandate.corporate_number, mandate.created_at))


def active_mandates_for(grantee_sub: str) -> list[dict[str, Any]]:
    """``mandate_info`` for the OpenID Provider: the grantee's mandates in force today.

    Items: ``{"corporate_number", "corporation_name", "procedures": [...], "valid_until": "YYYY-MM-DD",
    "grantor_id": sub}``.
    """
    return [mandate.claim() for mandate in mandates_granted_to(grantee_sub)]


def profile_of(sub: str) -> ProfileItem | None:
    return get_store().get_profile(sub)
