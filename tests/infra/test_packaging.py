"""Function assets and layers: deterministic staging, the import path, the cached dependency layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aws_cdk import FileSystem

from infra import packaging
from infra.packaging import PackagingError, build_dependency_layer, requirements_hash


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    functions = tmp_path / "src" / "functions"
    (functions / "demo" / "routers").mkdir(parents=True)
    (functions / "__init__.py").write_text('"""pkg"""\n')
    (functions / "route_table.py").write_text("ROUTES = ()\n")
    (functions / "demo" / "__init__.py").write_text("")
    (functions / "demo" / "handler.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    (functions / "demo" / "routers" / "a.py").write_text("X = 1\n")
    (functions / "other").mkdir()
    (functions / "other" / "handler.py").write_text("Y = 2\n")
    monkeypatch.setattr(packaging, "FUNCTIONS_DIR", functions)
    monkeypatch.setattr(packaging, "BUILD_DIR", tmp_path / ".build")
    return functions


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_function_asset_keeps_the_import_path_of_the_tests(sources: Path) -> None:
    staged = packaging.stage_function_code("demo")

    assert _files(staged) == [
        "functions/__init__.py",
        "functions/demo/__init__.py",
        "functions/demo/handler.py",
        "functions/demo/routers/a.py",
        "functions/route_table.py",
    ]


def test_bytecode_caches_do_not_change_the_asset_hash(sources: Path) -> None:
    first = FileSystem.fingerprint(str(packaging.stage_function_code("demo")))
    cache = sources / "demo" / "__pycache__"
    cache.mkdir()
    (cache / "handler.cpython-311.pyc").write_bytes(os.urandom(64))
    (sources / "demo" / "stray.pyc").write_bytes(os.urandom(16))

    second = FileSystem.fingerprint(str(packaging.stage_function_code("demo")))

    assert second == first


def test_a_source_change_reaches_the_staged_asset(sources: Path) -> None:
    before = FileSystem.fingerprint(str(packaging.stage_function_code("demo")))
    (sources / "demo" / "handler.py").write_text("def lambda_handler(event, context):\n    return {'v': 2}\n")
    (sources / "demo" / "routers" / "a.py").unlink()

    staged = packaging.stage_function_code("demo")

    assert FileSystem.fingerprint(str(staged)) != before
    assert "functions/demo/routers/a.py" not in _files(staged)


def test_dependency_layer_is_cached_by_requirements_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's synth built it; a second build must not run pip.
    layer_dir, layer_hash = build_dependency_layer()
    assert layer_dir.name == layer_hash == requirements_hash()

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip ran although the layer was cached")

    monkeypatch.setattr(packaging.subprocess, "run", no_pip)
    assert build_dependency_layer.__wrapped__(packaging.LAMBDA_REQUIREMENTS) == (layer_dir, layer_hash)


def test_dependency_layer_is_for_arm64_and_leaves_boto_to_the_runtime() -> None:
    layer_dir, _ = build_dependency_layer()
    site = layer_dir / "python"

    assert (site / "pydantic_core").is_dir()
    assert list((site / "pydantic_core").glob("*aarch64*.so"))
    assert not list((site / "pydantic_core").glob("*x86_64*.so"))
    for provided in packaging.RUNTIME_PROVIDED:
        assert not (site / provided).exists()
    assert not list(site.rglob("__pycache__"))
    assert not list(site.glob("*.dist-info/RECORD"))
    assert packaging.tree_size(layer_dir) < packaging.DEPS_LAYER_BUDGET_BYTES


def test_an_oversized_dependency_layer_fails_synth_with_the_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    build_dependency_layer()
    monkeypatch.setattr(packaging, "DEPS_LAYER_BUDGET_BYTES", 1024)

    with pytest.raises(PackagingError, match=r"unzips to \d+ MiB, over its budget"):
        build_dependency_layer.__wrapped__(packaging.LAMBDA_REQUIREMENTS)


def test_requirements_match_the_runtime_pins_of_pyproject() -> None:
    import tomllib

    project = tomllib.loads((packaging.LAMBDA_REQUIREMENTS.parents[1] / "pyproject.toml").read_text("utf-8"))
    runtime = {d for d in project["project"]["dependencies"] if not d.lower().startswith("boto3")}
    lines = packaging.LAMBDA_REQUIREMENTS.read_text("utf-8").splitlines()
    pinned = {line.strip() for line in lines if line.strip() and not line.startswith("#")}

    assert pinned == runtime


def test_an_image_build_context_holds_the_dockerfile_requirements_shared_code_and_one_service(sources: Path) -> None:
    staged = packaging.stage_image_context("demo")
    files = _files(staged)

    assert files[:3] == ["Dockerfile", "functions/__init__.py", "functions/demo/__init__.py"]
    assert "functions/other/handler.py" not in files
    assert {"lambda_requirements.txt", "lambda_data_requirements.txt", "platform_common/__init__.py"} <= set(files)
    assert not [f for f in files if f.endswith(".pyc") or "/python/" in f]
    dockerfile = (staged / "Dockerfile").read_text("utf-8")
    assert 'CMD ["functions.demo.handler.lambda_handler"]' in dockerfile
    assert "-r /tmp/requirements/lambda_data_requirements.txt" in dockerfile
    # staging again with unchanged sources leaves the context (and its asset hash) as it was
    before = FileSystem.fingerprint(str(staged))
    assert FileSystem.fingerprint(str(packaging.stage_image_context("demo"))) == before
