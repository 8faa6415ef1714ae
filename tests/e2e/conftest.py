"""A real devstack, started as ``make dev`` starts it (a separate process), for HTTP and browser tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# One Chromium for the whole session: the fixtures are registered here once, not per test module (two
# sync Playwright instances cannot run in one thread).
from tests.e2e.browser import chromium_browser, chromium_page  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def devstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Start ``python -m devstack`` on a free port; yield its demo.json; stop it with Ctrl-C (SIGINT)."""
    state_dir = tmp_path_factory.mktemp("devstack")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "MOTO_", "OIDC_")) and not key.endswith("_TABLE_NAME")
    }
    env.update(
        PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'common' / 'python'}",
        DEVSTACK_STATE_DIR=str(state_dir),
        PYTHONUNBUFFERED="1",
    )
    port = _free_port()
    log_path = state_dir / "devstack.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "--port", str(port), "--corporations", "200"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            demo = _wait_until_ready(process, state_dir / "demo.json", log_path)
            yield demo
        finally:
            process.send_signal(signal.SIGINT)
            try:
                code = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    log_text = log_path.read_text()
    assert code == 0, f"the devstack did not stop cleanly on Ctrl-C:\n{log_text}"
    assert "devstack: stopped" in log_text


def _wait_until_ready(process: subprocess.Popen[bytes], demo_file: Path, log_path: Path) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the devstack exited with {process.returncode}:\n{log_path.read_text()}")
        if "devstack ready at" in log_path.read_text():
            demo: dict[str, Any] = json.loads(demo_file.read_text(encoding="utf-8"))
            return demo
        time.sleep(0.2)
    process.kill()
    raise TimeoutError(f"the devstack was not ready in {START_TIMEOUT_SECONDS} s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def devstack_url(devstack: dict[str, Any]) -> str:
    url: str = devstack["base_url"]
    return url
