"""Start the devstack as a subprocess for a benchmark, on a free port with its own state directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_environment(state: Path) -> dict[str, str]:
    """This process's environment without AWS/moto settings (the devstack sets its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "OIDC_"))}
    env.update(PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'common' / 'python'}", DEVSTACK_STATE_DIR=str(state))
    return env


def start_devstack(corporations: int = 0, timeout: float = 180.0) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """The running devstack and its ``demo.json``; stop it with :func:`stop_devstack`."""
    state = Path(tempfile.mkdtemp(prefix="bench-devstack-"))
    log = (state / "devstack.log").open("w")
    command = [sys.executable, "-m", "devstack", "--port", str(free_port()), "--corporations", str(corporations)]
    process = subprocess.Popen(command, cwd=ROOT, env=bench_environment(state), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "devstack ready at" in (state / "devstack.log").read_text():
            return process, json.loads((state / "demo.json").read_text(encoding="utf-8"))
        if process.poll() is not None:
            raise RuntimeError((state / "devstack.log").read_text())
        time.sleep(0.2)
    process.kill()
    raise TimeoutError("the devstack did not start")


def stop_devstack(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def resident_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
