"""Settings of the registry-reader service (environment prefix ``EDU_REGISTRY_READER_``)."""

from __future__ import annotations

from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class RegistryReaderSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDU_REGISTRY_READER_", extra="ignore", populate_by_name=True
    )
    SERVICE: ClassVar[ServiceName] = ServiceName.REGISTRY_READER

    http_port: int = 8101
    mongo_db: str = "edu_registry_reader"
