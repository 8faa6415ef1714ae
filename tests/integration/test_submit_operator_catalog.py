"""The ministry operators' catalogue API and the public detail, through API Gateway events over moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ApiCaller
from tests.integration.jgrants_principals import TestIdentityProvider, install_identity_provider, make_staff

OPERATOR_URL = "/submit/v1/operator/subsidies"
PUBLIC_URL = "/exp/v1/public/subsidies"
DEMO_ID = "a0W5h00000demo001"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def idp(aws_platform: dict[str, Any]) -> Iterator[TestIdentityProvider]:
    from devstack.seed_jgrants import seed_jgrants

    seed_jgrants(aws_platform)
    yield from install_identity_provider()


@pytest.fixture(scope="module")
def operator(idp: TestIdentityProvider, aws_platform: dict[str, Any]) -> tuple[str, dict[str, str]]:
    sub, headers = idp.bearer(email="operator@ministry.example.jp")
    make_staff(aws_platform["meti"].name("table", "applications"), sub, "operator")
    return sub, headers


def _new_subsidy(**changes: Any) -> dict[str, Any]:
    now = NOW
    body: dict[str, Any] = {
        "name": "S-97000001",
        "title": "運用試験用 省力化設備補助金",
        "use_purpose": "設備整備・IT導入をしたい",
        "industry": "製造業",
        "target_area_search": "全国",
        "target_number_of_employees": "300名以下",
        "subsidy_rate": "1/2以内",
        "subsidy_max_limit": 5_000_000,
        "acceptance_start_datetime": (now - timedelta(days=1)).isoformat(),
        "acceptance_end_datetime": (now + timedelta(days=30)).isoformat(),
        "minimum_tier": "prime",
        "attachments": [
            {"code": "business_plan", "label": "事業計画書", "label_en": "Business plan", "formats": ["pdf"]},
        ],
        "form_schema": {
            "type": "object",
            "properties": {
                "company": {
                    "type": "object",
                    "properties": {"name": {"type": "string", "x-prefill": "gbizinfo:name"}},
                },
                "requested_amount": {"type": "integer", "minimum": 1},
            },
        },
    }
    body.update(changes)
    return body


def _post(call_api: ApiCaller, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return call_api("POST", OPERATOR_URL, {**headers, "Content-Type": "application/json"}, json.dumps(body))


def _put(call_api: ApiCaller, headers: dict[str, str], subsidy_id: str, body: dict[str, Any], version: str) -> Any:
    return call_api(
        "PUT",
        f"{OPERATOR_URL}/{subsidy_id}",
        {**headers, "Content-Type": "application/json", "If-Match": version},
        json.dumps(body),
    )


def _audit_entries(aws_platform: dict[str, Any], kind: str, subsidy_id: str) -> list[Any]:
    from functions.submit.schedule import audit_log

    return [e for e in audit_log().find_entries(kinds=[kind], limit=500) if e.detail.get("subsidy_id") == subsidy_id]


class TestAccess:
    def test_given_no_token_when_listing_operator_subsidies_then_401(self, call_api: ApiCaller, idp: Any) -> None:
        assert call_api("GET", OPERATOR_URL).status == 401

    def test_given_applicant_who_is_not_staff_when_creating_then_403_and_nothing_stored(
        self, call_api: ApiCaller, idp: TestIdentityProvider
    ) -> None:
        _sub, headers = idp.bearer(account_type="2", corporate_number="1234567890123")

        answer = _post(call_api, headers, _new_subsidy(id="itestforbidden1"))

        assert answer.status == 403
        assert call_api("GET", f"{PUBLIC_URL}/id/itestforbidden1").status == 404

    def test_given_reviewer_when_editing_a_subsidy_then_403(
        self, call_api: ApiCaller, idp: TestIdentityProvider, aws_platform: dict[str, Any]
    ) -> None:
        sub, headers = idp.bearer()
        make_staff(aws_platform["meti"].name("table", "applications"), sub, "reviewer")

        assert _put(call_api, headers, DEMO_ID, _new_subsidy(), '"1"').status == 403
        assert call_api("GET", OPERATOR_URL, headers).status == 403


class TestOperatorEdits:
    def test_given_operator_when_creating_then_201_with_version_and_an_audit_event(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]], aws_platform: dict[str, Any]
    ) -> None:
        answer = _post(call_api, operator[1], _new_subsidy(id="itestop001"))

        assert answer.status == 201, answer.body
        assert answer.headers["etag"] == '"1"'
        body = answer.json()
        assert (body["id"], body["version"], body["minimum_tier"]) == ("itestop001", 1, "prime")
        [event] = _audit_entries(aws_platform, "subsidy.created", "itestop001")
        assert event.actor_sub == operator[0]

    def test_given_an_id_in_use_when_creating_then_409_naming_id(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        answer = _post(call_api, operator[1], _new_subsidy(id=DEMO_ID))

        assert answer.status == 409
        assert answer.json()["errors"][0]["item"] == "id"

    def test_given_current_version_when_updating_then_version_moves_and_the_change_is_audited(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]], aws_platform: dict[str, Any]
    ) -> None:
        created = _post(call_api, operator[1], _new_subsidy(id="itestop002")).json()

        answer = _put(call_api, operator[1], created["id"], _new_subsidy(subsidy_rate="2/3以内"), '"1"')

        assert answer.status == 200, answer.body
        assert answer.headers["etag"] == '"2"'
        assert answer.json()["subsidy_rate"] == "2/3以内"
        assert answer.json()["created_date"] == created["created_date"]
        [event] = _audit_entries(aws_platform, "subsidy.updated", "itestop002")
        assert event.detail["changed"] == "subsidy_rate"
        assert event.detail["version"] == "2"

    def test_given_a_stale_version_when_updating_then_412_names_the_current_version_and_nothing_changes(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        _post(call_api, operator[1], _new_subsidy(id="itestop003"))
        assert _put(call_api, operator[1], "itestop003", _new_subsidy(title="一人目の編集"), '"1"').status == 200

        answer = _put(call_api, operator[1], "itestop003", _new_subsidy(title="二人目の古い編集"), '"1"')

        assert answer.status == 412
        assert "current version is 2" in answer.json()["errors"][0]["message"]
        assert call_api("GET", f"{OPERATOR_URL}/itestop003", operator[1]).json()["title"] == "一人目の編集"

    def test_given_no_if_match_when_updating_then_400_naming_the_header(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        answer = call_api(
            "PUT",
            f"{OPERATOR_URL}/{DEMO_ID}",
            {**operator[1], "Content-Type": "application/json"},
            json.dumps(_new_subsidy()),
        )

        assert answer.status == 400
        assert answer.json()["errors"][0]["item"] == "If-Match"

    def test_given_an_unknown_subsidy_when_updating_then_404(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        assert _put(call_api, operator[1], "itestnosuch", _new_subsidy(), '"1"').status == 404

    def test_given_operator_when_listing_then_drafts_are_included_with_versions(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        _post(call_api, operator[1], _new_subsidy(id="itestop004", published=False))

        listed = {row["id"]: row for row in call_api("GET", OPERATOR_URL, operator[1]).json()["subsidies"]}

        assert listed["itestop004"]["published"] is False
        assert listed[DEMO_ID]["version"] >= 1


class TestValidation:
    def test_given_an_invalid_form_schema_when_creating_then_400_names_its_json_pointer(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        schema = {"type": "object", "properties": {"project": {"type": "objekt"}}}

        answer = _post(call_api, operator[1], _new_subsidy(id="itestbad001", form_schema=schema))

        assert answer.status == 400
        assert [e["item"] for e in answer.json()["errors"]] == ["form_schema/properties/project/type"]
        assert call_api("GET", f"{OPERATOR_URL}/itestbad001", operator[1]).status == 404

    @pytest.mark.parametrize(
        ("schema", "pointer"),
        [
            ({"type": "array"}, "form_schema/type"),
            ({"type": "object", "properties": {"a": {"$ref": "https://evil.example/s.json"}}},
             "form_schema/properties/a/$ref"),
            ({"type": "object", "properties": {"a": {"type": "string", "x-prefill": "db:password"}}},
             "form_schema/properties/a/x-prefill"),
            ({"type": "object", "$schema": "http://json-schema.org/draft-04/schema#"}, "form_schema/$schema"),
        ],
    )  # fmt: skip
    def test_given_a_form_the_platform_refuses_when_creating_then_400_names_the_pointer(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]], schema: dict[str, Any], pointer: str
    ) -> None:
        answer = _post(call_api, operator[1], _new_subsidy(id="itestbad002", form_schema=schema))

        assert answer.status == 400
        assert pointer in [e["item"] for e in answer.json()["errors"]]

    def test_given_field_errors_when_creating_then_400_names_each_field(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        now = datetime.now(UTC)
        body = _new_subsidy(
            id="itestbad003",
            acceptance_start_datetime=now.isoformat(),
            acceptance_end_datetime=(now - timedelta(days=1)).isoformat(),
            attachments=[
                {"code": "plan", "label": "計画", "label_en": "Plan", "formats": ["pdf"]},
                {"code": "plan", "label": "計画2", "label_en": "Plan 2", "formats": ["pdf"]},
            ],
        )

        answer = _post(call_api, operator[1], body)

        assert answer.status == 400
        assert {e["item"] for e in answer.json()["errors"]} == {"acceptance_end_datetime", "attachments/1/code"}

    def test_given_a_wrong_type_when_creating_then_400_names_the_field(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        answer = _post(call_api, operator[1], _new_subsidy(id="itestbad004", minimum_tier="gold"))

        assert answer.status == 400
        assert answer.json()["errors"][0]["item"] == "minimum_tier"


class TestPublicDetail:
    def test_given_a_demo_subsidy_when_reading_its_detail_then_jgrants_fields_and_attachments_come_back(
        self, call_api: ApiCaller, idp: Any
    ) -> None:
        answer = call_api("GET", f"{PUBLIC_URL}/id/{DEMO_ID}")

        assert answer.status == 200
        body = answer.json()
        assert body["metadata"]["resultset"]["count"] == 1
        [detail] = body["result"]
        jgrants_fields = {
            "id", "name", "title", "subsidy_catch_phrase", "detail", "use_purpose", "industry",
            "target_area_search", "target_area_detail", "target_number_of_employees", "subsidy_rate",
            "subsidy_max_limit", "acceptance_start_datetime", "acceptance_end_datetime", "project_end_deadline",
            "created_date",
        }  # fmt: skip
        assert jgrants_fields <= set(detail)
        assert detail["acceptance_end_datetime"].endswith("Z")
        assert detail["minimum_tier"] == "prime"
        codes = {a["code"]: a for a in detail["attachments"]}
        assert codes["registry_certificate"]["exchange_service"]
        assert "form_schema" not in detail
        assert "published" not in detail

    def test_given_a_draft_when_reading_publicly_then_404_until_an_operator_publishes_it(
        self, call_api: ApiCaller, operator: tuple[str, dict[str, str]]
    ) -> None:
        _post(call_api, operator[1], _new_subsidy(id="itestdraft01", published=False))
        assert call_api("GET", f"{PUBLIC_URL}/id/itestdraft01").status == 404
        search = call_api("GET", f"{PUBLIC_URL}?keyword=運用試験用").json()["result"]
        assert "itestdraft01" not in [row["id"] for row in search]

        assert _put(call_api, operator[1], "itestdraft01", _new_subsidy(published=True), '"1"').status == 200

        assert call_api("GET", f"{PUBLIC_URL}/id/itestdraft01").status == 200

    def test_given_an_unknown_id_when_reading_then_404_problem(self, call_api: ApiCaller, idp: Any) -> None:
        answer = call_api("GET", f"{PUBLIC_URL}/id/nosuchsubsidy")

        assert answer.status == 404
        assert answer.headers["content-type"] == "application/problem+json"
