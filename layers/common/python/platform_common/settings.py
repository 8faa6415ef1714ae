"""Settings every function shares, read from the environment and validated once at cold start."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base of each service's settings. A missing or malformed variable fails the cold start, loudly."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    stage: str = Field(default="dev", alias="STAGE", pattern=r"^[a-z][a-z0-9-]{0,15}$")
    aws_region: str = Field(alias="AWS_REGION", min_length=1)
    metrics_namespace: str = Field(default="CorporatePlatform", alias="POWERTOOLS_METRICS_NAMESPACE")
