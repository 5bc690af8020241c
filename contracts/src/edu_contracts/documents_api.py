"""HTTP contract of the documents service used by the wizard's step 5.

- ``GET /api/v1/documents/receipt-documents?lang=lv|en`` → ``ReceiptDocuments``:
  the documents a citizen will confirm electronically when receiving a resource.
- ``GET /api/v1/documents/receipt-documents/{code}/preview`` → a sample PDF
  ("PARAUGS"/"SAMPLE"), same layout as the real one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from edu_contracts.documents import DocumentKind, Language
from edu_contracts.envelope import Contract
from edu_contracts.http import JsonDateTime, RequestBody


class ReceiptDocument(Contract):
    code: str  # e.g. handover_act, usage_rules
    title: str
    version: str
    preview_path: str


class ReceiptDocuments(Contract):
    items: tuple[ReceiptDocument, ...]


class DocumentStatus(StrEnum):
    RENDERING = "rendering"  # the command is not (yet) applied; poll again
    RENDERED = "rendered"
    FAILED = "failed"


class DocumentView(Contract):
    """``GET /api/v1/documents/{id}`` (200) and the items of the document list."""

    id: UUID
    kind: DocumentKind
    status: DocumentStatus
    number: str | None = None
    language: Language
    application_id: UUID | None = None
    institution_id: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    failure_reason: str | None = None
    created_at: AwareDatetime
    pdf_path: str | None = None


class DocumentPending(Contract):
    """``GET /api/v1/documents/{id}`` (202): nothing is known about this id yet.

    Returned for any id without a record, so it tells nobody whether a document
    exists; the client polls again after ``retry_after_seconds``.
    """

    id: UUID
    status: Literal[DocumentStatus.RENDERING] = DocumentStatus.RENDERING
    retry_after_seconds: int = 1


class DocumentVerification(Contract):
    """``GET /api/v1/documents/verify/{number}?sha256=…``: was a document with this
    number and this content issued? No personal data, and the same answer for an
    unknown number as for a known number with a different hash."""

    number: str
    sha256: str
    issued: bool
    kind: DocumentKind | None = None
    issued_on: dt.date | None = None


class DocumentRequested(Contract):
    """A printout asked for: its document, rendered in the background."""

    document_id: UUID


class LabelSymbology(StrEnum):
    QR = "qr"
    CODE128 = "code128"


class ItemLabel(RequestBody):
    inventory_number: str = Field(min_length=1, max_length=40)
    model: str = Field(default="", max_length=120)


class ItemLabels(RequestBody):
    """A sheet of item labels (#22): 3 by 8 labels of 70 by 37 mm on A4, each
    with the inventory number as a QR code or a Code 128 barcode."""

    institution_name: str = Field(min_length=1, max_length=200)
    symbology: LabelSymbology = LabelSymbology.QR
    # Four sheets a request: a QR label costs ~11 ms to draw (1.2 s for 96 on
    # this machine), and an answer should come within seconds.
    labels: tuple[ItemLabel, ...] = Field(min_length=1, max_length=96)


class StocktakeReportItem(RequestBody):
    inventory_number: str = Field(min_length=1, max_length=40)
    serial_number: str = Field(min_length=1, max_length=80)
    model: str = Field(default="", max_length=120)
    seen_at: JsonDateTime | None = None
    seen_by: str | None = Field(default=None, max_length=200)


class StocktakeReport(RequestBody):
    """A stocktake's report as a PDF (#22): the items not seen first, then
    those seen, when and by whom."""

    institution_name: str = Field(min_length=1, max_length=200)
    started_at: JsonDateTime
    started_by: str = Field(min_length=1, max_length=200)
    finished_at: JsonDateTime | None = None
    finished_by: str | None = Field(default=None, max_length=200)
    items: tuple[StocktakeReportItem, ...] = Field(max_length=20_000)
