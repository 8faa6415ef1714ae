"""Validation of ministries' files: every field kind, encodings, formats, and the two paths agreeing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.hojin_search.ingest.parse import read_rows
from functions.hojin_search.ingest.schema import parse_amount, parse_date
from functions.hojin_search.ingest.validate import validate_columns, validate_rows_one_by_one
from platform_common.corporate_number import make_corporate_number
from platform_common.errors import InvalidInput

NUMBER = make_corporate_number("123456789012")
HEADER = "corporate_number,title,amount,date_of_approval,government_departments,target"


def _subsidy(*rows: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


def _problems(data: bytes, category: str = "subsidy", name: str = "f.csv") -> dict[int, set[tuple[str, str]]]:
    validated = validate_columns(category, read_rows(data, name))
    return {line: {(p.field, p.reason) for p in problems} for line, problems in validated.rejected.items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,000,000", 1_000_000), ("１０００", 1000), (" 250 ", 250), ("3000円", 3000), ("0", 0)],
)
def test_given_written_amounts_when_validated_then_integers_of_yen(text: str, expected: int) -> None:
    validated = validate_columns(
        "subsidy", read_rows(_subsidy(f'{NUMBER},補助,"{text}",2024-04-01,経済産業省,'), "f.csv")
    )

    assert validated.accepted.column("amount").to_pylist() == [expected]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-5", "an amount cannot be negative"),
        ("abc", "an amount is a whole number of yen"),
        ("1.5", "an amount is a whole number of yen"),
    ],
)
def test_given_a_negative_or_non_numeric_amount_then_the_row_is_refused_naming_amount(text: str, reason: str) -> None:
    assert _problems(_subsidy(f"{NUMBER},補助,{text},2024-04-01,経済産業省,")) == {2: {("amount", reason)}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-01", "2024-04-01"),
        ("2024/4/1", "2024-04-01"),
        ("令和6年4月1日", "2024-04-01"),
        ("平成元年1月8日", "1989-01-08"),
        ("２０２４－０４－０１", "2024-04-01"),
    ],
)
def test_given_date_forms_when_validated_then_iso_dates(text: str, expected: str) -> None:
    validated = validate_columns("subsidy", read_rows(_subsidy(f"{NUMBER},補助,1,{text},経済産業省,"), "f.csv"))

    assert validated.accepted.column("date_of_approval").to_pylist() == [expected]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-29", "no such calendar date"),
        ("2024-13-01", "no such calendar date"),
        ("April 1", "a date is YYYY-MM-DD (or YYYY/MM/DD, or 令和5年4月1日)"),
    ],
)
def test_given_an_impossible_or_unreadable_date_then_refused(text: str, reason: str) -> None:
    assert _problems(_subsidy(f"{NUMBER},補助,1,{text},経済産業省,")) == {2: {("date_of_approval", reason)}}


def test_given_a_wrong_check_digit_or_shape_then_the_corporate_number_is_named() -> None:
    wrong_digit = ("1" if NUMBER[0] != "1" else "2") + NUMBER[1:]
    problems = _subsidy(f"{wrong_digit},補助,1,2024-04-01,省,", "12345,補助,1,2024-04-01,省,")

    assert _problems(problems) == {
        2: {("corporate_number", "the check digit does not match")},
        3: {("corporate_number", "a corporate number is 13 ASCII digits")},
    }


def test_given_missing_required_fields_then_each_is_named_required() -> None:
    assert _problems(_subsidy(f"{NUMBER},,,2024-04-01,,x")) == {
        2: {("title", "required"), ("amount", "required"), ("government_departments", "required")}
    }


def test_given_a_row_with_too_many_values_then_it_is_refused_and_the_others_kept() -> None:
    raw = read_rows(_subsidy(f"{NUMBER},a,1,2024-04-01,省,,extra", f"{NUMBER},b,1,2024-04-01,省,"), "f.csv")
    validated = validate_columns("subsidy", raw)

    assert validated.accepted.column("title").to_pylist() == ["b"]
    assert [p.field for p in validated.rejected[2]] == ["(row)"]


def test_given_shift_jis_and_bom_files_then_both_decode_to_the_same_rows() -> None:
    row = f"{NUMBER},ものづくり補助金,1000,2024-04-01,経済産業省,中小企業"
    sjis = read_rows(_subsidy(row, encoding="cp932"), "f.csv")
    bom = read_rows(b"\xef\xbb\xbf" + _subsidy(row), "f.csv")

    assert (sjis.encoding, bom.encoding) == ("cp932", "utf-8-sig")
    assert validate_columns("subsidy", sjis).accepted.equals(validate_columns("subsidy", bom).accepted)


def test_given_json_array_and_json_lines_then_rows_and_positions() -> None:
    item = {
        "corporate_number": NUMBER,
        "title": "t",
        "amount": 5,
        "date_of_approval": "2024-04-01",
        "government_departments": "省",
    }
    array = read_rows(json.dumps([item, {**item, "amount": -1}]).encode(), "f.json")
    lines = read_rows(b"\n".join(json.dumps(x).encode() for x in (item, "not an object", item)), "f.jsonl")

    assert validate_columns("subsidy", array).accepted_lines == [1]
    assert lines.lines == [1, 3]
    assert lines.malformed == [(2, "each record must be a JSON object")]


def test_given_bytes_that_are_no_text_then_the_file_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_rows(b"\x81\x00\xff\xfe\x80", "f.csv")
    assert refused.value.errors[0].item == "file"


_CELL = st.one_of(
    st.sampled_from(
        ["", " ", "1,000", "１２３", "-7", "x", "2024-02-29", "2023-02-29", "令和元年5月1日", "2024/1/31", "12.5"]
    ),
    st.text(max_size=6),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _CELL, _CELL, _CELL, _CELL), min_size=1, max_size=8))
def test_property_vectorised_validation_agrees_with_the_pydantic_models(
    rows: list[tuple[bool, str, str, str, str]],
) -> None:
    records = [
        {
            "corporate_number": NUMBER if good else title,
            "title": title,
            "amount": amount,
            "date_of_approval": day,
            "government_departments": dept,
        }
        for good, title, amount, day, dept in rows
    ]
    raw = read_rows(json.dumps(records, ensure_ascii=False).encode(), "f.json")

    fast = validate_columns("subsidy", raw)
    reference = validate_rows_one_by_one("subsidy", raw)

    assert fast.accepted.to_pylist() == reference.accepted.to_pylist()
    assert {k: {p.field for p in v} for k, v in fast.rejected.items()} == {
        k: {p.field for p in v} for k, v in reference.rejected.items()
    }


@given(st.integers(min_value=0, max_value=10**15))
def test_property_amounts_with_separators_parse_back(value: int) -> None:
    assert parse_amount(f"{value:,}") == value
    assert parse_amount(f"{value:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))) == value


@given(st.dates())
def test_property_iso_dates_round_trip(day) -> None:  # type: ignore[no-untyped-def]
    assert parse_date(day.isoformat()) == day.isoformat()
