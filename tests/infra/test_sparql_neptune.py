"""The CDK option ``-c sparql_engine=neptune``: a Neptune cluster for the SPARQL endpoint, and its function.

The variant is synthesized once for this module (cdk-nag's AwsSolutions gate included: ``synth`` raises on any
finding not fixed or acknowledged with a reason).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.app import build_app, stack_name
from infra.config import ConfigError, PlatformConfig
from tests.infra.conftest import handler_of

SPARQL_PATHS = {"/hojin/sparql", "/hojin/sparql/query"}


@pytest.fixture(scope="module")
def neptune_stack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Given -c sparql_engine=neptune, when the app synthesizes with the cdk-nag gate, then it succeeds."""
    app = build_app({"sparql_engine": "neptune"}, outdir=str(tmp_path_factory.mktemp("cdk.out.neptune")))
    template: dict[str, Any] = app.synth().get_stack_by_name(stack_name("OpenData")).template
    return template


@pytest.fixture(scope="module")
def neptune_template(neptune_stack: dict[str, Any]) -> Template:
    return Template.from_json(neptune_stack)


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _only(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = _resources(template, kind).items()
    return found


def _sparql_function(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (k, r)
        for k, r in _resources(template, "AWS::Lambda::Function").items()
        if "NEPTUNE_ENDPOINT" in r["Properties"].get("Environment", {}).get("Variables", {})
    ]
    return found


def test_given_no_context_when_configured_then_the_engine_is_embedded() -> None:
    assert PlatformConfig.from_context({}, environ={}).sparql_engine == "embedded"
    assert PlatformConfig.from_context({"sparql_engine": "neptune"}, environ={}).sparql_engine == "neptune"


def test_given_an_unknown_engine_when_configured_then_synth_stops_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="context 'sparql_engine': 'virtuoso' is not an engine"):
        PlatformConfig.from_context({"sparql_engine": "virtuoso"}, environ={})


def test_given_the_default_synth_then_there_is_no_neptune_and_no_vpc(open_data: Template) -> None:
    open_data.resource_count_is("AWS::Neptune::DBCluster", 0)
    open_data.resource_count_is("AWS::EC2::VPC", 0)


def test_given_neptune_then_the_cluster_has_iam_auth_encryption_deletion_protection_backups_audit_logs(
    neptune_template: Template, neptune_stack: dict[str, Any]
) -> None:
    neptune_template.has_resource(
        "AWS::Neptune::DBCluster",
        {
            "Properties": Match.object_like(
                {
                    "IamAuthEnabled": True,
                    "StorageEncrypted": True,
                    "KmsKeyId": Match.any_value(),
                    "DeletionProtection": True,
                    "EnableCloudwatchLogsExports": ["audit"],
                }
            ),
            "DeletionPolicy": "Snapshot",
        },
    )
    _, cluster = _only(neptune_stack, "AWS::Neptune::DBCluster")
    assert cluster["Properties"]["BackupRetentionPeriod"] >= 7
    _, parameters = _only(neptune_stack, "AWS::Neptune::DBClusterParameterGroup")
    assert parameters["Properties"]["Parameters"]["neptune_enable_audit_log"] == 1


def test_given_neptune_then_it_lives_in_isolated_subnets_with_no_way_out(
    neptune_template: Template, neptune_stack: dict[str, Any]
) -> None:
    neptune_template.resource_count_is("AWS::EC2::NatGateway", 0)
    neptune_template.resource_count_is("AWS::EC2::InternetGateway", 0)
    _, subnets = _only(neptune_stack, "AWS::Neptune::DBSubnetGroup")
    assert len(subnets["Properties"]["SubnetIds"]) == 2  # two AZs
    endpoints = [r["Properties"] for r in _resources(neptune_stack, "AWS::EC2::VPCEndpoint").values()]
    assert {e["VpcEndpointType"] for e in endpoints} == {"Gateway"}
    assert any(".s3" in json.dumps(e["ServiceName"]) for e in endpoints)  # the loader's way to the N-Quads


def test_given_neptune_then_its_security_group_admits_only_the_sparql_function_on_the_cluster_port(
    neptune_stack: dict[str, Any],
) -> None:
    _, cluster = _only(neptune_stack, "AWS::Neptune::DBCluster")
    (cluster_group,) = cluster["Properties"]["VpcSecurityGroupIds"]
    cluster_group_id = cluster_group["Fn::GetAtt"][0]
    function_id, function = _sparql_function(neptune_stack)
    (function_group,) = function["Properties"]["VpcConfig"]["SecurityGroupIds"]

    group = neptune_stack["Resources"][cluster_group_id]["Properties"]
    assert not group.get("SecurityGroupIngress")  # no inline (CIDR) rules
    ingress = [
        r["Properties"]
        for r in _resources(neptune_stack, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [cluster_group_id, "GroupId"]}
    ]
    assert ingress == [
        {
            "IpProtocol": "tcp",
            "FromPort": 8182,
            "ToPort": 8182,
            "SourceSecurityGroupId": function_group,
            "GroupId": {"Fn::GetAtt": [cluster_group_id, "GroupId"]},
            "Description": "SPARQL from the SPARQL function",
        }
    ]
    assert function_id.startswith("SparqlNeptune")


def test_given_neptune_then_the_sparql_function_is_in_the_vpc_with_the_reader_endpoint(
    neptune_stack: dict[str, Any],
) -> None:
    _, function = _sparql_function(neptune_stack)
    properties = function["Properties"]
    _, cluster = _only(neptune_stack, "AWS::Neptune::DBCluster")
    cluster_id = next(k for k, r in neptune_stack["Resources"].items() if r is cluster)

    assert handler_of(properties) == "functions.hojin_search.handler.lambda_handler"
    assert len(properties["VpcConfig"]["SubnetIds"]) == 2
    endpoint = properties["Environment"]["Variables"]["NEPTUNE_ENDPOINT"]
    assert endpoint == {
        "Fn::Join": [":", [{"Fn::GetAtt": [cluster_id, "ReadEndpoint"]}, {"Fn::GetAtt": [cluster_id, "Port"]}]]
    }


def test_given_neptune_then_the_function_may_only_read_through_queries_on_this_cluster(
    neptune_stack: dict[str, Any],
) -> None:
    _, cluster = _only(neptune_stack, "AWS::Neptune::DBCluster")
    cluster_id = next(k for k, r in neptune_stack["Resources"].items() if r is cluster)
    statements = [
        s
        for policy in _resources(neptune_stack, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    neptune_statements = [s for s in statements if "neptune-db" in json.dumps(s["Action"])]

    assert [s["Action"] for s in neptune_statements] == ["neptune-db:ReadDataViaQuery"]
    resource = json.dumps(neptune_statements[0]["Resource"])
    assert f'["{cluster_id}", "ClusterResourceId"]' in resource
    assert resource.endswith('"/*"]]}')
    assert all("*" not in json.dumps(s["Action"]) for s in statements)


def test_given_neptune_then_the_loader_role_reads_only_the_bulk_prefix(neptune_stack: dict[str, Any]) -> None:
    _, cluster = _only(neptune_stack, "AWS::Neptune::DBCluster")
    (associated,) = cluster["Properties"]["AssociatedRoles"]
    role_id = associated["RoleArn"]["Fn::GetAtt"][0]
    role = neptune_stack["Resources"][role_id]["Properties"]
    (policy,) = [
        p["Properties"]
        for p in _resources(neptune_stack, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]

    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "rds.amazonaws.com"}
    by_action = {s["Action"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert set(by_action) == {"s3:GetObject", "s3:ListBucket", "kms:Decrypt"}
    assert json.dumps(by_action["s3:GetObject"]["Resource"]).endswith('"/bulk/*"]]}')
    assert by_action["s3:ListBucket"]["Condition"] == {"StringLike": {"s3:prefix": ["bulk/*"]}}
    assert "kms:ViaService" in by_action["kms:Decrypt"]["Condition"]["StringEquals"]


def test_given_neptune_then_only_the_sparql_routes_go_to_the_function_in_the_vpc(
    neptune_stack: dict[str, Any],
) -> None:
    function_id, _ = _sparql_function(neptune_stack)
    resources = neptune_stack["Resources"]

    def path_of(resource_id: str) -> str:
        parts: list[str] = []
        while resource_id in resources and resources[resource_id]["Type"] == "AWS::ApiGateway::Resource":
            properties = resources[resource_id]["Properties"]
            parts.insert(0, properties["PathPart"])
            parent = properties["ParentId"]
            resource_id = parent.get("Ref", "") if isinstance(parent, dict) else ""
        return "/" + "/".join(parts)

    to_sparql = set()
    for method in _resources(neptune_stack, "AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        if function_id in json.dumps(properties["Integration"].get("Uri")):
            to_sparql.add(path_of(properties["ResourceId"]["Ref"]))
    assert to_sparql == SPARQL_PATHS
