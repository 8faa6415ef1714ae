"""Export the exchange's message log as a signed bundle, and verify a bundle offline.

    python -m devstack.exchange_log export --message-id ID [--endpoint devstack] > bundle.json
    python -m devstack.exchange_log export --since 2025-04-01T00:00:00Z --until 2025-04-02T00:00:00Z > bundle.json
    python -m devstack.exchange_log trust [--endpoint devstack] > exchange-public.jwk
    python -m devstack.exchange_log verify bundle.json --trust exchange-public.jwk

``export`` reads the log with the caller's AWS credentials (``--endpoint devstack``: the running devstack's,
from ``.devstack/demo.json``). A bundle holds runs of consecutive entries, each with the entry before it (its
anchor, so the first link can be checked), the members' public keys and the exchange's key, and is signed by the
exchange's key. ``verify`` needs nothing but the bundle and the exchange key you trust: it recomputes every hash,
checks every link, every message signature against the bundled member keys, every timestamp and the bundle's
own signature; it prints the first failure and exits 1, or a summary and exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from functions.exchange.jws import JwsError, key_directory, public_key_of, sign_detached, verify_detached
from functions.exchange.message_log import MessageEntry, MessageLog, check_links, stamped_digest
from functions.exchange.protocol import UNDELIVERED  # an answer KMS could not sign: unsigned, stamped if it could
from functions.exchange.signing import verify_timestamp
from platform_common.hash_chain import GENESIS_HASH, canonical_json

BUNDLE_FORMAT: Final = "exchange-message-log-bundle/1"
BUNDLE_TYPE: Final = "exchange-log-bundle+jws"
REFUSALS: Final = frozenset({"denied", "consent-required", "replay", "member-key-missing"})


class BundleInvalid(ValueError):
    pass


# ------------------------------------------------------------------------------------------------- export


def _use_devstack(demo_file: Path) -> None:
    demo = json.loads(demo_file.read_text(encoding="utf-8"))
    os.environ.update(demo["aws"]["environment"])
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": demo["aws"]["endpoint_url"],
            "AWS_DEFAULT_REGION": demo["aws"]["region"],
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "devstack"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "devstack"),
        }
    )


def _runs(seqs: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sequence numbers: [1, 2, 3, 7, 8] → [(1, 3), (7, 8)]."""
    runs: list[tuple[int, int]] = []
    for seq in sorted(set(seqs)):
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs


def export_bundle(
    log: MessageLog,
    instance: str,
    exchange_key_id: str,
    *,
    message_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> dict[str, Any]:
    from functions.exchange.directory import member_keys
    from functions.exchange.signing import KmsSigner, kms_public_jwk

    if message_id:
        runs = _runs(log.seqs_of_message(message_id))
        selection: dict[str, str] = {"message_id": message_id}
    elif since and until:
        found = log.seq_range_between(since, until)
        runs = [found] if found else []
        selection = {"since": since, "until": until}
    else:
        raise ValueError("export needs a message id, or both since and until")
    segments = []
    for first, last in runs:
        anchor = log.entry(first - 1)
        entries = [entry.to_json() for entry in log.entries(first, last)]
        segments.append({"anchor": anchor.to_json() if anchor else None, "entries": entries})
    document: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "instance": instance,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "selection": selection,
        "segments": segments,
        "member_keys": member_keys(instance),
        "exchange_key": kms_public_jwk(exchange_key_id),
    }
    signature = sign_detached(canonical_json(document), KmsSigner(exchange_key_id), {"typ": BUNDLE_TYPE})
    return {**document, "signature": signature}


# ------------------------------------------------------------------------------------------------- verify


def _check_entry(entry: MessageEntry, members: Mapping[str, Any], exchange_keys: Mapping[str, Any]) -> None:
    if hashlib.sha256(entry.message.encode("utf-8")).hexdigest() != entry.message_hash:
        raise BundleInvalid(f"entry {entry.seq}: the message does not match its hash")
    if entry.signer:
        try:
            verify_detached(entry.signature, entry.message.encode("utf-8"), members.get(entry.signer, {}))
        except JwsError as exc:
            raise BundleInvalid(f"entry {entry.seq}: the signature of {entry.signer} does not verify ({exc})") from exc
    elif entry.outcome not in REFUSALS and entry.outcome != UNDELIVERED:
        raise BundleInvalid(f"entry {entry.seq}: a {entry.outcome} message must be signed")
    if entry.outcome == UNDELIVERED and not entry.timestamp:
        return  # its hash and its links are checked with the chain
    try:
        verify_timestamp(entry.timestamp, stamped_digest(entry.message_hash, entry.signature), exchange_keys)
    except (JwsError, ValueError) as exc:
        raise BundleInvalid(f"entry {entry.seq}: the timestamp does not verify ({exc})") from exc


def verify_bundle(bundle: Mapping[str, Any], trusted: Mapping[str, Any]) -> dict[str, Any]:
    """Every check of the module docstring; raises :class:`BundleInvalid` at the first failure."""
    if bundle.get("format") != BUNDLE_FORMAT:
        raise BundleInvalid(f"not a {BUNDLE_FORMAT} bundle")
    try:
        exchange_keys = {str(trusted["kid"]): public_key_of(trusted)}
        unsigned = {name: value for name, value in bundle.items() if name != "signature"}
        verify_detached(str(bundle.get("signature", "")), canonical_json(unsigned), exchange_keys)
    except (JwsError, KeyError) as exc:
        raise BundleInvalid(f"the bundle is not signed by the trusted exchange key ({exc})") from exc
    members = {name: key_directory({"keys": list(keys)}) for name, keys in bundle["member_keys"].items()}
    checked = 0
    for segment in bundle["segments"]:
        entries = [MessageEntry.from_json(raw) for raw in segment["entries"]]
        anchor_raw = segment.get("anchor")
        if anchor_raw is None:
            if entries and entries[0].seq != 1:
                raise BundleInvalid(f"entry {entries[0].seq}: no anchor, yet not the first entry of the log")
            anchor_hash = GENESIS_HASH
        else:
            anchor = MessageEntry.from_json(anchor_raw)
            if anchor.compute_hash() != anchor.hash or (entries and anchor.seq != entries[0].seq - 1):
                raise BundleInvalid(f"anchor {anchor.seq}: changed, or not the entry before the segment")
            anchor_hash = anchor.hash
        broken = check_links(anchor_hash, entries)
        if broken is not None:
            raise BundleInvalid(f"entry {broken[0]}: {broken[1]}")
        for entry in entries:
            _check_entry(entry, members, exchange_keys)
            checked += 1
    return {"ok": True, "entries": checked, "segments": len(bundle["segments"]), "selection": bundle["selection"]}


# ------------------------------------------------------------------------------------------------- command


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.exchange_log", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write a signed bundle to stdout")
    chosen = export.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--message-id")
    chosen.add_argument("--since", help="ISO 8601 UTC, inclusive (with --until)")
    export.add_argument("--until", help="ISO 8601 UTC, exclusive")
    trust = commands.add_parser("trust", help="print the exchange's public JWK")
    for sub in (export, trust):
        sub.add_argument("--endpoint", choices=["devstack"], help="read the running devstack's log")
        sub.add_argument("--demo", default=".devstack/demo.json", help="the devstack's demo.json")
    verify = commands.add_parser("verify", help="verify a bundle offline")
    verify.add_argument("bundle", type=Path)
    verify.add_argument("--trust", type=Path, required=True, help="the exchange's public JWK (a file)")
    args = parser.parse_args(argv)

    if args.command == "verify":
        try:
            summary = verify_bundle(
                json.loads(args.bundle.read_text(encoding="utf-8")), json.loads(args.trust.read_text(encoding="utf-8"))
            )
        except (BundleInvalid, ValueError, KeyError, TypeError) as exc:
            sys.stdout.write(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False) + "\n")
            return 1
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return 0

    if args.endpoint == "devstack":
        _use_devstack(Path(args.demo))
    from functions.exchange.signing import kms_public_jwk

    key_id = os.environ["EXCHANGE_SIGNING_KEY_ID"]
    if args.command == "trust":
        sys.stdout.write(json.dumps(kms_public_jwk(key_id)) + "\n")
        return 0
    if args.since and not args.until:
        parser.error("--since needs --until")
    log = MessageLog(os.environ["REGISTRY_TABLE_NAME"], os.environ["MESSAGE_LOG_BUCKET_NAME"])
    instance = os.environ.get("XROAD_INSTANCE", "JP-DEV")
    bundle = export_bundle(log, instance, key_id, message_id=args.message_id, since=args.since, until=args.until)
    sys.stdout.write(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
