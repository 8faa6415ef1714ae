"""The operator's relying-party registry: register, edit, refuse bad input, refuse non-operators."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.auth.models import AccountTier, StaffRole
from tests.integration.test_auth_audit_pages import _signed_in

BASE = "/operator/relying-parties"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _csrf(page_html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def _fields(client_id: str, **overrides: list[str]) -> list[tuple[str, str]]:
    fields: dict[str, list[str]] = {
        "client_id": [client_id],
        "name_ja": ["補助金申請システム（試験）"],
        "name_en": ["Subsidy applications (test)"],
        "redirect_uris": ["https://rp.example.jp/callback"],
        "post_logout_redirect_uris": ["https://rp.example.jp/"],
        "token_endpoint_auth_method": ["client_secret_basic"],
        "allowed_scopes": ["openid", "profile", "email"],
        "allowed_account_types": ["2", "3"],
        **overrides,
    }
    return [(name, value) for name, values in fields.items() for value in values]


@pytest.fixture
def operator(aws_platform: dict[str, Any]) -> dict[str, str]:
    return _signed_in(role=StaffRole.OPERATOR)[1]


def _post(call_api: Any, path: str, cookie: dict[str, str], fields: list[tuple[str, str]]) -> Any:
    form_page = call_api("GET", f"{BASE}/new", headers=cookie)
    body = urlencode([("csrf_token", _csrf(form_page.body.decode())), *fields])
    return call_api("POST", path, headers={**cookie, **FORM}, body=body)


def test_given_an_operator_when_registering_a_client_then_the_secret_is_shown_once_and_stored_as_a_hash(
    call_api: Any, operator: dict[str, str]
) -> None:
    from functions.auth.audit import find_entries
    from functions.auth.dal import get_store

    client_id = f"rp-{uuid.uuid4().hex[:8]}"

    page = _post(call_api, BASE, operator, _fields(client_id))

    assert page.status == 201
    secret = re.search(r"<p><code>([^<]+)</code></p>", page.body.decode())
    assert secret is not None
    stored = get_store().get_relying_party(client_id)
    assert stored is not None
    assert stored.allowed_account_types == ("2", "3")
    assert stored.redirect_uris == ("https://rp.example.jp/callback",)
    assert secret.group(1) not in repr(stored)
    assert hashlib.sha256(secret.group(1).encode()).hexdigest() in (stored.client_secret_hash or "")
    listing = call_api("GET", BASE, headers=operator).body.decode()
    assert client_id in listing
    kinds = [e.kind for e in find_entries(kinds=["client.registered"], limit=500)]
    assert "client.registered" in kinds


def test_given_a_registered_client_when_the_operator_edits_it_then_the_change_is_saved_and_audited(
    call_api: Any, operator: dict[str, str]
) -> None:
    from functions.auth.dal import get_store

    client_id = f"rp-{uuid.uuid4().hex[:8]}"
    assert _post(call_api, BASE, operator, _fields(client_id)).status == 201
    edit_page = call_api("GET", f"{BASE}/{client_id}", headers=operator)
    assert edit_page.status == 200

    fields = [f for f in _fields(client_id, allowed_account_types=["1", "2", "3"]) if f[0] != "client_id"]
    saved = _post(call_api, f"{BASE}/{client_id}", operator, fields)

    assert saved.status == 303
    stored = get_store().get_relying_party(client_id)
    assert stored is not None
    assert stored.allowed_account_types == ("1", "2", "3")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"redirect_uris": ["http://rp.example.jp/callback"]}, "redirect_uris"),
        ({"redirect_uris": ["https://rp.example.jp/*"]}, "redirect_uris"),
        ({"allowed_scopes": ["profile"]}, "allowed_scopes"),
        ({"allowed_account_types": []}, "allowed_account_types"),
        ({"token_endpoint_auth_method": ["private_key_jwt"], "jwks": ['{"keys": [{"kty": "RSA", "d": "x"}]}']}, "jwks"),
    ],
)
def test_given_bad_registration_input_then_the_form_returns_400_naming_the_field(
    call_api: Any, operator: dict[str, str], overrides: dict[str, list[str]], field: str
) -> None:
    from functions.auth.dal import get_store

    client_id = f"rp-{uuid.uuid4().hex[:8]}"

    page = _post(call_api, BASE, operator, _fields(client_id, **overrides))

    assert page.status == 400
    assert f'id="field-{field}-error"' in page.body.decode()
    assert get_store().get_relying_party(client_id) is None


def test_given_a_taken_client_id_when_registering_again_then_refused(call_api: Any, operator: dict[str, str]) -> None:
    client_id = f"rp-{uuid.uuid4().hex[:8]}"
    assert _post(call_api, BASE, operator, _fields(client_id)).status == 201

    again = _post(call_api, BASE, operator, _fields(client_id))

    assert again.status == 400
    assert 'id="field-client_id-error"' in again.body.decode()


def test_given_a_prime_holder_when_opening_or_posting_the_registry_then_refused(
    call_api: Any, operator: dict[str, str]
) -> None:
    from functions.auth.dal import get_store

    _sub, prime = _signed_in(tier=AccountTier.PRIME)
    client_id = f"rp-{uuid.uuid4().hex[:8]}"

    listing = call_api("GET", BASE, headers=prime)
    # a forged post with a token taken from an operator's form still carries the Prime holder's session
    operator_token = _csrf(call_api("GET", f"{BASE}/new", headers=operator).body.decode())
    body = urlencode([("csrf_token", operator_token), *_fields(client_id)])
    forged = call_api("POST", BASE, headers={**prime, **FORM}, body=body)

    assert listing.status == 403
    assert forged.status == 403
    assert get_store().get_relying_party(client_id) is None
