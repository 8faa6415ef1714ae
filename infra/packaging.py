"""Build products the stacks point ``Code.from_asset`` at: staged function code and the two layers.

Function code keeps the import path the tests use (``functions.<service>.handler``): each function's asset
holds ``functions/__init__.py``, ``functions/route_table.py`` and ``functions/<service>/**``. Staging copies
file contents only, in sorted order and without ``__pycache__``/``*.pyc``, so the asset hash depends on the
source alone and does not change between runs.

The dependency layer is ``pip install``-ed for Python 3.12 on arm64 into ``.build/deps-layer/<hash>/python``,
where ``<hash>`` covers the requirements file and the target platform: a second synth reuses it and runs no
pip at all.

A container-image function (``FunctionSpec.package == "image"``) gets a Docker build context instead
(:func:`stage_image_context`): CDK builds the image at ``cdk deploy``, so synthesis needs no Docker.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from infra.paths import (
    BUILD_DIR,
    COMMON_LAYER_DIR,
    FUNCTIONS_DIR,
    IMAGE_DOCKERFILE,
    LAMBDA_DATA_REQUIREMENTS,
    LAMBDA_REQUIREMENTS,
)

LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024  # function code plus all layers, unzipped
DEPS_LAYER_BUDGET_BYTES = 150 * 1024 * 1024  # leaves room for the code, the shared layer and growth
PIP_PLATFORM_ARGS = (
    "--platform",
    "manylinux2014_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    "3.12",
    "--only-binary=:all:",
)
# Provided by the Lambda Python runtime as a matched set; a second copy in the layer would shadow them.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


class PackagingError(RuntimeError):
    """A build product could not be made; the message says what to fix."""


# ---------------------------------------------------------------------------------------------------------
# deterministic staging


@dataclass(frozen=True)
class _Entry:
    source: Path
    target: str  # posix path inside the staged directory


def _walk(root: Path, prefix: str) -> Iterator[_Entry]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        base = Path(dirpath)
        for name in sorted(filenames):
            if name.endswith(_SKIPPED_SUFFIXES):
                continue
            relative = (base / name).relative_to(root).as_posix()
            yield _Entry(base / name, f"{prefix}/{relative}" if prefix else relative)


def _matches(dest: Path, entries: list[_Entry]) -> bool:
    if not dest.is_dir():
        return False
    present = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    if present != sorted(e.target for e in entries):
        return False
    return all((dest / e.target).read_bytes() == e.source.read_bytes() for e in entries)


def _replace_dir(tmp: Path, dest: Path) -> None:
    """Put ``tmp`` at ``dest``; safe when parallel test workers stage the same content at once."""
    trash = dest.with_name(f".trash-{dest.name}-{uuid.uuid4().hex}")
    if dest.exists():
        with contextlib.suppress(FileNotFoundError):  # another worker moved it away first
            dest.rename(trash)
    try:
        tmp.rename(dest)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another worker staged it first: same content
    shutil.rmtree(trash, ignore_errors=True)


def stage_tree(entries: Iterable[_Entry], dest: Path) -> Path:
    """Copy ``entries`` (contents only) to ``dest`` unless ``dest`` already holds exactly them."""
    listed = list(entries)
    if _matches(dest, listed):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".tmp-{dest.name}-{uuid.uuid4().hex}")
    for entry in listed:
        target = tmp / entry.target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry.source, target)
    tmp.mkdir(parents=True, exist_ok=True)
    _replace_dir(tmp, dest)
    return dest


def _function_entries(service: str) -> list[_Entry]:
    """``functions/__init__.py``, the route table and ``functions/<service>/**``: the code of one service."""
    service_dir = FUNCTIONS_DIR / service
    entries = [
        _Entry(FUNCTIONS_DIR / "__init__.py", "functions/__init__.py"),
        _Entry(FUNCTIONS_DIR / "route_table.py", "functions/route_table.py"),
    ]
    if service_dir.is_dir():
        entries.extend(_walk(service_dir, f"functions/{service}"))
    return entries


def stage_function_code(service: str) -> Path:
    """``.build/functions/<service>/`` with the ``functions`` package, its route table and one service."""
    if not (FUNCTIONS_DIR / service).is_dir():
        warnings.warn(
            f"functions/{service}/ does not exist yet: its Lambda asset holds only the functions package "
            "and will fail at import until the service code lands",
            stacklevel=2,
        )
    return stage_tree(_function_entries(service), BUILD_DIR / "functions" / service)


def stage_image_context(service: str) -> Path:
    """``.build/images/<service>/``: the Docker build context of a container-image function.

    The Dockerfile (``infra/images/Dockerfile``, ``CMD`` set to the service's handler), both requirements
    files, ``platform_common/`` and the service's code: sources only, so the context is a few hundred KB and
    its hash changes with the sources alone. CDK builds the image at deployment; synthesis only stages this.
    """
    handler = f"functions.{service}.handler.lambda_handler"
    dockerfile = BUILD_DIR / "images" / "dockerfiles" / f"{service}.Dockerfile"
    rendered = IMAGE_DOCKERFILE.read_text("utf-8").replace("@HANDLER@", handler)
    if not dockerfile.is_file() or dockerfile.read_text("utf-8") != rendered:
        dockerfile.parent.mkdir(parents=True, exist_ok=True)
        tmp = dockerfile.with_name(f".tmp-{service}-{uuid.uuid4().hex}")
        tmp.write_text(rendered, "utf-8")
        tmp.replace(dockerfile)  # atomic: parallel test workers may render the same file
    entries = [
        _Entry(dockerfile, "Dockerfile"),
        _Entry(LAMBDA_REQUIREMENTS, LAMBDA_REQUIREMENTS.name),
        _Entry(LAMBDA_DATA_REQUIREMENTS, LAMBDA_DATA_REQUIREMENTS.name),
        *_walk(COMMON_LAYER_DIR / "python", ""),
        *_function_entries(service),
    ]
    return stage_tree(entries, BUILD_DIR / "images" / service)


def stage_common_layer() -> Path:
    """``.build/layers/common/`` with ``python/platform_common/**`` (the shared code layer)."""
    return stage_tree(_walk(COMMON_LAYER_DIR, ""), BUILD_DIR / "layers" / "common")


# ---------------------------------------------------------------------------------------------------------
# third-party dependency layer


def requirements_hash(requirements: Path = LAMBDA_REQUIREMENTS) -> str:
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    digest.update("\0".join((*PIP_PLATFORM_ARGS, *RUNTIME_PROVIDED)).encode())
    return digest.hexdigest()[:16]


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _strip(site: Path) -> None:
    for name in RUNTIME_PROVIDED:
        shutil.rmtree(site / name, ignore_errors=True)
        for info in site.glob(f"{name}-*.dist-info"):
            shutil.rmtree(info, ignore_errors=True)
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts: nothing runs them in Lambda
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_dir() and path.name in ("__pycache__", "tests"):
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and (
            path.suffix in _SKIPPED_SUFFIXES or (path.name == "RECORD" and path.parent.name.endswith(".dist-info"))
        ):
            path.unlink()


@cache
def build_dependency_layer(requirements: Path = LAMBDA_REQUIREMENTS) -> tuple[Path, str]:
    """The layer directory (holding ``python/``) and its content hash; pip runs only on a cache miss."""
    layer_hash = requirements_hash(requirements)
    dest = BUILD_DIR / "deps-layer" / layer_hash
    if not dest.is_dir():
        tmp = dest.with_name(f".tmp-{layer_hash}-{uuid.uuid4().hex}")
        site = tmp / "python"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-input",
            "--no-compile",
            "--disable-pip-version-check",
            *PIP_PLATFORM_ARGS,
            "--target",
            str(site),
            "-r",
            str(requirements),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise PackagingError(
                f"pip could not build the dependency layer from {requirements.name} "
                f"(exit {done.returncode}):\n{done.stderr[-4000:]}"
            )
        _strip(site)
        _replace_dir(tmp, dest)
    size = tree_size(dest)
    if size > DEPS_LAYER_BUDGET_BYTES:
        raise PackagingError(
            f"the dependency layer unzips to {size / 2**20:.0f} MiB, over its budget of "
            f"{DEPS_LAYER_BUDGET_BYTES / 2**20:.0f} MiB (Lambda allows "
            f"{LAMBDA_UNZIPPED_LIMIT_BYTES / 2**20:.0f} MiB for code and all layers): remove a dependency "
            f"from {requirements.name} or move it to its own function"
        )
    return dest, layer_hash
