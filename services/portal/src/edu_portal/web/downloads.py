"""Files from a back-end service passed on to the browser as they arrive."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Literal

import httpx
from litestar.response import Stream


async def pass_on(
    download: AbstractAsyncContextManager[httpx.Response],
    *,
    filename: str,
    media_type: str = "application/pdf",
    disposition: Literal["attachment", "inline"] | None = None,
) -> Stream:
    """The service's file as the page's answer, streamed; its own
    ``Content-Disposition`` when it sends one, else an attachment named
    ``filename``. Personal documents: never cached. A refusal or a failure
    raises before the first byte (``UpstreamProblem``), so the error page can
    still be shown. ``disposition`` overrides the service's: ``attachment``
    to have a file saved, ``inline`` to have it shown (named as the service
    names it, else ``filename``)."""
    response = await download.__aenter__()

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        finally:
            await download.__aexit__(None, None, None)

    given = response.headers.get("content-disposition")
    if disposition is None and given:
        header = given
    else:
        named = re.search(r'filename="?([A-Za-z0-9._-]+)"?', given or "")
        header = (
            f'{disposition or "attachment"}; filename="{named.group(1) if named else filename}"'
        )
    return Stream(
        body(),
        media_type=response.headers.get("content-type", media_type),
        headers={"Content-Disposition": header, "Cache-Control": "private, no-store"},
    )
