"""A relying party driving the code flow for the revocation, error-page and refresh tests (no tests here).

Each call registers its own relying party (the moto platform is shared by the session); a signed-in
browser session (a Cookie header) goes through /oauth/authorize → consent → /oauth/token as a relying
party's user would.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc.jwk import KeySet

ISSUER = "https://id.devstack.test/oauth"
HOST = {"Host": "id.devstack.test"}
SCOPE = "openid profile email offline_access"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class RelyingParty:
    call: Callable[..., Any]
    client_id: str
    secret: str
    redirect_uri: str

    @classmethod
    def register(cls, call: Callable[..., Any], types: tuple[str, ...] = ("1", "2", "3")) -> RelyingParty:
        from functions.auth.dal import RelyingPartyItem, get_store
        from functions.auth.logic.clients import hash_client_secret

        client_id = f"rp-rev-{uuid.uuid4().hex[:10]}"
        redirect_uri = f"https://{client_id}.example.jp/callback"
        secret = secrets.token_urlsafe(32)
        get_store().put_relying_party(
            RelyingPartyItem(
                client_id,
                "失効試験RP",
                (redirect_uri,),
                ("openid", "profile", "email", "mandate", "offline_access"),
                "client_secret_basic",
                client_secret_hash=hash_client_secret(secret),
                allowed_account_types=types,
            )
        )
        return cls(call, client_id, secret, redirect_uri)

    def _basic(self) -> dict[str, str]:
        pair = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}

    def tokens(self, cookie: str, scope: str = SCOPE) -> dict[str, Any]:
        """The whole code flow for the browser session ``cookie``: the token response."""
        verifier = secrets.token_urlsafe(48)
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": "st",
            "nonce": "nonce-1",
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
        page = self.call("GET", "/oauth/authorize?" + urlencode(params), headers={**HOST, "Cookie": cookie})
        if page.status == 200:  # the consent screen
            html = page.body.decode()
            request_id = html.split('name="request_id" value="')[1].split('"')[0]
            csrf = html.split('name="csrf_token" value="')[1].split('"')[0]
            body = urlencode({"request_id": request_id, "csrf_token": csrf, "decision": "allow"})
            headers = {**HOST, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            page = self.call("POST", "/oauth/authorize", headers=headers, body=body)
        assert page.status == 302, page.body
        code = parse_qs(urlsplit(page.headers["location"]).query)["code"][0]
        response = self.token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": verifier,
            }
        )
        assert response.status == 200, response.body
        found: dict[str, Any] = response.json()
        return found

    def token(self, fields: dict[str, str]) -> Any:
        headers = {**HOST, "Content-Type": "application/x-www-form-urlencoded", **self._basic()}
        return self.call("POST", "/oauth/token", headers=headers, body=urlencode(fields))

    def refresh(self, refresh_token: str) -> Any:
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def userinfo(self, access_token: str) -> Any:
        return self.call("GET", "/oauth/userinfo", headers={**HOST, "Authorization": f"Bearer {access_token}"})


def jwks(call: Callable[..., Any]) -> KeySet:
    return KeySet.import_key_set(call("GET", "/oauth/jwks", headers=HOST).json())


def new_session_cookie(sub: str, acr: str = "urn:gbizid:acr:prime") -> str:
    """Another signed-in browser session of ``sub`` (as from a second device)."""
    from functions.auth.web.session import SESSION_COOKIE, start_session

    _, cookie = start_session(sub, amr=("pwd", "otp", "mfa"), acr=acr, second_factor_pending=False)
    return f"{SESSION_COOKIE}={cookie.value}"


def signed_in(call: Callable[..., Any], cookie: str) -> bool:
    """Whether the cookie still opens the account page (else the browser is sent to the login)."""
    page = call("GET", "/account", headers={**HOST, "Cookie": cookie})
    assert page.status in (200, 303), page.status
    return bool(page.status == 200)
