"""Reading and validating a ``basic`` file: the NTA's own layout or our header CSV/JSON, vectorised.

Two layouts are accepted:

- the NTA download file (:mod:`.nta`: no header line, 30 columns), recognised by its first row; its fields map
  to ours as :data:`NTA_FIELDS` says (``city_code`` is the prefecture code and the NTA's 3-digit city code,
  ``location`` the prefecture, city and street, or the foreign address where there is no domestic one,
  ``status`` 閉鎖 where there is a close date);
- a CSV with a header line or JSON with gBizINFO's field names (the columns of the corporations Parquet,
  :data:`HEADER_FIELDS`); a column the file does not carry keeps the value the corporation has. ``industry``
  is a list: a JSON array of texts, or in a CSV cell texts separated by ``|`` (as the bulk files write it).

Checks (every rejected row is named with its line, field and reason): the corporate number and its check
digit; required fields (NTA: process, latest, update date, and for a row that is not a deletion the name,
the kind and a domestic or foreign address; ours: the name); dates; kind codes; close causes; prefecture
codes 01–47; city codes of that prefecture; postal codes of 7 digits; NTA process and latest codes; industry
lists of at most :data:`MAX_INDUSTRIES` non-empty texts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from functions.hojin_search.ingest import nta
from functions.hojin_search.ingest.corporations import ACTIVE, CLOSED, CORPORATION_SCHEMA
from functions.hojin_search.ingest.parse import decode, detect_format, read_rows
from functions.hojin_search.ingest.validate import (
    REQUIRED,
    FieldProblem,
    _check_dates,
    _check_integers,
    _check_numbers,
    _normalised,
    _numpy_bool,
)
from functions.hojin_search.prefectures import city_name, prefecture_name

# NTA column → our field (the fields an NTA row sets; status and location are derived from them)
NTA_FIELDS: dict[str, str] = {
    "corporateNumber": "corporate_number",
    "name": "name",
    "furigana": "kana",
    "enName": "name_en",
    "kind": "kind",
    "prefectureCode": "prefecture_code",
    "prefectureName": "prefecture_name",
    "cityCode": "city_code",
    "cityName": "city_name",
    "streetNumber": "street",
    "postCode": "postal_code",
    "closeDate": "close_date",
    "closeCause": "close_cause",
    "updateDate": "update_date",
}
NTA_NAMES: dict[str, str] = {
    **{ours: theirs for theirs, ours in NTA_FIELDS.items()},
    "sequence": "sequenceNumber",
    "location": "addressOutside",
}
NTA_SETS: tuple[str, ...] = (*(f for f in NTA_FIELDS.values() if f != "corporate_number"), "location", "status")
# Our header layout: every column of the corporations Parquet.
HEADER_FIELDS: tuple[str, ...] = tuple(CORPORATION_SCHEMA.names)
MAX_INDUSTRIES = 20
MAX_INDUSTRY_LENGTH = 100
VALUE_SCHEMA = pa.schema([CORPORATION_SCHEMA.field(n) for n in HEADER_FIELDS])
CONTROL_SCHEMA = pa.schema([("_delete", pa.bool_()), ("_latest", pa.bool_()), ("_sequence", pa.int64())])

_MESSAGES = {
    "number": "a corporate number is 13 ASCII digits",
    "check": "the check digit does not match",
    "date": "a date is YYYY-MM-DD (or YYYY/MM/DD, or 令和5年4月1日)",
    "calendar": "no such calendar date",
    "kind": f"a kind code: {', '.join(nta.KINDS)}",
    "close_cause": f"a close cause code: {', '.join(nta.CLOSE_CAUSES)}",
    "close_cause_alone": "a close cause needs a close date",
    "prefecture": "a prefecture code is 01 to 47 (JIS X 0401)",
    "nta_city": "a city code is 3 digits (JIS X 0402 without the prefecture)",
    "city": "a city code is 5 digits (JIS X 0402) starting with the prefecture code",
    "postal": "a postal code is 7 digits",
    "address": "a domestic address (prefectureCode, cityCode) or a foreign one (addressOutside) is required",
    "process": f"a process code: {', '.join(nta.PROCESSES)}",
    "latest": "latest is 1 (the latest state) or 0 (a past state)",
    "status": f"status is {ACTIVE} or {CLOSED}",
    "amount": "a non-negative whole number is expected",
    "year": "a year is 4 digits",
    "sequence": "a sequence number is a whole number",
    "industry": f"industry is a JSON array or '|'-separated list of at most {MAX_INDUSTRIES} non-empty texts "
    f"of at most {MAX_INDUSTRY_LENGTH} characters, no control characters",
}


@dataclass
class BasicRows:
    """The accepted rows (``VALUE_SCHEMA`` and ``CONTROL_SCHEMA`` columns), their lines, what was refused."""

    table: pa.Table
    lines: list[int]
    sets: tuple[str, ...]  # the fields these rows set; the others keep the corporation's values
    layout: str  # "nta" or "header"
    encoding: str
    format: str
    rows_read: int
    rejected: dict[int, list[FieldProblem]] = field(default_factory=dict)


class _Checks:
    """Collects (mask, field, reason) and the rows that failed."""

    def __init__(self, n: int, lines: list[int]) -> None:
        self.bad = np.zeros(n, dtype=bool)
        self.problems: list[tuple[np.ndarray, str, str]] = []
        self.lines = np.asarray(lines, dtype=np.int64)

    def add(self, mask: np.ndarray, name: str, reason: str) -> None:
        if mask.any():
            self.problems.append((mask, name, reason))
            self.bad |= mask

    def rejected(self, malformed: list[tuple[int, str]], names: dict[str, str]) -> dict[int, list[FieldProblem]]:
        """Problems by line; ``names`` renames our fields to the file's columns (the NTA layout's)."""
        out: dict[int, list[FieldProblem]] = {}
        for mask, name, reason in self.problems:
            for line in self.lines[mask]:
                out.setdefault(int(line), []).append(FieldProblem(names.get(name, name), reason))
        for line, reason in malformed:
            out.setdefault(line, []).append(FieldProblem("(row)", reason))
        return dict(sorted(out.items()))


def _empty(array: pa.Array) -> np.ndarray:
    return _numpy_bool(pc.equal(pc.utf8_trim_whitespace(pc.fill_null(array, "")), ""))


def _text(array: pa.Array) -> pa.Array:
    value = pc.utf8_trim_whitespace(pc.fill_null(array, ""))
    return pc.if_else(pc.equal(value, ""), None, value)


def _null_where(mask: np.ndarray, array: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.nulls(len(array), array.type), array)


def _codes(clean: pa.Array, allowed: list[str]) -> np.ndarray:
    return _numpy_bool(pc.is_in(clean, value_set=pa.array(allowed, pa.string())))


def _digits(clean: pa.Array, count: int) -> np.ndarray:
    return _numpy_bool(pc.match_substring_regex(clean, f"^[0-9]{{{count}}}$"))


_PREFECTURES = [f"{n:02d}" for n in range(1, 48)]


def _industry_list(text: str) -> list[str] | None:
    """The texts of one industry cell, ``None`` when it is not a valid list."""
    items: object = text.split("|")
    if text.startswith("["):
        try:
            items = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return None
    cleaned = [item.strip() for item in items]
    if len(cleaned) > MAX_INDUSTRIES:
        return None
    if any(not item or len(item) > MAX_INDUSTRY_LENGTH or min(map(ord, item)) < 32 for item in cleaned):
        return None  # control characters too: the merge compares a list joined with one of them
    return cleaned


def _industries(source: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(the lists, malformed) of the ``industry`` column. Row by row: only our header files carry it (a ministry's
    file of thousands of rows, never the NTA's millions), and most of its cells are short."""
    list_type = pa.list_(pa.string())
    bad = np.zeros(len(source), dtype=bool)
    if source.null_count == len(source):
        return pa.nulls(len(source), list_type), bad
    values: list[list[str] | None] = []
    for i, raw in enumerate(source.to_pylist()):
        text = (raw or "").strip()
        parsed = _industry_list(text) if text else None
        bad[i] = bool(text) and parsed is None
        values.append(parsed)
    return pa.array(values, list_type), bad


def _date(checks: _Checks, name: str, source: pa.Array, skip: np.ndarray, *, required: bool) -> pa.Array:
    clean = _normalised(source)
    empty = _numpy_bool(pc.equal(clean, ""))
    value, malformed, impossible = _check_dates(clean)
    checks.add(malformed & ~empty & ~skip, name, _MESSAGES["date"])
    checks.add(impossible & ~empty & ~skip, name, _MESSAGES["calendar"])
    if required:
        checks.add(empty & ~skip, name, REQUIRED)
    return _null_where(empty | malformed | impossible, value)


def _validate(
    columns: dict[str, pa.Array], lines: list[int], layout: str
) -> tuple[dict[str, pa.Array], np.ndarray, _Checks]:
    """Typed values of our fields plus ``_delete``/``_latest``/``_sequence``; problems in the checks."""
    n = len(lines)
    checks = _Checks(n, lines)
    is_nta = layout == "nta"

    def column(name: str) -> pa.Array:
        return columns.get(name, pa.nulls(n, pa.string()))

    out: dict[str, pa.Array] = {}
    number, malformed, bad_digit = _check_numbers(_normalised(column("corporate_number")))
    number_empty = _empty(column("corporate_number"))
    checks.add(number_empty, "corporate_number", REQUIRED)
    checks.add(malformed & ~number_empty, "corporate_number", _MESSAGES["number"])
    checks.add(bad_digit, "corporate_number", _MESSAGES["check"])
    out["corporate_number"] = number

    if is_nta:
        process = _normalised(column("process"))
        checks.add(~_codes(process, list(nta.PROCESSES)), "process", _MESSAGES["process"])
        deleted = _numpy_bool(pc.equal(process, nta.DELETED))
        latest_text = _normalised(column("latest"))
        checks.add(~_codes(latest_text, ["0", "1"]) & ~deleted, "latest", _MESSAGES["latest"])
        latest = _numpy_bool(pc.equal(latest_text, "1")) | deleted  # a deletion's latest is blank
        sequence_text = _normalised(column("sequence"))
        sequence_ok = _numpy_bool(pc.match_substring_regex(sequence_text, r"^[0-9]{1,18}$"))
        sequence_empty = _numpy_bool(pc.equal(sequence_text, ""))
        checks.add(~sequence_ok & ~sequence_empty, "sequence", _MESSAGES["sequence"])
        sequence = pc.cast(pc.if_else(pa.array(sequence_ok), sequence_text, "0"), pa.int64())
    else:
        deleted = np.zeros(n, dtype=bool)
        latest = np.ones(n, dtype=bool)
        sequence = pa.array(np.arange(n, dtype=np.int64))
    live = ~deleted  # a deletion carries only its number and update date

    texts = ("name", "kana", "name_en", "prefecture_name", "city_name", "street", "representative_name")
    for name in (*texts, "business_summary"):
        out[name] = _text(column(name))
    industry, bad_industry = _industries(column("industry"))
    checks.add(bad_industry & live, "industry", _MESSAGES["industry"])
    out["industry"] = industry
    checks.add(_empty(column("name")) & live, "name", REQUIRED)

    kind = _normalised(column("kind"))
    kind_empty = _numpy_bool(pc.equal(kind, ""))
    checks.add(~kind_empty & ~_codes(kind, list(nta.KINDS)) & live, "kind", _MESSAGES["kind"])
    if is_nta:
        checks.add(kind_empty & live, "kind", REQUIRED)
    out["kind"] = _null_where(kind_empty, kind)

    prefecture = _normalised(column("prefecture_code"))
    prefecture_empty = _numpy_bool(pc.equal(prefecture, ""))
    prefecture_ok = _codes(prefecture, _PREFECTURES)
    checks.add(~prefecture_empty & ~prefecture_ok & live, "prefecture_code", _MESSAGES["prefecture"])
    out["prefecture_code"] = _null_where(~prefecture_ok, prefecture)
    city = _normalised(column("city_code"))
    city_empty = _numpy_bool(pc.equal(city, ""))
    if is_nta:  # the NTA's 3 digits after the prefecture's 2
        city_ok = _digits(city, 3) & ~_numpy_bool(pc.equal(city, "000"))
        checks.add(~city_empty & ~city_ok & live, "city_code", _MESSAGES["nta_city"])
        city = pc.binary_join_element_wise(prefecture, city, "")
        outside = _empty(column("address_outside"))
        checks.add((prefecture_empty | city_empty) & outside & live, "prefecture_code", _MESSAGES["address"])
    else:
        city_ok = _digits(city, 5) & _numpy_bool(pc.equal(pc.utf8_slice_codeunits(city, 0, 2), prefecture))
        checks.add(~city_empty & ~city_ok & live, "city_code", _MESSAGES["city"])
    out["city_code"] = _null_where(~city_ok | ~prefecture_ok, city)

    postal = pc.replace_substring(_normalised(column("postal_code")), "-", "")
    postal_empty = _numpy_bool(pc.equal(postal, ""))
    postal_ok = _digits(postal, 7)
    checks.add(~postal_empty & ~postal_ok & live, "postal_code", _MESSAGES["postal"])
    out["postal_code"] = _null_where(~postal_ok, postal)

    if not is_nta:  # our layout may give only the codes and the address: the names follow from them
        out["prefecture_name"], out["city_name"] = _derived_place_names(out, columns)
    if is_nta or "location" not in columns:
        parts = [pc.fill_null(out[name], "") for name in ("prefecture_name", "city_name", "street")]
        domestic = pc.binary_join_element_wise(*parts, "")
        foreign = _text(column("address_outside"))
        out["location"] = pc.if_else(pc.equal(domestic, ""), foreign, domestic)
    else:
        out["location"] = _text(column("location"))

    close_date = _date(checks, "close_date", column("close_date"), deleted, required=False)
    cause = _normalised(column("close_cause"))
    cause_empty = _numpy_bool(pc.equal(cause, ""))
    checks.add(~cause_empty & ~_codes(cause, list(nta.CLOSE_CAUSES)) & live, "close_cause", _MESSAGES["close_cause"])
    checks.add(~cause_empty & _empty(column("close_date")) & live, "close_cause", _MESSAGES["close_cause_alone"])
    out["close_date"] = close_date
    out["close_cause"] = _null_where(cause_empty, cause)
    status = _normalised(column("status"))
    status_empty = _numpy_bool(pc.equal(status, ""))
    checks.add(~status_empty & ~_codes(status, [ACTIVE, CLOSED]) & live, "status", _MESSAGES["status"])
    derived = pc.if_else(pc.is_valid(close_date), CLOSED, ACTIVE)
    out["status"] = pc.if_else(pa.array(status_empty), derived, status)

    # our layout may leave it out: a changed corporation then gets the day of the ingest (basic.merge_corporations)
    out["update_date"] = _date(checks, "update_date", column("update_date"), np.zeros(n, dtype=bool), required=is_nta)

    established = column("date_of_establishment")
    out["date_of_establishment"] = _date(checks, "date_of_establishment", established, deleted, required=False)
    for name, kind_name in (("capital_stock", "amount"), ("employee_number", "amount"), ("founding_year", "year")):
        clean = _normalised(column(name))
        empty = _numpy_bool(pc.equal(clean, ""))
        value, malformed, _negative = _check_integers(clean, signed=False, money=name == "capital_stock")
        if kind_name == "year":
            malformed = malformed | ~_digits(clean, 4)
        checks.add(malformed & ~empty & live, name, _MESSAGES[kind_name])
        out[name] = _null_where(empty | malformed, value)

    out["_delete"] = pa.array(deleted)
    out["_latest"] = pa.array(latest)
    out["_sequence"] = sequence
    return out, checks.bad, checks


def _derived_place_names(out: dict[str, pa.Array], columns: Mapping[str, pa.Array]) -> tuple[pa.Array, pa.Array]:
    """Prefecture and municipality names where a row leaves them out: the prefecture code's name, and the
    municipality at the head of ``location`` (what gBizINFO's own records carry)."""
    prefectures = [
        given or prefecture_name(code)
        for given, code in zip(out["prefecture_name"].to_pylist(), out["prefecture_code"].to_pylist(), strict=True)
    ]
    locations = _text(columns["location"]).to_pylist() if "location" in columns else [None] * len(prefectures)
    cities = [
        given or city_name(location, prefecture)
        for given, location, prefecture in zip(out["city_name"].to_pylist(), locations, prefectures, strict=True)
    ]
    return pa.array(prefectures, pa.string()), pa.array(cities, pa.string())


def _nta_columns(rows: nta.NtaRows) -> dict[str, pa.Array]:
    table = rows.table
    columns = {ours: table.column(theirs).combine_chunks() for theirs, ours in NTA_FIELDS.items()}
    columns.update(
        process=table.column("process").combine_chunks(),
        latest=table.column("latest").combine_chunks(),
        sequence=table.column("sequenceNumber").combine_chunks(),
        address_outside=table.column("addressOutside").combine_chunks(),
    )
    return columns


def read_basic(data: bytes, source_name: str) -> BasicRows:
    """Every row of a ``basic`` file validated."""
    text, encoding = decode(data)
    fmt = detect_format(source_name, text)
    if fmt == "csv" and nta.is_nta_layout(text):
        rows = nta.read_nta(text)
        columns, lines, malformed, layout = _nta_columns(rows), rows.lines, rows.malformed, "nta"
        sets = NTA_SETS
    else:
        raw = read_rows(data, source_name)
        columns = {k: pa.array(v, pa.string()) for k, v in raw.columns.items() if k in HEADER_FIELDS}
        lines, malformed, layout = raw.lines, raw.malformed, "header"
        given = set(columns)
        if "location" not in given and given & {"prefecture_name", "city_name", "street"}:
            given.add("location")
        if "close_date" in given:
            given.add("status")
        if "prefecture_code" in given:
            given.add("prefecture_name")  # derived from the code when the row has no name (_derived_place_names)
        if "location" in given:
            given.add("city_name")
        sets = tuple(name for name in HEADER_FIELDS if name in given and name != "corporate_number")
    values, bad, checks = _validate(columns, lines, layout)
    keep = pa.array(~bad)
    schema = pa.schema([*VALUE_SCHEMA, *CONTROL_SCHEMA])
    table = pa.Table.from_arrays(
        [pc.cast(pc.filter(values[name], keep), schema.field(name).type) for name in schema.names], schema=schema
    )
    accepted_lines = [int(x) for x in np.asarray(lines, dtype=np.int64)[~bad]]
    return BasicRows(
        table=table,
        lines=accepted_lines,
        sets=sets,
        layout=layout,
        encoding=encoding,
        format=fmt,
        rows_read=len(lines) + len(malformed),
        rejected=checks.rejected(malformed, NTA_NAMES if layout == "nta" else {}),
    )
