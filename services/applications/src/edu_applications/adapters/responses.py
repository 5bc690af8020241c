"""What several handlers answer alike: a page of a list, a file to download."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from edu_contracts.http import Page
from edu_runtime.paging import PageRequest
from litestar import Response

T = TypeVar("T")

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page_of(items: Iterable[T], total: int, page: PageRequest) -> Page[T]:
    """The page ``page`` asked for: ``items`` of ``total``."""
    return Page(items=list(items), total=total, limit=page.limit, offset=page.offset)


def download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    """``content`` as an attachment named ``filename``, never cached (personal data)."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
