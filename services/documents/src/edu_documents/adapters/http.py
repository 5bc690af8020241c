"""HTTP API of documents (citizens through the gateway, and staff): requests
translated to the use cases of ``service.py`` (where the access rule is
applied) and their answers to HTTP."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any
from uuid import UUID

from edu_contracts.documents_api import (
    DocumentPending,
    DocumentStatus,
    DocumentVerification,
    DocumentView,
    ReceiptDocument,
    ReceiptDocuments,
)
from edu_contracts.http import Page
from edu_contracts.refusals import Conflict, NotFound, NotPermitted, Refusal
from edu_runtime.auth import Identity
from edu_runtime.errors import ApiError
from edu_runtime.language import LangQuery, negotiate
from edu_runtime.paging import PageRequest
from edu_runtime.projection import project
from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, PathParameter, QueryParameter

from edu_documents.adapters.pdf import PDF, pdf_response
from edu_documents.adapters.previews import Previews
from edu_documents.domain.model import DocumentRecord
from edu_documents.domain.numbering import NUMBER_PATTERN, is_document_number
from edu_documents.domain.receipt import RECEIPT_DOCUMENTS, receipt_document
from edu_documents.service import DocumentService

log = logging.getLogger(__name__)

PREFIX = "/api/v1/documents"
NOT_RENDERED = {"errors": {409: "document_not_rendered: rendering failed (see extra)."}}
# The one pattern of a SHA-256 query value: checked here, documented from here.
SHA256_PATTERN = "^[0-9a-fA-F]{64}$"
SHA256 = re.compile(SHA256_PATTERN)
Req = Request[Any, Any, Any]

# The one mapping of refusals to HTTP statuses (registered in app.py; the body
# is the usual ErrorBody with the rule's reason). The most specific class wins.
REFUSALS: dict[type[Exception], int] = {
    Refusal: 422,
    Conflict: 409,
    NotPermitted: 403,
    NotFound: 404,
}
Me = NamedDependency[Identity]
Service = NamedDependency[DocumentService]
PreviewCache = NamedDependency[Previews]


def view_of(record: DocumentRecord) -> DocumentView:
    rendered = record.number is not None
    return project(
        DocumentView,
        record,
        id=UUID(record.id),
        status=DocumentStatus(record.status.value),
        application_id=UUID(record.application_id) if record.application_id else None,
        pdf_path=f"{PREFIX}/{record.id}/pdf" if rendered else None,
    )


class DocumentsController(Controller):
    path = PREFIX

    @get("/")
    async def list_documents(
        self,
        identity: Me,
        service: Service,
        page: NamedDependency[PageRequest],
        application_id: FromQuery[UUID | None] = None,
    ) -> Page[DocumentView]:
        """Citizens: the documents that concern them. Staff: their institution's.
        Optionally only those of one application; newest first."""
        limit, offset = page.limit, page.offset
        app_id = str(application_id) if application_id else None
        records, total = await service.documents_of(identity, app_id, limit=limit, offset=offset)
        return Page(items=[view_of(r) for r in records], total=total, limit=limit, offset=offset)

    @get("/receipt-documents")
    async def receipt_documents(self, request: Req, lang: LangQuery = None) -> ReceiptDocuments:
        """The documents a citizen will confirm on receiving a resource (wizard step 5)."""
        language = negotiate(lang, request.headers.get("accept-language"))
        return ReceiptDocuments(
            items=tuple(
                ReceiptDocument(
                    code=spec.code,
                    title=spec.titles[language],
                    version=spec.version,
                    preview_path=f"{PREFIX}/receipt-documents/{spec.code}/preview"
                    f"?lang={language.value}",
                )
                for spec in RECEIPT_DOCUMENTS
            )
        )

    @get("/receipt-documents/{code:str}/preview", media_type=PDF)
    async def receipt_document_preview(
        self,
        request: Req,
        code: FromPath[str],
        previews: PreviewCache,
        lang: LangQuery = None,
    ) -> Response[bytes]:
        """A sample ('PARAUGS' / 'SAMPLE') of a step-5 document, same layout as the real one."""
        spec = receipt_document(code)
        if spec is None:
            raise ApiError(404, "receipt_document_not_found", "No such receipt document.")
        language = negotiate(lang, request.headers.get("accept-language"))
        pdf = await previews.get(spec, language)
        return pdf_response(
            pdf, f"{spec.code}-{spec.version}-{language.value}.pdf", cache="private, max-age=3600"
        )

    @get("/verify/{number:str}")
    async def verify(
        self,
        number: Annotated[
            str,
            PathParameter(
                description="The document's number, e.g. PNA-2026-000123.",
                schema_extra={"pattern": NUMBER_PATTERN},
            ),
        ],
        service: Service,
        sha256: Annotated[
            str,
            QueryParameter(
                description="SHA-256 of the PDF, 64 hexadecimal characters.",
                schema_extra={"pattern": SHA256_PATTERN},
            ),
        ],
    ) -> DocumentVerification:
        """Was a document with this number and this SHA-256 issued? Nothing personal."""
        # The patterns are documented (schema_extra) but checked here, so a
        # refusal has its own reason rather than Litestar's validation_error.
        if not SHA256.match(sha256):
            raise ApiError(422, "invalid_sha256", "sha256 must be 64 hexadecimal characters.")
        digest = sha256.lower()
        if not is_document_number(number):
            raise ApiError(
                422, "invalid_document_number", "A document number looks like PNA-2026-000123."
            )
        record = await service.issued(number, digest)
        if record is None:
            return DocumentVerification(number=number, sha256=digest, issued=False)
        return DocumentVerification(
            number=number,
            sha256=digest,
            issued=True,
            kind=record.kind,
            issued_on=record.created_at.date(),
        )

    @get(
        "/{document_id:uuid}",
        responses={
            200: ResponseSpec(
                DocumentView, description="The document's metadata", generate_examples=False
            ),
            202: ResponseSpec(
                DocumentPending,
                description="Not rendered yet: poll again after Retry-After",
                generate_examples=False,
            ),
        },
    )
    async def get_document(
        self, document_id: FromPath[UUID], identity: Me, service: Service
    ) -> Response[Any]:
        """200 with the metadata once the command has been applied; 202 (poll again)
        while nothing is known about the id; 404 when it is not yours."""
        record = await service.document(identity, str(document_id))
        if record is None:
            pending = DocumentPending(id=document_id)
            return Response(
                content=pending.model_dump(mode="json"),
                status_code=202,
                media_type=MediaType.JSON,
                headers={"Retry-After": str(pending.retry_after_seconds)},
            )
        return Response(content=view_of(record).model_dump(mode="json"), media_type=MediaType.JSON)

    @get("/{document_id:uuid}/pdf", media_type=PDF, opt=NOT_RENDERED)
    async def get_pdf(
        self, document_id: FromPath[UUID], identity: Me, service: Service
    ) -> Response[bytes]:
        record, pdf = await service.download(identity, str(document_id))
        return pdf_response(pdf, f"{record.number}.pdf", cache="private, no-store")
