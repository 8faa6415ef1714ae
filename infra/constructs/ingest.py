"""gBizINFO ingest in the cloud: the S3-triggered function, its dead-letter queue, the Glue catalog over the
Parquet layout and the Athena workgroup.

A ministry's file lands under ``incoming/<ministry>/<category>/<name>.csv|json`` in the open-data bucket.
The bucket sends its events to EventBridge (a bucket property, not CDK's bucket-notification custom
resource, which would need its own function and a circular dependency between bucket and function); a rule
for "Object Created" under ``incoming/`` invokes the ingest function. The function runs the code of the
hojin_search image (or asset and layers) and environment of the API function; one ingest runs at a time
(reserved concurrency 1), which keeps the switch to a new search index a plain overwrite.

Glue tables describe the layout of docs/design/gbizinfo.md so that Athena runs the same SQL DuckDB runs on
one machine: ``corporations`` over ``parquet/corporations/`` and ``activities_<category>`` over
``parquet/activities/category=<category>/`` (each category has its own columns). A category table reads
every ``source=<id>/`` folder below its location, so a query needs no partition list and no crawler; the
``source`` of a row is in Athena's ``"$path"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.registry import ResourceRegistry
from infra.constructs.service_function import ServiceFunctionConstruct
from infra.nag import acknowledge
from infra.resource_specs import FunctionSpec, ResourceRef

INCOMING_PREFIX = "incoming/"
CORPORATIONS_PREFIX = "parquet/corporations/"
ACTIVITIES_PREFIX = "parquet/activities/"
CORPORATIONS_PREFIX = "parquet/corporations/"
INGEST_HANDLER = "functions.hojin_search.ingest_handler.lambda_handler"
INGEST_MEMORY_MB = 4096  # the index build holds the names and bitmaps of every corporation
INGEST_TIMEOUT_SECONDS = 900
INGEST_EPHEMERAL_MB = 4096  # Parquet and index files staged in /tmp
ATHENA_BYTES_SCANNED_CUTOFF = 100 * 1024**3  # a runaway query stops at 100 GB scanned

# The columns of parquet/corporations/*.parquet (devstack.synthdata CORPORATION_SCHEMA; a test keeps the two
# equal). The CDK app imports neither the devstack nor the function code.
CORPORATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("corporate_number", "string"),
    ("name", "string"),
    ("kana", "string"),
    ("name_en", "string"),
    ("kind", "string"),
    ("prefecture_code", "string"),
    ("prefecture_name", "string"),
    ("city_code", "string"),
    ("city_name", "string"),
    ("street", "string"),
    ("postal_code", "string"),
    ("location", "string"),
    ("representative_name", "string"),
    ("capital_stock", "bigint"),
    ("employee_number", "bigint"),
    ("founding_year", "int"),
    ("date_of_establishment", "string"),
    ("status", "string"),
    ("close_date", "string"),
    ("close_cause", "string"),
    ("update_date", "string"),
    ("industry", "array<string>"),
    ("business_summary", "string"),
)

# The columns of parquet/activities/category=<c>/ (the ingest writes them with
# functions.hojin_search.ingest.validate.arrow_schema; a test keeps the two equal).
ACTIVITY_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "subsidy": (
        ("corporate_number", "string"),
        ("title", "string"),
        ("amount", "bigint"),
        ("date_of_approval", "string"),
        ("government_departments", "string"),
        ("target", "string"),
    ),
    "procurement": (
        ("corporate_number", "string"),
        ("title", "string"),
        ("amount", "bigint"),
        ("date_of_order", "string"),
        ("government_departments", "string"),
        ("note", "string"),
    ),
    "certification": (
        ("corporate_number", "string"),
        ("title", "string"),
        ("category", "string"),
        ("date_of_approval", "string"),
        ("enterprise_scale", "string"),
        ("expiration_date", "string"),
        ("government_departments", "string"),
        ("target", "string"),
    ),
    "commendation": (
        ("corporate_number", "string"),
        ("title", "string"),
        ("category", "string"),
        ("date_of_commendation", "string"),
        ("government_departments", "string"),
        ("target", "string"),
    ),
    "finance": (
        ("corporate_number", "string"),
        ("period", "string"),
        ("accounting_standards", "string"),
        ("fiscal_year_cover_page", "string"),
        ("net_sales_summary_of_business_results", "bigint"),
        ("operating_revenue1_summary_of_business_results", "bigint"),
        ("ordinary_income_loss_summary_of_business_results", "bigint"),
        ("net_income_loss_summary_of_business_results", "bigint"),
        ("capital_stock_summary_of_business_results", "bigint"),
        ("net_assets_summary_of_business_results", "bigint"),
        ("total_assets_summary_of_business_results", "bigint"),
        ("number_of_employees", "bigint"),
    ),
    "patent": (
        ("corporate_number", "string"),
        ("patent_type", "string"),
        ("application_number", "string"),
        ("application_date", "string"),
        ("title", "string"),
        ("classification", "string"),
        ("url", "string"),
    ),
    "workplace": (
        ("corporate_number", "string"),
        ("date_of_report", "string"),
        ("average_age", "double"),
        ("average_continuous_service_years", "double"),
        ("month_average_predetermined_overtime_hours", "double"),
        ("female_workers_proportion", "double"),
        ("female_share_of_manager", "double"),
        ("number_of_maternity_leave", "bigint"),
        ("number_of_paternity_leave", "bigint"),
    ),
}
_PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
_PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
_PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


@dataclass(frozen=True)
class _IngestFunctionSpec(FunctionSpec):
    """The hojin_search asset with the ingest entry point instead of the API handler."""

    @property
    def handler(self) -> str:
        return INGEST_HANDLER


class IngestConstruct(Construct):
    """The ingest function, its trigger and dead-letter queue, the Glue catalog and the Athena workgroup."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_spec: FunctionSpec,
        registry: ResourceRegistry,
        layers: list[lambda_.ILayerVersion],
        stage: str,
        log_retention: logs.RetentionDays,
        extra_environment: dict[str, str],
        name_prefix: str,
    ):
        super().__init__(scope, construct_id)
        bucket = registry.buckets["open-data"]
        results = registry.buckets["athena-results"]
        data_key = bucket.encryption_key
        if data_key is None:
            raise ValueError("the open-data bucket must be KMS-encrypted: the Athena results use its key")

        # -- the function: same package and environment as the API function, another entry point ----------
        spec = _IngestFunctionSpec(
            service=api_spec.service,
            description="gBizINFO: ingest of ministry files (validation, Parquet, records, index, bulk files)",
            environment=api_spec.environment,
            reads=(),
            writes=(
                ResourceRef("table", "hojin"),
                ResourceRef("table", "changes"),
                ResourceRef("bucket", "open-data"),
            ),
            memory_mb=INGEST_MEMORY_MB,
            timeout_seconds=INGEST_TIMEOUT_SECONDS,
            package=api_spec.package,  # the same image (pyarrow, duckdb, pyroaring), another command
        )
        function = ServiceFunctionConstruct(
            self,
            "Function",
            spec=spec,
            registry=registry,
            layers=layers,
            stage=stage,
            log_retention=log_retention,
            extra_environment=extra_environment,
        )
        self.function = function.function
        cfn_function = self.function.node.default_child
        if not isinstance(cfn_function, lambda_.CfnFunction):
            raise TypeError("the ingest function has no CloudFormation resource")
        cfn_function.reserved_concurrent_executions = 1
        cfn_function.ephemeral_storage = lambda_.CfnFunction.EphemeralStorageProperty(size=INGEST_EPHEMERAL_MB)
        # A corrected file replaces the activity object of its source; a basic ingest replaces a generation of parts.
        parquet_policy = iam.Policy(
            self,
            "ParquetPolicy",
            roles=[function.role],
            statements=[
                iam.PolicyStatement(
                    actions=["s3:DeleteObject"],
                    resources=[
                        bucket.arn_for_objects(f"{ACTIVITIES_PREFIX}*"),
                        bucket.arn_for_objects(f"{CORPORATIONS_PREFIX}*"),  # parts of a replaced generation
                    ],
                ),
                # Public open data: listing all of it reveals nothing, and makes a missing source state or
                # index pointer a 404 (first ingest) rather than a 403.
                iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]),
            ],
        )
        acknowledge(
            parquet_policy,
            f"AwsSolutions-IAM5[Resource::<{registry.bucket_logical_id('open-data')}.Arn>/{ACTIVITIES_PREFIX}*]",
            "Deletes only the activity Parquet objects a corrected file replaces, named per category and source.",
        )
        acknowledge(
            parquet_policy,
            f"AwsSolutions-IAM5[Resource::<{registry.bucket_logical_id('open-data')}.Arn>/{CORPORATIONS_PREFIX}*]",
            "Deletes only the corporations Parquet parts of a generation the basic ingest has replaced.",
        )

        # -- the dead-letter queue: events EventBridge could not deliver and invocations that failed ---------
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter queue of the ingest function and of its EventBridge rule.",
        )
        self.function.configure_async_invoke(
            on_failure=destinations.SqsDestination(self.dead_letters),
            retry_attempts=2,
            max_event_age=Duration.hours(6),
        )

        # -- the trigger: the bucket's events through EventBridge ----------------------------------------------
        cfn_bucket = bucket.node.default_child
        if not isinstance(cfn_bucket, s3.CfnBucket):
            raise TypeError("the open-data bucket has no CloudFormation resource")
        cfn_bucket.add_property_override("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True)
        self.rule = events.Rule(
            self,
            "IncomingRule",
            description="A ministry file under incoming/ of the open-data bucket starts an ingest",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [bucket.bucket_name]},
                    "object": {"key": events.Match.prefix(INCOMING_PREFIX)},
                },
            ),
        )
        self.rule.add_target(
            targets.LambdaFunction(
                self.function,
                dead_letter_queue=self.dead_letters,
                retry_attempts=4,
                max_event_age=Duration.hours(6),
            )
        )

        # -- the Glue catalog over the Parquet layout ----------------------------------------------------------
        stack = Stack.of(self)
        self.database_name = f"{name_prefix}_opendata".lower().replace("-", "_")
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name,
                description="gBizINFO open data: corporations and activities as Parquet (docs/design/gbizinfo.md)",
            ),
        )
        self.tables: dict[str, glue.CfnTable] = {}
        layout = {"corporations": (CORPORATIONS_PREFIX, CORPORATION_COLUMNS)}
        for category, category_columns in ACTIVITY_COLUMNS.items():
            layout[f"activities_{category}"] = (f"{ACTIVITIES_PREFIX}category={category}/", category_columns)
        for table_name, (prefix, columns) in layout.items():
            table = glue.CfnTable(
                self,
                f"Table-{table_name}",
                catalog_id=stack.account,
                database_name=self.database_name,
                table_input=glue.CfnTable.TableInputProperty(
                    name=table_name,
                    table_type="EXTERNAL_TABLE",
                    parameters={"classification": "parquet", "EXTERNAL": "TRUE"},
                    storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                        location=f"s3://{bucket.bucket_name}/{prefix}",
                        columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in columns],
                        input_format=_PARQUET_INPUT,
                        output_format=_PARQUET_OUTPUT,
                        serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=_PARQUET_SERDE),
                    ),
                ),
            )
            table.node.add_dependency(database)
            self.tables[table_name] = table

        # -- the Athena workgroup: results encrypted with the stack's data key ---------------------------------
        results.add_lifecycle_rule(id="expire-query-results", expiration=Duration.days(30))
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=f"{name_prefix}-opendata",
            description="gBizINFO analytic queries over the open-data Parquet",
            recursive_delete_option=False,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=ATHENA_BYTES_SCANNED_CUTOFF,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{results.bucket_name}/results/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=data_key.key_arn
                    ),
                    expected_bucket_owner=Aws.ACCOUNT_ID,
                ),
            ),
        )
