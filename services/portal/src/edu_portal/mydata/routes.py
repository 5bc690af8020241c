"""Pages of "Mani dati izglītības reģistros" (seeds part A):

start → terms (checkbox) → whose data (myself / a represented person / a
personal code) → the blocks → "Saglabāt kā PDF" (a page that waits for the
printout and offers it) → finish; and "Who has looked at my data".

Whose data is asked for is kept in the session (flow ``mydata``), never in
the address: personal codes stay out of URLs, logs and browser history.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from edu_contracts.documents_api import DocumentStatus, DocumentView
from edu_contracts.my_data import AccessLogPage, MyDataAnswer
from edu_contracts.personal_code import PersonalCodeError, normalize_personal_code
from edu_contracts.registry_api import RepresentedPersons
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from pydantic import BaseModel

from edu_portal.mydata.texts import (
    BLOCK_ORDER,
    basis_names,
    block_names,
    no_data_message,
    purpose_names,
)
from edu_portal.web.api import ApiProblem, Backend
from edu_portal.web.context import Portal, SignedIn, page
from edu_portal.web.forms import FormErrors, form_value
from edu_portal.web.i18n import _, current_lang

BASE = "/mani-dati"
FLOW = "mydata"
MY_DATA_LIMIT = "my-data"  # reads and printouts: PortalSettings.my_data_reads_per_minute
Form = URLEncodedBody[dict[str, Any]]
OTHER = "other"
SELF = "self"


class DocumentRequested(BaseModel):
    document_id: uuid.UUID


@get(f"{BASE}/")
async def start() -> Template:
    return page("mydata/start.html")


@get(f"{BASE}/noteikumi")
async def terms(signed_in: NamedDependency[SignedIn]) -> Template:
    return page("mydata/terms.html", errors=FormErrors())


@post(f"{BASE}/noteikumi")
async def accept_terms(
    data: Form, signed_in: NamedDependency[SignedIn], portal: NamedDependency[Portal]
) -> Template | Redirect:
    if form_value(data, "agree") != "yes":
        errors = FormErrors()
        errors.add("agree", _("Confirm that you agree to the terms of use to continue"))
        return page("mydata/terms.html", status_code=400, errors=errors)
    await portal.api.request(
        Backend.REGISTRY,
        "POST",
        "/api/v1/terms/my-data/acceptance",
        await signed_in.token(),
        json={},
    )
    return Redirect(f"{BASE}/persona", status_code=303)


async def _represented(signed_in: SignedIn, portal: Portal) -> RepresentedPersons:
    return await portal.api.get(
        Backend.REGISTRY, "/api/v1/represented-persons", await signed_in.token(), RepresentedPersons
    )


def _whose_page(
    represented: RepresentedPersons,
    errors: FormErrors,
    chosen: str,
    typed: str,
    status_code: int = 200,
) -> Template:
    return page(
        "mydata/whose.html",
        status_code=status_code,
        represented=represented.items,
        basis_names=basis_names(),
        errors=errors,
        chosen=chosen,
        typed=typed,
    )


@get(f"{BASE}/persona")
async def whose(signed_in: NamedDependency[SignedIn], portal: NamedDependency[Portal]) -> Template:
    flow = signed_in.session.flow(FLOW)
    return _whose_page(
        await _represented(signed_in, portal),
        FormErrors(),
        str(flow.get("chosen", "")),
        str(flow.get("typed", "")),
    )


@post(f"{BASE}/persona")
async def choose_whose(
    data: Form, signed_in: NamedDependency[SignedIn], portal: NamedDependency[Portal]
) -> Template | Redirect:
    chosen = form_value(data, "whose")
    typed = form_value(data, "personal_code")
    represented = await _represented(signed_in, portal)
    known = {p.personal_code for p in represented.items}
    errors = FormErrors()
    subject: str | None = None
    if chosen == SELF:
        subject = None
    elif chosen in known:
        subject = chosen
    elif chosen == OTHER:
        if not typed:
            errors.add("personal_code", _("Enter the personal code of the person you represent"))
        else:
            try:
                subject = normalize_personal_code(typed)
            except PersonalCodeError:
                errors.add(
                    "personal_code",
                    _("Enter a valid personal code, like 123456-12345"),
                )
    else:
        errors.add("whose", _("Choose whose data you want to see"))
    if errors:
        return _whose_page(represented, errors, chosen, typed, status_code=400)
    await signed_in.save_flow(FLOW, {"subject": subject, "chosen": chosen, "typed": typed})
    return Redirect(f"{BASE}/dati", status_code=303)


def _subject_params(signed_in: SignedIn) -> dict[str, str]:
    subject = signed_in.session.flow(FLOW).get("subject")
    params = {"lang": current_lang().value}
    if subject:
        params["person_code"] = str(subject)
    return params


async def _refused(signed_in: SignedIn, portal: Portal, problem: ApiProblem) -> Template | Redirect:
    """The refusals a person can cause, as pages."""
    if problem.reason == "terms_not_accepted":
        return Redirect(f"{BASE}/noteikumi", status_code=303)
    if problem.reason in ("not_represented", "invalid_personal_code", "bad_personal_code"):
        flow = signed_in.session.flow(FLOW)
        errors = FormErrors()
        field = "personal_code" if flow.get("chosen") == OTHER else "whose"
        errors.add(
            field,
            _("The registers do not show that you represent this person"),
        )
        return _whose_page(
            await _represented(signed_in, portal),
            errors,
            str(flow.get("chosen", "")),
            str(flow.get("typed", "")),
            status_code=403,
        )
    raise problem


@get(f"{BASE}/dati")
async def result(
    signed_in: NamedDependency[SignedIn], portal: NamedDependency[Portal]
) -> Template | Redirect:
    if FLOW not in signed_in.session.flows:
        return Redirect(f"{BASE}/persona", status_code=303)
    await signed_in.within_limit(MY_DATA_LIMIT)
    try:
        answer = await portal.api.get(
            Backend.REGISTRY,
            "/api/v1/my-data",
            await signed_in.token(),
            MyDataAnswer,
            params=_subject_params(signed_in),
        )
    except ApiProblem as problem:
        return await _refused(signed_in, portal, problem)
    blocks = answer.blocks
    shown = [(key, getattr(blocks, key)) for key in BLOCK_ORDER if getattr(blocks, key)]
    return page(
        "mydata/result.html",
        answer=answer,
        shown=shown,
        block_names=block_names(),
        basis_names=basis_names(),
        no_data=no_data_message(),
    )


@post(f"{BASE}/pdf")
async def save_pdf(
    signed_in: NamedDependency[SignedIn], portal: NamedDependency[Portal]
) -> Template | Redirect:
    if FLOW not in signed_in.session.flows:
        return Redirect(f"{BASE}/persona", status_code=303)
    await signed_in.within_limit(MY_DATA_LIMIT)
    try:
        subject = signed_in.session.flow(FLOW).get("subject")
        requested = await portal.api.post(
            Backend.REGISTRY,
            "/api/v1/my-data/pdf",
            await signed_in.token(),
            DocumentRequested,
            params={"lang": current_lang().value},
            json={"person_code": subject} if subject else {},
        )
    except ApiProblem as problem:
        return await _refused(signed_in, portal, problem)
    return Redirect(f"{BASE}/pdf/{requested.document_id}", status_code=303)


@get(f"{BASE}/pdf/{{document_id:uuid}}")
async def pdf_status(
    document_id: FromPath[uuid.UUID],
    signed_in: NamedDependency[SignedIn],
    portal: NamedDependency[Portal],
) -> Template:
    """Waits for the printout: the page reloads itself (meta refresh, no
    script) until the documents service has rendered it."""
    response = await portal.api.request(
        Backend.DOCUMENTS, "GET", f"/api/v1/documents/{document_id}", await signed_in.token()
    )
    if response.status_code == 202:
        return page("mydata/pdf_waiting.html", document_id=document_id)
    view = DocumentView.model_validate_json(response.content)
    if view.status is DocumentStatus.RENDERED:
        return page("mydata/pdf_ready.html", document=view)
    if view.status is DocumentStatus.FAILED:
        return page("mydata/pdf_failed.html", status_code=500)
    return page("mydata/pdf_waiting.html", document_id=document_id)


@get(f"{BASE}/pdf/{{document_id:uuid}}/fails")
async def pdf_file(
    document_id: FromPath[uuid.UUID],
    signed_in: NamedDependency[SignedIn],
    portal: NamedDependency[Portal],
) -> Response[bytes]:
    await signed_in.within_limit(MY_DATA_LIMIT)
    response = await portal.api.request(
        Backend.DOCUMENTS, "GET", f"/api/v1/documents/{document_id}/pdf", await signed_in.token()
    )
    disposition = response.headers.get(
        "content-disposition", f'attachment; filename="{document_id}.pdf"'
    )
    return Response(
        response.content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


@get(f"{BASE}/beigas")
async def finish(signed_in: NamedDependency[SignedIn]) -> Template:
    await signed_in.clear_flow(FLOW)
    return page("mydata/finish.html")


PAGE_SIZE = 20


@get(f"{BASE}/piekluves")
async def access_log(
    signed_in: NamedDependency[SignedIn],
    portal: NamedDependency[Portal],
    page_number: Annotated[int, QueryParameter(name="lapa", ge=1, le=10_000)] = 1,
) -> Template | Redirect:
    try:
        log = await portal.api.get(
            Backend.REGISTRY,
            "/api/v1/my-data/access-log",
            await signed_in.token(),
            AccessLogPage,
            params={"limit": PAGE_SIZE, "offset": (page_number - 1) * PAGE_SIZE},
        )
    except ApiProblem as problem:
        if problem.reason == "terms_not_accepted":
            return Redirect(f"{BASE}/noteikumi", status_code=303)
        raise
    return page(
        "mydata/access_log.html",
        log=log,
        page_number=page_number,
        has_next=log.offset + len(log.items) < log.total,
        block_names=block_names(),
        basis_names=basis_names(),
        purpose_names=purpose_names(),
    )


ROUTES: list[ControllerRouterHandler] = [
    start,
    terms,
    accept_terms,
    whose,
    choose_whose,
    result,
    save_pdf,
    pdf_status,
    pdf_file,
    finish,
    access_log,
]
