"""Validation of a whole file at once (Arrow compute and numpy), with the reasons row by row.

The kinds and required fields come from :data:`.schema.CATEGORY_MODELS`; :func:`validate_rows_one_by_one`
validates with those pydantic models row by row and must agree with :func:`validate_columns` (a property
test checks it). The vectorised path is the one ingest uses: a million rows in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from pydantic import ValidationError

from functions.hojin_search.ingest.parse import RawRows
from functions.hojin_search.ingest.schema import CATEGORY_MODELS, ERAS, Kind, field_kinds

ARROW_TYPES: dict[Kind, pa.DataType] = {
    "number": pa.string(),
    "text": pa.string(),
    "date": pa.string(),
    "amount": pa.int64(),
    "signed_amount": pa.int64(),
    "decimal": pa.float64(),
    "integer": pa.int64(),
}
REQUIRED = "required"


def arrow_schema(category: str) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[kind]) for name, (kind, _) in field_kinds(category).items()])


@dataclass(frozen=True)
class FieldProblem:
    field: str
    reason: str


@dataclass
class Validated:
    accepted: pa.Table  # typed per arrow_schema(category)
    accepted_lines: list[int]
    rejected: dict[int, list[FieldProblem]] = field(default_factory=dict)  # line → problems


def _text(values: list[str | None] | None, n: int) -> pa.Array:
    if values is None:
        return pa.nulls(n, pa.string())
    return pa.array(values, type=pa.string())


def _normalised(array: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(pc.utf8_normalize(pc.fill_null(array, ""), "NFKC"))


def _numpy_bool(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _check_numbers(clean: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(values, malformed, bad check digit) of corporate numbers."""
    shaped = _numpy_bool(pc.match_substring_regex(clean, r"^[0-9]{13}$"))
    fixed = pc.if_else(pa.array(shaped), clean, "1000000000000")
    raw = "".join(fixed.to_pylist()).encode("ascii")
    digits = (np.frombuffer(raw, dtype=np.uint8).reshape(-1, 13).astype(np.int64) - 48) if raw else np.zeros((0, 13))
    weights = np.array([1 if (12 - j) % 2 else 2 for j in range(12)], dtype=np.int64)
    expected = 9 - (digits[:, 1:] * weights).sum(axis=1) % 9
    bad_digit = shaped & (digits[:, 0] != expected) if len(digits) else np.zeros(0, dtype=bool)
    return clean, ~shaped, bad_digit


def _check_dates(clean: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(YYYY-MM-DD values, malformed, impossible date)."""
    n = len(clean)
    iso = pc.extract_regex(clean, r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})$")
    era = pc.extract_regex(
        clean, r"^(?P<e>令和|平成|昭和|大正|明治)(?P<y>[0-9]{1,2}|元)年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日$"
    )
    is_iso = _numpy_bool(pc.is_valid(iso))
    is_era = _numpy_bool(pc.is_valid(era))
    year = np.zeros(n, dtype=np.int64)
    month = np.zeros(n, dtype=np.int64)
    day = np.zeros(n, dtype=np.int64)
    if is_iso.any():
        for target, name in ((year, "y"), (month, "m"), (day, "d")):
            part = pc.fill_null(pc.struct_field(iso, name), "0")
            target[is_iso] = np.asarray(pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False))[is_iso]
    if is_era.any():
        base = np.zeros(n, dtype=np.int64)
        era_names = pc.fill_null(pc.struct_field(era, "e"), "")
        for name, offset in ERAS.items():
            base[_numpy_bool(pc.equal(era_names, name))] = offset
        years = pc.fill_null(pc.replace_substring(pc.struct_field(era, "y"), "元", "1"), "0")
        era_year = np.asarray(pc.cast(years, pa.int64()).to_numpy(zero_copy_only=False)) + base
        year[is_era] = era_year[is_era]
        for target, name in ((month, "m"), (day, "d")):
            part = pc.fill_null(pc.struct_field(era, name), "0")
            target[is_era] = np.asarray(pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False))[is_era]
    shaped = is_iso | is_era
    ok_month = (month >= 1) & (month <= 12)
    first = (year - 1970) * 12 + (month - 1)
    safe_first = np.where(ok_month, first, 0)
    month_start = safe_first.astype("datetime64[M]").astype("datetime64[D]")
    next_start = (safe_first + 1).astype("datetime64[M]").astype("datetime64[D]")
    length = (next_start - month_start).astype(np.int64)
    real = shaped & ok_month & (year >= 1) & (day >= 1) & (day <= length)
    days = month_start + np.where(real, day - 1, 0)
    text = pc.if_else(pa.array(real), pa.array(np.datetime_as_string(days, unit="D")), None)
    return text, ~shaped, shaped & ~real


def _check_integers(clean: pa.Array, *, signed: bool, money: bool) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(int64 values, malformed, negative where not allowed)."""
    digits = pc.replace_substring(clean, ",", "")
    if money:
        digits = pc.replace_substring_regex(digits, "円$", "")
    pattern = r"^-?[0-9]{1,18}$" if money else r"^[0-9]{1,18}$"
    shaped = _numpy_bool(pc.match_substring_regex(digits, pattern))
    values = pc.cast(pc.if_else(pa.array(shaped), digits, "0"), pa.int64())
    negative = shaped & (np.asarray(values.to_numpy(zero_copy_only=False)) < 0)
    refused = negative if not signed else np.zeros(len(clean), dtype=bool)
    return values, ~shaped, refused


def _check_decimals(clean: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    digits = pc.replace_substring(clean, ",", "")
    shaped = _numpy_bool(pc.match_substring_regex(digits, r"^[0-9]{1,12}(\.[0-9]{1,6})?$"))
    values = pc.cast(pc.if_else(pa.array(shaped), digits, "0"), pa.float64())
    return values, ~shaped, np.zeros(len(clean), dtype=bool)


_MESSAGES: dict[Kind, tuple[str, str]] = {
    "number": ("a corporate number is 13 ASCII digits", "the check digit does not match"),
    "date": ("a date is YYYY-MM-DD (or YYYY/MM/DD, or 令和5年4月1日)", "no such calendar date"),
    "amount": ("an amount is a whole number of yen", "an amount cannot be negative"),
    "signed_amount": ("an amount is a whole number of yen", ""),
    "integer": ("a non-negative whole number is expected", ""),
    "decimal": ("a non-negative decimal number is expected", ""),
    "text": ("", ""),
}


def validate_columns(category: str, raw: RawRows) -> Validated:
    """Validate every row of ``raw`` as ``category``; accepted rows come out typed, in file order."""
    n = raw.count
    kinds = field_kinds(category)
    bad = np.zeros(n, dtype=bool)
    problems: list[tuple[np.ndarray, str, str]] = []  # (mask, field, reason)
    arrays: dict[str, pa.Array] = {}
    for name, (kind, required) in kinds.items():
        source = _text(raw.columns.get(name), n)
        if kind == "text":
            value = pc.utf8_trim_whitespace(pc.fill_null(source, ""))
            empty = _numpy_bool(pc.equal(value, ""))
            arrays[name] = pc.if_else(pa.array(empty), None, value)
        else:
            clean = _normalised(source)
            empty = _numpy_bool(pc.equal(clean, ""))
            if kind == "number":
                value, malformed, refused = _check_numbers(clean)
            elif kind == "date":
                value, malformed, refused = _check_dates(clean)
            elif kind in ("amount", "signed_amount", "integer"):
                value, malformed, refused = _check_integers(
                    clean, signed=kind != "amount", money=kind in ("amount", "signed_amount")
                )
            else:
                value, malformed, refused = _check_decimals(clean)
            malformed = malformed & ~empty
            refused = refused & ~empty & ~malformed
            shape_message, refused_message = _MESSAGES[kind]
            problems.append((malformed, name, shape_message))
            if refused_message:
                problems.append((refused, name, refused_message))
            bad |= malformed | refused
            arrays[name] = pc.if_else(pa.array(empty | malformed | refused), None, value)
        if required:
            problems.append((empty, name, REQUIRED))
            bad |= empty
    rejected: dict[int, list[FieldProblem]] = {}
    lines = np.asarray(raw.lines, dtype=np.int64)
    for mask, name, reason in problems:
        for line in lines[mask]:
            rejected.setdefault(int(line), []).append(FieldProblem(name, reason))
    for line, reason in raw.malformed:
        rejected.setdefault(line, []).append(FieldProblem("(row)", reason))
    keep = pa.array(~bad)
    schema = arrow_schema(category)
    table = pa.Table.from_arrays(
        [pc.cast(pc.filter(arrays[name], keep), schema.field(name).type) for name in schema.names], schema=schema
    )
    return Validated(table, [int(x) for x in lines[~bad]], dict(sorted(rejected.items())))


def validate_rows_one_by_one(category: str, raw: RawRows) -> Validated:
    """The same validation with the pydantic model, one row at a time (the reference and the baseline)."""
    model = CATEGORY_MODELS[category]
    rows: list[dict[str, Any]] = []
    accepted_lines: list[int] = []
    rejected: dict[int, list[FieldProblem]] = {}
    names = list(raw.columns)
    for i, line in enumerate(raw.lines):
        values = {name: raw.columns[name][i] for name in names}
        try:
            rows.append(model.model_validate(values).model_dump(exclude={"_"}))
            accepted_lines.append(line)
        except ValidationError as exc:
            rejected[line] = [
                FieldProblem(
                    str(error["loc"][0]) if error["loc"] else "(row)", str(error["msg"]).removeprefix("Value error, ")
                )
                for error in exc.errors()
            ]
    for line, reason in raw.malformed:
        rejected.setdefault(line, []).append(FieldProblem("(row)", reason))
    table = pa.Table.from_pylist(rows, schema=arrow_schema(category))
    return Validated(table, accepted_lines, dict(sorted(rejected.items())))
