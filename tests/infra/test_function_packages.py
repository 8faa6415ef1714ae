"""Every function deploys with the packages its code imports.

The moto tests run in the development virtualenv, where every package is installed: a function whose zip
package lacks pyarrow passes them all and fails at its first cold start in the cloud. Here each entry point's
imports are followed through the platform's own modules (``functions.*``, ``platform_common.*``, also the
imports inside functions, which run later but run), and each third-party module must come from the
function's package: the dependency layer's requirements for a zip function, the image's requirements for a
container image, or the boto3/botocore the Lambda runtime provides.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.app import stack_name
from infra.constructs.ingest import INGEST_HANDLER
from infra.paths import COMMON_LAYER_DIR, LAMBDA_DATA_REQUIREMENTS, LAMBDA_REQUIREMENTS, REPO_ROOT
from infra.resource_specs import CENTRAL_STACKS, FunctionSpec, ebpm_export, ministry
from tests.infra.conftest import Synthesized

FIRST_PARTY = ("functions", "platform_common")
SOURCE_ROOTS = (REPO_ROOT, COMMON_LAYER_DIR / "python")
RUNTIME_PROVIDED = ("boto3", "botocore")  # the Lambda Python runtime's own copy
_NOT_A_REQUIREMENT = re.compile(r"^\s*(?:#|$)")  # comments and blank lines


def _entry_points() -> dict[str, FunctionSpec]:
    """Every function the app deploys, by handler: the API functions, the ingest and the EBPM export."""
    specs = [f for stack in (*CENTRAL_STACKS, ministry("meti")) for f in stack.functions]
    found = {spec.handler: spec for spec in specs}
    hojin = next(s for s in specs if s.service == "hojin_search")
    found[INGEST_HANDLER] = hojin  # the same package as the API function (infra/constructs/ingest.py)
    export = ebpm_export("meti")
    found[export.handler] = export
    return found


def _module_file(module: str) -> Path | None:
    parts = module.split(".")
    for root in SOURCE_ROOTS:
        base = root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _is_type_checking_block(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith("TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Absolute names each import statement may load, outside ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            assert isinstance(node, ast.If)
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)  # a submodule, if it is one
        stack.extend(ast.iter_child_nodes(node))


@cache
def third_party_imports(handler: str) -> frozenset[str]:
    """Top-level third-party modules reachable from ``handler``'s module."""
    start = handler.rpartition(".")[0]
    seen: set[str] = set()
    pending = [start]
    outside: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages run first
        path = _module_file(module)
        if path is None:
            continue
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for name in _imports(tree, module, path.name == "__init__.py"):
            top = name.partition(".")[0]
            if top in FIRST_PARTY:
                pending.append(name)
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                outside.add(top)
    return frozenset(outside)


def _requirements(path: Path) -> list[Requirement]:
    found: list[Requirement] = []
    for line in path.read_text("utf-8").splitlines():
        if _NOT_A_REQUIREMENT.match(line):
            continue
        if line.startswith("-r "):
            found.extend(_requirements(path.parent / line[3:].strip()))
        else:
            found.append(Requirement(line))
    return found


def _closure(requirements: list[Requirement]) -> frozenset[str]:
    """The distributions pip installs for ``requirements``, as installed here (same pins as the package)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [(r.name, frozenset(r.extras)) for r in requirements]
    while pending:
        name, extras = pending.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            environments = [{"extra": e} for e in extras] or [{"extra": ""}]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return frozenset(name for name, _ in seen)


@cache
def provided(package: str) -> frozenset[str]:
    runtime = _closure([Requirement(name) for name in RUNTIME_PROVIDED])
    requirements = LAMBDA_REQUIREMENTS if package == "zip" else LAMBDA_DATA_REQUIREMENTS
    return runtime | _closure(_requirements(requirements))


def distributions_of(module: str) -> set[str]:
    return {canonicalize_name(d) for d in metadata.packages_distributions().get(module, [])}


ENTRY_POINTS = _entry_points()
HOJIN_HANDLER = "functions.hojin_search.handler.lambda_handler"


@pytest.mark.parametrize("handler", sorted(ENTRY_POINTS))
def test_every_third_party_import_of_a_function_is_in_its_package(handler: str) -> None:
    spec = ENTRY_POINTS[handler]
    imports = third_party_imports(handler)
    assert imports, "no third-party import found: the import walk is broken"

    missing = {}
    for module in sorted(imports):
        distributions = distributions_of(module)
        assert distributions, f"{module} (imported by {handler}'s code) is not installed here"
        if not distributions & provided(spec.package):
            missing[module] = sorted(distributions)

    requirements = LAMBDA_REQUIREMENTS if spec.package == "zip" else LAMBDA_DATA_REQUIREMENTS
    assert not missing, (
        f"{handler} ({spec.package} package) imports {missing}, which infra/{requirements.name} does not "
        "install: add the pin there, or make the function a container image (FunctionSpec.package)"
    )


def test_the_walk_sees_lazy_imports_and_the_data_stack_of_the_image_functions() -> None:
    assert {"pyarrow", "numpy", "pyroaring", "duckdb"} <= third_party_imports(INGEST_HANDLER)
    assert {"pyarrow", "numpy", "pyroaring", "pyoxigraph"} <= third_party_imports(HOJIN_HANDLER)
    assert "pyarrow" in third_party_imports(ebpm_export("meti").handler)
    # the API function's hourly run does not reach the export, so its zip package needs no pyarrow
    assert "pyarrow" not in third_party_imports(ministry("meti").functions[0].handler)


def test_the_image_requirements_are_the_layer_pins_plus_the_data_stack_of_pyproject() -> None:
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = {canonicalize_name(Requirement(d).name): str(Requirement(d)) for d in project["dependencies"]}
    pins.update(
        {canonicalize_name(Requirement(d).name): str(Requirement(d)) for d in project["optional-dependencies"]["dev"]}
    )
    layer = {canonicalize_name(r.name) for r in _requirements(LAMBDA_REQUIREMENTS)}
    image = _requirements(LAMBDA_DATA_REQUIREMENTS)

    assert layer < {canonicalize_name(r.name) for r in image}
    for requirement in image:
        assert str(requirement) == pins[canonicalize_name(requirement.name)], requirement
    assert all(r.specifier and str(r.specifier).startswith("==") for r in image)


def _functions(template: Template) -> dict[str, dict[str, object]]:
    return {k: v["Properties"] for k, v in template.find_resources("AWS::Lambda::Function").items()}


def test_the_data_functions_are_arm64_images_and_the_api_functions_keep_their_layers(
    synthesized: Synthesized,
) -> None:
    images: dict[str, list[str]] = {}
    for stack in synthesized.assembly.stacks:
        for properties in _functions(Template.from_json(stack.template)).values():
            assert properties["Architectures"] == ["arm64"]
            if properties.get("PackageType") == "Image":
                command = properties["ImageConfig"]["Command"]  # type: ignore[index]
                images.setdefault(stack.stack_name, []).extend(command)
                assert "Layers" not in properties
                assert "Runtime" not in properties
            else:
                assert properties["Runtime"] == "python3.12"
                assert len(properties["Layers"]) == 2  # type: ignore[arg-type]
                assert ENTRY_POINTS[str(properties["Handler"])].package == "zip"

    assert sorted(images[stack_name("OpenData")]) == sorted([HOJIN_HANDLER, INGEST_HANDLER])
    for name in ("meti", "mhlw"):
        assert images[stack_name("Ministry", name)] == ["functions.submit.ebpm_handler.lambda_handler"]
    assert set(images) == {stack_name("OpenData"), stack_name("Ministry", "meti"), stack_name("Ministry", "mhlw")}


def test_synthesis_stages_a_small_build_context_for_each_image(synthesized: Synthesized) -> None:
    """Docker builds at `cdk deploy`; synthesis only copies the sources (no packages) into the assembly."""
    out = Path(synthesized.assembly.directory)
    contexts = {
        source["source"]["directory"]
        for manifest in out.glob("*.assets.json")
        for source in json.loads(manifest.read_text())["dockerImages"].values()
    }
    assert len(contexts) == 2  # gBizINFO's image, the EBPM export's image (shared by the ministries)
    for directory in contexts:
        root = out / directory
        files = [p for p in root.rglob("*") if p.is_file()]
        assert sum(p.stat().st_size for p in files) < 5 * 2**20
        dockerfile = (root / "Dockerfile").read_text("utf-8")
        assert re.search(r"FROM \$\{BASE_IMAGE\}", dockerfile)
        assert re.search(r"ARG BASE_IMAGE=public\.ecr\.aws/lambda/python:3\.12\.[0-9.]+-arm64\n", dockerfile)
        assert (root / "lambda_data_requirements.txt").is_file()
        assert (root / "platform_common" / "__init__.py").is_file()


def test_the_ebpm_export_runs_on_the_hourly_rule_and_writes_only_the_analytics_bucket(meti: Template) -> None:
    (export_id,) = (k for k, p in _functions(meti).items() if p.get("PackageType") == "Image")
    (api_id,) = (k for k, p in _functions(meti).items() if p.get("PackageType") != "Image")
    meti.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 hour)",
            "Targets": Match.array_with(
                [
                    Match.object_like({"Arn": {"Fn::GetAtt": [api_id, "Arn"]}}),
                    Match.object_like({"Arn": {"Fn::GetAtt": [export_id, "Arn"]}}),
                ]
            ),
        },
    )
    role_of = {k: p["Role"]["Fn::GetAtt"][0] for k, p in _functions(meti).items()}  # type: ignore[index]
    buckets = meti.find_resources("AWS::S3::Bucket")
    (analytics,) = (k for k in buckets if "analytics" in k.lower())

    def puts(function_id: str) -> list[object]:
        return [
            s["Resource"]
            for p in meti.find_resources("AWS::IAM::Policy").values()
            if {"Ref": role_of[function_id]} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if "s3:PutObject" in s["Action"]
        ]

    assert puts(export_id)
    assert all(analytics in json.dumps(resource) for resource in puts(export_id))
    assert analytics not in json.dumps(puts(api_id))
