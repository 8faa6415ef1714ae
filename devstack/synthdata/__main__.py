"""Command line: ``python -m devstack.synthdata --corporations 5000000 --out data/synthetic --seed 42``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from tqdm import tqdm  # type: ignore[import-untyped]

from devstack.synthdata.dataset import write_dataset
from devstack.synthdata.generator import MAX_CORPORATIONS, MIN_CORPORATIONS


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not MIN_CORPORATIONS <= value <= MAX_CORPORATIONS:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_CORPORATIONS:,} and {MAX_CORPORATIONS:,}, got {value:,}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devstack.synthdata",
        description="Write synthetic corporations and their activity records as Parquet files.",
    )
    parser.add_argument(
        "--corporations",
        type=_count,
        default=MAX_CORPORATIONS,
        help=f"number of corporations, {MIN_CORPORATIONS:,} to {MAX_CORPORATIONS:,} (default: %(default)s)",
    )
    parser.add_argument("--out", default="data/synthetic", help="output folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    with tqdm(
        total=args.corporations,
        unit="corp",
        unit_scale=True,
        disable=args.quiet or not sys.stderr.isatty(),
        desc="corporations",
    ) as bar:
        rows = write_dataset(args.out, args.corporations, args.seed, progress=bar.update)
    if not args.quiet:
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{key} {value:,}" for key, value in rows.items())
        print(f"wrote {args.out}: {counts} in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
