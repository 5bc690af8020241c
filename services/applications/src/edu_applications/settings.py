"""Settings of the applications service (environment prefix ``EDU_APPLICATIONS_``)."""

from __future__ import annotations

from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic import AliasChoices, Field


class ApplicationsSettings(ServiceSettings):
    SERVICE: ClassVar[ServiceName] = ServiceName.APPLICATIONS

    http_port: int = 8102
    mongo_db: str = "edu_applications"
    registry_url: str = Field(
        default="http://127.0.0.1:8101",
        validation_alias=AliasChoices("EDU_REGISTRY_URL", "registry_url"),
        description="registry-reader base URL (wizard lookups, forwarded citizen token).",
    )
    documents_url: str = Field(
        default="http://127.0.0.1:8103",
        validation_alias=AliasChoices("EDU_DOCUMENTS_URL", "documents_url"),
        description="documents base URL (step 5: the documents confirmed on receipt).",
    )
    upstream_timeout_seconds: float = 5.0
    terms_version: str = "2026-09-01"
