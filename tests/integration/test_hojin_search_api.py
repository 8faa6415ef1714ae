"""gBizINFO REST search, parts, metadata_flg, updateInfo and suggest, through proxy events (moto).

The demo and 200 synthetic corporations are handed in through the ingest into a bucket of this module's own, as
the devstack seeds them (records, Parquet, index, bulk files); the function loads the index from S3 into a temp dir.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B, DEMO_CORPORATIONS
from devstack.seed_open_data import issue_api_token
from devstack.synthdata import generate_records
from functions.hojin_search import engine
from functions.hojin_search.logic import API_TOKEN_HEADER
from functions.route_table import match_route
from platform_common import aws
from tests.integration.open_data_seed import seed_module_bucket

BASE = "/hojin/v2/hojin"


@pytest.fixture(scope="module")
def open_data(aws_platform: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    stack = aws_platform["opendata"]
    records = [*generate_records(200, seed=7), *DEMO_CORPORATIONS]
    bucket = seed_module_bucket(stack, "search-api", records, datetime(2000, 1, 2, tzinfo=UTC))
    engine.use_index_cache(engine.IndexCache(bucket, cache_root=tmp_path_factory.mktemp("index")))
    changes = stack.name("table", "changes")
    for day, key in [
        ("20261001", f"{DEMO_CORP_A}#subsidy"),
        ("20261001", f"{DEMO_CORP_B}#basic"),
        ("20261003", f"{DEMO_CORP_A}#procurement"),
        ("20261105", f"{DEMO_CORP_B}#subsidy"),
    ]:
        aws.client("dynamodb").put_item(TableName=changes, Item={"day": {"S": day}, "key": {"S": key}})
    yield {"records": records, "tokens_table": stack.name("table", "api-tokens"), "bucket": bucket}
    engine.use_index_cache(None)


@pytest.fixture
def headers(open_data: dict[str, Any]) -> dict[str, str]:
    """A fresh token per test: each test starts with a full bucket."""
    return {API_TOKEN_HEADER: issue_api_token(open_data["tokens_table"], owner="tests")}


def test_given_a_name_when_searched_then_slim_rows_in_the_gbizinfo_envelope(call_api, headers):
    response = call_api("GET", f"{BASE}?name=デモ工業", headers=headers)

    assert response.status == 200
    body = response.json()
    assert body["message"] == "200 - OK."
    assert body["errors"] == []
    assert body["totalCount"] == 1
    [row] = body["hojin-infos"]
    assert row["corporate_number"] == DEMO_CORP_A
    assert row["name"] == "デモ工業株式会社"
    assert row["number_of_activity"] == 3
    assert "subsidy" not in row  # search rows are slim


def test_given_a_name_in_half_width_katakana_then_the_same_corporation(call_api, headers):
    response = call_api("GET", f"{BASE}?name=ﾃﾞﾓ工業", headers=headers)

    assert response.status == 200
    assert [row["corporate_number"] for row in response.json()["hojin-infos"]] == [DEMO_CORP_A]


def test_given_a_search_with_no_match_then_200_and_an_empty_list(call_api, headers):
    response = call_api("GET", f"{BASE}?name=存在しない名前の法人ですよ", headers=headers)

    assert response.status == 200
    assert response.json()["hojin-infos"] == []
    assert response.json()["totalCount"] == 0


def test_given_filters_then_every_row_satisfies_them(call_api, headers, open_data):
    response = call_api("GET", f"{BASE}?prefecture=13&capital_stock_from=10000000&limit=5000", headers=headers)

    assert response.status == 200
    found = {row["corporate_number"] for row in response.json()["hojin-infos"]}
    expected = {
        r["corporate_number"]
        for r in open_data["records"]
        if r.get("prefecture_code") == "13" and (r.get("capital_stock") or -1) >= 10_000_000
    }
    assert found == expected
    assert DEMO_CORP_A in found


def test_given_page_and_limit_then_pages_follow_number_order(call_api, headers, open_data):
    first = call_api("GET", f"{BASE}?limit=3&page=1", headers=headers).json()
    second = call_api("GET", f"{BASE}?limit=3&page=2", headers=headers).json()

    numbers = sorted(r["corporate_number"] for r in open_data["records"])
    assert [r["corporate_number"] for r in first["hojin-infos"]] == numbers[:3]
    assert [r["corporate_number"] for r in second["hojin-infos"]] == numbers[3:6]
    assert second["pageNumber"] == 2
    assert second["totalPage"] == -(-len(numbers) // 3)


def test_given_limit_zero_then_only_the_count(call_api, headers, open_data):
    body = call_api("GET", f"{BASE}?limit=0", headers=headers).json()

    assert body["hojin-infos"] == []
    assert body["totalCount"] == len(open_data["records"])


@pytest.mark.parametrize(
    ("query", "items"),
    [
        ("page=11", {"page"}),
        ("limit=5001", {"limit"}),
        ("page=0&limit=abc", {"page", "limit"}),
        ("corporate_number=1234567890123", {"corporate_number"}),
        ("prefecture=99", {"prefecture"}),
        ("founded_year=abcd", {"founded_year"}),
        ("exist_flg=yes", {"exist_flg"}),
        (
            "month_average_predetermined_overtime_hours=D&average_age=E",
            {"month_average_predetermined_overtime_hours", "average_age"},
        ),
        ("net_sales_summary_of_business_results_from=-1", {"net_sales_summary_of_business_results_from"}),
        # digits str.isdigit() accepts but are not 0-9: a superscript, Arabic-Indic and full-width
        ("page=%C2%B2&limit=%D9%A3", {"page", "limit"}),
        ("prefecture=%EF%BC%91%EF%BC%93", {"prefecture"}),
    ],
)
def test_given_bad_parameters_then_400_problem_naming_each(call_api, headers, query, items):
    response = call_api("GET", f"{BASE}?{query}", headers=headers)

    assert response.status == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert {error["item"] for error in response.json()["errors"]} == items


def test_given_a_trailing_slash_then_no_route_as_in_the_real_api():
    assert match_route("GET", f"{BASE}/") is None
    assert match_route("GET", BASE) is not None


def test_given_no_token_then_401(call_api, open_data):
    response = call_api("GET", f"{BASE}?name=デモ")

    assert response.status == 401


@pytest.mark.parametrize(
    ("part", "key", "kind"),
    [
        ("subsidy", "subsidy", list),
        ("procurement", "procurement", list),
        ("certification", "certification", list),
        ("commendation", "commendation", list),
        ("patent", "patent", list),
        ("finance", "finance", dict),
        ("workplace", "workplace_info", dict),
    ],
)
def test_given_a_part_then_identity_plus_that_part_only(call_api, headers, part, key, kind):
    response = call_api("GET", f"{BASE}/{DEMO_CORP_A}/{part}", headers=headers)

    assert response.status == 200
    [record] = response.json()["hojin-infos"]
    assert record["corporate_number"] == DEMO_CORP_A
    assert isinstance(record[key], kind)
    other_parts = {"subsidy", "procurement", "certification", "commendation", "patent", "finance", "workplace_info"}
    assert not (other_parts - {key}) & set(record)


def test_given_the_subsidy_part_then_amounts_are_integers(call_api, headers):
    [record] = call_api("GET", f"{BASE}/{DEMO_CORP_A}/subsidy", headers=headers).json()["hojin-infos"]

    assert record["subsidy"][0]["amount"] == 10_000_000


def test_given_the_corporation_part_then_basic_information_without_activities(call_api, headers):
    [record] = call_api("GET", f"{BASE}/{DEMO_CORP_A}/corporation", headers=headers).json()["hojin-infos"]

    assert record["capital_stock"] == 50_000_000
    assert "subsidy" not in record


def test_given_v1_paths_then_the_same_envelope(call_api, headers):
    v1 = call_api("GET", f"/hojin/v1/hojin/{DEMO_CORP_A}/subsidy", headers=headers).json()
    v2 = call_api("GET", f"{BASE}/{DEMO_CORP_A}/subsidy", headers=headers).json()
    search = call_api("GET", "/hojin/v1/hojin?name=デモ工業", headers=headers).json()

    assert v1 == v2
    assert [r["corporate_number"] for r in search["hojin-infos"]] == [DEMO_CORP_A]


def test_given_an_unknown_corporation_part_then_404(call_api, headers):
    response = call_api("GET", f"{BASE}/7123456789012/subsidy", headers=headers)

    assert response.status == 404


def test_given_metadata_flg_then_a_meta_data_block_per_part(call_api, headers):
    [part] = call_api("GET", f"{BASE}/{DEMO_CORP_A}/subsidy?metadata_flg=true", headers=headers).json()["hojin-infos"]
    [full] = call_api("GET", f"{BASE}/{DEMO_CORP_A}?metadata_flg=true", headers=headers).json()["hojin-infos"]
    [plain] = call_api("GET", f"{BASE}/{DEMO_CORP_A}/subsidy", headers=headers).json()["hojin-infos"]

    [block] = part["meta-data"]
    assert set(block) >= {"source", "import_frequency", "last_update_date", "data_quality"}
    assert block["last_update_date"] == "2025-06-30"
    assert {b["part"] for b in full["meta-data"]} == {"corporation", "subsidy", "procurement", "certification"}
    assert "meta-data" not in plain


def test_given_a_bad_metadata_flg_then_400_names_it(call_api, headers):
    response = call_api("GET", f"{BASE}/{DEMO_CORP_A}/subsidy?metadata_flg=perhaps", headers=headers)

    assert response.status == 400
    assert response.json()["errors"][0]["item"] == "metadata_flg"


def test_given_a_date_range_then_update_info_lists_each_changed_corporation_once(call_api, headers):
    body = call_api("GET", f"{BASE}/updateInfo?from=20261001&to=20261031", headers=headers).json()

    assert body["totalCount"] == 2
    assert (body["totalPage"], body["pageNumber"]) == (1, 1)
    assert [row["corporate_number"] for row in body["hojin-infos"]] == sorted([DEMO_CORP_A, DEMO_CORP_B])


def test_given_a_part_then_update_info_keeps_only_that_category(call_api, headers):
    body = call_api("GET", f"{BASE}/updateInfo/subsidy?from=20261001&to=20261130", headers=headers).json()
    narrow = call_api("GET", f"{BASE}/updateInfo/subsidy?from=20261002&to=20261031", headers=headers).json()

    assert [row["corporate_number"] for row in body["hojin-infos"]] == sorted([DEMO_CORP_A, DEMO_CORP_B])
    assert all("subsidy" in row for row in body["hojin-infos"])
    assert narrow["totalCount"] == 0
    assert narrow["hojin-infos"] == []


def test_given_a_page_past_the_end_then_update_info_is_empty_not_an_error(call_api, headers):
    body = call_api("GET", f"{BASE}/updateInfo?from=20261001&to=20261031&page=2", headers=headers).json()

    assert body["hojin-infos"] == []
    assert body["totalCount"] == 2


@pytest.mark.parametrize(
    ("query", "item"),
    [
        ("from=2026-10-01&to=20261031", "from"),
        ("from=20261031&to=20261001", "to"),
        ("from=20240101&to=20261231", "to"),
        ("from=20261001&to=20261031&page=0", "page"),
        ("from=20261001&to=20261399", "to"),
        ("from=20261001&to=20261031&page=%C2%B2", "page"),
        ("from=%D9%A2%D9%A0%D9%A2%D9%A6%D9%A1%D9%A0%D9%A0%D9%A1&to=20261031", "from"),
    ],
)
def test_given_a_bad_update_info_range_then_400_names_the_field(call_api, headers, query, item):
    response = call_api("GET", f"{BASE}/updateInfo?{query}", headers=headers)

    assert response.status == 400
    assert item in {error["item"] for error in response.json()["errors"]}


def test_given_an_unknown_update_info_part_then_400(call_api, headers):
    response = call_api("GET", f"{BASE}/updateInfo/salary?from=20261001&to=20261031", headers=headers)

    assert response.status == 400
    assert response.json()["errors"][0]["item"] == "part"


@pytest.mark.parametrize("limit", ["%C2%B2", "%D9%A3", "0", "x"])
def test_given_a_suggest_limit_that_is_not_a_number_1_to_max_then_400_names_it(call_api, headers, limit):
    response = call_api("GET", f"{BASE}/SuggestNames?name=デモ&limit={limit}", headers=headers)

    assert response.status == 400
    assert [error["item"] for error in response.json()["errors"]] == ["limit"]


def test_given_the_beginning_of_a_name_then_suggest_names(call_api, headers):
    body = call_api("GET", f"{BASE}/SuggestNames?name=デモ&limit=5", headers=headers).json()

    assert body["suggestions"] == ["デモ工業株式会社"]


def test_given_finance_and_workplace_filters_then_they_are_evaluated_not_refused(call_api, headers):
    # The seeded records carry no finance or workplace figures: every such filter is a valid search matching none
    for query in (
        "net_sales_summary_of_business_results_from=1&total_assets_summary_of_business_results_to=999999999",
        "average_age=b&average_continuous_service_years=C",
        "month_average_predetermined_overtime_hours=A&female_workers_proportion=D&name=デモ",
    ):
        response = call_api("GET", f"{BASE}?{query}", headers=headers)

        assert response.status == 200, query
        assert (response.json()["totalCount"], response.json()["hojin-infos"]) == (0, [])


def test_given_the_beginning_of_a_subsidy_title_then_titles_most_frequent_first(call_api, headers, open_data):
    response = call_api("GET", f"{BASE}/SuggestSubsidyNames?name=ものづくり&limit=5", headers=headers)

    assert response.status == 200
    suggestions = response.json()["suggestions"]
    # the programme, counted over every fiscal year, comes before any one year's title
    assert suggestions[0] == "ものづくり・商業・サービス生産性向上促進補助金"
    assert 1 <= len(suggestions) <= 5
    assert all(s.startswith("ものづくり") for s in suggestions)
    titles = {item["title"] for r in open_data["records"] for item in r.get("subsidy") or []}
    assert all(any(title.endswith(s) for title in titles) for s in suggestions)


def test_given_a_fiscal_year_then_subsidy_titles_of_that_year_and_the_limit_is_kept(call_api, headers, open_data):
    body = call_api("GET", f"{BASE}/SuggestSubsidyNames?name=令和&limit=3", headers=headers).json()

    titles = {item["title"] for r in open_data["records"] for item in r.get("subsidy") or []}
    assert len(body["suggestions"]) == 3
    assert set(body["suggestions"]) <= titles
    assert all(s.startswith("令和") for s in body["suggestions"])


def test_given_the_beginning_of_a_business_name_then_procurement_titles(call_api, headers):
    body = call_api("GET", f"{BASE}/SuggestBusinessNames?name=ｼｹﾝﾖｳ&limit=5", headers=headers).json()
    assert body["suggestions"] == []  # 試験用 is kanji: a reading is not a spelling

    body = call_api("GET", f"{BASE}/SuggestBusinessNames?name=試験用", headers=headers).json()
    assert body["suggestions"] == ["試験用機械部品の購入"]

    many = call_api("GET", f"{BASE}/SuggestBusinessNames?name=令和&limit=4", headers=headers).json()
    assert len(many["suggestions"]) == 4


@pytest.mark.parametrize("endpoint", ["SuggestSubsidyNames", "SuggestBusinessNames"])
def test_given_no_matching_title_then_200_and_no_suggestions(call_api, headers, endpoint):
    response = call_api("GET", f"{BASE}/{endpoint}?name=存在しない題名", headers=headers)

    assert response.status == 200
    assert response.json()["suggestions"] == []


@pytest.mark.parametrize("query", ["name=も&limit=0", "name=も&limit=101", "name=%20"])
def test_given_a_bad_title_suggest_parameter_then_400(call_api, headers, query):
    response = call_api("GET", f"{BASE}/SuggestSubsidyNames?{query}", headers=headers)

    assert response.status == 400
    assert response.json()["errors"][0]["item"] in {"limit", "name"}


def test_given_a_bad_suggest_limit_then_400(call_api, headers):
    response = call_api("GET", f"{BASE}/SuggestNames?name=デモ&limit=1000", headers=headers)

    assert response.status == 400
    assert response.json()["errors"][0]["item"] == "limit"


def test_index_is_cached_in_tmp_and_reused(open_data, tmp_path: Path):
    loads: list[Path] = []

    def loader(directory: Path) -> Any:
        loads.append(directory)
        return object()

    cache = engine.IndexCache(open_data["bucket"], loader=loader, cache_root=tmp_path)
    first, second = cache.get(), cache.get()

    assert first is second
    assert len(loads) == 1
    assert (loads[0] / ".complete").exists()
