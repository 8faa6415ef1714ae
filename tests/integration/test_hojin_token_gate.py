"""The token gate's fast path: one DynamoDB call per request on a warm instance, and still exact.

Two ``TokenGate`` objects stand for two warm function instances metering the same token.
"""

from __future__ import annotations

from typing import Any

import pytest

from devstack.seed_open_data import issue_api_token
from functions.hojin_search.logic import hash_api_token
from functions.hojin_search.ratelimit import RateLimitExceeded, RateLimits, TokenGate
from platform_common import aws
from platform_common.errors import Unauthorized

LIMITS = RateLimits(per_second=10, burst=20, per_day=100_000)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def table(aws_platform: dict[str, Any]) -> str:
    return str(aws_platform["opendata"].name("table", "api-tokens"))


def _admitted(gate: TokenGate, token: str) -> bool:
    try:
        gate.admit(token)
    except RateLimitExceeded:
        return False
    return True


def test_given_two_instances_metering_one_token_then_the_burst_is_shared_not_doubled(table: str) -> None:
    clock = Clock()
    first, second = TokenGate(table, LIMITS, clock), TokenGate(table, LIMITS, clock)
    token = issue_api_token(table, owner="two instances")

    admitted = [_admitted(first if n % 2 else second, token) for n in range(30)]

    assert admitted.count(True) == 20
    assert admitted[20:] == [False] * 10


def test_given_a_warm_instance_when_the_token_is_revoked_then_the_next_request_is_refused(table: str) -> None:
    gate = TokenGate(table, LIMITS, Clock())
    token = issue_api_token(table, owner="revoked later")
    gate.admit(token)  # the instance now knows the token's state
    aws.client("dynamodb").update_item(
        TableName=table,
        Key={"token_hash": {"S": hash_api_token(token)}},
        UpdateExpression="SET active = :off",
        ExpressionAttributeValues={":off": {"BOOL": False}},
    )

    with pytest.raises(Unauthorized):
        gate.admit(token)


def test_given_a_warm_instance_then_each_request_costs_one_dynamodb_call(table: str) -> None:
    clock = Clock()
    gate = TokenGate(table, LIMITS, clock)
    token = issue_api_token(table, owner="warm")
    gate.admit(token)
    calls: list[str] = []
    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name), unique_id="count-calls")
    try:
        for _ in range(5):
            clock.now += 0.2
            gate.admit(token)
    finally:
        events.unregister("before-call.dynamodb", unique_id="count-calls")

    assert calls == ["UpdateItem"] * 5
