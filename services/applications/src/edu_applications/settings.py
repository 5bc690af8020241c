"""Settings of the applications service (environment prefix ``EDU_APPLICATIONS_``)."""

from __future__ import annotations

from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ApplicationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDU_APPLICATIONS_", extra="ignore", populate_by_name=True
    )
    SERVICE: ClassVar[ServiceName] = ServiceName.APPLICATIONS

    http_port: int = 8102
    mongo_db: str = "edu_applications"
