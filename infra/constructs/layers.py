"""The two layers every zip function of a stack uses: shared platform code and third-party dependencies."""

from __future__ import annotations

from aws_cdk import AssetHashType, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.packaging import build_dependency_layer, stage_common_layer

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64


class LayersConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        self.common = lambda_.LayerVersion(
            self,
            "Common",
            code=lambda_.Code.from_asset(str(stage_common_layer())),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="platform_common: code shared by the platform's services",
            removal_policy=RemovalPolicy.DESTROY,
        )
        deps_dir, deps_hash = build_dependency_layer()
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            # The directory is named by the hash of its inputs: no need to fingerprint ~50 MB on each synth.
            code=lambda_.Code.from_asset(str(deps_dir), asset_hash=deps_hash, asset_hash_type=AssetHashType.CUSTOM),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="Third-party packages pinned in infra/lambda_requirements.txt",
            removal_policy=RemovalPolicy.DESTROY,
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        return [self.common, self.dependencies]
