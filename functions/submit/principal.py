"""Who is calling: the request's principal, built from the bearer token or a portal session, never from a
request parameter.

The access token (verified against gBizID's keys) says who; gBizID's ``userinfo`` (cached for the token's
lifetime) says which corporation the account belongs to, its type and the mandates it holds; this
ministry's staff registry (``STAFF#<sub>`` items of the applications table, written by the operators' API)
says whether the account is an operator or a reviewer here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from functions.submit.settings import get_settings
from platform_common import aws
from platform_common.access_tokens import SharedResourceServer
from platform_common.browser_session import WebSession
from platform_common.corporate_number import is_valid_corporate_number

AccountType = Literal["entry", "prime", "member"]
Tier = Literal["entry", "prime"]

ACCOUNT_TYPES: Final[dict[str, AccountType]] = {"1": "entry", "2": "prime", "3": "member"}
STAFF_PREFIX: Final = "STAFF#"
STAFF_SK: Final = "STAFF"
STAFF_ROLES: Final = frozenset({"operator", "reviewer"})
JGRANTS_PROCEDURE: Final = "jgrants"  # the generic procedure code a mandate may name instead of a client id
JST: Final = dt.timezone(dt.timedelta(hours=9), "JST")
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class MandateGrant:
    """One ``mandate_info`` entry: this account may act for ``corporate_number`` in ``procedures``."""

    corporate_number: str
    corporation_name: str | None
    procedures: tuple[str, ...]
    valid_until: dt.date
    grantor_sub: str | None
    mandate_id: str | None  # gBizID names it when the claim carries it

    def covers(self, procedure_codes: frozenset[str], today: dt.date) -> bool:
        return self.valid_until >= today and bool(procedure_codes & set(self.procedures))

    def reference(self) -> dict[str, str]:
        """What an application records about the mandate it was made under."""
        recorded = {
            "corporate_number": self.corporate_number,
            "valid_until": self.valid_until.isoformat(),
            "procedures": ",".join(self.procedures),
        }
        if self.mandate_id:
            recorded["mandate_id"] = self.mandate_id
        if self.grantor_sub:
            recorded["grantor_sub"] = self.grantor_sub
        return recorded


@dataclass(frozen=True)
class Principal:
    sub: str
    account_type: AccountType | None  # gBizID 1/2/3; None for staff-only accounts
    corporate_number: str | None  # the account's own corporation
    mandates: tuple[MandateGrant, ...]  # corporations this account may act for, and for which procedures
    staff_roles: frozenset[str]  # "operator", "reviewer": from this ministry's staff registry
    name: str | None = field(default=None, repr=False)  # prefill and notifications only, never logged
    email: str | None = field(default=None, repr=False)
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)  # userinfo, for the form's prefill

    def meets_tier(self, minimum: Tier) -> bool:
        """Acting for its own corporation: Entry meets ``entry``; Prime and Member meet both."""
        if self.account_type is None:
            return False
        return minimum == "entry" or self.account_type in ("prime", "member")

    def mandate_for(
        self, corporate_number: str, procedure_codes: frozenset[str], today: dt.date
    ) -> MandateGrant | None:
        """An active mandate to act for ``corporate_number`` in one of these procedures, if the account holds one."""
        for grant in self.mandates:
            if grant.corporate_number == corporate_number and grant.covers(procedure_codes, today):
                return grant
        return None


def today_jst() -> dt.date:
    return dt.datetime.now(JST).date()


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def mandates_from_claims(claims: Mapping[str, Any]) -> tuple[MandateGrant, ...]:
    """The well-formed entries of ``mandate_info``; a malformed entry grants nothing."""
    raw = claims.get("mandate_info")
    if not isinstance(raw, list):
        return ()
    grants = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        number, until = _text(entry.get("corporate_number")), _text(entry.get("valid_until"))
        procedures = entry.get("procedures")
        if not number or not is_valid_corporate_number(number) or not until or not _DATE.match(until):
            continue
        if not isinstance(procedures, list) or not all(isinstance(p, str) for p in procedures):
            continue
        grants.append(
            MandateGrant(
                corporate_number=number,
                corporation_name=_text(entry.get("corporation_name")),
                procedures=tuple(procedures),
                valid_until=dt.date.fromisoformat(until),
                grantor_sub=_text(entry.get("grantor_id")),
                mandate_id=_text(entry.get("mandate_id")),
            )
        )
    return tuple(grants)


def principal_from_claims(sub: str, claims: Mapping[str, Any], staff_roles: frozenset[str]) -> Principal:
    number = _text(claims.get("corporate_number"))
    return Principal(
        sub=sub,
        account_type=ACCOUNT_TYPES.get(str(claims.get("account_type") or "")),
        corporate_number=number if number and is_valid_corporate_number(number) else None,
        mandates=mandates_from_claims(claims),
        staff_roles=staff_roles,
        name=_text(claims.get("user_name")),
        email=_text(claims.get("email")) or _text(claims.get("user_email")),
        claims=dict(claims),
    )


def staff_roles_of(sub: str) -> frozenset[str]:
    """The account's role in this ministry's staff registry (none when it is not staff)."""
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=get_settings().applications_table_name,
            Key={"pk": {"S": STAFF_PREFIX + sub}, "sk": {"S": STAFF_SK}},
            ConsistentRead=True,  # a removed reviewer loses access at once
        )
        .get("Item")
    )
    role = (item or {}).get("role", {}).get("S")
    return frozenset({role}) if role in STAFF_ROLES else frozenset()


_resource_server = SharedResourceServer(lambda: get_settings().oidc_issuer)
resource_server = _resource_server.get
use_resource_server = _resource_server.use  # tests: a ResourceServer reaching a test OP in process


def principal_from_bearer(authorization: str | None) -> Principal:
    """The principal of an ``Authorization: Bearer`` header: 401 unless it is a valid access token."""
    server = resource_server()
    access = server.verify(authorization)
    claims = server.userinfo(access)
    return principal_from_claims(access.sub, claims, staff_roles_of(access.sub))


def principal_from_session(session: WebSession) -> Principal:
    """The principal of a portal session: the userinfo claims kept at sign-in (refreshed by each sign-in) and
    the staff registry read now, so the pages and the API judge a person alike."""
    return principal_from_claims(session.sub, session.claims, staff_roles_of(session.sub))
