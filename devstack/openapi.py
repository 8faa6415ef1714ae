"""The OpenAPI document of each service, as its API serves it, and the committed copies in docs/openapi/.

``python -m devstack.openapi --write`` refreshes the copies (``make openapi``); ``--check`` fails when a
served document differs from its copy, so that an API change shows in review.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

from devstack.events import build_proxy_event, invoke, response_body
from devstack.naming import ACCOUNT_ID, DEMO_MINISTRY, REGION
from functions.route_table import SERVICES, Service, match_route
from infra.resource_specs import CENTRAL_STACKS, ResourceRef, ministry

warnings.filterwarnings("ignore", message="No application metrics to publish")

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs" / "openapi"


def served_document(service: Service) -> dict[str, object]:
    path = f"/{service}/openapi.json"
    match = match_route("GET", path)
    if match is None:
        raise LookupError(f"the route table lacks {path}")
    result = invoke(service, build_proxy_event(match, "GET", path, [], {}, b""))
    document: dict[str, object] = json.loads(response_body(result))
    return document


def render(document: dict[str, object]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


_PLACEHOLDER_ARNS = {
    "key": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/00000000-0000-4000-8000-000000000000",
    "state_machine": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:placeholder",
    "topic": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:placeholder",
    "table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/placeholder",
    "bucket": "arn:aws:s3:::placeholder",
}


def _placeholder(ref: ResourceRef) -> str:
    if ref.attribute == "arn":
        return _PLACEHOLDER_ARNS.get(ref.kind, f"arn:aws:{ref.kind}:{REGION}:{ACCOUNT_ID}:placeholder")
    if ref.kind == "user_pool":
        return f"{REGION}_placeholder"
    return f"placeholder-{ref.id}"


def _placeholder_environment() -> None:
    """Handlers validate their settings on import; documents and import timings need well-formed names,
    not real resources."""
    os.environ.setdefault("AWS_REGION", REGION)
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    for stack in (*CENTRAL_STACKS, ministry(DEMO_MINISTRY)):
        for function in stack.functions:
            for variable, ref in function.environment.items():
                os.environ.setdefault(variable, _placeholder(ref))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.openapi")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    _placeholder_environment()
    stale = []
    for service in SERVICES:
        target = DOCS_DIR / f"{service}.json"
        text = render(served_document(service))
        if args.write:
            DOCS_DIR.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        elif not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(str(target))
    if stale:
        print("stale OpenAPI documents (run `make openapi`):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
