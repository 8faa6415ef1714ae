"""Signed-in callers of the jGrants API in tests: access tokens of a test OpenID Provider key, userinfo claims
kept in memory, and staff entries written to the ministry's registry.

The submit function verifies tokens exactly as in the cloud (``platform_common.access_tokens``); only the
two fetchers (JWKS and userinfo) read this module's key and claims instead of calling the OP over HTTP.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey


class TestIdentityProvider:
    """Issues RFC 9068 access tokens and answers userinfo for them."""

    __test__ = False  # not a test class

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.key = ECKey.generate_key("P-256", parameters={"kid": "jgrants-test", "use": "sig", "alg": "ES256"})
        self.claims_by_sub: dict[str, dict[str, Any]] = {}

    def jwks(self, _issuer: str) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def userinfo(self, _issuer: str, token: str) -> dict[str, Any]:
        sub = str(jwt.decode(token, self.key).claims["sub"])
        return {"sub": sub, **self.claims_by_sub.get(sub, {})}

    def bearer(self, sub: str | None = None, **claims: Any) -> tuple[str, dict[str, str]]:
        """A new account (or ``sub``) with these userinfo claims: its sub and its Authorization header."""
        sub = sub or str(uuid.uuid4())
        self.claims_by_sub[sub] = claims
        now = int(time.time())
        token = jwt.encode(
            {"alg": "ES256", "typ": "at+jwt", "kid": "jgrants-test"},
            {
                "iss": self.issuer,
                "aud": f"{self.issuer}/userinfo",
                "sub": sub,
                "client_id": "jgrants-test",
                "scope": "openid profile email",
                "iat": now,
                "exp": now + 600,
                "jti": uuid.uuid4().hex,
            },
            self.key,
        )
        return sub, {"Authorization": f"Bearer {token}"}


def install_identity_provider() -> Iterator[TestIdentityProvider]:
    """Make the submit function trust a test OP for the duration of a fixture."""
    from functions.submit.principal import use_resource_server
    from platform_common.access_tokens import ResourceServer

    provider = TestIdentityProvider(os.environ["OIDC_ISSUER"])
    use_resource_server(ResourceServer(provider.issuer, fetch_jwks=provider.jwks, fetch_userinfo=provider.userinfo))
    try:
        yield provider
    finally:
        use_resource_server(None)


def make_staff(applications_table: str, sub: str, role: str, name: str = "テスト職員") -> None:
    """Register ``sub`` in the ministry's staff registry directly (what the bootstrap does)."""
    from functions.submit.staff import StaffMember
    from platform_common import aws

    member = StaffMember(sub=sub, role="operator" if role == "operator" else "reviewer", name=name)
    aws.client("dynamodb").put_item(TableName=applications_table, Item=member.to_item())
