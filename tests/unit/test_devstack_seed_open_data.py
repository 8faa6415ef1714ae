"""The devstack's open data goes through the ingest: the records that come out are the demo records, and a
file handed in later merges with them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B, DEMO_CORPORATIONS
from devstack.seed_open_data import ingest_records, seed_files
from devstack.synthdata import generate_records
from functions.hojin_search.ingest.corporations import read_corporations
from functions.hojin_search.ingest.pipeline import ingest_file
from functions.hojin_search.ingest.publish import CURRENT_INDEX_KEY
from functions.hojin_search.ingest.store import LocalOpenDataStore
from functions.hojin_search.models import HojinInfo

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[LocalOpenDataStore, list[dict[str, Any]]]:
    records = [*generate_records(50, seed=5), *DEMO_CORPORATIONS]
    store = LocalOpenDataStore(tmp_path)
    ingest_records(store, records, NOW)
    return store, records


def _info(document: dict[str, Any]) -> dict[str, Any]:
    return HojinInfo.model_validate(document).model_dump(mode="json")


def test_given_the_seed_then_every_record_is_the_record_handed_in(seeded) -> None:
    store, records = seeded

    assert len(store.records) == len(records)
    for record in records:
        assert _info(store.records[record["corporate_number"]].document) == _info(record)
    demo = store.records[DEMO_CORP_A].document
    assert (demo["business_summary"], demo["industry"]) == ("産業機械部品の設計・製造", ["製造業"])


def test_given_the_seed_then_parquet_index_and_bulk_files_exist_once(seeded) -> None:
    store, records = seeded

    corporations = read_corporations(store)
    assert corporations is not None
    assert corporations.num_rows == len(records)
    assert store.get_object(CURRENT_INDEX_KEY) is not None
    assert store.get_object("bulk/manifest.json") is not None
    assert len([k for k in store.list_keys("index/") if k.endswith("/manifest.json")]) == 1  # one publish
    reports = store.list_keys("reports/")
    assert len(reports) == len(seed_files(records))  # basic and one file per category the records hold


def test_given_a_later_subsidy_file_then_it_merges_with_the_seeded_items(seeded) -> None:
    store, records = seeded
    data = (
        "corporate_number,title,amount,date_of_approval,government_departments\n"
        f"{DEMO_CORP_B},事業承継補助金,3000000,2026-05-01,中小企業庁\n"
        f"{DEMO_CORP_A},IT導入補助金,450000,2026-05-02,中小企業庁\n"
    ).encode()

    report = ingest_file(data, ministry="meti", category="subsidy", source_name="r8.csv", now=NOW, store=store)

    assert report.rows_rejected == 0
    titles = [item["title"] for item in store.records[DEMO_CORP_A].document["subsidy"]]
    assert titles == ["ものづくり・商業・サービス生産性向上促進補助金", "IT導入補助金"]  # the seeded one kept
    assert [item["title"] for item in store.records[DEMO_CORP_B].document["subsidy"]] == ["事業承継補助金"]
    pointer = json.loads(store.get_object(CURRENT_INDEX_KEY) or b"{}")
    assert pointer["corporations"] == len(records)  # the index was rebuilt over the seeded set


def test_given_finance_and_workplace_in_the_records_then_they_become_their_categories() -> None:
    record = {
        "corporate_number": DEMO_CORP_A,
        "name": "デモ工業株式会社",
        "update_date": "2026-03-31",
        "finance": {
            "accounting_standards": "日本基準",
            "major_shareholders": [],
            "management_index": [{"period": "2025-03-31", "net_sales_summary_of_business_results": 10}],
        },
        "workplace_info": {"base_infos": {"average_age": 41.5}, "women_activity_infos": {}},
    }

    files = {category: json.loads(data) for category, data in seed_files([record]).items()}

    assert files["finance"] == [
        {
            "corporate_number": DEMO_CORP_A,
            "accounting_standards": "日本基準",
            "period": "2025-03-31",
            "net_sales_summary_of_business_results": 10,
        }
    ]
    assert files["workplace"] == [
        {"corporate_number": DEMO_CORP_A, "date_of_report": "2026-03-31", "average_age": 41.5}
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("qualification_grade", "A"), ("subsidy", [{"title": "t", "unknown": 1}]), ("finance", {"other": 1})],
)
def test_given_a_record_field_the_ingest_has_no_place_for_then_the_seed_refuses_it(field: str, value: Any) -> None:
    record = {"corporate_number": DEMO_CORP_A, "name": "デモ工業株式会社", field: value}

    with pytest.raises(ValueError, match="no ingest field"):
        seed_files([record])
