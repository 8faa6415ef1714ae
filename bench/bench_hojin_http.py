"""Corporation search over HTTP through the devstack, the way an integrator calls it, at full size.

    .venv/bin/python bench/bench_hojin_http.py [--corporations 5000000] [--queries 100]

The bench builds the search index of N synthetic corporations (``devstack.synthdata``, seed 42), publishes it
into a running devstack's open-data bucket as a new build (what an ingest does), waits until the search
function has switched to it, then sends gBizINFO searches (``GET /hojin/v2/hojin`` with the API-token header,
``limit=100``: the count and the first 100 slim rows) one at a time, paced under the token's rate limit.
Baselines in the same run: the same queries answered in process by the same index (search + slim rows: what
the function does without HTTP), and ``GET /hojin_search/health`` (the gateway's own floor).
Target (issue 4): search median through the devstack's HTTP API ≤ 30 ms at 5,000,000 corporations.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common" / "python")]

from bench.devstack_process import resident_mb, start_devstack, stop_devstack  # noqa: E402

TOP = 100
CAPITAL = (1_000_000, 100_000_000)
PACE_SECONDS = 0.11  # the API token admits 10 requests a second (burst 20): stay under it
SWITCH_TIMEOUT = 600.0


def _summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _timed(call: Callable[[Any], Any], items: list[Any], pace: float = 0.0) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        call(item)
        elapsed = time.perf_counter() - started
        samples.append(elapsed * 1000)
        if pace > elapsed:
            time.sleep(pace - elapsed)
    return samples


def _build_index(count: int, directory: Path) -> Any:
    from devstack.synthdata import generate_tables
    from functions.hojin_search.search import CorporationIndex

    tables = generate_tables(count, seed=42)
    corporations = tables.pop("corporations").sort_by("corporate_number")
    index = CorporationIndex.build(corporations, tables)
    index.save(directory)
    return index


def _publish(demo: dict[str, Any], directory: Path, build_id: str) -> None:
    import os

    aws = demo["aws"]
    os.environ.update(
        AWS_ENDPOINT_URL=aws["endpoint_url"],
        AWS_DEFAULT_REGION=aws["region"],
        AWS_ACCESS_KEY_ID="devstack",
        AWS_SECRET_ACCESS_KEY="devstack",  # noqa: S106  (moto accepts any credentials)
    )
    from functions.hojin_search.engine import publish_index

    publish_index(directory, aws["environment"]["OPEN_DATA_BUCKET_NAME"], build_id, details={"bench": True})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corporations", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()

    from bench.bench_hojin_search import make_queries
    from functions.hojin_search.search import HojinQuery

    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    started = time.perf_counter()
    index = _build_index(args.corporations, work / "index")
    print(f"index of {args.corporations:,} corporations built in {time.perf_counter() - started:.0f} s", flush=True)
    queries = make_queries(index, args.queries, seed=7)

    process, demo = start_devstack(corporations=0)
    try:
        client = httpx.Client(
            base_url=demo["base_url"],
            headers={"Accept": "application/json", "X-hojinInfo-api-token": demo["api_token"]},
            timeout=120,
        )
        build_id = f"bench-{int(time.time())}"
        started = time.perf_counter()
        _publish(demo, work / "index", build_id)
        probe = queries["name 2 chars"][0]
        expected = index.search(HojinQuery(name=probe, limit=TOP)).total
        while True:
            answer = client.get("/hojin/v2/hojin", params={"name": probe, "limit": TOP})
            if answer.status_code == 200 and answer.json().get("totalCount") == expected:
                break
            if time.perf_counter() - started > SWITCH_TIMEOUT:
                raise TimeoutError(f"the search function did not switch to {build_id}: {answer.text[:200]}")
            time.sleep(2)
        switched = time.perf_counter() - started
        print(f"published and switched in {switched:.0f} s (the function rechecks every 60 s)", flush=True)

        def http(params: dict[str, Any]) -> None:
            answer = client.get("/hojin/v2/hojin", params={**params, "limit": TOP})
            if answer.status_code != 200:
                raise RuntimeError(f"{answer.status_code}: {answer.text[:300]}")

        def local(params: dict[str, Any]) -> None:
            result = index.search(HojinQuery(**{**params, "limit": TOP}))
            index.slim(list(result.rows)[:TOP])

        kinds: dict[str, list[dict[str, Any]]] = {
            "lookup (corporate_number=)": [{"corporate_number": n} for n in queries["lookup"] if index.row_of(n)],
            **{key: [{"name": q} for q in queries[key]] for key in ("name 2 chars", "name 3 chars", "name 4 chars")},
            "combined (name + prefecture + capital)": [
                {
                    "name": c["name"],
                    "prefecture": c["prefecture"],
                    "capital_stock_from": CAPITAL[0],
                    "capital_stock_to": CAPITAL[1],
                }
                for c in queries["combined"]
            ],
        }
        rows = []
        for kind, items in kinds.items():
            over_http = _summary(_timed(http, items, PACE_SECONDS))
            in_process = _summary(_timed(local, items))
            rows.append((kind, len(items), over_http, in_process))
        health = _summary(_timed(lambda _: client.get("/hojin_search/health").raise_for_status(), list(range(100))))
        now_mb, peak_mb = resident_mb(process.pid)
    finally:
        stop_devstack(process)

    print()
    print(f"corporation search over HTTP at {args.corporations:,} corporations (ms: median / p99)")
    print(f"{'query':<40}{'n':>5}{'devstack HTTP':>20}{'in process (baseline)':>26}")
    for kind, n, (h50, h99), (l50, l99) in rows:
        print(f"{kind:<40}{n:>5}{h50:>11.1f} / {h99:>6.1f}{l50:>17.2f} / {l99:>6.2f}")
    print(f"{'GET /hojin_search/health (gateway floor)':<40}{100:>5}{health[0]:>11.1f} / {health[1]:>6.1f}")
    all_http = [r[2][0] for r in rows[1:]]
    verdict = "PASS" if max(all_http) <= 30 else "FAIL"
    print(f"name searches, worst median over HTTP: {max(all_http):.1f} ms (target ≤ 30 ms): {verdict}")
    print(f"devstack process resident memory: {now_mb:,.0f} MB now, {peak_mb:,.0f} MB peak (moto's S3 holds a copy)")


if __name__ == "__main__":
    main()
