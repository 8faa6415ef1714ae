"""Call a service through the data exchange as a demo member's information system: sign, send, verify.

    python -m devstack.exchange_call --as allowed GET /r1/JP-DEV/GOV/<code>/gbizinfo/hojin-info/<number>
    python -m devstack.exchange_call --as denied GET /r1/...

``--as`` picks a client of ``.devstack/demo.json``'s ``exchange_clients`` (its X-Road identifier and private
JWK). The request is signed as docs/integrators/exchange.md describes; the answer's signature is checked with
the provider member's key from the signed key directory (``/r1/{instance}/keys``, itself checked with the
exchange's key in demo.json). This is the reference implementation for an integrator: keep it small.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from functions.exchange.canonical import canonical_request, canonical_response
from functions.exchange.jws import Signer, key_directory, public_key_of, sign_detached, verify_detached
from platform_common.hash_chain import canonical_json


def signed_headers(
    signer: Signer,
    client: str,
    method: str,
    url_path: str,
    body: bytes = b"",
    message_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The four X-Road headers of a signed request for ``url_path`` (path and query, as sent)."""
    parts = urlsplit(url_path)
    message_id = message_id or str(uuid.uuid4())
    request_time = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = parse_qsl(parts.query, keep_blank_values=True)
    canonical = canonical_request(method, parts.path, query, client, message_id, request_time, body)
    return {
        "X-Road-Client": client,
        "X-Road-Id": message_id,
        "X-Road-Request-Time": request_time,
        "X-Road-Request-Signature": sign_detached(canonical, signer),
    }


def verify_directory(directory: Mapping[str, Any], trusted_exchange_jwk: Mapping[str, Any]) -> None:
    """The key directory must be signed by the exchange key we trust (raises ``JwsError``)."""
    unsigned = {name: value for name, value in directory.items() if name != "signature"}
    keys = {str(trusted_exchange_jwk["kid"]): public_key_of(trusted_exchange_jwk)}
    verify_detached(str(directory["signature"]), canonical_json(unsigned), keys)


def verify_answer(
    status: int, headers: Mapping[str, str], body: bytes, provider_member: str, directory: Mapping[str, Any]
) -> None:
    """The answer must be signed by the provider member's published key (raises ``JwsError``)."""
    message_id = headers["x-road-id"]
    keys = key_directory({"keys": directory["members"].get(provider_member, [])})
    verify_detached(headers["x-road-response-signature"], canonical_response(status, message_id, body), keys)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.exchange_call", description=__doc__.split("\n")[0])
    parser.add_argument("--as", dest="role", default="allowed", help="allowed or denied (demo.json exchange_clients)")
    parser.add_argument("--demo", default=".devstack/demo.json", help="the devstack's demo.json")
    parser.add_argument("method", choices=["GET", "POST"])
    parser.add_argument("path", help="/r1/INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE[/PATH][?QUERY]")
    parser.add_argument("--data", default="", help="request body (POST)")
    args = parser.parse_args(argv)
    from functions.exchange.jws import LocalSigner

    demo = json.loads(Path(args.demo).read_text(encoding="utf-8"))
    client = next(c for c in demo["exchange_clients"] if c["role"] == args.role)
    signer = LocalSigner.from_jwk(client["private_jwk"])
    body = args.data.encode("utf-8")
    headers = signed_headers(signer, client["client"], args.method, args.path, body)
    base = demo["base_url"]
    with httpx.Client(base_url=base, timeout=30) as http:
        answer = http.request(args.method, args.path, headers=headers, content=body or None)
        print(f"HTTP {answer.status_code}  X-Road-Id: {answer.headers.get('x-road-id')}", file=sys.stderr)
        if "x-road-response-signature" in answer.headers:
            instance = args.path.split("/")[2]
            directory = http.get(f"/r1/{instance}/keys").json()
            verify_directory(directory, demo["exchange"]["exchange_public_jwk"])
            provider_member = "/".join(args.path.split("/")[2:5])
            verify_answer(answer.status_code, answer.headers, answer.content, provider_member, directory)
            print("response signature verified with the provider member's published key", file=sys.stderr)
    sys.stdout.write(answer.text + "\n")
    return 0 if answer.is_success else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
