"""Time from launching the devstack (what `make dev` runs) to the first answer on its port.

Rows: the devstack with no synthetic corporations, with the default 1,000, and a baseline in the same run:
a bare moto server started in a fresh interpreter (the floor any devstack start pays).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 180.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_answer(command: list[str], url: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < TIMEOUT:
            try:
                with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (loopback)
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(url)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def main() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'common' / 'python'}"
    env["DEVSTACK_STATE_DIR"] = tempfile.mkdtemp(prefix="bench-devstack-")
    rows = []
    port = _free_port()
    moto = [sys.executable, "-c", f"from moto.server import main; main(['-p', '{port}'])"]
    rows.append(("baseline: bare moto server", _first_answer(moto, f"http://127.0.0.1:{port}/moto-api/", env)))
    for corporations in (0, 1000):
        port = _free_port()
        command = [sys.executable, "-m", "devstack", "--port", str(port), "--corporations", str(corporations)]
        seconds = _first_answer(command, f"http://127.0.0.1:{port}/auth/health", env)
        rows.append((f"devstack, {corporations} synthetic corporations", seconds))
    print(f"{'start to first answer':<44}{'seconds':>10}")
    for name, seconds in rows:
        print(f"{name:<44}{seconds:>10.2f}")


if __name__ == "__main__":
    main()
