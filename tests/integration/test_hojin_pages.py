"""The human pages of gBizINFO (``/hojin/search``, ``/hojin/corporations/{number}``) through proxy events (moto).

The demo corporations and 200 synthetic ones are handed in through the ingest into a bucket of this module's
own, as the devstack seeds them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B, DEMO_CORPORATIONS
from devstack.synthdata import generate_records
from functions.hojin_search import engine
from functions.hojin_search.models import HojinInfo
from functions.hojin_search.routers.pages import PAGE_SIZE, bar_chart_svg, yearly_amounts
from platform_common.corporate_number import make_corporate_number
from tests.integration.open_data_seed import seed_module_bucket

SEARCH = "/hojin/search"


@pytest.fixture(scope="module")
def open_data(aws_platform: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    stack = aws_platform["opendata"]
    records = [*generate_records(200, seed=11), *DEMO_CORPORATIONS]
    bucket = seed_module_bucket(stack, "pages", records, datetime(2000, 1, 3, tzinfo=UTC))
    engine.use_index_cache(engine.IndexCache(bucket, cache_root=tmp_path_factory.mktemp("pages-index")))
    yield records
    engine.use_index_cache(None)


def _html(response: Any) -> str:
    text: str = response.body.decode("utf-8")
    return text


def _numbers_in_results(html: str) -> list[str]:
    return re.findall(r'href="/hojin/corporations/([0-9]{13})\?', html)


def test_given_no_query_when_the_search_page_is_opened_then_a_form_with_47_prefectures(call_api, open_data):
    response = call_api("GET", SEARCH)

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    html = _html(response)
    assert '<html lang="ja">' in html
    assert html.count('<option value="') - html.count('<option value=""') == 47 + 10  # prefectures + kinds
    assert 'id="results"' not in html


def test_given_a_demo_name_when_searched_then_the_corporation_is_listed_with_a_link(call_api, open_data):
    response = call_api("GET", f"{SEARCH}?name={quote('デモ工業')}")

    assert response.status == 200
    html = _html(response)
    assert _numbers_in_results(html) == [DEMO_CORP_A]
    assert "デモ工業株式会社" in html
    assert "1件中 1〜1件目" in html


def test_given_filters_when_searched_then_only_matching_corporations(call_api, open_data):
    # Osaka (27) with capital at most 20 million: the demo corporation B (in Osaka), none in Tokyo.
    in_osaka = call_api("GET", f"{SEARCH}?prefecture=27&capital_stock_to=20000000&name={quote('霞が関')}")
    in_tokyo = call_api("GET", f"{SEARCH}?prefecture=13&name={quote('霞が関')}")

    assert _numbers_in_results(_html(in_osaka)) == [DEMO_CORP_B]
    assert _numbers_in_results(_html(in_tokyo)) == []
    assert "条件に合う法人は見つかりませんでした" in _html(in_tokyo)


def test_given_has_subsidy_when_searched_then_every_listed_corporation_has_one(call_api, open_data):
    with_subsidy = {r["corporate_number"] for r in open_data if r.get("subsidy")}
    with_either = with_subsidy | {r["corporate_number"] for r in open_data if r.get("procurement")}

    subsidy_only = _numbers_in_results(_html(call_api("GET", f"{SEARCH}?source=4")))
    either = _numbers_in_results(_html(call_api("GET", f"{SEARCH}?source=4&source=1")))

    assert subsidy_only
    assert set(subsidy_only) <= with_subsidy
    assert set(either) <= with_either  # both boxes ticked: either activity (the API's source list is "any of")


def test_given_many_matches_when_paging_then_pages_differ_and_follow_number_order(call_api, open_data):
    first = _html(call_api("GET", f"{SEARCH}?exist_flg=&page=1"))
    second = _html(call_api("GET", f"{SEARCH}?page=2"))

    page_one, page_two = _numbers_in_results(first), _numbers_in_results(second)
    assert len(page_one) == PAGE_SIZE
    assert page_one == sorted(page_one)
    assert not set(page_one) & set(page_two)
    assert max(page_one) < min(page_two)
    assert f"{len(open_data)}件中" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' in second


def test_given_english_when_searched_then_the_page_is_in_english_and_the_language_is_remembered(call_api, open_data):
    response = call_api("GET", f"{SEARCH}?lang=en&name={quote('デモ工業')}")

    html = _html(response)
    assert '<html lang="en">' in html
    assert "Search corporations" in html
    assert "Demo Kogyo Co., Ltd." in html
    assert "1–1 of 1" in html
    assert "lang=en" in response.headers.get("set-cookie", "")


def test_given_bad_filters_when_searched_then_400_and_the_form_names_each_field(call_api, open_data):
    response = call_api("GET", f"{SEARCH}?capital_stock_from=abc&founded_year=98&name=x")

    assert response.status == 400
    html = _html(response)
    assert 'id="field-capital_stock_from-error"' in html
    assert 'id="field-founded_year-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#field-capital_stock_from"' in html  # the error summary links to the field
    assert 'value="abc"' in html  # what was entered is kept


def test_given_a_page_beyond_the_limit_when_searched_then_400_on_page(call_api, open_data):
    response = call_api("GET", f"{SEARCH}?name=a&page=11")

    assert response.status == 400
    assert 'href="#field-page"' in _html(response)


def test_given_a_demo_corporation_when_its_page_is_opened_then_basic_info_every_part_and_chart(call_api, open_data):
    response = call_api("GET", f"/hojin/corporations/{DEMO_CORP_A}")

    assert response.status == 200
    html = _html(response)
    assert '<h1 id="page-title">デモ工業株式会社</h1>' in html
    assert "東京都千代田区霞が関１丁目３番１号" in html
    assert "ものづくり・商業・サービス生産性向上促進補助金" in html
    assert "10,000,000" in html
    assert "試験用機械部品の購入" in html
    assert "健康経営優良法人（中小規模法人部門）" in html
    for part in ("subsidy", "procurement", "certification", "commendation", "finance", "patent", "workplace"):
        assert f'id="{part}-title"' in html
    assert '<svg id="activity-chart" role="img"' in html
    assert 'id="chart-table"' in html
    assert "<script" not in html


def test_given_english_when_a_corporation_page_is_opened_then_headings_are_english(call_api, open_data):
    html = _html(call_api("GET", f"/hojin/corporations/{DEMO_CORP_A}?lang=en"))

    assert "Demo Kogyo Co., Ltd." in html
    assert "Subsidies and procurement by year" in html
    assert "Capital stock" in html
    assert "50,000,000 yen" in html


def test_given_an_unknown_number_when_its_page_is_opened_then_404_page(call_api, open_data):
    unknown = make_corporate_number("999900009999")

    response = call_api("GET", f"/hojin/corporations/{unknown}")

    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert unknown in _html(response)


def test_given_a_bad_check_digit_when_its_page_is_opened_then_400_page(call_api, open_data):
    wrong = ("1" if DEMO_CORP_A[0] != "1" else "2") + DEMO_CORP_A[1:]

    response = call_api("GET", f"/hojin/corporations/{wrong}")

    assert response.status == 400
    assert response.headers["content-type"].startswith("text/html")


def test_given_amounts_in_two_years_when_charted_then_one_group_per_year_with_both_series():
    info = HojinInfo.model_validate(
        {
            **DEMO_CORPORATIONS[0],
            "subsidy": [
                {"title": "a", "amount": 100, "date_of_approval": "2024-05-01"},
                {"title": "b", "amount": 50, "date_of_approval": "2024-07-01"},
                {"title": "c", "amount": None, "date_of_approval": "2025-01-01"},
            ],
            "procurement": [{"title": "d", "amount": 30, "date_of_order": "2025-02-01"}],
        }
    )

    years = yearly_amounts(info)
    svg = bar_chart_svg("ja", years)

    assert years == [("2024", 150, 0), ("2025", 0, 30)]
    assert svg.count("<rect") == 2 * 2 + 2  # two bars per year and two legend keys
    assert "2024 補助金: 150円" in svg
