"""Signatures and a race under faults (tests/faults.py): KMS failing while the OpenID Provider signs tokens or
the exchange signs a message, and two reviewers deciding one application at the same moment. Each answers a
503 (or 409) the client can act on, issues or records nothing half-way, and leaves the credential, the message
id or the review as it was."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from functions.auth.oidc.store import FAMILY_INDEX_PREFIX, get_oidc_store
from platform_common import aws
from tests.faults import KMS_INTERNAL, SFN_TASK_TIMED_OUT, inject
from tests.integration import test_application_review_flow as review_tests
from tests.integration import test_exchange_protocol as exchange_tests
from tests.integration.test_application_review_flow import _app_item, _assigned, _chain, _decide, _staff, _submitted
from tests.integration.test_auth_oidc_flow import HOST, Flow, _account, _cookie_for, _register
from tests.integration.test_exchange_protocol import GBIZINFO_PATH, _call
from tests.integration.test_submit_applications import wait_for_status

exchange = exchange_tests.exchange  # the module's fixture: the demo exchange seeded, its clients' signers
# The review module's fixture: the OP's keys, jGrants pointed at the exchange. It seeds the exchange again (new
# client keys), so the review test comes after the exchange tests, which sign with the first seed's keys.
keys = review_tests.keys

ATTEMPTS = 1 + 3  # platform_common.aws: standard mode, 3 retries after the first attempt


def _assert_unavailable(response: Any) -> None:
    assert response.status == 503, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["type"].endswith("service-unavailable")


# ------------------------------------------------------------------------------------- OIDC token endpoint


def _families_of(sub: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = aws.client("dynamodb").query(
        TableName=get_oidc_store().table_name,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": FAMILY_INDEX_PREFIX + sub}},
    )["Items"]
    return found


def _flow(call_api: Any) -> tuple[Flow, str]:
    sub = _account("prime")
    return Flow(call_api, _register(), _cookie_for(sub)), sub


def test_kms_failing_on_the_id_token_answers_503_and_the_code_redeems_once_when_kms_is_back(call_api: Any) -> None:
    flow, sub = _flow(call_api)
    code = flow.code()

    # the access token is signed, then every attempt at the ID token's signature fails
    with inject("kms", "Sign", KMS_INTERNAL, after=1) as fault:
        failed = flow.exchange(code)

    _assert_unavailable(failed)  # a 5xx the relying party retries, not 400 invalid_grant
    assert fault.attempts == 1 + ATTEMPTS
    assert _families_of(sub) == []  # no refresh token (nor its family) was stored

    redeemed = flow.exchange(code)  # the code was put back: it redeems once KMS answers
    assert redeemed.status == 200, redeemed.body
    assert {"access_token", "id_token", "refresh_token"} <= set(redeemed.json())
    assert len(_families_of(sub)) == 1

    again = flow.exchange(code)
    assert again.status == 400
    assert again.json()["error"] == "invalid_grant"  # and once only


def test_kms_failing_on_a_refresh_answers_503_and_the_refresh_token_still_works_unrevoked(call_api: Any) -> None:
    flow, sub = _flow(call_api)
    first = flow.exchange(flow.code()).json()
    [family] = _families_of(sub)
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}

    with inject("kms", "Sign", KMS_INTERNAL) as fault:  # the new access token cannot be signed
        failed = flow.token(refresh)

    _assert_unavailable(failed)
    assert fault.attempts == ATTEMPTS
    family_id = family["pk"]["S"].removeprefix("FAMILY#")
    assert not get_oidc_store().family_revoked(family_id)

    renewed = flow.token(refresh)  # not taken for a replay: the token was made active again
    assert renewed.status == 200, renewed.body
    assert not get_oidc_store().family_revoked(family_id)
    bearer = {**HOST, "Authorization": f"Bearer {renewed.json()['access_token']}"}
    userinfo = call_api("GET", "/oauth/userinfo", headers=bearer)
    assert userinfo.status == 200, userinfo.body


# ------------------------------------------------------------------------------------------- data exchange


def _log(aws_platform: dict[str, Any], exchange: dict[str, Any]) -> Any:
    from functions.exchange.message_log import MessageLog

    return MessageLog(exchange["table"], aws_platform["exchange"].name("bucket", "message-log"))


def _accesses(exchange: dict[str, Any], message_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = aws.client("dynamodb").query(
        TableName=exchange["table"],
        KeyConditionExpression="pk = :pk",
        FilterExpression="message_id = :id",
        ExpressionAttributeValues={":pk": {"S": f"ACCESS#{exchange['corp_a']}"}, ":id": {"S": message_id}},
    )["Items"]
    return found


def test_kms_failing_on_the_request_signature_answers_503_logs_nothing_and_the_same_request_goes_later(
    call_api: Any, exchange: dict[str, Any], aws_platform: dict[str, Any]
) -> None:
    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])
    message_id = f"fault-request-{uuid.uuid4()}"
    log = _log(aws_platform, exchange)

    with inject("kms", "Sign", KMS_INTERNAL) as fault:  # the client member's key cannot sign the request
        failed = _call(call_api, exchange, "allowed", path, message_id=message_id)

    _assert_unavailable(failed)
    assert fault.attempts == ATTEMPTS
    assert "デモ工業" not in failed.body.decode()
    assert log.seqs_of_message(message_id) == []  # nothing claims it was forwarded
    assert _accesses(exchange, message_id) == []

    sent = _call(call_api, exchange, "allowed", path, message_id=message_id)  # the id was not spent
    assert sent.status == 200, sent.body
    entries = [log.entry(seq) for seq in log.seqs_of_message(message_id)]
    assert [(e.direction, e.outcome) for e in entries] == [("request", "forwarded"), ("response", "ok")]


def test_kms_failing_on_the_answer_signature_answers_503_and_logs_the_answer_as_undelivered(
    call_api: Any, exchange: dict[str, Any], aws_platform: dict[str, Any]
) -> None:
    from devstack.exchange_log import export_bundle, verify_bundle
    from functions.exchange.settings import get_settings
    from functions.exchange.signing import kms_public_jwk

    path = GBIZINFO_PATH.format(meti=exchange["meti"], number=exchange["corp_a"])
    message_id = f"fault-answer-{uuid.uuid4()}"
    log = _log(aws_platform, exchange)

    # the request is signed and stamped; then KMS fails: the provider member's signature, the answer's stamp
    with inject("kms", "Sign", KMS_INTERNAL, after=2) as fault:
        failed = _call(call_api, exchange, "allowed", path, message_id=message_id)

    _assert_unavailable(failed)
    assert fault.attempts == 2 + 2 * ATTEMPTS
    assert "デモ工業" not in failed.body.decode()  # the provider's answer is not delivered unsigned
    assert "x-road-response-signature" not in failed.headers
    request, answer = (log.entry(seq) for seq in log.seqs_of_message(message_id))
    assert (request.direction, request.outcome) == ("request", "forwarded")
    assert (answer.direction, answer.outcome) == ("response", "signing-failed")  # every request has its answer
    assert (answer.signer, answer.signature, answer.timestamp) == ("", "", "")
    assert _accesses(exchange, message_id) == []  # the corporation's record: only for data the client received

    key_id = get_settings().signing_key_id
    bundle = export_bundle(log, "JP-DEV", key_id, message_id=message_id)
    assert verify_bundle(bundle, kms_public_jwk(key_id))["entries"] == 2  # the chain still verifies offline

    assert _call(call_api, exchange, "allowed", path, message_id=message_id).status == 409  # it was forwarded
    assert _call(call_api, exchange, "allowed", path).status == 200  # a new id goes through


# ------------------------------------------------------------------------------------------ review decision


@contextmanager
def _claims_meet(count: int) -> Iterator[threading.Barrier]:
    """Hold each decision's claim of the task token (its conditional ``UpdateItem``) until ``count`` claims are
    ready to go: every decision has read the same token before any of them writes."""
    barrier = threading.Barrier(count, timeout=20)
    events = aws.client("dynamodb").meta.events

    def hold(request: Any, **_kwargs: Any) -> None:
        if b"SET pending_decision" in (request.body or b""):
            barrier.wait()

    events.register_first("before-send.dynamodb.UpdateItem", hold, unique_id="race-claims")
    try:
        yield barrier
    finally:
        events.unregister("before-send.dynamodb.UpdateItem", unique_id="race-claims")


def test_two_reviewers_deciding_at_once_one_wins_and_the_other_gets_409(
    call_api: Any, keys: Any, aws_platform: dict[str, Any]
) -> None:
    from devstack.isolation import isolate_request_threads
    from devstack.moto_dynamodb import tune_dynamodb

    isolate_request_threads()  # two requests of one function at once, as the devstack's gateway serves them
    tune_dynamodb()  # moto's writes atomic, as DynamoDB's are
    approver, rejecter = _staff(aws_platform, "reviewer"), _staff(aws_platform, "reviewer")
    applicant, app = _submitted(call_api, keys, aws_platform, "race")
    _assigned(aws_platform, app["id"])
    bodies = {approver: {"outcome": "approve", "amount": 3_000_000}, rejecter: {"outcome": "reject", "reason": "不備"}}
    answers: dict[str, Any] = {}

    def decide(sub: str) -> None:
        answers[sub] = _decide(call_api, keys, sub, app["id"], **bodies[sub])

    # every attempt reaches moto (times=0): the injection only counts the task token's answers
    with _claims_meet(2), inject("stepfunctions", "SendTaskSuccess", SFN_TASK_TIMED_OUT, times=0) as sent:
        threads = [threading.Thread(target=decide, args=(sub,)) for sub in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert sorted(a.status for a in answers.values()) == [202, 409], {s: a.body for s, a in answers.items()}
    [winner] = [sub for sub, answer in answers.items() if answer.status == 202]
    [loser] = [answers[sub] for sub in answers if sub != winner]
    assert loser.headers["content-type"] == "application/problem+json"
    assert [e["item"] for e in loser.json()["errors"]] == ["outcome"]
    assert sent.attempts == 1  # the task token was answered once

    final = "APPROVED" if winner == approver else "REJECTED"
    wait_for_status(call_api, keys, applicant, app["id"], final)
    decision = json.loads(_app_item(aws_platform, app["id"])["decision"]["S"])
    assert (decision["outcome"], decision["reviewer_sub"]) == (bodies[winner]["outcome"], winner)
    decided = [e for e in _chain(aws_platform, app["id"]) if e.kind in ("application.approved", "application.rejected")]
    assert [e.kind for e in decided] == [f"application.{final.lower()}"]
