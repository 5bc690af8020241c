"""Settings of the registry-reader service (environment prefix ``EDU_REGISTRY_READER_``)."""

from __future__ import annotations

from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings


class RegistryReaderSettings(ServiceSettings):
    SERVICE: ClassVar[ServiceName] = ServiceName.REGISTRY_READER

    http_port: int = 8101
    mongo_db: str = "edu_registry_reader"
