"""Lambda functions of the devstack's moto, run in this process.

moto runs a state machine for real (``execute_state_machine``), but its Lambda service can only run a function's
code in Docker. The devstack has no Docker: each function of a ``FunctionSpec`` is created in moto's Lambda
(so a state machine's ``arn:aws:states:::lambda:invoke`` task and an S3 notification find it, exactly as in the
cloud) and :func:`install` makes moto's ``Invoke`` call the function's ``lambda_handler`` in this process, with
the payload as its event and a Lambda context (:mod:`devstack.events`). A handler that raises answers as Lambda
does: ``FunctionError: Unhandled`` and ``{errorType, errorMessage}``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import threading
import zipfile
from typing import Any, Final

from devstack.events import LambdaContext
from devstack.moto_caches import cache_moto_lookups
from devstack.moto_dynamodb import tune_dynamodb
from devstack.moto_stepfunctions import stop_waiting_executions
from devstack.naming import ACCOUNT_ID, physical_name
from infra.resource_specs import FunctionSpec
from platform_common import aws

FUNCTION_ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT_ID}:role/devstack-functions"
_handlers: dict[str, tuple[str, int]] = {}  # function name -> (handler module, timeout seconds)
_lock = threading.Lock()
_installed = False


def function_name(scope: str, spec: FunctionSpec) -> str:
    suffix = spec.service if spec.entry == "handler" else f"{spec.service}-{spec.entry}"
    return physical_name(scope, f"function-{suffix}").replace("_", "-")


def _placeholder_zip() -> bytes:
    """moto needs a deployment package; the code that runs is the module in this process."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "devstack: runs in process, see devstack/lambda_runtime.py\n")
    return buffer.getvalue()


def create_function(scope: str, spec: FunctionSpec) -> tuple[str, str]:
    """Create ``spec`` in moto's Lambda and route its invocations here; return (name, ARN)."""
    install()
    name = function_name(scope, spec)
    module, _, _ = spec.handler.rpartition(".")
    iam = aws.client("iam")
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(
            RoleName=FUNCTION_ROLE_ARN.rpartition("/")[2],
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
    arn: str = aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=FUNCTION_ROLE_ARN,
        Handler=spec.handler,
        Code={"ZipFile": _placeholder_zip()},
        Timeout=spec.timeout_seconds,
        MemorySize=spec.memory_mb,
    )["FunctionArn"]
    with _lock:
        _handlers[name] = (module, spec.timeout_seconds)
    return name, arn


def is_registered(name: str) -> bool:
    with _lock:
        return name in _handlers


def run_in_process(name: str, body: str | bytes | None) -> tuple[bytes, bool]:
    """Invoke the registered function ``name`` with ``body``; return (payload, failed)."""
    module_name, timeout = _handlers[name]
    event = json.loads(body) if body else {}
    try:
        handler = importlib.import_module(module_name).lambda_handler
        result = handler(event, LambdaContext(function_name=name, timeout_seconds=timeout))
    except Exception as exc:  # Lambda reports any error of the handler to its caller
        error = {"errorType": type(exc).__name__, "errorMessage": str(exc)[:1000]}
        return json.dumps(error).encode(), True
    return json.dumps(result, ensure_ascii=False, default=str).encode(), False


def install() -> None:
    """Route moto's Lambda ``Invoke`` of the functions created here to :func:`run_in_process` (once)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.awslambda.models import LambdaFunction

        original = LambdaFunction.invoke

        def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
            if self.function_name not in _handlers:
                return original(self, body, request_headers, response_headers)
            payload, failed = run_in_process(self.function_name, body)
            if failed:
                response_headers["x-amz-function-error"] = "Unhandled"
            return payload

        LambdaFunction.invoke = invoke  # type: ignore[method-assign]
        # No Docker here (the functions run in process): moto's data.json would otherwise try to reach it.
        LambdaFunction.docker_client = property(lambda self: None)  # type: ignore[assignment,method-assign]
        tune_dynamodb()
        cache_moto_lookups()
        stop_waiting_executions()
        _installed = True


INGEST_FUNCTION: Final = FunctionSpec(
    service="hojin_search",
    description="gBizINFO ingest of files handed in under incoming/",
    environment={},
    timeout_seconds=300,
    entry="ingest_handler",
)


def deliver_uploads_to_ingest(bucket: str) -> None:
    """Objects created under ``incoming/`` of the open-data bucket start the gBizINFO ingest, as EventBridge
    does in the cloud (``infra/constructs/ingest.py``): here an S3 notification to the in-process function."""
    name = function_name("opendata", INGEST_FUNCTION)
    s3 = aws.client("s3")
    try:
        arn = aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        with _lock:
            _handlers[name] = ("functions.hojin_search.ingest_handler", INGEST_FUNCTION.timeout_seconds)
    except aws.client("lambda").exceptions.ResourceNotFoundException:
        _, arn = create_function("opendata", INGEST_FUNCTION)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
                }
            ]
        },
    )


def stop_delivering_uploads(bucket: str) -> None:
    aws.client("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
