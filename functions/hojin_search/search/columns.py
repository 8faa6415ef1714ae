"""Arrow columns as the numpy arrays the engine filters on, and the figures of each corporation's latest record.

Unknown values are a sentinel rather than a separate mask: ``NULL`` (the smallest int64) for integers, NaN for
decimals. A range or band test is then one comparison per row and never matches an unknown value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

NULL = np.iinfo(np.int64).min  # unknown amount, capital or employee count


def _is_text(column: Any) -> bool:
    return bool(pa.types.is_string(column.type) or pa.types.is_large_string(column.type))


def int_column(column: Any, fill: int, dtype: type[np.generic], *, signed: bool = False) -> np.ndarray:
    """A string or integer Arrow column as a numpy array, nulls and non-numbers replaced by ``fill`` (negative
    numbers in text only when ``signed``: a loss is a figure, a negative capital is not)."""
    if _is_text(column):
        valid = pc.match_substring_regex(column, r"^-?[0-9]{1,18}$" if signed else r"^[0-9]{1,18}$")
        column = pc.if_else(valid, column, pa.scalar(None, column.type))
        column = pc.cast(column, pa.int64())
    return np.asarray(pc.fill_null(column, fill).to_numpy(zero_copy_only=False), dtype=dtype)


def float_column(column: Any) -> np.ndarray:
    """A string or numeric Arrow column as float64, nulls and non-numbers as NaN."""
    if _is_text(column):
        valid = pc.match_substring_regex(column, r"^[0-9]{1,12}(\.[0-9]{1,6})?$")
        column = pc.if_else(valid, column, pa.scalar(None, column.type))
    column = pc.cast(column, pa.float64())
    return np.asarray(pc.fill_null(column, np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)


def latest_per_row(rows: np.ndarray, dates: Any) -> np.ndarray:
    """Positions of the newest record of each corporation row: the greatest ``dates`` value (ISO dates sort as
    text; a record without a date is older than any dated one; among equal dates the last record wins)."""
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    keys = pa.table({"row": rows, "date": pc.fill_null(dates, ""), "at": np.arange(rows.size)})
    order = pc.sort_indices(keys, sort_keys=[("row", "ascending"), ("date", "ascending"), ("at", "ascending")])
    order = order.to_numpy()
    sorted_rows = rows[order]
    last = np.flatnonzero(np.append(sorted_rows[1:] != sorted_rows[:-1], True))
    picked: np.ndarray = order[last]
    return picked


@dataclass(frozen=True)
class SparseFigures:
    """Figures of the corporations that have them: ``rows`` ascending and distinct, each column aligned with it.

    Finance and workplace records exist for a small share of corporations (listed companies, MHLW reports), so
    the index keeps these rows only rather than a column over every corporation.
    """

    rows: np.ndarray  # int32 corporation rows
    columns: dict[str, np.ndarray]  # int64 (NULL unknown) or float64 (NaN unknown)

    def to_table(self) -> Any:
        return pa.table({"rows": self.rows, **self.columns})

    @classmethod
    def from_table(cls, table: Any) -> SparseFigures:
        columns = {name: table.column(name).to_numpy() for name in table.column_names if name != "rows"}
        return cls(rows=table.column("rows").to_numpy(), columns=columns)

    @classmethod
    def empty(cls) -> SparseFigures:
        return cls(rows=np.zeros(0, dtype=np.int32), columns={})
