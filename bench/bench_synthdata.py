"""Synthetic corporations: the vectorised generator against plain per-row Faker generation.

Prints rows per second and seconds per size. The Faker baseline builds comparable rows one at a time (name,
kana-less address, representative, figures, a checked corporate number); it runs on a small size and its
rate is extrapolated to the larger sizes, marked with "~".

    python bench/bench_synthdata.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "layers" / "common" / "python"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from faker import Faker  # noqa: E402

from devstack.synthdata import generate_tables  # noqa: E402
from platform_common.corporate_number import make_corporate_number  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
BASELINE_ROWS = 5_000


def faker_rows(count: int, seed: int = 42) -> list[dict[str, object]]:
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    bases = rng.sample(range(10**11, 10**12), count)
    rows = []
    for base in sorted(bases):
        rows.append(
            {
                "corporate_number": make_corporate_number(f"{base:012d}"),
                "name": fake.company(),
                "location": fake.address(),
                "postal_code": fake.zipcode().replace("-", ""),
                "representative_name": fake.name(),
                "capital_stock": rng.choice((1_000_000, 3_000_000, 10_000_000)),
                "employee_number": rng.randint(1, 300),
                "date_of_establishment": fake.date_between("-40y", "today").isoformat(),
            }
        )
    return rows


def timed(action: object, *args: object) -> float:
    started = time.perf_counter()
    action(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    generate_tables(1_000)  # build the word tables once, outside the timings
    baseline_seconds = timed(faker_rows, BASELINE_ROWS)
    baseline_rate = BASELINE_ROWS / baseline_seconds
    print(
        f"{'size':>10} | {'vectorised rows/s':>17} | {'seconds':>8} | {'Faker rows/s':>12} | {'seconds':>9} | speed-up"
    )
    print(f"{'-' * 10}-+-{'-' * 17}-+-{'-' * 8}-+-{'-' * 12}-+-{'-' * 9}-+---------")
    for size in SIZES:
        seconds = timed(generate_tables, size)
        faker_seconds = size / baseline_rate
        print(
            f"{size:>10,} | {size / seconds:>17,.0f} | {seconds:>8.2f} | {baseline_rate:>12,.0f} | "
            f"{'~' if size != BASELINE_ROWS else ' '}{faker_seconds:>8.1f} | {faker_seconds / seconds:>7.0f}x"
        )
    print(
        f"Faker measured on {BASELINE_ROWS:,} rows ({baseline_seconds:.2f} s) and extrapolated; the vectorised "
        "rows include names with kana and English, addresses with real codes and the activity records."
    )


if __name__ == "__main__":
    main()
