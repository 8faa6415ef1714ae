"""What a ministry's jGrants does without a request: its hourly run, its EBPM table, its first operators.

- An EventBridge rule invokes the submit function every hour with a scheduled event; the function then
  appends pending audit events, retries unsent mail and mails saved-search alerts
  (``functions/submit/schedule.py``). The same rule invokes the EBPM export function (a container image:
  pyarrow), which refreshes the export (``functions/submit/ebpm_handler.py``).
- A Glue database and table over the EBPM Parquet export in the ministry's ``analytics`` bucket, for Athena.
- The first operators (``-c ministry_operators=<sub>,…``): one custom resource per account writes its
  ``STAFF#<sub>`` item only if absent (a later deploy never undoes the operators' own changes) and a pending
  audit event, which the next hourly run appends to the ministry's audit chain.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.nag import acknowledge

EBPM_PREFIX = "ebpm/applications/"
PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"  # aws-cdk-lib's fixed id of the AwsCustomResource provider
# The columns of functions/submit/ebpm.py's SCHEMA (GLUE_COLUMNS there; a test keeps the two equal). The CDK
# app does not import the function code.
EBPM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ministry", "string"),
    ("application_id", "string"),
    ("subsidy_id", "string"),
    ("subsidy_title", "string"),
    ("status", "string"),
    ("prefecture", "string"),
    ("prefecture_source", "string"),
    ("industry", "string"),
    ("employee_size", "string"),
    ("requested_amount", "bigint"),
    ("awarded_amount", "bigint"),
    ("decision", "string"),
    ("via_mandate", "boolean"),
    ("submitted_date", "date"),
    ("decided_date", "date"),
    ("fiscal_year", "int"),
)
_PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
_PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
_PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


class MinistryJobsConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        export_function: lambda_.IFunction,
        applications_table_name: str,
        applications_table_arn: str,
        analytics_bucket: s3.IBucket,
        database_name: str,
        operators: Sequence[str],
    ):
        super().__init__(scope, construct_id)

        # -- the hourly run ---------------------------------------------------------------------------------
        self.rule = events.Rule(
            self,
            "HourlyRun",
            description="jGrants: pending audit events, unsent mail, saved-search alerts, EBPM export",
            schedule=events.Schedule.rate(Duration.hours(1)),
        )
        # Every job of the run is idempotent: a retried run does no harm, a lost one is caught up next hour.
        # The EBPM export is a function of its own (a container image with pyarrow) on the same rule.
        for target in (function, export_function):
            self.rule.add_target(targets.LambdaFunction(target, retry_attempts=2, max_event_age=Duration.hours(1)))

        # -- the EBPM table ---------------------------------------------------------------------------------
        stack = Stack.of(self)
        database = glue.CfnDatabase(
            self,
            "EbpmDatabase",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name,
                description="jGrants EBPM: applications and decisions without personal data (docs/ebpm.md)",
            ),
        )
        self.table = glue.CfnTable(
            self,
            "EbpmApplications",
            catalog_id=stack.account,
            database_name=database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name="applications",
                table_type="EXTERNAL_TABLE",
                parameters={"classification": "parquet", "EXTERNAL": "TRUE"},
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=f"s3://{analytics_bucket.bucket_name}/{EBPM_PREFIX}",
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in EBPM_COLUMNS],
                    input_format=_PARQUET_INPUT,
                    output_format=_PARQUET_OUTPUT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=_PARQUET_SERDE),
                ),
            ),
        )
        self.table.node.add_dependency(database)

        # -- the first operators ----------------------------------------------------------------------------
        for sub in operators:
            self._bootstrap_operator(sub, applications_table_name, applications_table_arn)
        provider = stack.node.try_find_child(PROVIDER_ID)  # the stack-wide function behind every AwsCustomResource
        if provider is not None:
            acknowledge(
                provider,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "CDK's AwsCustomResource provider uses AWSLambdaBasicExecutionRole for its own logs only.",
            )

    def _bootstrap_operator(self, sub: str, table_name: str, table_arn: str) -> None:
        staff = {
            "pk": {"S": f"STAFF#{sub}"},
            "sk": {"S": "STAFF"},
            "gsi1pk": {"S": "STAFF"},
            "gsi1sk": {"S": f"operator#{sub}"},
            "role": {"S": "operator"},
            "name": {"S": "operator named at deployment"},
        }
        # functions/submit/pending_audit.py's item: the next hourly run appends it to the audit chain.
        pending = {
            "pk": {"S": f"AUDITPENDING#bootstrap-{sub}"},
            "sk": {"S": "AUDITPENDING"},
            "gsi1pk": {"S": "AUDITPENDING"},
            "gsi1sk": {"S": f"0#bootstrap-{sub}"},
            "kind": {"S": "staff.added"},
            "created": {"S": "0"},
            "subject_sub": {"S": sub},
            "detail": {"M": {"role": {"S": "operator"}, "source": {"S": "cdk context ministry_operators"}}},
        }
        call = cr.AwsSdkCall(
            service="DynamoDB",
            action="transactWriteItems",
            parameters={
                "TransactItems": [
                    {
                        "Put": {
                            "TableName": table_name,
                            "Item": staff,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": table_name, "Item": pending}},
                ]
            },
            physical_resource_id=cr.PhysicalResourceId.of(f"ministry-operator-{sub}"),
            # Already registered (a re-deploy, or the operators changed it since): leave it as it is.
            ignore_error_codes_matching="TransactionCanceledException",
        )
        cr.AwsCustomResource(
            self,
            f"Operator-{sub}",
            on_create=call,
            on_update=call,
            install_latest_aws_sdk=False,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[table_arn])]
            ),
        )
