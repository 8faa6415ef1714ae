"""Search engine of the open data at millions of corporations, beside baselines measured in the same run.

    python bench/bench_hojin_search.py                          # 1,000,000 corporations (quicker)
    python bench/bench_hojin_search.py --corporations 5000000   # the issue's figure

Steps: generate synthetic corporations and activity records (devstack.synthdata), write them as Parquet, read
the Parquet back and build the index (``CorporationIndex.build``) and save it: "Parquet + index" is timed.
Then, each in a fresh process so its peak memory is its own: the engine (load, then queries) and the
baselines: a plain Python scan (``q in name`` over the list of normalised names), SQLite FTS5 with the trigram
tokenizer (stdlib sqlite3) and DuckDB in memory, over the same normalised names and the same queries.

Queries (the same for every engine): lookups of random corporate numbers (a tenth unknown); name substrings of
2, 3 and 4 characters cut from random names, the 2-character set including the most frequent bigrams; a
combined filter (name of 2-3 characters + prefecture + capital 1-100 million yen). Each answers the count
and the first 100 rows by corporate number. Median and p99 in milliseconds; baselines run fewer queries
(they take ~0.3 s each) and say how many.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common" / "python")]

import pyarrow as pa  # type: ignore[import-untyped]  # noqa: E402
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: E402

from functions.hojin_search.search import CorporationIndex, HojinQuery  # noqa: E402

TOP = 100
CAPITAL = (1_000_000, 100_000_000)
TARGETS = {
    "lookup": (1.0, None),
    "name 2 chars": (1.0, 20.0),
    "name 3 chars": (1.0, 20.0),
    "name 4 chars": (1.0, 20.0),
    "combined": (5.0, 30.0),
}


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would carry the parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_detail() -> str:
    """Resident memory now, split into anonymous (heap) and file-backed (memory-mapped index) pages."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    except OSError:
        return "?"
    mb = {k: int(fields[k].split()[0]) // 1024 for k in ("VmRSS", "RssAnon", "RssFile") if k in fields}
    return f"{mb.get('VmRSS')} MB ({mb.get('RssAnon')} MB heap + {mb.get('RssFile')} MB mapped files)"


def measure(function: Callable[[Any], Any], items: list[Any]) -> dict[str, float]:
    """Latency of ``function(item)`` for each item, summarised."""
    samples = []
    for item in items:
        started = time.perf_counter()
        function(item)
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p99": p99, "max": ordered[-1], "n": len(ordered)}


# ------------------------------------------------------------------------------------------ phase: build


def build(work: Path, count: int, seed: int) -> dict[str, Any]:
    from devstack.synthdata import generate_tables

    started = time.perf_counter()
    tables = generate_tables(count, seed)
    generated = time.perf_counter() - started
    activity_rows = sum(t.num_rows for k, t in tables.items() if k != "corporations")

    started = time.perf_counter()
    parquet = work / "parquet"
    parquet.mkdir(parents=True, exist_ok=True)
    for key, table in tables.items():
        pq.write_table(table, parquet / f"{key}.parquet", compression="zstd", row_group_size=250_000)
    del tables
    written = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    corporations = pq.read_table(parquet / "corporations.parquet")
    activities = {p.stem: pq.read_table(p) for p in parquet.glob("*.parquet") if p.stem != "corporations"}
    index = CorporationIndex.build(corporations, activities)
    built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    index.save(work / "index")
    saved = time.perf_counter() - started
    size = sum(f.stat().st_size for f in (work / "index").iterdir())
    return {
        "corporations": count,
        "activity_rows": activity_rows,
        "generate_s": generated,
        "parquet_s": written,
        "index_build_s": built,
        "index_build_cpu_s": built_cpu,
        "index_save_s": saved,
        "index_mb": size / 2**20,
        "build_peak_rss_mb": peak_rss_mb(),
    }


# ---------------------------------------------------------------------------------------- phase: queries


def make_queries(index: CorporationIndex, count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    norm = index._norm
    size = index.size
    numbers = index.corporate_numbers(rng.sample(range(size), count))
    numbers[: count // 10] = [f"{int(n[:1]) % 9 + 1}{n[1:12]}{(int(n[12]) + 1) % 10}" for n in numbers[: count // 10]]

    def cut(length: int) -> str:
        while True:
            text = norm[rng.randrange(size)].as_py()
            if len(text) >= length:
                at = rng.randrange(len(text) - length + 1)
                return str(text[at : at + length])

    frequent = sorted(index._bigrams, key=lambda gram: len(index._bigrams[gram]), reverse=True)[:10]
    queries: dict[str, Any] = {"lookup": numbers}
    for length in (2, 3, 4):
        queries[f"name {length} chars"] = [cut(length) for _ in range(count)]
    queries["name 2 chars"][:10] = frequent
    prefectures = index._families["prefecture"]
    combined = []
    for _ in range(count):
        row = rng.randrange(size)
        text = norm[row].as_py() or "あ"
        length = min(len(text), rng.choice((2, 3)))
        at = rng.randrange(len(text) - length + 1)
        pref = next((f"{int(code):02d}" for code, rows in prefectures.items() if row in rows), "13")
        combined.append({"name": text[at : at + length], "prefecture": pref})
    queries["combined"] = combined
    return queries


def engine(work: Path, count: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    index = CorporationIndex.load(work / "index")
    loaded = time.perf_counter() - started
    queries = make_queries(index, count, seed)
    (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    results: dict[str, Any] = {"load_s": loaded, "rss_after_load": rss_detail()}
    results["lookup"] = measure(index.row_of, queries["lookup"])

    def by_name(name: str) -> Any:
        return index.search(HojinQuery(name=name, limit=TOP))

    def combined(c: dict[str, str]) -> Any:
        return index.search(
            HojinQuery(
                name=c["name"],
                prefecture=c["prefecture"],
                capital_stock_from=CAPITAL[0],
                capital_stock_to=CAPITAL[1],
                limit=TOP,
            )
        )

    def with_rows(name: str) -> Any:
        return index.slim(index.search(HojinQuery(name=name, limit=TOP)).rows)

    for key in ("name 2 chars", "name 3 chars", "name 4 chars"):
        results[key] = measure(by_name, queries[key])
    results["combined"] = measure(combined, queries["combined"])
    results["name 2 chars + slim rows"] = measure(with_rows, queries["name 2 chars"])
    results["peak_rss_mb"] = peak_rss_mb()
    return results


# -------------------------------------------------------------------------------------------- baselines


def _names_and_columns(work: Path) -> tuple[list[str], list[str], list[str], list[int]]:
    from functions.hojin_search.normalize import normalize_names

    table = pq.read_table(
        work / "parquet" / "corporations.parquet",
        columns=["corporate_number", "name", "prefecture_code", "capital_stock"],
    ).sort_by("corporate_number")
    norm, _ = normalize_names(table.column("name").to_pylist())
    numbers = table.column("corporate_number").to_pylist()
    prefectures = [p or "" for p in table.column("prefecture_code").to_pylist()]
    capital = [c if c is not None else -1 for c in table.column("capital_stock").to_pylist()]
    return norm, numbers, prefectures, capital


def baseline_scan(work: Path, count: int, _seed: int = 0) -> dict[str, Any]:
    queries = json.loads((work / "queries.json").read_text(encoding="utf-8"))
    norm, numbers, prefectures, capital = _names_and_columns(work)
    position = {n: i for i, n in enumerate(numbers)}  # a dict is the Python way to look a key up
    lo, hi = CAPITAL
    results: dict[str, Any] = {"lookup": measure(position.get, queries["lookup"])}

    def scan(q: str) -> tuple[int, list[int]]:
        hits = [i for i, name in enumerate(norm) if q in name]
        return len(hits), hits[:TOP]

    def scan_combined(c: dict[str, str]) -> tuple[int, list[int]]:
        q, p = c["name"], c["prefecture"]
        hits = [i for i, name in enumerate(norm) if q in name and prefectures[i] == p and lo <= capital[i] <= hi]
        return len(hits), hits[:TOP]

    for key in ("name 2 chars", "name 3 chars", "name 4 chars"):
        results[key] = measure(scan, queries[key][:count])
    results["combined"] = measure(scan_combined, queries["combined"][:count])
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def baseline_sqlite(work: Path, count: int, _seed: int = 0) -> dict[str, Any]:
    queries = json.loads((work / "queries.json").read_text(encoding="utf-8"))
    norm, numbers, prefectures, capital = _names_and_columns(work)
    database = sqlite3.connect(":memory:")
    started = time.perf_counter()
    database.execute("CREATE VIRTUAL TABLE names USING fts5(name, tokenize='trigram')")
    database.execute(
        "CREATE TABLE corporations (id INTEGER PRIMARY KEY, number TEXT UNIQUE, prefecture TEXT, capital INTEGER)"
    )
    database.executemany("INSERT INTO names(rowid, name) VALUES (?, ?)", enumerate(norm))
    database.executemany(
        "INSERT INTO corporations VALUES (?, ?, ?, ?)",
        zip(range(len(norm)), numbers, prefectures, capital, strict=True),
    )
    database.commit()
    built = time.perf_counter() - started
    del norm, numbers, prefectures, capital

    def lookup(n: str) -> Any:
        return database.execute("SELECT id FROM corporations WHERE number = ?", (n,)).fetchone()

    def search(q: str) -> Any:
        pattern = f"%{q}%"
        total = database.execute("SELECT count(*) FROM names WHERE name LIKE ?", (pattern,)).fetchone()
        rows = database.execute(
            "SELECT rowid FROM names WHERE name LIKE ? ORDER BY rowid LIMIT ?", (pattern, TOP)
        ).fetchall()
        return total, rows

    def combined(c: dict[str, str]) -> Any:
        where = (
            "FROM names JOIN corporations ON corporations.id = names.rowid "
            "WHERE names.name LIKE ? AND corporations.prefecture = ? AND corporations.capital BETWEEN ? AND ?"
        )
        arguments = (f"%{c['name']}%", c["prefecture"], *CAPITAL)
        total = database.execute(f"SELECT count(*) {where}", arguments).fetchone()
        rows = database.execute(f"SELECT names.rowid {where} ORDER BY names.rowid LIMIT {TOP}", arguments).fetchall()
        return total, rows

    results: dict[str, Any] = {"build_s": built}
    results["lookup"] = measure(lookup, queries["lookup"])
    for key in ("name 2 chars", "name 3 chars", "name 4 chars"):
        results[key] = measure(search, queries[key][:count])
    results["combined"] = measure(combined, queries["combined"][:count])
    results["peak_rss_mb"] = peak_rss_mb()
    return results


def baseline_duckdb(work: Path, count: int, _seed: int = 0) -> dict[str, Any]:
    import duckdb

    queries = json.loads((work / "queries.json").read_text(encoding="utf-8"))
    norm, numbers, prefectures, capital = _names_and_columns(work)
    database = duckdb.connect(":memory:")
    table = pa.table(
        {"id": range(len(norm)), "number": numbers, "name": norm, "prefecture": prefectures, "capital": capital}
    )
    del norm, numbers, prefectures, capital
    database.register("source", table)
    database.execute("CREATE TABLE corporations AS SELECT * FROM source")
    database.unregister("source")
    del table
    lo, hi = CAPITAL

    def search(q: str) -> Any:
        total = database.execute("SELECT count(*) FROM corporations WHERE contains(name, ?)", [q]).fetchone()
        rows = database.execute(
            "SELECT id FROM corporations WHERE contains(name, ?) ORDER BY id LIMIT 100", [q]
        ).fetchall()
        return total, rows

    def combined(c: dict[str, str]) -> Any:
        where = "WHERE contains(name, ?) AND prefecture = ? AND capital BETWEEN ? AND ?"
        arguments = [c["name"], c["prefecture"], lo, hi]
        total = database.execute(f"SELECT count(*) FROM corporations {where}", arguments).fetchone()  # noqa: S608
        rows = database.execute(f"SELECT id FROM corporations {where} ORDER BY id LIMIT 100", arguments).fetchall()  # noqa: S608
        return total, rows

    def lookup(n: str) -> Any:
        return database.execute("SELECT id FROM corporations WHERE number = ?", [n]).fetchone()

    results: dict[str, Any] = {"lookup": measure(lookup, queries["lookup"][:count])}
    for key in ("name 2 chars", "name 3 chars", "name 4 chars"):
        results[key] = measure(search, queries[key][:count])
    results["combined"] = measure(combined, queries["combined"][:count])
    results["peak_rss_mb"] = peak_rss_mb()
    return results


# ---------------------------------------------------------------------------------------------- driver

PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "engine": engine,
    "scan": baseline_scan,
    "sqlite": baseline_sqlite,
    "duckdb": baseline_duckdb,
}


def run_phase(phase: str, work: Path, count: int, seed: int) -> dict[str, Any]:
    """Run one phase in a fresh interpreter (its own peak memory) and read its JSON answer."""
    out = work / f"{phase}.json"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'common' / 'python'}"}
    subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--work", str(work), "--queries", str(count), "--seed", str(seed)],
        check=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _cell(result: dict[str, Any] | None, key: str) -> str:
    if result is None or key not in result:
        return "—"
    r = result[key]
    return f"{r['median']:.3f} / {r['p99']:.2f} (n={r['n']})"


def print_table(build_info: dict[str, Any], results: dict[str, dict[str, Any] | None]) -> None:
    print()
    print(
        f"corporations {build_info['corporations']:,}, activity records {build_info['activity_rows']:,}; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"generate {build_info['generate_s']:.1f} s · Parquet write {build_info['parquet_s']:.1f} s · "
        f"Parquet read + index build {build_info['index_build_s']:.1f} s "
        f"(CPU {build_info['index_build_cpu_s']:.1f} s) · save {build_info['index_save_s']:.1f} s "
        f"(Parquet + index: {build_info['parquet_s'] + build_info['index_build_s'] + build_info['index_save_s']:.1f} s)"
        f" · index {build_info['index_mb']:.0f} MB · build peak RSS {build_info['build_peak_rss_mb']:.0f} MB"
    )
    engine_result = results["engine"] or {}
    print(
        f"engine load {engine_result.get('load_s', float('nan')):.2f} s · "
        f"resident after load {engine_result.get('rss_after_load', '?')}"
    )
    print()
    names = list(results)
    header = "| query (ms: median / p99) | target | " + " | ".join(names) + " |"
    print(header)
    print("|" + "---|" * (len(names) + 2))
    for key in (*TARGETS, "name 2 chars + slim rows"):
        median, p99 = TARGETS.get(key, (None, None))
        target = "—" if median is None else f"≤ {median:g}" + ("" if p99 is None else f" / ≤ {p99:g}")
        print(f"| {key} | {target} | " + " | ".join(_cell(results[n], key) for n in names) + " |")
    rss = " | ".join(f"{(results[n] or {}).get('peak_rss_mb', float('nan')):.0f}" for n in names)
    print(f"| peak RSS (MB) | ≤ 2048 | {rss} |")
    sqlite_result = results.get("sqlite")
    if sqlite_result:
        print(f"\nSQLite FTS5 trigram build: {sqlite_result['build_s']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corporations", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind for the engine (≥ 100)")
    parser.add_argument("--baseline-queries", type=int, default=20, help="queries per kind for each baseline")
    parser.add_argument("--baselines", default="scan,sqlite,duckdb", help="comma list, or empty for none")
    parser.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
    parser.add_argument("--phase", choices=sorted(PHASES), default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.phase is not None:
        result = PHASES[arguments.phase](arguments.work, arguments.queries, arguments.seed)
        (arguments.work / f"{arguments.phase}.json").write_text(json.dumps(result), encoding="utf-8")
        return

    work = arguments.work or Path(tempfile.mkdtemp(prefix="bench-hojin-search-"))
    try:
        build_info = build(work, arguments.corporations, arguments.seed)
        print(json.dumps(build_info), flush=True)
        results: dict[str, dict[str, Any] | None] = {"engine": run_phase("engine", work, arguments.queries, 1)}
        print(json.dumps(results["engine"]), flush=True)
        for name in filter(None, arguments.baselines.split(",")):
            results[name] = run_phase(name, work, arguments.baseline_queries, 1)
            print(json.dumps(results[name]), flush=True)
        print_table(build_info, results)
    finally:
        if arguments.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
