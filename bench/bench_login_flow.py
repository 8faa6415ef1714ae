"""gBizID's OpenID Provider through the devstack gateway: the full login flow, the token endpoint's
throughput, and token signing in KMS beside an in-process RSA key (the baseline), in one run.

Rows:
- full login flow with a fresh browser: authorize → password → TOTP → consent → token → userinfo (one per
  demo account with TOTP: a TOTP code is accepted once, so each fresh login needs another account or period);
- single sign-on flow: authorize (session and consent exist) → token → userinfo;
- token endpoint (authorization_code, client_secret_basic, PKCE) with 8 concurrent clients;
- signing one token: KMS ``Sign`` on the devstack's moto server, and an in-process RSA-2048 key.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.devstack_process import start_devstack, stop_devstack  # noqa: E402
from tests.e2e.test_auth_oidc_flow import sign_in_through_forms  # noqa: E402  (the same form-filling browser)

SSO_RUNS = 40
TOKEN_REQUESTS = 80
CONCURRENCY = 8
SIGN_RUNS = 200


def authorize_url(issuer: str, rp: dict[str, Any]) -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": rp["client_id"],
        "redirect_uri": rp["redirect_uri"],
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{issuer}/authorize?{urlencode(params)}", verifier


def redeem(issuer: str, rp: dict[str, Any], callback: str, verifier: str) -> dict[str, Any]:
    code = parse_qs(urlsplit(callback).query)["code"][0]
    response = httpx.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": rp["redirect_uri"],
            "code_verifier": verifier,
        },
        auth=(rp["client_id"], rp["client_secret"]),
        timeout=30,
    )
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def _flow(issuer: str, rp: dict[str, Any], browser: httpx.Client, user: dict[str, Any]) -> float:
    started = time.perf_counter()
    url, verifier = authorize_url(issuer, rp)
    redirect = sign_in_through_forms(browser, url, user, stop_at=rp["redirect_uri"])
    token = redeem(issuer, rp, redirect.headers["location"], verifier)
    info = httpx.get(f"{issuer}/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30)
    info.raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    process, demo = start_devstack()
    try:
        issuer, rp = demo["services"]["issuer"], demo["relying_parties"]["demo-rp"]
        base = demo["base_url"]
        users = [u for u in demo["users"] if u.get("totp_secret")]
        fresh = []
        browsers = []
        for user in users:
            browser = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
            browsers.append((browser, user))
            fresh.append(_flow(issuer, rp, browser, user))
        browser, user = browsers[0]
        sso = [_flow(issuer, rp, browser, user) for _ in range(SSO_RUNS)]

        pending = []
        for _ in range(TOKEN_REQUESTS):
            url, verifier = authorize_url(issuer, rp)
            pending.append(
                (sign_in_through_forms(browser, url, user, rp["redirect_uri"]).headers["location"], verifier)
            )
        started = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(lambda item: redeem(issuer, rp, *item), pending))
        token_rps = TOKEN_REQUESTS / (time.perf_counter() - started)

        environment = demo["aws"]["environment"]
        kms = boto3.client(
            "kms",
            endpoint_url=demo["aws"]["endpoint_url"],
            region_name=demo["aws"]["region"],
            aws_access_key_id="bench",
            aws_secret_access_key="bench",  # noqa: S106  (moto accepts any)
        )
        key_id = environment["OIDC_SIGNING_KEY_ID"].split(",")[0]
        message = b"x" * 900  # about the size of a header and claims
        started = time.perf_counter()
        for _ in range(SIGN_RUNS):
            kms.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")
        kms_ms = (time.perf_counter() - started) / SIGN_RUNS * 1000
        local = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        started = time.perf_counter()
        for _ in range(SIGN_RUNS):
            local.sign(message, padding.PKCS1v15(), hashes.SHA256())
        local_ms = (time.perf_counter() - started) / SIGN_RUNS * 1000
    finally:
        stop_devstack(process)

    print(f"{'gBizID OpenID Provider via the devstack gateway':<64}{'value':>12}")
    print(f"{'full login flow, fresh browser (password+TOTP), median s':<64}{statistics.median(fresh):>12.3f}")
    print(f"{'  each of ' + str(len(fresh)) + ' accounts, s':<64}{' '.join(f'{v:.2f}' for v in fresh):>12}")
    print(f"{'single sign-on flow (authorize→token→userinfo), median s':<64}{statistics.median(sso):>12.3f}")
    print(f"{'single sign-on flow, p95 s':<64}{statistics.quantiles(sso, n=20)[18]:>12.3f}")
    print(f"{'token endpoint, ' + str(CONCURRENCY) + ' concurrent clients, requests/s':<64}{token_rps:>12.1f}")
    print(f"{'sign one token: KMS Sign (moto server), ms':<64}{kms_ms:>12.2f}")
    print(f"{'sign one token: baseline in-process RSA-2048 key, ms':<64}{local_ms:>12.2f}")


if __name__ == "__main__":
    main()
