"""Settings of the documents service (environment prefix ``EDU_DOCUMENTS_``)."""

from __future__ import annotations

from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class DocumentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDU_DOCUMENTS_", extra="ignore", populate_by_name=True
    )
    SERVICE: ClassVar[ServiceName] = ServiceName.DOCUMENTS

    http_port: int = 8103
    mongo_db: str = "edu_documents"
