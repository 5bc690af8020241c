"""The one way documents answers with a PDF: shown inline under a file name,
never sniffed as anything else, cached only as the caller says."""

from __future__ import annotations

from litestar import Response

PDF = "application/pdf"


def pdf_response(pdf: bytes, filename: str, *, cache: str = "no-store") -> Response[bytes]:
    return Response(
        content=pdf,
        media_type=PDF,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": cache,
            "X-Content-Type-Options": "nosniff",
        },
    )
