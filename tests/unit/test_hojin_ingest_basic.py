"""The ``basic`` category: NTA corporate-number files (and our header layout) merged into the corporations Parquet."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from devstack.synthdata import generate_tables
from functions.hojin_search.ingest.basic import latest_rows, merge_corporations
from functions.hojin_search.ingest.basic_rows import read_basic
from functions.hojin_search.ingest.corporations import (
    CORPORATION_SCHEMA,
    POINTER_KEY,
    current_set,
    parquet_part,
    read_corporations,
    replace_corporations,
)
from functions.hojin_search.ingest.pipeline import IngestReport, ingest_file
from functions.hojin_search.ingest.publish import rebuild_index
from functions.hojin_search.ingest.store import LocalOpenDataStore, StoredRecord

NTA = Path(__file__).resolve().parent.parent / "fixtures" / "nta"
FULL = (NTA / "13_tokyo_all_20250331.csv").read_bytes()
DIFF = (NTA / "diff_20250401.csv").read_bytes()
ERRORS = (NTA / "diff_20250402_errors.csv").read_bytes()
DAY1 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
DAY2 = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)
DAY3 = datetime(2025, 4, 3, 9, 0, tzinfo=UTC)
RENAMED, MOVED, NEW, CLOSED, DELETED, FOREIGN = (
    "6010001999901",
    "2011101999902",
    "1430001999905",
    "2010002999904",
    "9010401999903",
    "5700150999906",
)


def _ingest(store: LocalOpenDataStore, data: bytes, name: str, now: datetime) -> IngestReport:
    return ingest_file(data, ministry="nta", category="basic", source_name=name, now=now, store=store, publish=None)


def _rows(store: LocalOpenDataStore) -> dict[str, dict[str, Any]]:
    table = read_corporations(store)
    assert table is not None
    return {row["corporate_number"]: row for row in table.to_pylist()}


@pytest.fixture
def store(tmp_path: Path) -> LocalOpenDataStore:
    return LocalOpenDataStore(tmp_path)


def test_given_the_full_file_then_a_diff_then_each_corporation_keeps_its_latest_state(store) -> None:
    _ingest(store, FULL, "13_tokyo_all_20250331.csv", DAY1)

    report = _ingest(store, DIFF, "diff_20250401.csv", DAY2)

    rows = _rows(store)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (7, 7, 0)
    assert report.corporations_changed == 6
    assert list(rows) == sorted(rows)  # sorted by corporate number
    assert rows[RENAMED]["name"] == "株式会社見本デジタル"  # the latest row, not the history row (latest 0)
    assert rows[MOVED]["location"] == "大阪府大阪市中央区本町１丁目５－５"
    assert (rows[MOVED]["prefecture_code"], rows[MOVED]["city_code"]) == ("27", "27128")
    assert rows[NEW]["city_code"] == "01101"
    assert (rows[CLOSED]["status"], rows[CLOSED]["close_date"], rows[CLOSED]["close_cause"]) == (
        "閉鎖",
        "2025-03-26",
        "11",
    )
    assert DELETED not in rows  # process 99
    assert rows[FOREIGN]["location"] == "英国ロンドン市エグザンプル通り１"
    assert rows[FOREIGN]["prefecture_code"] is None
    assert store.changes["20250402"] == {f"{n}#basic" for n in (RENAMED, MOVED, NEW, CLOSED, DELETED, FOREIGN)}
    assert store.records[RENAMED].document["name"] == "株式会社見本デジタル"
    assert store.records[NEW].document["subsidy"] == []
    assert DELETED not in store.records


def test_given_the_same_file_again_then_nothing_changes(store) -> None:
    _ingest(store, FULL, "13_tokyo_all_20250331.csv", DAY1)
    _ingest(store, DIFF, "diff_20250401.csv", DAY2)
    keys = store.list_keys("parquet/")
    records = dict(store.records)

    again = _ingest(store, b"\xef\xbb\xbf" + DIFF, "diff_20250401.csv", DAY3)  # same rows, now with a BOM

    assert (again.status, again.corporations_changed, again.parquet_key) == ("unchanged", 0, None)
    assert store.list_keys("parquet/") == keys
    assert store.records == records
    assert "20250403" not in store.changes


def test_given_a_file_older_than_the_stored_state_then_it_does_not_roll_back(store) -> None:
    _ingest(store, FULL, "13_tokyo_all_20250331.csv", DAY1)
    _ingest(store, DIFF, "diff_20250401.csv", DAY2)

    _ingest(store, FULL, "13_tokyo_all_20250331-copy.csv", DAY3)  # the March file handed in again, renamed

    rows = _rows(store)
    assert rows[RENAMED]["name"] == "株式会社見本デジタル"
    assert rows[MOVED]["prefecture_code"] == "27"


def test_given_bad_rows_then_each_is_named_with_the_nta_column_and_good_rows_go_in(store) -> None:
    report = _ingest(store, ERRORS, "diff_20250402.csv", DAY3)

    assert [(r.line, [(e.field, e.reason) for e in r.errors]) for r in report.rejected] == [
        (1, [("corporateNumber", "the check digit does not match")]),
        (2, [("kind", "a kind code: 101, 201, 301, 302, 303, 304, 305, 399, 401, 499")]),
        (3, [("updateDate", "no such calendar date")]),
        (4, [("prefectureCode", "a prefecture code is 01 to 47 (JIS X 0401)")]),
        (5, [("(row)", "expected 30 values in the NTA layout, found 5")]),
        (6, [("closeCause", "a close cause needs a close date")]),
    ]
    assert list(_rows(store)) == ["9010001999907"]


def test_given_the_shift_jis_version_and_the_web_api_first_line_then_it_reads_the_same(store) -> None:
    text = "2025-04-01,7,1,1\r\n" + DIFF.decode("utf-8").replace("\n", "\r\n")

    rows = read_basic(text.encode("cp932"), "diff.csv")

    assert (rows.layout, rows.encoding, rows.rejected) == ("nta", "cp932", {})
    assert rows.lines == [2, 3, 4, 5, 6, 7, 8]


def test_given_our_header_layout_then_only_its_columns_change_and_the_rest_is_kept(store) -> None:
    corporations = generate_tables(1000, seed=3)["corporations"].slice(0, 5)
    replace_corporations(store, corporations, DAY1)
    first = corporations.to_pylist()[0]
    number = first["corporate_number"]
    store.records[number] = StoredRecord(number, {"corporate_number": number, "name": first["name"], "x": 1}, None)
    data = f'corporate_number,name,capital_stock\n{number},見本株式会社,"12,000,000"\n'.encode()

    report = _ingest(store, data, "ours.csv", DAY2)

    row = _rows(store)[number]
    assert report.rows_rejected == 0
    assert (row["name"], row["capital_stock"], row["update_date"]) == ("見本株式会社", 12_000_000, "2025-04-02")
    assert (row["location"], row["kind"]) == (first["location"], first["kind"])  # not in the file: kept
    assert store.records[number].document == {
        "corporate_number": number,
        "name": "見本株式会社",
        "capital_stock": 12_000_000,
        "update_date": "2025-04-02",
        "x": 1,
    }
    assert _ingest(store, data, "ours.csv", DAY3).status == "unchanged"


def test_given_our_json_with_bad_values_then_they_are_named_by_field(store) -> None:
    data = json.dumps(
        [
            {"corporate_number": "6010001999901", "name": "A", "prefecture_code": "13", "city_code": "27128"},
            {"corporate_number": "6010001999901", "name": "", "postal_code": "12-34"},
            {"corporate_number": "2011101999902", "name": "B", "status": "休眠", "founding_year": "99"},
        ]
    ).encode()

    report = _ingest(store, data, "ours.json", DAY1)

    assert [(r.line, sorted(e.field for e in r.errors)) for r in report.rejected] == [
        (1, ["city_code"]),
        (2, ["name", "postal_code"]),
        (3, ["founding_year", "status"]),
    ]


def test_given_industry_and_business_summary_in_json_and_csv_then_they_are_set_and_compared(store) -> None:
    number = RENAMED
    as_json = json.dumps(
        [
            {
                "corporate_number": number,
                "name": "見本株式会社",
                "industry": ["製造業", "卸売業"],
                "business_summary": "部品",
            }
        ],
        ensure_ascii=False,
    ).encode()

    report = _ingest(store, as_json, "ours.json", DAY1)

    assert report.rows_rejected == 0
    assert (_rows(store)[number]["industry"], _rows(store)[number]["business_summary"]) == (
        ["製造業", "卸売業"],
        "部品",
    )
    assert store.records[number].document["industry"] == ["製造業", "卸売業"]
    assert store.records[number].document["business_summary"] == "部品"
    # the same list in a CSV cell, '|'-separated as the bulk files write it: no change
    as_csv = f"corporate_number,name,industry,business_summary\n{number},見本株式会社,製造業|卸売業,部品\n".encode()
    assert _ingest(store, as_csv, "ours.csv", DAY2).corporations_changed == 0
    # one industry less is a change
    fewer = f"corporate_number,name,industry\n{number},見本株式会社,製造業\n".encode()
    assert _ingest(store, fewer, "fewer.csv", DAY3).corporations_changed == 1
    assert _rows(store)[number]["industry"] == ["製造業"]


@pytest.mark.parametrize(
    "industry",
    [
        ["製造業", ""],
        [1, 2],
        ["x" * 101],
        [f"業種{i}" for i in range(21)],
        "製造業||卸売業",
        "[broken",
        ["a\x1fb"],
    ],
)
def test_given_a_bad_industry_list_then_the_row_is_rejected_naming_the_field(store, industry: Any) -> None:
    value = industry if isinstance(industry, str) else json.dumps(industry, ensure_ascii=False)
    data = json.dumps([{"corporate_number": RENAMED, "name": "見本株式会社", "industry": value}]).encode()

    report = _ingest(store, data, "ours.json", DAY1)

    assert [(r.line, [e.field for e in r.errors]) for r in report.rejected] == [(1, ["industry"])]
    assert report.rows_accepted == 0


def test_merge_keeps_the_set_sorted_and_unique_and_reports_what_changed() -> None:
    old = generate_tables(2000, seed=5)["corporations"]
    numbers = old.column("corporate_number").to_pylist()
    incoming = pa.table(
        {
            "corporate_number": [numbers[10], numbers[10], "1430001999905", numbers[20]],
            "name": ["古い名前", "新しい名前", "新設", None],
            "update_date": ["2030-01-01", "2030-01-01", "2030-01-01", "2030-01-01"],
            "_delete": [False, False, False, True],
            "_latest": [True, True, True, True],
            "_sequence": [1, 2, 3, 4],
        }
    )

    merged = merge_corporations(old, latest_rows(incoming), ("name", "update_date"))

    assert merged.table is not None
    result = merged.table.column("corporate_number").to_pylist()
    assert result == sorted(set(result))
    assert len(result) == old.num_rows  # one inserted, one deleted
    assert merged.deleted == [numbers[20]]
    by_number = {r["corporate_number"]: r for r in merged.table.to_pylist()}
    assert by_number[numbers[10]]["name"] == "新しい名前"
    assert by_number[numbers[10]]["location"] == old.to_pylist()[10]["location"]  # a field the file does not set


def test_replacing_the_set_switches_the_pointer_then_deletes_every_other_part(store) -> None:
    corporations = generate_tables(1000, seed=3)["corporations"]
    store.put_object("parquet/corporations/part-0000.parquet", parquet_part(corporations), "x")  # the generator's

    replaced = replace_corporations(store, corporations.slice(0, 10), DAY1)

    assert current_set(store) == replaced
    assert store.list_keys("parquet/corporations/") == sorted([*replaced.parts, POINTER_KEY])
    assert read_corporations(store).num_rows == 10  # type: ignore[union-attr]


def test_a_reader_that_loses_a_part_to_a_replacement_reads_the_new_set(store) -> None:
    corporations = generate_tables(1000, seed=3)["corporations"]
    old = replace_corporations(store, corporations.slice(0, 10), DAY1)
    stale_pointer = store.get_object(POINTER_KEY)
    replace_corporations(store, corporations.slice(0, 20), DAY2)  # deletes the old parts

    class Racing(LocalOpenDataStore):
        served = False

        def get_object(self, key: str) -> bytes | None:
            if key == POINTER_KEY and not self.served:  # the pointer as it was before the switch
                self.served = True
                return stale_pointer
            return super().get_object(key)

    table = read_corporations(Racing(store.root))

    assert old.parts[0] not in store.list_keys("parquet/")
    assert table is not None
    assert table.num_rows == 20


def test_the_index_builds_from_the_ingested_parquet(store) -> None:
    _ingest(store, FULL, "13_tokyo_all_20250331.csv", DAY1)
    _ingest(store, DIFF, "diff_20250401.csv", DAY2)

    build = rebuild_index(store, DAY2)

    assert build is not None
    pointer = json.loads(store.get_object("index/current.json"))  # type: ignore[arg-type]
    assert pointer["corporations"] == 5
    part = pq.read_table(io.BytesIO(store.get_object(current_set(store).parts[0])))  # type: ignore[arg-type]
    assert part.schema.equals(CORPORATION_SCHEMA)
