"""Synthetic Japanese corporations with valid corporate numbers, and their activity records.

Names, readings, addresses (real prefecture and municipality codes), representatives, figures and subsidy /
procurement / certification / commendation records, generated with numpy and Arrow at millions of rows per
minute. A fixed seed and size give identical output.

    python -m devstack.synthdata --corporations 5000000 --out data/synthetic --seed 42
"""

from __future__ import annotations

from devstack.synthdata.dataset import (
    generate_corporations_table,
    generate_records,
    generate_tables,
    write_dataset,
)
from devstack.synthdata.generator import MAX_CORPORATIONS, MIN_CORPORATIONS, check_digits

__all__ = [
    "MAX_CORPORATIONS",
    "MIN_CORPORATIONS",
    "check_digits",
    "generate_corporations_table",
    "generate_records",
    "generate_tables",
    "write_dataset",
]
