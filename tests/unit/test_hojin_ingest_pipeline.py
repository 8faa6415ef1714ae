"""The ingest pipeline over a local store: what is kept, replaced, recorded, reported and published."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from devstack.synthdata import generate_tables
from functions.hojin_search.bulk import MANIFEST_KEY, export_bulk
from functions.hojin_search.ingest.pipeline import (
    UNKNOWN_CORPORATION,
    activity_key,
    ingest_file,
    parquet_bytes,
    source_id_of,
)
from functions.hojin_search.ingest.publish import CURRENT_INDEX_KEY, rebuild_index
from functions.hojin_search.ingest.store import LocalOpenDataStore, StoredRecord

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)
HEADER = "corporate_number,title,amount,date_of_approval,government_departments,target"


@pytest.fixture(scope="module")
def corporations() -> pa.Table:
    return generate_tables(1000, seed=7)["corporations"].slice(0, 20)


@pytest.fixture
def store(tmp_path: Path, corporations: pa.Table) -> LocalOpenDataStore:
    store = LocalOpenDataStore(tmp_path)
    store.put_object("parquet/corporations/part-0000.parquet", parquet_bytes(corporations), "x")
    for row in corporations.to_pylist():
        number = row["corporate_number"]
        store.records[number] = StoredRecord(
            number, {"corporate_number": number, "name": row["name"], "subsidy": []}, None
        )
    return store


@pytest.fixture
def numbers(corporations: pa.Table) -> list[str]:
    return corporations.column("corporate_number").to_pylist()


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def _ingest(store: LocalOpenDataStore, data: bytes, name: str = "r6.csv", now: datetime = NOW, ministry: str = "meti"):  # type: ignore[no-untyped-def]
    return ingest_file(
        data, ministry=ministry, category="subsidy", source_name=name, now=now, store=store, publish=None
    )


def test_given_good_and_bad_rows_then_good_rows_are_kept_and_bad_rows_named(store, numbers) -> None:
    data = _csv(
        f"{numbers[0]},A,100,2024-04-01,省,", f"{numbers[1]},B,-1,2024-04-01,省,", f"{numbers[2]},C,300,2024-04-01,省,"
    )

    report = _ingest(store, data)

    kept = pq.read_table(io.BytesIO(store.get_object(activity_key("subsidy", report.source_id)))).column("title")
    assert kept.to_pylist() == ["A", "C"]
    assert [(r.line, r.errors[0].field, r.errors[0].reason) for r in report.rejected] == [
        (3, "amount", "an amount cannot be negative")
    ]
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (3, 2, 1)
    assert [s["title"] for s in store.records[numbers[2]].document["subsidy"]] == ["C"]


def test_given_a_number_not_in_the_basic_information_then_that_row_is_refused(store, numbers) -> None:
    from platform_common.corporate_number import make_corporate_number

    stranger = make_corporate_number("999999999999")
    report = _ingest(store, _csv(f"{stranger},A,1,2024-04-01,省,", f"{numbers[0]},B,1,2024-04-01,省,"))

    assert [(r.line, r.errors[0].reason) for r in report.rejected] == [(2, UNKNOWN_CORPORATION)]
    assert report.rows_accepted == 1


def test_given_the_same_file_again_then_nothing_changes(store, numbers) -> None:
    data = _csv(f"{numbers[0]},A,100,2024-04-01,省,")
    first = _ingest(store, data)
    parquet = store.get_object(activity_key("subsidy", first.source_id))
    records = dict(store.records)

    again = _ingest(store, b"\xef\xbb\xbf" + data, now=LATER)  # same content, now with a BOM

    assert again.status == "unchanged"
    assert again.corporations_changed == 0
    assert store.get_object(activity_key("subsidy", first.source_id)) == parquet
    assert store.records == records
    assert store.changes == {"20250401": {f"{numbers[0]}#subsidy"}}  # no change recorded on the 2nd day


def test_given_a_corrected_file_then_it_replaces_only_what_that_source_gave(store, numbers) -> None:
    _ingest(store, _csv(f"{numbers[0]},A,100,2024-04-01,省,", f"{numbers[1]},B,200,2024-04-01,省,"))

    corrected = _ingest(
        store, _csv(f"{numbers[0]},A,150,2024-04-01,省,", f"{numbers[1]},B,200,2024-04-01,省,"), now=LATER
    )

    assert corrected.corporations_changed == 1
    assert store.records[numbers[0]].document["subsidy"] == [
        {"title": "A", "amount": 150, "date_of_approval": "2024-04-01", "government_departments": "省"}
    ]
    assert store.changes["20250402"] == {f"{numbers[0]}#subsidy"}


def test_given_two_sources_for_one_corporation_then_the_record_is_their_union_and_each_replaces_its_own(
    store, numbers
) -> None:
    _ingest(store, _csv(f"{numbers[0]},METI,1,2024-04-01,経済産業省,"), name="meti.csv", ministry="meti")
    _ingest(store, _csv(f"{numbers[0]},MHLW,2,2024-05-01,厚生労働省,"), name="mhlw.csv", ministry="mhlw")
    assert [s["title"] for s in store.records[numbers[0]].document["subsidy"]] == ["METI", "MHLW"]

    _ingest(store, _csv(f"{numbers[1]},METI2,1,2024-04-01,経済産業省,"), name="meti.csv", ministry="meti", now=LATER)

    assert [s["title"] for s in store.records[numbers[0]].document["subsidy"]] == ["MHLW"]
    assert sorted(store.records[numbers[0]].sources or {}) == [source_id_of("mhlw", "subsidy", "mhlw.csv")]


def test_given_a_seeded_record_then_its_items_survive_an_ingest(store, numbers) -> None:
    seeded = {"title": "seed", "amount": 9, "date_of_approval": "2020-01-01"}
    store.records[numbers[0]].document["subsidy"] = [seeded]

    _ingest(store, _csv(f"{numbers[0]},new,1,2024-04-01,省,"))

    assert [s["title"] for s in store.records[numbers[0]].document["subsidy"]] == ["seed", "new"]


def test_given_an_ingest_then_the_report_is_stored_with_every_rejected_row(store, numbers) -> None:
    report = _ingest(store, _csv(f"{numbers[0]},A,x,2024-04-01,省,", f"{numbers[0]},,1,2024-04-01,省,"))

    stored = json.loads(store.get_object(report.report_key))
    assert report.report_key.startswith(f"reports/{report.source_id}/20250401T090000")
    assert stored["rows_rejected"] == 2
    assert [(r["line"], r["errors"][0]["field"]) for r in stored["rejected"]] == [(2, "amount"), (3, "title")]


class _FakeIndex:
    def __init__(self, corporations: pa.Table, activities: Mapping[str, pa.Table]) -> None:
        self.summary = {"corporations": corporations.num_rows, **{c: t.num_rows for c, t in activities.items()}}

    def save(self, directory: Path) -> None:
        (directory / "summary.json").write_text(json.dumps(self.summary))


def test_given_new_activity_then_an_index_is_built_from_all_parquet_and_switched_last(store, numbers) -> None:
    _ingest(store, _csv(f"{numbers[0]},A,1,2024-04-01,省,", f"{numbers[1]},B,1,2024-04-01,省,"))
    first = rebuild_index(store, NOW, builder=_FakeIndex)

    second = rebuild_index(store, LATER, builder=_FakeIndex)

    pointer = json.loads(store.get_object(CURRENT_INDEX_KEY))
    assert first != second
    assert pointer["build_id"] == second
    assert json.loads(store.get_object(f"index/{second}/summary.json")) == {"corporations": 20, "subsidy": 2}


def test_given_data_then_bulk_files_are_listed_with_sizes_and_checksums_that_match(store, numbers) -> None:
    _ingest(store, _csv(f"{numbers[0]},ものづくり補助金,1000,2024-04-01,経済産業省,"))

    export_bulk(store, NOW)

    manifest = json.loads(store.get_object(MANIFEST_KEY))
    assert {(f["category"], f["format"]) for f in manifest["files"]} >= {
        ("basic", "csv"),
        ("subsidy", "jsonl"),
        ("subsidy", "parquet"),
        ("subsidy", "nq"),
        ("full", "jsonl"),
        ("full", "csv.zip"),
    }
    for entry in manifest["files"]:
        data = store.get_object(entry["key"])
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["bytes"], entry["sha256"])
    assert store.get_object("bulk/subsidy/subsidy.csv").startswith("\ufeffcorporate_number".encode())
    full = [json.loads(line) for line in store.get_object("bulk/full/hojin.jsonl").splitlines()]
    owner: dict[str, Any] = next(r for r in full if r["corporate_number"] == numbers[0])
    assert owner["subsidy"][0]["title"] == "ものづくり補助金"
    assert len(full) == 20
    assert b"<http://hojin-info.go.jp/graph/hojyokin>" in store.get_object("bulk/subsidy/subsidy.nq")


def test_given_ingested_activity_when_the_chart_query_runs_on_duckdb_then_totals_by_fiscal_year(store, numbers) -> None:
    from functions.hojin_search.analytics import athena_sql, run_duckdb

    _ingest(
        store,
        _csv(
            f"{numbers[0]},A,100,2024-03-31,省,",
            f"{numbers[0]},B,200,2024-04-01,省,",
            f"{numbers[0]},C,50,2025-01-10,省,",
        ),
    )
    ingest_file(
        b"corporate_number,title,amount,date_of_order,government_departments\n"
        + f"{numbers[0]},P,7,2024-06-01,省\n".encode(),
        ministry="meti",
        category="procurement",
        source_name="p.csv",
        now=NOW,
        store=store,
        publish=None,
    )

    rows = run_duckdb("activity_by_year", store.root, corporate_number=numbers[0])

    assert [(r["category"], r["fiscal_year"], r["records"], r["amount"]) for r in rows] == [
        ("subsidy", 2023, 1, 100),
        ("procurement", 2024, 1, 7),
        ("subsidy", 2024, 2, 250),
    ]
    assert '"open_data"."activities_subsidy"' in athena_sql("activity_by_year", "open_data")
