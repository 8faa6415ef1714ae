"""``python -m devstack.ingest``: connectors (--from edinet / mhlw) and the NTA's basic data, into a local store."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from devstack.ingest import main
from functions.hojin_search.ingest.corporations import read_corporations
from functions.hojin_search.ingest.pipeline import activity_key, source_id_of
from functions.hojin_search.ingest.store import LocalOpenDataStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EDINET = FIXTURES / "edinet"
MHLW_CSV = FIXTURES / "mhlw" / "shokuba_opendata_sample.csv"
NTA_DIFF = FIXTURES / "nta" / "diff_20250401.csv"


def _partition(root: Path, ministry: str, category: str, source_name: str) -> list[dict[str, object]]:
    key = activity_key(category, source_id_of(ministry, category, source_name))
    return pq.read_table(root / key).to_pylist()


def test_given_the_edinet_directory_then_the_mapped_finance_rows_are_ingested_as_fsa(tmp_path, capsys) -> None:
    code = main(["--from", "edinet", "--local", str(tmp_path), str(EDINET)])

    out = capsys.readouterr().out
    assert code == 0
    [row] = _partition(tmp_path, "fsa", "finance", "edinet-edinet.csv")
    assert (row["corporate_number"], row["period"], row["net_sales_summary_of_business_results"]) == (
        "5010001008771",
        "2024-03-31",
        125_400_000_000,
    )
    assert "skipped docID S100TST2 (見本商事株式会社): no corporate number (JCN)" in out
    assert "S100TST3" not in out  # a large-shareholding report (350): not finance, not an input
    assert "1 accepted, 0 rejected of 1" in out


def test_given_the_document_list_file_then_its_csv_forms_are_found_beside_it(tmp_path, capsys) -> None:
    code = main(["--from", "edinet", "--ministry", "fsa-test", "--json", str(EDINET / "documents.json")])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (report["ministry"], report["category"], report["rows_accepted"]) == ("fsa-test", "finance", 1)
    assert report["source_name"] == "edinet-documents.csv"


def test_given_the_mhlw_file_then_workplace_rows_are_ingested_and_skipped_lines_printed(tmp_path, capsys) -> None:
    code = main(["--from", "mhlw", "--as-of", "2024-06-01", "--local", str(tmp_path), str(MHLW_CSV)])

    out = capsys.readouterr().out
    assert code == 0
    rows = _partition(tmp_path, "mhlw", "workplace", "mhlw-shokuba_opendata_sample.csv")
    assert [r["corporate_number"] for r in rows] == ["5010001008771", "1011101012345", "3010401099999"]
    assert rows[2]["date_of_report"] == "2024-06-01"  # no update date in the file: --as-of
    assert "skipped line 4 (名無し商店): no corporate number" in out


def test_given_the_nta_diff_then_the_corporations_parquet_holds_it(tmp_path, capsys) -> None:
    code = main(["--category", "basic", "--local", str(tmp_path), str(NTA_DIFF)])

    out = capsys.readouterr().out
    assert code == 0
    table = read_corporations(LocalOpenDataStore(tmp_path))
    assert table is not None
    assert table.num_rows == 5  # 7 rows: one history row, one deletion of a number never held
    assert "diff_20250401.csv: ingested; 7 accepted, 0 rejected of 7 (utf-8, nta-csv)" in out
    assert (tmp_path / "sources" / f"{source_id_of('nta', 'basic', 'diff_20250401.csv')}.json").is_file()


def test_given_the_zip_the_nta_publishes_then_its_csv_is_ingested(tmp_path, capsys) -> None:
    archive = tmp_path / "00_zenkoku_diff_20250401.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("00_zenkoku_diff_20250401.csv", NTA_DIFF.read_bytes())

    code = main(["--category", "basic", "--json", str(archive)])  # a dry run: nothing kept

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (report["source_name"], report["corporations_changed"]) == ("00_zenkoku_diff_20250401.csv", 5)
    assert not (tmp_path / "parquet").exists()


def test_given_a_bad_nta_row_then_the_exit_code_says_so(tmp_path, capsys) -> None:
    code = main(["--category", "basic", str(FIXTURES / "nta" / "diff_20250402_errors.csv")])

    out = capsys.readouterr().out
    assert code == 1
    assert "line 1: corporateNumber: the check digit does not match" in out


def test_given_a_connector_and_another_category_then_the_command_refuses(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--from", "mhlw", "--category", "subsidy", str(MHLW_CSV)])

    assert exited.value.code == 2
    assert "--from mhlw hands in workplace rows" in capsys.readouterr().err


def test_given_a_file_that_is_not_edinet_s_list_then_it_is_refused(tmp_path, capsys) -> None:
    bad = tmp_path / "documents.json"
    bad.write_bytes(io.BytesIO(b'{"metadata": {"status": "404", "message": "Not Found"}}').getvalue())

    assert main(["--from", "edinet", str(bad)]) == 2
    assert "EDINET answered status 404" in capsys.readouterr().err
