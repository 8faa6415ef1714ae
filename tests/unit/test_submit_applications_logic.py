"""Pure parts of applications: transitions, form errors by pointer, prefill, file checks, mandates, tokens."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from functions.submit.applications.model import TRANSITIONS, Action, Status, next_status
from functions.submit.applications.prefill import apply_prefill, prefill
from functions.submit.applications.submission import form_errors, receipt_number
from functions.submit.attachments import check_file_name, matches_type
from functions.submit.principal import mandates_from_claims, principal_from_claims
from functions.submit.scan import EICAR, SignatureScanner, Verdict
from platform_common.access_tokens import ResourceServer
from platform_common.errors import Conflict, InvalidInput, Unauthorized

CORP = "9999900000017"  # a valid check digit is all that matters here


@pytest.mark.parametrize(("source", "action"), [(s, a) for s in Status for a in Action])
def test_every_move_outside_the_diagram_is_a_conflict(source, action):
    if (source, action) in TRANSITIONS:
        assert next_status(source, action) == TRANSITIONS[(source, action)]
    else:
        with pytest.raises(Conflict):
            next_status(source, action)


def test_withdrawing_is_possible_until_a_decision_and_decisions_are_final():
    for open_status in (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED):
        assert next_status(open_status, Action.WITHDRAW) is Status.WITHDRAWN
    for final in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN):
        with pytest.raises(Conflict):
            next_status(final, Action.WITHDRAW)


def test_form_errors_name_each_field_by_json_pointer():
    schema = {
        "type": "object",
        "required": ["a", "b"],
        "properties": {"a": {"type": "integer"}, "list": {"type": "array", "items": {"type": "string"}}},
    }
    named = {e.item for e in form_errors(schema, {"a": "x", "list": ["ok", 3]})}
    assert named == {"/a", "/b", "/list/1"}


def test_prefill_takes_corporate_claims_only_from_the_corporations_own_login():
    schema = {
        "type": "object",
        "properties": {
            "rep": {"type": "string", "x-prefill": "userinfo:rep_name"},
            "contact": {"type": "string", "x-prefill": "userinfo:user_name"},
            "capital": {"type": "string", "x-prefill": "gbizinfo:capital_stock"},
        },
    }
    claims = {"rep_name": "代表 花子", "user_name": "担当 一郎"}
    own = {f.pointer: f.value for f in prefill(schema, claims, {"capital_stock": 1000}, own_corporation=True)}
    adviser = {f.pointer: f.value for f in prefill(schema, claims, {"capital_stock": 1000}, own_corporation=False)}
    assert own == {"/rep": "代表 花子", "/contact": "担当 一郎", "/capital": "1000"}  # coerced to the schema type
    assert adviser == {"/rep": None, "/contact": "担当 一郎", "/capital": "1000"}
    typed = apply_prefill({"rep": "手入力"}, prefill(schema, claims, {}, own_corporation=True))
    assert typed["rep"] == "手入力"  # what the applicant typed is never overwritten


@pytest.mark.parametrize("name", ["a/b.pdf", "a\\b.pdf", "..", "a\x00.pdf", "x" * 252 + "あ.pdf", "  "])
def test_bad_file_names_are_refused(name):
    with pytest.raises(InvalidInput) as refused:
        check_file_name(name)
    assert refused.value.errors[0].item == "file_name"


def test_file_names_are_stored_in_nfc():
    assert check_file_name("ガ.pdf") == "ガ.pdf"  # カ + combining dakuten becomes one character


@pytest.mark.parametrize(
    ("body", "fmt", "ok"),
    [
        (b"%PDF-1.7 ...", "pdf", True),
        (b"\x89PNG\r\n\x1a\n...", "pdf", False),
        (b"\xff\xd8\xff\xe0", "jpeg", True),
        (b"PK\x03\x04not a zip", "xlsx", False),
        ("年度,税額\n".encode("cp932"), "csv", True),
        (b"a,b\x00", "csv", False),
    ],
)
def test_magic_bytes_decide_the_type(body, fmt, ok):
    assert matches_type(body, fmt) is ok


def test_the_signature_scanner_flags_eicar_anywhere_in_the_file():
    scanner = SignatureScanner()
    assert scanner.scan("b", "k", b"a,b\n" + EICAR + b"\n") is Verdict.INFECTED
    assert scanner.scan("b", "k", b"a,b\n1,2\n") is Verdict.CLEAN


def test_receipt_numbers_have_the_ministry_year_and_seven_digits():
    assert receipt_number("meti", 2026, 42) == "METI-2026-0000042"


def test_malformed_mandates_grant_nothing_and_active_ones_cover_jgrants():
    claims = {
        "account_type": "1",
        "mandate_info": [
            {"corporate_number": CORP, "procedures": ["jgrants"], "valid_until": "2030-01-01", "grantor_id": "g"},
            {"corporate_number": "123", "procedures": ["jgrants"], "valid_until": "2030-01-01"},
            {"corporate_number": CORP, "procedures": "jgrants", "valid_until": "2030-01-01"},
            "nonsense",
        ],
    }
    assert len(mandates_from_claims(claims)) == 1
    principal = principal_from_claims("adviser", claims, frozenset())
    today = dt.date(2029, 12, 31)
    assert principal.mandate_for(CORP, frozenset({"jgrants"}), today) is not None
    assert principal.mandate_for(CORP, frozenset({"jgrants"}), dt.date(2030, 1, 2)) is None
    assert principal.mandate_for(CORP, frozenset({"etax"}), today) is None
    assert not principal.meets_tier("prime")
    assert principal.meets_tier("entry")
    assert principal_from_claims("m", {"account_type": "3"}, frozenset()).meets_tier("prime")


# ------------------------------------------------------------------------------------ access tokens

ISSUER = "https://id.example.test/oauth"


def _server(keys: list[RSAKey], userinfo: dict[str, Any] | None = None) -> tuple[ResourceServer, list[int]]:
    fetched: list[int] = []

    def fetch(issuer: str) -> dict[str, Any]:
        fetched.append(1)
        return {"keys": [k.as_dict(private=False) for k in keys]}

    server = ResourceServer(ISSUER, fetch_jwks=fetch, fetch_userinfo=lambda i, t: dict(userinfo or {}))
    return server, fetched


def _token(key: RSAKey, typ: str = "at+jwt", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "sub": "u1", "aud": f"{ISSUER}/userinfo", "exp": now + 60, "iat": now, **claims}
    return jwt.encode({"alg": "RS256", "typ": typ, "kid": key.kid}, body, key)


def test_an_access_token_is_verified_and_a_rotated_key_is_fetched_on_first_sight():
    old, new = RSAKey.generate_key(2048, auto_kid=True), RSAKey.generate_key(2048, auto_kid=True)
    published = [old]
    server, fetched = _server(published)
    assert server.verify(f"Bearer {_token(old)}").sub == "u1"
    published.append(new)  # the OP rotates: a token signed by the new key arrives
    assert server.verify(f"Bearer {_token(new)}").sub == "u1"
    assert len(fetched) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"typ": "JWT"},  # an ID token is signed by the same keys
        {"aud": "someone-else"},
        {"iss": "https://evil.example/oauth"},
        {"exp": 1},
    ],
)
def test_tokens_that_are_not_our_access_tokens_are_refused(change):
    key = RSAKey.generate_key(2048, auto_kid=True)
    server, _ = _server([key])
    typ = change.pop("typ", "at+jwt")
    with pytest.raises(Unauthorized):
        server.verify(f"Bearer {_token(key, typ, **change)}")


def test_userinfo_is_cached_for_the_token_and_must_name_the_same_user():
    key = RSAKey.generate_key(2048, auto_kid=True)
    calls: list[str] = []

    def userinfo(issuer: str, token: str) -> dict[str, Any]:
        calls.append(token)
        return {"sub": "u1", "account_type": "2"}

    server = ResourceServer(
        ISSUER, fetch_jwks=lambda i: {"keys": [key.as_dict(private=False)]}, fetch_userinfo=userinfo
    )
    access = server.verify(f"Bearer {_token(key)}")
    assert server.userinfo(access) == server.userinfo(access)
    assert len(calls) == 1
    liar, _ = _server([key], {"sub": "someone-else"})
    with pytest.raises(Unauthorized):
        liar.userinfo(liar.verify(f"Bearer {_token(key)}"))
