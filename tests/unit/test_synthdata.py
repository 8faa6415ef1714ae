"""The synthetic corporation generator: valid unique numbers, consistent places, deterministic output, the
record shape of the gBizINFO API, Parquet files and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devstack.synthdata import (
    check_digits,
    generate_corporations_table,
    generate_records,
    generate_tables,
    write_dataset,
)
from devstack.synthdata.__main__ import main
from devstack.synthdata.dataset import ACTIVITY_FILES, CORPORATIONS_FILE
from devstack.synthdata.generator import ACTIVITY_SCHEMAS
from devstack.synthdata.geography import CITIES, PREFECTURES, jis_check_digit
from functions.hojin_search.ingest.corporations import CORPORATION_SCHEMA
from functions.hojin_search.models import HojinInfo
from platform_common.corporate_number import make_corporate_number, validate_corporate_number

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_COLUMNS = [
    "corporate_number", "name", "kana", "name_en", "kind", "prefecture_code", "prefecture_name", "city_code",
    "city_name", "street", "postal_code", "location", "representative_name", "capital_stock",
    "employee_number", "founding_year", "date_of_establishment", "status", "close_date", "close_cause",
    "update_date", "industry", "business_summary",
]  # fmt: skip
KIND_CODES = {"101", "201", "301", "302", "303", "304", "305", "399", "401", "499"}


@pytest.fixture(scope="module")
def run20k() -> dict[str, pa.Table]:
    return generate_tables(20_000, seed=42)


def test_every_number_is_valid_unique_and_sorted(run20k: dict[str, pa.Table]) -> None:
    numbers = run20k["corporations"]["corporate_number"].to_pylist()
    assert len(numbers) == 20_000
    assert all(validate_corporate_number(n) == n for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers)


def test_places_are_consistent(run20k: dict[str, pa.Table]) -> None:
    table = run20k["corporations"]
    known = {c.code: c.name for c in CITIES}
    prefecture_names = {p.code: p.name for p in PREFECTURES}
    rows = table.select(
        ["prefecture_code", "prefecture_name", "city_code", "city_name", "street", "location", "postal_code"]
    ).to_pylist()
    for row in rows:
        assert row["city_code"][:2] == row["prefecture_code"]
        assert known[row["city_code"]] == row["city_name"]
        assert prefecture_names[row["prefecture_code"]] == row["prefecture_name"]
        assert row["location"] == row["prefecture_name"] + row["city_name"] + row["street"]
        assert len(row["postal_code"]) == 7
        assert row["postal_code"].isdigit()
    assert {r["prefecture_code"] for r in rows} == {f"{i:02d}" for i in range(1, 48)}


def test_geography_data_is_consistent() -> None:
    assert [p.code for p in PREFECTURES] == [f"{i:02d}" for i in range(1, 48)]
    codes = [c.code for c in CITIES]
    assert len(codes) == len(set(codes)) >= 300
    for city in CITIES:
        assert len(city.code) == 5
        assert city.code.isdigit()
        assert PREFECTURES[city.prefecture].code == city.code[:2]
        assert 0 < city.postal_area < 1000
    # JIS X 0402 check digits of well-known codes: 千代田区 131016, 札幌市 011002, 那覇市 472018
    assert [jis_check_digit(c) for c in ("13101", "01100", "47201")] == [6, 2, 8]


def test_kinds_and_figures_are_plausible(run20k: dict[str, pa.Table]) -> None:
    table = run20k["corporations"]
    kinds = table["kind"].to_pylist()
    assert set(kinds) <= KIND_CODES
    assert kinds.count("301") / len(kinds) > 0.45
    names = table["name"].to_pylist()
    assert len(set(names)) > 15_000  # thousands of combinations, few repeats
    assert any(n.startswith("株式会社") for n in names)
    assert any(n.endswith("株式会社") for n in names)
    for row in table.slice(0, 2_000).to_pylist():
        assert row["kana"]
        assert all("\u30a0" <= ch <= "\u30ff" for ch in row["kana"]), row["kana"]
        assert row["status"] in {"現存", "閉鎖"}
        assert (row["close_date"] is not None) == (row["status"] == "閉鎖")
        assert row["industry"]
        if row["kind"] == "305":
            assert row["date_of_establishment"] >= "2006-05-01"
        if row["kind"] == "302":
            assert row["date_of_establishment"] < "2006-05-01"


def test_activities_belong_to_corporations_and_are_sorted(run20k: dict[str, pa.Table]) -> None:
    numbers = set(run20k["corporations"]["corporate_number"].to_pylist())
    for category, schema in ACTIVITY_SCHEMAS.items():
        table = run20k[category]
        assert table.schema == schema
        assert table.schema.names[0] == "corporate_number"
        assert table.num_rows > 0
        owners = table["corporate_number"].to_pylist()
        assert set(owners) <= numbers
        assert owners == sorted(owners)
    amounts = run20k["subsidy"]["amount"].to_pylist()
    assert all(isinstance(a, int) and a > 0 for a in amounts)


def test_same_seed_same_output_and_other_seed_differs() -> None:
    a = generate_tables(3_000, seed=7)
    b = generate_tables(3_000, seed=7)
    c = generate_tables(3_000, seed=8)
    for key in a:
        assert a[key].equals(b[key])
    assert not a["corporations"].equals(c["corporations"])


def test_records_validate_as_hojin_info() -> None:
    records = generate_records(300, seed=42)
    assert len(records) == 300
    assert records == generate_records(300, seed=42)
    with_activity = 0
    for record in records:
        info = HojinInfo.model_validate(record)
        prefecture = next(p for p in PREFECTURES if p.code == info.prefecture_code)
        assert info.location
        assert info.location.startswith(prefecture.name)
        assert info.city_code
        assert info.city_code.startswith(prefecture.code)
        with_activity += bool(info.subsidy or info.procurement or info.certification or info.commendation)
    assert with_activity > 0


def test_records_match_the_table() -> None:
    records = generate_records(1_000, seed=3)
    table = generate_corporations_table(1_000, seed=3)
    assert [r["corporate_number"] for r in records] == table["corporate_number"].to_pylist()
    assert [r["name"] for r in records] == table["name"].to_pylist()


def test_parquet_round_trip_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    rows = write_dataset(first, 1_000, seed=42)
    assert main(["--corporations", "1000", "--out", str(second), "--seed", "42", "--quiet"]) == 0
    assert rows["corporations"] == 1_000
    corporations = pq.read_table(first / CORPORATIONS_FILE)
    assert corporations.schema.names == EXPECTED_COLUMNS
    assert corporations.schema == CORPORATION_SCHEMA
    assert corporations.equals(generate_corporations_table(1_000, seed=42))
    metadata = pq.ParquetFile(first / CORPORATIONS_FILE).metadata
    assert metadata.row_group(0).column(0).compression == "ZSTD"
    for name in [CORPORATIONS_FILE, *ACTIVITY_FILES.values()]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        assert pq.read_schema(first / name).names[0] == "corporate_number"
    assert not list(first.glob(".*partial"))


@pytest.mark.parametrize("size", ["999", "5000001", "0", "-5", "many"])
def test_cli_rejects_sizes_out_of_range(size: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--corporations", size, "--out", "unused", "--quiet"])
    assert exit_info.value.code != 0
    assert "--corporations" in capsys.readouterr().err


def test_cli_as_a_module_reports_the_range(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devstack.synthdata", "--corporations", "500", "--out", str(tmp_path)],
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'layers/common/python'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "between 1,000 and 5,000,000" in result.stderr
    assert not list(tmp_path.iterdir())


@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_vectorised_check_digit_matches_the_reference(base: int) -> None:
    text = f"{base:012d}"
    assert int(make_corporate_number(text)[0]) == int(check_digits(np.array([base]))[0])


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_seed_gives_valid_sorted_consistent_rows(seed: int) -> None:
    table = generate_corporations_table(1_000, seed=seed)
    numbers = table["corporate_number"].to_pylist()
    assert numbers == sorted(set(numbers))
    assert all(validate_corporate_number(n) for n in numbers)
    codes = zip(table["prefecture_code"].to_pylist(), table["city_code"].to_pylist(), strict=True)
    assert all(city.startswith(pref) for pref, city in codes)
