"""External data connectors: EDINET (FSA) → finance, MHLW 職場情報 → workplace, from real-format fixtures.

Each test drives a connector with bytes from ``tests/fixtures`` (no network) and, where rows come out, feeds
them through the ingest's own validation to prove the mapping is accepted as the category's rows.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.hojin_search.connectors import rows_to_csv
from functions.hojin_search.connectors.edinet import (
    finance_rows,
    parse_csv,
    parse_document_list,
)
from functions.hojin_search.connectors.mhlw_workplace import heading_key, workplace_rows
from functions.hojin_search.ingest.parse import read_rows
from functions.hojin_search.ingest.validate import FieldProblem, validate_columns
from platform_common.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DOCUMENTS = (FIXTURES / "edinet" / "documents.json").read_bytes()
CSV_NAME = "jpcrp030000-asr-001_E99901-000_2024-03-31_01_2024-06-25.csv"
EDINET_CSV = (FIXTURES / "edinet" / CSV_NAME).read_bytes()
MHLW_CSV = (FIXTURES / "mhlw" / "shokuba_opendata_sample.csv").read_bytes()
AS_OF = date(2024, 6, 1)


def _validated(category: str, data: bytes) -> tuple[list[dict[str, Any]], dict[int, list[FieldProblem]]]:
    validated = validate_columns(category, read_rows(data, f"{category}.csv"))
    return validated.accepted.to_pylist(), validated.rejected


# -- EDINET ---------------------------------------------------------------------------------------------


def test_given_the_document_list_when_parsed_then_every_result_with_its_jcn() -> None:
    documents = parse_document_list(DOCUMENTS)

    assert [d.doc_id for d in documents] == ["S100TST1", "S100TST2", "S100TST3"]
    assert [d.jcn for d in documents] == ["5010001008771", None, "7120001077523"]
    assert documents[0].doc_type_code == "120"
    assert documents[0].period_end == "2024-03-31"


def test_given_the_utf16_csv_form_when_parsed_then_facts_carry_element_context_and_value() -> None:
    assert EDINET_CSV.startswith(b"\xff\xfe")

    facts = parse_csv(EDINET_CSV)

    sales = [(f.context, f.value) for f in facts if f.element == "jpcrp_cor:NetSalesSummaryOfBusinessResults"]
    assert ("CurrentYearDuration", "125400000000") in sales
    assert len(sales) == 4


def test_given_a_securities_report_when_mapped_then_consolidated_figures_first_non_consolidated_otherwise() -> None:
    result = finance_rows(DOCUMENTS, {"S100TST1": EDINET_CSV})

    assert result.rows == [
        {
            "corporate_number": "5010001008771",
            "period": "2024-03-31",
            "accounting_standards": "Japan GAAP",
            "fiscal_year_cover_page": "第77期(自　2023年４月１日　至　2024年３月31日)",
            "net_sales_summary_of_business_results": "125400000000",  # consolidated, not the prior year
            "operating_revenue1_summary_of_business_results": None,  # not reported
            "ordinary_income_loss_summary_of_business_results": "8300000000",
            "net_income_loss_summary_of_business_results": "-1250000000",  # consolidated is nil: individual
            "capital_stock_summary_of_business_results": "10000000000",  # reported individually only
            "net_assets_summary_of_business_results": "61000000000",
            "total_assets_summary_of_business_results": "152000000000",
            "number_of_employees": "3210",
        }
    ]


def test_given_a_filer_without_jcn_when_mapped_then_skipped_and_named_not_guessed() -> None:
    result = finance_rows(DOCUMENTS, {"S100TST1": EDINET_CSV, "S100TST2": EDINET_CSV})

    assert [row["corporate_number"] for row in result.rows] == ["5010001008771"]
    assert len(result.skipped) == 1
    skipped = result.skipped[0]
    assert skipped.where == "docID S100TST2"
    assert skipped.name == "見本商事株式会社"
    assert "JCN" in skipped.reason
    assert "E99902" in skipped.reason


def test_given_other_document_types_when_mapped_then_ignored_without_a_report() -> None:
    result = finance_rows(DOCUMENTS, {"S100TST3": EDINET_CSV})

    assert all("S100TST3" not in s.where for s in result.skipped)
    assert result.rows == []


def test_given_a_report_without_its_csv_when_mapped_then_skipped_with_the_reason() -> None:
    result = finance_rows(DOCUMENTS, {})

    assert [(s.where, s.reason) for s in result.skipped if s.where == "docID S100TST1"] == [
        ("docID S100TST1", "no CSV form given")
    ]


def test_given_the_zip_edinet_serves_when_mapped_then_its_jpcrp_csv_is_read() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("XBRL_TO_CSV/jpaud-aai-cc-001_E99901-000_2024-03-31_01_2024-06-25.csv", b"")
        zf.writestr(f"XBRL_TO_CSV/{CSV_NAME}", EDINET_CSV)

    result = finance_rows(DOCUMENTS, {"S100TST1": archive.getvalue()})

    assert result.rows[0]["net_sales_summary_of_business_results"] == "125400000000"


def test_given_edinet_finance_rows_when_validated_by_the_ingest_then_all_accepted_with_typed_values() -> None:
    result = finance_rows(DOCUMENTS, {"S100TST1": EDINET_CSV})

    accepted, rejected = _validated("finance", result.to_csv())

    assert rejected == {}
    assert len(accepted) == 1
    row = accepted[0]
    assert row["net_income_loss_summary_of_business_results"] == -1_250_000_000
    assert row["total_assets_summary_of_business_results"] == 152_000_000_000
    assert row["number_of_employees"] == 3210
    assert row["period"] == "2024-03-31"


def test_given_a_list_edinet_refused_when_parsed_then_invalid_input_naming_the_status() -> None:
    refused = json.dumps({"metadata": {"status": "401", "message": "Access denied"}}).encode()

    with pytest.raises(InvalidInput) as caught:
        parse_document_list(refused)

    assert "401" in caught.value.detail


def test_given_a_csv_without_edinet_columns_when_parsed_then_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_csv("a\tb\n1\t2\n".encode("utf-16"))

    assert "要素ID" in caught.value.detail


# -- MHLW 職場情報 ---------------------------------------------------------------------------------------


def test_given_the_cp932_open_data_when_mapped_then_rows_with_units_removed() -> None:
    with pytest.raises(UnicodeDecodeError):
        MHLW_CSV.decode("utf-8")

    result = workplace_rows(MHLW_CSV, as_of=AS_OF)

    assert result.rows[0] == {
        "corporate_number": "5010001008771",
        "date_of_report": "2024-05-01",
        "average_age": "41.2",
        "average_continuous_service_years": "15.3",
        "month_average_predetermined_overtime_hours": "12.5",
        "female_workers_proportion": "24.8",
        "female_share_of_manager": "8.1",
        "number_of_paternity_leave": "35",
        "number_of_maternity_leave": "42",
    }


def test_given_full_width_digits_era_dates_and_undisclosed_values_when_mapped_then_read_or_missing() -> None:
    result = workplace_rows(MHLW_CSV, as_of=AS_OF)

    second = result.rows[1]
    assert second["date_of_report"] == "2024-04-01"  # 令和6年4月1日
    assert second["average_age"] == "38.5"  # ３８．５
    assert second["month_average_predetermined_overtime_hours"] is None  # 非公表
    assert second["female_share_of_manager"] is None  # －


def test_given_lines_without_a_valid_corporate_number_when_mapped_then_skipped_and_named() -> None:
    result = workplace_rows(MHLW_CSV, as_of=AS_OF)

    assert [(s.where, s.name) for s in result.skipped] == [("line 4", "名無し商店"), ("line 5", "誤番号工業株式会社")]
    assert "no corporate number" in result.skipped[0].reason
    assert "check digit" in result.skipped[1].reason
    assert [r["corporate_number"] for r in result.rows] == ["5010001008771", "1011101012345", "3010401099999"]


def test_given_unreadable_values_when_mapped_then_dropped_and_reported_and_the_row_kept() -> None:
    result = workplace_rows(MHLW_CSV, as_of=AS_OF)

    last = result.rows[2]
    assert last["date_of_report"] == AS_OF.isoformat()  # no update date: the download's day
    assert last["month_average_predetermined_overtime_hours"] is None
    assert last["number_of_paternity_leave"] is None
    assert {(d.where, d.field, d.value) for d in result.dropped} == {
        ("line 6", "month_average_predetermined_overtime_hours", "約20"),
        ("line 6", "number_of_paternity_leave", "1.5"),
    }


def test_given_mhlw_rows_when_validated_by_the_ingest_then_all_accepted() -> None:
    result = workplace_rows(MHLW_CSV, as_of=AS_OF)

    accepted, rejected = _validated("workplace", result.to_csv())

    assert rejected == {}
    assert [r["corporate_number"] for r in accepted] == ["5010001008771", "1011101012345", "3010401099999"]
    assert accepted[0]["average_age"] == pytest.approx(41.2)
    assert accepted[0]["number_of_maternity_leave"] == 42


def test_given_a_file_without_a_corporate_number_column_when_mapped_then_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        workplace_rows("企業名,平均年齢\n株式会社A,40\n".encode("cp932"), as_of=AS_OF)

    assert "法人番号" in caught.value.detail


def test_given_rows_with_a_field_of_another_category_when_written_then_refused() -> None:
    with pytest.raises(ValueError, match="amount"):
        rows_to_csv("workplace", [{"corporate_number": "5010001008771", "amount": "1"}])


@given(
    st.sampled_from(
        [
            "育児休業取得者数（男性）",
            "育児休業取得者数(男性)",
            " 育児休業取得者数 (男性) ",
            "\ufeff育児休業取得者数（男性）",
        ]
    )
)
def test_given_headings_written_differently_when_normalised_then_one_key(heading: str) -> None:
    assert heading_key(heading) == "育児休業取得者数(男性)"


@given(
    st.decimals(min_value=0, max_value=10_000, places=1, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "歳", "年", "時間", "%", "％"]),
)
def test_given_any_decimal_with_a_unit_when_mapped_then_the_ingest_accepts_the_same_number(
    number: object, unit: str
) -> None:
    data = f"法人番号,平均年齢\n5010001008771,{number}{unit}\n".encode("cp932")

    result = workplace_rows(data, as_of=AS_OF)
    accepted, rejected = _validated("workplace", result.to_csv())

    assert rejected == {}
    assert accepted[0]["average_age"] == pytest.approx(float(str(number)))
