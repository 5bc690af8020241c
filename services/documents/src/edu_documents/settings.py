"""Settings of the documents service (environment prefix ``EDU_DOCUMENTS_``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from edu_contracts.services import ServiceName
from edu_runtime.settings import ServiceSettings
from pydantic import Field

from edu_documents.rendering.fonts import DEFAULT_FONT_DIR


class DocumentsSettings(ServiceSettings):
    SERVICE: ClassVar[ServiceName] = ServiceName.DOCUMENTS

    http_port: int = 8103
    mongo_db: str = "edu_documents"
    font_dir: Path = Field(
        default=DEFAULT_FONT_DIR,
        description="Directory with DejaVuSans*.ttf (Debian package fonts-dejavu-core).",
    )
    number_block: int = Field(
        default=10,
        ge=1,
        description="Document numbers each replica reserves at a time (1: strictly "
        "consecutive numbers, one counter round trip per document).",
    )
    render_batch_max: int = Field(
        default=16,
        ge=1,
        description="Most render commands taken from Kafka and saved together: a batch's "
        "acts are stored in one transaction once all of them are rendered (16 acts: "
        "~0.4 MB and ~50 ms of rendering).",
    )
