"""Lambda functions and their REST APIs: runtime, handler, layers, environment and every route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from functions.route_table import SERVICES, routes_of
from infra.app import stack_name
from infra.constructs.service_api import path_parameters
from infra.resource_specs import EXCHANGE, IDENTITY, OPEN_DATA, FunctionSpec, ministry
from tests.infra.conftest import Synthesized, handler_of

STACK_OF_SERVICE: dict[str, tuple[str, FunctionSpec]] = {
    "auth": (stack_name("Identity"), IDENTITY.functions[0]),
    "hojin_search": (stack_name("OpenData"), OPEN_DATA.functions[0]),
    "exchange": (stack_name("Exchange"), EXCHANGE.functions[0]),
    "submit": (stack_name("Ministry", "mhlw"), ministry("mhlw").functions[0]),
}


def test_every_service_has_a_stack() -> None:
    assert sorted(STACK_OF_SERVICE) == sorted(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_function_runs_python_312_on_arm64_with_both_layers_or_as_an_image(
    synthesized: Synthesized, service: str
) -> None:
    name, spec = STACK_OF_SERVICE[service]
    template = synthesized.template(name)
    handler = f"functions.{service}.handler.lambda_handler"

    # One function per service; the OpenData stack adds the S3-triggered ingest (tests/infra/test_ingest.py)
    # and each ministry its EBPM export (tests/infra/test_function_packages.py), each with another entry point.
    template.resource_count_is("AWS::Lambda::Function", 2 if service in ("hojin_search", "submit") else 1)
    package = (
        {"PackageType": "Image", "ImageConfig": {"Command": [handler]}}
        if spec.package == "image"
        else {"Runtime": "python3.12", "Handler": handler}
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            **package,
            "Architectures": ["arm64"],
            "TracingConfig": {"Mode": "Active"},
            "Environment": {
                "Variables": Match.object_like(
                    {
                        **{key: Match.any_value() for key in spec.environment},
                        "STAGE": "dev",
                        "POWERTOOLS_SERVICE_NAME": service,
                        "POWERTOOLS_METRICS_NAMESPACE": Match.any_value(),
                    }
                )
            },
        },
    )
    if spec.package == "image":
        return  # the image holds its packages (infra/lambda_data_requirements.txt)
    (function,) = template.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": handler}}).values()
    layers = template.find_resources("AWS::Lambda::LayerVersion")
    assert sorted(ref["Ref"] for ref in function["Properties"]["Layers"]) == sorted(layers)
    assert len(layers) == 2
    template.has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleArchitectures": ["arm64"], "CompatibleRuntimes": ["python3.12"]},
    )


def test_environment_names_resolve_to_resources_not_literals(meti: Template) -> None:
    (function,) = meti.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": "functions.submit.handler.lambda_handler"}}
    ).values()
    env = function["Properties"]["Environment"]["Variables"]
    (table_id,) = meti.find_resources(  # the applications table: the one keyed by pk and sk
        "AWS::DynamoDB::Table",
        {
            "Properties": {
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
            }
        },
    )
    (machine_id,) = meti.find_resources("AWS::StepFunctions::StateMachine")

    assert env["APPLICATIONS_TABLE_NAME"] == {"Ref": table_id}
    assert env["REVIEW_STATE_MACHINE_ARN"] == {"Ref": machine_id}


def test_hojin_search_writes_only_its_api_tokens_and_reads_the_records(open_data: Template) -> None:
    # The API function's role only: the ingest function (tests/infra/test_ingest.py) writes the records.
    (api_function,) = (
        f
        for f in open_data.find_resources("AWS::Lambda::Function").values()
        if handler_of(f["Properties"]) == OPEN_DATA.functions[0].handler
    )
    role = {"Ref": api_function["Properties"]["Role"]["Fn::GetAtt"][0]}
    statements: list[dict[str, Any]] = [
        s
        for policy in open_data.find_resources("AWS::IAM::Policy").values()
        if role in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    tables = open_data.find_resources("AWS::DynamoDB::Table")
    tokens_id = next(i for i, t in tables.items() if t["Properties"]["KeySchema"][0]["AttributeName"] == "token_hash")
    sessions_id = next(i for i, t in tables.items() if t["Properties"]["KeySchema"][0]["AttributeName"] == "pk")
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}

    def actions_of(statement: dict[str, Any]) -> set[str]:
        action = statement["Action"]
        return {action} if isinstance(action, str) else set(action)

    assert any("dynamodb:GetItem" in actions_of(s) for s in statements)
    for statement in statements:
        if actions_of(statement) & writes:
            # token issue, revocation and the per-token rate-limit bucket; the token page's browser sessions
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in map(json.dumps, resources):
                assert tokens_id in resource or sessions_id in resource, statement
    assert not any("dynamodb:*" in actions_of(s) for s in statements)
    # The token page's client secret: read only, that one secret
    (secret_id,) = open_data.find_resources("AWS::SecretsManager::Secret")
    reads = [s for s in statements if "secretsmanager:GetSecretValue" in actions_of(s)]
    assert [s["Resource"] for s in reads] == [{"Ref": secret_id}]
    assert not any(
        a.startswith("secretsmanager:")
        and a != "secretsmanager:GetSecretValue"
        and a != "secretsmanager:DescribeSecret"
        for s in statements
        for a in actions_of(s)
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_of_the_route_table_is_a_method_of_its_service_api(synthesized: Synthesized, service: str) -> None:
    name, _ = STACK_OF_SERVICE[service]
    raw = synthesized.raw(name)
    resources = raw["Resources"]

    def full_path(logical_id: str) -> str:
        resource = resources[logical_id]["Properties"]
        parent = resource["ParentId"]
        prefix = "" if "Fn::GetAtt" in parent else full_path(parent["Ref"])
        return f"{prefix}/{resource['PathPart']}"

    methods = set()
    for method in (r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Method"):
        resource_id = method["ResourceId"]
        path = "/" if "Fn::GetAtt" in resource_id else full_path(resource_id["Ref"])
        methods.add((method["HttpMethod"], path))
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert method["RequestValidatorId"]

    assert methods == {(route.method, route.path) for route in routes_of(service)}
    assert len([r for r in resources.values() if r["Type"] == "AWS::ApiGateway::RestApi"]) == 1


def test_templated_routes_require_their_path_parameters(open_data: Template) -> None:
    templated = [r for r in routes_of("hojin_search") if "{" in r.path]
    assert templated
    for route in templated:
        open_data.has_resource_properties("AWS::ApiGateway::Method", {"RequestParameters": path_parameters(route)})
    (record,) = (r for r in templated if r.path == "/hojin/v2/hojin/{corporate_number}")
    assert path_parameters(record) == {"method.request.path.corporate_number": True}


def test_api_stage_traces_throttles_and_writes_json_access_logs(meti: Template) -> None:
    meti.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "dev",
            "TracingEnabled": True,
            "AccessLogSetting": Match.object_like({"Format": Match.string_like_regexp(r'^\{"requestId"')}),
            "MethodSettings": Match.array_with(
                [
                    Match.object_like(
                        {"ThrottlingRateLimit": Match.any_value(), "ThrottlingBurstLimit": Match.any_value()}
                    )
                ]
            ),
        },
    )
    meti.has_resource_properties("AWS::ApiGateway::RestApi", {"Name": "CorpPlatform-dev-meti-submit"})


def test_only_open_data_sets_the_api_gateway_account_role(synthesized: Synthesized) -> None:
    for stack in synthesized.assembly.stacks:
        count = sum(r["Type"] == "AWS::ApiGateway::Account" for r in stack.template["Resources"].values())
        assert count == (1 if stack.stack_name == stack_name("OpenData") else 0), stack.stack_name


def test_api_urls_are_outputs(synthesized: Synthesized) -> None:
    for service, (name, _) in STACK_OF_SERVICE.items():
        outputs = synthesized.raw(name)["Outputs"]
        key = "".join(part.capitalize() for part in service.split("_")) + "ApiUrl"
        assert key in outputs, (name, sorted(outputs))
