"""Cold import time of each Lambda handler module, beside a bare interpreter start (the baseline).

Each measurement is a fresh interpreter (as a Lambda cold start is): wall time of the whole process, and the
cumulative import time of the handler module as ``python -X importtime`` reports it. Median of N runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common" / "python")]

from devstack.openapi import _placeholder_environment  # noqa: E402
from functions.route_table import SERVICES  # noqa: E402

RUNS = 5


def _environment() -> dict[str, str]:
    _placeholder_environment()
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'common' / 'python'}"
    env.update(POWERTOOLS_TRACE_DISABLED="true", POWERTOOLS_METRICS_DISABLED="true", PYTHONDONTWRITEBYTECODE="")
    return env


def measure(statement: str, module: str | None, env: dict[str, str]) -> tuple[float, float]:
    walls, imports = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", statement], env=env, capture_output=True, text=True, check=True
        )
        walls.append(time.perf_counter() - started)
        if module:
            line = next(line for line in done.stderr.splitlines() if line.rstrip().endswith(f"| {module}"))
            imports.append(int(line.split("|")[1]) / 1e6)
    return statistics.median(walls), statistics.median(imports) if imports else 0.0


def main() -> None:
    env = _environment()
    rows = [("baseline: python -c pass", *measure("pass", None, env))]
    rows.append(("baseline: import boto3", *measure("import boto3", "boto3", env)))
    for service in SERVICES:
        module = f"functions.{service}.handler"
        rows.append((module, *measure(f"import {module}", module, env)))
    print(f"{'what (median of ' + str(RUNS) + ' fresh interpreters)':<44}{'process s':>10}{'import s':>10}")
    for name, wall, imported in rows:
        print(f"{name:<44}{wall:>10.3f}{imported:>10.3f}")


if __name__ == "__main__":
    main()
