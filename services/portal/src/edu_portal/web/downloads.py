"""Files from a back-end service passed on to the browser as they arrive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import httpx
from litestar.response import Stream


async def pass_on(
    download: AbstractAsyncContextManager[httpx.Response],
    *,
    filename: str,
    media_type: str = "application/pdf",
) -> Stream:
    """The service's file as the page's answer, streamed; its own
    ``Content-Disposition`` when it sends one, else an attachment named
    ``filename``. Personal documents: never cached. A refusal or a failure
    raises before the first byte (``UpstreamProblem``), so the error page can
    still be shown."""
    response = await download.__aenter__()

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        finally:
            await download.__aexit__(None, None, None)

    disposition = response.headers.get("content-disposition", f'attachment; filename="{filename}"')
    return Stream(
        body(),
        media_type=response.headers.get("content-type", media_type),
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )
