"""The files of the application pages, streamed from the documents service:
an application's acts (saved, not opened in the browser's viewer: the act is
the person's to keep) and the samples of the receipt documents (step 5)."""

from __future__ import annotations

from uuid import UUID

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Stream
from litestar.types import ControllerRouterHandler

from edu_portal.applications.pages import BASE, own
from edu_portal.web.downloads import pass_on
from edu_portal.web.params import Api


@get(f"{BASE}/{{app_id:uuid}}/dokumenti/{{document_id:uuid}}")
async def document(app_id: FromPath[UUID], document_id: FromPath[UUID], clients: Api) -> Stream:
    app = await own(clients, app_id)
    if document_id not in {d.document_id for d in app.documents}:
        raise NotFoundException
    return await pass_on(
        clients.documents.pdf(document_id), filename=f"{document_id}.pdf", disposition="attachment"
    )


@get(f"{BASE}/paraugi/{{code:str}}")
async def preview(code: FromPath[str], clients: Api) -> Stream:
    """A receipt document's sample (wizard step 5), shown in the browser."""
    if not code.replace("_", "").isalnum() or len(code) > 64:
        raise NotFoundException
    return await pass_on(
        clients.documents.receipt_document_preview(code),
        filename=f"{code}.pdf",
        disposition="inline",
    )


ROUTES: list[ControllerRouterHandler] = [document, preview]
