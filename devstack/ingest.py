"""Hand in a ministry's activity file: ``python -m devstack.ingest --ministry meti --category subsidy FILE``.

With ``--endpoint devstack`` the file goes into the running devstack (its moto S3 and DynamoDB, from
``.devstack/demo.json``): uploaded under ``incoming/``, ingested, the index and bulk files rebuilt. With
``--local DIR`` the open data is kept as files under DIR (records in memory). With neither, it is a dry run:
the file is validated and the report printed, nothing is kept. The report lists every rejected row.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]

from devstack.server import DEMO_FILE
from functions.hojin_search.ingest.pipeline import IngestReport, ingest_file
from functions.hojin_search.ingest.publish import publish_after_ingest
from functions.hojin_search.ingest.schema import CATEGORIES
from functions.hojin_search.ingest.store import AwsOpenDataStore, LocalOpenDataStore, OpenDataStore
from platform_common.errors import InvalidInput

STEPS = ("read and validate", "Parquet, records, changes", "index and bulk files")


class _Progress:
    """Wraps a store so the bar advances at each stage of the pipeline."""

    def __init__(self, store: OpenDataStore, bar: tqdm) -> None:
        self.store = store
        self.bar = bar

    def __getattr__(self, name: str) -> Any:
        if name == "get_records" and self.bar.n == 0:
            self.bar.update(1)
            self.bar.set_postfix_str(STEPS[1])
        return getattr(self.store, name)


def _devstack_environment() -> dict[str, str]:
    if not DEMO_FILE.is_file():
        raise SystemExit(f"no running devstack: {DEMO_FILE} is missing (start it with `make dev`)")
    demo = json.loads(DEMO_FILE.read_text("utf-8"))
    environment: dict[str, str] = dict(demo["aws"]["environment"])
    environment.update(
        AWS_ENDPOINT_URL=demo["aws"]["endpoint_url"],
        AWS_DEFAULT_REGION=demo["aws"]["region"],
        AWS_REGION=demo["aws"]["region"],
        AWS_ACCESS_KEY_ID="devstack",
        AWS_SECRET_ACCESS_KEY="devstack",
    )
    return environment


@contextmanager
def _store(args: argparse.Namespace) -> Iterator[tuple[OpenDataStore, bool]]:
    if args.endpoint:
        os.environ.update(_devstack_environment())
        yield (
            AwsOpenDataStore(
                os.environ["OPEN_DATA_BUCKET_NAME"], os.environ["HOJIN_TABLE_NAME"], os.environ["CHANGES_TABLE_NAME"]
            ),
            True,
        )
    elif args.local:
        yield LocalOpenDataStore(Path(args.local), accept_unknown=True), True
    else:
        with tempfile.TemporaryDirectory(prefix="ingest-dry-run-") as tmp:
            yield LocalOpenDataStore(Path(tmp), accept_unknown=True), False


def print_report(report: IngestReport, out: Any = sys.stdout) -> None:
    print(
        f"{report.source_name}: {report.status}; {report.rows_accepted} accepted, {report.rows_rejected} rejected "
        f"of {report.rows_read} ({report.encoding}, {report.format}); {report.corporations_changed} corporations "
        f"changed; source {report.source_id}; report {report.report_key}",
        file=out,
    )
    for row in report.rejected:
        reasons = "; ".join(f"{e.field}: {e.reason}" for e in row.errors)
        print(f"  line {row.line}: {reasons}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.ingest", description=__doc__)
    parser.add_argument("--ministry", required=True)
    parser.add_argument("--category", required=True, choices=CATEGORIES)
    parser.add_argument("--endpoint", choices=("devstack",), help="ingest into the running devstack")
    parser.add_argument("--local", metavar="DIR", help="keep the open data as files under DIR")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    data = args.file.read_bytes()
    with _store(args) as (store, keep), tqdm(total=len(STEPS), desc="ingest", unit="step", file=sys.stderr) as bar:
        bar.set_postfix_str(STEPS[0])
        if args.endpoint:
            store.put_object(f"incoming/{args.ministry}/{args.category}/{args.file.name}", data, "text/csv")

        def publish(target: OpenDataStore, now: datetime) -> dict[str, str | None]:
            bar.update(1)
            bar.set_postfix_str(STEPS[2])
            return publish_after_ingest(target, now) if keep else {}

        try:
            report = ingest_file(
                data,
                ministry=args.ministry,
                category=args.category,
                source_name=args.file.name,
                now=datetime.now(UTC),
                store=_Progress(store, bar),
                publish=publish,
            )
        except InvalidInput as exc:
            print(f"refused: {exc.detail}", file=sys.stderr)
            return 2
        bar.update(len(STEPS) - bar.n)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print_report(report)
    return 0 if report.rows_rejected == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
