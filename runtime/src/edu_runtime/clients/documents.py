"""The documents service's API: receipt documents (wizard step 5), a
document's state, and its file; the item register's printouts (labels, a
stocktake's report), drawn from what is sent."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from uuid import UUID

import httpx
from edu_contracts.documents_api import (
    DocumentView,
    ItemLabels,
    ReceiptDocuments,
    StocktakeReport,
)

from edu_runtime.service_client import ServiceClient

API = "/api/v1/documents"


class DocumentsClient:
    def __init__(self, service: ServiceClient) -> None:
        self.service = service

    async def receipt_documents(self) -> ReceiptDocuments:
        return await self.service.read("GET", f"{API}/receipt-documents", ReceiptDocuments)

    def receipt_document_preview(self, code: str) -> AbstractAsyncContextManager[httpx.Response]:
        """A sample PDF of one receipt document, streamed."""
        return self.service.download(f"{API}/receipt-documents/{code}/preview")

    async def document(self, document_id: UUID) -> DocumentView | None:
        """The document's state; None while it is still being rendered (202)."""
        response = await self.service.send("GET", f"{API}/{document_id}")
        if response.status_code == 202:
            return None
        return self.service.parse(response, DocumentView)

    def pdf(self, document_id: UUID) -> AbstractAsyncContextManager[httpx.Response]:
        """The rendered PDF, streamed."""
        return self.service.download(f"{API}/{document_id}/pdf")

    def item_labels(self, labels: ItemLabels) -> AbstractAsyncContextManager[httpx.Response]:
        """A PDF sheet of item labels, streamed."""
        return self.service.download(f"{API}/item-labels", method="POST", body=labels)

    def stocktake_report(
        self, report: StocktakeReport
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """A stocktake's report as a PDF, streamed."""
        return self.service.download(f"{API}/stocktake-reports", method="POST", body=report)
