"""One REST API per service, its resources and methods built from ``functions.route_table`` alone."""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from functions.route_table import Route, Service, routes_of
from infra.config import ApiThrottle
from infra.nag import acknowledge

_PATH_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\+?\}")


def path_parameters(route: Route) -> dict[str, bool]:
    """``{"method.request.path.<name>": True}`` for each ``{name}``/``{name+}`` segment of the route."""
    return {f"method.request.path.{name}": True for name in _PATH_PARAMETER.findall(route.path)}


class ServiceApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: Service,
        function: lambda_.IFunction,
        api_name: str,
        stage: str,
        throttle: ApiThrottle,
        log_retention: logs.RetentionDays,
        route_functions: Mapping[str, lambda_.IFunction] | None = None,
    ):
        """``route_functions`` sends the routes of some paths to another function than ``function``."""
        super().__init__(scope, construct_id)
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=log_retention, removal_policy=RemovalPolicy.RETAIN
        )
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=api_name,
            description=f"Public API of {service}; paths from functions/route_table.py",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # The account-level CloudWatch role is set once, by the Identity stack (ApiGatewayAccountConstruct).
            cloud_watch_role=False,
            deploy_options=apigw.StageOptions(
                stage_name=stage,
                tracing_enabled=True,
                throttling_rate_limit=throttle.rate_limit,
                throttling_burst_limit=throttle.burst_limit,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                metrics_enabled=True,
                data_trace_enabled=False,  # request bodies may carry personal data: never log them
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
        )
        # Body validation applies only to methods that declare a request model; the GET routes declare none,
        # so it costs nothing now and is in place when a route gains a body model.
        # The stack publishes the URL under a readable output name; drop RestApi's generated duplicate.
        self.api.node.try_remove_child("Endpoint")
        validator = self.api.add_request_validator(
            "RequestValidator", validate_request_parameters=True, validate_request_body=True
        )
        integration = apigw.LambdaIntegration(function, proxy=True, allow_test_invoke=False)
        other = {
            path: apigw.LambdaIntegration(target, proxy=True, allow_test_invoke=False)
            for path, target in (route_functions or {}).items()
        }
        self.routes = routes_of(service)
        for route in self.routes:
            self.api.root.resource_for_path(route.path).add_method(
                route.method,
                other.get(route.path, integration),
                authorization_type=apigw.AuthorizationType.NONE,
                request_validator=validator,
                request_parameters=path_parameters(route) or None,
            )
        self.api.add_usage_plan(
            "UsagePlan",
            name=f"{api_name}-default",
            description="Default throttle for every caller of this API stage",
            throttle=apigw.ThrottleSettings(rate_limit=throttle.rate_limit, burst_limit=throttle.burst_limit),
            api_stages=[apigw.UsagePlanPerApiStage(api=self.api, stage=self.api.deployment_stage)],
        )
        acknowledge(
            self.api,
            "AwsSolutions-APIG3",
            "No WAF web ACL yet: stage and usage-plan throttling bound the request rate, and the functions "
            "rate-limit authentication themselves; a regional WAF is an operator add-on (docs/operators).",
        )
        for method in self.api.methods:
            acknowledge(
                method,
                "AwsSolutions-APIG4",
                "Public routes by design (open data, OIDC discovery, health): the functions authenticate "
                "callers themselves with OIDC tokens or gBizINFO API tokens where a route needs it.",
            )
            acknowledge(
                method,
                "AwsSolutions-COG4",
                "Callers present tokens of the platform's own OpenID Provider or gBizINFO API tokens, not "
                "Cognito tokens; the functions verify them, so a Cognito authorizer cannot apply.",
            )

    @property
    def url(self) -> str:
        return self.api.url
