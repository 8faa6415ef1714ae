"""Who is calling the exchange's administration: built from a gBizID access token (API) or a portal session
(pages), never from a request parameter.

gBizID's ``userinfo`` says the account's type and corporation: a **Prime** holder (account type 2) speaks for
the corporation (consents); a Prime or **Member** account (3) of a registered member's corporation administers
that member (its subsystems, keys, services and the rights it grants). Entry accounts (1) are self-declared and
administer nothing. The exchange's **operators** are listed in the registry (``OPERATOR#<sub>``), read at each
request so a removal takes effect at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from functions.exchange.settings import get_settings
from platform_common import aws
from platform_common.access_tokens import SharedResourceServer
from platform_common.corporate_number import is_valid_corporate_number
from platform_common.errors import Forbidden

PRIME: Final = "2"
MEMBER: Final = "3"
ADMIN_ACCOUNT_TYPES: Final = frozenset({PRIME, MEMBER})


@dataclass(frozen=True)
class Caller:
    sub: str
    account_type: str | None  # gBizID's code: "1" Entry, "2" Prime, "3" Member
    corporate_number: str | None
    operator: bool

    def administers(self, member: tuple[str, str, str]) -> bool:
        """An operator, or a Prime/Member account of the member's corporation (member code = corporate number)."""
        if self.operator:
            return True
        return (
            self.account_type in ADMIN_ACCOUNT_TYPES
            and self.corporate_number is not None
            and member[2] == self.corporate_number
        )

    def require_operator(self) -> None:
        if not self.operator:
            raise Forbidden("only the exchange's operators may do this")

    def require_admin_of(self, member: tuple[str, str, str]) -> None:
        if not self.administers(member):
            raise Forbidden(
                "only the member's administrators (its Prime or Member accounts) or an operator may do this"
            )

    def require_prime(self) -> str:
        """The corporation this Prime holder speaks for (consents)."""
        if self.account_type != PRIME or self.corporate_number is None:
            raise Forbidden("only the corporation's gBizID Prime holder may do this")
        return self.corporate_number


def _operator(sub: str) -> bool:
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=get_settings().registry_table_name,
            Key={"pk": {"S": f"OPERATOR#{sub}"}, "sk": {"S": "OPERATOR"}},
            ConsistentRead=True,  # a removed operator loses access at once
        )
        .get("Item")
    )
    return item is not None


def caller_from_claims(sub: str, claims: Mapping[str, Any]) -> Caller:
    number = claims.get("corporate_number")
    account_type = claims.get("account_type")
    return Caller(
        sub=sub,
        account_type=str(account_type) if account_type in ("1", "2", "3") else None,
        corporate_number=number if isinstance(number, str) and is_valid_corporate_number(number) else None,
        operator=_operator(sub),
    )


_resource_server = SharedResourceServer(lambda: get_settings().oidc_issuer)
resource_server = _resource_server.get
use_resource_server = _resource_server.use  # tests: a ResourceServer reaching a test OP in process


def caller_from_bearer(authorization: str | None) -> Caller:
    """The caller of an ``Authorization: Bearer`` header: 401 unless it is a valid gBizID access token."""
    server = resource_server()
    access = server.verify(authorization)
    return caller_from_claims(access.sub, server.userinfo(access))
