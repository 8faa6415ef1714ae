"""The routers of gBizID, in the order the resolver includes them (one line per feature)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

# -- feature router imports (one line each)
from functions.auth.routers import account, audit, discovery, factors, mandates, members, oidc, prime, relying_parties
from functions.auth.routers import operator_accounts as operator_accounts

ROUTERS: list[Router] = [
    discovery.router,
    # -- feature routers (one line each)
    prime.router,
    members.router,
    mandates.router,
    audit.router,
    factors.router,
    account.router,
    oidc.router,
    relying_parties.router,
    operator_accounts.router,
]
