"""Staff HTTP API of item labels (``POST /api/v1/documents/item-labels``,
#22): a sheet of labels for the items staff chose, rendered on request and
not stored (an inventory number is no one's personal data)."""

from __future__ import annotations

import asyncio

from edu_contracts.documents_api import ItemLabels
from edu_runtime.auth import staff_only
from litestar import Controller, Response, post
from litestar.params import JSONBody

from edu_documents.rendering.labels import render_labels

PDF = "application/pdf"


class ItemLabelsController(Controller):
    path = "/api/v1/documents/item-labels"
    guards = [staff_only]
    tags = ["item labels (staff)"]

    @post("/", status_code=200, media_type=PDF)
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
        return Response(
            pdf,
            media_type=PDF,
            headers={
                "Content-Disposition": 'inline; filename="inventara-uzlimes.pdf"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
