"""Mandates through the pages, under moto: grant to an outside adviser, the grantee's view and
``mandate_info``, revocation at once, validation, and cross-corporation attacks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.auth.models import AccountTier
from tests.integration.test_auth_prime_fixtures import (
    Account,
    audit_events,
    make_account,
    seed_corporations,
    sent_mail,
)


@pytest.fixture(scope="module")
def corporations(aws_platform: dict[str, Any]) -> dict[str, str]:
    return seed_corporations(aws_platform)


@pytest.fixture
def holder_a(corporations: dict[str, str]) -> Account:
    return make_account(AccountTier.PRIME, corporate_number=corporations["A"], label="holder-a")


@pytest.fixture
def holder_b(corporations: dict[str, str]) -> Account:
    return make_account(AccountTier.PRIME, corporate_number=corporations["B"], label="holder-b")


@pytest.fixture
def adviser() -> Account:
    return make_account(AccountTier.ENTRY, label="adviser")  # an outside adviser's own Entry account


def _in_days(days: int) -> str:
    from functions.auth.mandates import today_jst

    return (today_jst() + dt.timedelta(days=days)).isoformat()


def _grant(call_api: Callable[..., Any], holder: Account, grantee: str, *procedures: str, until: str = "") -> Any:
    fields = [("csrf_token", holder.csrf), ("grantee_email", grantee), ("valid_until", until or _in_days(90))]
    fields += [("procedures", code) for code in procedures]
    return call_api("POST", "/account/mandates", headers=holder.headers(), body=urlencode(fields))


def _mandate_ids(holder: Account) -> list[str]:
    from functions.auth.dal import get_store
    from functions.auth.mandates import mandates_granted_by

    granted = mandates_granted_by(get_store().get_profile(holder.sub))  # the corporation's, shared by its holders
    return [m.mandate_id for m in granted if m.grantor_sub == holder.sub]


def test_given_prime_holder_when_granting_adviser_a_mandate_then_adviser_tokens_carry_it(
    call_api: Callable[..., Any], corporations: dict[str, str], holder_a: Account, adviser: Account
) -> None:
    until = _in_days(180)

    response = _grant(call_api, holder_a, adviser.email, "demo-rp", "jgrants_application", until=until)

    assert response.status == 303
    from functions.auth.mandates import active_mandates_for

    assert active_mandates_for(adviser.sub) == [
        {
            "corporate_number": corporations["A"],
            "corporation_name": "デモ工業株式会社",
            "procedures": ["demo-rp", "jgrants_application"],
            "valid_until": until,
            "grantor_id": holder_a.sub,
        }
    ]
    seen = call_api("GET", "/account/mandates", headers=adviser.headers(None)).body.decode()
    assert "デモ工業株式会社" in seen
    assert "jgrants_application" in seen
    assert len(sent_mail(adviser.email)) == 1
    assert [e.outcome for e in audit_events("mandate.granted", adviser.sub)] == ["success"]


def test_given_mandate_when_holder_revokes_then_it_disappears_at_once(
    call_api: Callable[..., Any], holder_a: Account, adviser: Account
) -> None:
    from functions.auth.mandates import active_mandates_for

    _grant(call_api, holder_a, adviser.email, "demo-rp")
    (mandate_id,) = _mandate_ids(holder_a)
    assert len(active_mandates_for(adviser.sub)) == 1

    response = call_api(
        "POST", f"/account/mandates/{mandate_id}/revoke", headers=holder_a.headers(), body=holder_a.form()
    )

    assert response.status == 303
    assert active_mandates_for(adviser.sub) == []
    assert [e.outcome for e in audit_events("mandate.revoked", adviser.sub)] == ["success"]


def test_given_mandate_of_corporation_a_when_holder_of_b_revokes_it_by_id_then_not_found_and_still_active(
    call_api: Callable[..., Any], holder_a: Account, holder_b: Account, adviser: Account
) -> None:
    from functions.auth.mandates import active_mandates_for

    _grant(call_api, holder_a, adviser.email, "demo-rp")
    (mandate_id,) = _mandate_ids(holder_a)

    response = call_api(
        "POST", f"/account/mandates/{mandate_id}/revoke", headers=holder_b.headers(), body=holder_b.form()
    )

    assert response.status == 404
    assert len(active_mandates_for(adviser.sub)) == 1
    assert [e.outcome for e in audit_events("mandate.revoked", holder_b.sub)] == ["failure"]
    assert "adviser" not in call_api("GET", "/account/mandates", headers=holder_b.headers(None)).body.decode()


def test_given_member_or_entry_account_when_granting_then_refused(
    call_api: Callable[..., Any], corporations: dict[str, str], holder_a: Account, adviser: Account
) -> None:
    member = make_account(AccountTier.MEMBER, corporate_number=corporations["A"], parent_sub=holder_a.sub)
    from functions.auth.mandates import active_mandates_for

    assert _grant(call_api, member, adviser.email, "demo-rp").status == 403
    assert _grant(call_api, adviser, member.email, "demo-rp").status == 403
    assert active_mandates_for(adviser.sub) == []
    assert active_mandates_for(member.sub) == []


@pytest.mark.parametrize(
    ("grantee", "procedures", "until", "field"),
    [
        ("nobody-here@prime-test.example.jp", ("demo-rp",), 30, "grantee_email"),
        ("SELF", ("demo-rp",), 30, "grantee_email"),
        ("ADVISER", (), 30, "procedures"),
        ("ADVISER", ("bad code!",), 30, "procedures"),
        ("ADVISER", ("demo-rp",), 400, "valid_until"),
        ("ADVISER", ("demo-rp",), -1, "valid_until"),
    ],
    ids=["unknown-grantee", "own-account", "no-procedure", "bad-code", "over-a-year", "past-date"],
)
def test_given_bad_grant_when_posting_then_form_returns_400_naming_the_field(
    call_api: Callable[..., Any],
    holder_a: Account,
    adviser: Account,
    grantee: str,
    procedures: tuple[str, ...],
    until: int,
    field: str,
) -> None:
    email = {"SELF": holder_a.email, "ADVISER": adviser.email}.get(grantee, grantee)

    response = _grant(call_api, holder_a, email, *procedures, until=_in_days(until))

    assert response.status == 400
    page = response.body.decode()
    assert f'id="field-{field}-error"' in page
    assert _mandate_ids(holder_a) == []


def test_given_expired_mandate_when_reading_mandate_info_then_it_is_not_there(
    holder_a: Account, adviser: Account, call_api: Callable[..., Any]
) -> None:
    from functions.auth.mandates import mandates_granted_to

    _grant(call_api, holder_a, adviser.email, "demo-rp", until=_in_days(10))

    later = mandates_granted_to(adviser.sub, today=dt.date.today() + dt.timedelta(days=30))

    assert later == []
