"""Start and stop the devstack: moto's AWS server (a process of its own), every stack's resources, demo data,
the gateway (this process, where the functions run)."""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from typing import Any

from devstack.moto_process import INVOKE_SECRET_ENV, PARENT_PID_ENV
from devstack.naming import DEMO_MINISTRY, REGION

STATE_DIR = Path(os.environ.get("DEVSTACK_STATE_DIR") or Path(__file__).resolve().parent.parent / ".devstack")
DEMO_FILE = STATE_DIR / "demo.json"

FAKE_AWS_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "devstack",
    "AWS_SECRET_ACCESS_KEY": "devstack",
    "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    "STAGE": "dev",
}


# Metrics are off in the devstack; powertools would warn about an empty flush on every request.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _configure_logging() -> None:
    """One access line per gateway request; moto's and werkzeug's per-request lines are noise here."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    for noisy in ("botocore", "boto3", "urllib3", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _raise_keyboard_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


class Devstack:
    def __init__(self, host: str = "127.0.0.1", port: int = 8000, corporations: int = 1000) -> None:
        self.host = host
        self.port = port
        self.corporations = corporations
        self.base_url = f"http://{host}:{port}"
        self._moto: subprocess.Popen[bytes] | None = None
        self._http: Any = None
        self._stopped = threading.Event()

    def start(self) -> dict[str, Any]:
        from werkzeug.serving import make_server

        _configure_logging()
        # The gateway and the functions are threads of this process, and every AWS call of a function is a
        # loopback request: hand the GIL over every 0.5 ms instead of 5 ms, or each call waits out the default
        # interval (measured: a search's two DynamoDB calls 35 ms → 23 ms).
        sys.setswitchinterval(0.0005)
        from devstack.gateway import Gateway

        invoke_secret = secrets.token_urlsafe(32)
        gateway = Gateway(invoke_secret=invoke_secret, provisioned=False)
        # Bind the gateway first: a busy port should fail before any work is done. It serves from now on, since
        # seeding makes moto invoke functions here; other requests wait for `gateway.ready`.
        self._http = make_server(self.host, self.port, gateway, threaded=True)
        threading.Thread(target=self._http.serve_forever, name="gateway", daemon=True).start()
        os.environ.update(FAKE_AWS_ENVIRONMENT)
        self._start_moto(invoke_secret)
        demo = self._provision_and_seed()
        DEMO_FILE.parent.mkdir(parents=True, exist_ok=True)
        DEMO_FILE.write_text(json.dumps(demo, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        DEMO_FILE.chmod(stat.S_IRUSR | stat.S_IWUSR)  # it holds demo passwords
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        gateway.ready.set()
        return demo

    def _start_moto(self, invoke_secret: str) -> None:
        moto_port = _free_port("127.0.0.1")
        endpoint = f"http://127.0.0.1:{moto_port}"
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ["MOTO_PORT"] = str(moto_port)  # Step Functions callbacks reach the server on it
        self._moto = subprocess.Popen(
            [sys.executable, "-m", "devstack.moto_process", "--port", str(moto_port), "--gateway", self.base_url],
            env={**os.environ, INVOKE_SECRET_ENV: invoke_secret, PARENT_PID_ENV: str(os.getpid())},
            cwd=Path(__file__).resolve().parent.parent,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=5):  # noqa: S310 (loopback)
                    break
            except (urllib.error.URLError, ConnectionError):
                if self._moto.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not start (see the lines above)") from None
                time.sleep(0.1)
        configure = urllib.request.Request(  # noqa: S310 (loopback, fixed URL)
            f"{endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            method="POST",
        )
        with urllib.request.urlopen(configure, timeout=10):  # noqa: S310 (loopback, fixed URL)
            pass

    def _provision_and_seed(self) -> dict[str, Any]:
        from devstack.lambda_runtime import deliver_uploads_to_ingest
        from devstack.provision import platform_environment, provision_platform
        from devstack.seed_exchange import seed_exchange
        from devstack.seed_exchange_admin import seed_exchange_admin
        from devstack.seed_identity import seed_identity
        from devstack.seed_jgrants import seed_jgrants
        from devstack.seed_open_data import seed_open_data
        from devstack.test_ca import write_online_demo
        from functions.route_table import SERVICES
        from infra.resource_specs import CENTRAL_STACKS, ministry

        provisioned = provision_platform((*CENTRAL_STACKS, ministry(DEMO_MINISTRY)))
        os.environ.update(platform_environment(provisioned))
        base = self.base_url
        os.environ["OIDC_ISSUER"] = f"{base}/oauth"
        os.environ["HOJIN_PUBLIC_URL"] = base  # the token page's redirect URI: {base}/hojin/tokens/callback
        os.environ["PUBLIC_BASE_URL"] = base  # the jGrants pages' redirect URI: {base}/jgrants/callback
        os.environ["JGRANTS_CLIENT_ID"] = f"jgrants-{DEMO_MINISTRY}"  # registered by seed_jgrants
        os.environ["EXCHANGE_PUBLIC_URL"] = base  # the exchange portal's redirect URI: {base}/exchange/callback
        os.environ["EXCHANGE_URL"] = base  # jGrants calls the exchange's /r1 over HTTP, as in the cloud
        demo: dict[str, Any] = {
            "base_url": base,
            "services": {
                "issuer": f"{base}/oauth",
                "hojin": f"{base}/hojin",
                "jgrants": f"{base}/exp/v1/public",
                "jgrants_pages": f"{base}/jgrants/subsidies",
                "exchange": base,
                "portal": f"{base}/",
            },
            "openapi": {service: f"{base}/{service}/openapi.json" for service in SERVICES},
            "ministry": DEMO_MINISTRY,
            "aws": {
                "endpoint_url": os.environ["AWS_ENDPOINT_URL"],
                "region": REGION,
                "environment": platform_environment(provisioned),
            },
        }
        demo.update(seed_open_data(provisioned, synthetic=self.corporations))
        demo.update(write_online_demo(STATE_DIR))  # before any request: sets the Prime trust anchor
        demo.update(seed_identity(provisioned, base))
        demo.update(seed_jgrants(provisioned, demo.get("users"), base))
        # awards and ministries' files under incoming/ reach the gBizINFO ingest (EventBridge in the cloud)
        deliver_uploads_to_ingest(provisioned["opendata"].name("bucket", "open-data"))
        demo.update(seed_exchange(provisioned))
        # the operator, the demo rights and デモ工業's consent; the allowed client's rights in exchange_clients
        demo.update(seed_exchange_admin(provisioned, demo.get("users"), demo.get("exchange_clients")))
        return demo

    def serve_forever(self) -> None:
        """Until Ctrl-C or SIGTERM (both raise KeyboardInterrupt here) or :meth:`stop`."""
        self._stopped.wait()

    def stop(self) -> None:
        self._stopped.set()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._moto is not None:
            self._moto.terminate()
            try:
                self._moto.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._moto.kill()


def print_welcome(demo: dict[str, Any]) -> None:
    services = demo["services"]
    lines = [
        "",
        f"  Portal                {services['portal']}",
        f"  gBizID issuer         {services['issuer']}/.well-known/openid-configuration",
        f"  gBizINFO API          {services['hojin']}/v2/hojin/<corporate_number>   (header X-hojinInfo-api-token)",
        f"  jGrants public API    {services['jgrants']}/subsidies?keyword=補助金",
        f"  Data exchange         {services['exchange']}/r1/<instance>/<class>/<code>/<subsystem>/listMethods",
        "",
        "  Pages (sign in with a demo account below):",
        f"    gBizINFO search     {demo['base_url']}/hojin/search   (also /hojin/tokens, /hojin/sparql/query)",
        f"    jGrants             {demo['base_url']}/jgrants/subsidies   staff (reviewer, operator): /jgrants/review",
        f"    Data exchange       {demo['base_url']}/exchange/portal   (consents, access history, members)",
        "",
        "  OpenAPI documents:",
        *(f"    {service:<14}{url}" for service, url in demo["openapi"].items()),
        "",
        "  Demo accounts (passwords and second-factor secrets are in .devstack/demo.json):",
        *(
            f"    {user.get('tier') or user.get('role'):<9}{user['email']:<36}{user.get('corporate_number') or ''}"
            for user in demo.get("users", [])
        ),
        "",
        f"  gBizINFO API token    {demo.get('api_token', '')}",
        f"  Contract for scripts  {DEMO_FILE}",
        "",
        "  Ctrl-C stops the devstack.",
    ]
    print("\n".join(lines), flush=True)
