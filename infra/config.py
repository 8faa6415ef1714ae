"""Stage and ministry settings of the CDK app: read once from the context, validated, typed."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

DEFAULT_REGION = "ap-northeast-1"
PROJECT = "CorpPlatform"

_MINISTRY_NAME = re.compile(r"^[a-z]{2,12}$")
_STAGE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")  # the same rule as platform_common.settings
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
_HTTPS_ORIGIN = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_MAIL_ADDRESS = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DEFAULT_MAIL_FROM = "no-reply@gbizid.example.jp"
SparqlEngineName = Literal["embedded", "neptune"]
SPARQL_ENGINES: tuple[SparqlEngineName, ...] = ("embedded", "neptune")
# Lambda allows 4 KB of environment in all; the trust anchors must leave room for the other variables.
TRUST_ANCHORS_MAX_BYTES = 3072


class ConfigError(ValueError):
    """A context value is missing or malformed; the message names the context key and the rule."""


@dataclass(frozen=True)
class ApiThrottle:
    rate_limit: float = 100.0  # steady requests per second per API stage
    burst_limit: int = 200


@dataclass(frozen=True)
class PlatformConfig:
    stage: str
    ministries: tuple[str, ...]
    region: str
    account: str | None = None
    issuer_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM  # sender of gBizID's notification mail; its domain is verified in SES
    api_throttle: ApiThrottle = ApiThrottle()
    # PEM of the CAs whose certificates may sign online Prime applications (context 'prime_trust_anchors')
    prime_trust_anchors_pem: str | None = None
    # The origin gBizINFO's pages are served at (context 'hojin_public_url'): the token page's redirect URI
    # {hojin_public_url}/hojin/tokens/callback is registered for it at gBizID's OpenID Provider
    hojin_public_url: str | None = None
    # The origin the data exchange's portal pages are served at (context 'exchange_public_url'): the redirect URI
    # {exchange_public_url}/exchange/callback is registered for client exchange-portal at gBizID
    exchange_public_url: str | None = None
    # The origin of each ministry's jGrants pages (context 'jgrants_public_url', "{ministry}" replaced by the
    # ministry's name): {origin}/jgrants/callback is registered at gBizID for client jgrants-<ministry>
    jgrants_public_url: str | None = None
    # The first operators of each ministry's jGrants (context 'ministry_operators': "<sub>,<ministry>:<sub>")
    ministry_operators: tuple[tuple[str | None, str], ...] = ()
    # The SPARQL endpoint's engine (context 'sparql_engine'): pyoxigraph inside the function, or Amazon Neptune
    sparql_engine: SparqlEngineName = "embedded"

    @classmethod
    def from_context(cls, context: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> PlatformConfig:
        """The config from CDK context (``-c key=value``); account and region may also come from the env."""
        env = os.environ if environ is None else environ
        stage = str(context.get("stage") or "dev")
        if not _STAGE_NAME.match(stage):
            raise ConfigError(
                f"context 'stage': {stage!r} is not a valid stage name: "
                "start with a lowercase letter, then up to 15 lowercase letters, digits or '-'"
            )
        account = _optional_str(context.get("account")) or _optional_str(env.get("CDK_DEFAULT_ACCOUNT"))
        if account is not None and not _ACCOUNT_ID.match(account):
            raise ConfigError(f"context 'account': {account!r} is not a 12-digit AWS account id")
        region = _optional_str(context.get("region")) or _optional_str(env.get("CDK_DEFAULT_REGION")) or DEFAULT_REGION
        if not _REGION_NAME.match(region):
            raise ConfigError(f"context 'region': {region!r} is not an AWS region name such as ap-northeast-1")
        issuer_url = _optional_str(context.get("issuer_url"))
        if issuer_url is not None and not issuer_url.startswith("https://"):
            raise ConfigError(f"context 'issuer_url': {issuer_url!r} must be an https:// URL")
        hojin_public_url = _optional_str(context.get("hojin_public_url"))
        if hojin_public_url is not None and not _HTTPS_ORIGIN.match(hojin_public_url.rstrip("/")):
            raise ConfigError(
                f"context 'hojin_public_url': {hojin_public_url!r} must be an https:// origin without a path, "
                "such as https://info.gbiz.example.jp"
            )
        exchange_public_url = _optional_str(context.get("exchange_public_url"))
        if exchange_public_url is not None and not _HTTPS_ORIGIN.match(exchange_public_url.rstrip("/")):
            raise ConfigError(
                f"context 'exchange_public_url': {exchange_public_url!r} must be an https:// origin without a path, "
                "such as https://exchange.gbiz.example.jp"
            )
        jgrants_public_url = _optional_str(context.get("jgrants_public_url"))
        if jgrants_public_url is not None and not _HTTPS_ORIGIN.match(
            jgrants_public_url.rstrip("/").replace("{ministry}", "ministry")
        ):
            raise ConfigError(
                f"context 'jgrants_public_url': {jgrants_public_url!r} must be an https:// origin without a path, "
                "where {ministry} stands for the ministry's name, such as https://{ministry}.jgrants.example.jp"
            )
        mail_from = _optional_str(context.get("mail_from")) or DEFAULT_MAIL_FROM
        if not _MAIL_ADDRESS.match(mail_from):
            raise ConfigError(
                f"context 'mail_from': {mail_from!r} is not an e-mail address such as {DEFAULT_MAIL_FROM}"
            )
        return cls(
            stage=stage,
            ministries=parse_ministries(context.get("ministries")),
            region=region,
            account=account,
            issuer_url=issuer_url.rstrip("/") if issuer_url else None,
            mail_from=mail_from,
            prime_trust_anchors_pem=read_trust_anchors(_optional_str(context.get("prime_trust_anchors"))),
            sparql_engine=parse_sparql_engine(context.get("sparql_engine")),
            hojin_public_url=hojin_public_url.rstrip("/") if hojin_public_url else None,
            exchange_public_url=exchange_public_url.rstrip("/") if exchange_public_url else None,
            jgrants_public_url=jgrants_public_url.rstrip("/") if jgrants_public_url else None,
            ministry_operators=parse_ministry_operators(context.get("ministry_operators")),
        )

    def jgrants_origin(self, ministry: str) -> str | None:
        """Where the ministry's jGrants pages are served, if configured."""
        return self.jgrants_public_url.replace("{ministry}", ministry) if self.jgrants_public_url else None

    def operators_of(self, ministry: str) -> tuple[str, ...]:
        """The gBizID subs named as first operators of ``ministry`` (unprefixed ones are every ministry's)."""
        return tuple(sub for name, sub in self.ministry_operators if name in (None, ministry))


def parse_sparql_engine(value: object) -> SparqlEngineName:
    """``embedded`` (the default) or ``neptune`` (``-c sparql_engine=neptune``)."""
    name = _optional_str(value) or "embedded"
    for engine in SPARQL_ENGINES:
        if name == engine:
            return engine
    raise ConfigError(f"context 'sparql_engine': {name!r} is not an engine: use one of {', '.join(SPARQL_ENGINES)}")


def read_trust_anchors(path: str | None) -> str | None:
    """The PEM bundle at ``path`` (context 'prime_trust_anchors'), read at synth and checked: one or more
    X.509 CA certificates, nothing else, small enough for the function's environment. ``None`` when unset."""
    if path is None:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    key = "context 'prime_trust_anchors'"
    file = Path(path).expanduser()
    try:
        data = file.read_bytes()
    except OSError as error:
        raise ConfigError(f"{key}: cannot read {path!r} ({error.strerror or error})") from error
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError as error:
        raise ConfigError(f"{key}: {path!r} is not a PEM file of X.509 certificates ({error})") from error
    for certificate in certificates:
        try:
            constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            constraints = None
        if constraints is None or not constraints.ca:
            subject = certificate.subject.rfc4514_string()
            raise ConfigError(f"{key}: the certificate {subject!r} in {path!r} is not a CA certificate")
    pem = "".join(certificate.public_bytes(Encoding.PEM).decode("ascii") for certificate in certificates)
    if len(pem.encode("ascii")) > TRUST_ANCHORS_MAX_BYTES:
        raise ConfigError(
            f"{key}: {len(certificates)} certificates take {len(pem)} bytes of PEM; "
            f"at most {TRUST_ANCHORS_MAX_BYTES} fit into the function's environment"
        )
    return pem


_SUB = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")


def parse_ministry_operators(value: object) -> tuple[tuple[str | None, str], ...]:
    """``"<sub>,meti:<sub>"`` → ((None, sub), ("meti", sub)): gBizID subs, optionally for one ministry only."""
    if value is None or value == "":
        return ()
    if not isinstance(value, str):
        raise ConfigError(f"context 'ministry_operators': expected '<sub>,<ministry>:<sub>', got {value!r}")
    found: list[tuple[str | None, str]] = []
    for entry in (part.strip() for part in value.split(",")):
        ministry, _, sub = entry.rpartition(":")
        if (ministry and not _MINISTRY_NAME.match(ministry)) or not _SUB.match(sub):
            raise ConfigError(
                f"context 'ministry_operators': {entry!r} is not a gBizID sub (letters, digits, '-', '_') "
                "or <ministry>:<sub>"
            )
        found.append((ministry or None, sub))
    return tuple(dict.fromkeys(found))


def parse_ministries(value: object) -> tuple[str, ...]:
    """``"meti,mhlw"`` (from ``-c ministries=meti,mhlw``) or a list of names, each checked and unique."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",")]
    elif isinstance(value, list | tuple):
        names = [str(part).strip() for part in value]
    else:
        raise ConfigError(f"context 'ministries': expected a comma-separated string such as 'meti,mhlw', got {value!r}")
    seen: set[str] = set()
    for name in names:
        if not _MINISTRY_NAME.match(name):
            raise ConfigError(
                f"context 'ministries': {name!r} is not a valid ministry name: "
                "use 2 to 12 lowercase letters a-z, as in -c ministries=meti,mhlw"
            )
        if name in seen:
            raise ConfigError(f"context 'ministries': {name!r} is named more than once")
        seen.add(name)
    return tuple(names)


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
