from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from platform_common.settings import ServiceSettings

SERVICE = "submit"


class SubmitSettings(ServiceSettings):
    subsidies_table_name: str = Field(alias="SUBSIDIES_TABLE_NAME", min_length=3)
    applications_table_name: str = Field(alias="APPLICATIONS_TABLE_NAME", min_length=3)
    review_state_machine_arn: str = Field(alias="REVIEW_STATE_MACHINE_ARN", pattern=r"^arn:aws[a-z-]*:states:")
    # Applications: attachments, the ministry's audit archive (Object Lock), gBizINFO's corporate records
    attachments_bucket_name: str = Field(default="", alias="ATTACHMENTS_BUCKET_NAME")
    audit_bucket_name: str = Field(default="", alias="SUBMIT_AUDIT_BUCKET_NAME")
    hojin_table_name: str = Field(default="", alias="HOJIN_TABLE_NAME")
    # The OpenID Provider whose access tokens the applicants present (gBizID)
    oidc_issuer: str = Field(default="", alias="OIDC_ISSUER")
    # The ministry (receipt numbers, mandate procedures): its short name and its jGrants client id at gBizID
    ministry: str = Field(default="jgrants", alias="MINISTRY", pattern=r"^[a-z][a-z0-9-]{1,31}$")
    jgrants_client_id: str = Field(default="jgrants", alias="JGRANTS_CLIENT_ID", min_length=1)
    mail_from: str = Field(default="no-reply@gbizid.example.jp", alias="MAIL_FROM")
    # EBPM: the Parquet export of applications and decisions (functions/submit/ebpm.py)
    analytics_bucket_name: str = Field(default="", alias="ANALYTICS_BUCKET_NAME")
    # Where subsidy pages are linked from alert mail (the public API's origin); empty: mail names ids only
    public_base_url: str = Field(default="", alias="PUBLIC_BASE_URL", pattern=r"^(https?://[^\s/]+)?$")
    # The portal pages (routers/portal_*.py): signed in at gBizID as the confidential client JGRANTS_CLIENT_ID,
    # its secret in Secrets Manager, browser sessions in the ministry's web-sessions table; the redirect URI is
    # {PUBLIC_BASE_URL}/jgrants/callback
    sessions_table_name: str = Field(default="", alias="JGRANTS_SESSIONS_TABLE_NAME")
    client_secret_id: str = Field(default="", alias="JGRANTS_CLIENT_SECRET_ID")
    # The review: a decision overdue after this long mails the reviewer; after the second, the operators
    review_remind_after_seconds: int = Field(default=3 * 86400, alias="REVIEW_REMIND_AFTER_SECONDS", ge=1)
    review_escalate_after_seconds: int = Field(default=5 * 86400, alias="REVIEW_ESCALATE_AFTER_SECONDS", ge=2)
    # Awards go to gBizINFO as ingest files in its open-data bucket; the ministry's name is their department
    open_data_bucket_name: str = Field(default="", alias="OPEN_DATA_BUCKET_NAME")
    ministry_name: str = Field(default="", alias="MINISTRY_NAME", max_length=100)
    # "signature": the EICAR signature scanner (devstack, tests); "guardduty": GuardDuty Malware Protection tags
    malware_scanner: Literal["signature", "guardduty"] = Field(default="signature", alias="MALWARE_SCANNER")
    # The data exchange (functions/submit/exchange_client.py): its origin, and the secret holding the ministry's
    # client subsystem and private key; unset, exchange prefills stay empty and exchange attachments are uploaded
    exchange_url: str = Field(default="", alias="EXCHANGE_URL", pattern=r"^(https?://[^\s/]+)?$")
    exchange_client_secret_id: str = Field(default="", alias="EXCHANGE_CLIENT_SECRET_ID")


@cache
def get_settings() -> SubmitSettings:
    return SubmitSettings()  # values come from the environment
