"""Approved awards reach gBizINFO: each ministry may put files under its own ingest prefix, and nothing else."""

from __future__ import annotations

import json

from aws_cdk.assertions import Template


def test_each_ministry_gets_a_put_only_policy_on_its_own_award_prefix(open_data: Template) -> None:
    policies = open_data.find_resources("AWS::IAM::ManagedPolicy")
    by_prefix = {}
    for policy in policies.values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        (put,) = (s for s in statements if s["Action"] == "s3:PutObject")
        resource = json.dumps(put["Resource"])
        by_prefix[resource.split('"/')[-1].split('"')[0]] = [s["Action"] for s in statements]

    assert set(by_prefix) >= {"incoming/meti/subsidy/*", "incoming/mhlw/subsidy/*"}
    assert all(set(actions) <= {"s3:PutObject", "kms:GenerateDataKey"} for actions in by_prefix.values())


def test_the_ministry_function_carries_its_own_award_policy_only(meti: Template) -> None:
    roles = meti.find_resources("AWS::IAM::Role")
    attached = [
        json.dumps(role["Properties"].get("ManagedPolicyArns", []))
        for role in roles.values()
        if "AwardPublishermeti" in json.dumps(role["Properties"].get("ManagedPolicyArns", []))
    ]
    assert len(attached) == 1  # the submit API function's role
    assert "mhlw" not in attached[0]
