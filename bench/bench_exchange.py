"""The data exchange's cost of trust: signed calls against unsigned ones, and verifying an exported message log.

    .venv/bin/python bench/bench_exchange.py [--calls 60] [--entries 100000]

1. Round trip through the devstack's HTTP gateway (a devstack process started by the bench). Signed: ``GET
   /r1/.../gbizinfo/hojin-info/{number}`` as ``devstack.exchange_call`` sends it (the client signs; the exchange
   verifies, checks replay/right, signs with two member keys in KMS, timestamps twice, appends two message-log
   entries and archives them; the client verifies the answer). Unsigned baseline in the same run: the same record
   from gBizINFO's own API, ``GET /hojin/v2/hojin/{number}`` (one DynamoDB read, the token check). Both paced
   under the API token's rate limit. Also the client's own share, in process: signing a request and verifying an
   answer.
2. Offline verification of an exported bundle of N entries, made by the real entry and chain code (hashes,
   links, ES256 signatures by two member keys, timestamps by the exchange key) directly as a bundle.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common" / "python")]

from bench.devstack_process import start_devstack, stop_devstack  # noqa: E402

PACE_SECONDS = 0.11


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms"


def round_trips(calls: int) -> None:
    from devstack.demo_corporations import DEMO_CORP_A
    from devstack.exchange_call import signed_headers, verify_answer, verify_directory
    from devstack.seed_exchange import METI_GBIZINFO
    from functions.exchange.canonical import canonical_response
    from functions.exchange.jws import LocalSigner, key_directory, sign_detached, verify_detached

    process, demo = start_devstack(corporations=200)
    try:
        base = demo["base_url"]
        client = next(c for c in demo["exchange_clients"] if c["role"] == "allowed")
        signer = LocalSigner.from_jwk(client["private_jwk"])
        path = f"/r1/{METI_GBIZINFO}/hojin-info/{DEMO_CORP_A}"
        provider_member = "/".join(str(METI_GBIZINFO).split("/")[:3])
        with httpx.Client(base_url=base, timeout=30) as http:
            directory = http.get("/r1/JP-DEV/keys").json()
            verify_directory(directory, demo["exchange"]["exchange_public_jwk"])
            token = {"X-hojinInfo-api-token": demo["api_token"]}
            signed: list[float] = []
            unsigned: list[float] = []
            for i in range(calls + 5):  # the first five warm both paths up
                started = time.perf_counter()
                answer = http.get(path, headers=signed_headers(signer, client["client"], "GET", path))
                verify_answer(answer.status_code, answer.headers, answer.content, provider_member, directory)
                signed_ms = (time.perf_counter() - started) * 1000
                assert answer.status_code == 200, answer.text
                time.sleep(PACE_SECONDS)
                started = time.perf_counter()
                plain = http.get(f"/hojin/v2/hojin/{DEMO_CORP_A}", headers=token)
                unsigned_ms = (time.perf_counter() - started) * 1000
                assert plain.status_code == 200, plain.text
                time.sleep(PACE_SECONDS)
                if i >= 5:
                    signed.append(signed_ms)
                    unsigned.append(unsigned_ms)
    finally:
        stop_devstack(process)
    body = answer.content
    keys = key_directory({"keys": [signer.public_jwk]})
    started = time.perf_counter()
    for _ in range(1000):
        signed_headers(signer, client["client"], "GET", path)
    sign_us = (time.perf_counter() - started) * 1000
    message = canonical_response(200, "id", body)
    jws = sign_detached(message, signer)
    started = time.perf_counter()
    for _ in range(1000):
        verify_detached(jws, message, keys)
    verify_us = (time.perf_counter() - started) * 1000
    print(f"Round trip through the devstack gateway (HTTP, {calls} calls each, paced)")
    print(f"  unsigned  GET /hojin/v2/hojin/{{number}}           {_stats(unsigned)}")
    print(f"  signed    GET /r1/.../hojin-info/{{number}}        {_stats(signed)}")
    overhead = statistics.median(signed) - statistics.median(unsigned)
    print(f"  overhead of signing, verifying, logging (median)  {overhead:7.2f} ms")
    print(f"  client share: sign a request {sign_us:.0f} µs, verify an answer {verify_us:.0f} µs (in process)")


def bundle_of(entries: int) -> tuple[dict[str, Any], dict[str, str]]:
    """A signed bundle of ``entries`` request/answer entries made by the real entry, chain and signing code."""
    from devstack.exchange_log import BUNDLE_FORMAT, BUNDLE_TYPE
    from functions.exchange.canonical import canonical_request, canonical_response
    from functions.exchange.jws import LocalSigner, sign_compact, sign_detached
    from functions.exchange.message_log import MessageEntry, stamped_digest
    from platform_common.hash_chain import GENESIS_HASH, canonical_json

    client_member, provider_member, exchange = LocalSigner.generate(), LocalSigner.generate(), LocalSigner.generate()
    client, provider = "JP-DEV/COM/8999900000001/accounting-system", "JP-DEV/GOV/2999920000003/gbizinfo"
    rows: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(1, entries + 1):
        message_id = f"bench-{(seq + 1) // 2:08d}"
        if seq % 2:
            direction, outcome, signer, member = "request", "forwarded", client_member, "JP-DEV/COM/8999900000001"
            message = canonical_request(
                "GET", f"/r1/{provider}/hojin-info/8999900000001", {}, client, message_id, "2025-04-01T00:00:00Z", b""
            )
        else:
            direction, outcome, signer, member = "response", "ok", provider_member, "JP-DEV/GOV/2999920000003"
            message = canonical_response(200, message_id, b'{"name":"x"}')
        digest = hashlib.sha256(message).hexdigest()
        signature = sign_detached(message, signer)
        stamp_payload = json.dumps({"hash": stamped_digest(digest, signature), "time": "2025-04-01T00:00:00Z"})
        timestamp = sign_compact(stamp_payload.encode(), exchange, {"typ": "exchange-timestamp+jws"})
        draft = MessageEntry(
            seq,
            f"2025-04-01T00:00:{seq % 60:02d}.000000Z",
            message_id,
            client,
            provider,
            "hojin-info",
            direction,
            outcome,
            message.decode(),
            digest,
            member,
            signature,
            timestamp,
            prev,  # type: ignore[arg-type]
        )
        entry = replace(draft, hash=draft.compute_hash())
        rows.append(entry.to_json())
        prev = entry.hash
    document: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "instance": "JP-DEV",
        "exported_at": "2025-04-02T00:00:00Z",
        "selection": {"since": "2025-04-01T00:00:00Z", "until": "2025-04-02T00:00:00Z"},
        "segments": [{"anchor": None, "entries": rows}],
        "member_keys": {
            "JP-DEV/COM/8999900000001": [client_member.public_jwk],
            "JP-DEV/GOV/2999920000003": [provider_member.public_jwk],
        },
        "exchange_key": exchange.public_jwk,
    }
    signature = sign_detached(canonical_json(document), exchange, {"typ": BUNDLE_TYPE})
    return {**document, "signature": signature}, exchange.public_jwk


def bundle_verification(entries: int) -> None:
    from devstack.exchange_log import verify_bundle

    started = time.perf_counter()
    bundle, trusted = bundle_of(entries)
    made = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        path.write_text(json.dumps(bundle), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        started = time.perf_counter()
        loaded = json.loads(path.read_text(encoding="utf-8"))
        summary = verify_bundle(loaded, trusted)
        took = time.perf_counter() - started
    assert summary["entries"] == entries
    print(f"\nOffline verification of an exported message log ({entries:,} entries, {size_mb:.0f} MB JSON)")
    print(f"  made in {made:.1f} s; read + verified (hashes, links, {entries:,} signatures, {entries:,} timestamps,")
    print(f"  the bundle signature) in {took:.2f} s = {entries / took:,.0f} entries/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    round_trips(args.calls)
    bundle_verification(args.entries)


if __name__ == "__main__":
    main()
