"""API tokens at the door: the token must be live, and each token has a token bucket and a daily quota.

Published limits (the OpenAPI description and docs/integrators say the same): **10 requests per second,
bursts of 20, 100,000 a day (days in Japan time)** per token. Over a limit the answer is ``429`` with
``Retry-After`` (seconds) and a problem body.

The bucket lives in the token's own item of the ``api-tokens`` table and is advanced with a conditional
update on the previous state (optimistic concurrency), so concurrent function instances, the devstack
and the cloud count alike. A warm instance remembers the state it last wrote for each token and goes
straight to that conditional update: one DynamoDB call per request while it is the only instance serving
the token, and still exact when it is not (the condition fails, the item is read and the update retried).
The condition also requires the token to be active, so a revocation takes effect at the next request.
In the cloud an API Gateway usage plan may sit in front with the same figures; this check is the one both
places share.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.hojin_search.logic import API_TOKEN_HEADER, hash_api_token
from platform_common import aws
from platform_common.errors import RateLimited, Unauthorized

JST: Final = timezone(timedelta(hours=9))
MAX_ATTEMPTS: Final = 5
_EPSILON: Final = 1e-6


@dataclass(frozen=True)
class RateLimits:
    per_second: float = 10.0
    burst: int = 20
    per_day: int = 100_000

    def describe(self) -> str:
        return f"{self.per_second:g} requests per second, bursts of {self.burst}, {self.per_day:,} per day (JST)"


PUBLISHED_LIMITS: Final = RateLimits()


@dataclass(frozen=True)
class BucketState:
    tokens: float
    updated: float  # epoch seconds
    day: str  # yyyymmdd in JST
    day_count: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    state: BucketState
    retry_after: int = 0  # whole seconds, at least 1 when refused


class RateLimitExceeded(RateLimited):
    """Refused for now; ``retry_after`` goes to the ``Retry-After`` header."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail=detail)
        self.retry_after = retry_after


def jst_day(now: float) -> str:
    return datetime.fromtimestamp(now, JST).strftime("%Y%m%d")


def seconds_to_next_jst_day(now: float) -> int:
    moment = datetime.fromtimestamp(now, JST)
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((midnight - moment).total_seconds()))


def take(state: BucketState | None, now: float, limits: RateLimits = PUBLISHED_LIMITS) -> Decision:
    """One request against the bucket at ``now``: pure, so the arithmetic is tested without a clock."""
    day = jst_day(now)
    if state is None:
        state = BucketState(tokens=float(limits.burst), updated=now, day=day, day_count=0)
    elapsed = max(0.0, now - state.updated)
    tokens = min(float(limits.burst), state.tokens + elapsed * limits.per_second)
    day_count = state.day_count if state.day == day else 0
    refreshed = BucketState(tokens=tokens, updated=max(now, state.updated), day=day, day_count=day_count)
    if day_count >= limits.per_day:
        return Decision(False, refreshed, seconds_to_next_jst_day(now))
    if tokens < 1.0 - _EPSILON:  # float time arithmetic: 0.1 s x 10/s may come out a hair under 1
        return Decision(False, refreshed, max(1, math.ceil((1.0 - tokens) / limits.per_second)))
    return Decision(True, BucketState(max(0.0, tokens - 1.0), refreshed.updated, day, day_count + 1))


def _state_of(item: Mapping[str, Any]) -> BucketState | None:
    if "rl_updated" not in item:
        return None
    return BucketState(
        tokens=float(item["rl_tokens"]["N"]),
        updated=float(item["rl_updated"]["N"]),
        day=item["rl_day"]["S"],
        day_count=int(item["rl_count"]["N"]),
    )


@dataclass(frozen=True)
class _Known:
    owner: str
    state: BucketState


@dataclass(frozen=True)
class TokenGate:
    """Checks a presented token and meters it (DynamoDB ``api-tokens``)."""

    table: str
    limits: RateLimits = PUBLISHED_LIMITS
    clock: Callable[[], float] = time.time
    _known: dict[str, _Known] = field(default_factory=dict, repr=False, compare=False)

    def admit(self, token: str | None) -> str:
        """The token's owner when the call may proceed; else :class:`Unauthorized` / :class:`RateLimitExceeded`."""
        if not token:
            raise Unauthorized(f"the {API_TOKEN_HEADER} header is required")
        token_hash = hash_api_token(token)
        known = self._known.get(token_hash)
        if known is not None and self._advance(token_hash, known.state):
            return known.owner
        dynamodb = aws.client("dynamodb")
        for _attempt in range(MAX_ATTEMPTS):
            item = dynamodb.get_item(
                TableName=self.table, Key={"token_hash": {"S": token_hash}}, ConsistentRead=True
            ).get("Item")
            if item is None or not item.get("active", {}).get("BOOL", True):
                raise Unauthorized(f"the {API_TOKEN_HEADER} header does not hold a valid token")
            previous = _state_of(item)
            now = self.clock()
            decision = take(previous, now, self.limits)
            if not decision.allowed:
                raise RateLimitExceeded(
                    f"rate limit exceeded: {self.limits.describe()}; retry after {decision.retry_after} s",
                    decision.retry_after,
                )
            try:
                self._save(token_hash, previous, decision.state, now)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                continue  # another request moved the bucket first, or the token was revoked: look again
            owner = str(item.get("owner", {}).get("S", ""))
            self._known[token_hash] = _Known(owner, decision.state)
            return owner
        raise RateLimitExceeded("too many concurrent requests for this token", 1)

    def _advance(self, token_hash: str, previous: BucketState) -> bool:
        """The fast path: take from the state this instance last wrote. ``False``: read the item and decide.

        A refusal is not decided here (another instance may have refilled nothing, or the day may have
        turned): the slow path reads the item and answers with the exact ``Retry-After``.
        """
        now = self.clock()
        decision = take(previous, now, self.limits)
        if not decision.allowed:
            return False
        try:
            self._save(token_hash, previous, decision.state, now)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            self._known.pop(token_hash, None)  # moved elsewhere, or revoked: the slow path reads it
            return False
        owner = self._known[token_hash].owner
        self._known[token_hash] = _Known(owner, decision.state)
        return True

    def _save(self, token_hash: str, previous: BucketState | None, state: BucketState, now: float) -> None:
        condition = "active = :live"
        values: dict[str, Any] = {
            ":live": {"BOOL": True},
            ":tokens": {"N": repr(state.tokens)},
            ":updated": {"N": repr(state.updated)},
            ":day": {"S": state.day},
            ":count": {"N": str(state.day_count)},
            ":used": {"S": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")},
        }
        if previous is None:
            condition += " AND attribute_not_exists(rl_updated)"
        else:
            # Every admitted request adds one to the day's count: with the time and the day it names one state
            condition += " AND rl_updated = :previous AND rl_day = :previous_day AND rl_count = :previous_count"
            values[":previous"] = {"N": repr(previous.updated)}
            values[":previous_day"] = {"S": previous.day}
            values[":previous_count"] = {"N": str(previous.day_count)}
        aws.client("dynamodb").update_item(
            TableName=self.table,
            Key={"token_hash": {"S": token_hash}},
            UpdateExpression=(
                "SET rl_tokens = :tokens, rl_updated = :updated, rl_day = :day, rl_count = :count, last_used = :used"
            ),
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )


_gate: TokenGate | None = None


def get_gate() -> TokenGate:
    global _gate
    if _gate is None:
        from functions.hojin_search.settings import get_settings

        _gate = TokenGate(get_settings().api_tokens_table_name)
    return _gate


def use_gate(gate: TokenGate | None) -> None:
    """Replace the process's gate (tests inject a clock or limits; ``None`` restores the default)."""
    global _gate
    _gate = gate
