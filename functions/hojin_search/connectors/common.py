"""What every connector returns, and the CSV in our ingest format."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from functions.hojin_search.ingest.schema import CATEGORY_MODELS
from platform_common.corporate_number import InvalidCorporateNumber, validate_corporate_number

Row = dict[str, str | None]


@dataclass(frozen=True)
class Skipped:
    """An input that produced no row: ``where`` names it (a line of a file, an EDINET docID)."""

    where: str
    reason: str
    name: str | None = None  # the filer's or company's name, to help a person find it


@dataclass(frozen=True)
class DroppedValue:
    """A value that could not be read; the row was kept without it."""

    where: str
    field: str
    value: str
    reason: str


@dataclass
class ConnectorResult:
    category: str
    rows: list[Row] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dropped: list[DroppedValue] = field(default_factory=list)

    def to_csv(self) -> bytes:
        return rows_to_csv(self.category, self.rows)


def rows_to_csv(category: str, rows: list[Row]) -> bytes:
    """The rows as a UTF-8 CSV (with BOM) whose header is the category's fields, in the model's order."""
    names = list(CATEGORY_MODELS[category].model_fields)
    unknown = {key for row in rows for key in row} - set(names)
    if unknown:
        raise ValueError(f"fields not in category {category}: {', '.join(sorted(unknown))}")
    sink = io.StringIO(newline="")
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in names])
    return ("\ufeff" + sink.getvalue()).encode("utf-8")


def corporate_number_or_reason(value: str | None) -> tuple[str | None, str | None]:
    """(the corporate number, None) or (None, why it is not one)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return None, "no corporate number"
    try:
        return validate_corporate_number(text), None
    except InvalidCorporateNumber as exc:
        return None, f"corporate number {text!r}: {exc}"
