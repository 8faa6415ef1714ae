"""Second factors under moto: TOTP replay, code expiry, attempts, rate limits, recovery codes, lockout,
notifications read back from SES and SNS, and the audit trail.

Each test makes its own account (a fresh ``sub`` and e-mail) in the session's shared platform, and moves
time with the factors' clock, never with sleeps.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pyotp
import pytest

from functions.auth import factors
from functions.auth.dal import ProfileItem, get_store
from functions.auth.factors import clock, codes, manage, recovery, totp
from functions.auth.factors.codes import CodeRateLimited
from functions.auth.factors.store import get_factor_store
from functions.auth.models import AccountTier
from platform_common.errors import Conflict, InvalidInput

T0 = 1_900_000_020  # a multiple of 30: the start of a TOTP step
CORP = "9999900000011"
ORIGIN = {"source_ip": "192.0.2.10", "user_agent": "pytest"}


class Clock:
    def __init__(self, start: int) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock(T0)
    monkeypatch.setattr(clock, "now", moved)
    return moved


@pytest.fixture
def mail_sender(aws_platform: dict[str, Any]) -> None:
    from functions.auth.settings import get_settings
    from platform_common import aws

    aws.client("ses").verify_email_identity(EmailAddress=get_settings().mail_from)


def _new_profile(tier: AccountTier = AccountTier.ENTRY) -> ProfileItem:
    sub = str(uuid.uuid4())
    profile = ProfileItem(
        sub=sub,
        email=f"factors-{sub[:8]}@example.jp",
        tier=tier,
        corporate_number=CORP,
        parent_sub="parent-sub" if tier is AccountTier.MEMBER else None,
    )
    get_store().put_profile(profile)
    return profile


@pytest.fixture
def entry(aws_platform: dict[str, Any], mail_sender: None) -> ProfileItem:
    return _new_profile()


@pytest.fixture
def prime(aws_platform: dict[str, Any], mail_sender: None) -> ProfileItem:
    return _new_profile(AccountTier.PRIME)


def _sent_mail(to: str) -> list[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"]
    return [f"{m.subject}\n{m.body}" for m in backend.sent_messages if to in m.destinations.get("ToAddresses", [])]


def _sent_sms(phone: str) -> list[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"]
    return [message for (number, message) in backend.sms_messages.values() if number == phone]


def _last_code(messages: list[str]) -> str:
    found = re.findall(r"\b(\d{6})\b", messages[-1])
    assert found, messages[-1]
    return str(found[-1])


def _enrol_totp(profile: ProfileItem, fake_clock: Clock) -> str:
    enrolment = manage.begin_totp_enrolment(profile.sub)
    code = pyotp.TOTP(enrolment.secret).at(fake_clock.now)
    assert manage.finish_totp_enrolment(profile.sub, code, "ja", ORIGIN)
    return enrolment.secret


def _audit_kinds(sub: str) -> list[tuple[str, str]]:
    from functions.auth.audit import find_entries

    since = datetime(2000, 1, 1, tzinfo=UTC)  # the audit trail keeps real time, not the factors' clock
    return [(e.kind, e.outcome) for e in find_entries(sub=sub, since=since, limit=100)]


# -- TOTP


def test_given_a_pending_totp_secret_when_the_right_code_is_given_then_totp_is_enabled_and_announced(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    enrolment = manage.begin_totp_enrolment(entry.sub)
    assert "totp" not in factors.available_factors(entry.sub)
    assert enrolment.uri.startswith("otpauth://totp/G%E3%83%93%E3%82%BAID:")
    assert manage.begin_totp_enrolment(entry.sub).secret == enrolment.secret  # a reload shows the same secret

    wrong = f"{(int(pyotp.TOTP(enrolment.secret).at(T0)) + 1) % 1_000_000:06d}"
    assert not manage.finish_totp_enrolment(entry.sub, wrong, "ja", ORIGIN)
    confirmed = manage.finish_totp_enrolment(entry.sub, pyotp.TOTP(enrolment.secret).at(T0), "ja", ORIGIN)

    assert confirmed
    assert factors.available_factors(entry.sub) == ["totp"]
    assert factors.second_factor_required(entry)  # an Entry account with a factor uses it
    assert any("認証アプリ" in mail for mail in _sent_mail(entry.email))
    assert ("factor.enrolled", "success") in _audit_kinds(entry.sub)
    assert ("factor.enrolled", "failure") in _audit_kinds(entry.sub)


def test_given_a_used_totp_code_when_it_is_given_again_then_it_is_refused(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    secret = _enrol_totp(entry, fake_clock)
    fake_clock.now = T0 + 90
    code = pyotp.TOTP(secret).at(fake_clock.now)

    first = factors.verify_login_factor(entry.sub, "totp", code)
    replayed = factors.verify_login_factor(entry.sub, "totp", code)

    assert first
    assert not replayed


def test_given_a_later_step_was_accepted_when_a_code_of_an_earlier_step_comes_then_it_is_refused(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    secret = _enrol_totp(entry, fake_clock)
    fake_clock.now = T0 + 120
    earlier = pyotp.TOTP(secret).at(fake_clock.now - 30)  # still inside the one-step window
    later = pyotp.TOTP(secret).at(fake_clock.now)

    assert factors.verify_login_factor(entry.sub, "totp", later)
    assert not factors.verify_login_factor(entry.sub, "totp", earlier)


def test_given_the_enrolment_code_when_it_is_used_to_log_in_then_it_is_refused(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    enrolment = manage.begin_totp_enrolment(entry.sub)
    code = pyotp.TOTP(enrolment.secret).at(T0)
    assert manage.finish_totp_enrolment(entry.sub, code, "ja", ORIGIN)

    assert not factors.verify_login_factor(entry.sub, "totp", code)


def test_given_a_pending_secret_when_it_expired_then_its_code_no_longer_enables_totp(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    enrolment = manage.begin_totp_enrolment(entry.sub)
    fake_clock.now = T0 + totp.PENDING_SECONDS + 30

    assert not totp.confirm_totp_enrolment(entry.sub, pyotp.TOTP(enrolment.secret).at(fake_clock.now))
    assert manage.begin_totp_enrolment(entry.sub).secret != enrolment.secret  # a new secret is issued


def test_given_five_wrong_enrolment_codes_when_the_right_one_comes_then_the_pending_secret_is_void(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    enrolment = manage.begin_totp_enrolment(entry.sub)
    right = pyotp.TOTP(enrolment.secret).at(T0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(totp.CONFIRM_ATTEMPTS):
        assert not totp.confirm_totp_enrolment(entry.sub, wrong)

    assert not totp.confirm_totp_enrolment(entry.sub, right)


def test_given_a_seeded_totp_factor_when_its_code_is_given_then_it_verifies(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    # The devstack seeder stores TotpFactorItem without last_step: the first login code must work.
    from functions.auth.dal import TotpFactorItem
    from functions.auth.factor_secrets import seal_factor_secret
    from functions.auth.settings import get_settings

    secret = pyotp.random_base32()
    sealed = seal_factor_secret(get_settings().secrets_key_id, entry.sub, "totp", secret)
    get_store().put_totp_factor(TotpFactorItem(sub=entry.sub, secret_ciphertext=sealed))

    assert factors.verify_login_factor(entry.sub, "totp", pyotp.TOTP(secret).at(T0))


# -- e-mail and SMS codes


def test_given_an_email_code_when_it_is_sent_then_the_mail_carries_it_and_the_table_only_its_hmac(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    manage.send_enrolment_code(entry.sub, "email", "ja")
    code = _last_code(_sent_mail(entry.email))

    stored = get_factor_store().get_code(entry.sub, "email", "enrol")
    assert stored is not None
    assert code.encode() not in stored.mac + stored.key_ciphertext
    assert manage.finish_code_enrolment(entry.sub, "email", code, "ja", ORIGIN)
    assert factors.available_factors(entry.sub) == ["email"]


def test_given_an_email_code_when_it_is_used_twice_then_the_second_use_fails(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    code = codes.issue_code(entry.sub, "email", "login", entry.email)

    assert codes.verify_code(entry.sub, "email", "login", code) == entry.email
    assert codes.verify_code(entry.sub, "email", "login", code) is None


def test_given_an_email_code_when_five_minutes_passed_then_it_is_refused(entry: ProfileItem, fake_clock: Clock) -> None:
    code = codes.issue_code(entry.sub, "email", "login", entry.email)
    fake_clock.now = T0 + codes.CODE_TTL_SECONDS

    assert codes.verify_code(entry.sub, "email", "login", code) is None


def test_given_five_wrong_guesses_when_the_right_code_comes_then_it_is_refused(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    code = codes.issue_code(entry.sub, "sms", "login", "+819012345678")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(codes.CODE_ATTEMPTS):
        assert codes.verify_code(entry.sub, "sms", "login", wrong) is None

    assert codes.verify_code(entry.sub, "sms", "login", code) is None


def test_given_a_login_code_when_it_is_offered_for_an_enrolment_then_it_is_refused(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    code = codes.issue_code(entry.sub, "email", "login", entry.email)

    assert codes.verify_code(entry.sub, "email", "enrol", code) is None


def test_given_a_code_was_just_sent_when_another_is_asked_within_a_minute_then_the_limit_is_named(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    codes.issue_code(entry.sub, "email", "login", entry.email)
    fake_clock.now = T0 + 59

    with pytest.raises(CodeRateLimited) as refused:
        codes.issue_code(entry.sub, "sms", "login", "+819012345678")

    assert refused.value.limit == "per_minute"
    assert "per minute" in refused.value.detail
    fake_clock.now = T0 + 60
    codes.issue_code(entry.sub, "email", "login", entry.email)  # a minute later it is allowed


def test_given_ten_codes_in_an_hour_when_an_eleventh_is_asked_then_the_hourly_limit_is_named(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    for i in range(codes.SENDS_PER_HOUR):
        fake_clock.now = T0 + i * 60
        codes.issue_code(entry.sub, "email", "login", entry.email)
    fake_clock.now = T0 + codes.SENDS_PER_HOUR * 60

    with pytest.raises(CodeRateLimited) as refused:
        codes.issue_code(entry.sub, "email", "login", entry.email)

    assert refused.value.limit == "per_hour"
    assert "per hour" in refused.value.detail
    fake_clock.now = T0 + 3600 + 1  # the first send left the window
    codes.issue_code(entry.sub, "email", "login", entry.email)


def test_given_a_mobile_number_when_the_sms_code_comes_back_then_sms_is_enabled_with_the_e164_number(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    number = f"+8190{uuid.uuid4().int % 10**8:08d}"
    typed = "0" + number[3:5] + "-" + number[5:9] + "-" + number[9:]

    manage.send_enrolment_code(entry.sub, "sms", "ja", phone=typed)
    code = _last_code(_sent_sms(number))

    assert manage.finish_code_enrolment(entry.sub, "sms", code, "ja", ORIGIN)
    enrolled = get_factor_store().get_factor(entry.sub, "sms")
    assert enrolled is not None
    assert enrolled.phone == number
    fake_clock.now = T0 + 61
    factors.send_login_code(entry.sub, "sms", "en")
    assert factors.verify_login_factor(entry.sub, "sms", _last_code(_sent_sms(number)))


def test_given_a_landline_number_when_sms_is_registered_then_the_phone_field_is_named(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    with pytest.raises(InvalidInput) as refused:
        manage.send_enrolment_code(entry.sub, "sms", "ja", phone="03-1234-5678")

    assert refused.value.errors[0].item == "phone"


def test_given_no_email_factor_when_a_login_code_is_asked_then_nothing_is_sent(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    with pytest.raises(InvalidInput):
        factors.send_login_code(entry.sub, "email", "ja")

    assert _sent_mail(entry.email) == []


# -- recovery codes


def test_given_recovery_codes_when_one_is_used_twice_then_the_second_use_fails(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    generated = manage.regenerate_recovery_codes(entry.sub, "ja", ORIGIN)

    assert len(generated) == recovery.RECOVERY_CODE_COUNT == len(set(generated))
    assert factors.verify_login_factor(entry.sub, "recovery", generated[0].upper())
    assert not factors.verify_login_factor(entry.sub, "recovery", generated[0])
    assert manage.list_factors(entry.sub)[0].remaining == recovery.RECOVERY_CODE_COUNT - 1
    assert ("recovery_codes.generated", "success") in _audit_kinds(entry.sub)


def test_given_a_new_set_of_recovery_codes_when_an_old_code_is_used_then_it_fails(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    old = recovery.generate_recovery_codes(entry.sub)
    new = recovery.generate_recovery_codes(entry.sub)

    assert not recovery.use_recovery_code(entry.sub, old[1])
    assert recovery.use_recovery_code(entry.sub, new[1])


# -- login lockout and requirements


def test_given_five_wrong_login_codes_when_the_right_one_comes_then_the_login_is_refused_and_audited(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    secret = _enrol_totp(entry, fake_clock)
    fake_clock.now = T0 + 60
    right = pyotp.TOTP(secret).at(fake_clock.now)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(factors.LOGIN_FAILURE_LIMIT):
        assert not factors.verify_login_factor(entry.sub, "totp", wrong)

    assert factors.login_factor_locked(entry.sub)
    assert not factors.verify_login_factor(entry.sub, "totp", right)
    assert _audit_kinds(entry.sub).count(("login.second_factor_failed", "failure")) == 6
    fake_clock.now = T0 + 60 + factors.LOGIN_FAILURE_WINDOW_SECONDS + 30
    assert factors.verify_login_factor(entry.sub, "totp", pyotp.TOTP(secret).at(fake_clock.now))


def test_given_a_factor_that_is_not_enrolled_when_its_code_is_given_then_it_is_refused(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    code = codes.issue_code(entry.sub, "email", "login", entry.email)  # issued, but e-mail codes not enabled

    assert not factors.verify_login_factor(entry.sub, "email", code)


def test_given_accounts_of_each_tier_when_asked_then_prime_and_member_always_need_a_second_factor(
    aws_platform: dict[str, Any],
) -> None:
    assert factors.second_factor_required(_new_profile(AccountTier.PRIME))
    assert factors.second_factor_required(_new_profile(AccountTier.MEMBER))
    assert not factors.second_factor_required(_new_profile(AccountTier.ENTRY))


def test_given_a_prime_holder_with_one_factor_when_removing_it_then_it_is_refused(
    prime: ProfileItem, fake_clock: Clock
) -> None:
    _enrol_totp(prime, fake_clock)

    with pytest.raises(Conflict):
        manage.remove_factor(prime.sub, "totp", "ja", ORIGIN)

    assert factors.available_factors(prime.sub) == ["totp"]
    assert ("factor.removed", "failure") in _audit_kinds(prime.sub)


def test_given_an_entry_holder_when_removing_totp_then_it_is_gone_announced_and_audited(
    entry: ProfileItem, fake_clock: Clock
) -> None:
    _enrol_totp(entry, fake_clock)

    manage.remove_factor(entry.sub, "totp", "en", ORIGIN)

    assert factors.available_factors(entry.sub) == []
    assert any("removed" in mail for mail in _sent_mail(entry.email))
    assert ("factor.removed", "success") in _audit_kinds(entry.sub)
