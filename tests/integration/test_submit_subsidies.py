"""The jGrants catalogue search through API Gateway proxy events, over moto's DynamoDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import ApiCaller

# Words no demo or other test subsidy uses, so results are ours alone on the shared platform.
OWN_WORD = "結合試験専用ｶﾀﾛｸﾞ"
URL = "/exp/v1/public/subsidies"


def _search(call_api: ApiCaller, **params: str) -> Any:
    return call_api("GET", f"{URL}?{urlencode(params)}")


@pytest.fixture(scope="module")
def catalogue(aws_platform: dict[str, Any]) -> dict[str, Any]:
    from devstack.seed_jgrants import seed_jgrants
    from functions.submit.dal import SubsidyStore
    from functions.submit.models import Subsidy

    info = seed_jgrants(aws_platform)
    now = datetime.now(UTC)
    store = SubsidyStore(aws_platform["meti"].name("table", "subsidies"))
    own = [
        Subsidy(
            id="itestsubmit001",
            name="S-98000001",
            title=f"{OWN_WORD}補助金（受付中・東京都）",
            target_area_search="東京都",
            target_number_of_employees="20名以下",
            industry="製造業 / 情報通信業",
            subsidy_max_limit=1_000_000,
            acceptance_start_datetime=now - timedelta(days=1),
            acceptance_end_datetime=now + timedelta(days=10),
            created_date=now - timedelta(days=3),
        ),
        Subsidy(
            id="itestsubmit002",
            name="S-98000002",
            title=f"{OWN_WORD}補助金（受付終了・全国）",
            target_area_search="全国",
            target_number_of_employees="従業員数の制約なし",
            industry="建設業",
            subsidy_max_limit=5_000_000,
            acceptance_start_datetime=now - timedelta(days=30),
            acceptance_end_datetime=now - timedelta(days=2),
            created_date=now - timedelta(days=40),
        ),
        Subsidy(
            id="itestsubmit003",
            name="S-98000003",
            title=f"{OWN_WORD}補助金（受付前・大阪府）",
            target_area_search="大阪府",
            industry="製造業",
            subsidy_max_limit=2_000_000,
            acceptance_start_datetime=now + timedelta(days=5),
            acceptance_end_datetime=now + timedelta(days=50),
            created_date=now - timedelta(days=1),
        ),
    ]
    for subsidy in own:
        store.put_subsidy(subsidy)
    return info


def _ids(response: Any) -> list[str]:
    return [row["id"] for row in response.json()["result"]]


@pytest.mark.usefixtures("catalogue")
class TestSearchSubsidies:
    def test_given_seeded_catalogue_when_searching_a_common_word_then_demo_subsidies_come_in_jgrants_shape(
        self, call_api: ApiCaller
    ) -> None:
        response = _search(call_api, keyword="デモ")

        assert response.status == 200
        body = response.json()
        assert body["metadata"] == {"type": "application/json", "resultset": {"count": len(body["result"])}}
        assert {f"a0W5h00000demo{n:03d}" for n in range(1, 13)} <= set(_ids(response))
        row = next(r for r in body["result"] if r["id"] == "a0W5h00000demo001")
        assert set(row) == {
            "id",
            "name",
            "title",
            "target_area_search",
            "subsidy_max_limit",
            "acceptance_start_datetime",
            "acceptance_end_datetime",
            "target_number_of_employees",
        }
        assert isinstance(row["subsidy_max_limit"], int)
        assert row["acceptance_end_datetime"].endswith(".000Z")

    def test_given_full_width_keyword_when_searching_then_it_matches_half_width_text(self, call_api: ApiCaller) -> None:
        response = _search(call_api, keyword="ＩＴ導入補助金")

        assert response.status == 200
        assert "a0W5h00000demo002" in _ids(response)

    def test_given_own_subsidies_when_sorting_by_creation_ascending_then_oldest_comes_first(
        self, call_api: ApiCaller
    ) -> None:
        response = _search(call_api, keyword=OWN_WORD, sort="created_date", order="ASC")

        assert _ids(response) == ["itestsubmit002", "itestsubmit001", "itestsubmit003"]
        assert response.json()["metadata"]["resultset"]["count"] == 3

    def test_given_own_subsidies_when_asking_only_accepting_ones_then_closed_and_upcoming_are_left_out(
        self, call_api: ApiCaller
    ) -> None:
        response = _search(call_api, keyword=OWN_WORD, acceptance="1")

        assert _ids(response) == ["itestsubmit001"]

    def test_given_area_filter_when_searching_then_the_area_and_nationwide_subsidies_match(
        self, call_api: ApiCaller
    ) -> None:
        response = _search(call_api, keyword=OWN_WORD, target_area_search="東京都", sort="acceptance_end_datetime")

        assert _ids(response) == ["itestsubmit001", "itestsubmit002"]

    def test_given_industry_and_employee_filters_when_searching_then_only_fitting_subsidies_match(
        self, call_api: ApiCaller
    ) -> None:
        response = _search(call_api, keyword=OWN_WORD, industry="製造業", target_number_of_employees="20名以下")

        assert _ids(response) == ["itestsubmit001"]

    def test_given_keyword_nothing_matches_when_searching_then_200_with_count_zero(self, call_api: ApiCaller) -> None:
        response = _search(call_api, keyword="存在しない補助金名ZZZ")

        assert response.status == 200
        assert response.json() == {
            "metadata": {"type": "application/json", "resultset": {"count": 0}},
            "result": [],
        }


@pytest.mark.parametrize("query", ["", "keyword=", "keyword=a", "keyword=%20a%20", f"keyword={'x' * 256}"])
def test_given_missing_or_bad_keyword_when_searching_then_400_problem_names_keyword(
    call_api: ApiCaller, query: str
) -> None:
    response = call_api("GET", f"{URL}?{query}")

    assert response.status == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["item"] for e in response.json()["errors"]] == ["keyword"]


@pytest.mark.parametrize(("name", "value"), [("sort", "title"), ("order", "desc"), ("acceptance", "2")])
def test_given_value_outside_the_enumeration_when_searching_then_400_problem_names_the_parameter(
    call_api: ApiCaller, name: str, value: str
) -> None:
    response = _search(call_api, keyword="補助金", **{name: value})

    assert response.status == 400
    assert [e["item"] for e in response.json()["errors"]] == [name]
