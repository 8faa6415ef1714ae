"""gBizID's retry of notices SES or SNS refused: an EventBridge rule invokes the auth function every
15 minutes with a scheduled event, and the function sends what waits in its outbox
(``functions/auth/notice_outbox.py``)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

RETRY_MINUTES = 15


class NoticeRetryConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, function: lambda_.IFunction):
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Schedule",
            description="gBizID: send again the notices the mail or SMS service refused",
            schedule=events.Schedule.rate(Duration.minutes(RETRY_MINUTES)),
        )
        # The run is idempotent (a notice is deleted once sent): a retried invocation does no harm.
        self.rule.add_target(
            targets.LambdaFunction(function, retry_attempts=2, max_event_age=Duration.minutes(RETRY_MINUTES))
        )
