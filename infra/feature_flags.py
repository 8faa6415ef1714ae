"""The feature flags ``cdk init`` writes for the installed aws-cdk-lib, read from the package itself.

aws-cdk-lib ships ``recommended-feature-flags.json`` inside its jsii bundle; ``cdk init`` copies it into the
new project's ``cdk.json``. After upgrading aws-cdk-lib, refresh ``cdk.json`` with::

    .venv/bin/python -m infra.feature_flags --write

A test compares ``cdk.json`` with this list, so a stale file is seen in review.
"""

from __future__ import annotations

import argparse
import json
import tarfile
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk

from infra.paths import CDK_JSON

_MEMBER = "package/recommended-feature-flags.json"


@cache
def recommended_flags() -> dict[str, Any]:
    bundle_dir = Path(aws_cdk.__file__).parent / "_jsii"
    bundles = sorted(bundle_dir.glob("aws-cdk-lib@*.jsii.tgz"))
    if len(bundles) != 1:
        raise RuntimeError(f"expected one aws-cdk-lib jsii bundle in {bundle_dir}, found {len(bundles)}")
    with tarfile.open(bundles[0], "r:gz") as bundle:
        member = bundle.extractfile(_MEMBER)
        if member is None:
            raise RuntimeError(f"{_MEMBER} is missing from {bundles[0].name}")
        flags: dict[str, Any] = json.load(member)
    return flags


def write_cdk_json(path: Path = CDK_JSON) -> None:
    """Write (or refresh) cdk.json: the app command, watch settings, and every recommended flag."""
    current: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    context = {k: v for k, v in current.get("context", {}).items() if not k.startswith("@aws-cdk")}
    context.update(recommended_flags())
    document = {
        "app": "python -m infra.app",
        "watch": {
            "include": ["infra/**", "functions/**", "layers/**"],
            "exclude": ["**/__pycache__", "**/*.pyc", "tests/**", ".build/**", "cdk.out/**"],
        },
        "context": dict(sorted(context.items())),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="refresh cdk.json instead of printing the flags")
    args = parser.parse_args()
    if args.write:
        write_cdk_json()
        print(f"wrote {len(recommended_flags())} feature flags to {CDK_JSON}")
    else:
        print(json.dumps(recommended_flags(), indent=2))


if __name__ == "__main__":
    main()
