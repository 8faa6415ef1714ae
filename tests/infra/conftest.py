"""Synthesize the app once per test session (meti and mhlw) and share the cloud assembly."""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # before aws_cdk loads jsii

from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, cx_api
from aws_cdk.assertions import Template

from infra.app import build_app, stack_name

MINISTRIES = ("meti", "mhlw")


@dataclass(frozen=True)
class Synthesized:
    app: App
    assembly: cx_api.CloudAssembly

    def template(self, name: str) -> Template:
        return Template.from_json(self.raw(name))

    def raw(self, name: str) -> dict[str, Any]:
        template: dict[str, Any] = self.assembly.get_stack_by_name(name).template
        return template


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """Given ministries meti and mhlw, when the app synthesizes (cdk-nag gate included), then it succeeds."""
    app = build_app({"ministries": ",".join(MINISTRIES)}, outdir=str(tmp_path_factory.mktemp("cdk.out")))
    return Synthesized(app=app, assembly=app.synth())


@pytest.fixture(scope="session")
def identity(synthesized: Synthesized) -> Template:
    return synthesized.template(stack_name("Identity"))


@pytest.fixture(scope="session")
def open_data(synthesized: Synthesized) -> Template:
    return synthesized.template(stack_name("OpenData"))


@pytest.fixture(scope="session")
def exchange(synthesized: Synthesized) -> Template:
    return synthesized.template(stack_name("Exchange"))


@pytest.fixture(scope="session")
def meti(synthesized: Synthesized) -> Template:
    return synthesized.template(stack_name("Ministry", "meti"))


def handler_of(properties: dict[str, Any]) -> str:
    """The entry point of a function's properties: ``Handler`` of a zip function, the image's command else."""
    if properties.get("PackageType") == "Image":
        return str(properties["ImageConfig"]["Command"][0])
    return str(properties["Handler"])
