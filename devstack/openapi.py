"""The OpenAPI document of each service, as its API serves it, and the committed copies in docs/openapi/.

``python -m devstack.openapi --write`` refreshes the copies (``make openapi``); ``--check`` fails when a
served document differs from its copy, so that an API change shows in review.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from devstack.events import build_proxy_event, invoke, response_body
from functions.route_table import SERVICES, Service, match_route
from infra.resource_specs import CENTRAL_STACKS, ministry

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs" / "openapi"


def served_document(service: Service) -> dict[str, object]:
    path = f"/{service}/openapi.json"
    match = match_route("GET", path)
    assert match is not None, f"the route table lacks {path}"
    result = invoke(service, build_proxy_event(match, "GET", path, [], {}, b""))
    document: dict[str, object] = json.loads(response_body(result))
    return document


def render(document: dict[str, object]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _placeholder_environment() -> None:
    """Handlers validate their settings on import; generating documents needs names, not resources."""
    os.environ.setdefault("AWS_REGION", "ap-northeast-1")
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    for stack in (*CENTRAL_STACKS, ministry("meti")):
        for function in stack.functions:
            for variable in function.environment:
                os.environ.setdefault(variable, f"openapi-{variable.lower()}")


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
