"""The malware-scan hook: one protocol, the cloud's GuardDuty result, and a signature scanner for local runs.

In the cloud, GuardDuty Malware Protection for S3 scans each new object of the attachments bucket and tags
it ``GuardDutyMalwareScanStatus``: the :class:`GuardDutyTagScanner` reads that tag (no tag yet: the scan is
still running). The devstack and the tests have no GuardDuty: :class:`SignatureScanner` flags the EICAR
anti-virus test file, so the quarantine path runs end to end. ``MALWARE_SCANNER`` chooses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Protocol

from platform_common import aws

GUARDDUTY_TAG: Final = "GuardDutyMalwareScanStatus"
# The EICAR test file (eicar.org): kept in two halves so this source file is not itself reported.
EICAR: Final = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class Verdict(StrEnum):
    CLEAN = "CLEAN"
    INFECTED = "INFECTED"
    PENDING = "PENDING"  # not scanned yet: ask again
    FAILED = "FAILED"  # the scanner could not judge the object: it is not served either


class MalwareScanner(Protocol):
    def scan(self, bucket: str, key: str, body: bytes) -> Verdict: ...


class SignatureScanner:
    """Flags any object containing the EICAR test signature."""

    def scan(self, bucket: str, key: str, body: bytes) -> Verdict:
        return Verdict.INFECTED if EICAR in body else Verdict.CLEAN


class GuardDutyTagScanner:
    """Reads the result GuardDuty Malware Protection for S3 leaves on the object."""

    RESULTS: Final = {
        "NO_THREATS_FOUND": Verdict.CLEAN,
        "THREATS_FOUND": Verdict.INFECTED,
        "UNSUPPORTED": Verdict.FAILED,
        "ACCESS_DENIED": Verdict.FAILED,
        "FAILED": Verdict.FAILED,
    }

    def scan(self, bucket: str, key: str, body: bytes) -> Verdict:
        tags = aws.client("s3").get_object_tagging(Bucket=bucket, Key=key).get("TagSet", [])
        status = next((t["Value"] for t in tags if t["Key"] == GUARDDUTY_TAG), None)
        if status is None:
            return Verdict.PENDING
        return self.RESULTS.get(status, Verdict.FAILED)


def scanner_named(name: str) -> MalwareScanner:
    if name == "guardduty":
        return GuardDutyTagScanner()
    if name == "signature":
        return SignatureScanner()
    raise ValueError(f"unknown malware scanner {name!r}")
