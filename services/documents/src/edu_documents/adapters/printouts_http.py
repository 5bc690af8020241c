"""Staff HTTP API of the item register's printouts (#22): a sheet of labels
for the items staff chose (``POST /api/v1/documents/item-labels``) and a
stocktake's report (``POST /api/v1/documents/stocktake-reports``), rendered on
request from what the staff pages send and not stored: they are the school's
working papers, not documents anyone verifies later."""

from __future__ import annotations

import asyncio
from typing import Any

from edu_contracts.documents_api import ItemLabels, StocktakeReport
from edu_runtime.auth import staff_only
from edu_runtime.language import LangQuery, negotiate
from litestar import Controller, Request, Response, post
from litestar.params import JSONBody

from edu_documents.adapters.pdf import PDF, pdf_response
from edu_documents.rendering.labels import render_labels
from edu_documents.rendering.stocktake import render_stocktake_report


class RegisterPrintoutsController(Controller):
    path = "/api/v1/documents"
    guards = [staff_only]
    tags = ["item register printouts (staff)"]

    @post("/item-labels", status_code=200, media_type=PDF)
    async def labels(self, data: JSONBody[ItemLabels]) -> Response[bytes]:
        """A PDF of labels, 24 to an A4 sheet (3 by 8, 70 by 37 mm), each with
        the inventory number as a QR code or a Code 128 barcode."""
        # ReportLab is CPU-bound: off the event loop, as the act renderer is.
        pdf = await asyncio.to_thread(
            render_labels,
            data.labels,
            institution=data.institution_name,
            symbology=data.symbology,
        )
        return pdf_response(pdf, "inventara-uzlimes.pdf")

    @post("/stocktake-reports", status_code=200, media_type=PDF)
    async def stocktake_report(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[StocktakeReport],
        lang: LangQuery = None,
    ) -> Response[bytes]:
        """A stocktake's report: the items not seen, then those seen."""
        language = negotiate(lang, request.headers.get("accept-language"))
        pdf = await asyncio.to_thread(render_stocktake_report, data, language=language)
        return pdf_response(pdf, "inventarizacija.pdf")
