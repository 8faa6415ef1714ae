"""SNS topics from TopicSpec: encrypted with the stack's data key, publishing over TLS only."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.resource_specs import TopicSpec


class TopicsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, specs: tuple[TopicSpec, ...], data_key: kms.IKey):
        super().__init__(scope, construct_id)
        self.topics: dict[str, sns.Topic] = {
            spec.id: sns.Topic(self, spec.id, master_key=data_key, enforce_ssl=True) for spec in specs
        }
