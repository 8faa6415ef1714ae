"""Identity stack options from the CDK context: the trust anchors of the online Prime path.

``-c prime_trust_anchors=<path to a PEM file>`` is read at synth, checked to hold X.509 CA certificates,
and reaches the auth function as ``PRIME_TRUST_ANCHORS_PEM``; a bad file stops the synth with an error
naming the context key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from cryptography import x509

from devstack.test_ca import issue_signing_certificate, make_ca
from infra.app import build_app, stack_name
from infra.config import TRUST_ANCHORS_MAX_BYTES, ConfigError, PlatformConfig


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="ascii")
    return str(path)


def _auth_environment(template: Template) -> dict[str, Any]:
    functions = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": "functions.auth.handler.lambda_handler"}}
    )
    (function,) = functions.values()
    variables: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
    return variables


def test_given_no_trust_anchor_context_when_configured_then_none_is_set() -> None:
    config = PlatformConfig.from_context({}, environ={})

    assert config.prime_trust_anchors_pem is None


def test_given_a_pem_file_of_two_cas_when_configured_then_both_certificates_are_kept(tmp_path: Path) -> None:
    first, second = make_ca("Anchor One"), make_ca("Anchor Two")
    path = _write(tmp_path, "anchors.pem", first.certificate_pem() + second.certificate_pem())

    config = PlatformConfig.from_context({"prime_trust_anchors": path}, environ={})

    assert config.prime_trust_anchors_pem is not None
    loaded = x509.load_pem_x509_certificates(config.prime_trust_anchors_pem.encode("ascii"))
    assert [c.subject.rfc4514_string() for c in loaded] == ["CN=Anchor One", "CN=Anchor Two"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not a certificate\n", "is not a PEM file of X.509 certificates"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "is not a PEM file of X.509"),
    ],
)
def test_given_a_file_without_certificates_when_configured_then_synth_stops_naming_the_key(
    tmp_path: Path, content: str, message: str
) -> None:
    path = _write(tmp_path, "bad.pem", content)

    with pytest.raises(ConfigError, match="context 'prime_trust_anchors'") as raised:
        PlatformConfig.from_context({"prime_trust_anchors": path}, environ={})
    assert message in str(raised.value)


def test_given_a_missing_file_when_configured_then_synth_stops_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="context 'prime_trust_anchors': cannot read"):
        PlatformConfig.from_context({"prime_trust_anchors": str(tmp_path / "absent.pem")}, environ={})


def test_given_an_end_entity_certificate_when_configured_then_it_is_refused_as_an_anchor(tmp_path: Path) -> None:
    """Given a representative's signing certificate (not a CA) named as the trust anchor, synth refuses it:
    a leaf certificate as anchor would let only that one key sign and hides a wrong file."""
    leaf = issue_signing_certificate(make_ca(), "経済 太郎")
    path = _write(tmp_path, "leaf.pem", leaf.certificate_pem())

    with pytest.raises(ConfigError, match="is not a CA certificate"):
        PlatformConfig.from_context({"prime_trust_anchors": path}, environ={})


def test_given_too_many_anchors_when_configured_then_the_environment_limit_is_named(tmp_path: Path) -> None:
    bundle = "".join(make_ca(f"Anchor {n}").certificate_pem() for n in range(8))
    assert len(bundle) > TRUST_ANCHORS_MAX_BYTES
    path = _write(tmp_path, "many.pem", bundle)

    with pytest.raises(ConfigError, match="fit into the function's environment"):
        PlatformConfig.from_context({"prime_trust_anchors": path}, environ={})


def test_given_the_context_when_the_app_synthesizes_then_the_auth_function_gets_the_anchors(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ca = make_ca("GビズID Anchor")
    path = _write(tmp_path, "anchor.pem", ca.certificate_pem())

    app = build_app({"prime_trust_anchors": path}, outdir=str(tmp_path_factory.mktemp("cdk.out.anchors")))
    template = Template.from_json(app.synth().get_stack_by_name(stack_name("Identity")).template)

    environment = _auth_environment(template)
    loaded = x509.load_pem_x509_certificate(environment["PRIME_TRUST_ANCHORS_PEM"].encode("ascii"))
    assert loaded == ca.certificate


def test_given_the_default_synth_then_no_anchor_is_configured(identity: Template) -> None:
    assert "PRIME_TRUST_ANCHORS_PEM" not in _auth_environment(identity)
