"""Properties of the ingest readers (CSV, JSON, JSON Lines, the NTA layout) on any file a ministry may send."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from functions.hojin_search.ingest.basic_rows import read_basic
from functions.hojin_search.ingest.parse import RawRows, read_rows
from functions.hojin_search.ingest.validate import validate_columns
from platform_common.errors import InvalidInput

names = st.sampled_from([".csv", ".json", ".jsonl", ".txt", ""]).map(lambda suffix: f"upload{suffix}")
# What a ministry's spreadsheet can hold: any text but NUL and the surrogates (neither survives encoding).
cells = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
headers = st.lists(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters='",'), min_size=1, max_size=8),
    min_size=2,
    max_size=5,
    unique=True,
)


def _consistent(rows: RawRows) -> None:
    assert all(len(values) == rows.count for values in rows.columns.values())
    assert rows.lines == sorted(set(rows.lines))
    assert not set(rows.lines) & {line for line, _ in rows.malformed}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), names)
def test_property_any_bytes_are_read_or_refused_naming_the_file(data: bytes, name: str) -> None:
    refused: InvalidInput | None = None
    try:
        rows = read_rows(data, name)
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert [e.item for e in refused.errors] == ["file"]
        return
    _consistent(rows)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from('[]{}",:0a \n\\'), max_size=200) | st.integers(1, 50_000).map(lambda n: "[" * n))
def test_property_json_shaped_text_of_any_depth_is_read_or_refused(text: str) -> None:
    refused: InvalidInput | None = None
    try:
        rows = read_rows(text.encode("utf-8"), "upload.json")
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.errors[0].item == "file"
        return
    _consistent(rows)


@settings(max_examples=200, deadline=None)
@given(headers.flatmap(lambda h: st.tuples(st.just(h), st.lists(st.lists(cells, min_size=len(h), max_size=len(h))))))
def test_property_a_csv_written_by_a_spreadsheet_reads_back_cell_for_cell(
    table: tuple[list[str], list[list[str]]],
) -> None:
    header, body = table
    assume(all(any(cell.strip() for cell in row) for row in body))  # a row of blanks is a blank line
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *body])

    rows = read_rows(out.getvalue().encode("utf-8"), "upload.csv")

    assert rows.malformed == []
    assert rows.columns == {name: [row[i] for row in body] for i, name in enumerate(header)}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), cells, min_size=1), min_size=1, max_size=6))
def test_property_json_lines_read_back_as_the_same_columns(records: list[dict[str, str]]) -> None:
    data = "\n".join(json.dumps(record, ensure_ascii=False) for record in records).encode("utf-8")

    rows = read_rows(data, "upload.jsonl")

    assert rows.lines == list(range(1, len(records) + 1))
    for name, values in rows.columns.items():
        assert values == [record.get(name) for record in records]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=300)
    | st.lists(st.lists(cells, min_size=1, max_size=31), max_size=4).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode("utf-8")
    ),
    names,
)
def test_property_the_basic_reader_never_fails_on_a_row_only_names_it(data: bytes, name: str) -> None:
    """Any file: refused as a whole (naming the file), or each row accepted or rejected naming its field."""
    refused: InvalidInput | None = None
    try:
        basic = read_basic(data, name)
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.errors[0].item == "file"
        return
    assert basic.table.num_rows == len(basic.lines)
    assert not set(basic.lines) & set(basic.rejected)
    assert all(problem.field for problems in basic.rejected.values() for problem in problems)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(cells, min_size=6, max_size=6), min_size=1, max_size=5))
def test_property_validation_of_any_subsidy_rows_accepts_or_names_each_row(body: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    header = ["corporate_number", "title", "amount", "date_of_approval", "government_departments", "target"]
    csv.writer(out).writerows([header, *body])
    raw = read_rows(out.getvalue().encode("utf-8"), "upload.csv")

    validated = validate_columns("subsidy", raw)

    assert sorted([*validated.accepted_lines, *validated.rejected]) == sorted(raw.lines)
