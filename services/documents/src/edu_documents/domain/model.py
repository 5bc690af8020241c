"""The stored description of one document (stored with its PDF, which
only a download reads) and who may read it."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from edu_contracts.documents import DocumentKind, Language
from pydantic import BaseModel, ConfigDict


class DocumentStatus(StrEnum):
    RENDERED = "rendered"
    FAILED = "failed"


class DocumentRecord(BaseModel):
    """Metadata of a document. ``reader`` is the pseudonym (keyed hash) of the
    personal code of the citizen the document concerns: lookups work, the code
    itself is not stored beside the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: DocumentKind
    status: DocumentStatus
    number: str | None = None
    reader: str
    institution_id: str | None = None
    application_id: str | None = None
    language: Language
    sha256: str | None = None
    size_bytes: int | None = None
    failure_reason: str | None = None
    created_at: dt.datetime


def may_read(record: DocumentRecord, *, role: str, reader: str, institution_id: str | None) -> bool:
    """The citizen a document concerns, and staff of its institution; nobody else."""
    if role == "citizen":
        return record.reader == reader
    if role == "staff":
        return institution_id is not None and record.institution_id == institution_id
    return False
