"""Errors become problem+json in one place, with the offending field named."""

from __future__ import annotations

import json
from http import HTTPStatus

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from platform_common.api import field_errors_from_validation
from platform_common.errors import InvalidInput, NotFound, problem_response


def test_validation_errors_name_the_last_named_location() -> None:
    error = RequestValidationError(
        [
            {"loc": ("query", "keyword"), "msg": "String should have at least 2 characters", "type": "x"},
            {"loc": ("body", "members", 0, "email"), "msg": "Value error, not an e-mail", "type": "y"},
            {"loc": (), "msg": "bad", "type": "z"},
        ]
    )

    found = field_errors_from_validation(error)

    assert [(e.item, e.message) for e in found] == [
        ("keyword", "String should have at least 2 characters"),
        ("email", "not an e-mail"),
        ("request", "bad"),
    ]


def test_domain_errors_carry_their_status_and_field() -> None:
    error = InvalidInput.for_field("corporate_number", "the check digit does not match")

    response = problem_response(error.status, error.slug, error.detail, error.errors, "/x")

    assert response.status_code == 400
    body = json.loads(response.body)
    assert body["errors"] == [{"item": "corporate_number", "message": "the check digit does not match"}]
    assert body["type"].endswith(":invalid-input")
    assert body["instance"] == "/x"
    assert NotFound("gone").status == HTTPStatus.NOT_FOUND
    assert str(NotFound("gone")) == "gone"
