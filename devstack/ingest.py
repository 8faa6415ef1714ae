"""Hand in a ministry's file: ``python -m devstack.ingest --ministry meti --category subsidy FILE``.

``--category basic FILE`` hands in the corporations themselves: the NTA's corporate-number download (full or
diff CSV, or the ZIP it comes in) or our header CSV/JSON (``--ministry`` defaults to ``nta``). ``--from edinet
DIR|FILE`` and ``--from mhlw FILE`` run a connector first and hand its rows in as ``finance`` (ministry
``fsa``) or ``workplace`` (ministry ``mhlw``): for EDINET, DIR holds the document list (``*.json``, from
``documents.json?type=2``) and the documents' CSV forms (``<docID>.zip`` or ``<docID>.csv`` as downloaded
with ``type=5``, or the CSV as EDINET names it, ``jpcrp…_<EDINET code>-…_<period end>_…csv``); FILE is a
document list whose CSV forms are beside it. The connector's skipped inputs are printed with the report.

With ``--endpoint devstack`` the file goes into the running devstack (its moto S3 and DynamoDB, from
``.devstack/demo.json``): uploaded under ``incoming/``, ingested, the index and bulk files rebuilt. With
``--local DIR`` the open data is kept as files under DIR (records in memory). With neither, it is a dry run:
the file is validated and the report printed, nothing is kept. The report lists every rejected row.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]

from devstack.server import DEMO_FILE
from functions.hojin_search.connectors.common import ConnectorResult
from functions.hojin_search.ingest.pipeline import INGEST_CATEGORIES, IngestReport, ingest_file
from functions.hojin_search.ingest.publish import publish_after_ingest
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


def print_report(report: IngestReport, out: Any = None) -> None:
    out = out or sys.stdout  # looked up at the call: a test or a caller may have replaced it
    print(
        f"{report.source_name}: {report.status}; {report.rows_accepted} accepted, {report.rows_rejected} rejected "
        f"of {report.rows_read} ({report.encoding}, {report.format}); {report.corporations_changed} corporations "
        f"changed; source {report.source_id}; report {report.report_key}",
        file=out,
    )
    for row in report.rejected:
        reasons = "; ".join(f"{e.field}: {e.reason}" for e in row.errors)
        print(f"  line {row.line}: {reasons}", file=out)


# --from: (category, default ministry)
CONNECTORS = {"edinet": ("finance", "fsa"), "mhlw": ("workplace", "mhlw")}
_EDINET_CSV = re.compile(r"^jpcrp[^_]*_(?P<edinet>E[0-9]{5})-[0-9]{3}_(?P<end>[0-9]{4}-[0-9]{2}-[0-9]{2})_")


def edinet_result(path: Path) -> tuple[ConnectorResult, str]:
    """The EDINET connector over a directory (or a document list and its neighbours); and a source name."""
    from functions.hojin_search.connectors.edinet import finance_rows, parse_document_list

    directory = path if path.is_dir() else path.parent
    lists = sorted(directory.glob("*.json")) if path.is_dir() else [path]
    if not lists:
        raise SystemExit(f"no EDINET document list (*.json) in {directory}")
    forms = [p for p in sorted(directory.iterdir()) if p.suffix.lower() in (".zip", ".csv")]
    result = ConnectorResult("finance")
    for document_list in lists:
        data = document_list.read_bytes()
        by_doc_id: dict[str, bytes] = {}
        for document in parse_document_list(data):
            for form in forms:
                named = _EDINET_CSV.match(form.name)
                if form.stem == document.doc_id or (
                    named is not None
                    and named["edinet"] == document.edinet_code
                    and named["end"] == document.period_end
                ):
                    by_doc_id[document.doc_id] = form.read_bytes()
        found = finance_rows(data, by_doc_id)
        result.rows.extend(found.rows)
        result.skipped.extend(found.skipped)
        result.dropped.extend(found.dropped)
    return result, f"edinet-{path.name if path.is_dir() else path.stem}.csv"


def mhlw_result(path: Path, as_of: date | None) -> tuple[ConnectorResult, str]:
    from functions.hojin_search.connectors.mhlw_workplace import workplace_rows

    day = as_of or datetime.fromtimestamp(path.stat().st_mtime, UTC).date()  # the day of the download
    return workplace_rows(path.read_bytes(), as_of=day), f"mhlw-{path.stem}.csv"


def print_connector(result: ConnectorResult, out: Any = None) -> None:
    out = out or sys.stdout
    print(f"connector: {len(result.rows)} rows, {len(result.skipped)} inputs skipped", file=out)
    for skipped in result.skipped:
        name = f" ({skipped.name})" if skipped.name else ""
        print(f"  skipped {skipped.where}{name}: {skipped.reason}", file=out)
    for dropped in result.dropped:
        print(f"  {dropped.where}: {dropped.field} {dropped.value!r} left out: {dropped.reason}", file=out)


def nta_file(path: Path) -> tuple[bytes, str]:
    """The CSV inside the ZIP the NTA's download page gives, or the file itself."""
    if path.suffix.lower() != ".zip":
        return path.read_bytes(), path.name
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if len(names) != 1:
            raise SystemExit(f"{path}: expected one CSV in the ZIP, found {len(names)}")
        return archive.read(names[0]), Path(names[0]).name


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstack.ingest", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ministry", help="who hands the file in (default: nta for basic, fsa/mhlw for --from)")
    parser.add_argument("--category", choices=INGEST_CATEGORIES)
    parser.add_argument("--from", dest="connector", choices=tuple(CONNECTORS), help="run a connector first")
    parser.add_argument("--as-of", type=date.fromisoformat, help="mhlw: the date of rows without one")
    parser.add_argument("--endpoint", choices=("devstack",), help="ingest into the running devstack")
    parser.add_argument("--local", metavar="DIR", help="keep the open data as files under DIR")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("file", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    connector: ConnectorResult | None = None
    if args.connector:
        category, ministry = CONNECTORS[args.connector]
        if args.category not in (None, category):
            parser.error(f"--from {args.connector} hands in {category} rows")
        try:
            connector, source_name = (
                edinet_result(args.file) if args.connector == "edinet" else mhlw_result(args.file, args.as_of)
            )
        except InvalidInput as exc:
            print(f"refused: {exc.detail}", file=sys.stderr)
            return 2
        data = connector.to_csv()
        args.category = category
    elif args.category is None:
        parser.error("give --category, or --from for a connector")
    elif args.category == "basic":
        data, source_name = nta_file(args.file)
        ministry = "nta"
    else:
        data, source_name = args.file.read_bytes(), args.file.name
        ministry = ""
    args.ministry = args.ministry or ministry
    if not args.ministry:
        parser.error("--ministry is required for this category")
    with _store(args) as (store, keep), tqdm(total=len(STEPS), desc="ingest", unit="step", file=sys.stderr) as bar:
        bar.set_postfix_str(STEPS[0])
        if args.endpoint:
            store.put_object(f"incoming/{args.ministry}/{args.category}/{source_name}", data, "text/csv")

        def publish(target: OpenDataStore, now: datetime) -> dict[str, str | None]:
            bar.update(1)
            bar.set_postfix_str(STEPS[2])
            return publish_after_ingest(target, now) if keep else {}

        try:
            report = ingest_file(
                data,
                ministry=args.ministry,
                category=args.category,
                source_name=source_name,
                now=datetime.now(UTC),
                store=_Progress(store, bar),
                publish=publish,
            )
        except InvalidInput as exc:
            print(f"refused: {exc.detail}", file=sys.stderr)
            return 2
        bar.update(len(STEPS) - bar.n)
    if args.json:
        if connector is not None:
            print_connector(connector, out=sys.stderr)
        print(report.model_dump_json(indent=2))
    else:
        if connector is not None:
            print_connector(connector)
        print_report(report)
    return 0 if report.rows_rejected == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
