"""Physical names of resources in the devstack (the cloud lets CloudFormation choose them)."""

from __future__ import annotations

DEMO_MINISTRY = "meti"
REGION = "ap-northeast-1"
ACCOUNT_ID = "123456789012"  # moto's default account


def physical_name(scope: str, resource_id: str) -> str:
    return f"{scope}-{resource_id}"
