"""KMS keys: the stack's data key (buckets, topics) and the keys a StackSpec declares."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.resource_specs import KeySpec

_KEY_SPECS = {
    "RSA_2048": kms.KeySpec.RSA_2048,
    "ECC_NIST_P256": kms.KeySpec.ECC_NIST_P256,
    "SYMMETRIC_DEFAULT": kms.KeySpec.SYMMETRIC_DEFAULT,
}
_KEY_USAGES = {"SIGN_VERIFY": kms.KeyUsage.SIGN_VERIFY, "ENCRYPT_DECRYPT": kms.KeyUsage.ENCRYPT_DECRYPT}


class KeysConstruct(Construct):
    """A customer-managed key per KeySpec; symmetric keys rotate (asymmetric keys cannot)."""

    def __init__(self, scope: Construct, construct_id: str, *, scope_name: str, specs: tuple[KeySpec, ...]):
        super().__init__(scope, construct_id)
        self.data_key = kms.Key(
            self,
            "data",
            description=f"{scope_name}: encrypts this stack's buckets and topics",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.keys: dict[str, kms.Key] = {}
        self.usages: dict[str, str] = {}
        for spec in specs:
            symmetric = spec.key_spec == "SYMMETRIC_DEFAULT"
            self.keys[spec.id] = kms.Key(
                self,
                spec.id,
                description=f"{scope_name}: {spec.description}",
                key_spec=_KEY_SPECS[spec.key_spec],
                key_usage=_KEY_USAGES[spec.usage],
                enable_key_rotation=symmetric,
                removal_policy=RemovalPolicy.RETAIN,
            )
            self.usages[spec.id] = spec.usage
