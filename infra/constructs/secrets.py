"""Secrets Manager secrets from SecretSpec: encrypted with the stack's data key, kept on stack deletion.

CloudFormation creates each secret with a random placeholder value; the operator puts the real value in
after deployment (``docs/operators/deploy.md``), so no secret passes through code, templates or environment.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.nag import acknowledge
from infra.resource_specs import SecretSpec


class SecretsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, specs: tuple[SecretSpec, ...], data_key: kms.IKey):
        super().__init__(scope, construct_id)
        self.secrets: dict[str, secretsmanager.Secret] = {}
        for spec in specs:
            secret = secretsmanager.Secret(
                self,
                spec.id,
                description=spec.description,
                encryption_key=data_key,
                removal_policy=RemovalPolicy.RETAIN,
            )
            acknowledge(
                secret,
                "AwsSolutions-SMG4",
                "The value is a credential registered elsewhere (a client secret issued by gBizID's OpenID Provider, "
                "or a data exchange client key whose public half is registered at the exchange); it is rotated by "
                "re-issuing or re-registering it there and putting the new value here, which no rotation Lambda "
                "can do.",
            )
            self.secrets[spec.id] = secret
