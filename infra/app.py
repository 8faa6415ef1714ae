"""The CDK app: central stacks Identity, OpenData, Exchange and one Ministry stack per named ministry.

Run it like the CDK CLI would (from the repository root)::

    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 .venv/bin/python -m infra.app \\
        -c ministries=meti,mhlw --output cdk.out

``cdk synth -c ministries=meti,mhlw`` runs the same module through ``cdk.json``. ``cdk.App()`` outside the
CLI does not read ``cdk.json``, so this module loads its context (feature flags included) itself; context
from ``-c key=value`` and from the CLI's ``CDK_CONTEXT_JSON`` overrides it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aws_cdk import App

from infra.config import PROJECT, ConfigError, PlatformConfig
from infra.nag import add_nag_checks
from infra.paths import CDK_JSON
from infra.stacks import ExchangeStack, IdentityStack, MinistryStack, OpenDataStack


def load_cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    """The ``context`` object of cdk.json: feature flags and any defaults the project sets."""
    context: dict[str, Any] = json.loads(path.read_text("utf-8")).get("context", {})
    return context


def stack_name(kind: str, ministry: str | None = None) -> str:
    return f"{PROJECT}-{kind}" if ministry is None else f"{PROJECT}-{kind}-{ministry}"


def build_app(context: Mapping[str, Any] | None = None, *, outdir: str | None = None) -> App:
    """The app with every stack and the cdk-nag gate; ``app.synth()`` raises on any unacknowledged finding.

    ``context`` is merged over cdk.json's context (so feature flags always apply); a bad value raises
    ``ConfigError`` naming the context key.
    """
    merged = {**load_cdk_json_context(), **(context or {})}
    app = App(context=merged, outdir=outdir)
    # Read back through the app, so the CLI's CDK_CONTEXT_JSON (applied by App) is honoured too.
    keys = (
        "stage",
        "ministries",
        "account",
        "region",
        "issuer_url",
        "prime_trust_anchors",
        "sparql_engine",
        "hojin_public_url",
        "exchange_public_url",
        "jgrants_public_url",
        "mail_from",
        "ministry_operators",
    )
    config = PlatformConfig.from_context({key: app.node.try_get_context(key) for key in keys})

    # OpenData goes first: it sets the API Gateway account's CloudWatch role and Identity reads its records.
    open_data = OpenDataStack(app, stack_name("OpenData"), config=config)
    identity = IdentityStack(app, stack_name("Identity"), config=config, peers={"opendata": open_data.registry})
    peers = {"opendata": open_data.registry, "identity": identity.registry}
    dependants = [
        identity,
        ExchangeStack(app, stack_name("Exchange"), config=config, peers=peers),
        *(
            MinistryStack(
                app,
                stack_name("Ministry", name),
                config=config,
                name=name,
                peers=peers,
                award_publisher=open_data.award_publishers[name],
            )
            for name in config.ministries
        ),
    ]
    for stack in dependants:
        stack.add_stack_dependency(open_data, "the API Gateway account's CloudWatch role is set by the OpenData stack")
    for stack in (open_data, *dependants):  # once each stack holds all its resources
        stack.add_monitoring()
    add_nag_checks(app)
    return app


def parse_context_args(pairs: Sequence[str]) -> dict[str, str]:
    context: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"-c {pair!r}: expected key=value, as in -c ministries=meti,mhlw")
        context[key] = value
    return context


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.app", description="Synthesize the platform's stacks.")
    parser.add_argument(
        "-c", "--context", action="append", default=[], metavar="KEY=VALUE", help="context value (repeatable)"
    )
    parser.add_argument("-o", "--output", default=None, help="cloud assembly directory (default: cdk.out)")
    args = parser.parse_args(argv)
    try:
        context = parse_context_args(args.context)
        outdir = args.output or os.environ.get("CDK_OUTDIR") or "cdk.out"
        app = build_app(context, outdir=outdir)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    assembly = app.synth()
    names = ", ".join(stack.stack_name for stack in assembly.stacks)
    print(f"synthesized {len(assembly.stacks)} stacks into {assembly.directory}: {names}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
