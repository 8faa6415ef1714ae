"""Finance ranges, workplace bands and title suggestions of the search engine, over small hand-made tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from functions.hojin_search.query import parse_hojin_query
from functions.hojin_search.search import CorporationIndex, HojinQuery
from functions.hojin_search.search.bands import WORKPLACE_BANDS
from functions.hojin_search.search.suggest import TitleSuggestions, spellings_of
from platform_common.corporate_number import make_corporate_number
from platform_common.errors import InvalidInput

NUMBERS = sorted(make_corporate_number(f"{n:012d}") for n in range(100000000001, 100000000009))  # row order
SALES = "net_sales_summary_of_business_results"
ASSETS = "total_assets_summary_of_business_results"


def _corporations() -> Any:
    return pa.table({"corporate_number": NUMBERS, "name": [f"テスト{i}工業" for i in range(len(NUMBERS))]})


def _finance() -> Any:
    # row 0: an old period with big sales and the latest with 100; row 1: 150 as text; row 2: latest has no sales;
    # row 3: a loss-making period (negative) is the latest; row 4: exactly 200; rows 5–7: no finance record.
    rows = [
        (0, "2022-03-31", 999, 10),
        (0, "2024-03-31", 100, 20),
        (1, "2024-03-31", "150", 30),
        (2, "2023-03-31", 500, 40),
        (2, "2024-03-31", None, 50),
        (3, "2024-03-31", -5, None),
        (4, "2023-12-31", 200, 60),
    ]
    return pa.table(
        {
            "corporate_number": [NUMBERS[r] for r, *_ in rows],
            "period": [p for _, p, *_ in rows],
            SALES: [None if s is None else str(s) for *_, s, _a in rows],
            ASSETS: pa.array([a for *_, a in rows], pa.int64()),
        }
    )


def _workplace() -> Any:
    # Values on each band boundary; row 5 has an older report with other values; row 6 has only nulls.
    rows: list[tuple[int, str, float | None, float | None, float | None, float | None]] = [
        # row, date, age, service years, overtime, female %
        (0, "2024-04-01", 30.0, 5.0, 19.9, 20.0),
        (1, "2024-04-01", 30.1, 5.1, 20.0, 20.1),
        (2, "2024-04-01", 45.0, 10.0, 39.9, 40.0),
        (3, "2024-04-01", 60.0, 20.0, 40.0, 60.0),
        (4, "2024-04-01", 60.5, 20.5, 80.0, 61.0),
        (5, "2020-04-01", 25.0, 1.0, 5.0, 10.0),
        (5, "2024-04-01", 50.0, 15.0, 30.0, 50.0),
        (6, "2024-04-01", None, None, None, None),
    ]
    return pa.table(
        {
            "corporate_number": [NUMBERS[r[0]] for r in rows],
            "date_of_report": [r[1] for r in rows],
            "average_age": [r[2] for r in rows],
            "average_continuous_service_years": [r[3] for r in rows],
            "month_average_predetermined_overtime_hours": [r[4] for r in rows],
            "female_workers_proportion": [None if r[5] is None else f"{r[5]}" for r in rows],  # text is read too
        }
    )


def _subsidies() -> Any:
    titles = [
        "令和5年度 IT導入補助金（通常枠）",
        "令和4年度 IT導入補助金（通常枠）",
        "令和4年度 IT導入補助金（通常枠）",
        "ＩＴ導入補助金（通常枠）",  # full width: the same key, a rarer spelling
        "ものづくり補助金",
        "ものづくり補助金",
        "ものづくり補助金",
        "ものづくり補助金",
        "小規模事業者持続化補助金",
        "",
        None,
    ]
    return pa.table({"corporate_number": [NUMBERS[0]] * len(titles), "title": titles, "amount": [1] * len(titles)})


def _procurements() -> Any:
    titles = ["令和6年度 情報システム運用保守業務", "情報システム運用保守業務", "庁舎警備業務", "車両の購入"]
    return pa.table({"corporate_number": [NUMBERS[1]] * len(titles), "title": titles, "amount": [5] * len(titles)})


@pytest.fixture(scope="module")
def index() -> CorporationIndex:
    activities = {
        "finance": _finance(),
        "workplace": _workplace(),
        "subsidy": _subsidies(),
        "procurement": _procurements(),
    }
    return CorporationIndex.build(_corporations(), activities)


def rows(index: CorporationIndex, **fields: Any) -> list[int]:
    result = index.search(HojinQuery(**fields))
    assert result.total == len(result.rows)
    return list(result.rows)


# ------------------------------------------------------------------------------------------ finance ranges


def test_net_sales_range_reads_the_latest_period_and_is_inclusive(index: CorporationIndex) -> None:
    # row 0's latest sales are 100 (its older 999 does not count); 150 arrived as text; 200 is on the bound
    assert rows(index, **{f"{SALES}_from": 100, f"{SALES}_to": 200}) == [0, 1, 4]
    assert rows(index, **{f"{SALES}_from": 150}) == [1, 4]
    assert rows(index, **{f"{SALES}_to": 100}) == [0, 3]  # the loss (-5) is below 100
    assert rows(index, **{f"{SALES}_from": 900}) == []  # 999 was an older period


def test_a_corporation_whose_latest_period_lacks_the_figure_is_excluded(index: CorporationIndex) -> None:
    # row 2's latest period has no sales (an older one had 500); rows 5–7 have no finance at all
    assert 2 not in rows(index, **{f"{SALES}_from": 0})
    assert rows(index, **{f"{SALES}_from": 0}) == [0, 1, 4]
    assert rows(index, **{f"{ASSETS}_from": 0}) == [0, 1, 2, 4]  # row 3's latest total assets are unknown


def test_total_assets_range_and_both_finance_ranges_combined(index: CorporationIndex) -> None:
    assert rows(index, **{f"{ASSETS}_from": 30, f"{ASSETS}_to": 50}) == [1, 2]
    assert rows(index, **{f"{ASSETS}_from": 20, f"{SALES}_to": 150}) == [0, 1]


# ------------------------------------------------------------------------------------------ workplace bands


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("average_age", {"A": [0], "B": [1, 2], "C": [3, 5], "D": [4]}),
        ("average_continuous_service_years", {"A": [0], "B": [1, 2], "C": [3, 5], "D": [4]}),
        ("month_average_predetermined_overtime_hours", {"A": [0], "B": [1, 2, 5], "C": [3, 4]}),
        ("female_workers_proportion", {"A": [0], "B": [1, 2], "C": [3, 5], "D": [4]}),
    ],
)
def test_each_band_holds_its_boundaries_as_published(
    index: CorporationIndex, field: str, expected: dict[str, list[int]]
) -> None:
    # Given values on every boundary (30 is A, 30.1 is B; overtime 20 is B, 40 is C) and row 5's latest report
    assert WORKPLACE_BANDS[field].letters == tuple(expected)
    for letter, wanted in expected.items():
        assert rows(index, **{field: letter}) == wanted, (field, letter)
    # Then every corporation with a figure is in exactly one band; row 6 (nulls) and rows 7 (none) in none
    every = sorted(row for wanted in expected.values() for row in wanted)
    assert every == [0, 1, 2, 3, 4, 5]


def test_bands_combine_with_each_other_with_ranges_and_with_names(index: CorporationIndex) -> None:
    assert rows(index, average_age="B", female_workers_proportion="B") == [1, 2]
    assert rows(index, average_age="B", month_average_predetermined_overtime_hours="A") == []
    assert rows(index, average_age="C", **{f"{SALES}_from": 0}) == []  # row 3's sales are -5, row 5 has none
    assert rows(index, average_age="A", **{f"{SALES}_to": 100}) == [0]
    assert rows(index, name="テスト2", average_continuous_service_years="B") == [2]
    assert rows(index, name="テスト2", average_continuous_service_years="A") == []


def test_figure_filters_page_like_any_other(index: CorporationIndex) -> None:
    assert index.search(HojinQuery(average_age="B", limit=1)).rows == [1]
    second = index.search(HojinQuery(average_age="B", page=2, limit=1))
    assert (second.total, second.rows) == (2, [2])


def test_without_finance_or_workplace_data_the_filters_match_nothing() -> None:
    bare = CorporationIndex.build(_corporations(), {})
    assert bare.search(HojinQuery(average_age="A")).total == 0
    assert bare.search(HojinQuery(**{f"{SALES}_from": 0})).total == 0
    assert bare.search(HojinQuery()).total == len(NUMBERS)


def test_the_wire_accepts_only_the_letters_of_each_band() -> None:
    query = parse_hojin_query({"month_average_predetermined_overtime_hours": "c", "average_age": "d"})
    assert (query.month_average_predetermined_overtime_hours, query.average_age) == ("C", "D")
    with pytest.raises(InvalidInput) as raised:
        parse_hojin_query({"month_average_predetermined_overtime_hours": "D", "average_age": "D"})
    assert [(e.item, e.message) for e in raised.value.errors] == [
        ("month_average_predetermined_overtime_hours", "must be one of A, B, C")
    ]


# ------------------------------------------------------------------------------------------ suggestions


def test_subsidy_suggestions_are_prefix_matches_in_any_spelling_most_frequent_first(index: CorporationIndex) -> None:
    # IT導入… is carried by four records (three years and one without), so it comes first
    assert index.suggest_subsidy_names("it", 10) == ["IT導入補助金（通常枠）"]
    assert index.suggest_subsidy_names("ｉｔ導入", 10) == ["IT導入補助金（通常枠）"]
    assert index.suggest_subsidy_names("令和4", 10) == ["令和4年度 IT導入補助金（通常枠）"]
    assert index.suggest_subsidy_names("令和", 10) == [
        "令和4年度 IT導入補助金（通常枠）",
        "令和5年度 IT導入補助金（通常枠）",
    ]
    assert index.suggest_subsidy_names("モノ", 10) == ["ものづくり補助金"]


def test_no_match_and_empty_prefixes_suggest_nothing(index: CorporationIndex) -> None:
    assert index.suggest_subsidy_names("存在しない", 10) == []
    assert index.suggest_subsidy_names("", 10) == []
    assert index.suggest_subsidy_names(" ", 10) == []
    assert index.suggest_subsidy_names("も", 0) == []
    assert CorporationIndex.build(_corporations(), {}).suggest_business_names("情報", 5) == []


def test_business_suggestions_come_from_procurement_titles(index: CorporationIndex) -> None:
    # 情報システム運用保守業務 is carried twice (once under a fiscal year); the others once, in text order
    assert index.suggest_business_names("", 5) == []
    assert index.suggest_business_names("情報システム", 5) == ["情報システム運用保守業務"]
    assert index.suggest_business_names("庁舎", 5) == ["庁舎警備業務"]
    assert index.suggest_business_names("令和6年度情報", 5) == ["令和6年度 情報システム運用保守業務"]


def test_the_most_frequent_keys_win_when_the_range_is_longer_than_the_limit() -> None:
    titles = ["あa"] * 1 + ["あb"] * 3 + ["あc"] * 2 + ["あd"] * 3 + ["あe"] * 1 + ["い"] * 9
    suggestions = TitleSuggestions.build(pa.array(titles))
    assert suggestions.suggest("あ", 2) == ["あb", "あd"]
    assert suggestions.suggest("あ", 3) == ["あb", "あd", "あc"]
    assert suggestions.suggest("あ", 4) == ["あb", "あd", "あc", "あa"]
    assert suggestions.suggest("ア", 10) == ["あb", "あd", "あc", "あa", "あe"]


def test_a_fiscal_year_prefix_is_also_listed_without_it() -> None:
    assert spellings_of(" 令和5年度 IT導入補助金 ") == ["令和5年度 IT導入補助金", "IT導入補助金"]
    assert spellings_of("平成元年度事業") == ["平成元年度事業", "事業"]
    assert spellings_of("２０２３年度　調査") == ["２０２３年度　調査", "調査"]
    assert spellings_of("令和5年度") == ["令和5年度"]
    assert spellings_of("年度末の調査") == ["年度末の調査"]
    assert spellings_of("   ") == []


# ------------------------------------------------------------------------------------------ persistence


def test_save_and_load_keep_figures_and_suggestions(index: CorporationIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    loaded = CorporationIndex.load(tmp_path)
    for fields in (
        {"average_age": "B"},
        {"month_average_predetermined_overtime_hours": "C"},
        {f"{SALES}_from": 100, f"{ASSETS}_to": 60},
    ):
        assert loaded.search(HojinQuery(**fields)) == index.search(HojinQuery(**fields))
    assert loaded.suggest_subsidy_names("令和", 5) == index.suggest_subsidy_names("令和", 5)
    assert loaded.suggest_business_names("情報", 5) == index.suggest_business_names("情報", 5)


def test_an_index_of_version_1_loads_without_figures_or_suggestions(index: CorporationIndex, tmp_path: Path) -> None:
    # Given an index as version 1 wrote it: no figure and no suggestion files
    index.save(tmp_path)
    for file in [*tmp_path.glob("suggest-*.arrow"), *tmp_path.glob("figures-*.arrow")]:
        file.unlink()
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = 1
    del manifest["suggestions"], manifest["figures"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    # When it is loaded by this version
    loaded = CorporationIndex.load(tmp_path)
    # Then it answers as if no finance, workplace or title had been ingested
    assert loaded.search(HojinQuery(name="テスト")).total == len(NUMBERS)
    assert loaded.search(HojinQuery(average_age="B")).total == 0
    assert loaded.search(HojinQuery(**{f"{SALES}_from": 0})).total == 0
    assert loaded.suggest_subsidy_names("it", 5) == []


def test_the_devstack_seed_indexes_the_finance_and_workplace_of_full_records(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from devstack.seed_open_data import ingest_records
    from functions.hojin_search.ingest.corporations import read_corporations
    from functions.hojin_search.ingest.publish import read_activities
    from functions.hojin_search.ingest.store import LocalOpenDataStore

    base = {"name": "図表工業株式会社", "subsidy": [], "procurement": []}
    records = [
        {
            **base,
            "corporate_number": NUMBERS[0],
            "finance": {
                "management_index": [
                    {"period": "2023-03-31", "net_sales_summary_of_business_results": 10},
                    {"period": "2024-03-31", "net_sales_summary_of_business_results": 20},
                ]
            },
            "workplace_info": {"base_infos": {"average_age": 44.5}, "women_activity_infos": {}},
        },
        {**base, "corporate_number": NUMBERS[1]},
    ]
    # the seed goes through the ingest: the index is built from the Parquet it wrote
    store = LocalOpenDataStore(tmp_path)
    ingest_records(store, records, datetime(2026, 4, 1, tzinfo=UTC))
    seeded = CorporationIndex.build(read_corporations(store), read_activities(store))
    assert seeded.search(HojinQuery(**{f"{SALES}_from": 20})).rows == [0]
    assert seeded.search(HojinQuery(**{f"{SALES}_to": 10})).rows == []
    assert seeded.search(HojinQuery(average_age="B")).rows == [0]
    assert seeded.search(HojinQuery(female_workers_proportion="A")).rows == []
