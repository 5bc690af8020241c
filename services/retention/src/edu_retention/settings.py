"""Settings of the retention service (environment prefix ``EDU_RETENTION_``)."""

from __future__ import annotations

from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class RetentionSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDU_RETENTION_", extra="ignore", populate_by_name=True
    )
    SERVICE: ClassVar[ServiceName] = ServiceName.RETENTION

    http_port: int = 8104
    mongo_db: str = "edu_retention"
