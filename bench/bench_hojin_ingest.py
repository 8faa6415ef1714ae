"""Ingest at full size: 5,000,000 corporations and 1,000,000 activity rows to Parquet and the search index.

    PYTHONPATH=.:layers/common/python .venv/bin/python bench/bench_hojin_ingest.py [--corporations N] [--activities N]
        [--basic-diff N]

The activity rows come from the synthetic generator as ministry CSV files (one per category); each goes
through ``ingest_file`` (decode, validate every row, Parquet partition, record update, changes) into a local
open-data store, then the index is built over all Parquet and switched. Baseline, in the same run: the
row-by-row pydantic validation of a sample, extrapolated to all rows, beside the vectorised validation.
Target: Parquet and index in at most 3 minutes.

Then a ``basic`` diff in the NTA's layout (``--basic-diff`` rows, 100,000 by default: a tenth new
corporations, held back from the first Parquet, the rest renamed or closed) goes through ``ingest_file``:
validation, the merge into all corporations, the new Parquet set and its switch, the records and changes.
Target: well under a minute.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from devstack.synthdata import generate_tables
from functions.hojin_search.ingest.nta import COLUMNS as NTA_COLUMNS
from functions.hojin_search.ingest.parse import read_rows
from functions.hojin_search.ingest.pipeline import ingest_file, parquet_bytes
from functions.hojin_search.ingest.publish import rebuild_index
from functions.hojin_search.ingest.store import LocalOpenDataStore
from functions.hojin_search.ingest.validate import validate_columns, validate_rows_one_by_one

CATEGORIES = ("subsidy", "procurement", "certification", "commendation")


def _csv(table: pa.Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.column_names)
    writer.writerows(zip(*(table.column(n).to_pylist() for n in table.column_names), strict=True))
    return buffer.getvalue().encode("utf-8")


def _nta_diff(corporations: pa.Table, picked: np.ndarray, new: np.ndarray) -> bytes:
    """A diff file in the NTA's layout (no header, 30 columns): ``new`` rows are 01 新規, a twentieth of the
    others 21 閉鎖, the rest 11 商号変更 (renamed)."""
    rows = corporations.take(pa.array(picked))
    n = rows.num_rows
    closing = np.zeros(n, dtype=bool)
    closing[~new] = np.arange(int((~new).sum())) % 20 == 0
    renamed = ~new & ~closing
    process = np.where(new, "01", np.where(closing, "21", "11"))
    name = pc.if_else(
        pa.array(renamed), pc.binary_join_element_wise(rows.column("name"), "ホールディングス", ""), rows.column("name")
    )
    empty = pa.nulls(n, pa.string())
    values = {
        "sequenceNumber": pa.array(np.arange(1, n + 1).astype(str)),
        "corporateNumber": rows.column("corporate_number"),
        "process": pa.array(process),
        "correct": pa.array(["0"] * n),
        "updateDate": pa.array(["2025-04-01"] * n),
        "changeDate": pa.array(["2025-03-31"] * n),
        "name": name,
        "kind": rows.column("kind"),
        "prefectureName": rows.column("prefecture_name"),
        "cityName": rows.column("city_name"),
        "streetNumber": rows.column("street"),
        "prefectureCode": rows.column("prefecture_code"),
        "cityCode": pc.utf8_slice_codeunits(rows.column("city_code"), 2, 5),
        "postCode": rows.column("postal_code"),
        "closeDate": pc.if_else(pa.array(closing), "2025-03-31", empty),
        "closeCause": pc.if_else(pa.array(closing), "01", empty),
        "assignmentDate": pa.array(["2015-10-05"] * n),
        "latest": pa.array(["1"] * n),
        "furigana": rows.column("kana"),
        "hihyoji": pa.array(["0"] * n),
    }
    table = pa.table({c: values.get(c, empty) for c in NTA_COLUMNS})
    sink = io.BytesIO()
    pcsv.write_csv(table, sink, write_options=pcsv.WriteOptions(include_header=False))
    return sink.getvalue()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corporations", type=int, default=5_000_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--basic-diff", type=int, default=100_000)
    args = parser.parse_args()

    started = time.perf_counter()
    tables = generate_tables(args.corporations, seed=42)
    print(f"generated {args.corporations:,} corporations in {time.perf_counter() - started:.1f} s", flush=True)
    share = args.activities / sum(tables[c].num_rows for c in CATEGORIES)
    files = {c: _csv(tables[c].slice(0, int(tables[c].num_rows * share))) for c in CATEGORIES}
    rows = {c: int(tables[c].num_rows * share) for c in CATEGORIES}
    print(f"activity files: {rows} ({sum(len(f) for f in files.values()) / 1e6:.0f} MB CSV)", flush=True)

    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        store = LocalOpenDataStore(Path(tmp), accept_unknown=True)
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        corporations = tables.pop("corporations")
        picked = np.sort(np.random.default_rng(7).choice(corporations.num_rows, args.basic_diff, replace=False))
        new = np.zeros(picked.size, dtype=bool)
        new[::10] = True  # a tenth of the diff: corporations the first Parquet does not hold yet
        nta_diff = _nta_diff(corporations, picked, new)
        held_back = np.zeros(corporations.num_rows, dtype=bool)
        held_back[picked[new]] = True
        corporations = corporations.filter(pa.array(~held_back))
        step = 1_000_000
        for part, start in enumerate(range(0, corporations.num_rows, step)):
            data = parquet_bytes(corporations.slice(start, step))
            store.put_object(f"parquet/corporations/part-{part:04d}.parquet", data, "application/vnd.apache.parquet")
        t_corp = time.perf_counter() - t0
        results.append(("corporations → Parquet", t_corp, f"{corporations.num_rows:,} rows"))
        del tables
        t1 = time.perf_counter()
        for category, data in files.items():
            report = ingest_file(
                data,
                ministry="bench",
                category=category,
                source_name=f"{category}.csv",
                now=now,
                store=store,
                publish=None,
            )
            assert report.rows_rejected == 0, report.rejected[:3]
        t_act = time.perf_counter() - t1
        results.append(("activities: validate, Parquet, records", t_act, f"{sum(rows.values()):,} rows"))
        t_basic = time.perf_counter()
        report = ingest_file(
            nta_diff, ministry="nta", category="basic", source_name="diff.csv", now=now, store=store, publish=None
        )
        t_basic = time.perf_counter() - t_basic
        assert report.rows_rejected == 0, report.rejected[:3]
        results.append(
            (
                "basic: NTA diff, merge, Parquet switch (< 60 s)",
                t_basic,
                f"{report.rows_accepted:,} rows into {corporations.num_rows:,}; "
                f"{report.corporations_changed:,} changed; {'PASS' if t_basic < 60 else 'FAIL'}",
            )
        )
        t2 = time.perf_counter()
        try:
            build = rebuild_index(store, now)
            t_index = time.perf_counter() - t2
            results.append(("index build, save, switch", t_index, f"build {build}"))
        except ImportError as exc:
            t_index = 0.0
            results.append(("index build", 0.0, f"not available: {exc}"))
        total = t_corp + t_act + t_index
        results.append(("ingest total (target ≤ 180 s)", total, "PASS" if total <= 180 else "FAIL"))

        # Validation alone: vectorised vs the row-by-row pydantic baseline (sample, extrapolated)
        raw = read_rows(files["subsidy"], "subsidy.csv")
        t3 = time.perf_counter()
        validate_columns("subsidy", raw)
        vec = time.perf_counter() - t3
        sample_bytes = b"\n".join(files["subsidy"].split(b"\n")[: args.sample + 1])
        sample = read_rows(sample_bytes, "sample.csv")
        t4 = time.perf_counter()
        validate_rows_one_by_one("subsidy", sample)
        per_row = (time.perf_counter() - t4) / max(sample.count, 1)
        results.append((f"validate subsidy, vectorised ({raw.count:,} rows)", vec, f"{raw.count / vec:,.0f} rows/s"))
        results.append(
            (
                "baseline: pydantic row by row (extrapolated)",
                per_row * raw.count,
                f"{1 / per_row:,.0f} rows/s; all {sum(rows.values()):,} rows: {per_row * sum(rows.values()):.1f} s",
            )
        )
    print()
    print(f"{'step':<50} {'seconds':>9}  notes")
    for name, seconds, note in results:
        print(f"{name:<50} {seconds:>9.2f}  {note}")
    print(f"{'peak resident memory':<50} {_peak_mb():>8.0f}M")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
