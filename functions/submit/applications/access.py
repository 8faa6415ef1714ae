"""Whose applications a principal may touch: its own corporation's, or a corporation it holds a mandate for.

Anything else answers 404, exactly as an unknown id, so nobody learns that another corporation's
application exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.submit.applications.model import Application
from functions.submit.principal import JGRANTS_PROCEDURE, MandateGrant, Principal, today_jst
from functions.submit.settings import get_settings
from platform_common.errors import Forbidden, InvalidInput, NotFound


@dataclass(frozen=True)
class ActingFor:
    """The corporation a request acts for, and the mandate it acts under (None: the account's own)."""

    corporate_number: str
    mandate: MandateGrant | None


def procedure_codes() -> frozenset[str]:
    """The procedure codes a mandate may name for this ministry's jGrants."""
    return frozenset({get_settings().jgrants_client_id, JGRANTS_PROCEDURE})


def acting_for(principal: Principal, corporate_number: str | None) -> ActingFor:
    """The corporation to act for: the account's own unless another is named and a mandate covers it."""
    own = principal.corporate_number
    if corporate_number is None or corporate_number == own:
        if own is None or principal.account_type is None:
            raise Forbidden(
                "this account belongs to no corporation: an adviser names the corporation it holds a mandate for"
            )
        return ActingFor(own, None)
    grant = principal.mandate_for(corporate_number, procedure_codes(), today_jst())
    if grant is None:
        raise InvalidInput.for_field(
            "corporate_number", "you hold no active mandate for this corporation covering subsidy applications"
        )
    return ActingFor(corporate_number, grant)


def may_access(principal: Principal, app: Application) -> ActingFor | None:
    if principal.corporate_number == app.corporate_number and principal.account_type is not None:
        return ActingFor(app.corporate_number, None)
    grant = principal.mandate_for(app.corporate_number, procedure_codes(), today_jst())
    return ActingFor(app.corporate_number, grant) if grant else None


def require_access(principal: Principal, app: Application | None, application_id: str) -> tuple[Application, ActingFor]:
    """The application and the principal's standing on it; 404 (no leak) when it has none."""
    standing = may_access(principal, app) if app is not None else None
    if app is None or standing is None:
        raise NotFound(f"no application {application_id}")
    return app, standing


def corporations_of(principal: Principal) -> list[str]:
    """Every corporation whose applications the principal may list."""
    numbers = [principal.corporate_number] if principal.corporate_number and principal.account_type else []
    codes, today = procedure_codes(), today_jst()
    numbers += [g.corporate_number for g in principal.mandates if g.covers(codes, today)]
    return list(dict.fromkeys(numbers))
